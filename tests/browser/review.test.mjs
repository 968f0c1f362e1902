// Issue 11: dist/library-review.html, opened from file:// as a pharmacist
// would: a library file checked by the planner's engine, its differences
// against the built-in library or another file, its own test cases, its
// SHA-256, and a review sheet that two different people sign.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, root } from './helpers.mjs';

const AXE = readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
/** axe-core's violations (evaluated through the DevTools protocol, so the page's CSP does not block it). */
async function axeViolations(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), AXE_TAGS);
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

const reviewUrl = pathToFileURL(join(root, 'dist/library-review.html')).href;
const shipped = readFileSync(join(root, 'data/library.json'), 'utf8');
const sha = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The shipped library with `edit` applied, as a pharmacist would save it. */
function edited(edit) {
  const lib = JSON.parse(shipped);
  edit(lib);
  return JSON.stringify(lib, null, 2) + '\n';
}
const wr = (lib) => lib.protocols.find((p) => p.id === 'walter-reed-outpatient');
// One value changed: Walter Reed's cap 120 -> 100 mg/h.
const oneChange = edited((lib) => { wr(lib).caps[0].mgPerHour = 100; });
// With a test case of its own. Hand-computed: 100 kg x 1.5 mg/kg/h = 150 mg/h,
// capped at 100 mg/h, at 1 mg/mL = 100 mL/h.
const withTests = (expected) => edited((lib) => {
  wr(lib).caps[0].mgPerHour = 100;
  lib.tests = [{ name: 'Walter Reed 100 kg at 1 mg/mL', request: { protocol: 'walter-reed-outpatient', patient: { weightKg: 100 }, concentrationMgPerMl: 1 }, expect: { 'levels.0.mlPerHour': expected } }];
});
const broken = edited((lib) => { lib.drugs[0].hardMgPerKgPerHour = lib.drugs[0].softMgPerKgPerHour; });

let browser, dir;
before(async () => {
  browser = await launch();
  dir = mkdtempSync(join(tmpdir(), 'kp-review-'));
  for (const [name, text] of [['one-change.json', oneChange], ['tests-pass.json', withTests(100)], ['tests-fail.json', withTests(120)], ['broken.json', broken], ['shipped.json', shipped]]) {
    writeFileSync(join(dir, name), text);
  }
});
after(async () => { try { await browser.close(); } finally { rmSync(dir, { recursive: true, force: true }); } });

async function openReview() {
  const page = await browser.context.newPage();
  const log = { errors: [], requests: [] };
  page.on('console', (m) => { if (m.type() === 'error') log.errors.push(m.text()); });
  page.on('pageerror', (e) => log.errors.push(String(e)));
  page.on('request', (r) => log.requests.push(r.url()));
  await page.goto(reviewUrl);
  await page.waitForSelector('body[data-ready=true]');
  return { page, log };
}

async function open(page, name, input = '#file') {
  await page.setInputFiles(input, join(dir, name));
  await page.waitForFunction((n) => document.querySelector('#status').textContent.startsWith(n), name);
  return (await page.textContent('#status')).trim();
}

