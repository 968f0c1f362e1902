/* The course record (issue 10): what was planned, what was given and how the
 * patient responded, kept in this page only until the user saves it as a
 * file. The core reads and reviews it (KetaminePlanner.review): an entry
 * joins the record only when the whole record still reads, so a refusal is
 * shown at its field and the record stays as it was. */
import { html, render, saveFile, setText, parseSvg } from './html.js';
import { TEXT, say, today, localNow, splitDateTime } from './text.js';

const R = TEXT.record;
const SCHEMA = 'ketamine-planner/course-record@1';
const SIDE_EFFECTS = ['dissociation', 'nausea_vomiting', 'hypertension', 'sedation', 'hallucinations', 'other'];

/** The entry forms: each input's key in the record and how it is read. */
const ENTRIES = {
  session: [['date', 'date'], ['start', 'time'], ['end', 'time'], ['givenMg', 'number', 'mg'], ['stoppedEarly', 'flag'], ['stoppedWhy', 'text']],
  rateChange: [['time', 'time'], ['mlPerHour', 'number', 'mL/h']],
  vitals: [['time', 'time'], ['systolic', 'number', 'mmHg'], ['diastolic', 'number', 'mmHg'], ['heartRate', 'number', '/min'], ['spo2', 'number', '%'], ['sedation', 'number']],
  assessment: [['date', 'date'], ['painNrs', 'number', '0 to 10'], ['painAreaPercent', 'number', '%'], ['cssScore', 'number', '0 to 16'], ['note', 'text']],
};

function entryMarkup(kind) {
  const fields = ENTRIES[kind].map(([key, how, unit]) => {
    const id = `r-${kind}-${key}`;
    const label = R.fields[key];
    if (how === 'flag') return html`<div class="field"><label class="ack"><input type="checkbox" id="${id}" name="${key}"> ${label}</label></div>`;
    const type = how === 'number' ? 'text' : how;
    return html`<div class="field"><label for="${id}">${label}</label><div class="control"><input id="${id}" name="${key}" type="${type}"${
      how === 'number' ? html` inputmode="decimal" autocomplete="off"` : ''} aria-describedby="e-${id}">${unit ? html`<span class="unit">${unit}</span>` : ''}</div><p class="msg" id="e-${id}"></p></div>`;
  });
  const effects = kind === 'session' ? html`<fieldset class="sub"><legend>${R.sideEffects}</legend><ul class="checklist">${
    SIDE_EFFECTS.map((e) => html`<li><label><input type="checkbox" name="sideEffects" value="${e}"> ${R.effects[e]}</label></li>`)}</ul></fieldset>` : '';
  return html`<fieldset data-entry="${kind}"><legend>${R.entries[kind]}</legend><div class="row">${fields}</div>${effects}
<p class="msg" data-role="entry-msg" role="status"></p><button type="button" data-action="record-add-${kind}">${R.add[kind]}</button></fieldset>`;
}

export function recordMarkup() {
  return html`<div class="card ext record" data-ext="record" data-role="record"><h3>${TEXT.headings.record}</h3>
<p class="hint">${R.intro}</p>
<div class="actions"><button type="button" data-action="record-open">${R.open}</button><input type="file" accept=".json,application/json" data-role="record-file" hidden>
<button type="button" data-action="record-course">${R.addCourse}</button><button type="button" data-action="record-save">${R.save}</button>
<button type="button" data-action="record-next" hidden>${R.next}</button><button type="button" data-action="print-followup" hidden>${TEXT.actions.followup}</button></div>
<p class="msg" data-role="record-status" role="status"></p>
<div class="field"><label for="r-label">${R.label}</label><div class="control"><input id="r-label" type="text" data-role="record-label" autocomplete="off"></div><p class="hint">${R.labelHint}</p></div>
<div data-role="record-review"></div>
${entryMarkup('session')}${entryMarkup('rateChange')}${entryMarkup('vitals')}${entryMarkup('assessment')}</div>`;
}

/** A course's request as the calculator's inputs (input names, text as typed). */
export function formValues(request, contract) {
  const values = {};
  for (const f of contract) {
    const v = f.path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), request);
    if (v == null || f.path === 'acknowledged') continue;
    const name = f.path.slice(f.path.lastIndexOf('.') + 1);
    values[name] = f.kind.type === 'flag' ? v === true : f.kind.type === 'codes' ? [...v] : String(v);
  }
  return values;
}

