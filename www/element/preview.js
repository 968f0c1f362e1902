/* The concentration preview. It costs tens of ms for a long course, so it
 * runs after typing pauses, never in the keystroke; a plot or figure the
 * current inputs no longer support is removed in the same update as the edit. */
import { html, render, setText, SvgSlot } from './html.js';
import { TEXT, say } from './text.js';

const K = TEXT.pk;

export function previewMarkup() {
  return html`<div class="card ext" data-ext="pk"><h3 id="kp-pk-title">${TEXT.headings.pk}</h3>
<div class="pk-controls"><label for="f-pkModel">${K.model}</label><select id="f-pkModel" data-role="pk-model"></select>
<label class="check"><input type="checkbox" data-role="pk-compare"> ${K.compare}</label>
<label class="check"><input type="checkbox" data-role="pk-effect"> ${K.effect}</label></div>
<div class="slot scroll" data-role="pk-svg" tabindex="0" role="region" aria-label="${K.chart}"></div>
<p class="pk-caption" data-role="pk-caption"></p>
<div class="pk-figures" data-role="pk-figures"></div>
<ul class="pk-notes" data-role="pk-notes"></ul>
<p class="pk-typical">${K.typical}</p><p class="hint">${K.bands}</p>
<div class="pk-target"><label for="f-pkTarget">${T.label}</label><div class="control"><input id="f-pkTarget" data-role="pk-target" type="text"
 inputmode="decimal" autocomplete="off" spellcheck="false" aria-describedby="h-pkTarget e-pkTarget"><span class="unit">ng/mL</span></div>
<p class="hint" id="h-pkTarget">${T.hint}</p><p class="msg error" id="e-pkTarget" data-role="pk-target-msg"></p><div data-role="pk-target-out"></div>
<div class="slot scroll" data-role="pk-target-svg" tabindex="0" role="region" aria-label="${T.chart}"></div></div></div>`;
}

const T = K.target;
/* A number as the core accepts it in every input (numbers::parse_decimal):
 * digits with at most one decimal point inside, nothing else. */
const STRICT_NUMBER = /^[0-9]+(\.[0-9]+)?$/;

/** The scheme as a table: from when, pump rate, delivered (the core's text). */
function scheme(t) {
  return html`<p class="pk-target-title">${say('pk.target.title', { target: t.targetText, model: t.model.name })}</p>
${t.usable ? '' : html`<p class="msg error">${T.notUsable}</p>`}<div class="scroll" tabindex="0" role="region" aria-label="${T.table}"><table class="pk-target-steps">
<thead><tr><th scope="col">${T.from}</th><th scope="col">${T.rate}</th><th scope="col">${T.delivered}</th></tr></thead>
<tbody>${t.steps.map((s) => html`<tr><th scope="row">${s.text.from}</th><td>${s.text.mlPerHour}</td><td>${s.text.mgPerHour}</td></tr>`)}</tbody></table></div>
<ul class="pk-notes">${t.alerts.map((a) => html`<li class="${a.level}" data-code="${a.code}">${a.message}</li>`)}</ul>`;
}

/** The peak, then per session (or once for one session) the level at the end
 * of the infusion, at the earliest discharge and the time below the threshold;
 * consecutive sessions with the same three figures share a row. */
function figures(t) {
  const rows = Array.isArray(t.sessions) ? t.sessions : [];
  const below = t.threshold ? say('pk.below', { threshold: t.threshold }) : K.belowAny;
  const item = (label, value) => (value ? html`<div><dt>${label}</dt><dd>${value}</dd></div>` : '');
  if (rows.length === 1) {
    return html`<dl class="pk-fig">${item(K.peak, t.peak)}${item(K.end, rows[0].end)}${item(K.discharge, rows[0].discharge)}${item(below, rows[0].minutesToThreshold)}</dl>`;
  }
  const groups = [];
  rows.forEach((x, i) => {
    const g = groups[groups.length - 1];
    if (g && g.end === x.end && g.discharge === x.discharge && g.below === x.minutesToThreshold) g.to = i + 1;
    else groups.push({ from: i + 1, to: i + 1, end: x.end, discharge: x.discharge, below: x.minutesToThreshold });
  });
  return html`<dl class="pk-fig">${item(K.peak, t.peak)}</dl>${groups.length ? html`<div class="scroll" tabindex="0" role="region" aria-label="${TEXT.headings.pk}">
<table class="pk-sessions"><thead><tr><th scope="col">${K.session}</th><th scope="col">${K.end}</th><th scope="col">${K.discharge}</th><th scope="col">${below}</th></tr></thead>
<tbody>${groups.map((g) => html`<tr><th scope="row">${g.from}${g.to > g.from ? ' to ' + g.to : ''}</th><td>${g.end}</td><td>${g.discharge}</td><td>${g.below}</td></tr>`)}</tbody></table></div>` : ''}`;
}

