// The session clock at the pump (issue 10), as a nurse uses it: started with
// the keyboard when the infusion starts, read against the page's clock
// (Playwright's clock.setFixedTime moves Date only; the page's timers run).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, assertClean, planner, focused, offlineUrl } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

/** A fresh page at `time` with a plan of `protocol` (70 kg, 1 mg/mL, and
 * `target` ng/mL when given) whose clock is started; `at(time)` moves the
 * page's clock and redraws (an edit, as the 15 s tick would). */
async function started(protocol, time, target) {
  const { page, log } = await openPage(browser.context, offlineUrl);
  const p = planner(page);
  await page.clock.setFixedTime(new Date(time));
  await p.choose('protocol', protocol);
  await p.type('weightKg', '70');
  await p.type('concentrationMgPerMl', '1');
  if (target) {
    await p.el('[data-role=dose-mode]').selectOption('target');
    await p.type('targetNgPerMl', target);
  }
  await p.el('[data-action=clock-start]').click();
  const at = async (t) => { await page.clock.setFixedTime(new Date(t)); await p.type('weightKg', '70'); };
  return { page, log, p, at };
}

/** The clock's figures as "label: value" lines, and its note. */
async function read(p) {
  const rows = await p.el('[data-role=clock-figures]').locator('div').allInnerTexts();
  return { rows: rows.map((r) => r.replace(/\s*\n\s*/, ': ')), note: (await p.el('[data-role=clock-note]').textContent()).trim() };
}

test('session clock: counts from the start at the programmed rates, the next checks ahead; only for a confirmed plan', async () => {
  const { page, log } = await openPage(browser.context, offlineUrl);
  const p = planner(page);
  await page.clock.setFixedTime(new Date('2026-12-07T09:00:00'));
  assert.equal(await p.el('[data-action=clock-start]').isDisabled(), true, 'no plan: nothing to count');
  assert.equal((await read(p)).note, 'The clock starts only with a confirmed plan.');
  // Schwartzman, 70 kg, 1 mg/mL: 0.35 x 70 = 24.5 mg/h = 24.5 mL/h for 240 min, then 120 min observation.
  await p.choose('protocol', 'schwartzman-2009');
  await p.type('weightKg', '70');
  await p.type('concentrationMgPerMl', '1');
  assert.equal(await p.confirmedState(), 'true');
  // Keyboard: focus the button, Enter; focus moves to the start time, which can be corrected.
  await p.el('[data-action=clock-start]').focus();
  await page.keyboard.press('Enter');
  assert.equal((await focused(page)).value, '2026-12-07T09:00');
  assert.deepEqual(await read(p), { note: 'Infusion running', rows: [
    'Since the start: 0 min', 'Delivered so far: 0 mg at the programmed rates', 'Pump setting now: 24.5 mg/h = 24.5 mL/h',
    'Next vital signs: 09:15 (in 15 min)', 'Infusion ends: 13:00 (in 4 h)', 'Earliest discharge: 15:00 (in 6 h)'] });
  // 65 min later (any edit, or the 15 s tick, redraws): 24.5 x 65 / 60 = 26.54 mg.
  await page.clock.setFixedTime(new Date('2026-12-07T10:05:00'));
  await p.type('weightKg', '70');
  let r = await read(p);
  assert.deepEqual(r.rows.slice(0, 2), ['Since the start: 1 h 5 min', 'Delivered so far: 26.5 mg at the programmed rates']);
  assert.equal(r.rows[3], 'Next vital signs: 10:15 (in 10 min)');
  // At 10:15 a check is due now: the row is marked and it is said once in the live region.
  await page.clock.setFixedTime(new Date('2026-12-07T10:15:00'));
  await p.type('weightKg', '70');
  assert.equal((await read(p)).rows[3], 'Next vital signs: 10:15 (now)');
  assert.equal(await page.locator('ketamine-planner [data-role=clock-figures] .due').count(), 1);
  assert.equal(await p.el('[data-role=clock-announce]').textContent(), 'Vital signs due now: blood pressure, heart rate, SpO2 and sedation.');
  await page.clock.setFixedTime(new Date('2026-12-07T10:05:00'));
  await p.type('weightKg', '70');
  assert.equal(await p.el('[data-role=clock-announce]').textContent(), '');
  // The infusion really started at 09:30: corrected in the field, counted from there (35 min = 14.3 mg).
  await p.el('[data-role=clock-started-at]').fill('2026-12-07T09:30');
  r = await read(p);
  assert.deepEqual(r.rows.slice(0, 2), ['Since the start: 35 min', 'Delivered so far: 14.3 mg at the programmed rates']);
  assert.equal(r.rows.at(-1), 'Earliest discharge: 15:30 (in 5 h 25 min)');
  // A start after now is refused at the field, with nothing counted.
  await p.el('[data-role=clock-started-at]').fill('2026-12-07T10:30');
  assert.equal(await p.el('[data-role=clock-msg]').textContent(), 'The time now is before the infusion started: check the start time.');
  assert.equal(await p.el('[data-role=clock-started-at]').getAttribute('aria-invalid'), 'true');
  assert.deepEqual((await read(p)).rows, []);
  await p.el('[data-role=clock-started-at]').fill('2026-12-07T09:30');
  // The plan stops being usable (a malformed weight): its figures go; fixed, they come back.
  await p.type('weightKg', '7O');
  assert.deepEqual(await read(p), { note: 'No confirmed plan now: the clock shows nothing until the plan is confirmed again.', rows: [] });
  await p.type('weightKg', '70');
  assert.equal((await read(p)).rows[0], 'Since the start: 35 min');
  // After the infusion: the whole session (98 mg), no rate, no infusion check.
  await page.clock.setFixedTime(new Date('2026-12-07T13:45:00'));
  await p.type('weightKg', '70');
  assert.deepEqual(await read(p), { note: 'Observation after the infusion', rows: [
    'Since the start: 4 h 15 min', 'Delivered so far: 98 mg at the programmed rates', 'Infusion ends: 13:30 (15 min ago)', 'Earliest discharge: 15:30 (in 1 h 45 min)'] });
  // Stopped: the start button again, nothing shown; the clock is not printed.
  await p.el('[data-action=clock-stop]').click();
  assert.equal(await p.el('[data-action=clock-start]').isVisible(), true);
  assert.deepEqual((await read(p)).rows, []);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await p.el('[data-role=clock]').isVisible(), false);
  await assertClean(page, log, [offlineUrl]);
  await page.close();
});

