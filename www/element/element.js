/* <ketamine-planner>: wires the panels together. Attributes are reflected
 * to properties (protocol, concentration, weightUnit, pumpResolution, theme,
 * headingLevel);
 * edits and attribute changes in one task make one engine call (a microtask
 * batches them), rendered before the next paint. */
import { html, render } from './html.js';
import { TEXT, say } from './text.js';
import { KetaminePlanner, ready, onLibraryChange } from './engine.js';
import { loadLibrary } from './library.js';
import { Form } from './form.js';
import { Results, resultsMarkup } from './results.js';
import { Alerts } from './alerts.js';
import { Course, courseMarkup, downloadIcs } from './course.js';
import { Preview, previewMarkup } from './preview.js';
import { Clock, clockMarkup } from './clock.js';
import { CourseRecord, recordMarkup, formValues } from './record.js';
import { Paper, printMarkup } from './print.js';
import { adoptStyles } from './styles.js';
import { encodeLink, decodeLink } from './link.js';
import { showSelfTest, selfTestCounts } from './self-test.js';

/** How long typing must pause before the panels below the pump card are drawn again. */
const TYPING_MS = 150;

const ATTRIBUTES = {
  protocol: 'protocol', concentration: 'concentration', 'weight-unit': 'weightUnit', 'pump-resolution': 'pumpResolution',
  theme: 'theme', // "light", "dark", else the page's prefers-color-scheme (CSS only)
  'heading-level': 'headingLevel', // "1" when the element is the page (the offline file), else its title is an h2
  library: 'library', // "#id" of an inline JSON script, or a same-origin URL: the clinic's own library (library.js)
};

/** The element's title is an h2 and its panels h3 and h4, to sit under a
 * host page's h1; heading-level="1" lifts them all one level (the offline
 * file, where the element is the page). */
function setHeadingLevel(root, value) {
  const lift = value === '1' ? 1 : 0;
  for (const h of root.querySelectorAll('h1, h2, h3, h4, h5')) {
    const base = Number(h.dataset.level || h.localName[1]);
    const tag = 'h' + (base - lift);
    if (h.localName === tag || base - lift < 1) continue;
    const next = document.createElement(tag);
    for (const a of h.attributes) next.setAttribute(a.name, a.value);
    next.dataset.level = String(base);
    next.append(...h.childNodes);
    h.replaceWith(next);
  }
}
/** "(SHA-256 0a6d4619)": the built-in library file's hash, as the header and the sheet show it. */
function libraryHash() {
  return say('versions.hash', { hash: KetaminePlanner.librarySha256.slice(0, 8) });
}
function headerMarkup(lib, version) {
  return html`<div class="head"><div class="title"><h2>${TEXT.title}</h2>
<p class="versions"><span data-field="plannerVersion">${say('versions.planner', { version })}</span> · <span data-field="libraryVersion">${say('versions.library', { version: lib.version })} <span class="nobreak">${libraryHash()}</span></span></p></div>
<p class="use"><b>${TEXT.intendedUse.lead}</b> ${TEXT.intendedUse.text}</p>
<div class="actions"><button type="button" class="skip" data-action="results">${TEXT.skip}</button>
<button type="button" data-action="print">${TEXT.actions.print}</button><button type="button" data-action="print-handout">${TEXT.actions.handout}</button>
<button type="button" data-action="print-label">${TEXT.actions.label}</button><button type="button" data-action="print-monitoring">${TEXT.actions.monitoring}</button>
<button type="button" data-action="copy-link">${TEXT.actions.copyLink}</button></div>
<div class="link-note" data-role="link-note" role="status" hidden><p data-role="link-text"></p>
<input type="text" readonly data-role="link-copy" aria-label="${TEXT.actions.copyLink}" hidden>
<button type="button" data-action="use-link" hidden>${TEXT.link.use}</button></div></div>`;
}

