// The course record on the page (issue 10), as a clinic uses it: the plan
// added as a course, the session given, vital signs and pain scores entered,
// the review read back (responses, ledger, booster), the record saved as a
// file and reopened; bad entries and bad files refused with nothing lost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, openPage, assertClean, planner, focused, offlineUrl, root } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const fixture = readFileSync(join(root, 'tests/course-record.json'), 'utf8');

/** A page with Walter Reed, 80 kg at 2 mg/mL, first session 2026-12-07 08:00. */
async function planned() {
  const { page, log } = await openPage(browser.context, offlineUrl);
  const p = planner(page);
  await p.choose('protocol', 'walter-reed-outpatient');
  await p.type('weightKg', '80');
  await p.type('concentrationMgPerMl', '2');
  await p.type('start', '2026-12-07T08:00');
  return { page, log, p };
}

/** Fills an entry form ("session", "vitals", "assessment") and records it. */
async function enter(p, kind, values) {
  for (const [k, v] of Object.entries(values)) {
    const input = p.el(`[data-entry=${kind}] [name=${k}]${k === 'sideEffects' ? `[value=${v}]` : ''}`);
    if (k === 'sideEffects' || k === 'stoppedEarly') await input.check(); else await input.fill(v);
  }
  await p.el(`[data-action=record-add-${kind}]`).click();
}

const statusOf = (p) => p.el('[data-role=record-status]').textContent();
/** The review's response rows as "date course category" and the ledger rows' text. */
async function reviewed(page) {
  return page.locator('ketamine-planner').evaluate((h) => {
    const r = h.shadowRoot.querySelector('[data-role=record-review]');
    const rows = (i) => [...r.querySelectorAll('table')[i]?.querySelectorAll('tbody tr') || []].map((tr) => [...tr.children].map((c) => c.textContent.trim()).join(' | '));
    return { responses: rows(0), ledger: rows(1), booster: r.querySelector('[data-field=boosterDue]')?.textContent.trim() || '',
      total: r.querySelector('[data-field=totalGiven]')?.textContent.trim() || '', counts: r.querySelector('p.hint:last-child')?.textContent.trim() || '' };
  });
}

