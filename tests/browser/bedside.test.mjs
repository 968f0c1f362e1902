// Bedside grade (issue 14): accessibility by axe-core in four states, the
// live region, the alerts' own acknowledge names, themes, a host's root font
// size and Trusted Types, focus clear of the sticky bar, chart label size,
// and paper read back with pdftotext: two A4 pages for one session with the
// patient line, status and "page N of M" on each, and the bag label.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, openPage, assertClean, planner, offlineUrl, root } from './helpers.mjs';
import { startServer } from '../../scripts/serve.mjs';

const AXE = readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

let browser, server, tmp;
before(async () => {
  browser = await launch();
  server = await startServer({ port: 0, mounts: [['/dist/', join(root, 'dist')], ['/fixtures/', join(root, 'tests/browser/fixtures')]] });
  tmp = mkdtempSync(join(tmpdir(), 'kp-paper-'));
});
after(async () => {
  try { await browser.close(); } finally { await server.close(); rmSync(tmp, { recursive: true, force: true }); }
});

async function onOffline(body, { viewport, colorScheme } = {}) {
  const { page, log } = await openPage(browser.context, offlineUrl, { viewport });
  if (colorScheme) await page.emulateMedia({ colorScheme });
  await body(planner(page), page);
  await assertClean(page, log, [offlineUrl]);
  await page.close();
}

/** axe-core's violations on the page (axe is evaluated through the
 * DevTools protocol, so the page's strict CSP does not block it). */
async function axeViolations(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), AXE_TAGS);
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

async function walterReed(p, weight = '80', conc = '2') {
  await p.choose('protocol', 'walter-reed-outpatient');
  await p.type('weightKg', weight);
  await p.type('concentrationMgPerMl', conc);
}

for (const [state, viewport, colorScheme] of [
  ['empty', undefined], ['with a plan', undefined], ['with invalid input', undefined],
  ['with a plan at 375 px', { width: 375, height: 800 }], ['with a plan, dark', undefined, 'dark'], ['in target mode', undefined],
  ['with the session clock running', undefined], ['with a course record open (chart, ledger)', undefined],
]) {
  test(`axe-core: no violation, best practice included, ${state}`, () => onOffline(async (p, page) => {
    if (state !== 'empty') await walterReed(p, state.includes('invalid') ? '7O' : '80');
    if (state.includes('invalid')) assert.match((await p.message('weightKg')).text, /digits/i);
    else if (state !== 'empty') {
      assert.equal(await p.text('mlPerHour'), '60 mL/h');
      if (state.includes('target')) {
        // The target's fields, its steps table and its target line are checked too.
        await p.el('[data-role=dose-mode]').selectOption('target');
        await p.type('targetNgPerMl', '150');
        assert.match(await p.el('[data-role=pump-label]').textContent(), /^First rate: step 1 of \d+/);
      }
      if (state.includes('clock')) {
        // Walter Reed at 80 kg is 1.5 mg/kg/h, above the soft limit: the clock starts once it is acknowledged.
        assert.equal(await p.el('[data-action=clock-start]').isDisabled(), true);
        await p.el('[data-field=alerts] input[name=acknowledged]').check();
        await p.el('[data-action=clock-start]').click();
        assert.match(await p.el('[data-role=clock-figures]').textContent(), /Delivered so far/);
      }
      if (state.includes('record')) {
        // The shared three-course record: its review, response chart and ledger are checked too.
        await p.el('[data-role=record-file]').setInputFiles({ name: 'three.json', mimeType: 'application/json', buffer: readFileSync(join(root, 'tests/course-record.json')) });
        await p.el('[data-role=record-chart] svg').waitFor({ timeout: 5000 });
      }
      // The preview drawn, so its tables and chart are checked too.
      await p.el('[data-role=pk-svg] svg').waitFor({ timeout: 5000 });
    }
    assert.deepEqual(await axeViolations(page), []);
  }, { viewport, colorScheme }));
}

