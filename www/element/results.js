/* The results the pump is programmed from: status, pump card, dosing weight,
 * rate ladder, totals, preparation, premedication and monitoring. Every
 * number is the text the core formatted; nothing here computes a dose. A
 * result the current inputs no longer support is removed in the same update. */
import { html, render, setText } from './html.js';
import { TEXT, say, coreText } from './text.js';

const H = TEXT.headings;
const P = TEXT.pump;
/** The pump card's fields, drawn with every edit; the other fields wait for typing to pause. */
const PUMP_FIELDS = ['mlPerHour', 'pumpFlag', 'pumpWhy', 'pumpDrug', 'pumpConcentration', 'srcConcentration', 'dose', 'srcDose',
  'mgPerHour', 'mgPerKgPerHour', 'vtbi', 'srcVtbi', 'duration', 'srcDuration'];

function side(label, field, source) {
  return html`<div><dt>${label}</dt><dd data-field="${field}"></dd>${source ? html`<dd class="src" data-field="${source}"></dd>` : ''}</div>`;
}

/** @param afterPump markup placed right under the pump card (the session clock) */
export function resultsMarkup(afterPump) {
  const T = TEXT.totals;
  const lad = TEXT.ladder;
  return html`<div class="status" data-field="confirmed" data-state="empty"></div>
<section class="card pump" data-role="pump" id="kp-pump" tabindex="-1" aria-labelledby="kp-pump-title">
<h3 class="pump-title" id="kp-pump-title">${P.title}</h3>
<p class="pump-label" data-role="pump-label">${P.rate}</p>
<p class="pump-rate"><span class="rate" data-field="mlPerHour"></span> <span class="flag" data-field="pumpFlag"></span></p>
<p class="pump-why" data-field="pumpWhy"></p>
<dl class="pump-side">${side(P.drug, 'pumpDrug')}${side(P.concentration, 'pumpConcentration', 'srcConcentration')}${
  side(P.dose, 'dose', 'srcDose')}${side(P.mgPerHour, 'mgPerHour')}${side(P.mgPerKgPerHour, 'mgPerKgPerHour')}${
  side(P.volume, 'vtbi', 'srcVtbi')}${side(P.duration, 'duration', 'srcDuration')}</dl>
<p class="note" data-role="cap-note"></p></section>
<p class="sr-only" data-role="announce" aria-live="polite" aria-atomic="true"></p>${afterPump}
<div class="card" data-role="weights"><h3>${H.weights}</h3><p class="big" data-field="dosingWeightKg"></p>
<table class="weights"><thead><tr><th scope="col">${TEXT.weights.tbw}</th><th scope="col">${TEXT.weights.ibw}</th><th scope="col">${TEXT.weights.adjbw}</th></tr></thead>
<tbody><tr><td data-field="totalKg"></td><td data-field="idealKg"></td><td data-field="adjustedKg"></td></tr></tbody></table>
<p class="note" data-field="weightBasisReason"></p><p class="note" data-field="provenance"></p></div>
<div class="card" data-role="alerts-card"><h3>${H.alerts}</h3><ul class="alerts" data-field="alerts"></ul>
<p class="alerts-none" data-field="alertsNone"></p><p class="hint">${TEXT.alerts.lasts}</p></div>
<div class="card" data-role="ladder-card"><h3 id="kp-ladder-title"><span data-role="ladder-title">${H.ladder}</span></h3>
<div class="scroll" tabindex="0" role="region" aria-labelledby="kp-ladder-title"><table class="ladder"><thead><tr><th scope="col" data-role="ladder-first">${lad.level}</th><th scope="col">${lad.rate}</th>
<th scope="col">${lad.dose}</th><th scope="col">${lad.delivered}</th><th scope="col">${lad.perKg}</th><th scope="col">${lad.note}</th></tr></thead><tbody data-role="ladder"></tbody></table></div></div>
<div class="card" data-role="totals-card"><h3>${H.totals}</h3><dl class="totals">
<div><dt>${T.session}</dt><dd data-field="sessionTotalMg"></dd><dd class="sub" data-field="sessionMl"></dd></div>
<div><dt>${T.course}</dt><dd data-field="courseTotalMg"></dd><dd class="sub" data-field="courseMl"></dd></div>
<div data-role="at-max"><dt>${T.atMax}</dt><dd data-field="courseMgAtMax"></dd><dd class="sub" data-field="courseMlAtMax"></dd></div>
</dl><p class="note" data-field="course"></p></div>
<div class="card" data-role="prep-card"><h3>${H.preparation}</h3><p class="recipe" data-field="preparation"></p><p class="note" data-field="containers"></p></div>
<div class="card" data-role="care-card"><h3>${H.care}</h3><p data-field="premedication"></p><p data-field="monitoring"></p></div>`;
}

