// The JS API of the shipped dist/ketamine-planner.js, in headless Chromium:
// the hand-computed reference cases of data/reference-cases.json (shared with
// the native tests) through window.KetaminePlanner.plan().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { launch, openPage, assertClean, offlineUrl, root } from './helpers.mjs';

const cases = JSON.parse(readFileSync(join(root, 'data/reference-cases.json'), 'utf8'));

let browser, page, log;
before(async () => {
  browser = await launch();
  ({ page, log } = await openPage(browser.context, offlineUrl));
});
after(async () => { await browser.close(); });

const at = (obj, path) => path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);

test('KetaminePlanner has the documented shape', async () => {
  const shape = await page.evaluate(() => {
    const k = window.KetaminePlanner;
    return {
      ready: k.ready instanceof Promise,
      version: typeof k.version,
      fns: ['library', 'plan', 'planForm', 'simulate', 'ics', 'pkModels', 'selfTest'].filter((f) => typeof k[f] === 'function'),
      lib: (() => { const l = k.library(); return { version: typeof l.version, drugs: l.drugs.length, protocols: l.protocols.map((p) => p.id) }; })(),
      element: !!customElements.get('ketamine-planner'),
    };
  });
  assert.deepEqual(shape.fns, ['library', 'plan', 'planForm', 'simulate', 'ics', 'pkModels', 'selfTest']);
  assert.equal(shape.ready, true);
  assert.equal(shape.version, 'string');
  assert.equal(shape.lib.version, 'string');
  assert.ok(shape.lib.drugs >= 2);
  for (const id of ['walter-reed-outpatient', 'schwartzman-2009', 'cohen-2018-trial', 'getson-inpatient',
    'correll-2004-inpatient', 'sigtermans-2009-esketamine', 'ward-low-dose', 'custom']) {
    assert.ok(shape.lib.protocols.includes(id), id);
  }
  assert.equal(shape.element, true);
});

test('librarySha256 is the SHA-256 of the exact bytes of the built-in library file', async () => {
  const sha = createHash('sha256').update(readFileSync(join(root, 'data/library.json'))).digest('hex');
  assert.equal(await page.evaluate(() => window.KetaminePlanner.librarySha256), sha);
});

test('reference cases file is not empty', () => {
  assert.ok(cases.length >= 10, `${cases.length} cases`);
});