test('the offline file has one h1 and a main landmark; the skip control moves focus to the pump card', () => onOffline(async (p, page) => {
  const h = await page.locator('ketamine-planner').evaluate((e) => ({
    h1: [...e.shadowRoot.querySelectorAll('h1')].map((x) => x.textContent),
    inMain: !!e.closest('main'),
    cards: e.shadowRoot.querySelectorAll('.card h2').length,
  }));
  assert.deepEqual(h.h1, ['Ketamine Infusion Planner']);
  assert.equal(h.inMain, true);
  assert.ok(h.cards >= 6, `${h.cards} panel headings lifted to h2`);
  // A keyboard user arriving on the page: the first Tab stop is the skip control.
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => document.querySelector('ketamine-planner').shadowRoot.activeElement.textContent);
  assert.equal(first, 'Skip to the pump rate', 'the skip control is the first stop');
  assert.equal(await p.el('.skip').isVisible(), true, 'visible when focused');
  await p.el('.skip').evaluate((b) => b.blur());
  await walterReed(p);
  await p.el('.skip').focus();
  await page.keyboard.press('Enter');
  const at = await page.evaluate(() => document.querySelector('ketamine-planner').shadowRoot.activeElement.id);
  assert.equal(at, 'kp-pump');
}));

test('the rate and the plan state are announced politely, once typing pauses', () => onOffline(async (p, page) => {
  const live = p.el('[data-role=announce]');
  assert.equal(await live.getAttribute('aria-live'), 'polite');
  await walterReed(p);
  // 1.5 mg/kg/h x 80 kg = 120 mg/h / 2 mg/mL = 60 mL/h; the soft alert is open.
  await page.waitForFunction(() => /60 mL\/h/.test(document.querySelector('ketamine-planner').shadowRoot.querySelector('[data-role=announce]').textContent));
  const said = await live.textContent();
  assert.match(said, /60 mL\/h, UNCONFIRMED, Unconfirmed: 1 alert needs acknowledgement/);
  await p.el('[data-field=alerts] input[name=acknowledged]').check();
  await page.waitForFunction(() => /Confirmed: every alert acknowledged/.test(document.querySelector('ketamine-planner').shadowRoot.querySelector('[data-role=announce]').textContent));
  assert.doesNotMatch(await live.textContent(), /UNCONFIRMED/);
  // 90 kg: 135 mg/h is capped at 120 mg/h, still 60 mL/h; 50 kg: 75 mg/h = 37.5 mL/h.
  await p.type('weightKg', '50');
  await page.waitForFunction(() => /37\.5 mL\/h/.test(document.querySelector('ketamine-planner').shadowRoot.querySelector('[data-role=announce]').textContent));
}));

test('while a value is typed the pump card is drawn at once and the panels below it are not drawn until typing pauses: nothing stale is drawn', () => onOffline(async (p, page) => {
  await p.choose('protocol', 'schwartzman-2009');
  await p.type('concentrationMgPerMl', '1');
  await p.type('weightKg', '70');
  // 0.35 mg/kg/h x 70 kg = 24.5 mg/h for 4 h = 98 mg a session, 980 mg over 10.
  const drawn = () => page.locator('ketamine-planner').evaluate((h) => {
    const r = h.shadowRoot;
    return { rate: r.querySelector('[data-field=mlPerHour]').innerText, course: r.querySelector('[data-field=courseTotalMg]').innerText,
      courseInDom: r.querySelector('[data-field=courseTotalMg]').textContent, typing: r.querySelector('.results').hasAttribute('data-typing') };
  });
  assert.deepEqual(await drawn(), { rate: '24.5 mL/h', course: '980 mg', courseInDom: '980 mg', typing: false });
  // A key pressed: 0.35 x 60 = 21 mg/h, 84 mg a session, 840 mg. The rate is drawn with
  // the key; the panel below is not drawn at all (its old 980 mg waits, hidden, for the pause).
  await p.field('weightKg').fill('60');
  assert.deepEqual(await drawn(), { rate: '21 mL/h', course: '', courseInDom: '980 mg', typing: true });
  await page.waitForFunction(() => !document.querySelector('ketamine-planner').shadowRoot.querySelector('.results[data-typing]'));
  assert.deepEqual(await drawn(), { rate: '21 mL/h', course: '840 mg', courseInDom: '840 mg', typing: false });
}));

