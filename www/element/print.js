/* Paper: the bedside sheet (the results, a summary of the inputs, the
 * acknowledgements and the sign-off) and the patient handout. The browser's
 * own print command gives the sheet; "Print patient handout" swaps it for the
 * handout until the dialog closes. */
import { html, render, setText } from './html.js';
import { TEXT, say, nowStamp, coreText } from './text.js';
import { handoutMarkup } from './handout.js';

const R = TEXT.print;

export function printMarkup() {
  return html`<div class="print-only card" data-role="print-inputs"><h3>${TEXT.headings.printInputs}</h3><dl class="inputs-summary" data-role="inputs-summary"></dl></div>
<div class="print-only card signoff"><h3>${TEXT.headings.signoff}</h3><table><tbody>
<tr><th scope="row">${R.patientBlank}</th><td></td></tr>
<tr><th scope="row">${R.prepared}</th><td>${R.signature}</td></tr>
<tr><th scope="row">${R.checked}</th><td>${R.signature}</td></tr>
<tr><th scope="row">${R.programmed}</th><td>${R.signature}</td></tr></tbody></table></div>
<p class="print-only printed" data-role="printed"></p>`;
}

function planStatus(plan) {
  return plan ? (plan.confirmed ? R.statusConfirmed : R.statusUnconfirmed) : R.statusNone;
}

export class Paper {
  constructor(version, libraryVersion) { this.version = version; this.libraryVersion = libraryVersion; this.mode = 'sheet'; }

  attach(root, container) {
    this.container = container;
    this.summary = root.querySelector('[data-role=inputs-summary]');
    this.printed = root.querySelector('[data-role=printed]');
    this.handout = root.querySelector('[data-role=handout]');
    container.setAttribute('data-print', 'sheet');
  }

  /** "sheet" or "handout". */
  setMode(mode, plan) {
    this.mode = mode === 'handout' ? 'handout' : 'sheet';
    this.container.setAttribute('data-print', this.mode);
    this.showHandout(plan);
  }

  showHandout(plan) {
    render(this.handout, this.mode !== 'handout' ? html``
      : handoutMarkup(plan, say('handout.printed', { stamp: nowStamp(), version: this.version, status: planStatus(plan) })));
  }

  /** @param form the Form; @param acknowledged lines from Alerts.printed() */
  show(plan, form, acknowledged) {
    const f = form.inputs;
    const p = f.protocol.selectedOptions[0];
    const rows = [
      [R.protocol, p && p.value ? p.textContent : ''],
      [R.weight, form.weight.value ? form.weight.value + ' ' + form.unit.value : ''],
      [R.height, f.heightCm.value ? f.heightCm.value + ' cm' : ''],
      [R.sex, f.sex.value],
      [R.age, (f.ageYears.value ? f.ageYears.value + ' years' : '') + (form.frail.checked ? ' ' + R.frail : '')],
      [R.basis, plan ? plan.weightBasisReason || plan.weightBasis : f.weightBasis.selectedOptions[0].textContent],
      [R.concentration, plan ? coreText(plan, 'concentration') : f.concentrationMgPerMl.value ? f.concentrationMgPerMl.value + ' mg/mL' : ''],
      [R.start, f.start.value.replace('T', ' ')],
      [R.cautions, form.tickedCautions().join('; ') || R.none],
      [TEXT.headings.provenance, plan ? (plan.provenance || []).map((v) => v.text).join(' · ') : ''],
      [TEXT.headings.alerts, acknowledged.join('; ')],
    ];
    // The first nine are always shown; the sources and acknowledgements, when there are any, take a full line.
    render(this.summary, html`${rows.filter(([, v], i) => i < 9 || v).map(([k, v], i) =>
      html`<div class="${i < 9 ? '' : 'wide'}"><dt>${k}</dt><dd>${v || '—'}</dd></div>`)}`);
    setText(this.printed, say('print.printed', { stamp: nowStamp(), version: this.version, library: this.libraryVersion, status: planStatus(plan) }));
    this.showHandout(plan);
  }
}