function referencesMarkup(lib) {
  const tags = Object.entries(TEXT.tags).map(([t, m]) => html`<li><b class="tag">${t}</b> ${m}</li>`);
  const refs = lib.protocols.map((p) => html`<li><b>${p.name}</b> <span class="tag" title="${TEXT.tags[p.tag] || ''}">${p.tag}</span><br>${p.source}</li>`);
  return html`<details class="refs"><summary>${TEXT.headings.refs}</summary><ul class="tags">${tags}</ul>
<h4>${TEXT.headings.refsProtocols}</h4><ul class="sources">${refs}</ul><h4>${TEXT.headings.refsPk}</h4><ul class="sources" data-role="pk-refs"></ul>
<p class="hint">${say('refs.cautions', { source: lib.cautionsSource || TEXT.refs.cautionsDefault })}</p>
<h4>${TEXT.headings.selfTest}</h4><p class="hint">${say('selfTest.intro', { rate: selfTestCounts.rate, pk: selfTestCounts.pk, tolerance: selfTestCounts.tolerancePercent })}</p>
<button type="button" data-action="self-test">${TEXT.actions.selfTest}</button><div data-role="self-test" role="status"></div></details>`;
}

export class KetaminePlannerElement extends HTMLElement {
  static get observedAttributes() { return Object.keys(ATTRIBUTES); }

  constructor() {
    super();
    this._root = this.attachShadow({ mode: 'open' });
    adoptStyles(this._root);
    const loading = document.createElement('p');
    loading.className = 'loading';
    loading.textContent = TEXT.loading;
    this._root.appendChild(loading);
    this._built = false;
    this._plan = null;
    this._request = null;
    this._pending = false;
    this._hadPlanEvent = false;
  }

  /** The current plan (null while inputs are incomplete or invalid). */
  get plan() { return this._plan; }

  connectedCallback() {
    if (!this._onBeforePrint) {
      // The browser's own print command too: pending drawings are made first;
      // afterwards the next print is the bedside sheet.
      this._onBeforePrint = () => { if (this._built) this._flushForPrint(); };
      this._onAfterPrint = () => { if (this._built && this._paper.mode !== 'sheet') this._paper.setMode('sheet'); };
    }
    window.addEventListener('beforeprint', this._onBeforePrint);
    window.addEventListener('afterprint', this._onAfterPrint);
    // A library changed by another element or by useLibrary: this planner is rebuilt on it.
    this._offLibrary = onLibraryChange(() => { if (this._built) this._rebuild(); });
    this._start();
  }

  /** Builds the planner once the engine and, when the element names one, its library are loaded. */
  _start() {
    const source = this.getAttribute('library');
    ready.then(() => (source && !this._built ? loadLibrary(KetaminePlanner, source, this) : null)).then(() => {
      const first = !this._built;
      if (first) this._build();
      this._compute();
      if (first) this.dispatchEvent(new CustomEvent('planner-ready', { bubbles: true, composed: true }));
    }, (err) => {
      this._showFailure(err);
      console.error(err);
    });
  }

  /** The engine or the clinic's library did not load: the reason in place of the planner, and no plan. */
  _showFailure(err) {
    const problems = (err && err.problems) || [];
    const box = document.createElement('div');
    box.className = 'loading failed';
    box.setAttribute('role', 'alert');
    const text = err && err.name === 'LibraryLoadError' ? err.message : say('engineFailed', { error: err && err.message ? err.message : err });
    render(box, html`<p><b>${text}</b></p>${problems.length ? html`<ul>${problems.map((p) => html`<li><code>${p.path || '/'}</code> ${p.message}</li>`)}</ul>` : ''}<p>${TEXT.library.nothingPlanned}</p>`);
    this._root.querySelector('.loading')?.remove();
    this._root.appendChild(box);
    this.dispatchEvent(new CustomEvent('planner-error', { detail: err, bubbles: true, composed: true }));
  }

  /** library="..." changed: a built planner is rebuilt on the new library
   * (onLibraryChange) or, when it fails, withdrawn; a failed one tries again. */
  _changeLibrary(source) {
    if (!this._built) {
      this._root.querySelector('.failed')?.remove();
      this._start();
      return;
    }
    if (!source) return; // the library in use stays: removing the attribute changes nothing
    loadLibrary(KetaminePlanner, source, this).catch((err) => {
      this._clock.pause();
      this._container.remove();
      this._built = false;
      this._showFailure(err);
    });
  }

  /** The planner again, on the library now in use: the inputs and the course record are kept. */
  _rebuild() {
    const values = this._form.values();
    const record = this._record.record;
    this._clock.pause();
    this._container.remove();
    this._built = false;
    this._build();
    this._form.restore(values);
    this._record.record = record;
    const r = this._record.check(record);
    this._record.show(r.review);
    if (r.error) this._record.status(r.error, true);
    this._compute();
  }