test('alerts: hard, then soft, then info; every acknowledge box is named by its own alert', () => onOffline(async (p, page) => {
  assert.match(await p.text('alertsNone'), /No checks yet/, 'no "No alerts" before the checks ran');
  // 3 mg/mL is not a standard concentration (soft) and 1.5 mg/kg/h is above the 1 mg/kg/h guidance (soft).
  await walterReed(p, '80', '3');
  const items = await p.el('[data-field=alerts]').evaluate((ul) => [...ul.children].map((li) => ({
    level: li.getAttribute('data-level'), code: li.getAttribute('data-code'),
    name: li.querySelector('input[name=acknowledged]')?.closest('label').textContent.replace(/\s+/g, ' ').trim(),
  })));
  const order = { hard: 0, soft: 1, info: 2 };
  assert.deepEqual(items.map((a) => a.level), items.map((a) => a.level).sort((a, b) => order[a] - order[b]));
  const soft = items.filter((a) => a.level === 'soft');
  assert.ok(soft.length >= 2, JSON.stringify(items));
  assert.equal(new Set(soft.map((a) => a.name)).size, soft.length, 'different names');
  for (const a of soft) assert.match(a.name, /^I acknowledge this alert: \S/);
  // The same through the accessibility tree: a checkbox found by its alert's words.
  await page.getByRole('checkbox', { name: /is not a standard ketamine \(racemic\) infusion concentration/ }).check();
  assert.equal(await p.confirmedState(), 'false', 'one of two acknowledged: still unconfirmed');
  await p.type('weightKg', '');
  assert.match(await p.text('alertsNone'), /No checks yet/);
}));

test('themes: the page\'s dark preference, theme="light" over it, theme="dark" on a light page', async () => {
  const surface = (page) => page.locator('ketamine-planner').evaluate((h) => getComputedStyle(h.shadowRoot.querySelector('.pump')).backgroundColor);
  const { page, log } = await openPage(browser.context, offlineUrl);
  const light = await surface(page);
  assert.equal(light, 'rgb(255, 255, 255)');
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await surface(page);
  assert.notEqual(dark, light);
  await page.locator('ketamine-planner').evaluate((h) => { h.theme = 'light'; });
  assert.equal(await page.locator('ketamine-planner').getAttribute('theme'), 'light', 'the property reflects to the attribute');
  assert.equal(await surface(page), light);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.locator('ketamine-planner').evaluate((h) => h.setAttribute('theme', 'dark'));
  assert.equal(await surface(page), dark);
  assert.deepEqual(await axeViolations(page), [], 'dark theme contrast');
  // Forced colours (Windows high contrast): the pump card keeps a visible border.
  await page.emulateMedia({ forcedColors: 'active' });
  const border = await page.locator('ketamine-planner').evaluate((h) => getComputedStyle(h.shadowRoot.querySelector('.pump')).borderTopWidth);
  assert.equal(border, '2px');
  await assertClean(page, log, [offlineUrl]);
  await page.close();
});

test('a host page with html { font-size: 62.5% } does not shrink the element', async () => {
  const sizes = async (url) => {
    const { page, log } = await openPage(browser.context, url);
    const p = planner(page);
    await p.choose('protocol', 'schwartzman-2009');
    await p.type('concentrationMgPerMl', '1');
    await p.type('weightKg', '70');
    // 0.35 mg/kg/h x 70 kg = 24.5 mg/h at 1 mg/mL = 24.5 mL/h.
    assert.equal(await p.text('mlPerHour'), '24.5 mL/h');
    const s = await p.out('mlPerHour').evaluate((e) => ({
      rate: getComputedStyle(e).fontSize, label: getComputedStyle(e.getRootNode().querySelector('label')).fontSize,
      pad: getComputedStyle(e.closest('.pump')).paddingTop,
    }));
    await assertClean(page, log, [url, `${server.url}dist/ketamine-planner.js`, `${server.url}fixtures/root-font.css`]);
    await page.close();
    return s;
  };
  const host = await sizes(new URL('/fixtures/root-font.html', server.url).href);
  assert.equal(host.rate, '44px');
  const offline = await sizes(offlineUrl);
  assert.deepEqual(host, offline);
});

test('a host page that requires Trusted Types: the element renders, plans and prints its sheet', async () => {
  const url = new URL('/fixtures/trusted-types.html', server.url).href;
  const { page, log } = await openPage(browser.context, url);
  const p = planner(page);
  await p.type('weightKg', '70');
  assert.equal(await p.text('mlPerHour'), '24.5 mL/h');
  await p.el('[data-role=pk-svg] svg').waitFor({ timeout: 5000 });
  assert.equal(await p.el('[data-role=timeline-svg] svg').count(), 1, 'the core\'s SVG is parsed and drawn');
  const tt = await page.evaluate(() => window.trustedTypes.getPolicyNames ? window.trustedTypes.getPolicyNames() : null);
  if (tt) assert.deepEqual(tt, ['ketamine-planner']);
  await assertClean(page, log, [url, `${server.url}dist/ketamine-planner.js`]);
  await page.close();
});

