// The permalink (issue 12, first part): the inputs in the URL fragment with
// the versions and the rate they gave; a round trip for every protocol, a
// link from another library version, and 50 corrupted links refused whole.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openPage, assertClean, planner, offlineUrl, root } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

/** The same checksum as www/element/link.js (FNV-1a, 32 bits), to forge a link from another library. */
function fnv(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
const b64url = (s) => Buffer.from(s, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

async function linkFor(page) {
  return page.locator('ketamine-planner').evaluate((h) => h.permalink);
}

async function opened(url) {
  const { page, log } = await openPage(browser.context, url);
  const p = planner(page);
  const state = {
    note: (await p.el('[data-role=link-note]').isVisible()) ? (await p.el('[data-role=link-text]').textContent()) : '',
    protocol: await p.field('protocol').inputValue(),
    weight: await p.el('#f-weight').inputValue(),
    concentration: await p.field('concentrationMgPerMl').inputValue(),
    rate: await p.text('mlPerHour'),
  };
  await assertClean(page, log, [offlineUrl, url]);
  await page.close();
  return state;
}

test('a link restores the inputs exactly and recomputes, for every protocol; acknowledgements stay with the reader', async () => {
  const { page } = await openPage(browser.context, offlineUrl);
  const ids = await page.evaluate(() => KetaminePlanner.library().protocols.map((p) => p.id));
  const p = planner(page);
  for (const id of ids) {
    await p.choose('protocol', id);
    if (id === 'custom') await p.type('startDose', '0.2');
    await p.type('weightKg', '72.5');
    await p.type('concentrationMgPerMl', id.includes('ward') ? '5' : '1');
    const rate = await p.text('mlPerHour');
    const link = await linkFor(page);
    assert.match(link, /^file:.*#plan=[A-Za-z0-9_-]+\.[0-9a-f]{8}$/);
    const back = await opened(link);
    assert.deepEqual([back.protocol, back.weight, back.concentration, back.rate], [id, '72.5', id.includes('ward') ? '5' : '1', rate], id);
    assert.match(back.note, /Inputs restored from the link/);
  }
  // The printed sheet names the inputs by their link's last 8 characters (its checksum).
  await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
  const printed = await p.el('[data-role=printed]').textContent();
  assert.ok(printed.includes(`inputs ${(await linkFor(page)).slice(-8)} ·`), printed);
  // Walter Reed's soft alert was acknowledged here: the link opens it unacknowledged.
  await p.choose('protocol', 'walter-reed-outpatient');
  await p.type('concentrationMgPerMl', '2');
  await p.el('[data-field=alerts] input[name=acknowledged]').check();
  assert.equal(await p.confirmedState(), 'true');
  const link = await linkFor(page);
  const { page: other } = await openPage(browser.context, link);
  assert.equal(await planner(other).confirmedState(), 'false');
  await other.close();
  await page.close();
});

test('a link from another library version says what changes and applies nothing until asked', async () => {
  const payload = b64url(JSON.stringify({ schema: 'ketamine-planner/link@1', planner: '0.0.9', library: '2025.1.0', rate: '58 mL/h',
    form: { protocol: 'schwartzman-2009', weightKg: '70', concentrationMgPerMl: '1' } }));
  const url = `${offlineUrl}#plan=${payload}.${fnv(payload)}`;
  const { page, log } = await openPage(browser.context, url);
  const p = planner(page);
  // 0.35 mg/kg/h x 70 kg = 24.5 mg/h at 1 mg/mL with this library.
  assert.match(await p.el('[data-role=link-text]').textContent(), /library 2025\.1\.0 \(pump rate then: 58 mL\/h\).*give: 24\.5 mL\/h/);
  assert.equal(await p.field('protocol').inputValue(), '', 'nothing applied yet');
  await p.el('[data-action=use-link]').click();
  assert.equal(await p.text('mlPerHour'), '24.5 mL/h');
  await assertClean(page, log, [offlineUrl, url]);
  await page.close();
  // The same version with other contents (another hash) is another library too.
  const version = JSON.parse(readFileSync(join(root, 'data/library.json'), 'utf8')).version;
  const same = b64url(JSON.stringify({ schema: 'ketamine-planner/link@1', planner: '0.1.0', library: `${version} (SHA-256 deadbeef)`, rate: '30 mL/h',
    form: { protocol: 'schwartzman-2009', weightKg: '70', concentrationMgPerMl: '1' } }));
  const { page: twin } = await openPage(browser.context, `${offlineUrl}#plan=${same}.${fnv(same)}`);
  const note = await planner(twin).el('[data-role=link-text]').textContent();
  assert.ok(note.includes(`library ${version} (SHA-256 deadbeef) (pump rate then: 30 mL/h)`), note);
  assert.match(note, /planner's library [\d.]+ \(SHA-256 [0-9a-f]{8}\) the same inputs give: 24\.5 mL\/h/);
  assert.equal(await planner(twin).field('protocol').inputValue(), '', 'nothing applied yet');
  await twin.close();
});

test('50 cut, altered or foreign links restore nothing and say why', async () => {
  const { page } = await openPage(browser.context, offlineUrl);
  const p = planner(page);
  await p.choose('protocol', 'schwartzman-2009');
  await p.type('weightKg', '70');
  await p.type('concentrationMgPerMl', '1');
  const good = await linkFor(page);
  await page.close();
  const hash = good.slice(good.indexOf('#'));
  const bad = [];
  for (let i = 1; i <= 20; i++) bad.push(hash.slice(0, Math.floor(hash.length * i / 21))); // cut short
  for (let i = 0; i < 20; i++) { // one character changed
    const at = 7 + Math.floor((hash.length - 8) * i / 20);
    bad.push(hash.slice(0, at) + (hash[at] === 'A' ? 'B' : 'A') + hash.slice(at + 1));
  }
  const foreign = (obj) => { const b = b64url(JSON.stringify(obj)); return `#plan=${b}.${fnv(b)}`; };
  bad.push(foreign({ schema: 'other/link@1', form: {} }), foreign({ schema: 'ketamine-planner/link@1', form: [] }), foreign([1, 2]),
    foreign({ schema: 'ketamine-planner/link@1', library: 'x', form: { protocol: 'schwartzman-2009', weightKilos: '70' } }),
    foreign({ schema: 'ketamine-planner/link@1', library: 'x', form: { protocol: 'schwartzman-2009', weightKg: 70 } }),
    foreign({ schema: 'ketamine-planner/link@1', library: 'x', form: { protocol: 'schwartzman-2009', weightKg: '70', acknowledged: ['dose_above_soft_limit'] } }),
    '#plan=!!!.00000000', '#plan=', `#plan=${b64url('not json')}.${fnv(b64url('not json'))}`, '#plan=e30.' + fnv('e30').replace(/./, 'x'));
  assert.equal(bad.length, 50);
  for (const h of bad) {
    const s = await opened(offlineUrl + h.replace(/^#?/, '#'));
    if (h === hash) continue;
    assert.equal(s.protocol, '', `restored from ${h}`);
    assert.match(s.note, /nothing was restored|not a ketamine planner link/, h);
  }
});

test('the printed sheet carries the link as a QR code that an independent decoder reads back', async () => {
  // jsQR's decoder (a dev dependency; the page draws with lean-qr): an independent reading.
  const decoder = readFileSync(join(root, 'node_modules/jsqr/dist/jsQR.js'), 'utf8');
  const { page } = await openPage(browser.context, offlineUrl);
  const p = planner(page);
  await p.choose('protocol', 'schwartzman-2009');
  await p.type('weightKg', '70');
  await p.type('concentrationMgPerMl', '1');
  await page.evaluate(() => { window.print = () => {}; });
  await p.el('[data-action=print]').click();
  const link = await linkFor(page);
  await page.evaluate(decoder);
  const read = await page.locator('ketamine-planner').evaluate(async (h) => {
    const svg = h.shadowRoot.querySelector('[data-role=qr] svg');
    const size = svg.viewBox.baseVal.width * 8; // 8 px a module (the page draws 1 unit a module)
    const img = new Image();
    img.src = 'data:image/svg+xml;base64,' + btoa(new XMLSerializer().serializeToString(svg));
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = size;
    const g = canvas.getContext('2d');
    g.imageSmoothingEnabled = false;
    g.drawImage(img, 0, 0, size, size);
    const { data } = g.getImageData(0, 0, size, size);
    const got = window.jsQR(data, size, size);
    return got && { text: got.data, chunks: got.chunks.map((c) => (c.type === 'eci' ? 'eci ' + c.assignmentNumber : c.type)) };
  });
  assert.equal(read.text, link);
  // lean-qr's nano encoder writes the link as bytes after ECI 26 (UTF-8).
  assert.deepEqual(read.chunks, ['eci 26', 'byte']);
  await page.close();
});