/** The provenance line of one value, as a short word: "per protocol". */
function sourceOf(plan, value) {
  const p = (plan.provenance || []).find((v) => v.value === value);
  return p ? P.sources[p.source] || p.source : '';
}

/** The plan's state for the pump: "confirmed", "unconfirmed", "hard" (no rate), or "" (no plan). */
export function pumpState(plan) {
  if (!plan) return '';
  const first = plan.levels && plan.levels[0];
  if (!first || first.mlPerHour == null) return 'hard';
  return plan.confirmed ? 'confirmed' : 'unconfirmed';
}

export function statusText(plan) {
  const alerts = plan.alerts || [];
  const hard = alerts.filter((a) => a.level === 'hard').length;
  const open = alerts.filter((a) => a.level === 'soft' && !a.acknowledged).length;
  const soft = alerts.filter((a) => a.level === 'soft').length;
  if (plan.confirmed) return soft ? TEXT.status.confirmedAcked : TEXT.status.confirmed;
  if (hard) return hard === 1 ? TEXT.status.hardOne : say('status.hardMany', { n: hard });
  return open === 1 ? TEXT.status.openOne : say('status.openMany', { n: open });
}

export class Results {
  attach(root) {
    this.mini = root.querySelector('[data-role=mini]');
    this.miniRate = root.querySelector('[data-role=mini-rate]');
    this.miniStatus = root.querySelector('[data-role=mini-status]');
    this.section = root.querySelector('.results');
    this.out = {};
    for (const el of this.section.querySelectorAll('[data-field]')) this.out[el.getAttribute('data-field')] = el;
    this.role = {};
    for (const el of this.section.querySelectorAll('[data-role]')) this.role[el.getAttribute('data-role')] = el;
    this.announced = '';
  }

