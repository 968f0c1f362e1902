// The calculator as a clinician uses it: dist/ketamine-planner.html opened
// from file://, driven through its inputs, read through its data-field hooks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  launch, openPage, assertClean, planner, resultTexts, focused, tabTo, offlineUrl, distHtml,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const offlineOnly = [offlineUrl];

/**
 * One test on a fresh page of the offline file: `body(p, page)` drives it
 * through `planner(page)`; afterwards the page must be clean (no error, no
 * CSP violation, no request beyond `allowed`), and it is closed.
 */
async function onOfflinePage(body, { viewport, allowed = offlineOnly } = {}) {
  const { page, log } = await openPage(browser.context, offlineUrl, { viewport });
  await body(planner(page), page);
  await assertClean(page, log, allowed);
  await page.close();
}

test('the offline file is self-contained: one file, inline script, CSP without network', () => {
  const html = readFileSync(distHtml, 'utf8');
  assert.doesNotMatch(html, /<script[^>]+src=/i, 'no external script');
  assert.doesNotMatch(html, /<link[^>]+href=/i, 'no external stylesheet');
  const csp = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/);
  assert.ok(csp, 'has a CSP');
  assert.match(csp[1], /default-src 'none'/);
  assert.match(csp[1], /'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp[1], /unsafe-inline|https?:/);
});

test('header shows name, versions and intended use', () => onOfflinePage(async (p, page) => {
  const head = await p.el('.head').textContent();
  assert.match(head, /Ketamine Infusion Planner/);
  const version = await page.evaluate(() => KetaminePlanner.version);
  const libVersion = await page.evaluate(() => KetaminePlanner.library().version);
  assert.match(version, /^\d+\.\d+\.\d+/);
  assert.ok(head.includes(`Version ${version}`), head);
  const hash = await page.evaluate(() => KetaminePlanner.librarySha256.slice(0, 8));
  assert.match(hash, /^[0-9a-f]{8}$/);
  assert.ok(head.includes(`Protocol library ${libVersion} (SHA-256 ${hash})`), head);
  assert.match(head, /calculation aid for clinicians planning subanaesthetic ketamine infusions; verify every value/);
  assert.match(head, /off-label/);
  assert.match(head, /recommends nothing/);
  // Before any input: no number anywhere in the results, and a prompt.
  const texts = await resultTexts(page);
  assert.equal(texts.mlPerHour, '');
  assert.match(texts.confirmed, /To calculate, enter: .*Weight/);
}));

test('schwartzman-2009, 70 kg, 1 mg/mL: 0.35 x 70 = 24.5 mg/h (under the 25 mg/h cap) = 24.5 mL/h', () => onOfflinePage(async (p, page) => {
  await p.choose('protocol', 'schwartzman-2009');
  const card = await p.el('[data-role=protocol-card]').textContent();
  assert.match(card, /Schwartzman/);
  assert.match(card, /outpatient/);
  assert.match(card, /NCT00579085/, 'source shown');
  assert.match(card, /\bS\b/, 'evidence tag shown');
  await p.type('weightKg', '70');
  await p.type('concentrationMgPerMl', '1');
  assert.equal(await p.text('mlPerHour'), '24.5 mL/h');
  assert.equal(await p.text('mgPerHour'), '24.5 mg/h');
  assert.equal(await p.text('dosingWeightKg'), '70 kg');
  assert.equal(await p.text('sessionTotalMg'), '98 mg');   // 24.5 mg/h x 4 h
  assert.equal(await p.text('courseTotalMg'), '980 mg');   // x 10 sessions
  assert.equal(await p.confirmedState(), 'true');
  const events = await page.evaluate(() => window.__planEvents);
  const last = events[events.length - 1];
  assert.equal(last.bubbles, true);
  assert.equal(last.composed, true);
  assert.equal(last.plan.levels[0].mlPerHour, 24.5);
  assert.equal(last.plan.protocol.id, 'schwartzman-2009');
}));

test('walter-reed-outpatient, 80 kg TBW, 2 mg/mL: 1.5 x 80 = 120 mg/h (= cap) = 60 mL/h; the soft alert needs acknowledging', () => onOfflinePage(async (p, page) => {
  await p.choose('protocol', 'walter-reed-outpatient');
  await p.type('weightKg', '80');
  await p.choose('weightBasis', 'total');
  await p.type('concentrationMgPerMl', '2');
  assert.equal(await p.text('mlPerHour'), '60 mL/h');
  assert.equal(await p.text('mgPerHour'), '120 mg/h');
  assert.equal(await p.text('dosingWeightKg'), '80 kg');
  // Soft alert: shown, values shown, plan unconfirmed until acknowledged.
  const alert = p.el('[data-field=alerts] li[data-code=dose_above_soft_limit]');
  assert.equal(await alert.getAttribute('data-level'), 'soft');
  assert.equal(await p.confirmedState(), 'false');
  assert.match(await p.text('confirmed'), /Unconfirmed/);
  await alert.locator('input[name=acknowledged]').check();
  assert.equal(await p.confirmedState(), 'true');
  assert.equal((await p.plan()).confirmed, true);
  assert.match(await alert.textContent(), /acknowledge/i);
  const events = await page.evaluate(() => window.__planEvents);
  assert.equal(events[events.length - 1].plan.confirmed, true);
  // A changed situation re-words the alert (100 kg: capped, 1.2 mg/kg/h): the
  // old acknowledgement no longer holds.
  await p.type('weightKg', '100');
  assert.equal(await p.text('mlPerHour'), '60 mL/h');
  assert.match(await p.el('[data-role=cap-note]').textContent(), /capped at 120 mg\/h/);
  assert.equal(await p.confirmedState(), 'false');
  assert.equal(await alert.locator('input[name=acknowledged]').isChecked(), false);
}));

