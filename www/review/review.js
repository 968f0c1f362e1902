/* dist/library-review.html (issue 11): a pharmacist opens a clinic's protocol
 * library file and sees it checked by the planner's own engine (the same
 * useLibrary that the element uses), every value in tables, what it changes
 * against the built-in library or another file, its own test cases run, and
 * its SHA-256; then prints a review sheet that a reviewer and an approver,
 * two different people, sign. One offline file: nothing is fetched or stored. */
import TEXT from '../../data/review-text.json';
import { KetaminePlanner, ready } from '../element/engine.js';
import { html, render } from '../element/html.js';
import { lookup, nowStamp, today } from '../element/text.js';
import { showSelfTest, shown } from '../element/self-test.js';
import { PageHeader } from '../element/print.js';
import { differences } from './diff.js';

const say = (path, vars) => lookup(TEXT, path, vars);
/** Every printed page names the library reviewed and its page number (the planner's own page header). */
const pageHeader = new PageHeader();
const $ = (sel) => document.querySelector(sel);

/** The library under review: { name, text, lib } once a file was valid. */
let current = null;
/** What it is compared against: the built-in library, or { name, lib } of another file. */
let builtIn = null;
let baseline = null;

function status(text, error) {
  const el = $('#status');
  el.textContent = text;
  el.className = error ? 'msg error' : 'msg note';
}

/** A library file's text through the engine; on success it becomes the one reviewed. */
function review(name, text) {
  try {
    KetaminePlanner.useLibrary(text);
  } catch (e) {
    const problems = (e.errors || [e]).map((p) => html`<li><code>${p.path || '/'}</code> ${p.message}</li>`);
    status(say('refused', { name, n: problems.length }), true);
    render($('#problems'), html`<ul>${problems}</ul>`);
    // The engine kept the library reviewed before (or the built-in one): so does the page.
    return;
  }
  render($('#problems'), html``);
  current = { name, text, lib: KetaminePlanner.library() };
  status(say('opened', { name, version: current.lib.version, protocols: current.lib.protocols.length }));
  show();
}

function readFile(file, then) {
  file.text().then((text) => then(file.name, text), (e) => status(say('notRead', { name: file.name, error: e.message }), true));
}

/** A number with its unit; a value the file does not give is "none". */
const unit = (v, u) => (v == null ? say('words.none') : `${v} ${u}`);