for (const c of cases) {
  test(`reference: ${c.name}`, async () => {
    const plan = await page.evaluate((req) => window.KetaminePlanner.plan(req), c.request);
    for (const [path, want] of Object.entries(c.expect)) {
      const got = at(plan, path);
      if (typeof want === 'number' && typeof got === 'number') {
        assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${path}: ${got} != ${want}`);
      } else {
        assert.deepEqual(got, want, path);
      }
    }
  });
}

const pkVectors = JSON.parse(readFileSync(join(root, 'data/reference-pk.json'), 'utf8'));

test('selfTest() runs every shipped rate case and PK vector, and a wrong case fails with its numbers', async () => {
  const r = await page.evaluate(() => {
    const wrong = { name: 'wrong on purpose', request: { protocol: 'walter-reed-outpatient', patient: { weightKg: 80 }, concentrationMgPerMl: 2 }, expect: { 'levels.0.mlPerHour': 61 } };
    const all = window.KetaminePlanner.selfTest();
    const withWrong = window.KetaminePlanner.selfTest([wrong, { name: 'no request' }]);
    let thrown = '';
    try { window.KetaminePlanner.selfTest('nonsense'); } catch (e) { thrown = e.message; }
    return { all, withWrong, thrown };
  });
  // 12 rate cases + 5 PK vectors (4 adult models on Walter Reed 80 kg, Domino on Schwartzman 70 kg).
  assert.equal(r.all.cases.length, cases.length + pkVectors.cases.length);
  assert.equal(r.all.failed, 0, JSON.stringify(r.all.cases.filter((c) => !c.passed)));
  assert.equal(r.all.passed, r.all.cases.length);
  const domino = r.all.cases.find((c) => c.kind === 'pk' && c.name.startsWith('Domino: Walter Reed'));
  // 120 mg/h for 240 min on Domino (80 kg): RK4 gives 779.0569 ng/mL at 240 min; the page is within 0.1%.
  const end = domino.checks.find((k) => k.path === '240 min');
  assert.equal(end.expected, 779.0569);
  assert.ok(Math.abs(end.actual - 779.0569) <= 0.779, `${end.actual}`);
  assert.equal(r.withWrong.failed, 2);
  const wrong = r.withWrong.cases.find((c) => c.name === 'wrong on purpose');
  // 1.5 mg/kg/h x 80 kg = 120 mg/h at 2 mg/mL = 60 mL/h, not 61.
  assert.deepEqual(wrong.checks, [{ path: 'levels.0.mlPerHour', expected: 61, actual: 60, passed: false }]);
  assert.match(r.withWrong.cases.find((c) => c.name === 'no request').error, /needs a name, a request/);
  assert.match(r.thrown, /extraCases must be a list/);
});

test('plan() throws an Error with .field and .code for invalid input', async () => {
  const errors = await page.evaluate(() => {
    const out = [];
    for (const req of [
      { protocol: 'no-such-protocol', patient: { weightKg: 70 }, concentrationMgPerMl: 1 },
      { protocol: 'schwartzman-2009', patient: { weightKg: 900 }, concentrationMgPerMl: 1 },
      { protocol: 'schwartzman-2009', patient: {}, concentrationMgPerMl: 1 },
    ]) {
      try { window.KetaminePlanner.plan(req); out.push(null); } catch (e) {
        out.push({ isError: e instanceof Error, field: e.field, code: e.code, message: e.message });
      }
    }
    return out;
  });
  for (const e of errors) {
    assert.ok(e, 'threw');
    assert.equal(e.isError, true);
    assert.equal(typeof e.field, 'string');
    assert.ok(e.field.length > 0);
    assert.equal(typeof e.code, 'string');
    assert.ok(e.message.length > 0);
  }
  assert.match(errors[0].field, /protocol/);
  assert.match(errors[1].field, /weight/);
});

test('planForm() refuses malformed numbers instead of coercing them', async () => {
  const results = await page.evaluate(() => ['1..2', '5,0', '1e3', '', ' ', '.5', '5.', '-5', '0x10', 'Infinity', 'NaN', '70kg'].map((w) => {
    const r = window.KetaminePlanner.planForm({ protocol: 'schwartzman-2009', weightKg: w, concentrationMgPerMl: '1' });
    return { w, plan: r.plan, msg: r.fieldErrors.weightKg };
  }));
  for (const r of results) {
    assert.equal(r.plan, null, `${JSON.stringify(r.w)} gave a plan`);
    assert.equal(typeof r.msg, 'string', `${JSON.stringify(r.w)} has a field message`);
  }
  const ok = await page.evaluate(() => window.KetaminePlanner.planForm({ protocol: 'schwartzman-2009', weightKg: '70', concentrationMgPerMl: '1' }));
  assert.deepEqual(ok.fieldErrors, {});
  assert.equal(ok.plan.levels[0].text.mlPerHour, '24.5 mL/h');
});

test('ics() returns an RFC 5545 calendar for the request', async () => {
  const text = await page.evaluate(() => window.KetaminePlanner.ics(
    { protocol: 'schwartzman-2009', patient: { weightKg: 70 }, concentrationMgPerMl: 1, start: '2026-12-07T08:00' }, '2026-11-24T12:00'));
  assert.match(text, /^BEGIN:VCALENDAR\r\n/);
  assert.match(text, /END:VCALENDAR\r\n$/);
  assert.equal((text.match(/BEGIN:VEVENT/g) || []).length >= 10, true);
});

test('simulate(): the two-argument form and issue 5\'s single object give the same preview', async () => {
  const r = await page.evaluate(() => {
    const K = window.KetaminePlanner;
    const request = { protocol: 'schwartzman-2009', patient: { weightKg: 70 }, concentrationMgPerMl: 1, start: '2026-12-07T08:00' };
    const frozen = JSON.stringify(request);
    const shape = (s) => ({
      model: s.model.id, n: s.times.length, nc: s.concentrationsNgPerMl.length, peak: s.peak.ngPerMl, peakAt: s.peak.atMinute,
      step: s.times[1] - s.times[0], threshold: s.thresholdNgPerMl, sessions: s.sessions.length,
      compare: (s.compare || []).map((c) => c.model.id), compareLengths: (s.compare || []).map((c) => c.times.length === s.times.length && c.concentrationsNgPerMl.length === s.times.length),
      finite: s.concentrationsNgPerMl.every((c) => Number.isFinite(c) && c >= 0), svg: /^<svg/.test(s.svg), text: s.text,
    });
    const two = shape(K.simulate(request));
    const twoOpts = shape(K.simulate(request, { model: 'hijazi-2003', compare: ['domino', 'kamp-2020'], resolutionMinutes: 1, thresholdNgPerMl: 50 }));
    const one = shape(K.simulate({ ...request, model: 'hijazi-2003', compare: ['domino', 'kamp-2020'], resolutionMinutes: 1, thresholdNgPerMl: 50 }));
    const oneDefault = shape(K.simulate({ ...request, model: 'domino' }));
    const horizon = shape(K.simulate({ ...request, horizonMinutes: 600, resolutionMinutes: 10 }, null));
    // A key in `options` wins over the same key in the request.
    const both = shape(K.simulate({ ...request, model: 'hijazi-2003' }, { model: 'kamp-2020' }));
    return { two, twoOpts, one, oneDefault, horizon, both, untouched: JSON.stringify(request) === frozen };
  });
  // Two-argument form, default model.
  assert.equal(r.two.model, 'domino');
  assert.equal(r.two.n, r.two.nc);
  assert.ok(r.two.n > 100, `${r.two.n} points`);
  assert.ok(r.two.peak > 0);
  assert.equal(r.two.sessions, 10);
  assert.equal(r.two.finite, true);
  assert.equal(r.two.svg, true);
  assert.equal(r.two.threshold, 100);
  assert.deepEqual(r.two.compare, []);
  // Options honoured: model, overlays, 1-min resolution, threshold.
  assert.equal(r.twoOpts.model, 'hijazi-2003');
  assert.deepEqual(r.twoOpts.compare, ['domino', 'kamp-2020']);
  assert.deepEqual(r.twoOpts.compareLengths, [true, true]);
  assert.equal(r.twoOpts.step, 1);
  assert.equal(r.twoOpts.threshold, 50);
  assert.equal(r.twoOpts.text.threshold, '50 ng/mL');
  assert.ok(r.twoOpts.n > r.two.n, '1-min resolution gives more points than the default');
  // The single object is the same call.
  assert.deepEqual(r.one, r.twoOpts);
  assert.equal(r.oneDefault.model, 'domino');
  assert.deepEqual(r.oneDefault, r.two);
  assert.equal(r.horizon.step, 10);
  assert.ok(r.horizon.n < r.two.n, `horizon 600 min gives ${r.horizon.n} points`);
  assert.equal(r.both.model, 'kamp-2020');
  assert.equal(r.untouched, true, 'the caller\'s request object is not modified');
});

test('no console error, page error or request beyond the file during all API calls', async () => {
  await assertClean(page, log, [offlineUrl]);
});

test('dist/ketamine-planner.d.ts declares what the engine and the element offer, and compiles under tsc --strict', async () => {
  const dts = readFileSync(join(root, 'dist/ketamine-planner.d.ts'), 'utf8');
  const block = (name) => {
    const start = dts.indexOf(`export interface ${name} `);
    assert.ok(start >= 0, `interface ${name}`);
    let depth = 0;
    for (let i = dts.indexOf('{', start); i < dts.length; i++) {
      if (dts[i] === '{') depth++;
      else if (dts[i] === '}' && --depth === 0) return dts.slice(start, i + 1);
    }
    return '';
  };
  const live = await page.evaluate(() => ({
    api: Object.keys(window.KetaminePlanner),
    paths: KetaminePlanner.contract().map((f) => f.path),
    props: Object.getOwnPropertyNames(customElements.get('ketamine-planner').prototype),
    attrs: customElements.get('ketamine-planner').observedAttributes,
  }));
  const api = block('KetaminePlannerApi');
  for (const k of live.api) assert.match(api, new RegExp(`\\b${k}\\b[?(:]`), `KetaminePlannerApi.${k}`);
  // Every contract field, at its level of PlanRequest (patient.weightKg inside patient: { ... }).
  const request = block('PlanRequest');
  for (const path of live.paths) {
    const parts = path.split('.');
    const inner = parts.length > 1 ? request.slice(request.indexOf(`${parts[0]}?: {`) >= 0 ? request.indexOf(`${parts[0]}?: {`) : request.indexOf(`${parts[0]}: {`)) : request;
    assert.match(inner, new RegExp(`\\b${parts.at(-1)}\\??:`), `PlanRequest.${path}`);
  }
  const element = block('KetaminePlannerElement');
  for (const p of live.props.filter((n) => n !== 'constructor' && !n.startsWith('_') && !/Callback$/.test(n))) {
    assert.match(element, new RegExp(`\\b${p}\\b[?(:]`), `KetaminePlannerElement.${p}`);
  }
  assert.ok(live.attrs.includes('theme') && live.attrs.includes('heading-level'), live.attrs.join());
  const { execFileSync } = await import('node:child_process');
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['--noEmit', '--strict', '--lib', 'es2020,dom', '--module', 'esnext',
    '--moduleResolution', 'bundler', '--allowImportingTsExtensions', 'dist/ketamine-planner.d.ts', 'tests/browser/fixtures/use-types.ts'],
  { cwd: root, stdio: 'pipe' });
});

test('solveTarget(): the scheme at the request\'s concentration and pump, through the plan\'s limits', async () => {
  const r = await page.evaluate(() => {
    // Custom: global limits only, no protocol cap (Schwartzman's 25 mg/h would hold the rate below the target).
    const base = { protocol: 'custom', patient: { weightKg: 70 }, concentrationMgPerMl: 1 };
    const ok = KetaminePlanner.solveTarget({ ...base, targetNgPerMl: 150 });
    const high = KetaminePlanner.solveTarget({ ...base, targetNgPerMl: 300 });
    const err = (f) => { try { f(); return null; } catch (e) { return { name: e.name, field: e.field, code: e.code }; } };
    return {
      first: ok.steps[0], second: ok.steps[1].text.from, usable: ok.usable, svg: ok.svg.slice(0, 4), n: ok.predicted.times.length,
      highCodes: high.alerts.map((a) => a.code), highUsable: high.usable,
      missing: err(() => KetaminePlanner.solveTarget({ ...base, protocol: 'schwartzman-2009' })),
      reach30: KetaminePlanner.solveTarget({ ...base, targetNgPerMl: 150, reachMinutes: 30 }).steps.slice(0, 2).map((s) => s.fromMinute),
      inDose: KetaminePlanner.solveTarget({ ...base, dose: { targetNgPerMl: 150 } }).steps[0].mlPerHour,
      plan: (() => { const p = KetaminePlanner.plan({ ...base, dose: { targetNgPerMl: 150 } }); return { first: p.levels[0].text.mlPerHour, at: p.rateChanges.map((c) => c.atMinute).slice(0, 3), target: p.target.text }; })(),
      reachLate: err(() => KetaminePlanner.solveTarget({ ...base, targetNgPerMl: 150, reachMinutes: 300 })),
      both: err(() => KetaminePlanner.solveTarget({ ...base, targetNgPerMl: 150, dose: { targetNgPerMl: 100 } })),
      tooHigh: err(() => KetaminePlanner.solveTarget({ ...base, targetNgPerMl: 5000 })),
      withDose: err(() => KetaminePlanner.solveTarget({ ...base, targetNgPerMl: 150, dose: { startDose: 0.3 } })),
      inPreview: err(() => KetaminePlanner.simulate({ ...base, targetNgPerMl: 150 })),
    };
  });
  // Domino, 70 kg: 150 ng/mL by minute 15 needs 39.7 mg/h = 39.7 mL/h at 1 mg/mL (0.567 mg/kg/h).
  assert.deepEqual(r.first, { fromMinute: 0, mlPerHour: 39.7, mgPerHour: 39.7, text: { from: '0 min', mlPerHour: '39.7 mL/h', mgPerHour: '39.7 mg/h' } });
  assert.equal(r.second, '15 min');
  assert.equal(r.usable, true);
  assert.equal(r.svg, '<svg');
  assert.equal(r.n, 241);
  // 300 ng/mL: 79.5 mg/h = 1.14 mg/kg/h, above the 1 mg/kg/h soft limit, not acknowledged.
  assert.ok(r.highCodes.includes('dose_above_soft_limit'), r.highCodes.join());
  assert.equal(r.highUsable, false);
  assert.deepEqual(r.missing, { name: 'PlanError', field: 'targetNgPerMl', code: 'required' });
  assert.deepEqual(r.reach30, [0, 30], 'the first step lasts reachMinutes');
  assert.equal(r.inDose, 39.7, 'the same target written in dose');
  // The plan of the same request carries the scheme as its levels on the clock.
  assert.deepEqual(r.plan, { first: '39.7 mL/h', at: [0, 15, 30], target: r.plan.target });
  assert.match(r.plan.target, /^150 ng\/mL by 15 min \(Domino/);
  assert.deepEqual(r.reachLate, { name: 'PlanError', field: 'reachMinutes', code: 'out_of_range' }, 'the 240 min session ends first');
  assert.equal(r.both.field, 'targetNgPerMl', 'a target both beside and in dose is refused by name, never one chosen');
  assert.equal(r.both.code, 'unknown_field');
  assert.equal(r.tooHigh.field, 'targetNgPerMl');
  assert.deepEqual(r.withDose, { name: 'PlanError', field: 'targetNgPerMl', code: 'ambiguous' });
  assert.equal(r.inPreview.field, 'targetNgPerMl', 'simulate takes a target only inside dose, as a plan does');
});
