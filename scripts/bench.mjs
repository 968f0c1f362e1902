#!/usr/bin/env node
// Benchmark of the shipped calculator (prints figures; pass/fail is not its job):
//   - size of dist/ketamine-planner.html, raw and gzipped (gzip -9)
//   - time from navigation to the first rendered plan, opened from file://
//   - input-to-render latency over a few hundred edits (median, p95, max)
// in headless Chromium (/usr/bin/chromium). Goals printed beside the figures:
// <= 120 KB gzipped; first plan < 150 ms; p95 input-to-render < 8 ms.
// usage: node scripts/bench.mjs [--runs 7] [--edits 300]
import { chromium } from 'playwright-core';
import { readFileSync, mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const RUNS = arg('runs', 7);
const EDITS = arg('edits', 300);
const html = join(root, 'dist/ketamine-planner.html');
const url = pathToFileURL(html).href;

const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]; };
const ms = (x) => `${x.toFixed(2)} ms`;
const verdict = (ok) => (ok ? 'meets goal' : 'MISSES goal');

// --- size -------------------------------------------------------------------
const bytes = readFileSync(html);
const gz = gzipSync(bytes, { level: 9 }).length;
const js = readFileSync(join(root, 'dist/ketamine-planner.js'));
const jsGz = gzipSync(js, { level: 9 }).length;

