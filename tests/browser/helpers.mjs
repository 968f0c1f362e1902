// Shared helpers for the browser tests: one headless Chromium per test file,
// pages that record console errors, page errors, CSP violations and every
// network request, and small drivers for the <ketamine-planner> element.
import { chromium } from 'playwright-core';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const distHtml = join(root, 'dist/ketamine-planner.html');
export const distJs = join(root, 'dist/ketamine-planner.js');
export const offlineUrl = pathToFileURL(distHtml).href;

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];

export async function launch() {
  for (const f of [distHtml, distJs]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run scripts/build.sh first`);
  }
  const userDataDir = mkdtempSync(join(tmpdir(), 'kp-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() { await context.close(); rmSync(userDataDir, { recursive: true, force: true }); },
  };
}

/**
 * A fresh page that records what a test must assert about: console errors,
 * uncaught page errors, CSP violations, and every request the page makes.
 */
export async function openPage(context, url, { viewport } = {}) {
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const log = { consoleErrors: [], pageErrors: [], requests: [] };
  page.on('console', (m) => { if (m.type() === 'error') log.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => log.pageErrors.push(String(e && e.message || e)));
  page.on('request', (r) => log.requests.push(r.url()));
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
    window.__planEvents = [];
    document.addEventListener('plan-change', (e) => {
      window.__planEvents.push({ target: e.target.id || e.target.localName, composed: e.composed, bubbles: e.bubbles, plan: e.detail });
    });
  });
  await page.goto(url);
  await ready(page);
  return { page, log };
}

/** Waits until the engine is up and the element has built its form. */
export async function ready(page, host = 'ketamine-planner') {
  await page.waitForFunction(() => window.KetaminePlanner !== undefined);
  await page.evaluate(() => window.KetaminePlanner.ready);
  await page.locator(`${host} [name=protocol]`).first().waitFor();
}

/** Asserts nothing went wrong on the page and no request left its own files. */
export async function assertClean(page, log, allowed) {
  const csp = await page.evaluate(() => window.__csp);
  assert.deepEqual(log.pageErrors, [], 'uncaught page errors');
  assert.deepEqual(log.consoleErrors, [], 'console errors');
  assert.deepEqual(csp, [], 'CSP violations');
  const foreign = log.requests.filter((u) => !allowed.some((a) => (a instanceof RegExp ? a.test(u) : u === a)));
  assert.deepEqual(foreign, [], 'requests beyond the page\'s own files');
}

/** Locators and drivers scoped to one <ketamine-planner>. */
export function planner(page, host = 'ketamine-planner') {
  const el = (sel) => page.locator(`${host} ${sel}`).first();
  const field = (name) => el(`[name="${name}"]`);
  const out = (name) => el(`[data-field="${name}"]`);
  return {
    el, field, out,
    async choose(name, value) { await field(name).selectOption(value); },
    /** Types a value, then waits as a person pausing would: while typing, the
     * panels below the pump card are not drawn (element.js, _typing). */
    async type(name, value) {
      await field(name).fill(value);
      await page.locator(host).first().evaluate((h) => new Promise((done) => {
        const wait = () => (h.shadowRoot.querySelector('.results[data-typing]') ? setTimeout(wait, 20) : done());
        wait();
      }));
    },
    async text(name) { return (await out(name).textContent()).trim(); },
    /** The message shown at the field whose input has this name. */
    async message(name) {
      return page.locator(host).first().evaluate((h, n) => {
        const input = h.shadowRoot.querySelector(`[name="${n}"]`);
        const ids = (input.getAttribute('aria-describedby') || '').split(/\s+/);
        const msg = ids.map((id) => h.shadowRoot.getElementById(id)).find((m) => m && m.classList.contains('msg'));
        return { text: msg ? msg.textContent.trim() : null, invalid: input.getAttribute('aria-invalid'), visible: !!(msg && msg.offsetParent) };
      }, name);
    },
    async plan() { return page.locator(host).first().evaluate((h) => h.plan); },
    async confirmedState() { return out('confirmed').getAttribute('data-state'); },
  };
}

/** Every text a result element shows, to check that nothing stale stays. */
export async function resultTexts(page, host = 'ketamine-planner') {
  return page.locator(host).first().evaluate((h) => {
    const r = h.shadowRoot.querySelector('.results');
    const texts = {};
    for (const el of r.querySelectorAll('[data-field]')) texts[el.getAttribute('data-field')] = el.textContent.trim();
    texts.ladder = r.querySelector('[data-role=ladder]').textContent.trim();
    return texts;
  });
}

/** The element that has keyboard focus, looking through shadow roots. */
export async function focused(page) {
  return page.evaluate(() => {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    return a ? { tag: a.localName, name: a.getAttribute('name'), type: a.getAttribute('type'), text: a.textContent.trim(), value: a.value } : null;
  });
}

/** Presses Tab until `match(focused)` holds; fails after `max` presses. */
export async function tabTo(page, match, max = 60) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (f && match(f)) return f;
  }
  throw new Error('not reachable with Tab: ' + match);
}