export class CourseRecord {
  /** `host` gives the current plan ({ plan, request }) and takes the next course's inputs. */
  constructor(engine, versions, host) {
    this.engine = engine;
    this.versions = versions;
    this.host = host;
    this.record = { schema: SCHEMA, courses: [], assessments: [] };
    this.review = null;
  }

  attach(root) {
    const card = root.querySelector('[data-role=record]');
    this.card = card;
    this.q = (r) => card.querySelector(`[data-role=${r}]`);
    this.file = this.q('record-file');
    this.file.addEventListener('change', () => { if (this.file.files[0]) this.open(this.file.files[0]); this.file.value = ''; });
    card.addEventListener('dragover', (e) => { e.preventDefault(); card.classList.add('drop'); });
    card.addEventListener('dragleave', () => card.classList.remove('drop'));
    card.addEventListener('drop', (e) => {
      e.preventDefault();
      card.classList.remove('drop');
      const f = e.dataTransfer && e.dataTransfer.files[0];
      if (f) this.open(f);
    });
    card.addEventListener('click', (e) => {
      const a = e.target.closest('[data-action^=record-]');
      if (!a) return;
      const action = a.getAttribute('data-action').slice(7);
      if (action === 'open') this.file.click();
      else if (action === 'save') this.save();
      else if (action === 'course') this.addCourse();
      else if (action === 'next' && this.review && this.review.nextRequest) this.host.planNext(this.review.nextRequest);
      else if (action.startsWith('add-')) this.addEntry(action.slice(4));
    });
    this.show(this.check(this.record).review);
  }

  status(text, error) {
    const s = this.q('record-status');
    setText(s, text);
    s.className = error ? 'msg error' : 'msg note';
  }

  /** A record file: JSON, then the core's reading; a refusal changes nothing. */
  async open(file) {
    let record;
    try {
      record = JSON.parse(await file.text());
    } catch (e) {
      this.status(say('record.notJson', { name: file.name }), true);
      return;
    }
    const review = this.check(record);
    if (review.error) { this.status(say('record.refused', { name: file.name, error: review.error }), true); return; }
    this.record = record;
    this.q('record-label').value = record.patientLabel || '';
    this.show(review.review);
    this.status([say('record.opened', { name: file.name }), ...review.review.notes].join(' '));
  }

  /** The core's review of `record`, or its refusal as "path: message". */
  check(record) {
    try {
      return { review: this.engine.review(record) };
    } catch (e) {
      return { error: e.field ? `${e.field}: ${e.message}` : String(e.message || e), field: e.field || '' };
    }
  }

  /** Tries `change` on a copy; kept only when the record still reads. */
  change(edit) {
    const next = structuredClone(this.record);
    edit(next);
    const r = this.check(next);
    if (!r.error) { this.record = next; this.show(r.review); }
    return r;
  }

  /** The current plan as the record's next course; false when there is none or it is refused. */
  addCourse() {
    const { plan, request } = this.host.current();
    if (!plan) { this.status(R.noPlan, true); return false; }
    const mg = plan.totals && plan.totals.courseMg;
    const r = this.change((rec) => rec.courses.push(mg == null ? { request, sessions: [] } : { request, plannedMg: mg, sessions: [] }));
    this.status(r.error ? r.error : say('record.courseAdded', { n: this.record.courses.length }), !!r.error);
    return !r.error;
  }

