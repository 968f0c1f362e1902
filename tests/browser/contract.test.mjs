// Issue 9 through the shipped file: the JS boundary is as strict as the
// native one (tests/contract.rs runs the same requests natively).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, offlineUrl } from './helpers.mjs';

let browser, page;
before(async () => {
  browser = await launch();
  ({ page } = await openPage(browser.context, offlineUrl));
});
after(async () => { await browser.close(); });

const base = { protocol: 'schwartzman-2009', patient: { weightKg: 70 }, concentrationMgPerMl: 1 };

test('unknown keys, wrong types and inherited values never plan', async () => {
  const out = await page.evaluate((base) => {
    const KP = window.KetaminePlanner;
    const attempt = (f) => { try { f(); return null; } catch (e) { return { name: e.name, field: e.field, code: e.code, message: e.message, n: (e.errors || []).length }; } };
    const r = {};
    r.startdose = attempt(() => KP.plan({ protocol: 'custom', patient: { weightKg: 70 }, concentrationMgPerMl: 1, dose: { startdose: 0.2 } }));
    r.frail = attempt(() => KP.plan({ protocol: 'ward-low-dose', patient: { weightKg: 70, Frail: true }, concentrationMgPerMl: 5 }));
    r.text70 = attempt(() => KP.plan({ ...base, patient: { weightKg: '70' } }));
    r.noProtocol = attempt(() => KP.plan({ patient: { weightKg: 70 }, concentrationMgPerMl: 1 }));
    r.modle = attempt(() => KP.simulate(base, { modle: 'clements-250' }));
    r.customNoStart = attempt(() => KP.plan({ protocol: 'custom', patient: { weightKg: 70 }, concentrationMgPerMl: 1 }));
    r.icsNoStamp = attempt(() => KP.ics({ ...base, start: '2026-12-07T08:00' }));
    const many = new Array(1000000).fill('opioids');
    const t0 = performance.now();
    r.many = attempt(() => KP.plan({ ...base, cautions: many }));
    r.manyMs = performance.now() - t0;
    Object.prototype.concentrationMgPerMl = 1;
    try { r.inherited = attempt(() => KP.plan({ protocol: 'schwartzman-2009', patient: { weightKg: 70 } })); }
    finally { delete Object.prototype.concentrationMgPerMl; }
    r.formThrows = attempt(() => [KP.planForm(42), KP.planForm({ weightkg: '70' }), KP.planForm(null)]);
    r.form = KP.planForm({ weightkg: '70' }).error;
    const wr = KP.ics({ protocol: 'walter-reed-outpatient', patient: { weightKg: 80 }, concentrationMgPerMl: 2, start: '2026-12-07T08:00' }, '2026-12-01T10:00');
    r.summaries = wr.split(/\r?\n/).filter((l) => l.startsWith('SUMMARY:'));
    r.contract = KP.contract().length;
    return r;
  }, base);
  assert.deepEqual([out.startdose.name, out.startdose.field, out.startdose.code], ['PlanError', 'dose.startdose', 'unknown_field']);
  assert.equal(out.startdose.message, 'dose.startdose is not a field; did you mean dose.startDose?');
  assert.equal(out.frail.field, 'patient.Frail');
  assert.equal(out.text70.message, 'Weight must be a number; got the text "70".');
  assert.equal(out.noProtocol.field, 'protocol');
  assert.equal(out.modle.message, 'modle is not a field; did you mean model?');
  assert.deepEqual([out.customNoStart.field, out.customNoStart.code], ['startDose', 'required']);
  assert.deepEqual([out.icsNoStamp.name, out.icsNoStamp.field], ['PlanError', 'dtstampUtc']);
  assert.match(out.many.message, /more than 64 items/);
  assert.ok(out.manyMs < 200, `1e6 cautions refused in ${out.manyMs} ms`);
  assert.deepEqual([out.inherited.field, out.inherited.code], ['concentrationMgPerMl', 'required']);
  assert.equal(out.formThrows, null, 'planForm never throws');
  assert.equal(out.form.field, 'weightkg');
  assert.ok(out.summaries.length > 0 && out.summaries.every((s) => s.includes('UNCONFIRMED')), out.summaries.join('\n'));
  assert.equal(out.contract, 31, 'the 31 fields of src/contract.rs FIELDS (with the three of target mode)');
});

test('a one-edit misspelling of every contract field is refused, naming the field', async () => {
  const bad = await page.evaluate((base) => {
    const KP = window.KetaminePlanner;
    const failures = [];
    for (const f of KP.contract()) {
      const parts = f.path.split('.');
      const name = parts.pop();
      const wrong = name.slice(0, -1) + 'X';
      const req = JSON.parse(JSON.stringify(base));
      if (parts.length) req[parts[0]] = { ...(req[parts[0]] || {}), [wrong]: 1 }; else req[wrong] = 1;
      try { KP.plan(req); failures.push(wrong + ' planned'); } catch (e) {
        if (e.code !== 'unknown_field' || !e.message.endsWith('did you mean ' + f.path + '?')) failures.push(e.message);
      }
    }
    return failures;
  }, base);
  assert.deepEqual(bad, []);
});

test('every field of the contract has its input in the element, and no input sends a name outside it', async () => {
  const out = await page.evaluate(async () => {
    const host = document.querySelector('ketamine-planner');
    const root = host.shadowRoot;
    const names = window.KetaminePlanner.contract().map((f) => f.path.split('.').pop());
    const present = (n) => !!root.querySelector('[name="' + n + '"]');
    const missing = [];
    for (const n of names) {
      if (n === 'weightLb' || n === 'acknowledged') continue; // checked below, in the state that shows them
      if (!present(n)) missing.push(n);
    }
    // The weight input is named by its unit.
    const unit = root.querySelector('[data-role=weight-unit]');
    unit.value = 'lb'; unit.dispatchEvent(new Event('change', { bubbles: true }));
    if (!present('weightLb')) missing.push('weightLb');
    unit.value = 'kg'; unit.dispatchEvent(new Event('change', { bubbles: true }));
    // An acknowledge box exists once a soft alert does (ward-low-dose at 80 years raises one).
    const set = (n, v) => { const el = root.querySelector('[name="' + n + '"]'); el.value = v; el.dispatchEvent(new Event('input', { bubbles: true })); };
    set('protocol', 'schwartzman-2009'); set('weightKg', '70'); set('concentrationMgPerMl', '1');
    root.querySelector('[name=cautions]').click();
    await new Promise((r) => setTimeout(r, 50));
    if (!present('acknowledged')) missing.push('acknowledged');
    const extra = [...new Set([...root.querySelectorAll('form [name]')].map((e) => e.name))].filter((n) => !names.includes(n));
    return { missing, extra };
  });
  assert.deepEqual(out.missing, [], 'contract fields without an input');
  assert.deepEqual(out.extra, [], 'inputs whose name is not a contract field');
});