  disconnectedCallback() {
    window.removeEventListener('beforeprint', this._onBeforePrint);
    window.removeEventListener('afterprint', this._onAfterPrint);
    if (this._offLibrary) this._offLibrary();
    if (this._clock) this._clock.pause(); // it ticks again with the next plan once reconnected
  }

  attributeChangedCallback(name, oldValue, value) {
    if (oldValue === value) return;
    if (name === 'library') { if (this.isConnected) this._changeLibrary(value); return; }
    if (!this._built) return;
    this._applyAttribute(name, value);
    this._schedule();
  }

  _applyAttribute(name, value) {
    const form = this._form;
    if (name === 'protocol') form.protocolAttribute(value);
    else if (name === 'concentration') form.inputs.concentrationMgPerMl.value = value || '';
    else if (name === 'pump-resolution') form.inputs.pumpResolutionMlPerHour.value = value || '';
    else if (name === 'weight-unit') form.weightUnitAttribute(value);
    else if (name === 'heading-level') setHeadingLevel(this._root, value);
  }

  _build() {
    const root = this._root;
    const lib = KetaminePlanner.library();
    const version = KetaminePlanner.version;
    const pk = KetaminePlanner.pkModels();
    const contract = KetaminePlanner.contract();
    this._form = new Form(root, lib, contract, pk);
    this._results = new Results();
    this._course = new Course();
    this._preview = new Preview(KetaminePlanner, pk);
    this._clock = new Clock(KetaminePlanner);
    // Read once: a library change rebuilds the element, and library()
    // serialises all of it across the wasm boundary. `named` is the version
    // with its hash: what the sheet prints and a link is checked against, so
    // two libraries of one version are told apart.
    const named = `${lib.version} ${libraryHash()}`;
    this._paper = new Paper(version, named);
    this._versions = { planner: version, library: lib.version, named };
    this._record = new CourseRecord(KetaminePlanner, this._versions, {
      current: () => ({ plan: this._plan, request: this._request }),
      // The next course's inputs from the record: the previous end filled in, the start left to the clinician.
      planNext: (request) => {
        this._form.restore(formValues(request, contract));
        this._compute();
        this._form.inputs.start.focus();
      },
      // The record's booster window goes on the course calendar too; the
      // review's own headings take the element's heading level.
      reviewed: (review) => {
        this._course.showBoosterDue(review && review.boosterDue);
        setHeadingLevel(this._root, this.getAttribute('heading-level'));
      },
    });
    root.querySelector('.loading')?.remove();
    const wrap = document.createElement('div');
    wrap.className = 'kp';
    wrap.setAttribute('part', 'container');
    render(wrap, html`${headerMarkup(lib, version)}<div class="layout">${this._form.markup()}
<section class="results" data-state="empty" aria-label="${TEXT.actions.results}">${resultsMarkup(clockMarkup())}${courseMarkup()}${recordMarkup()}${previewMarkup()}${printMarkup()}</section></div>
${referencesMarkup(lib)}<footer class="foot">${say('footer', { library: lib.version, version })}</footer>
<article class="handout" data-role="handout" aria-hidden="true"></article>
<article class="label" data-role="label" aria-hidden="true"></article>
<article class="monitoring" data-role="monitoring" aria-hidden="true"></article>
<article class="followup" data-role="followup" aria-hidden="true"></article>`);
    root.appendChild(wrap);
    this._container = wrap;

    this._form.attach(root.querySelector('form'));
    this._results.attach(root);
    this._alerts = new Alerts(root.querySelector('[data-field=alerts]'));
    this._course.attach(root);
    this._clock.attach(root);
    this._record.attach(root);
    this._preview.attach(root, () => this._preview.schedule(this._request));
    render(root.querySelector('[data-role=pk-refs]'), this._preview.references());
    this._paper.attach(root, wrap, { draw: (el) => this._record.drawPrint(el), label: () => this._record.label() });

    for (const a of ['protocol', 'concentration', 'pump-resolution', 'heading-level']) if (this.hasAttribute(a)) this._applyAttribute(a, this.getAttribute(a));
    this._form.weightUnitAttribute(this.getAttribute('weight-unit'));
    this._form.protocolChanged();

    const form = this._form.form;
    form.addEventListener('input', (e) => this._onInput(e));
    form.addEventListener('change', (e) => this._onInput(e));
    form.addEventListener('submit', (e) => e.preventDefault());
    this._form.unit.addEventListener('change', () => { this._form.setWeightUnit(this._form.unit.value, true); this._schedule(); });
    const alerts = root.querySelector('[data-field=alerts]');
    alerts.addEventListener('change', (e) => { if (this._alerts.onEvent(e)) this._schedule(); });
    alerts.addEventListener('input', (e) => this._alerts.onEvent(e));
    this._form.concChips.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-value]');
      if (!b) return;
      this._form.inputs.concentrationMgPerMl.value = b.getAttribute('data-value');
      this._form.touched.add('concentrationMgPerMl');
      this._schedule();
    });
    wrap.addEventListener('click', (e) => {
      const a = e.target.closest('[data-action]');
      if (!a) return;
      const action = a.getAttribute('data-action');
      // print, print-handout, print-label, print-monitoring, print-followup
      if (action.startsWith('print')) this.print(action.slice(6) || 'sheet');
      else if (action === 'ics' && this._plan && this._request) downloadIcs(KetaminePlanner, this._request, root);
      else if (action === 'copy-link') this._copyLink();
      else if (action === 'clock-start') this._clock.start();
      else if (action === 'clock-stop') this._clock.stop();
      else if (action === 'clock-vitals' || action === 'clock-rateChange') this._record.fromClock(action.slice(6), this._clock.started.value);
      else if (action === 'use-link' && this._pendingLink) { this._applyLink(this._pendingLink); }
      else if (action === 'self-test') showSelfTest(root.querySelector('[data-role=self-test]'), KetaminePlanner.selfTest());
      else if (action === 'results') { e.preventDefault(); this._results.role.pump.scrollIntoView({ block: 'start' }); this._results.role.pump.focus({ preventScroll: true }); }
    });
    this._built = true;
    this._openLink(window.location.hash);
  }

  /** The link to these inputs (see link.js): the page's address with the inputs in its fragment. */
  get permalink() {
    if (!this._built) return '';
    const first = this._plan && this._plan.levels && this._plan.levels[0];
    const rate = first ? first.text.mlPerHour : TEXT.link.noRate;
    const page = window.location.href.split('#')[0];
    return page + encodeLink(this._form.values(), this._versions, rate);
  }

  _linkNote(text, { copy = '', use = false } = {}) {
    const r = this._root;
    r.querySelector('[data-role=link-note]').hidden = !text;
    r.querySelector('[data-role=link-text]').textContent = text;
    const field = r.querySelector('[data-role=link-copy]');
    field.hidden = !copy;
    field.value = copy;
    r.querySelector('[data-action=use-link]').hidden = !use;
  }

  async _copyLink() {
    const link = this.permalink;
    try {
      await navigator.clipboard.writeText(link);
      this._linkNote(TEXT.link.copied);
    } catch (e) {
      this._linkNote(TEXT.link.copyBySelecting, { copy: link });
      this._root.querySelector('[data-role=link-copy]').select();
    }
  }

  /** A link in the page's address: restored when it can be trusted and made
   * with this library; with another library the change is shown first. */
  _openLink(hash) {
    const got = decodeLink(hash);
    if (!got) return;
    if (got.error) { this._linkNote(TEXT.link[got.error]); return; }
    const link = got.link;
    const check = KetaminePlanner.planForm(link.form);
    // A key this planner does not take (the contract's refusal), a value of
    // another kind than the inputs give (text; frail yes/no; cautions a
    // list), or acknowledgements, which a link never carries: refused whole.
    const kind = ([k, v]) => (k === 'frail' ? typeof v === 'boolean'
      : k === 'cautions' ? Array.isArray(v) && v.every((c) => typeof c === 'string') : k !== 'acknowledged' && typeof v === 'string');
    const wrong = Object.entries(link.form).find((e) => !kind(e));
    if (wrong || (check.error && check.error.code === 'unknown_field')) {
      this._linkNote(say('link.invalid', { error: wrong ? wrong[0] : check.error.message }));
      return;
    }
    const library = this._versions.named;
    if (link.library !== library) {
      const first = check.plan && check.plan.levels && check.plan.levels[0];
      this._pendingLink = link;
      this._linkNote(say('link.otherLibrary', { then: link.library, rateThen: link.rate, now: library, rateNow: first ? first.text.mlPerHour : TEXT.link.noRate }), { use: true });
      return;
    }
    this._applyLink(link);
  }

  _applyLink(link) {
    this._pendingLink = null;
    this._form.restore(link.form);
    this._compute();
    this._linkNote(say('link.restored', { planner: link.planner }));
  }

  _onInput(e) {
    const t = e.target;
    if (t === this._form.unit) return;
    if (e.type === 'input' && t.localName === 'input') this._typing();
    if (t.name) this._form.touched.add(t.name);
    if (t === this._form.inputs.protocol) { this._form.notes.protocol = ''; this._form.protocolChanged(); }
    if (t === this._form.inputs.doseUnit) this._form.clearDoses();
    if (t === this._form.mode) this._form.modeChanged();
    // An edit renders in its own event: a value the inputs no longer support
    // never stays on screen, not even for a microtask.
    this._compute();
  }

  /** While a value is being typed, the panels below the pump card are not
   * drawn (content-visibility: hidden, their size kept) and get the plan
   * only when typing pauses for TYPING_MS, so a key costs the engine call and
   * the pump card. The pump rate, the plan's state, the session clock and the
   * alerts are drawn with every key; a stale value is never drawn. */
  _typing() {
    this._results.section.setAttribute('data-typing', '');
    clearTimeout(this._typingTimer);
    this._typingTimer = setTimeout(() => this._typed(), TYPING_MS);
  }

  /** Typing paused (or printing): the panels below the pump card get the plan and are drawn. */
  _typed() {
    clearTimeout(this._typingTimer);
    this._typingTimer = 0;
    if (this._detailsPending) this._showDetails(this._plan);
    this._results.section.removeAttribute('data-typing');
  }

  /** The panels below the pump card: weights, ladder, totals, preparation, timeline and calendar. */
  _showDetails(plan) {
    this._detailsPending = false;
    this._results.showDetails(plan);
    this._course.show(plan, !!this._request);
  }

  /** One engine call for everything that changed in this task. */
  _schedule() {
    if (this._pending) return;
    this._pending = true;
    queueMicrotask(() => { if (this._pending) this._compute(); });
  }

  _compute() {
    this._pending = false;
    if (!this._built) return;
    let result;
    const values = () => ({ ...this._form.values(), acknowledged: [...this._alerts.acks.keys()] });
    try {
      result = KetaminePlanner.planForm(values());
      // An acknowledgement holds only for the alert as it was worded when ticked.
      if (result && result.plan && this._alerts.prune(result.plan.alerts)) result = KetaminePlanner.planForm(values());
    } catch (err) {
      result = { fieldErrors: {}, error: { field: '', code: 'engine', message: say('engineBroke', { error: err && err.message ? err.message : err }) }, plan: null };
      console.error(err);
    }
    this._render(result);
  }

  _render(result) {
    const errors = result.fieldErrors || {};
    const plan = result.plan && !result.error && !Object.keys(errors).length ? result.plan : null;
    const { missing, invalid } = this._form.showErrors(errors, result.error);
    this._plan = plan;
    this._request = plan ? result.request : null;
    this._results.show(plan, missing, invalid);
    if (plan) this._alerts.show(plan.alerts || []); else this._alerts.clear();
    // While a value is typed the panels below are hidden: they get the plan once typing pauses.
    if (this._typingTimer) this._detailsPending = true; else this._showDetails(plan);
    this._clock.show(plan, this._request);
    this._preview.schedule(this._request, plan);
    if (plan || this._hadPlanEvent) {
      this._hadPlanEvent = !!plan;
      this.dispatchEvent(new CustomEvent('plan-change', { detail: plan, bubbles: true, composed: true }));
    }
  }

  _flushForPrint() {
    if (this._pending) this._compute();
    this._typed();
    const plan = this._plan;
    const link = this.permalink;
    this._paper.show(plan, this._form, this._alerts.printed(plan ? plan.alerts || [] : []), link.slice(-8));
    this._paper.showQr(plan ? link : '');
    this._preview.flush();
    this._course.flush();
  }

  /** Prints "sheet" (the bedside sheet), "handout" (the patient handout),
   * "label" (the bag or syringe label, on its own page), "monitoring" (the
   * session monitoring record, a page for each session) or "followup" (the
   * course record's responses, chart and ledger). */
  print(mode) {
    this._paper.setMode(mode);
    this._flushForPrint();
    window.print();
  }
}

// Attributes reflected to properties: el.weightUnit = 'lb' sets weight-unit="lb".
for (const [attr, prop] of Object.entries(ATTRIBUTES)) {
  Object.defineProperty(KetaminePlannerElement.prototype, prop, {
    get() { return this.getAttribute(attr); },
    set(v) { if (v == null) this.removeAttribute(attr); else this.setAttribute(attr, String(v)); },
  });
}