  addEntry(kind) {
    const box = this.card.querySelector(`[data-entry=${kind}]`);
    const msg = box.querySelector('[data-role=entry-msg]');
    for (const i of box.querySelectorAll('[aria-invalid]')) { i.removeAttribute('aria-invalid'); setText(this.card.querySelector('#e-' + i.id), ''); }
    setText(msg, '');
    const fieldError = (key, text) => {
      const input = box.querySelector(`[name=${key}]`);
      const m = input && this.card.querySelector('#e-' + input.id);
      if (!m) { setText(msg, text); msg.className = 'msg error'; return; }
      input.setAttribute('aria-invalid', 'true');
      setText(m, text);
      m.className = 'msg error';
      input.focus();
    };
    const item = {};
    for (const [key, how] of ENTRIES[kind]) {
      const input = box.querySelector(`[name=${key}]`);
      if (how === 'flag') { if (input.checked) item[key] = true; continue; }
      const text = input.value.trim();
      if (!text) continue;
      if (how !== 'number') { item[key] = text; continue; }
      try {
        item[key] = this.engine.parseDecimal(text, key);
      } catch (e) { fieldError(key, e.message); return; }
    }
    if (kind === 'session') item.sideEffects = [...box.querySelectorAll('input[name=sideEffects]:checked')].map((c) => c.value);
    const courses = this.record.courses;
    const c = courses.length - 1;
    const sessions = c < 0 ? [] : courses[c].sessions || [];
    if (kind !== 'assessment' && c < 0) { fieldError('', R.noCourse); return; }
    if (kind !== 'assessment' && kind !== 'session' && !sessions.length) { fieldError('', R.noSession); return; }
    let path;
    const r = this.change((rec) => {
      if (kind === 'assessment') { path = `/assessments/${rec.assessments.length}`; rec.assessments.push(item); return; }
      const course = rec.courses[c];
      course.sessions = course.sessions || [];
      if (kind === 'session') { path = `/courses/${c}/sessions/${course.sessions.length}`; course.sessions.push(item); return; }
      // Vital signs and rate changes belong to the latest session.
      const list = kind === 'vitals' ? 'vitals' : 'rateChanges';
      const s = course.sessions[course.sessions.length - 1];
      s[list] = s[list] || [];
      path = `/courses/${c}/sessions/${course.sessions.length - 1}/${list}/${s[list].length}`;
      s[list].push(item);
    });
    if (r.error) {
      // The core's path names the input when the refusal is this entry's own.
      const own = r.field.startsWith(path + '/') ? r.field.slice(path.length + 1).replace(/\/\d+$/, '') : '';
      fieldError(own, own ? r.error.slice(r.field.length + 2) : r.error);
      return;
    }
    for (const i of box.querySelectorAll('input')) { if (i.type === 'checkbox') i.checked = false; else i.value = ''; }
    msg.className = 'msg note';
    setText(msg, R.added[kind]);
  }

  save() {
    const label = this.label();
    const rec = { ...this.record, plannerVersion: this.versions.planner, libraryVersion: this.versions.library };
    if (label) rec.patientLabel = label; else delete rec.patientLabel;
    saveFile(this.card, `course-record-${today()}.json`, 'application/json', JSON.stringify(rec, null, 2) + '\n');
    this.status(R.saved);
  }

  show(review) {
    this.review = review || null;
    this.q('record-review').hidden = !review;
    this.card.querySelector('[data-action=record-next]').hidden = !(review && review.nextRequest);
    this.card.querySelector('[data-action=print-followup]').hidden = !(review && (review.assessments.length || review.ledger.courses.length));
    if (review) drawReview(this.q('record-review'), review, this.record);
    this.host.reviewed(this.review);
  }

  /** The patient label as typed (only ever written into the saved file and onto paper). */
  label() { return this.q('record-label').value.trim(); }

  /** The follow-up summary on paper: the label, the review and its chart. */
  drawPrint(el) {
    render(el, html`<h2>${R.followupTitle}</h2><p>${say('record.followupLabel', { label: this.label() || '—', stamp: localNow().replace('T', ' ') })}</p><div></div>`);
    if (this.review) drawReview(el.lastElementChild, this.review, this.record);
  }

  /** From the running session clock: vital signs or a rate change "now".
   * The record gets this plan as its latest course and a session on the
   * clock's day, each said when added; then the entry waits for its values,
   * its time set to now. */
  fromClock(kind, startedAt) {
    const [date, start] = splitDateTime(startedAt);
    const { request } = this.host.current();
    const said = [];
    const last = this.record.courses[this.record.courses.length - 1];
    if (!last || JSON.stringify(last.request) !== JSON.stringify(request)) {
      if (!this.addCourse()) return;
      said.push(say('record.courseAdded', { n: this.record.courses.length }));
    }
    const c = this.record.courses.length - 1;
    const sessions = this.record.courses[c].sessions;
    if (!sessions.length || sessions[sessions.length - 1].date !== date) {
      const r = this.change((rec) => rec.courses[c].sessions.push({ date, start }));
      if (r.error) { this.status(r.error, true); return; }
      said.push(say('record.sessionAdded', { date, start }));
    }
    const box = this.card.querySelector(`[data-entry=${kind}]`);
    box.querySelector('[name=time]').value = localNow().slice(11);
    if (said.length) this.status(said.join(' '));
    box.scrollIntoView({ block: 'center' });
    // The entry's first value after its time: systolic, or the new rate.
    box.querySelector('input:not([name=time])').focus();
  }
}