for (const width of [375, 768]) {
  test(`${width} px: Tab through everything, the focused control is never under the sticky rate bar`, () => onOffline(async (p, page) => {
    await walterReed(p);
    await page.evaluate(() => window.scrollTo(0, 0));
    const hidden = [];
    let stops = 0;
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      const r = await page.evaluate(() => {
        const sr = document.querySelector('ketamine-planner').shadowRoot;
        const a = sr.activeElement;
        if (!a) return null;
        const mini = sr.querySelector('.mini');
        const f = a.getBoundingClientRect();
        const m = mini.getBoundingClientRect();
        const sticky = getComputedStyle(mini).display !== 'none';
        return {
          what: a.getAttribute('name') || a.textContent.trim().slice(0, 30), sticky,
          covered: sticky && !mini.contains(a) && f.bottom > m.top + 1 && f.top < m.bottom,
          outside: f.bottom > innerHeight + 1 || f.top < -1,
        };
      });
      if (!r) continue;
      stops++;
      assert.equal(r.sticky, true, 'the sticky bar is shown at this width');
      if (r.covered || r.outside) hidden.push(r.what);
    }
    assert.ok(stops > 40, `${stops} focus stops`);
    assert.deepEqual(hidden, []);
  }, { viewport: { width, height: 700 } }));
}

test('375 px: chart labels stay at least 10 px, the charts scroll sideways by keyboard', () => onOffline(async (p, page) => {
  await walterReed(p);
  await p.el('[data-role=pk-svg] svg').waitFor({ timeout: 5000 });
  const charts = await page.locator('ketamine-planner').evaluate((h) => [...h.shadowRoot.querySelectorAll('.ext .slot:has(svg)')].map((slot) => {
    const heights = [...slot.querySelectorAll('svg text')].map((t) => t.getBoundingClientRect().height).filter((x) => x > 0);
    const svg = slot.querySelector('svg');
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return { role: slot.dataset.role, texts: heights.length, fontPx: 11 * scale, tab: slot.tabIndex, scrolls: slot.scrollWidth > slot.clientWidth };
  }));
  assert.equal(charts.length, 2, JSON.stringify(charts));
  for (const c of charts) {
    assert.ok(c.texts > 5, JSON.stringify(c));
    assert.ok(c.fontPx >= 10, `${c.role}: labels ${c.fontPx.toFixed(1)} px`);
    assert.equal(c.tab, 0, `${c.role} is reachable by Tab`);
    assert.equal(c.scrolls, true, JSON.stringify(c));
  }
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `page is ${width} px wide: only the chart scrolls`);
}, { viewport: { width: 375, height: 800 } }));

/** The PDF of the page as printed now, and the text of each of its pages. */
async function printed(page, name) {
  const file = join(tmp, `${name}.pdf`);
  writeFileSync(file, await page.pdf({ format: 'A4', printBackground: true }));
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  return text.split('\f').filter((t) => t.trim());
}