test('session clock in target mode: a rate change in its minute is due now, marked and said with the check', async () => {
  // Custom, 70 kg, 1 mg/mL, 150 ng/mL (Domino): 39.7 mL/h for 15 min, then 34.1 mL/h.
  const { page, log, p, at } = await started('custom', '2026-12-07T09:00:00', '150');
  assert.equal((await read(p)).rows[3], 'Next rate change: 09:15 (in 15 min): 34.1 mg/h = 34.1 mL/h');
  await at('2026-12-07T09:15:00');
  const r = await read(p);
  assert.equal(r.rows[2], 'Pump setting now: 34.1 mg/h = 34.1 mL/h');
  assert.equal(r.rows[3], 'Next rate change: 09:15 (now): 34.1 mg/h = 34.1 mL/h');
  assert.equal(await page.locator('ketamine-planner [data-role=clock-figures] .due').count(), 2, 'the change and the check');
  assert.equal(await p.el('[data-role=clock-announce]').textContent(),
    'Rate change due now: 34.1 mg/h = 34.1 mL/h. Vital signs due now: blood pressure, heart rate, SpO2 and sedation.');
  await assertClean(page, log, [offlineUrl]);
  await page.close();
});

test('session clock for a ladder titrated by response says it counts the first level only', async () => {
  // Getson, 1 mg/mL: 20 to 40 mg/h by response over 5 days; the clock knows only the first level.
  const { page, log, p, at } = await started('getson-inpatient', '2026-12-07T08:00:00');
  await at('2026-12-07T11:00:00');
  const r = await read(p);
  assert.equal(r.note, 'Infusion running. Titrated by response: this counts the first level; rate changes made at the pump are not in these figures.');
  assert.equal(r.rows[1], 'Delivered so far: 60 mg at the programmed rates', '20 mg/h x 3 h');
  await assertClean(page, log, [offlineUrl]);
  await page.close();
});