/** The review of the record: alerts, booster due, relief, the chart, the responses and the ledger. */
function drawReview(el, review, rec) {
  // data-label: each number's name where a narrow screen stacks the cells.
  const rows = review.assessments.map((a) => html`<tr><td>${a.date}</td><td class="num" data-label="${R.course}">${a.course || ''}</td><td class="num" data-label="${R.fields.painNrs}">${a.painNrs}</td><td class="num" data-label="${R.fields.painAreaPercent}">${a.painAreaPercent == null ? '' : a.painAreaPercent + '%'}</td>
<td class="num" data-label="${R.painLess}">${a.text.painReduction}</td><td class="num" data-label="${R.areaLess}">${a.text.areaReduction}</td><td data-category="${a.category}">${R.category[a.category]}</td></tr>`);
  const ledger = review.ledger.courses.map((c, i) => html`<tr><th scope="row" data-label="${R.course}">${i + 1}</th><td>${c.text.protocol}</td><td>${c.start} to ${c.end}</td>
<td class="num" data-label="${R.daysSince}">${c.daysSincePrevious == null ? '' : c.daysSincePrevious}</td><td class="num" data-label="${R.planned}">${c.text.plannedMg}</td><td class="num" data-label="${R.given}">${c.text.givenMg}</td></tr>`);
  const relief = review.courses.map((c, i) => (c.lastResponse ? html`<li>${say('record.relief', { n: i + 1, last: c.lastResponse, lastDays: c.lastResponseDays, lost: c.firstLost ? say('record.lost', { date: c.firstLost, days: c.firstLostDays }) : R.notLost })}</li>` : ''));
  render(el, html`${review.alerts.length ? html`<ul class="alerts">${review.alerts.map((a) => html`<li class="alert ${a.level}" data-code="${a.code}"><span class="lvl">${R.levels[a.level] || a.level}</span><p class="text">${a.message}</p></li>`)}</ul>` : ''}
${review.boosterDue ? html`<p class="booster" data-field="boosterDue"><b>${R.booster}</b> ${say('record.window', { from: review.boosterDue.from, to: review.boosterDue.to })} ${review.boosterDue.text}</p>` : ''}
${relief.length ? html`<ul class="calendar-notes">${relief}</ul>` : ''}
<div class="slot scroll chart" data-role="record-chart" tabindex="0" role="region" aria-label="${R.chart}"></div>
<h4>${R.responses}</h4>${rows.length ? html`<div class="scroll" tabindex="0" role="region" aria-label="${R.responses}"><table class="calendar"><thead><tr><th scope="col">${R.fields.date}</th><th scope="col" class="num">${R.course}</th><th scope="col" class="num">${R.fields.painNrs}</th><th scope="col" class="num">${R.fields.painAreaPercent}</th><th scope="col" class="num">${R.painLess}</th><th scope="col" class="num">${R.areaLess}</th><th scope="col">${R.result}</th></tr></thead><tbody>${rows}</tbody></table></div>` : html`<p class="hint">${R.noAssessments}</p>`}
<h4>${R.ledger}</h4>${ledger.length ? html`<div class="scroll" tabindex="0" role="region" aria-label="${R.ledger}"><table class="calendar"><thead><tr><th scope="col">${R.course}</th><th scope="col">${R.protocol}</th><th scope="col">${R.dates}</th><th scope="col" class="num">${R.daysSince}</th><th scope="col" class="num">${R.planned}</th><th scope="col" class="num">${R.given}</th></tr></thead><tbody>${ledger}</tbody></table></div>
<p data-field="totalGiven"><b>${R.totalGiven}</b> ${review.ledger.totalGivenText}</p>` : html`<p class="hint">${R.noCourses}</p>`}
<p class="hint">${say('record.counts', { courses: rec.courses.length, sessions: rec.courses.reduce((n, c) => n + (c.sessions || []).length, 0), assessments: rec.assessments.length })}</p>`);
  const chart = el.querySelector('[data-role=record-chart]');
  const svg = review.chartSvg ? parseSvg(review.chartSvg) : null;
  chart.replaceChildren(...(svg ? [svg] : []));
  chart.hidden = !svg;
}