test('print of one session: 2 A4 pages, each with the patient line, the plan status and page N of M', () => onOffline(async (p, page) => {
  await walterReed(p, '96');
  await p.type('start', '2026-12-07T08:00');
  await p.el('[data-role=pk-svg] svg').waitFor({ timeout: 5000 });
  let pages = await printed(page, "unconfirmed");
  assert.equal(pages.length, 2, `${pages.length} pages`);
  pages.forEach((t, i) => {
    const head = t.split('\n').slice(0, 3).join(' ').replace(/\s+/g, ' ');
    assert.match(head, /Patient: _+ · 96 kg · first session 2026-12-07 · Walter Reed/, `page ${i + 1}: ${head}`);
    assert.match(head, new RegExp(`PLAN UNCONFIRMED · page ${i + 1} of 2`), `page ${i + 1}: ${head}`);
  });
  const all = pages.join('\n');
  // 96 kg x 1.5 = 144 mg/h, capped at 120 mg/h = 60 mL/h; 4 h = 480 mg = 240 mL.
  assert.match(all, /60 mL\/h\s+UNCONFIRMED/);
  assert.match(all, /Volume to be infused/);
  assert.match(all, /240 mL/);
  // On paper the unconfirmed rate is struck through, in black (greyscale-proof).
  await page.emulateMedia({ media: 'print' });
  const rate = await p.out('mlPerHour').evaluate((e) => getComputedStyle(e).textDecorationLine);
  assert.equal(rate, 'line-through');
  await page.emulateMedia({ media: null }); // (page.pdf prints screen CSS while 'screen' is emulated)
  await p.el('[data-field=alerts] input[name=acknowledged]').check();
  pages = await printed(page, 'confirmed');
  assert.equal(pages.length, 2);
  for (const [i, t] of pages.entries()) assert.match(t.split('\n').slice(0, 3).join(' '), new RegExp(`plan confirmed · page ${i + 1} of 2`));
  assert.match(pages.join('\n'), /I acknowledge: Rate: 1\.25 mg\/kg\/h/);
  // The library in use, with the first 8 characters of the SHA-256 of its file's exact bytes.
  const sha = createHash('sha256').update(readFileSync(join(root, 'data/library.json'))).digest('hex');
  const libVersion = JSON.parse(readFileSync(join(root, 'data/library.json'), 'utf8')).version;
  assert.ok(pages.join(' ').replace(/\s+/g, ' ').includes(`protocol library ${libVersion} (SHA-256 ${sha.slice(0, 8)})`), pages.at(-1));
}));

test('a 10-session course and a 5-day infusion print with the header on every page; containers per day are shown', () => onOffline(async (p, page) => {
  await p.choose('protocol', 'schwartzman-2009');
  await p.type('weightKg', '70');
  await p.type('concentrationMgPerMl', '1');
  await p.type('sessions', '10');
  // 0.35 x 70 = 24.5 mg/h x 4 h = 98 mL + 25 mL priming: a 250 mL bag per session, 10 for the course.
  assert.equal(await p.text('containers'), '1 bag of 250 mL per session; 10 for the course.');
  let pages = await printed(page, 'course');
  assert.ok(pages.length >= 2 && pages.length <= 3, `${pages.length} pages`);
  for (const [i, t] of pages.entries()) assert.match(t.split('\n').slice(0, 3).join(' '), new RegExp(`page ${i + 1} of ${pages.length}`));
  await p.choose('protocol', 'getson-inpatient');
  // 20 mg/h at 1 mg/mL = 20 mL/h x 24 h = 480 mL a day: one 500 mL bag a day, 5 for 5 days.
  assert.equal(await p.text('containers'), '1 bag of 500 mL per day (a new bag at least every 24 h); 5 for the course, up to 10 at the highest level.');
  pages = await printed(page, 'inpatient');
  for (const [i, t] of pages.entries()) {
    assert.match(t.split('\n').slice(0, 3).join(' ').replace(/\s+/g, ' '), new RegExp(`Getson .* page ${i + 1} of ${pages.length}`));
  }
}));

test('the bag label prints on its own: drug, mg, volume, concentration and the blanks to sign', () => onOffline(async (p, page) => {
  await p.choose('protocol', 'schwartzman-2009');
  await p.type('weightKg', '40');
  await p.type('concentrationMgPerMl', '1');
  await page.evaluate(() => { window.print = () => { window.__printed = (window.__printed || 0) + 1; }; });
  await p.el('[data-action=print-label]').click();
  assert.equal(await page.evaluate(() => window.__printed), 1);
  const pages = await printed(page, 'label');
  assert.equal(pages.length, 1);
  const t = pages[0].replace(/\s+/g, ' ');
  // 0.35 x 40 = 14 mg/h x 4 h = 56 mL + 25 mL priming = 81 mL: a 100 mL bag, 100 mg at 1 mg/mL.
  assert.match(t, /Ketamine \(racemic\) 100 mg in 100 mL 1 mg\/mL in sodium chloride 0\.9%/);
  for (const blank of ['Patient', 'Prepared by', 'Checked by', 'Date and time prepared', 'Expiry']) assert.ok(t.includes(blank), blank);
  assert.doesNotMatch(t, /page \d of|Pump rate|Independent double-check/, 'the label alone');
  // Unconfirmed plans print a label that says so.
  await p.choose('protocol', 'walter-reed-outpatient');
  await p.type('concentrationMgPerMl', '2');
  await p.type('weightKg', '80');
  await p.el('[data-action=print-label]').click();
  assert.match((await printed(page, 'label-unconfirmed')).join(' ').replace(/\s+/g, ' '), /PLAN UNCONFIRMED: do not give/);
}));