function drugsTable(lib) {
  const rows = lib.drugs.map((d) => html`<tr><th scope="row">${d.name}</th><td>${d.vialsMgPerMl.map((v) => `${v} mg/mL`).join(', ')}</td><td>${d.preferredVialMgPerMl} mg/mL</td>
<td>${d.standardConcentrationsMgPerMl.map((v) => `${v} mg/mL`).join(', ') || say('words.none')}</td><td>${d.maxInfusionConcentrationMgPerMl} mg/mL</td>
<td>${d.softMgPerKgPerHour} mg/kg/h<br><small>${d.softLimitNote}</small></td><td>${d.hardMgPerKgPerHour} mg/kg/h<br><small>${d.hardLimitNote}</small></td><td>${d.tag}</td></tr>`);
  const h = TEXT.drug;
  return html`<table><thead><tr><th scope="col">${h.name}</th><th scope="col">${h.vials}</th><th scope="col">${h.preferred}</th><th scope="col">${h.standard}</th><th scope="col">${h.max}</th><th scope="col">${h.soft}</th><th scope="col">${h.hard}</th><th scope="col">${h.tag}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function containersTable(lib) {
  const h = TEXT.container;
  const rows = lib.containers.map((c) => html`<tr><th scope="row">${c.container}</th><td>${c.concentrationMgPerMl} mg/mL</td><td>${c.drugMg} mg</td><td>${c.finalVolumeMl} mL</td><td>${c.tag}</td></tr>`);
  return html`<table><thead><tr><th scope="col">${h.container}</th><th scope="col">${h.concentration}</th><th scope="col">${h.drug}</th><th scope="col">${h.volume}</th><th scope="col">${h.tag}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function cautionsTable(lib) {
  const rows = lib.cautions.map((c) => html`<tr><th scope="row">${c.label}</th><td>${c.advice}</td></tr>`);
  return html`<table><thead><tr><th scope="col">${TEXT.caution.label}</th><th scope="col">${TEXT.caution.advice}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** One protocol as the rows a reviewer reads: every value of the file, in words and units. */
function protocolRows(p, lib) {
  const w = (key, vars) => say(`words.${key}`, vars);
  const d = p.dose;
  const u = d.doseUnit;
  const dose = [d.start != null && w('start', { v: `${d.start} ${u}` }), d.step != null && w('step', { v: `${d.step} ${u}` }),
    d.max != null && w('max', { v: `${d.max} ${u}` }), d.sessionDoseMg != null && w('sessionDose', { v: `${d.sessionDoseMg} mg` })].filter(Boolean);
  const caps = p.caps.map((c) => [w('cap', { v: c.mgPerHour }), c.weightKgAbove != null && w('above', { kg: c.weightKgAbove }),
    c.weightKgAtMost != null && w('atMost', { kg: c.weightKgAtMost }), c.note].filter(Boolean).join(', '));
  const drug = lib.drugs.find((x) => x.id === p.drug);
  const m = p.sessionMinutes;
  const rows = [
    ['id', p.id], ['drug', drug ? drug.name : p.drug], ['setting', p.setting], ['summary', p.summary],
    ['dose', dose.join(', ') || say('words.none')],
    ['frailStart', p.frailStart ? w('frail', { v: `${p.frailStart.start} ${u}`, age: p.frailStart.ageYears }) : say('words.none')],
    ['titration', p.titration], ['minStepInterval', w('every', { v: p.minStepIntervalMinutes })], ['weightBasis', p.weightBasis],
    ['caps', caps.length ? html`${caps.map((c, i) => html`${i ? html`<br>` : ''}${c}`)}` : say('words.none')],
    ['defaultConcentration', unit(p.defaultConcentrationMgPerMl, 'mg/mL')],
    ['sessionMinutes', w('minutes', { d: m.default, min: m.min, max: m.max })],
    ['observation', unit(p.observationMinutes, 'min')], ['containerChange', unit(p.containerChangeHours, 'h')],
    ['course', w('course', { schedule: p.course.schedule, sessions: p.course.sessions }) + (p.course.scheduleOptions.length ? w('options', { options: p.course.scheduleOptions.join(', ') }) : '')],
    ['booster', p.booster.length ? html`${p.booster.map((b, i) => html`${i ? html`<br>` : ''}${w('booster', { label: b.label, days: b.intervalDays, n: b.occurrences, s: b.sessionsPerOccurrence, tag: b.tag })}`)}` : say('words.none')],
    ['followUp', p.followUp.length ? html`${p.followUp.map((f, i) => html`${i ? html`<br>` : ''}${w('window', { kind: f.kind, from: f.fromDays, to: f.toDays, source: f.source, tag: f.tag })}`)}` : say('words.none')],
    ['premedication', p.premedication || say('words.none')], ['adjuncts', p.adjuncts || say('words.none')], ['monitoring', p.monitoring],
    ['source', p.source], ['tag', p.tag], ['notes', p.notes || say('words.none')],
  ];
  return html`<section class="protocol"><h3>${p.name}</h3><table class="rows"><tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${TEXT.protocol[k]}</th><td>${v}</td></tr>`)}</tbody></table></section>`;
}

function diffTable() {
  const base = baseline ? baseline.lib : builtIn;
  const found = differences(base, current.lib);
  const what = baseline ? say('file', { name: baseline.name, version: baseline.lib.version }) : say('builtIn', { version: builtIn.version });
  // A number with the unit its key names (mgPerHour: mg/h), as the self-test shows values.
  const cell = (v, path) => (v === undefined ? TEXT.diff.absent : typeof v === 'string' ? v : shown(v, path));
  const rows = found.map((d) => html`<tr><th scope="row"><code>${d.path}</code></th><td>${cell(d.before, d.path)}</td><td>${cell(d.after, d.path)}</td></tr>`);
  return html`<p>${say('baseline', { what })}</p><p data-role="diff-count">${found.length ? say('diff.count', { n: found.length }) : TEXT.diff.none}</p>
${found.length ? html`<table class="diff"><thead><tr><th scope="col">${TEXT.diff.path}</th><th scope="col">${TEXT.diff.before}</th><th scope="col">${TEXT.diff.after}</th></tr></thead><tbody>${rows}</tbody></table>` : ''}`;
}

function show() {
  if (!current) { render($('#review'), html`<p>${say('nothing')}</p>`); return; }
  const lib = current.lib;
  const h = TEXT.headings;
  const id = TEXT.identity;
  const dis = lib.discharge;
  render($('#review'), html`<h2>${h.identity}</h2><table class="rows"><tbody>
<tr><th scope="row">${id.file}</th><td>${current.name}</td></tr><tr><th scope="row">${id.version}</th><td data-field="version">${lib.version}</td></tr>
<tr><th scope="row">${id.sha256}</th><td><code data-field="sha256">${lib.sha256}</code></td></tr>
<tr><th scope="row">${id.protocols}</th><td>${lib.protocols.map((p) => p.name).join('; ')}</td></tr>
<tr><th scope="row">${id.about}</th><td>${lib.about}</td></tr><tr><th scope="row">${id.cautionsSource}</th><td>${lib.cautionsSource}</td></tr></tbody></table>
<h2>${h.diff}</h2><div data-role="diff">${diffTable()}</div>
<h2>${h.tests}</h2><p>${lib.tests.length ? '' : say('words.noTests')}</p><div data-role="self-test"></div>
<h2>${h.drugs}</h2>${drugsTable(lib)}<h2>${h.containers}</h2>${containersTable(lib)}<h2>${h.cautions}</h2>${cautionsTable(lib)}
<h2>${h.discharge}</h2><p>${say('dischargeRow', { hours: dis.noDrivingHours, tag: dis.tag, note: dis.note })}</p>
<h2>${h.protocols}</h2>${lib.protocols.map((p) => protocolRows(p, lib))}`);
  showSelfTest($('[data-role=self-test]'), KetaminePlanner.selfTest());
}

/** The sign-off: two names, not the same person's; then the browser's print. */
function printSheet() {
  const reviewer = $('#reviewer').value.trim();
  const approver = $('#approver').value.trim();
  const msg = $('#sign-msg');
  const refuse = (text, field) => { msg.textContent = text; msg.className = 'msg error'; if (field) field.focus(); };
  if (!current) return refuse(say('sign.needLibrary'));
  if (!reviewer || !approver) return refuse(say('sign.needNames'), reviewer ? $('#approver') : $('#reviewer'));
  if (reviewer.toLowerCase() === approver.toLowerCase()) return refuse(say('sign.sameName'), $('#approver'));
  msg.textContent = '';
  const date = $('#sign-date').value || today();
  pageHeader.set(say('sign.header', { version: current.lib.version, hash: current.lib.sha256.slice(0, 8), reviewer, approver }), say('sign.planner', { planner: KetaminePlanner.version }), 'sheet');
  render($('#sheet'), html`<table class="signoff"><tbody>
<tr><th scope="row">${TEXT.sign.reviewer}</th><td data-field="reviewer">${reviewer}</td><th scope="row">${TEXT.sign.signature}</th><td class="blank"></td><th scope="row">${TEXT.sign.date}</th><td>${date}</td></tr>
<tr><th scope="row">${TEXT.sign.approver}</th><td data-field="approver">${approver}</td><th scope="row">${TEXT.sign.signature}</th><td class="blank"></td><th scope="row">${TEXT.sign.date}</th><td>${date}</td></tr>
</tbody></table><p class="printed">${say('sign.printed', { stamp: nowStamp(), planner: KetaminePlanner.version, version: current.lib.version, sha256: current.lib.sha256 })}</p>`);
  window.print();
}

function start() {
  builtIn = KetaminePlanner.library();
  $('#versions').textContent = say('versions', { planner: KetaminePlanner.version, library: builtIn.version, hash: builtIn.sha256.slice(0, 8) });
  const open = $('#file');
  open.addEventListener('change', () => { if (open.files[0]) readFile(open.files[0], review); open.value = ''; });
  const other = $('#compare-file');
  other.addEventListener('change', () => {
    if (!other.files[0]) return;
    readFile(other.files[0], (name, text) => {
      // Read through the engine too, so the comparison is of a valid library; then the reviewed one is back in use.
      try { KetaminePlanner.useLibrary(text); } catch (e) { status(say('refused', { name, n: (e.errors || [e]).length }), true); return; }
      baseline = { name, lib: KetaminePlanner.library() };
      if (current) KetaminePlanner.useLibrary(current.text);
      show();
    });
    other.value = '';
  });
  $('#compare-built-in').addEventListener('click', () => { baseline = null; show(); });
  document.addEventListener('dragover', (e) => e.preventDefault());
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    const f = e.dataTransfer && e.dataTransfer.files[0];
    if (f) readFile(f, review);
  });
  $('#print').addEventListener('click', printSheet);
  show();
  document.body.dataset.ready = 'true';
}