export class Preview {
  constructor(engine) { this.engine = engine; this.key = ''; this.timer = 0; this.request = null; }

  attach(root, onChange) {
    const q = (r) => root.querySelector('[data-role=' + r + ']');
    this.model = q('pk-model');
    this.compare = q('pk-compare');
    this.effect = q('pk-effect');
    this.svg = new SvgSlot(q('pk-svg'));
    this.caption = q('pk-caption');
    this.figures = q('pk-figures');
    this.notes = q('pk-notes');
    this.target = q('pk-target');
    this.targetMsg = q('pk-target-msg');
    this.targetOut = q('pk-target-out');
    this.targetSvg = new SvgSlot(q('pk-target-svg'));
    this.target.addEventListener('input', () => this.runTarget());
    this.lib = this.engine.pkModels();
    const models = this.lib ? this.lib.models : [];
    render(this.model, html`${models.map((m) => html`<option value="${m.id}">${m.name} — ${m.population}</option>`)}`);
    if (this.lib) this.model.value = this.lib.defaultModel;
    this.model.addEventListener('change', onChange);
    this.compare.addEventListener('change', onChange);
    this.effect.addEventListener('change', onChange);
  }

  /** The sources of the models and bands, for the references. */
  references() {
    if (!this.lib) return html``;
    return html`${this.lib.models.map((m) => html`<li><b>${m.name}</b> <span class="tag">${m.tag}</span> (${m.population})<br>${m.source}</li>`)}${
      (this.lib.bands || []).map((b) => html`<li><b>${say('refs.band', { label: b.label })}</b> <span class="tag">${b.tag}</span><br>${b.source}</li>`)}`;
  }

  clearFigures() {
    this.svg.set('');
    render(this.figures, html``);
    render(this.notes, html``);
    this.clearTarget();
  }

  clearTarget() {
    this.targetSvg.set('');
    render(this.targetOut, html``);
  }

  /** The target scheme for the current plan, or the reason there is none. */
  runTarget() {
    const text = this.target.value.trim();
    const bad = text !== '' && !STRICT_NUMBER.test(text);
    setText(this.targetMsg, bad ? T.malformed : '');
    this.target.setAttribute('aria-invalid', bad ? 'true' : 'false');
    this.clearTarget();
    if (bad || text === '' || !this.request) return;
    try {
      const t = this.engine.solveTarget(this.request, { targetNgPerMl: Number(text), model: this.model.value || undefined });
      render(this.targetOut, scheme(t));
      this.targetSvg.set(t.svg);
    } catch (e) {
      setText(this.targetMsg, e && e.message ? e.message : String(e));
    }
  }

  /** Called with every plan: the preview is redone only when what it reads changed. */
  schedule(request) {
    this.request = request;
    // Acknowledgements and cautions do not change the curve: ticking one redraws nothing.
    const { acknowledged, cautions, ...curve } = request || {};
    const key = request ? JSON.stringify([curve, this.model.value, this.compare.checked, this.effect.checked]) : '';
    if (key === this.key) return;
    this.key = key;
    clearTimeout(this.timer);
    this.timer = 0;
    this.clearFigures();
    setText(this.caption, key ? K.calculating : K.waiting);
    if (key) this.timer = setTimeout(() => { this.timer = 0; this.run(); }, 150);
  }

  run() {
    if (!this.request) return;
    const model = this.model.value;
    const compare = this.compare.checked && this.lib
      ? this.lib.models.filter((m) => m.id !== model && m.ageYears && m.ageYears.min >= 18).map((m) => m.id) : [];
    let sim;
    try {
      sim = this.engine.simulate(this.request, { model: model || undefined, compare, effectSite: this.effect.checked });
    } catch (e) {
      this.clearFigures();
      setText(this.caption, say('pk.failed', { error: e && e.message ? e.message : e }));
      return;
    }
    this.svg.set(sim.svg);
    const m = sim.model || {};
    setText(this.caption, say('pk.caption', { name: m.name || model, population: m.population || '', source: m.source || '', tag: m.tag || '' }));
    render(this.figures, figures(sim.text || {}));
    render(this.notes, html`${(sim.notes || []).concat(sim.alerts || []).map((a) =>
      html`<li class="${a.level || 'info'}" data-code="${a.code || ''}">${a.message}</li>`)}`);
    this.runTarget();
  }

  /** Before printing nothing may wait for a timer or a frame. */
  flush() {
    if (this.timer) { clearTimeout(this.timer); this.timer = 0; this.run(); }
    this.svg.flush();
    this.targetSvg.flush();
  }
}