const diffRows = (page) => page.$$eval('table.diff tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));

test('a one-value change: valid, its SHA-256, and exactly that difference against the built-in library, with units', async () => {
  const { page, log } = await openReview();
  assert.match(await page.textContent('#versions'), /built-in library 2026\.11\.1 \(SHA-256 [0-9a-f]{8}\)/);
  assert.match(await open(page, 'one-change.json'), /one-change\.json: valid\. Library version 2026\.11\.1, 8 protocols\./);
  assert.equal(await page.textContent('[data-field=sha256]'), sha(oneChange));
  assert.equal(await page.textContent('[data-role=diff-count]'), '1 values differ. Paths name list entries by their id.');
  assert.deepEqual(await diffRows(page), [['/protocols/walter-reed-outpatient/caps/0/mgPerHour', '120 mg/h', '100 mg/h']]);
  // Every protocol is shown as a table of its values.
  const protocols = await page.$$eval('section.protocol h3', (h) => h.map((x) => x.textContent));
  assert.equal(protocols.length, 8);
  const wrRows = await page.$$eval('section.protocol', (s) => Object.fromEntries([...s[0].querySelectorAll('tr')].map((tr) => [tr.children[0].textContent, tr.children[1].textContent])));
  assert.equal(wrRows.Caps, '100 mg/h');
  assert.equal(wrRows.Dose, 'start 1.5 mg/kg/h');
  assert.equal(wrRows.Session, '240 min (from 240 to 300 min)');
  assert.deepEqual(log.errors, []);
  assert.deepEqual(log.requests, [reviewUrl], 'nothing is fetched');
  await page.close();
});

test('the library\'s own test cases run; a case that does not hold fails visibly; the shipped cases are said to be skipped', async () => {
  const { page } = await openReview();
  await open(page, 'tests-pass.json');
  assert.match(await page.textContent('[data-role=self-test]'), /Self-test passed: 1 of 1 cases\..*17 shipped cases \(rates, PK\) are for the default library/s);
  await open(page, 'tests-fail.json');
  const text = await page.textContent('[data-role=self-test]');
  assert.match(text, /SELF-TEST FAILED: 1 of 1 cases failed/);
  assert.match(text, /levels\.0\.mlPerHour: 100 mL\/h \(reference 120 mL\/h\)/);
  // The built-in library itself runs every shipped case.
  await open(page, 'shipped.json');
  assert.match(await page.textContent('[data-role=self-test]'), /Self-test passed: 17 of 17 cases\./);
  assert.equal(await page.textContent('[data-role=diff-count]'), 'No differences: every value is the same.');
  await page.close();
});

test('a broken file is refused with its problems at their paths, and the library shown before stays', async () => {
  const { page } = await openReview();
  await open(page, 'one-change.json');
  const status = await open(page, 'broken.json');
  assert.match(status, /broken\.json was not opened: it is not a valid protocol library\. Problems: 1/);
  assert.deepEqual(await page.$$eval('#problems li code', (c) => c.map((x) => x.textContent)), ['/drugs/0/softMgPerKgPerHour']);
  assert.equal(await page.textContent('[data-field=sha256]'), sha(oneChange), 'the reviewed library is kept');
  await page.close();
});

test('compared against another file: the differences between the two', async () => {
  const { page } = await openReview();
  await open(page, 'tests-pass.json');
  await page.setInputFiles('#compare-file', join(dir, 'one-change.json'));
  await page.waitForFunction(() => /one-change\.json/.test(document.querySelector('[data-role=diff]').textContent));
  const rows = await diffRows(page);
  assert.deepEqual(rows.map((r) => r[0]), ['/tests/0']);
  assert.equal(await page.textContent('[data-field=sha256]'), sha(withTests(100)), 'the reviewed library is still the one in use');
  await page.click('#compare-built-in');
  assert.deepEqual((await diffRows(page)).map((r) => r[0]), ['/protocols/walter-reed-outpatient/caps/0/mgPerHour', '/tests/0']);
  await page.close();
});

test('the review sheet needs two different names, then prints them with the version and full SHA-256', async () => {
  const { page } = await openReview();
  await page.evaluate(() => { window.print = () => { window.__printed = (window.__printed || 0) + 1; }; });
  await page.click('#print');
  assert.equal(await page.textContent('#sign-msg'), 'Open a valid library first.');
  await open(page, 'one-change.json');
  await page.click('#print');
  assert.equal(await page.textContent('#sign-msg'), 'Enter the reviewer\'s and the approver\'s names.');
  await page.fill('#reviewer', 'A. Pharmacist');
  await page.fill('#approver', ' a. pharmacist ');
  await page.click('#print');
  assert.equal(await page.textContent('#sign-msg'), 'The approver must be another person than the reviewer.');
  assert.equal(await page.evaluate(() => window.__printed || 0), 0, 'nothing printed without two people');
  await page.fill('#approver', 'B. Physician');
  await page.click('#print');
  assert.equal(await page.evaluate(() => window.__printed), 1);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.textContent('[data-field=reviewer]'), 'A. Pharmacist');
  assert.equal(await page.textContent('[data-field=approver]'), 'B. Physician');
  const printed = await page.textContent('#sheet .printed');
  assert.ok(printed.includes(sha(oneChange)), printed);
  assert.equal(await page.isVisible('#sheet'), true);
  assert.equal(await page.isVisible('#print'), false, 'buttons are not printed');
  // Every printed page names the library and its hash (page margin boxes).
  const header = await page.evaluate(() => document.adoptedStyleSheets.map((s) => [...s.cssRules].map((r) => r.cssText).join('\n')).join('\n'));
  assert.match(header, new RegExp(`@top-left \\{ content: "Library review: 2026\\.11\\.1 \\(SHA-256 ${sha(oneChange).slice(0, 8)}\\), reviewed by A\\. Pharmacist, approved by B\\. Physician"`));
  assert.match(header, /counter\(page\).*counter\(pages\)/);
  await page.close();
});

test('axe-core: no violation, best practice included, empty, with a library open, refused, and dark', async () => {
  const { page } = await openReview();
  assert.deepEqual(await axeViolations(page), [], 'empty');
  await open(page, 'tests-fail.json');
  assert.deepEqual(await axeViolations(page), [], 'a library open, its failing case shown');
  await open(page, 'broken.json');
  assert.deepEqual(await axeViolations(page), [], 'a file refused');
  await page.emulateMedia({ colorScheme: 'dark' });
  assert.deepEqual(await axeViolations(page), [], 'dark');
  await page.close();
});
