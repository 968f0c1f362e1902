/* The inputs. Every input's name is its field in the core's contract
 * (KetaminePlanner.contract()), and its label and unit come from there; this
 * file only places the fields and adds the hints of data/element-text.json.
 * Values go to the core as typed: the core parses every input. */
import { html, render, setText } from './html.js';
import { TEXT, say, today } from './text.js';

/** Fields sent only while the protocol is `custom`. */
const CUSTOM_ONLY = new Set(['doseUnit', 'startDose', 'stepDose', 'maxDose', 'sessionDoseMg', 'rateMlPerHour', 'volumeMl', 'volumeMinutes']);
/** Not text inputs: a check box and two lists of check boxes. */
const NOT_TEXT = new Set(['frail', 'acknowledged', 'cautions']);
const DOSE_FIELDS = ['startDose', 'stepDose', 'maxDose'];
/** Sent only in target mode; a target replaces the dose, so then the custom
 * dose and the clock-driven step are not sent. */
const TARGET_ONLY = new Set(['targetNgPerMl', 'model', 'reachMinutes']);

function hintOf(name) { return (TEXT.fields[name] || {}).hint || ''; }
function describedBy(name, hint) { return (hint ? 'h-' + name + ' ' : '') + 'e-' + name; }

export class Form {
  /** @param root the shadow root; @param lib the protocol library; @param contract the core's field list;
   * @param pk the PK models (for target mode) */
  constructor(root, lib, contract, pk) {
    this.root = root;
    this.lib = lib;
    this.pk = pk;
    this.byName = new Map(contract.map((f) => [f.path.split('.').pop(), f]));
    this.textNames = [...this.byName.keys()].filter((n) => !NOT_TEXT.has(n));
    this.notes = {};          // field name -> a note shown while the field is empty
    this.touched = new Set(); // names the user has edited
  }

  label(name) {
    const own = (TEXT.fields[name] || {}).label;
    const f = this.byName.get(name === 'weight' ? 'weightKg' : name);
    return own || (f ? f.label : name);
  }

  /* ------------------------------------------------------------ markup -- */

  message(name, hint) {
    return html`${hint ? html`<p class="hint" id="h-${name}">${hint}</p>` : ''}<p class="msg" id="e-${name}"></p>`;
  }

  number(name, extra) {
    const f = this.byName.get(name);
    const t = TEXT.fields[name] || {};
    const hint = hintOf(name);
    const unit = f.unit === 'dose unit' ? html`<span class="unit" data-role="dose-unit">mg/kg/h</span>`
      : f.unit && f.unit !== 'sessions' ? html`<span class="unit">${f.unit}</span>` : '';
    return html`<div class="field" data-for="${name}"><label for="f-${name}">${this.label(name)}</label>
<div class="control"><input id="f-${name}" name="${name}" type="text" inputmode="decimal" autocomplete="off" spellcheck="false"${
  extra || ''}${t.placeholder ? html` placeholder="${t.placeholder}"` : ''} aria-describedby="${describedBy(name, hint)}">${unit}</div>${this.message(name, hint)}</div>`;
  }

  select(name, options) {
    const hint = hintOf(name);
    const opts = options || Object.entries(TEXT.fields[name].options);
    return html`<div class="field" data-for="${name}"><label for="f-${name}">${this.label(name)}</label>
<div class="control"><select id="f-${name}" name="${name}" aria-describedby="${describedBy(name, hint)}">${
  opts.map(([v, l]) => html`<option value="${v}">${l}</option>`)}</select></div>${this.message(name, hint)}</div>`;
  }

  date(name, type) {
    const hint = hintOf(name);
    return html`<div class="field" data-for="${name}"><label for="f-${name}">${this.label(name)}</label>
<div class="control"><input id="f-${name}" name="${name}" type="${type}" aria-describedby="${describedBy(name, hint)}"></div>${this.message(name, hint)}</div>`;
  }

  /** The dose mode: not a request field, it decides which fields are sent. */
  doseMode() {
    const t = TEXT.fields.doseMode;
    return html`<div class="field" data-for="doseMode"><label for="f-doseMode">${t.label}</label>
<div class="control"><select id="f-doseMode" data-role="dose-mode" aria-describedby="h-doseMode">${
  Object.entries(t.options).map(([v, l]) => html`<option value="${v}">${l}</option>`)}</select></div><p class="hint" id="h-doseMode">${t.hint}</p></div>`;
  }