function markup() {
  render($('#app'), html`<header><h1>${TEXT.title}</h1><p id="versions"></p><p>${TEXT.intro}</p>
<div class="actions"><label class="button">${TEXT.open}<input type="file" id="file" accept=".json,application/json"></label>
<label class="button">${TEXT.compare}<input type="file" id="compare-file" accept=".json,application/json"></label>
<button type="button" id="compare-built-in">${TEXT.compareBuiltIn}</button></div><p class="hint">${TEXT.drop}</p>
<p id="status" role="status" class="msg"></p><div id="problems"></div></header>
<main><div id="review"></div>
<section class="sign" aria-labelledby="sign-heading"><h2 id="sign-heading">${TEXT.headings.signoff}</h2><p>${TEXT.sign.intro}</p>
<div class="row"><label>${TEXT.sign.reviewer}<input id="reviewer" autocomplete="off"></label><label>${TEXT.sign.approver}<input id="approver" autocomplete="off"></label>
<label>${TEXT.sign.date}<input id="sign-date" type="date"></label></div>
<button type="button" id="print">${TEXT.sign.print}</button><p id="sign-msg" role="alert" class="msg"></p><div id="sheet" class="print-only"></div></section></main>`);
}

markup();
ready.then(start, (e) => status(String(e && e.message ? e.message : e), true));
