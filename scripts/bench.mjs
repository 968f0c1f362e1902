#!/usr/bin/env node
// Benchmark of the shipped calculator (prints figures; pass/fail is not its job):
//   - size of dist/ketamine-planner.html, raw and gzipped (gzip -9)
//   - time from navigation to the first rendered plan, opened from file://
//   - input-to-render latency over a few hundred edits (median, p95, max)
//   - the concentration preview (issue 5) at 1-minute resolution, for a 5-day
//     continuous infusion and a 10-session course: KetaminePlanner.simulate
//     (the exact solver and the SVG string) and drawing that SVG as the element
//     does (parsed and inserted in an animation frame, until painted)
// in headless Chromium (/usr/bin/chromium). Goals printed beside the figures:
// <= 150,000 bytes gzipped; first plan < 150 ms; p95 input-to-render < 8 ms; the
// whole 5-day curve (7,200 points) computed and drawn within one animation
// frame (under 16 ms).
// usage: node scripts/bench.mjs [--runs 7] [--edits 300] [--preview-runs 30] [--preview-only]
import { chromium } from 'playwright-core';
import { readFileSync, mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const RUNS = arg('runs', 7);
const EDITS = arg('edits', 300);
const PREVIEW_RUNS = arg('preview-runs', 30);
const PREVIEW_ONLY = process.argv.includes('--preview-only');
const html = join(root, 'dist/ketamine-planner.html');
const url = pathToFileURL(html).href;
// The floor: a hand-written page that does the least a rate calculator can
// (bench/floor.html). Issue 14's goals are ratios to it, measured in the same
// interleaved run, so a slow or busy machine moves both alike.
const floorUrl = pathToFileURL(join(root, 'bench/floor.html')).href;

const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]; };
const ms = (x) => `${x.toFixed(2)} ms`;
const verdict = (ok) => (ok ? 'meets goal' : 'MISSES goal');

// --- size -------------------------------------------------------------------
// GNU gzip -9, as size.sh and a web server's static gzip measure it (zlib's
// level 9 comes out a few hundred bytes smaller); zlib only without gzip.
const gzipped = (path) => {
  try { return execFileSync('gzip', ['-9c', path], { maxBuffer: 1 << 26 }).length; }
  catch { return gzipSync(readFileSync(path), { level: 9 }).length; }
};
const bytes = readFileSync(html);
const gz = gzipped(html);
const js = readFileSync(join(root, 'dist/ketamine-planner.js'));
const jsGz = gzipped(join(root, 'dist/ketamine-planner.js'));

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
    const root = e.target.shadowRoot || document; // the floor page has no shadow root
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
      window.__bench.rate = (e.target.shadowRoot || document).querySelector('[data-field=mlPerHour]').textContent;
      requestAnimationFrame(() => setTimeout(() => { window.__bench.painted = performance.now(); }, 0));
    }
  });
};

async function firstPlan(pageUrl) {
  const page = await context.newPage();
  await page.addInitScript(firstPlanHook);
  await page.goto(pageUrl);
  await page.waitForFunction(() => window.__bench && window.__bench.painted !== undefined, null, { timeout: 30000 });
  const b = await page.evaluate(() => window.__bench);
  if (b.rate !== '24.5 mL/h') throw new Error(`unexpected first plan on ${pageUrl}: ${b.rate}`);
  await page.close();
  return b;
}
const first = [], floorFirst = [];
for (let i = 0; i < (PREVIEW_ONLY ? 0 : RUNS); i++) { // interleaved: floor, planner, floor, planner...
  floorFirst.push(await firstPlan(floorUrl));
  first.push(await firstPlan(url));
}

