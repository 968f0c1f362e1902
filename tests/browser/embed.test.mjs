// The embedding: www/index.html served over loopback with the strict CSP the
// README documents, two elements and a double <script> include on one page,
// and a hostile host stylesheet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, openPage, assertClean, planner, root } from './helpers.mjs';
import { startServer, CSP } from '../../scripts/serve.mjs';

let browser, server;
before(async () => {
  browser = await launch();
  server = await startServer({
    port: 0,
    mounts: [['/dist/', join(root, 'dist')], ['/fixtures/', join(root, 'tests/browser/fixtures')], ['/', join(root, 'www')]],
  });
});
after(async () => { try { await browser.close(); } finally { await server.close(); } });

test('the server sends the strict CSP', async () => {
  const res = await fetch(server.url);
  assert.equal(res.status, 200);
  const csp = res.headers.get('content-security-policy');
  assert.equal(csp, CSP);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
  const traversal = await fetch(new URL('/dist/..%2f..%2fCargo.toml', server.url));
  assert.equal(traversal.status, 404, 'no path traversal');
});

test('www/index.html works under its CSP: no inline script, no violation, only its own files', async () => {
  const { page, log } = await openPage(browser.context, server.url);
  const inline = await page.evaluate(() => [...document.scripts].filter((s) => !s.src).length);
  assert.equal(inline, 0, 'no inline script on the demo page');
  const p = planner(page);
  await p.choose('protocol', 'schwartzman-2009');
  await p.type('weightKg', '70');
  await p.type('concentrationMgPerMl', '1');
  assert.equal(await p.text('mlPerHour'), '24.5 mL/h');
  // The host page hears the event (bubbles, composed) and shows the core's text.
  assert.match(await page.locator('#host-note').textContent(), /received plan-change: .*24\.5 mL\/h/);
  // The demo's theme reaches the element through custom properties only.
  const accent = await p.out('mlPerHour').evaluate((e) => getComputedStyle(e.closest('.pump')).borderTopColor);
  assert.equal(accent, 'rgb(23, 107, 102)');
  // The element adopted its stylesheet (style-src 'self' would block a <style>).
  const adopted = await page.locator('ketamine-planner').evaluate((h) => h.shadowRoot.adoptedStyleSheets.length);
  assert.equal(adopted, 1);
  const base = server.url;
  await assertClean(page, log, [base, `${base}demo.css`, `${base}dist/ketamine-planner.js`, `${base}demo.js`]);
  await page.close();
});

test('two elements and the script included twice: one definition, one API, independent plans', async () => {
  const url = new URL('/fixtures/twice.html', server.url).href;
  const { page, log } = await openPage(browser.context, url);
  await page.locator('#b [name=protocol]').waitFor();
  const same = await page.evaluate(() => window.__firstPlanner === window.KetaminePlanner);
  assert.equal(same, true, 'the second include kept the first API object');
  const a = planner(page, '#a');
  const b = planner(page, '#b');
  assert.equal(await a.field('protocol').inputValue(), 'schwartzman-2009');
  assert.equal(await b.field('protocol').inputValue(), 'walter-reed-outpatient');
  await a.type('weightKg', '70');
  await b.type('weightLb', '176.3698097');
  assert.equal(await a.text('mlPerHour'), '24.5 mL/h');
  assert.equal(await b.text('mlPerHour'), '60 mL/h');
  // Editing one leaves the other alone.
  await a.type('weightKg', '1..2');
  assert.equal(await a.text('mlPerHour'), '');
  assert.equal(await b.text('mlPerHour'), '60 mL/h');
  const events = await page.evaluate(() => window.__planEvents.map((e) => e.target));
  assert.ok(events.includes('a') && events.includes('b'));
  // The hostile host stylesheet does not reach inside.
  const style = await a.field('weightKg').evaluate((e) => {
    const s = getComputedStyle(e);
    return { font: s.fontFamily, color: s.color, display: s.display };
  });
  assert.doesNotMatch(style.font, /Comic/);
  assert.notEqual(style.color, 'rgb(255, 0, 255)');
  assert.notEqual(style.display, 'none');
  assert.equal(await b.out('mlPerHour').isVisible(), true);
  const origin = new URL(server.url).origin;
  await assertClean(page, log, [url, `${origin}/fixtures/hostile.css`, `${origin}/fixtures/mark.js`, `${origin}/dist/ketamine-planner.js`]);
  await page.close();
});