  /** The models a target is solved with; empty is the model file's default, named. */
  modelOptions() {
    const models = (this.pk && this.pk.models) || [];
    const def = models.find((m) => m.id === (this.pk && this.pk.defaultModel));
    return [['', say('fields.model.default', { name: def ? def.name : '' })],
      ...models.map((m) => [m.id, m.name + ' — ' + m.population + ' · ' + m.tag])];
  }

  markup() {
    const L = TEXT.legends;
    const protocols = [['', TEXT.fields.protocol.choose],
      ...this.lib.protocols.map((p) => [p.id, p.name + ' — ' + p.setting + ' · ' + p.tag])];
    const cautions = (this.lib.cautions || []).map((c) =>
      html`<li><label><input type="checkbox" name="cautions" value="${c.id}"> ${c.label}</label></li>`);
    return html`<form class="inputs" novalidate autocomplete="off" aria-label="Infusion inputs">
<fieldset><legend>${L.protocol}</legend>${this.select('protocol', protocols)}
<div class="protocol-card" data-role="protocol-card" aria-live="polite"></div></fieldset>
<fieldset><legend>${L.patient}</legend>
<div class="field" data-for="weight"><label for="f-weight">${this.label('weight')}</label>
<div class="control"><input id="f-weight" name="weightKg" type="text" inputmode="decimal" autocomplete="off" spellcheck="false" aria-describedby="e-weight">
<select class="unit-select" data-role="weight-unit" aria-label="${TEXT.fields.weightKg.unitLabel}"><option value="kg">kg</option><option value="lb">lb</option></select></div>
<p class="msg" id="e-weight"></p></div>
<div class="row">${this.number('heightCm')}${this.select('sex')}</div>
${this.number('ageYears')}
<div class="field" data-for="frail"><label class="check"><input type="checkbox" name="frail" id="f-frail"> ${TEXT.fields.frail.label}</label></div>
${this.select('weightBasis')}</fieldset>
<fieldset><legend>${L.infusion}</legend>
${this.number('concentrationMgPerMl', html` list="kp-conc"`)}
<datalist id="kp-conc" data-role="conc-list"></datalist>
<div class="chips" data-role="conc-chips" role="group" aria-label="${TEXT.fields.concentrationMgPerMl.chipsLabel}"></div>
${this.number('pumpResolutionMlPerHour')}${this.number('preparationVolumeMl')}</fieldset>
<fieldset><legend>${L.dose}</legend>${this.doseMode()}
<div data-role="target" hidden>${this.number('targetNgPerMl')}${this.select('model', this.modelOptions())}${this.number('reachMinutes')}</div></fieldset>
<fieldset class="custom" data-role="custom" hidden disabled><legend>${L.custom}</legend>
${this.select('doseUnit')}
<div class="row">${this.number('startDose')}${this.number('stepDose')}</div>
${this.number('maxDose')}${this.number('sessionDoseMg')}
<fieldset class="sub"><legend>${L.volumeOrder}</legend>${this.number('rateMlPerHour')}
<div class="row">${this.number('volumeMl')}${this.number('volumeMinutes')}</div></fieldset></fieldset>
<fieldset><legend>${L.course}</legend>
<div class="row">${this.number('sessionMinutes')}${this.number('sessions')}</div>
${this.select('schedule')}${this.date('start', 'datetime-local')}
${this.number('observationMinutes')}${this.number('stepEveryMinutes')}
${this.date('previousCourseEnd', 'date')}</fieldset>
<fieldset><legend>${L.cautions}</legend><p class="hint">${TEXT.fields.cautions.hint}</p>
<ul class="checklist">${cautions}</ul></fieldset>
<p class="msg form-error" data-role="form-error" role="alert"></p>
<div class="mini" data-role="mini" aria-hidden="true"><span class="mini-rate" data-role="mini-rate"></span>
<span class="mini-status" data-role="mini-status"></span><button type="button" tabindex="-1" data-action="results">${TEXT.actions.results}</button></div>
</form>`;
  }