test('malformed numbers are refused at the field and no stale value stays on screen', () => onOfflinePage(async (p, page) => {
  await p.choose('protocol', 'schwartzman-2009');
  await p.type('weightKg', '70');
  await p.type('concentrationMgPerMl', '1');
  assert.equal(await p.text('mlPerHour'), '24.5 mL/h');
  for (const [field, bad, message] of [
    ['weightKg', '1..2', /more than one decimal point/i],
    ['weightKg', '5,0', /use a point for decimals/i],
    ['weightKg', '1e3', /no exponent/i],
    ['weightKg', '', /enter the patient's weight/i],
    ['concentrationMgPerMl', '1..2', /more than one decimal point/i],
    ['concentrationMgPerMl', '', /enter the infusion concentration/i],
    ['heightCm', '1e3', /no exponent/i],
  ]) {
    await p.type('weightKg', '70');
    await p.type('concentrationMgPerMl', '1');
    assert.equal(await p.text('mlPerHour'), '24.5 mL/h', `valid again before ${field}=${bad}`);
    await p.type(field, bad);
    const m = await p.message(field);
    assert.match(m.text, message, `${field}=${JSON.stringify(bad)}`);
    assert.equal(m.invalid, 'true');
    assert.ok(m.visible, 'message visible at the field');
    const texts = await resultTexts(page);
    for (const k of ['mlPerHour', 'mgPerHour', 'mgPerKgPerHour', 'dose', 'dosingWeightKg', 'sessionTotalMg', 'courseTotalMg', 'courseMl', 'preparation', 'alerts', 'ladder']) {
      assert.equal(texts[k], '', `${k} cleared after ${field}=${JSON.stringify(bad)}`);
    }
    assert.equal(await p.confirmedState(), 'invalid');
    assert.equal((await p.el('[data-role=mini-rate]').textContent()).trim(), '—', 'the phone bar shows no rate');
    assert.equal(await p.plan(), null);
    const events = await page.evaluate(() => window.__planEvents);
    assert.equal(events[events.length - 1].plan, null, 'plan-change fired with null');
    // The rest of the state is kept.
    assert.equal(await p.field('protocol').inputValue(), 'schwartzman-2009');
    assert.equal(await p.field(field).inputValue(), bad, 'the typed text is not coerced');
  }
  // Clearing happens in the same update as the edit, not a frame later.
  await p.type('heightCm', '');
  const sameTask = await page.locator('ketamine-planner').evaluate((h) => {
    const input = h.shadowRoot.querySelector('[name=weightKg]');
    const rate = h.shadowRoot.querySelector('[data-field=mlPerHour]');
    const before = rate.textContent;
    input.value = '7..0';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    return { before, after: rate.textContent };
  });
  assert.deepEqual(sameTask, { before: '24.5 mL/h', after: '' });
}));

test('un-choosing the protocol: the core\'s "Choose a protocol." at the field, and no value left', () => onOfflinePage(async (p) => {
  await p.choose('protocol', 'schwartzman-2009');
  await p.type('weightKg', '70');
  await p.type('concentrationMgPerMl', '1');
  assert.equal(await p.text('mlPerHour'), '24.5 mL/h');
  await p.choose('protocol', '');
  const m = await p.message('protocol');
  assert.equal(m.text, 'Choose a protocol.');
  assert.equal(m.invalid, 'true');
  assert.equal(await p.text('mlPerHour'), '');
  assert.equal(await p.el('[data-role=calendar]').textContent(), '');
  assert.equal(await p.el('[data-role=cal-summary]').textContent(), '');
  assert.equal(await p.el('[data-role=pk-figures]').textContent(), '');
}));

test('a hard limit shows the reason and no rate (custom 2.5 mg/kg/h)', () => onOfflinePage(async (p) => {
  await p.choose('protocol', 'custom');
  await p.type('weightKg', '70');
  await p.type('concentrationMgPerMl', '2');
  await p.choose('doseUnit', 'mg/kg/h');
  await p.type('startDose', '2.5');
  const rate = await p.text('mlPerHour');
  assert.doesNotMatch(rate, /\d/, `no number in the pump rate: ${rate}`);
  assert.match(rate, /no rate/i);
  assert.equal(await p.text('mgPerHour'), '');
  assert.match(await p.el('[data-role=cap-note]').textContent(), /anaesthetic range/);
  const hard = p.el('[data-field=alerts] li[data-level=hard]');
  assert.match(await hard.textContent(), /anaesthetic/);
  assert.equal(await hard.locator('input').count(), 0, 'a hard alert cannot be acknowledged');
  assert.equal(await p.confirmedState(), 'false');
  assert.doesNotMatch(await p.el('[data-role=ladder]').textContent(), /mL\/h/);
  for (const k of ['sessionTotalMg', 'courseTotalMg', 'courseMl']) assert.doesNotMatch(await p.text(k), /\d/, `${k} has no number`);
  // Back under the limit: a rate again (1 mg/kg/h x 70 kg = 70 mg/h = 35 mL/h at 2 mg/mL).
  await p.type('startDose', '1');
  assert.equal(await p.text('mlPerHour'), '35 mL/h');
}));

test('weight basis shows TBW, IBW and AdjBW and which is used and why', () => onOfflinePage(async (p) => {
  await p.choose('protocol', 'getson-inpatient');
  await p.type('weightKg', '110');
  await p.type('heightCm', '165');
  await p.choose('sex', 'female');
  await p.choose('weightBasis', 'auto'); // the protocol's is total: auto is the user's order
  await p.type('concentrationMgPerMl', '1');
  // Devine female: 45.5 + 2.3 x (165 / 2.54 - 60) = 56.9 kg; AdjBW = 56.9 + 0.4 x (110 - 56.9) = 78.1 kg.
  assert.equal(await p.text('totalKg'), '110 kg');
  assert.equal(await p.text('idealKg'), '56.9 kg');
  assert.equal(await p.text('adjustedKg'), '78.1 kg');
  assert.equal(await p.text('dosingWeightKg'), '78.1 kg');
  assert.match(await p.out('adjustedKg').getAttribute('class'), /used/);
  assert.match(await p.text('weightBasisReason'), /1\.2 x ideal/);
  // Ladder: 20 to 40 mg/h in 5 mg/h steps at 1 mg/mL.
  const rows = await p.el('[data-role=ladder]').locator('tr').allTextContents();
  assert.equal(rows.length, 5);
  assert.match(rows[0], /20 mL\/h/);
  assert.match(rows[4], /40 mL\/h/);
  assert.equal(await p.text('mlPerHour'), '20 mL/h', 'the first level is the pump value');
  assert.equal(await p.text('courseMgAtMax'), '4,800 mg');
}));

test('the weight basis starts at the protocol\'s: Schwartzman stays on total weight when a height is typed', () => onOfflinePage(async (p) => {
  await p.choose('protocol', 'schwartzman-2009');
  await p.type('weightKg', '60');
  await p.type('heightCm', '150');
  await p.choose('sex', 'female');
  await p.type('concentrationMgPerMl', '1');
  // 0.35 mg/kg/h x 60 kg (TBW) = 21 mg/h = 21 mL/h; "auto" would have given AdjBW 50 kg = 17.5 mL/h.
  assert.equal(await p.text('mlPerHour'), '21 mL/h');
  assert.equal(await p.field('weightBasis').inputValue(), '');
  // The provenance is on the screen, beside the dosing weight.
  assert.match(await p.text('provenance'), /Weight basis: total, per protocol/);
  assert.match(await p.text('provenance'), /Pump resolution: 0\.1 mL\/h, planner default \(D\)/);
  assert.match(await p.text('provenance'), /Dose: 0\.35 mg\/kg\/h, per protocol/);
}));

test('custom plans nothing without its start dose, and a dose-unit change clears the doses', () => onOfflinePage(async (p) => {
  await p.choose('protocol', 'custom');
  await p.type('weightKg', '70');
  await p.type('concentrationMgPerMl', '1');
  // No start dose entered: no rate (it used to be a hidden 0.5 mg/kg/h = 35 mL/h).
  assert.doesNotMatch(await p.text('mlPerHour'), /mL\/h/);
  assert.notEqual(await p.out('confirmed').getAttribute('data-state'), 'true');
  await p.type('startDose', '0.5');
  assert.equal(await p.text('mlPerHour'), '35 mL/h');
  await p.choose('doseUnit', 'mcg/kg/min');
  assert.equal(await p.field('startDose').inputValue(), '');
  assert.notEqual(await p.text('mlPerHour'), '35 mL/h');
}));

test('keyboard only: choose, type, pick a standard concentration, acknowledge', () => onOfflinePage(async (p, page) => {
  await page.locator('body').focus();
  const sel = await tabTo(page, (f) => f.name === 'protocol');
  assert.equal(sel.tag, 'select');
  await page.keyboard.type('Walter');
  assert.equal(await p.field('protocol').inputValue(), 'walter-reed-outpatient');
  await tabTo(page, (f) => f.name === 'weightKg', 3);
  await page.keyboard.type('80');
  await tabTo(page, (f) => f.name === 'concentrationMgPerMl', 20);
  await tabTo(page, (f) => f.tag === 'button' && f.text === '2 mg/mL', 5);
  await page.keyboard.press('Enter');
  assert.equal(await p.field('concentrationMgPerMl').inputValue(), '2');
  assert.equal(await p.text('mlPerHour'), '60 mL/h');
  assert.equal(await p.confirmedState(), 'false');
  const box = await tabTo(page, (f) => f.name === 'acknowledged', 60);
  assert.equal(box.value, 'dose_above_soft_limit');
  await page.keyboard.press('Space');
  assert.equal(await p.confirmedState(), 'true');
  // Focus stays on the checkbox through the re-render.
  assert.equal((await focused(page)).name, 'acknowledged');
  // Every input is labelled.
  const unlabelled = await page.locator('ketamine-planner').evaluate((h) =>
    [...h.shadowRoot.querySelectorAll('input, select, button')].filter((e) => !e.hidden && !e.closest('[hidden]'))
      .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim()).map((e) => e.name || e.outerHTML));
  assert.deepEqual(unlabelled, []);
}));

