// Issue 11: a clinic's own protocol library, loaded at run time through the
// path the built-in one takes (KetaminePlanner.useLibrary), inline or from a
// same-origin URL, and never a silent fallback to the built-in library.
//
// The clinic's library is the shipped one with Walter Reed's cap lowered
// from 120 to 100 mg/h and a new version. Hand-computed: 100 kg x 1.5 mg/kg/h
// = 150 mg/h, capped at 100 mg/h, at 1 mg/mL = 100 mL/h (the built-in cap
// gives 120 mL/h).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, openPage, assertClean, planner, root, offlineUrl } from './helpers.mjs';
import { startServer, CSP_WITH_LIBRARY_URL } from '../../scripts/serve.mjs';

const shipped = readFileSync(join(root, 'data/library.json'), 'utf8');
function clinicLibrary() {
  const lib = JSON.parse(shipped);
  lib.version = 'clinic-2026.12';
  lib.protocols.find((p) => p.id === 'walter-reed-outpatient').caps[0].mgPerHour = 100;
  return JSON.stringify(lib, null, 2);
}
const clinic = clinicLibrary();
const sha = (text) => createHash('sha256').update(text, 'utf8').digest('hex');
const WR_100KG = { protocol: 'walter-reed-outpatient', patient: { weightKg: 100 }, concentrationMgPerMl: 1 };

/** A broken library: soft limit not below hard, and a misspelt key. */
function brokenLibrary() {
  const lib = JSON.parse(shipped);
  lib.drugs[0].softMgPerKgPerHour = lib.drugs[0].hardMgPerKgPerHour;
  lib.protocols[1].notez = 'typo';
  return JSON.stringify(lib);
}