// Input-to-render: each edit sets an input's value and dispatches `input` like
// typing does. The element recomputes and renders in that task; the timeline
// drawing follows in the next animation frame, before paint. Per edit:
//   sync  = dispatch -> DOM updated -> forced style and layout of the results
//   frame = sync + the work of the next frame up to our rAF callback (the
//           deferred timeline redraw and a forced layout), idle time excluded
async function latency(protocol, values, extra = {}, pageUrl = url) {
  const page = await context.newPage();
  await page.goto(pageUrl);
  if (pageUrl === url) {
    await page.evaluate(() => window.KetaminePlanner.ready);
    await page.waitForFunction(() => document.querySelector('ketamine-planner').shadowRoot.querySelector('[name=protocol]'));
  }
  return page.evaluate(async ({ protocol, values, extra, edits }) => {
    const host = document.querySelector('ketamine-planner');
    const root = host ? host.shadowRoot : document;
    const set = (name, value, type = 'input') => {
      const el = root.querySelector(`[name="${name}"]`);
      el.value = value;
      el.dispatchEvent(new Event(type, { bubbles: true }));
    };
    set('protocol', protocol, 'change');
    set('concentrationMgPerMl', '1');
    for (const [k, v] of Object.entries(extra)) set(k, v);
    const weight = root.querySelector('[name=weightKg]');
    const results = root.querySelector('.results') || document.body;
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
const lat = [], floorLat = [];
if (!PREVIEW_ONLY) {
  for (const [label, protocol, extra] of scenarios) { // each planner scenario beside a floor run
    floorLat.push(await latency('schwartzman-2009', typing, {}, floorUrl));
    lat.push([label, await latency(protocol, typing, extra)]);
  }
}

// Concentration preview. Per run, in a fresh task after a frame:
//   compute = KetaminePlanner.simulate(request, options): plan, exact solver
//             at every output minute, overlays, the SVG string
//   draw    = in the next animation frame, as the element's kpSetSvg does:
//             parse the SVG (DOMParser), strip scripts and handlers, import and
//             insert it into an 800 px slot, then style, layout and paint, up to
//             the first task after that frame (a message posted in the rAF)
//   total   = compute + draw (the wait for the frame itself excluded)
async function preview(request, options) {
  const page = await context.newPage();
  await page.goto(url);
  await page.evaluate(() => window.KetaminePlanner.ready);
  return page.evaluate(async ({ request, options, runs }) => {
    const K = window.KetaminePlanner;
    const slot = document.createElement('div');
    // Out of flow, like a panel whose size does not move the rest of the page:
    // the cost measured is the SVG's, not a relayout of the calculator under it.
    slot.style.cssText = 'position: absolute; top: 0; left: 0; width: 800px; contain: layout paint; background: #fff; z-index: 1';
    document.body.prepend(slot);
    function parse(svg) { // the element's kpParseSvg
      const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
      const el = doc.documentElement;
      if (!el || el.localName !== 'svg' || doc.getElementsByTagName('parsererror').length) throw new Error('bad svg');
      const all = el.querySelectorAll('*');
      for (let i = -1; i < all.length; i++) {
        const n = i < 0 ? el : all[i];
        if (/^(script|foreignObject|iframe)$/i.test(n.localName)) { n.remove(); continue; }
        for (let j = n.attributes.length - 1; j >= 0; j--) {
          const an = n.attributes[j].name;
          if (/^on/i.test(an) || (/href$/i.test(an) && !/^#/.test(n.attributes[j].value))) n.removeAttribute(an);
        }
      }
      return document.importNode(el, true);
    }
    const nextFrame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const compute = [], draw = [], total = [], parsed = [], laid = [];
    let points = 0, svgBytes = 0, overlays = 0;
    for (let i = 0; i < runs + 3; i++) {
      slot.textContent = '';
      await nextFrame();
      const t0 = performance.now();
      const sim = K.simulate(request, options);
      const c = performance.now() - t0;
      const [d, p, l] = await new Promise((done) => requestAnimationFrame(() => {
        const f0 = performance.now();
        slot.appendChild(parse(sim.svg));
        const f1 = performance.now();
        slot.getBoundingClientRect(); // style and layout now, to tell them apart from paint
        const f2 = performance.now();
        const ch = new MessageChannel();
        ch.port1.onmessage = () => done([performance.now() - f0, f1 - f0, f2 - f1]);
        ch.port2.postMessage(0);
      }));
      points = sim.times.length; svgBytes = sim.svg.length; overlays = (sim.compare || []).length;
      if (i >= 3) { compute.push(c); draw.push(d); total.push(c + d); parsed.push(p); laid.push(l); } // the first runs warm up the JIT
    }
    return { compute, draw, total, parsed, laid, points, svgBytes, overlays };
  }, { request, options, runs: PREVIEW_RUNS }).finally(() => page.close());
}
const pkRequest = (protocol) => ({ protocol, patient: { weightKg: 70 }, concentrationMgPerMl: 1, start: '2026-12-07T08:00' });
const pkScenarios = [
  ['getson-inpatient, 70 kg, 1 mg/mL: 5-day continuous infusion', pkRequest('getson-inpatient'), { resolutionMinutes: 1 }, true],
  ['schwartzman-2009, 70 kg, 1 mg/mL: 10 weekday sessions', pkRequest('schwartzman-2009'), { resolutionMinutes: 1 }, false],
  ['getson-inpatient 5-day, with the 3 other adult models overlaid', pkRequest('getson-inpatient'),
    { resolutionMinutes: 1, compare: ['clements-250', 'hijazi-2003', 'kamp-2020'] }, false],
];
const pk = [];
for (const [label, request, options, goal] of pkScenarios) pk.push([label, goal, await preview(request, options)]);

// solveTarget (issue 13): the manual scheme for 150 ng/mL, a 4 h session and a 5-day infusion.
async function target(request) {
  const page = await context.newPage();
  await page.goto(url);
  await page.evaluate(() => window.KetaminePlanner.ready);
  return page.evaluate(({ request, runs }) => {
    const K = window.KetaminePlanner;
    const times = [];
    let steps = 0;
    for (let i = 0; i < runs + 3; i++) {
      const t0 = performance.now();
      steps = K.solveTarget({ ...request, targetNgPerMl: 150 }).steps.length;
      if (i >= 3) times.push(performance.now() - t0);
    }
    return { times, steps };
  }, { request, runs: PREVIEW_RUNS }).finally(() => page.close());
}
const targets = [];
for (const [label, protocol] of [['4 h session (schwartzman-2009)', 'schwartzman-2009'], ['5-day infusion (getson-inpatient)', 'getson-inpatient']]) {
  targets.push([label, await target(pkRequest(protocol))]);
}
await context.close();
rmSync(profile, { recursive: true, force: true });

// --- report -----------------------------------------------------------------
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const firstPlans = first.map((b) => b.firstPlan);
const painted = first.map((b) => b.painted);
const ready = first.map((b) => b.ready);
const all = lat.flatMap(([, t]) => t.sync);
const allFrame = lat.flatMap(([, t]) => t.frame);
const p95 = all.length ? quantile(all, 0.95) : NaN;
const med = first.length ? quantile(first.map((b) => b.firstPlan), 0.5) : NaN;
console.log(`Ketamine planner benchmark (headless Chromium, ${RUNS} loads, ${EDITS} edits per scenario)`);
if (PREVIEW_ONLY) console.log('(--preview-only: load and input-to-render figures skipped)');
console.log('');
const n = (v) => v.toLocaleString('en-US');
console.log(`size  dist/ketamine-planner.html  raw ${n(bytes.length)} bytes  gzip -9 ${n(gz)} bytes   goal <= 150,000 bytes gzipped: ${verdict(gz <= 150000)}`);
console.log(`      dist/ketamine-planner.js    raw ${n(js.length)} bytes  gzip -9 ${n(jsGz)} bytes`);
if (!PREVIEW_ONLY) {
console.log('');
console.log(`first plan, navigation -> plan in the DOM (file://): median ${ms(med)}, worst ${ms(Math.max(...firstPlans))}   goal < 150 ms: ${verdict(med < 150)}`);
console.log(`      engine ready and form built: median ${ms(quantile(ready, 0.5))}; next frame painted: median ${ms(quantile(painted, 0.5))}`);
console.log('');
for (const [label, t] of lat) {
  console.log(`input-to-render  ${label}:`);
  console.log(`      in the input task: median ${ms(quantile(t.sync, 0.5))}, p95 ${ms(quantile(t.sync, 0.95))}, max ${ms(Math.max(...t.sync))}` +
    `;  with the next frame's work: median ${ms(quantile(t.frame, 0.5))}, p95 ${ms(quantile(t.frame, 0.95))}`);
}
console.log(`input-to-render  all ${all.length} edits: median ${ms(quantile(all, 0.5))}, p95 ${ms(p95)}   goal p95 < 8 ms: ${verdict(p95 < 8)}`);
console.log(`      with the next frame's work (timeline redraw): median ${ms(quantile(allFrame, 0.5))}, p95 ${ms(quantile(allFrame, 0.95))}`);
// Issue 14's goals, as ratios to the floor page of the same run.
const floorPainted = quantile(floorFirst.map((b) => b.painted), 0.5);
const floorFrame = floorLat.flatMap((t) => t.frame);
const ratioFirst = quantile(painted, 0.5) / floorPainted;
const ratioInput = quantile(allFrame, 0.95) / quantile(floorFrame, 0.95);
console.log('');
console.log(`floor page (bench/floor.html, same run): first plan painted median ${ms(floorPainted)}; input to next frame p95 ${ms(quantile(floorFrame, 0.95))}`);
console.log(`ratio first plan painted, planner / floor: ${ratioFirst.toFixed(2)}   goal <= 1.5: ${verdict(ratioFirst <= 1.5)}`);
console.log(`ratio input to next frame p95, planner / floor: ${ratioInput.toFixed(2)}   goal <= 2: ${verdict(ratioInput <= 2)}`);
}
console.log('');
const PK_GOAL = 'goal: the whole 5-day curve (7,200 points) computed and drawn within one animation frame (under 16 ms)';
console.log(`concentration preview, 1-minute resolution, ${PREVIEW_RUNS} runs each (${PK_GOAL}):`);
for (const [label, goal, t] of pk) {
  const fig = (xs) => `median ${ms(quantile(xs, 0.5))}, p95 ${ms(quantile(xs, 0.95))}`;
  console.log(`  ${label}: ${t.points.toLocaleString('en')} points, SVG ${kb(t.svgBytes)}${t.overlays ? `, ${t.overlays} overlays` : ''}`);
  console.log(`      simulate (solver + SVG string): ${fig(t.compute)}`);
  console.log(`      draw (parse, insert, style, layout, paint): ${fig(t.draw)}` +
    `  [parse and insert ${ms(quantile(t.parsed, 0.5))}, style and layout ${ms(quantile(t.laid, 0.5))}, paint and the rest of the frame ${ms(quantile(t.draw.map((x, i) => x - t.parsed[i] - t.laid[i]), 0.5))}: medians]`);
  console.log(`      computed and drawn: ${fig(t.total)}` + (goal ? `   goal < 16 ms: ${verdict(quantile(t.total, 0.95) < 16)} (p95)` : ''));
}
console.log('');
for (const [label, t] of targets) {
  console.log(`solveTarget 150 ng/mL, ${label}: ${t.steps} steps; median ${ms(quantile(t.times, 0.5))}, p95 ${ms(quantile(t.times, 0.95))}`);
}
const load = (await import('node:os')).loadavg()[0];
console.log(`(machine load average ${load.toFixed(2)} on ${(await import('node:os')).cpus().length} cores: figures are noisy when other work runs)`);

mkdirSync(join(root, '.bench'), { recursive: true });
writeFileSync(join(root, '.bench/last.json'), JSON.stringify({
  sizeRaw: bytes.length, sizeGzip: gz, firstPlanMs: firstPlans, readyMs: ready, paintedMs: painted,
  floorPaintedMs: floorFirst.map((b) => b.painted),
  latency: Object.fromEntries(lat.map(([l, t]) => [l, {
    sync: { median: quantile(t.sync, 0.5), p95: quantile(t.sync, 0.95), max: Math.max(...t.sync) },
    frame: { median: quantile(t.frame, 0.5), p95: quantile(t.frame, 0.95) },
  }])),
  preview: Object.fromEntries(pk.map(([l, , t]) => [l, Object.fromEntries(['compute', 'draw', 'total'].map((k) =>
    [k, { median: quantile(t[k], 0.5), p95: quantile(t[k], 0.95) }]).concat([['points', t.points], ['svgBytes', t.svgBytes]]))])),
}, null, 1));