test('attributes configure the element: protocol, concentration, weight-unit lb, pump-resolution', () => onOfflinePage(async (p, page) => {
  await page.locator('ketamine-planner').evaluate((h) => {
    h.setAttribute('protocol', 'walter-reed-outpatient');
    h.setAttribute('concentration', '2');
    h.setAttribute('weight-unit', 'lb');
    h.setAttribute('pump-resolution', '1');
  });
  assert.equal(await p.field('protocol').inputValue(), 'walter-reed-outpatient');
  assert.equal(await p.field('concentrationMgPerMl').inputValue(), '2');
  assert.equal(await p.field('pumpResolutionMlPerHour').inputValue(), '1');
  assert.equal(await p.field('weightKg').count(), 0, 'the weight input is renamed in lb');
  await p.type('weightLb', '176.3698097'); // = 80 kg -> 120 mg/h = 60 mL/h
  assert.equal(await p.text('mlPerHour'), '60 mL/h');
  assert.equal(await p.text('dosingWeightKg'), '80 kg');
  // Switching the unit clears the number rather than reinterpreting it.
  await p.el('[data-role=weight-unit]').selectOption('kg');
  assert.equal(await p.field('weightKg').inputValue(), '');
  assert.equal(await p.text('mlPerHour'), '');
}));