  /** The pump card and the plan's state: drawn with every edit.
   * @param plan the core's plan or null; @param missing labels of fields still to enter; @param invalid a field is marked */
  show(plan, missing, invalid) {
    const o = this.out;
    const r = this.role;
    this.section.setAttribute('data-state', plan ? 'valid' : invalid ? 'invalid' : 'empty');
    const state = pumpState(plan);
    r.pump.setAttribute('data-state', state || 'none');
    this.showMini(plan, state, invalid);
    if (!plan) {
      for (const k of PUMP_FIELDS) setText(o[k], '');
      setText(r['cap-note'], '');
      setText(r['pump-label'], P.rate);
      o.confirmed.setAttribute('data-state', invalid ? 'invalid' : 'empty');
      setText(o.confirmed, invalid ? TEXT.status.invalid
        : missing.length ? say('status.missing', { fields: missing.join(', ') }) : TEXT.status.empty);
      setText(o.alertsNone, TEXT.alerts.notChecked);
      this.announce('');
      return;
    }

    const levels = plan.levels || [];
    const first = levels[0] || null;
    const t = (first && first.text) || {};
    const rate = state !== 'hard';
    const target = plan.target || null;
    setText(r['pump-label'], levels.length < 2 ? P.rate : say(target ? 'pump.firstStep' : 'pump.startRate', { n: levels.length }));
    setText(o.mlPerHour, rate ? t.mlPerHour : P.noRate);
    setText(o.pumpFlag, state === 'unconfirmed' ? P.unconfirmed : '');
    setText(o.pumpWhy, state === 'unconfirmed' ? P.unconfirmedWhy : '');
    const drug = plan.protocol && plan.protocol.drug;
    setText(o.pumpDrug, TEXT.drugs[drug] || (plan.protocol && plan.protocol.drugName) || '');
    setText(o.pumpConcentration, coreText(plan, 'concentration'));
    setText(o.srcConcentration, sourceOf(plan, 'concentrationMgPerMl'));
    setText(o.dose, target ? target.text : t.dose || '');
    setText(o.srcDose, sourceOf(plan, 'dose'));
    setText(o.mgPerHour, rate ? t.mgPerHour || '' : '');
    setText(o.mgPerKgPerHour, rate ? t.mgPerKgPerHour || '' : '');
    const sessionMl = coreText(plan.totals, 'sessionMl');
    setText(o.vtbi, rate && sessionMl ? (plan.sessionCount > 1 ? say('pump.volumePerSession', { volume: sessionMl }) : sessionMl) : '');
    setText(o.srcVtbi, rate && sessionMl ? P.sources.derived : '');
    setText(o.duration, coreText(plan, 'sessionDuration'));
    setText(o.srcDuration, sourceOf(plan, 'sessionMinutes'));
    setText(r['cap-note'], !rate ? (first && first.refused) || '' : first.capped ? first.capNote || P.capped : '');
    o.confirmed.setAttribute('data-state', plan.confirmed ? 'true' : 'false');
    setText(o.confirmed, statusText(plan));
    setText(o.alertsNone, (plan.alerts || []).length ? '' : TEXT.alerts.none);
    this.announce([rate ? t.mlPerHour : P.noRate, state === 'unconfirmed' ? P.unconfirmed : '', statusText(plan)].filter(Boolean).join(', '));
  }