test('course record: the plan as a course, the session, vitals and two assessments; the review shows the 50% response and the ledger', async () => {
  const { page, log, p } = await planned();
  await p.el('[data-action=record-course]').click();
  assert.match(await statusOf(p), /Course 1 added/);
  await enter(p, 'assessment', { date: '2026-12-07', painNrs: '8', painAreaPercent: '40' });
  await enter(p, 'session', { date: '2026-12-07', start: '08:00', end: '12:00', givenMg: '470', sideEffects: 'nausea_vomiting' });
  assert.match(await p.el('[data-entry=session] [data-role=entry-msg]').textContent(), /Session recorded/);
  await enter(p, 'vitals', { time: '08:15', systolic: '128', diastolic: '82', heartRate: '76', spo2: '98', sedation: '1' });
  await enter(p, 'rateChange', { time: '10:00', mlPerHour: '50' });
  assert.match(await p.el('[data-entry=rateChange] [data-role=entry-msg]').textContent(), /Rate change recorded/);
  await enter(p, 'rateChange', { time: '10:30', mlPerHour: '5000' });
  assert.match(await p.el('[data-entry=rateChange] #e-r-rateChange-mlPerHour').textContent(), /Must be from 0 to 1,000 mL\/h/);
  // (8 - 4) / 8 = 50% less pain: a responder; area (40 - 30) / 40 = 25%.
  await enter(p, 'assessment', { date: '2026-12-21', painNrs: '4', painAreaPercent: '30' });
  const r = await reviewed(page);
  assert.deepEqual(r.responses, [
    '2026-12-07 | 1 | 8 | 40% |  |  | Baseline',
    '2026-12-21 | 1 | 4 | 30% | 50% | 25% | Responder (at least 50% less)',
  ]);
  assert.equal(r.ledger.length, 1);
  assert.match(r.ledger[0], /^1 \| Walter Reed.* \| 2026-12-07 to 2026-12-07 \|  \| .+ mg \| 470 mg$/);
  assert.equal(r.total, 'Given in all courses: 470 mg');
  // No relief lost yet: the protocol's follow-up window, named as such.
  assert.match(r.booster, /^Booster due: 2027-\d\d-\d\d to 2027-\d\d-\d\d\. From the protocol's window/);
  assert.equal(r.counts, 'In the record: courses 1, sessions given 1, assessments 2.');
  // What the saved file holds for the session: the entries as typed, numbers read strictly.
  const [download] = await Promise.all([page.waitForEvent('download'), p.el('[data-action=record-save]').click()]);
  const session = JSON.parse(readFileSync(await download.path(), 'utf8')).courses[0].sessions[0];
  assert.deepEqual(session, { date: '2026-12-07', start: '08:00', end: '12:00', givenMg: 470, sideEffects: ['nausea_vomiting'],
    vitals: [{ time: '08:15', systolic: 128, diastolic: 82, heartRate: 76, spo2: 98, sedation: 1 }], rateChanges: [{ time: '10:00', mlPerHour: 50 }] });
  await assertClean(page, log, [offlineUrl]);
});

test('course record: a bad entry is refused at its field and the record is kept', async () => {
  const { page, p } = await planned();
  await p.el('[data-action=record-course]').click();
  await enter(p, 'assessment', { date: '2026-12-07', painNrs: '11' });
  const msg = (kind, name) => page.locator('ketamine-planner').evaluate((h, [k, n]) => {
    const i = h.shadowRoot.querySelector(`[data-entry=${k}] [name=${n}]`);
    return [i.getAttribute('aria-invalid'), h.shadowRoot.getElementById('e-' + i.id).textContent];
  }, [kind, name]);
  assert.deepEqual(await msg('assessment', 'painNrs'), ['true', 'Must be from 0 to 10.']);
  assert.equal((await focused(page)).name, 'painNrs');
  await enter(p, 'assessment', { painNrs: '1e1' });
  assert.deepEqual(await msg('assessment', 'painNrs'), ['true', 'Write the number in full (no exponent such as 1e3).']);
  await enter(p, 'assessment', { painNrs: '8,5' });
  assert.match((await msg('assessment', 'painNrs'))[1], /Use a point for decimals/);
  // A session before the course starts, and vital signs out of bounds.
  await enter(p, 'session', { date: '2026-12-01', start: '08:00' });
  assert.match((await msg('session', 'date'))[1], /before this course's first session/);
  await enter(p, 'session', { date: '2026-12-07', start: '08:00' });
  await enter(p, 'vitals', { time: '08:15', heartRate: '400' });
  assert.deepEqual(await msg('vitals', 'heartRate'), ['true', 'Must be from 20 to 250 /min.']);
  // The typed values stay for correcting; nothing was added.
  assert.equal(await p.el('[data-entry=vitals] [name=heartRate]').inputValue(), '400');
  assert.equal((await reviewed(page)).counts, 'In the record: courses 1, sessions given 1, assessments 0.');
});

test('course record: saved as a file and reopened by the file input, the same review; the label only in the file', async () => {
  const { page, p } = await planned();
  await p.el('[data-action=record-course]').click();
  await enter(p, 'assessment', { date: '2026-12-07', painNrs: '8', painAreaPercent: '40' });
  await enter(p, 'assessment', { date: '2026-12-21', painNrs: '3' });
  await p.el('[data-role=record-label]').fill('Clinic no. 4711');
  const before = await reviewed(page);
  const [download] = await Promise.all([page.waitForEvent('download'), p.el('[data-action=record-save]').click()]);
  assert.match(download.suggestedFilename(), /^course-record-\d{4}-\d{2}-\d{2}\.json$/);
  const saved = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(saved.schema, 'ketamine-planner/course-record@1');
  assert.equal(saved.patientLabel, 'Clinic no. 4711');
  assert.equal(saved.courses[0].request.protocol, 'walter-reed-outpatient');
  assert.ok(!(await page.evaluate(() => location.href)).includes('4711'));
  assert.ok(!(await page.locator('ketamine-planner').evaluate((h) => h.permalink)).includes('4711'));

  const { page: other } = await openPage(browser.context, offlineUrl);
  const q = planner(other);
  await q.el('[data-role=record-file]').setInputFiles({ name: 'saved.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(saved)) });
  await other.waitForFunction(() => /Opened saved\.json/.test(document.querySelector('ketamine-planner').shadowRoot.querySelector('[data-role=record-status]').textContent));
  assert.deepEqual(await reviewed(other), before);
  assert.equal(await q.el('[data-role=record-label]').inputValue(), 'Clinic no. 4711');
});

test('course record: a truncated, foreign or newer file is refused by name and the record on screen stays', async () => {
  const { page } = await openPage(browser.context, offlineUrl);
  const p = planner(page);
  const open = async (name, text) => {
    await p.el('[data-role=record-file]').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
    await page.waitForFunction((n) => document.querySelector('ketamine-planner').shadowRoot.querySelector('[data-role=record-status]').textContent.includes(n), name);
    return statusOf(p);
  };
  assert.match(await open('three.json', fixture), /Opened three\.json/);
  const kept = await reviewed(page);
  assert.equal(kept.ledger.length, 3);
  // Course 1's relief: last seen 28 days after its end, lost by 42; counted
  // from the last course's end, 2027-03-05: 2027-04-02 to 2027-04-16.
  assert.equal(kept.booster, "Booster due: 2027-04-02 to 2027-04-16. From the patient's own relief: a response was last seen 28 days after a course and was lost by 42 days.");
  assert.match(await open('cut.json', fixture.slice(0, fixture.length / 2)), /cut\.json is not a course record: it is not readable as JSON\. Nothing was changed\./);
  assert.match(await open('plan.json', '{"protocol": "walter-reed-outpatient"}'), /plan\.json was not opened, and nothing was changed: \/schema: This is not a ketamine planner course record/);
  assert.match(await open('v2.json', '{"schema": "ketamine-planner/course-record@2"}'), /record is schema ketamine-planner\/course-record@2; this planner reads ketamine-planner\/course-record@1/);
  const bad = JSON.parse(fixture);
  bad.assessments[1].painNrs = 12;
  assert.match(await open('bad.json', JSON.stringify(bad)), /\/assessments\/1\/painNrs: Must be from 0 to 10\./);
  assert.deepEqual(await reviewed(page), kept);
});

test('course record: "Plan next course" puts the last course\'s inputs in the form with its end as the previous course, the start to enter', async () => {
  const { page, log } = await openPage(browser.context, offlineUrl);
  const p = planner(page);
  await p.el('[data-role=record-file]').setInputFiles({ name: 'three.json', mimeType: 'application/json', buffer: Buffer.from(fixture) });
  await p.el('[data-action=record-next]').click();
  assert.equal(await p.field('protocol').inputValue(), 'schwartzman-2009');
  assert.equal(await p.field('weightKg').inputValue(), '70');
  assert.equal(await p.field('concentrationMgPerMl').inputValue(), '1');
  const next = await page.evaluate((r) => KetaminePlanner.review(JSON.parse(r)).nextRequest, fixture);
  assert.equal(await p.field('previousCourseEnd').inputValue(), next.previousCourseEnd);
  assert.equal((await focused(page)).name, 'start');
  await assertClean(page, log, [offlineUrl]);
});

test('review() and parseDecimal() in the API: the categories of the shared record; strict numbers', async () => {
  const { page } = await openPage(browser.context, offlineUrl);
  const r = await page.evaluate((text) => {
    const out = KetaminePlanner.review(JSON.parse(text));
    let refused = null;
    try { KetaminePlanner.parseDecimal('1e3', 'givenMg'); } catch (e) { refused = [e.name, e.field, e.code]; }
    return { categories: out.assessments.map((a) => a.category), total: out.ledger.totalGivenMg, parsed: KetaminePlanner.parseDecimal('0.5'), refused };
  }, fixture);
  assert.equal(r.categories[1], 'baseline');
  assert.equal(r.categories[2], 'responder');
  // 470 + 490 + 98 + 60 mg given over the three courses.
  assert.equal(r.total, 1118);
  assert.equal(r.parsed, 0.5);
  assert.deepEqual(r.refused, ['PlanError', 'givenMg', 'invalid_number']);
});

/** Opens the shared three-course record (tests/course-record.json) in a fresh page. */
async function withFixture() {
  const { page, log } = await openPage(browser.context, offlineUrl);
  const p = planner(page);
  await p.el('[data-role=record-file]').setInputFiles({ name: 'three.json', mimeType: 'application/json', buffer: Buffer.from(fixture) });
  await page.waitForFunction(() => /Opened three\.json/.test(document.querySelector('ketamine-planner').shadowRoot.querySelector('[data-role=record-status]').textContent));
  return { page, log, p };
}

test('course record: the response chart, the booster window on the course calendar, and the follow-up summary on paper', async () => {
  const { page, log, p } = await withFixture();
  const chart = await page.locator('ketamine-planner').evaluate((h) => {
    const svg = h.shadowRoot.querySelector('[data-role=record-chart] svg');
    return svg && { title: svg.querySelector('title').textContent, texts: [...svg.querySelectorAll('text')].map((t) => t.textContent),
      marks: svg.querySelectorAll('path[d$="l-4,7 h8 z"]').length, points: svg.querySelector('polyline').getAttribute('points').split(' ').length };
  });
  assert.ok(chart, 'the chart is drawn');
  assert.match(chart.title, /^Response over time: pain \(NRS 0 to 10\) and area of pain \(%\) at each assessment/);
  for (const t of ['Course 1', 'Course 2', 'Course 3', 'Booster due', '50% of baseline pain', '50% of baseline area']) assert.ok(chart.texts.includes(t), t);
  // Four sessions given (one, one and two) plus the legend's mark; one point for each of the 6 assessments.
  assert.equal(chart.marks, 5);
  assert.equal(chart.points, 6);
  // The record's booster window on the course calendar too, its basis said.
  assert.equal(await p.el('[data-role=booster-due]').textContent(),
    "Booster due (course record): 2027-04-02 to 2027-04-16. From the patient's own relief: a response was last seen 28 days after a course and was lost by 42 days.");
  // The follow-up summary prints on its own: the responses, the chart and the ledger.
  await p.el('[data-role=record-label]').fill('Clinic no. 4711');
  await page.evaluate(() => { window.print = () => { window.__printed = (window.__printed || 0) + 1; }; });
  await p.el('[data-action=print-followup]').click();
  assert.equal(await page.evaluate(() => window.__printed), 1);
  const file = join(mkdtempSync(join(tmpdir(), 'kp-followup-')), 'followup.pdf');
  writeFileSync(file, await page.pdf({ format: 'A4', printBackground: true }));
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/[ \t]+/g, ' ');
  assert.match(text, /Follow-up summary: response to ketamine infusions/);
  // Its own page header: the record's patient label and the page, no plan status (it is not about the form's plan).
  assert.match(text.split('\n')[0], /^ ?Follow-up summary · Patient: Clinic no\. 4711 page 1 of 1/);
  assert.doesNotMatch(text, /NO VALID PLAN|UNCONFIRMED/);
  assert.match(text, /2026-12-21 1 4 30% 50% 25% Responder/);
  assert.match(text, /Given in all courses: 1,118 mg/);
  assert.match(text, /Booster due: 2027-04-02 to 2027-04-16/);
  assert.doesNotMatch(text, /Pump rate|Session given \(latest course\)/, 'only the summary prints');
  assert.match(text, /50% of baseline pain/, 'the chart prints (its legend)');
  await assertClean(page, log, [offlineUrl]);
});

test('session clock to the course record: "Vital signs now" adds the plan and today\'s session, then waits for the values at the time now', async () => {
  const { page, log } = await openPage(browser.context, offlineUrl);
  const p = planner(page);
  await page.clock.setFixedTime(new Date('2026-12-07T09:00:00'));
  await p.choose('protocol', 'schwartzman-2009');
  await p.type('weightKg', '70');
  await p.type('concentrationMgPerMl', '1');
  await p.type('start', '2026-12-07T09:00');
  assert.equal(await p.el('[data-action=clock-vitals]').isVisible(), false, 'only while the clock runs');
  await p.el('[data-action=clock-start]').click();
  await page.clock.setFixedTime(new Date('2026-12-07T09:15:00'));
  await p.el('[data-action=clock-vitals]').click();
  assert.equal(await statusOf(p), "Course 1 added to the record. Today's session (2026-12-07, started 09:00) added to the record.");
  assert.equal(await p.el('[data-entry=vitals] [name=time]').inputValue(), '09:15');
  assert.equal((await focused(page)).name, 'systolic');
  for (const [k, v] of Object.entries({ systolic: '126', diastolic: '80', heartRate: '72', spo2: '97', sedation: '1' })) await p.el(`[data-entry=vitals] [name=${k}]`).fill(v);
  await p.el('[data-action=record-add-vitals]').click();
  // A rate change 40 min later goes into the same session: nothing more is added.
  await page.clock.setFixedTime(new Date('2026-12-07T09:55:00'));
  await p.el('[data-action=clock-rateChange]').click();
  assert.equal(await p.el('[data-entry=rateChange] [name=time]').inputValue(), '09:55');
  await p.el('[data-entry=rateChange] [name=mlPerHour]').fill('20');
  await p.el('[data-action=record-add-rateChange]').click();
  const [download] = await Promise.all([page.waitForEvent('download'), p.el('[data-action=record-save]').click()]);
  const saved = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(saved.courses.length, 1);
  assert.deepEqual(saved.courses[0].sessions, [{ date: '2026-12-07', start: '09:00',
    vitals: [{ time: '09:15', systolic: 126, diastolic: 80, heartRate: 72, spo2: 97, sedation: 1 }], rateChanges: [{ time: '09:55', mlPerHour: 20 }] }]);
  await assertClean(page, log, [offlineUrl]);
});
