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
<p class="pk-typical">${K.typical}</p><p class="hint">${K.bands}</p></div>`;
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
  /** @param engine KetaminePlanner; @param lib its pkModels() */
  constructor(engine, lib) { this.engine = engine; this.lib = lib; this.key = ''; this.timer = 0; this.request = null; this.targetModel = ''; }

  attach(root, onChange) {
    const q = (r) => root.querySelector('[data-role=' + r + ']');
    this.model = q('pk-model');
    this.compare = q('pk-compare');
    this.effect = q('pk-effect');
    this.svg = new SvgSlot(q('pk-svg'));
    this.caption = q('pk-caption');
    this.figures = q('pk-figures');
    this.notes = q('pk-notes');
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
  }

  /** Called with every plan: the preview is redone only when what it reads changed. */
  schedule(request, plan) {
    this.request = request;
    // A target's rates are shown on the model they were solved with; picking
    // another model afterwards compares, until the target's model changes.
    const targetModel = plan && plan.target ? plan.target.model.id : '';
    if (targetModel && targetModel !== this.targetModel) this.model.value = targetModel;
    this.targetModel = targetModel;
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
  }

  /** Before printing nothing may wait for a timer or a frame. */
  flush() {
    if (this.timer) { clearTimeout(this.timer); this.timer = 0; this.run(); }
    this.svg.flush();
  }
}
