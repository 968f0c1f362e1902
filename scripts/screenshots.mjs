#!/usr/bin/env node
// Screenshots of the offline calculator to look at (desktop 1280, phone 375,
// the bedside sheet, the patient handout, the session monitoring record and the
// bag label as PDF and as print-media PNGs),
// with a filled-in example plan, and a 10-session course (schwartzman-2009).
//   node scripts/screenshots.mjs [outdir]      (default .bench/shots)
//   KP_PROTOCOL=getson-inpatient KP_WEIGHT=110 KP_START=2026-12-07T08:00 ... to vary the example
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] || join(root, '.bench/shots'));
mkdirSync(out, { recursive: true });
const url = pathToFileURL(join(root, 'dist/ketamine-planner.html')).href;
const example = {
  protocol: process.env.KP_PROTOCOL || 'walter-reed-outpatient',
  weightKg: process.env.KP_WEIGHT || '96',
  heightCm: process.env.KP_HEIGHT || '178',
  sex: process.env.KP_SEX || 'male',
  ageYears: process.env.KP_AGE || '44',
  concentrationMgPerMl: process.env.KP_CONC || '2',
  start: process.env.KP_START || '2026-12-07T08:00',
};
const course = { protocol: 'schwartzman-2009', weightKg: '70', concentrationMgPerMl: '1', start: '2026-12-07T08:00' };

const profile = mkdtempSync(join(tmpdir(), 'kp-shots-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});

async function shoot(name, width, { print = false, alone = '', ack = true, input = example } = {}) {
  const page = await context.newPage({});
  await page.setViewportSize({ width, height: 900 });
  page.on('console', (m) => { if (m.type() === 'error') console.error(`console error: ${m.text()}`); });
  await page.goto(url);
  await page.evaluate(() => window.KetaminePlanner.ready);
  const p = (sel) => page.locator(`ketamine-planner ${sel}`).first();
  await p('[name=protocol]').selectOption(input.protocol);
  for (const [k, v] of Object.entries(input)) {
    if (k === 'protocol') continue;
    if (k === 'sex') await p('[name=sex]').selectOption(v); else await p(`[name=${k}]`).fill(v);
  }
  if (ack) for (const box of await page.locator('ketamine-planner [data-field=alerts] input[name=acknowledged]').all()) await box.check();
  await page.waitForTimeout(600); // let the timeline frame and the deferred PK preview draw
  // A full-page shot renders panels outside the viewport that the page skips
  // until scrolled to (content-visibility: auto): draw them all for the picture.
  await page.locator('ketamine-planner').evaluate((h) => {
    const all = new CSSStyleSheet();
    all.replaceSync('.ext { content-visibility: visible !important; }');
    h.shadowRoot.adoptedStyleSheets = [...h.shadowRoot.adoptedStyleSheets, all];
  });
  if (alone) {
    // The button as a person uses it (handout, label, monitoring); the print dialog itself is stubbed out.
    await page.evaluate(() => { window.print = () => {}; });
    await p(`[data-action=print-${alone}]`).click();
  }
  if (print || alone) await page.emulateMedia({ media: 'print' });
  // The PNG first: printing to PDF fires afterprint, which puts the element
  // back to the bedside sheet.
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
  if (print || alone) await page.pdf({ path: join(out, `${name}.pdf`), format: 'A4', printBackground: true });
  await page.close();
  console.log(`wrote ${join(out, name)}.png${print || alone ? ' and .pdf' : ''}`);
}

await shoot('desktop-1280', 1280);
await shoot('phone-375', 375, { ack: false });
await shoot('print', 794, { print: true });
await shoot('handout', 794, { alone: 'handout' });
await shoot('course-desktop-1280', 1280, { input: course });
await shoot('course-print', 794, { print: true, input: course });
await shoot('course-handout', 794, { alone: 'handout', input: course });
await shoot('inpatient-handout', 794, { alone: 'handout', input: { protocol: 'getson-inpatient', weightKg: '70', concentrationMgPerMl: '1', start: '2026-12-07T08:00' } });
await shoot('monitoring', 794, { alone: 'monitoring' });
await shoot('inpatient-monitoring', 794, { alone: 'monitoring', input: { protocol: 'getson-inpatient', weightKg: '70', concentrationMgPerMl: '1', start: '2026-12-07T08:00' } });
await shoot('label', 794, { alone: 'label' });
await context.close();
rmSync(profile, { recursive: true, force: true });