test('the course calendar and timeline come from the plan; the .ics is made in the page', () => onOfflinePage(async (p, page) => {
  await p.choose('protocol', 'schwartzman-2009');
  await p.type('weightKg', '70');
  await p.type('concentrationMgPerMl', '1');
  await p.type('start', '2026-12-07T08:00'); // a Monday: 10 weekday sessions end Friday 18 December
  const rows = p.el('[data-role=calendar]').locator('tr.session');
  const cal = await rows.allTextContents();
  assert.equal(cal.length, 10);
  assert.match(cal[0], /2026-12-07/);
  assert.match(cal[9], /2026-12-18/);
  // Each session's planned and cumulative dose (24.5 mg/h x 4 h = 98 mg a session).
  const cells = (i) => rows.nth(i).locator('td').allTextContents();
  assert.deepEqual((await cells(0)).slice(-2), ['98 mg', '98 mg']);
  assert.deepEqual((await cells(1)).slice(-2), ['98 mg', '196 mg']);
  assert.deepEqual((await cells(9)).slice(-2), ['98 mg', '980 mg']);
  assert.match(await p.el('[data-role=cal-summary]').textContent(), /^10 sessions \(weekdays, Monday to Friday\): 2026-12-07 to 2026-12-18$/);
  // The follow-up window as a date range with its source (12 weeks after 18 December).
  const windows = await p.el('[data-role=calendar-notes]').locator('li.window').allTextContents();
  assert.equal(windows.length, 1);
  assert.match(windows[0], /2026-12-18 to 2027-03-12/);
  assert.match(windows[0], /12 weeks/);
  // Drawn once the typing pauses (150 ms), one picture.
  await p.el('[data-role=timeline-svg]:not(.stale) svg').waitFor({ timeout: 5000 });
  assert.equal(await p.el('[data-role=timeline-svg] svg').count(), 1);
  const download = page.waitForEvent('download');
  await p.el('[data-action=ics]').click();
  const d = await download;
  assert.match(d.suggestedFilename(), /\.ics$/);
  const body = readFileSync(await d.path(), 'utf8');
  assert.match(body, /^BEGIN:VCALENDAR/);
  assert.equal((body.match(/BEGIN:VEVENT/g) || []).length >= 10, true);
}, { allowed: [offlineUrl, /^blob:/] }));