  /** Finds the inputs once the markup is in the shadow root. */
  attach(form) {
    const root = this.root;
    this.form = form;
    this.inputs = {};
    for (const n of this.textNames) {
      const el = root.getElementById('f-' + n);
      if (el) this.inputs[n] = el;
    }
    this.weight = root.getElementById('f-weight');
    this.unit = root.querySelector('[data-role=weight-unit]');
    this.frail = root.getElementById('f-frail');
    this.card = root.querySelector('[data-role=protocol-card]');
    this.custom = root.querySelector('[data-role=custom]');
    this.mode = root.querySelector('[data-role=dose-mode]');
    this.targetFields = root.querySelector('[data-role=target]');
    this.concList = root.querySelector('[data-role=conc-list]');
    this.concChips = root.querySelector('[data-role=conc-chips]');
    this.formError = root.querySelector('[data-role=form-error]');
    // The start defaults to today, 09:00; the weight basis starts at the protocol's.
    this.inputs.start.value = today() + 'T09:00';
    this.inputs.weightBasis.value = '';
  }

  /* ------------------------------------------------------------- state -- */

  get protocolId() { return this.inputs.protocol.value; }
  get protocol() { return this.lib.protocols.find((p) => p.id === this.protocolId) || null; }
  get targetMode() { return this.mode.value === 'target'; }

  /** Target mode shows the target's fields and hides what it replaces: the
   * custom dose and the clock-driven step. */
  modeChanged() {
    const target = this.targetMode;
    this.targetFields.hidden = !target;
    const custom = this.protocolId === 'custom' && !target;
    this.custom.hidden = !custom;
    this.custom.disabled = !custom;
    this.root.querySelector('[data-for=stepEveryMinutes]').hidden = target;
  }

  /** The flat form the core's planForm() takes: every value as typed. */
  values() {
    const form = {};
    const target = this.targetMode;
    const custom = this.protocolId === 'custom' && !target;
    for (const n of this.textNames) {
      if (n === 'weightKg' || n === 'weightLb' || (CUSTOM_ONLY.has(n) && !custom)) continue;
      if (TARGET_ONLY.has(n) ? !target : target && n === 'stepEveryMinutes') continue;
      if (this.inputs[n]) form[n] = this.inputs[n].value;
    }
    form[this.weight.name] = this.weight.value;
    form.frail = this.frail.checked;
    form.cautions = [...this.form.querySelectorAll('input[name=cautions]:checked')].map((c) => c.value);
    return form;
  }

  /** Puts back inputs saved by values() (a permalink): the protocol first,
   * as it decides the custom fields; then every input as it was typed. */
  restore(values) {
    this.inputs.protocol.value = values.protocol || '';
    this.mode.value = 'targetNgPerMl' in values ? 'target' : 'dose';
    this.protocolChanged();
    this.setWeightUnit('weightLb' in values ? 'lb' : 'kg', false);
    this.weight.value = values[this.weight.name] || '';
    for (const n of this.textNames) {
      if (n in values && this.inputs[n] && n !== 'protocol') this.inputs[n].value = values[n];
      if (n in values) this.touched.add(n);
    }
    this.frail.checked = values.frail === true;
    const ticked = new Set(values.cautions || []);
    for (const c of this.form.querySelectorAll('input[name=cautions]')) c.checked = ticked.has(c.value);
    this.doseUnitChanged();
  }

  /** Ticked cautions, as their labels read. */
  tickedCautions() {
    return [...this.form.querySelectorAll('input[name=cautions]:checked')].map((c) => c.parentNode.textContent.trim());
  }

  /** kg or lb. The number typed meant the other unit: it is cleared, not reinterpreted. */
  setWeightUnit(unit, byUser) {
    const name = unit === 'lb' ? 'weightLb' : 'weightKg';
    this.unit.value = unit;
    if (this.weight.name === name) return;
    const had = this.weight.value !== '';
    this.weight.name = name;
    this.weight.value = '';
    this.touched.delete('weightKg');
    this.touched.delete('weightLb');
    if (byUser) this.notes.weightKg = had ? say('notes.weightCleared', { unit }) : '';
  }

  /** The weight-unit attribute: kg or lb; any other value is named at the weight field. */
  weightUnitAttribute(value) {
    const ok = value == null || value === 'kg' || value === 'lb';
    this.notes.weightKg = ok ? '' : say('notes.badWeightUnit', { value });
    this.setWeightUnit(value === 'lb' ? 'lb' : 'kg', false);
  }

  /** The protocol attribute: an id this library lacks is named at the field. */
  protocolAttribute(value) {
    this.inputs.protocol.value = value || '';
    if (this.inputs.protocol.value !== (value || '')) this.inputs.protocol.value = '';
    this.notes.protocol = value && !this.inputs.protocol.value ? say('notes.badProtocol', { value }) : '';
    this.protocolChanged();
  }