// --- browser ----------------------------------------------------------------
const profile = mkdtempSync(join(tmpdir(), 'kp-bench-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, viewport: { width: 1280, height: 900 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});

// In the page before any script: as soon as the element says its form is
// ready, set protocol, weight and concentration in that same task (as fast as
// a person could not) and record when the first plan is in the DOM.
const firstPlanHook = () => {
  window.__bench = {};
  document.addEventListener('planner-ready', (e) => {
    const root = e.target.shadowRoot;
    window.__bench.ready = performance.now();
    const set = (name, value) => {
      const el = root.querySelector(`[name="${name}"]`);
      el.value = value;
      el.dispatchEvent(new Event(el.localName === 'select' ? 'change' : 'input', { bubbles: true }));
    };
    set('protocol', 'schwartzman-2009');
    set('concentrationMgPerMl', '1');
    set('weightKg', '70');
  });
  document.addEventListener('plan-change', (e) => {
    if (e.detail && window.__bench.firstPlan === undefined) {
      window.__bench.firstPlan = performance.now();
      window.__bench.rate = e.target.shadowRoot.querySelector('[data-field=mlPerHour]').textContent;
      requestAnimationFrame(() => setTimeout(() => { window.__bench.painted = performance.now(); }, 0));
    }
  });
};

const first = [];
for (let i = 0; i < RUNS; i++) {
  const page = await context.newPage();
  await page.addInitScript(firstPlanHook);
  await page.goto(url);
  await page.waitForFunction(() => window.__bench && window.__bench.painted !== undefined, null, { timeout: 30000 });
  const b = await page.evaluate(() => window.__bench);
  if (b.rate !== '24.5 mL/h') throw new Error(`unexpected first plan: ${b.rate}`);
  first.push(b);
  await page.close();
}

// Input-to-render: each edit sets an input's value and dispatches `input` like
// typing does. The element recomputes and renders in that task; the timeline
// drawing follows in the next animation frame, before paint. Per edit:
//   sync  = dispatch -> DOM updated -> forced style and layout of the results
//   frame = sync + the work of the next frame up to our rAF callback (the
//           deferred timeline redraw and a forced layout), idle time excluded
async function latency(protocol, values, extra = {}) {
  const page = await context.newPage();
  await page.goto(url);
  await page.evaluate(() => window.KetaminePlanner.ready);
  await page.waitForFunction(() => document.querySelector('ketamine-planner').shadowRoot.querySelector('[name=protocol]'));
  return page.evaluate(async ({ protocol, values, extra, edits }) => {
    const root = document.querySelector('ketamine-planner').shadowRoot;
    const set = (name, value, type = 'input') => {
      const el = root.querySelector(`[name="${name}"]`);
      el.value = value;
      el.dispatchEvent(new Event(type, { bubbles: true }));
    };
    set('protocol', protocol, 'change');
    set('concentrationMgPerMl', '1');
    for (const [k, v] of Object.entries(extra)) set(k, v);
    const weight = root.querySelector('[name=weightKg]');
    const results = root.querySelector('.results');
    const sync = [], frame = [];
    for (let i = 0; i < edits + 20; i++) {
      const t0 = performance.now();
      weight.value = values[i % values.length];
      weight.dispatchEvent(new Event('input', { bubbles: true }));
      results.getBoundingClientRect();
      const t1 = performance.now();
      const inFrame = await new Promise((done) => requestAnimationFrame((frameStart) => {
        results.getBoundingClientRect();
        done(performance.now() - Math.max(frameStart, t1));
      }));
      if (i >= 20) { sync.push(t1 - t0); frame.push(t1 - t0 + inFrame); } // the first edits warm up the JIT
    }
    return { sync, frame };
  }, { protocol, values, extra, edits: EDITS }).finally(() => page.close());
}

// Typing a weight digit by digit, with a bad entry now and then.
const typing = ['7', '70', '70.', '70.5', '7', '', '8', '80', '80..', '80', '1e3', '65', '6', '60'];
const scenarios = [
  ['schwartzman-2009: one rate, 10-session calendar and timeline', 'schwartzman-2009', {}],
  ['getson-inpatient: 5-level ladder, 5-day infusion', 'getson-inpatient', {}],
  ['walter-reed-outpatient: soft alert, height and sex for AdjBW', 'walter-reed-outpatient', { heightCm: '175', sex: 'male' }],
];
const lat = [];
for (const [label, protocol, extra] of scenarios) lat.push([label, await latency(protocol, typing, extra)]);
await context.close();
rmSync(profile, { recursive: true, force: true });

// --- report -----------------------------------------------------------------
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const firstPlan = first.map((b) => b.firstPlan);
const painted = first.map((b) => b.painted);
const ready = first.map((b) => b.ready);
const all = lat.flatMap(([, t]) => t.sync);
const allFrame = lat.flatMap(([, t]) => t.frame);
const p95 = quantile(all, 0.95);
const med = quantile(first.map((b) => b.firstPlan), 0.5);
console.log(`Ketamine planner benchmark (headless Chromium, ${RUNS} loads, ${EDITS} edits per scenario)`);
console.log('');
console.log(`size  dist/ketamine-planner.html  raw ${kb(bytes.length)}  gzip ${kb(gz)}   goal <= 120 KB gzip: ${verdict(gz <= 120 * 1024)}`);
console.log(`      dist/ketamine-planner.js    raw ${kb(js.length)}  gzip ${kb(jsGz)}`);
console.log('');
console.log(`first plan, navigation -> plan in the DOM (file://): median ${ms(med)}, worst ${ms(Math.max(...firstPlan))}   goal < 150 ms: ${verdict(med < 150)}`);
console.log(`      engine ready and form built: median ${ms(quantile(ready, 0.5))}; next frame painted: median ${ms(quantile(painted, 0.5))}`);
console.log('');
for (const [label, t] of lat) {
  console.log(`input-to-render  ${label}:`);
  console.log(`      in the input task: median ${ms(quantile(t.sync, 0.5))}, p95 ${ms(quantile(t.sync, 0.95))}, max ${ms(Math.max(...t.sync))}` +
    `;  with the next frame's work: median ${ms(quantile(t.frame, 0.5))}, p95 ${ms(quantile(t.frame, 0.95))}`);
}
console.log(`input-to-render  all ${all.length} edits: median ${ms(quantile(all, 0.5))}, p95 ${ms(p95)}   goal p95 < 8 ms: ${verdict(p95 < 8)}`);
console.log(`      with the next frame's work (timeline redraw): median ${ms(quantile(allFrame, 0.5))}, p95 ${ms(quantile(allFrame, 0.95))}`);
const load = (await import('node:os')).loadavg()[0];
console.log(`(machine load average ${load.toFixed(2)} on ${(await import('node:os')).cpus().length} cores: figures are noisy when other work runs)`);

mkdirSync(join(root, '.bench'), { recursive: true });
writeFileSync(join(root, '.bench/last.json'), JSON.stringify({
  sizeRaw: bytes.length, sizeGzip: gz, firstPlanMs: firstPlan, readyMs: ready, paintedMs: painted,
  latency: Object.fromEntries(lat.map(([l, t]) => [l, {
    sync: { median: quantile(t.sync, 0.5), p95: quantile(t.sync, 0.95), max: Math.max(...t.sync) },
    frame: { median: quantile(t.frame, 0.5), p95: quantile(t.frame, 0.95) },
  }])),
}, null, 1));