test('the concentration preview follows the plan, never shows a stale curve, and says when no model applies', () => onOfflinePage(async (p, page) => {
  await p.choose('protocol', 'schwartzman-2009');
  await p.type('weightKg', '70');
  await p.type('concentrationMgPerMl', '1');
  await p.type('start', '2026-12-07T08:00');
  const svg = p.el('[data-role=pk-svg] svg');
  await svg.waitFor({ timeout: 5000 });
  assert.match(await p.el('[data-role=pk-caption]').textContent(), /Model: Domino/);
  // The figures under the plot are the core's texts for this very request.
  const api = await page.evaluate(() => KetaminePlanner.simulate({ protocol: 'schwartzman-2009', patient: { weightKg: 70 },
    concentrationMgPerMl: 1, start: '2026-12-07T08:00' }).text);
  assert.match(api.peak, /^\d[\d,]* ng\/mL at .+ after the first start$/);
  assert.equal(api.sessions.length, 10);
  const figures = p.el('[data-role=pk-figures]');
  assert.equal(await figures.locator('dt').first().textContent(), 'Peak');
  assert.equal(await figures.locator('dd').first().textContent(), api.peak);
  // A course: per session, consecutive sessions with the same figures share a row.
  const heads = await figures.locator('thead th').allTextContents();
  assert.deepEqual(heads, ['Session', 'At the end of the infusion', 'At the earliest discharge', `Falls below ${api.threshold}`]);
  const body = await figures.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  let covered = 0;
  for (const [who, end, discharge, below] of body) {
    const [from, to = from] = who.split(' to ').map(Number);
    for (let i = from; i <= to; i++) {
      assert.deepEqual([end, discharge, below], [api.sessions[i - 1].end, api.sessions[i - 1].discharge, api.sessions[i - 1].minutesToThreshold], `session ${i}`);
    }
    covered += to - from + 1;
  }
  assert.equal(covered, 10, 'every session in the table');
  assert.match(await p.el('[data-ext=pk]').textContent(), /Model estimate for a typical patient; individual concentrations vary widely/);
  // An edit removes the curve and its figures in the same update; they come back for the new plan.
  const cleared = await page.locator('ketamine-planner').evaluate((h) => {
    const input = h.shadowRoot.querySelector('[name=weightKg]');
    input.value = '72';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    return { svg: h.shadowRoot.querySelectorAll('[data-role=pk-svg] svg').length, figures: h.shadowRoot.querySelector('[data-role=pk-figures]').textContent };
  });
  assert.deepEqual(cleared, { svg: 0, figures: '' });
  await svg.waitFor({ timeout: 5000 });
  assert.match(await figures.textContent(), /ng\/mL/);
  await p.type('weightKg', '7..2');
  assert.equal(await p.el('[data-role=pk-svg] svg').count(), 0, 'no curve without a valid plan');
  assert.equal(await figures.textContent(), '', 'no figures without a valid plan');
  // One session: the figures as a list; a titration by response says the preview holds the first level.
  await p.choose('protocol', 'getson-inpatient');
  await p.type('weightKg', '70');
  await svg.waitFor({ timeout: 5000 });
  const one = await figures.locator('dt').allTextContents();
  assert.deepEqual(one, ['Peak', 'At the end of the infusion', 'At the earliest discharge', 'Falls below 100 ng/mL']);
  assert.equal(await figures.locator('table').count(), 0);
  assert.match(await p.el('[data-role=pk-notes] li[data-code=preview_first_level]').textContent(), /holds the first level/);
  // Esketamine: no model here; say so instead of drawing.
  await p.choose('protocol', 'sigtermans-2009-esketamine');
  await p.type('weightKg', '70');
  await page.waitForFunction(() => /No preview/.test(document.querySelector('ketamine-planner').shadowRoot.querySelector('[data-role=pk-caption]').textContent), null, { timeout: 5000 });
  assert.match(await p.el('[data-role=pk-caption]').textContent(), /esketamine/i);
  assert.equal(await p.el('[data-role=pk-svg] svg').count(), 0);
}));

test('phone width 375 px: no horizontal scrolling, the pump rate is readable', () => onOfflinePage(async (p, page) => {
  await p.choose('protocol', 'schwartzman-2009');
  await p.type('weightKg', '70');
  await p.type('concentrationMgPerMl', '1');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `page is ${width} px wide`);
  const size = await p.out('mlPerHour').evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
  assert.ok(size >= 32, `pump rate font ${size} px`);
}, { viewport: { width: 375, height: 800 } }));