  /** The protocol card, the weight basis's "per protocol" wording, the custom
   * fields and the drug's standard concentrations follow the protocol. */
  protocolChanged() {
    const p = this.protocol;
    const meaning = p && TEXT.tags[p.tag];
    render(this.card, p ? html`<p class="p-name"><b>${p.name}</b> <span class="tag" title="${meaning || ''}">${p.tag}</span></p>
<p class="p-meta">${p.drug} · ${p.setting}</p>${p.summary ? html`<p>${p.summary}</p>` : ''}${p.notes ? html`<p class="p-notes">${p.notes}</p>` : ''}
<p class="p-source">${say('protocolCard.source', { source: p.source })}</p>${meaning ? html`<p class="hint">${say('protocolCard.tag', { tag: p.tag, meaning })}</p>` : ''}`
      : html`<p class="hint">${TEXT.protocolCard.empty}</p>`);
    const basis = TEXT.fields.weightBasis;
    this.inputs.weightBasis.options[0].textContent = p
      ? say('fields.weightBasis.perProtocol', { basis: basis.basisNames[p.weightBasis] || p.weightBasis }) : basis.options[''];
    this.modeChanged();
    const drugId = p ? p.drug : 'ketamine';
    if (this.stdDrug !== drugId) {
      this.stdDrug = drugId;
      const drug = this.lib.drugs.find((d) => d.id === drugId);
      const std = drug ? drug.standardConcentrationsMgPerMl || [] : [];
      // Raw values as the library lists them: they are inputs, not formatted results.
      render(this.concList, html`${std.map((c) => html`<option value="${c}">${say('fields.concentrationMgPerMl.standardOption', { value: c })}</option>`)}`);
      render(this.concChips, std.length ? html`<span class="hint">${TEXT.fields.concentrationMgPerMl.standard}</span> ${
        std.map((c) => html`<button type="button" class="chip" data-value="${c}">${c} mg/mL</button>`)}` : html``);
    }
    this.doseUnitChanged();
  }

  /** A dose typed in one unit means nothing in another: cleared, with a note. */
  clearDoses() {
    let had = false;
    for (const n of DOSE_FIELDS) { if (this.inputs[n].value !== '') had = true; this.inputs[n].value = ''; }
    this.notes.startDose = had ? say('notes.dosesCleared', { unit: this.inputs.doseUnit.value || 'mg/kg/h' }) : '';
    this.doseUnitChanged();
  }

  doseUnitChanged() {
    const u = this.inputs.doseUnit.value || 'mg/kg/h';
    for (const el of this.root.querySelectorAll('[data-role=dose-unit]')) setText(el, u);
  }

  /** Places the core's field errors at their inputs. An empty field the user
   * has not touched yet is a prompt, not an error: it is returned in
   * `missing` for the status line. */
  showErrors(errors, error) {
    const shown = {};
    const missing = [];
    let formError = '';
    const place = (name, message) => {
      if (name && name.includes('.')) name = name.slice(name.lastIndexOf('.') + 1);
      if (name === 'weightKg' || name === 'weightLb' || name === 'weight') name = this.weight.name;
      const el = name === this.weight.name ? this.weight : this.inputs[name];
      if (!el) { formError = message; return; }
      if (el.value === '' && !this.touched.has(name)) { missing.push(this.label(name)); return; }
      shown[name] = message;
    };
    for (const [k, m] of Object.entries(errors || {})) place(k, m);
    if (error) place(error.field || '', error.message);

    for (const n of this.textNames) {
      if (n === 'weightLb') continue;
      const input = n === 'weightKg' ? this.weight : this.inputs[n];
      if (!input) continue;
      const key = n === 'weightKg' ? this.weight.name : n;
      const msg = this.root.getElementById(n === 'weightKg' ? 'e-weight' : 'e-' + n);
      const m = shown[key] || '';
      if (m) {
        input.setAttribute('aria-invalid', 'true');
        setText(msg, m);
        msg.className = 'msg error';
      } else {
        input.removeAttribute('aria-invalid');
        const note = ((input.value === '' || n === 'protocol') && this.notes[n]) || '';
        setText(msg, note);
        msg.className = note ? 'msg note' : 'msg';
      }
    }
    setText(this.formError, formError);
    return { missing, invalid: Object.keys(shown).length > 0 || !!formError };
  }
}
