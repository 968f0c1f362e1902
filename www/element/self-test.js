/* The self-test: the hand-computed rate cases (data/reference-cases.json,
 * the same file the native and browser tests read) and the PK reference
 * vectors (data/reference-pk.json, RK4 values checked natively) ship inside
 * the planner and run through the engine of this browser, so a pharmacist
 * can check the very file the clinic uses. KetaminePlanner.selfTest() and
 * the references panel's "Run self-test" button give the same result. */
import rateCases from '../../data/reference-cases.json';
// Named imports: esbuild ships only these keys of the file (not its long "about").
import { cases as pkCases, tolerancePercent } from '../../data/reference-pk.json';
import { html, render } from './html.js';
import { say } from './text.js';

const at = (obj, path) => path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);

/** Numbers equal to 1 part in 10^9 (the stated arithmetic is exact); anything else exactly. */
function same(got, want) {
  if (typeof want === 'number') return typeof got === 'number' && Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want));
  return JSON.stringify(got) === JSON.stringify(want);
}

function isObject(v) { return v != null && typeof v === 'object' && !Array.isArray(v); }

/** One rate case `{ name, request, expect: { "levels.0.mlPerHour": 60, ... } }`. */
function rateCase(engine, c, i) {
  const name = isObject(c) && typeof c.name === 'string' ? c.name : `case ${i + 1}`;
  if (!isObject(c) || !isObject(c.request) || !isObject(c.expect) || !Object.keys(c.expect).length) {
    return { kind: 'rate', name, passed: false, error: say('selfTest.malformed'), checks: [] };
  }
  let plan = null;
  let error = '';
  try { plan = engine.plan(c.request); } catch (e) { error = e.message; }
  const checks = Object.entries(c.expect).map(([path, expected]) => {
    const actual = plan ? at(plan, path) : undefined;
    return { path, expected, actual: actual === undefined ? null : actual, passed: !!plan && same(actual, expected) };
  });
  return { kind: 'rate', name, passed: !error && checks.every((k) => k.passed), error, checks };
}

/** One PK vector: the preview's concentrations at the stated minutes against RK4. */
function pkCase(engine, c) {
  let sim = null;
  let error = '';
  try {
    sim = engine.simulate(c.request, { model: c.model, resolutionMinutes: c.resolutionMinutes, horizonMinutes: c.horizonMinutes });
  } catch (e) { error = e.message; }
  const checks = c.minutes.map((minute, k) => {
    const expected = c.ngPerMl[k];
    const i = sim ? sim.times.indexOf(minute) : -1;
    const actual = i < 0 ? null : sim.concentrationsNgPerMl[i];
    const passed = actual != null && Math.abs(actual - expected) <= (tolerancePercent / 100) * Math.abs(expected);
    return { path: `${minute} min`, expected, actual, passed };
  });
  return { kind: 'pk', name: c.name, passed: !error && checks.every((k) => k.passed), error, checks };
}

/* global KP_REFERENCE_LIBRARY_SHA256 */
/** `{ passed, failed, skipped, cases }`. The shipped cases (rates and PK) plan
 * protocols of data/library.json (its SHA-256 is KP_REFERENCE_LIBRARY_SHA256,
 * scripts/bundle.mjs): with another library in use they are skipped and
 * counted, and the library's own `tests` run. `extra` are more rate cases in
 * the same shape (or a deliberately wrong one to see a failure). */
export function selfTest(engine, extra = []) {
  if (!Array.isArray(extra)) throw new TypeError('selfTest(extraCases): extraCases must be a list of { name, request, expect }');
  const reference = engine.librarySha256 === KP_REFERENCE_LIBRARY_SHA256;
  const cases = [
    ...(reference ? rateCases : []).map((c, i) => rateCase(engine, c, i)),
    ...(reference ? pkCases : []).map((c) => pkCase(engine, c)),
    ...engine.library().tests.map((c, i) => ({ ...rateCase(engine, c, i), kind: 'library' })),
    ...extra.map((c, i) => rateCase(engine, c, rateCases.length + i)),
  ];
  const failed = cases.filter((c) => !c.passed).length;
  return { passed: cases.length - failed, failed, skipped: reference ? 0 : rateCases.length + pkCases.length, cases };
}

export const selfTestCounts = { rate: rateCases.length, pk: pkCases.length, tolerancePercent };

/* The unit of a value, from the last part of its path ("levels.0.mlPerHour" -> mL/h):
 * plan paths here, library paths on the review page. */
const UNITS = [[/mlPerHour$/i, 'mL/h'], [/mgPerKgPerHour$/i, 'mg/kg/h'], [/mcgPerKgPerMin$/i, 'mcg/kg/min'], [/mgPerHour$/i, 'mg/h'],
  [/MgPerMl$/, 'mg/mL'], [/Mg$/, 'mg'], [/Ml$/, 'mL'], [/Kg$/, 'kg'], [/ min$/, 'ng/mL'], [/Minutes$/, 'min'], [/Hours$/, 'h'], [/Days$/, 'days']];
/* Grouped thousands ("2,400"), every decimal the engine gave: a self-test shows values unrounded. */
const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 12 });
export function shown(value, path) {
  if (value == null) return say('selfTest.none');
  if (typeof value !== 'number') return JSON.stringify(value);
  const unit = (UNITS.find(([re]) => re.test(path)) || [])[1];
  return unit ? `${NUMBER.format(value)} ${unit}` : NUMBER.format(value);
}

/** The result in the references panel, every number beside its reference. */
export function showSelfTest(el, result) {
  const line = (k) => html`<li class="${k.passed ? 'ok' : 'bad'}">${k.path}: ${shown(k.actual, k.path)} (${say('selfTest.expected')} ${shown(k.expected, k.path)})</li>`;
  const items = result.cases.map((c) => html`<li><b>${c.passed ? say('selfTest.pass') : say('selfTest.fail')}</b> ${c.name}${c.error ? html`<br><span class="bad">${c.error}</span>` : ''}<ul>${c.checks.map(line)}</ul></li>`);
  const summary = say(result.failed ? 'selfTest.someFailed' : 'selfTest.allPassed',
    { passed: result.passed, total: result.cases.length, failed: result.failed });
  const skipped = result.skipped ? html`<p>${say('selfTest.skipped', { n: result.skipped })}</p>` : '';
  render(el, html`<p class="${result.failed ? 'bad' : 'ok'}"><b>${summary}</b></p>${skipped}<details><summary>${say('selfTest.details')}</summary><ol class="self-test">${items}</ol></details>`);
}