test('print: a bedside sheet of at most 2 pages with inputs, values, alerts and sign-off', () => onOfflinePage(async (p, page) => {
  await p.choose('protocol', 'walter-reed-outpatient');
  await p.type('weightKg', '80');
  await p.type('concentrationMgPerMl', '2');
  await p.el('[data-field=alerts] input[name=acknowledged]').check();
  // The sheet's own parts are made when printing, not per edit (so "Printed" is the time of printing).
  assert.equal(await p.el('[data-role=printed]').textContent(), '');
  // The browser's print command: beforeprint, then print media.
  await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
  await page.emulateMedia({ media: 'print' });
  assert.equal(await p.el('form').isVisible(), false, 'inputs are not printed as a form');
  for (const sel of ['[data-role=print-inputs]', '.signoff', '[data-role=printed]', '[data-field=mlPerHour]', '[data-field=alerts]', '[data-field=preparation]']) {
    assert.equal(await p.el(sel).isVisible(), true, `${sel} printed`);
  }
  // A one-level ladder would repeat the pump card: left out on paper.
  assert.equal(await p.el('[data-role=ladder-card]').isVisible(), false);
  const summary = await p.el('[data-role=print-inputs]').textContent();
  assert.match(summary, /80 kg/);
  assert.match(summary, /Walter Reed/);
  assert.match(await p.el('.signoff').textContent(), /Independently checked by/);
  const version = await page.evaluate(() => KetaminePlanner.version);
  const printed = await p.el('[data-role=printed]').textContent();
  assert.ok(printed.includes(version), printed);
  assert.match(printed, /\d{4}-\d{2}-\d{2}/);
  assert.match(printed, /plan confirmed/);
  assert.match(await p.el('[data-field=alerts] li[data-code=dose_above_soft_limit] .lvl').textContent(), /^Acknowledged$/);
  // The concentration preview is printed: plot, figures and the caveat.
  await page.emulateMedia({ media: 'screen' });
  await p.el('[data-role=pk-svg] svg').waitFor({ timeout: 5000 });
  await page.emulateMedia({ media: 'print' });
  for (const sel of ['[data-role=pk-svg] svg', '[data-role=pk-figures] dl', '.pk-typical', '[data-role=pk-caption]']) {
    assert.equal(await p.el(sel).isVisible(), true, `${sel} printed`);
  }
  const printedPk = await p.el('[data-ext=pk]').evaluate((e) => e.innerText);
  assert.match(printedPk, /Peak\s+\d[\d,]* ng\/mL at 4 h after the first start/);
  assert.match(printedPk, /At the earliest discharge\s+\d[\d,]* ng\/mL/);
  assert.match(printedPk, /Model estimate for a typical patient; individual concentrations vary widely/);
  const countPages = (pdf) => (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  // The whole printout, timeline and preview included (bedside.test.mjs reads each page's header).
  await page.emulateMedia({ media: null });
  const all = countPages(await page.pdf({ format: 'A4' }));
  assert.equal(all, 2, `${all} pages in all`);
}));

test('printing right after an edit: the preview of the new plan is drawn before the print, not a frame later', () => onOfflinePage(async (p, page) => {
  await p.choose('protocol', 'cohen-2018-trial');
  await p.type('weightKg', '70');
  await p.type('concentrationMgPerMl', '1');
  await p.el('[data-role=pk-svg] svg').waitFor({ timeout: 5000 });
  const at = await page.locator('ketamine-planner').evaluate((h) => {
    window.print = () => { window.__printCalls = (window.__printCalls || 0) + 1; };
    const root = h.shadowRoot;
    const input = root.querySelector('[name=weightKg]');
    input.value = '80';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    const afterEdit = root.querySelectorAll('[data-role=pk-svg] svg').length;
    root.querySelector('[data-action=print]').click();
    return { afterEdit, atPrint: root.querySelectorAll('[data-role=pk-svg] svg').length,
      timeline: root.querySelectorAll('[data-role=timeline-svg] svg').length,
      figures: root.querySelector('[data-role=pk-figures]').textContent, calls: window.__printCalls };
  });
  assert.equal(at.afterEdit, 0, 'the old curve went with the edit');
  assert.equal(at.atPrint, 1, 'the new curve is there when print() runs');
  assert.equal(at.timeline, 1);
  assert.match(at.figures, /ng\/mL/);
  assert.equal(at.calls, 1);
}));

test('patient handout: keyboard to the button, one large-type page of dates, times and discharge conditions, no dose', () => onOfflinePage(async (p, page) => {
  await p.choose('protocol', 'schwartzman-2009');
  await p.type('weightKg', '70');
  await p.type('concentrationMgPerMl', '1');
  await p.type('start', '2026-12-07T08:00'); // a Monday: 10 weekday sessions to Friday 18 December
  assert.equal(await p.text('mlPerHour'), '24.5 mL/h');
  await page.evaluate(() => { window.print = () => { window.__printCalls = (window.__printCalls || 0) + 1; }; });
  // Back up from the date field to the header's button with the keyboard alone.
  let reached = null;
  for (let i = 0; i < 80 && !reached; i++) {
    await page.keyboard.press('Shift+Tab');
    const f = await focused(page);
    if (f && f.tag === 'button' && f.text === 'Print patient handout') reached = f;
  }
  assert.ok(reached, 'the handout button is reachable with the keyboard');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => window.__printCalls), 1);
  await page.emulateMedia({ media: 'print' });
  // What the page prints: the handout alone.
  const printed = await page.locator('ketamine-planner').evaluate((h) => h.shadowRoot.querySelector('.kp').innerText);
  for (const sel of ['[data-field=mlPerHour]', '.signoff', '[data-role=ladder-card]', '[data-role=print-inputs]', 'header', '[data-ext=pk]']) {
    assert.equal(await p.el(sel).isVisible(), false, `${sel} is not on the handout`);
  }
  assert.match(printed, /what to expect/);
  assert.match(printed, /10 sessions, from Monday 7 December 2026 to Friday 18 December 2026/);
  // The day, from the first session's events.
  assert.match(printed, /07:30\s+Arrive\./);
  assert.match(printed, /07:45\s+You are given the medicine prescribed for before the drip/);
  assert.match(printed, /08:00\s+The drip starts/);
  assert.match(printed, /12:00\s+The drip stops\. You stay to be watched for 2 h after the drip stops, or until any side effects have resolved/);
  assert.match(printed, /14:00\s+The earliest time you can go home/);
  // Discharge conditions of clinical-spec section 6.
  assert.match(printed, /Bring a responsible adult to take you home/);
  assert.match(printed, /No driving for 24 hours/);
  // Every session date, the times once, and the follow-up window.
  for (const d of ['Monday 7', 'Tuesday 8', 'Wednesday 9', 'Thursday 10', 'Friday 11', 'Monday 14', 'Tuesday 15', 'Wednesday 16', 'Thursday 17', 'Friday 18']) {
    assert.ok(printed.includes(`${d} December 2026`), d);
  }
  assert.doesNotMatch(printed, /(Saturday|Sunday) 1[23] December/, 'no weekend session');
  assert.match(printed, /Each treatment day: arrive 07:30 · drip 08:00 to 12:00 · earliest going home 14:00/);
  assert.match(printed, /Follow-up period: Friday 18 December 2026 to Friday 12 March 2027/);
  assert.match(printed, /Your next appointment:/);
  // A handout, not an order: no dose, no pump rate, no drug amounts.
  assert.doesNotMatch(printed, /mL\/h|mg|24\.5|Midazolam|clonidine/i);
  const size = await p.el('.handout h1').evaluate((e) => parseFloat(getComputedStyle(e.parentNode).fontSize));
  assert.ok(size >= 18, `handout type ${size} px (14 pt is 18.7 px)`);
  // One page; printing to PDF fires afterprint, after which printing gives the bedside sheet again.
  const pdf = await page.pdf({ format: 'A4' });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.equal(pages, 1, `${pages} pages`);
  assert.equal(await p.el('[data-field=mlPerHour]').isVisible(), true, 'the bedside sheet after afterprint');
  assert.equal(await p.el('.handout').isVisible(), false);
  assert.equal(await p.el('.handout').textContent(), '', 'no handout kept once printed');
}));