test('the monitoring record prints on its own: a row at each clock time, blanks for the vitals, the discharge checklist', () => onOffline(async (p, page) => {
  await walterReed(p, '96');
  await page.evaluate(() => { window.print = () => { window.__printed = (window.__printed || 0) + 1; }; });
  // No start time (the field starts at today, 09:00; cleared here): nothing to print the clock times from, and it says so.
  await p.type('start', '');
  await p.el('[data-action=print-monitoring]').click();
  assert.match((await printed(page, 'monitoring-no-start')).join(' '), /enter the first session's date and time/);
  await p.type('start', '2026-12-07T08:00');
  await p.el('[data-action=print-monitoring]').click();
  assert.equal(await page.evaluate(() => window.__printed), 2);
  let pages = await printed(page, 'monitoring-unconfirmed');
  assert.equal(pages.length, 1, `${pages.length} pages`);
  let t = pages[0].replace(/\s+/g, ' ');
  assert.match(t, /Patient: _+ · 96 kg · first session 2026-12-07 · Walter Reed .*PLAN UNCONFIRMED · page 1 of 1/);
  assert.match(t, /Session monitoring record: session 1 of 1, Monday 7 December 2026/);
  assert.match(t, /PLAN UNCONFIRMED: do not give/);
  for (const c of ['Blood pressure (mmHg)', 'Heart rate (/min)', 'SpO2 (%)', 'Sedation (UMSS 0 to 4)', 'Pump (mL/h)', 'Initials']) {
    assert.ok(t.includes(c) || pages[0].includes(c.split(' ')[0]), c);
  }
  // Arrival 30 min before the 08:00 start; the vital signs every 15 min from 08:15 to 12:00
  // (4 h x 4 = 16 rows); the 4 h infusion stops at 12:00; 2 h of observation: discharge at 14:00.
  const times = [...pages[0].matchAll(/^\s*(\d\d:\d\d)\s/gm)].map((m) => m[1]);
  const vitals = Array.from({ length: 16 }, (_, i) => { const m = 8 * 60 + 15 * (i + 1); return `${String(m / 60 | 0).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`; });
  assert.deepEqual(times, ['07:30', '08:00', ...vitals, '12:00', '14:00']);
  assert.match(t, /08:00 Start infusion: 120 mg\/h = 60 mL\/h/);
  assert.match(t, /Observation of 2 h after the infusion completed \(earliest 14:00\)/);
  assert.match(t, /No driving for 24 hours: told to the patient and the companion/);
  assert.match(t, /Discharged at _+ by _+/);
  assert.doesNotMatch(t, /Independent double-check|Volume to be infused/, 'the record alone, not the sheet');
  // Acknowledged: the status line says so, no UNCONFIRMED line.
  await p.el('[data-field=alerts] input[name=acknowledged]').check();
  await p.el('[data-action=print-monitoring]').click();
  t = (await printed(page, 'monitoring-confirmed')).join(' ').replace(/\s+/g, ' ');
  assert.match(t, /plan confirmed · page 1 of 1/);
  assert.doesNotMatch(t, /UNCONFIRMED/);
  // A 10-session series: a page for each session, each with its own date.
  await p.choose('protocol', 'schwartzman-2009');
  await p.type('concentrationMgPerMl', '1');
  await p.type('sessions', '10');
  await p.el('[data-action=print-monitoring]').click();
  pages = await printed(page, 'monitoring-course');
  assert.equal(pages.length, 10, `${pages.length} pages`);
  // Monday 7 December, then the next day (the series runs on consecutive days).
  t = pages[1].replace(/\s+/g, ' ');
  assert.match(t, /Schwartzman 2009 .*plan confirmed · page 2 of 10/);
  assert.match(t, /Session monitoring record: session 2 of 10, Tuesday 8 December 2026/);
  assert.match(t, /07:45 Premedication/);
}));