  /** The panels below the pump card: dosing weight, ladder, totals,
   * preparation, premedication and monitoring (element.js draws them once
   * typing pauses). @param plan the core's plan or null */
  showDetails(plan) {
    const o = this.out;
    const r = this.role;
    if (!plan) {
      for (const [k, el] of Object.entries(o)) if (!PUMP_FIELDS.includes(k) && k !== 'confirmed' && k !== 'alerts' && k !== 'alertsNone') setText(el, '');
      for (const c of [o.totalKg, o.idealKg, o.adjustedKg]) c.classList.remove('used');
      render(r.ladder, html``);
      setText(r['ladder-title'], H.ladder);
      setText(r['ladder-first'], TEXT.ladder.level);
      return;
    }
    const levels = plan.levels || [];
    const target = plan.target || null;
    setText(o.dosingWeightKg, coreText(plan, 'dosingWeightKg'));
    setText(o.totalKg, coreText(plan, 'totalKg'));
    setText(o.idealKg, coreText(plan, 'idealKg'));
    setText(o.adjustedKg, coreText(plan, 'adjustedKg'));
    const used = { total: o.totalKg, ideal: o.idealKg, adjusted: o.adjustedKg }[plan.weightBasis];
    for (const c of [o.totalKg, o.idealKg, o.adjustedKg]) c.classList.toggle('used', c === used);
    setText(o.weightBasisReason, plan.weightBasisReason || '');
    // Where each value that decides the rate came from (ordered, protocol, derived, default).
    setText(o.provenance, (plan.provenance || []).map((v) => v.text).join(' · '));

    // One level repeats the pump card: the printed sheet leaves it out (CSS).
    r['ladder-card'].setAttribute('data-levels', String(levels.length));
    // A target's steps are a schedule: each row says from which minute it runs.
    setText(r['ladder-title'], target ? say('headings.targetSteps', { target: target.text }) : H.ladder);
    setText(r['ladder-first'], target ? TEXT.ladder.from : TEXT.ladder.level);
    render(r.ladder, html`${levels.map((l, i) => {
      const lt = l.text || {};
      const hard = l.mlPerHour == null;
      return html`<tr class="${hard ? 'hard' : ''}"><th scope="row">${lt.from || i + 1}</th><td class="ml">${hard ? TEXT.ladder.noRate : lt.mlPerHour}</td>
<td>${lt.dose}</td><td>${hard ? '' : lt.mgPerHour}</td><td>${hard ? '' : lt.mgPerKgPerHour}</td>
<td class="wrap">${hard ? TEXT.ladder.refused : l.capped ? l.capNote || TEXT.ladder.capped : ''}</td></tr>`;
    })}`);

    const tt = plan.totals || {};
    const sessionMl = coreText(tt, 'sessionMl');
    setText(o.sessionTotalMg, coreText(tt, 'sessionMg'));
    // The volume line only when it says something the mg line does not (a refused rate gives one reason for both).
    setText(o.sessionMl, sessionMl !== coreText(tt, 'sessionMg') ? sessionMl : '');
    setText(o.courseTotalMg, coreText(tt, 'courseMg'));
    setText(o.courseMl, coreText(tt, 'courseMl') !== coreText(tt, 'courseMg') ? coreText(tt, 'courseMl') : '');
    // "At the top level" belongs to a ladder titrated up; a target's steps are its schedule.
    const many = levels.length > 1 && !target;
    setText(o.courseMgAtMax, many ? coreText(tt, 'courseMgAtMax') : '');
    setText(o.courseMlAtMax, many && coreText(tt, 'courseMlAtMax') !== coreText(tt, 'courseMgAtMax') ? coreText(tt, 'courseMlAtMax') : '');
    r['at-max'].hidden = !many;
    const pt = plan.text || {};
    setText(o.course, [pt.sessionDuration ? say('totals.sessionLine', { duration: pt.sessionDuration }) : '', pt.sessions || '',
      plan.schedule ? say('totals.scheduleLine', { schedule: plan.schedule }) : '',
      pt.observation ? say('totals.observationLine', { observation: pt.observation }) : ''].filter(Boolean).join(' · '));

    const prep = plan.preparation;
    setText(o.preparation, prep ? (typeof prep.text === 'string' ? prep.text : '') : plan.preparationRefused || TEXT.preparation.none);
    o.preparation.classList.toggle('refused', !prep);
    setText(o.containers, (prep && prep.containersText) || '');
    const pr = plan.protocol || {};
    setText(o.premedication, pr.premedication ? say('care.premedication', { text: pr.premedication }) : TEXT.care.noPremedication);
    setText(o.monitoring, pr.monitoring ? say('care.monitoring', { text: pr.monitoring }) : '');
  }

  /** The compact bar that keeps the pump rate in view on a phone while the
   * inputs are edited (a copy for sight only; the results are the record). */
  showMini(plan, state, invalid) {
    const first = plan && plan.levels && plan.levels[0];
    setText(this.miniRate, !plan ? '—' : state === 'hard' ? TEXT.mini.none : first.text.mlPerHour);
    setText(this.miniStatus, !plan ? (invalid ? TEXT.mini.invalid : TEXT.mini.empty) : plan.confirmed ? TEXT.mini.confirmed : TEXT.mini.unconfirmed);
    this.mini.setAttribute('data-state', !plan ? (invalid ? 'invalid' : 'empty') : plan.confirmed ? 'true' : 'false');
  }

  /** The pump rate and the plan's state, said once typing pauses (a screen
   * reader hears the result, not every keystroke's). */
  announce(text) {
    clearTimeout(this.announceTimer);
    if (text === this.announced) return;
    this.announceTimer = setTimeout(() => { this.announced = text; setText(this.role.announce, text); }, 700);
  }
}