test('patient handout of a 5-day infusion with boosters: the stay, liver tests, booster dates, still no dose', () => onOfflinePage(async (p, page) => {
  await p.choose('protocol', 'getson-inpatient');
  await p.type('weightKg', '70');
  await p.type('concentrationMgPerMl', '1');
  await p.type('start', '2026-12-07T08:00');
  await page.evaluate(() => { window.print = () => {}; });
  await p.el('[data-action=print-handout]').click();
  await page.emulateMedia({ media: 'print' });
  const printed = await p.el('.handout').evaluate((e) => e.innerText);
  assert.match(printed, /Your treatment: from Monday 7 December 2026 to Saturday 12 December 2026/);
  assert.match(printed, /Blood tests of your liver: 2026-12-09 08:00, 2026-12-11 08:00/);
  assert.match(printed, /2026-12-12 08:00\s+The drip stops/);
  assert.match(printed, /2026-12-12 10:00\s+The earliest time you can go home/);
  assert.match(printed, /booster.*to be confirmed.*Saturday 19 December 2026\s*Saturday 26 December 2026/is);
  assert.doesNotMatch(printed, /mL\/h|mg/, 'the booster labels carry doses: not on the handout');
  const pages = (( await page.pdf({ format: 'A4' })).toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.equal(pages, 1, `${pages} pages`);
}));

test('target mode: the steps as the plan (table, pump card, timeline) and the curve with the target line; strict entry, never stale', () => onOfflinePage(async (p, page) => {
  await p.choose('protocol', 'custom');
  await p.type('weightKg', '70');
  await p.type('concentrationMgPerMl', '1');
  const shadow = (sel) => page.locator('ketamine-planner').evaluate((e, s) => { const el = e.shadowRoot.querySelector(s); return el ? el.textContent : null; }, sel);
  const visible = (sel) => p.el(sel).isVisible();
  assert.equal(await visible('[data-role=custom]'), true, 'custom: its dose fields first');
  await p.el('[data-role=dose-mode]').selectOption('target');
  // A target replaces the dose: the custom dose and the clock-driven step are hidden and not sent.
  assert.equal(await visible('[data-role=custom]'), false);
  assert.equal(await visible('[data-for=stepEveryMinutes]'), false);
  // No target yet: nothing planned, the status names the field (never the protocol's dose).
  assert.equal(await p.text('mlPerHour'), '');
  assert.equal(await p.text('confirmed'), 'To calculate, enter: Target level.');
  await p.type('targetNgPerMl', '150');
  // Domino, 70 kg, 1 mg/mL: 150 ng/mL by minute 15 needs 39.7 mg/h = 39.7 mL/h, then lower; a rate is
  // kept while it holds the level within 3%, so 10 changes over the 4 h.
  assert.equal(await p.text('mlPerHour'), '39.7 mL/h');
  assert.equal(await p.el('[data-role=pump-label]').textContent(), 'First rate: step 1 of 10, then per the steps table');
  assert.equal(await p.text('dose'), '150 ng/mL by 15 min (Domino)');
  assert.equal(await p.text('srcDose'), 'ordered');
  assert.match(await p.text('provenance'), /PK model: Domino, the model file's default \(D\) · Target reached by: 15 min, planner default \(D\)/);
  assert.equal(await p.el('[data-role=at-max]').isHidden(), true, 'no "at the top level" for a schedule of steps');
  assert.equal(await shadow('[data-role=ladder-title]'), 'Rate steps: reach and hold 150 ng/mL by 15 min (Domino)');
  assert.equal(await shadow('[data-role=ladder-first]'), 'From');
  const rows = await p.el('[data-role=ladder]').locator('tr').allInnerTexts();
  assert.equal(rows.length, 10);
  assert.match(rows[0], /^0 min\s+39\.7 mL\/h\s+39\.7 mg\/h\s+39\.7 mg\/h\s+0\.567 mg\/kg\/h/);
  assert.match(rows[1], /^15 min\s+34\.1 mL\/h/);
  assert.match(rows[7], /^2 h\s+21 mL\/h/, 'held from 1 h 30 min to 2 h, then 21 mL/h for 30 min');
  assert.match(rows[9], /^3 h 15 min\s+18\.5 mL\/h/);
  // Session mg along the steps: 0.25 h x (39.7 + 34.1 + 30.8 + 28.3 + 26.2 + 24.5) + 0.5 h x (23.2 + 21)
  // + 0.75 h x (19.7 + 18.5) = 45.9 + 22.1 + 28.65 = 96.65 mg.
  assert.equal(await p.text('sessionTotalMg'), '96.7 mg');
  // The timeline draws the steps; the preview draws the target line.
  await p.el('[data-role=timeline-svg] svg').waitFor({ timeout: 5000 });
  assert.ok((await p.el('[data-role=timeline-svg] svg').locator('path, polyline').count()) > 0);
  await p.el('[data-role=pk-svg] svg').waitFor({ timeout: 5000 });
  assert.match(await p.el('[data-role=pk-svg]').textContent(), /Target 150 ng\/mL: the level ordered/);
  // Malformed entry: refused at the field, no rate of the old target left on screen.
  await p.type('targetNgPerMl', '1e2');
  assert.equal((await p.message('targetNgPerMl')).text, 'Write the number in full (no exponent such as 1e3).');
  assert.equal(await p.text('mlPerHour'), '');
  assert.equal(await p.el('[data-role=ladder] tr').count(), 0);
  assert.equal(await shadow('[data-role=ladder-title]'), 'Rate ladder', 'no title of the old target');
  // 300 ng/mL: 79.5 mg/h = 1.14 mg/kg/h, above the 1 mg/kg/h soft limit: unconfirmed until acknowledged.
  await p.type('targetNgPerMl', '300');
  assert.equal(await p.text('mlPerHour'), '79.5 mL/h');
  assert.equal(await p.confirmedState(), 'false');
  // Another model: the rates are solved with it and the preview follows it.
  await p.choose('model', 'kamp-2020');
  assert.match(await p.text('dose'), /^300 ng\/mL by 15 min \(Kamp/);
  assert.notEqual(await p.text('mlPerHour'), '79.5 mL/h');
  await page.waitForFunction(() => document.querySelector('ketamine-planner').shadowRoot.querySelector('[data-role=pk-model]').value === 'kamp-2020');
  // Reach by 30 min: the first rate runs 30 min.
  await p.type('reachMinutes', '30');
  assert.match((await p.el('[data-role=ladder]').locator('tr').allInnerTexts())[1], /^30 min\s/);
  // The link carries the mode and its fields; opened, it restores them.
  const link = await page.locator('ketamine-planner').evaluate((e) => e.permalink);
  await page.goto(link);
  await page.locator('ketamine-planner [data-role=ladder] tr').first().waitFor();
  assert.equal(await p.el('[data-role=dose-mode]').inputValue(), 'target');
  assert.equal(await p.field('targetNgPerMl').inputValue(), '300');
  assert.equal(await p.field('model').inputValue(), 'kamp-2020');
  assert.match((await p.el('[data-role=ladder]').locator('tr').allInnerTexts())[1], /^30 min\s/);
  // Back to a dose: the custom dose is asked for again, the target is not sent.
  await p.el('[data-role=dose-mode]').selectOption('dose');
  assert.equal(await visible('[data-role=custom]'), true);
  assert.equal(await p.text('mlPerHour'), '');
  assert.match(await p.text('confirmed'), /enter: .*Start dose/);
}));

test('effect-site curve: drawn for Domino with its source, refused by name for a model without a ke0', () => onOfflinePage(async (p, page) => {
  await p.choose('protocol', 'schwartzman-2009');
  await p.type('weightKg', '70');
  await p.type('concentrationMgPerMl', '1');
  await p.el('[data-role=pk-svg] svg').waitFor({ timeout: 5000 });
  await p.el('[data-role=pk-effect]').check();
  await page.waitForFunction(() => /Effect site, ke0 0\.238\/min, Navarrete 2025/.test(document.querySelector('ketamine-planner').shadowRoot.querySelector('[data-role=pk-svg]').textContent), null, { timeout: 5000 });
  assert.match(await p.el('[data-role=pk-notes]').textContent(), /20 adults under general anaesthesia/);
  await p.el('[data-role=pk-model]').selectOption('kamp-2020');
  await page.waitForFunction(() => /No published effect-site constant exists for the Kamp 2020 model/.test(document.querySelector('ketamine-planner').shadowRoot.querySelector('[data-role=pk-notes]').textContent), null, { timeout: 5000 });
  assert.doesNotMatch(await p.el('[data-role=pk-svg]').textContent(), /Effect site/);
}));

test('self-test from the references panel, keyboard only: every shipped case passes, each number beside its reference', () => onOfflinePage(async (p, page) => {
  await page.locator('body').focus();
  await tabTo(page, (f) => f.tag === 'summary' && /References/.test(f.text), 200);
  await page.keyboard.press('Enter');
  await tabTo(page, (f) => f.tag === 'button' && f.text === 'Run self-test', 40);
  await page.keyboard.press('Enter');
  const out = page.locator('ketamine-planner [data-role=self-test]');
  // 12 hand-computed rate cases and 5 PK vectors (data/reference-cases.json, data/reference-pk.json).
  assert.equal((await out.locator('p').textContent()).trim(), 'Self-test passed: 17 of 17 cases.');
  assert.equal(await out.getAttribute('role'), 'status');
  const lines = await out.locator('li li').allTextContents();
  assert.ok(lines.includes('levels.0.mlPerHour: 60 mL/h (reference 60 mL/h)'), lines.slice(0, 5).join(' | '));
  assert.ok(lines.some((l) => /^240 min: 779\.\d+ ng\/mL \(reference 779\.0569 ng\/mL\)$/.test(l)), lines.filter((l) => / min:/.test(l)).join(' | '));
}));