function page(body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Clinic page</title><link rel="icon" href="data:,"></head>
<body><main><h1>Clinic</h1>${body}</main><script src="/dist/ketamine-planner.js"></script></body></html>`;
}
const inline = (id, text) => `<script type="application/json" id="${id}">${text.replace(/</g, '\\u003c')}</script>`;

let browser, server, strict, dir;
before(async () => {
  browser = await launch();
  dir = mkdtempSync(join(tmpdir(), 'kp-library-'));
  writeFileSync(join(dir, 'clinic-library.json'), clinic);
  writeFileSync(join(dir, 'inline.html'), page(`${inline('clinic-lib', clinic)}<ketamine-planner library="#clinic-lib" protocol="walter-reed-outpatient"></ketamine-planner>`));
  writeFileSync(join(dir, 'broken.html'), page(`${inline('clinic-lib', brokenLibrary())}<ketamine-planner library="#clinic-lib"></ketamine-planner>`));
  writeFileSync(join(dir, 'missing.html'), page('<ketamine-planner library="#nowhere"></ketamine-planner>'));
  writeFileSync(join(dir, 'url.html'), page('<ketamine-planner id="a" library="clinic-library.json"></ketamine-planner><ketamine-planner id="b" library="clinic-library.json"></ketamine-planner>'));
  const mounts = [['/dist/', join(root, 'dist')], ['/clinic/', dir]];
  server = await startServer({ port: 0, mounts, csp: CSP_WITH_LIBRARY_URL });
  strict = await startServer({ port: 0, mounts }); // connect-src 'none'
});
after(async () => {
  try { await browser.close(); } finally { await server.close(); await strict.close(); rmSync(dir, { recursive: true, force: true }); }
});

test('useLibrary: a changed cap changes the plan; the hash is of the exact text; a broken library throws every problem and changes nothing', async () => {
  const { page: p, log } = await openPage(browser.context, offlineUrl);
  const out = await p.evaluate(([text, broken, req]) => {
    const K = window.KetaminePlanner;
    const rate = () => K.plan(req).levels[0].mlPerHour;
    const before = { rate: rate(), version: K.library().version };
    const loaded = K.useLibrary(text);
    const after = { rate: rate(), version: K.library().version, sha: K.librarySha256 };
    const errorOf = (input) => {
      try { K.useLibrary(input); return null; } catch (e) {
        return { name: e.name, path: e.path, code: e.code, isError: e instanceof Error, errors: e.errors.map((x) => [x.path, x.code, x.message]) };
      }
    };
    const bad = errorOf(broken);
    const notJson = errorOf('{"version": ');
    const stillClinic = { rate: rate(), version: K.library().version };
    const fromObject = K.useLibrary(JSON.parse(text));
    return { before, loaded, after, bad, notJson, stillClinic, fromObject };
  }, [clinic, brokenLibrary(), WR_100KG]);
  assert.deepEqual(out.before, { rate: 120, version: JSON.parse(shipped).version });
  assert.equal(out.loaded.version, 'clinic-2026.12');
  assert.equal(out.loaded.sha256, sha(clinic));
  assert.equal(out.loaded.sha256Of, 'text');
  assert.equal(out.loaded.protocols.length, 8);
  assert.deepEqual(out.after, { rate: 100, version: 'clinic-2026.12', sha: sha(clinic) });
  // Both problems at once, each at its JSON Pointer.
  assert.equal(out.bad.name, 'LibraryError');
  assert.equal(out.bad.isError, true);
  assert.deepEqual(out.bad.errors.map(([path, code]) => [path, code]), [
    ['/protocols/1/notez', 'unknown_field'],
  ], 'reading stops the cross-field checks, so only the unreadable key is listed');
  assert.equal(out.bad.path, '/protocols/1/notez');
  assert.deepEqual([out.notJson.path, out.notJson.code], ['', 'not_json']);
  // The failed loads kept the clinic's library in use.
  assert.deepEqual(out.stillClinic, { rate: 100, version: 'clinic-2026.12' });
  assert.equal(out.fromObject.sha256Of, 'canonical');
  assert.match(out.fromObject.sha256, /^[0-9a-f]{64}$/);
  await assertClean(p, log, [offlineUrl]);
  await p.close();
});

test('useLibrary lists several problems at once: soft limit not below hard, at its pointer', async () => {
  const { page: p } = await openPage(browser.context, offlineUrl);
  const lib = JSON.parse(shipped);
  lib.drugs[0].softMgPerKgPerHour = lib.drugs[0].hardMgPerKgPerHour;
  lib.protocols[0].caps[0].mgPerHour = -5;
  lib.version = '';
  const errors = await p.evaluate((text) => {
    try { window.KetaminePlanner.useLibrary(text); return []; } catch (e) { return e.errors.map((x) => [x.path, x.code]); }
  }, JSON.stringify(lib));
  assert.deepEqual(errors, [
    ['/protocols/0/caps/0/mgPerHour', 'not_positive'],
  ], 'a field problem is listed; the cross-field checks wait for a file that reads');
  delete lib.protocols[0].caps[0].mgPerHour;
  lib.protocols[0].caps[0].mgPerHour = 120;
  const cross = await p.evaluate((text) => {
    try { window.KetaminePlanner.useLibrary(text); return []; } catch (e) { return e.errors.map((x) => [x.path, x.code]); }
  }, JSON.stringify(lib));
  assert.deepEqual(cross, [['/version', 'required'], ['/drugs/0/softMgPerKgPerHour', 'soft_not_below_hard']]);
  await p.close();
});

test('library="#id" on the offline file opened from disk, and on a page under the strict CSP (connect-src \'none\')', async () => {
  // The offline file with the clinic's library pasted in, as a clinic would.
  const offline = readFileSync(join(root, 'dist/ketamine-planner.html'), 'utf8')
    .replace('<ketamine-planner heading-level="1">', () => `${inline('clinic-lib', clinic)}<ketamine-planner heading-level="1" library="#clinic-lib">`);
  assert.ok(offline.includes('library="#clinic-lib"'), 'the offline template changed');
  writeFileSync(join(dir, 'offline-clinic.html'), offline);
  const fileUrl = pathToFileURL(join(dir, 'offline-clinic.html')).href;
  for (const url of [fileUrl, new URL('/clinic/inline.html', strict.url).href]) {
    const { page: p, log } = await openPage(browser.context, url);
    const el = planner(p);
    await el.choose('protocol', 'walter-reed-outpatient');
    await el.type('weightKg', '100');
    await el.type('concentrationMgPerMl', '1');
    assert.equal(await el.text('mlPerHour'), '100 mL/h', url);
    await assertClean(p, log, [url, new URL('/dist/ketamine-planner.js', strict.url).href]);
    await p.close();
  }
});

test('library="#id": the inline library plans, and the header and the printed sheet carry its version and hash', async () => {
  const url = new URL('/clinic/inline.html', server.url).href;
  const { page: p, log } = await openPage(browser.context, url);
  const el = planner(p);
  await el.type('weightKg', '100');
  await el.type('concentrationMgPerMl', '1');
  assert.equal(await el.text('mlPerHour'), '100 mL/h');
  const versions = await el.text('libraryVersion');
  assert.match(versions, /clinic-2026\.12/);
  assert.ok(versions.includes(sha(clinic).slice(0, 8)), versions);
  await p.emulateMedia({ media: 'print' });
  await p.locator('ketamine-planner').evaluate((h) => h._flushForPrint());
  const printed = await p.locator('ketamine-planner').evaluate((h) => h.shadowRoot.querySelector('[data-role=printed]').textContent);
  assert.match(printed, /clinic-2026\.12/);
  assert.ok(printed.includes(sha(clinic).slice(0, 8)));
  await assertClean(p, log, [url, new URL('/dist/ketamine-planner.js', server.url).href]);
  await p.close();
});

/** Opens a page whose element is expected to fail, and reads what it shows. */
async function failing(url) {
  const p = await browser.context.newPage();
  await p.goto(url);
  const box = p.locator('ketamine-planner .failed').first();
  await box.waitFor();
  const shown = {
    text: (await box.textContent()).trim(),
    role: await box.getAttribute('role'),
    problems: await box.locator('li').allTextContents(),
    form: await p.locator('ketamine-planner [name=protocol]').count(),
    plan: await p.locator('ketamine-planner').first().evaluate((h) => h.plan),
  };
  return { p, shown };
}

test('a broken inline library: the problems are shown with their paths, and nothing is planned, not even with the built-in library', async () => {
  const { p, shown } = await failing(new URL('/clinic/broken.html', server.url).href);
  assert.equal(shown.role, 'alert');
  assert.match(shown.text, /"#clinic-lib" is not valid/);
  assert.match(shown.text, /built-in library is not used instead/);
  assert.deepEqual(shown.problems.map((t) => t.split(' ')[0]), ['/protocols/1/notez']);
  assert.equal(shown.form, 0, 'no form, so no rate can be shown');
  assert.equal(shown.plan, null);
  await p.close();
  const missing = await failing(new URL('/clinic/missing.html', server.url).href);
  assert.match(missing.shown.text, /"#nowhere" is not in this page/);
  await missing.p.close();
});

test('library="clinic-library.json": fetched once for two elements, under connect-src \'self\'; refused under connect-src \'none\'', async () => {
  const url = new URL('/clinic/url.html', server.url).href;
  const { page: p, log } = await openPage(browser.context, url);
  await p.locator('#b [name=protocol]').waitFor();
  for (const id of ['#a', '#b']) {
    const el = planner(p, id);
    await el.choose('protocol', 'walter-reed-outpatient');
    await el.type('weightKg', '100');
    await el.type('concentrationMgPerMl', '1');
    assert.equal(await el.text('mlPerHour'), '100 mL/h', id);
  }
  const libraryUrl = new URL('/clinic/clinic-library.json', server.url).href;
  assert.equal(log.requests.filter((r) => r === libraryUrl).length, 1, 'one fetch for both elements');
  await assertClean(p, log, [url, libraryUrl, new URL('/dist/ketamine-planner.js', server.url).href]);
  await p.close();
  // The strict policy blocks the fetch: an error, and no plan.
  const { p: q, shown } = await failing(new URL('/clinic/url.html', strict.url).href);
  assert.match(shown.text, /did not load/);
  assert.equal(shown.form, 0);
  await q.close();
});

test('useLibrary under running elements rebuilds them on the new library and keeps their inputs and course record', async () => {
  const { page: p } = await openPage(browser.context, offlineUrl);
  const el = planner(p);
  await el.choose('protocol', 'walter-reed-outpatient');
  await el.type('weightKg', '100');
  await el.type('concentrationMgPerMl', '1');
  assert.equal(await el.text('mlPerHour'), '120 mL/h');
  await el.type('start', '2026-12-07T08:00');
  await el.el('[data-action=record-course]').click();
  const counts = () => el.el('[data-role=record-review] p.hint:last-child').textContent();
  assert.equal(await counts(), 'In the record: courses 1, sessions given 0, assessments 0.');
  await p.evaluate((text) => window.KetaminePlanner.useLibrary(text), clinic);
  assert.equal(await el.field('weightKg').inputValue(), '100');
  assert.equal(await el.text('mlPerHour'), '100 mL/h');
  assert.match(await el.text('libraryVersion'), /clinic-2026\.12/);
  assert.equal(await counts(), 'In the record: courses 1, sessions given 0, assessments 0.', 'the course record is kept');
  await p.close();
});
