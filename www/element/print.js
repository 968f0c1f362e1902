/* Paper: the bedside sheet (the results, a summary of the inputs, the
 * acknowledgements and the sign-off), the patient handout, the bag or
 * syringe label and the session monitoring record. The browser's own print
 * command gives the sheet; the other three print buttons swap it for theirs
 * until the dialog closes. Every page but the label's carries the patient
 * line, the plan status and "page N of M" in its margin (see PageHeader). */
import { generate, correction } from 'lean-qr/nano';
import { html, render, setText } from './html.js';
import { TEXT, say, nowStamp, coreText, splitDateTime, timeOn } from './text.js';
import { handoutMarkup } from './handout.js';

const R = TEXT.print;

export function printMarkup() {
  return html`<div class="print-only card" data-role="print-inputs"><h3>${TEXT.headings.printInputs}</h3><dl class="inputs-summary" data-role="inputs-summary"></dl></div>
<div class="print-only card signoff"><h3>${TEXT.headings.signoff}</h3><table><tbody>
<tr><th scope="row">${R.patientBlank}</th><td></td></tr>
<tr><th scope="row">${R.prepared}</th><td>${R.signature}</td></tr>
<tr><th scope="row">${R.checked}</th><td>${R.signature}</td></tr>
<tr><th scope="row">${R.programmed}</th><td>${R.signature}</td></tr></tbody></table>
<figure class="qr"><div data-role="qr"></div><figcaption>${R.qr}</figcaption></figure></div>
<p class="print-only printed" data-role="printed"></p>`;
}

/** The label for the bag or syringe, on a page of its own: what a
 * pharmacist writes on a controlled-drug infusion, the blanks to fill by hand. */
function labelMarkup(plan) {
  const L = TEXT.label;
  const prep = plan && plan.preparation;
  if (!prep || !prep.label) return html`<p class="l-none">${plan ? plan.preparationRefused || TEXT.preparation.none : L.none}</p>`;
  const drug = plan.protocol && plan.protocol.drug;
  const blank = (what) => html`<tr><th scope="row">${what}</th><td></td></tr>`;
  return html`<p class="l-drug">${TEXT.drugs[drug] || plan.protocol.drugName}</p>
<p class="l-amount">${say('label.amount', { mg: prep.label.drugMg, volume: prep.label.finalVolume })}</p>
<p class="l-conc">${prep.label.concentration}</p>
<p>${say('label.route', { diluent: prep.diluent, container: prep.container })}</p>
${plan.confirmed ? '' : html`<p class="l-status">${L.unconfirmed}</p>`}
<table class="l-blanks"><tbody>${blank(L.patient)}${blank(L.prepared)}${blank(L.checked)}${blank(L.when)}${blank(L.expiry)}</tbody></table>
<p class="l-foot">${say('label.foot', { protocol: plan.protocol.name || '' })}</p>`;
}

/** The session monitoring record, filled in at the bedside: a page for each
 * session, a row for each event of its timeline (the vital signs every 15
 * min among them) at its clock time, blanks for the vital signs, the pump
 * rate and initials, and the discharge checklist. A form for each session
 * day, so it prints on its own and the bedside sheet stays two pages. */
function monitoringMarkup(plan) {
  const M = TEXT.monitoring;
  const sessions = (plan && plan.sessions) || [];
  if (!sessions.length) return html`<p>${plan ? M.noStart : M.none}</p>`;
  const blanks = M.columns.slice(2).map(() => html`<td></td>`);
  return html`${sessions.map((s) => {
    const [day] = splitDateTime(s.start);
    const check = (text) => html`<li>${text}</li>`;
    return html`<section><h2>${say('monitoring.title', { n: s.index, of: sessions.length, date: s.text.date })}</h2>
${plan.confirmed ? '' : html`<p class="m-status">${TEXT.label.unconfirmed}</p>`}<p>${plan.protocol.monitoring}</p>
<table><thead><tr>${M.columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
<tbody>${s.events.map((e) => html`<tr><td>${timeOn(e.at, day)}</td><td>${e.label}</td>${blanks}</tr>`)}</tbody></table>
<h3>${M.discharge}</h3><ul>${check(say('monitoring.checks.0', { observation: plan.text.observation, time: timeOn(s.dischargeEarliest, day) }))}${check(M.checks[1])}${check(M.checks[2])}${check(say('monitoring.checks.3', { noDriving: plan.text.noDriving }))}${check(M.checks[4])}</ul>
<p>${M.signed}</p></section>`;
  })}`;
}

/** `text` as a QR code (lean-qr's nano encoder, error correction M): an SVG
 * of one unit a module, dark modules as one path, on white with the standard
 * quiet zone of 4 modules. Built as DOM, so no markup is parsed. */
function qrSvg(text) {
  const code = generate(text, { minCorrectionLevel: correction.M });
  let dark = '';
  for (let y = 0; y < code.size; y++) {
    for (let x = 0; x < code.size; x++) if (code.get(x, y)) dark += `M${x + 4} ${y + 4}h1v1h-1z`;
  }
  const n = code.size + 8;
  const svg = svgNode('svg', { viewBox: `0 0 ${n} ${n}`, 'shape-rendering': 'crispEdges', 'aria-hidden': 'true' });
  svg.append(svgNode('rect', { width: n, height: n, fill: '#fff' }), svgNode('path', { d: dark, fill: '#000' }));
  return svg;
}

function svgNode(name, attributes) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', name);
  for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, v);
  return el;
}

/** A CSS string token: quotes and backslashes escaped, line breaks as spaces. */
function cssString(text) {
  return '"' + String(text).replace(/[\\"]/g, '\\$&').replace(/[\n\r\f]+/g, ' ') + '"';
}

/** The running header of the printed pages. Page margin boxes (@page
 * @top-left) and the page counters exist only in a document stylesheet, not
 * in a shadow root's, so this is one small constructed sheet added to the
 * document (a strict style-src does not block it) and rewritten only when
 * its text changes. */
export class PageHeader {
  constructor() { this.sheet = null; this.css = ''; }

  set(left, right, mode) {
    // "page {n} of {m}" with the counters put in: page " counter(page) " of ...
    const page = cssString(R.page).replace('{n}', '" counter(page) "').replace('{m}', '" counter(pages) "');
    const css = mode === 'label' ? '@page { margin: 10mm; }'
      : `@page { margin: 14mm 12mm 10mm; @top-left { content: ${cssString(left)}; font: 600 8.5pt system-ui, sans-serif; vertical-align: bottom; }
@top-right { content: ${right ? cssString(right + ' · ') : ''} ${page}; font: 700 8.5pt system-ui, sans-serif; vertical-align: bottom; white-space: nowrap; } }`;
    if (css === this.css || typeof CSSStyleSheet !== 'function' || !('adoptedStyleSheets' in document)) return;
    try {
      if (!this.sheet) {
        this.sheet = new CSSStyleSheet();
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, this.sheet];
      }
      this.sheet.replaceSync(css);
      this.css = css;
    } catch (e) { /* an old browser: the pages print without the running header */ }
  }
}

function planStatus(plan) {
  return plan ? (plan.confirmed ? R.statusConfirmed : R.statusUnconfirmed) : R.statusNone;
}

export class Paper {
  constructor(version, libraryVersion) {
    this.version = version;
    this.libraryVersion = libraryVersion;
    this.mode = 'sheet';
    this.header = new PageHeader();
  }

  /** @param followup { draw(el), label() }: the course record's follow-up summary and its patient label */
  attach(root, container, followup) {
    this.followupLabel = followup.label;
    this.container = container;
    this.summary = root.querySelector('[data-role=inputs-summary]');
    this.printed = root.querySelector('[data-role=printed]');
    // What prints on its own instead of the sheet, and how it is made.
    this.alone = {
      handout: [root.querySelector('[data-role=handout]'), (el, plan, stamp) => render(el, handoutMarkup(plan, say('handout.printed', { stamp, version: this.version, status: planStatus(plan) })))],
      label: [root.querySelector('[data-role=label]'), (el, plan) => render(el, labelMarkup(plan))],
      monitoring: [root.querySelector('[data-role=monitoring]'), (el, plan) => render(el, monitoringMarkup(plan))],
      followup: [root.querySelector('[data-role=followup]'), followup.draw],
    };
    this.qr = root.querySelector('[data-role=qr]');
    container.setAttribute('data-print', 'sheet');
  }

  /** The sheet's QR code of the inputs' link, drawn only before printing
   * (encoding it costs milliseconds: not on every keystroke). */
  showQr(link) {
    if (link === this.qrLink) return;
    this.qrLink = link;
    let svg = null;
    try {
      svg = link ? qrSvg(link) : null;
    } catch (e) {
      console.error('ketamine-planner: the link does not fit in a QR code', e); // the sheet prints without one
    }
    this.qr.replaceChildren(...(svg ? [svg] : []));
  }

  /** "sheet", "handout", "label", "monitoring" or "followup": what the next print gives. */
  setMode(mode) {
    this.mode = mode in this.alone ? mode : 'sheet';
    this.container.setAttribute('data-print', this.mode);
    // Once printed, what prints alone is not kept in the page.
    for (const [k, [el]] of Object.entries(this.alone)) if (k !== this.mode) render(el, html``);
  }

  /** Everything only paper shows, made just before printing (element.js
   * calls it from the print actions and the browser's beforeprint): not on
   * every keystroke, where the document-level page header alone restyled the
   * whole page, and so "Printed" is the time of printing.
   * @param form the Form; @param acknowledged lines from Alerts.printed();
   * @param fingerprint the last 8 characters of the inputs' link (link.js) */
  show(plan, form, acknowledged, fingerprint) {
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
    const [day] = splitDateTime(f.start.value);
    // The follow-up summary is about the record, not the plan in the form: its own patient line, no plan status.
    if (this.mode === 'followup') this.header.set(say('print.followupHeader', { label: this.followupLabel() || '—' }), '', this.mode);
    else {
      this.header.set(say('print.header', {
        patient: R.patient, weight: rows[1][1] || '—', date: day || '—', protocol: plan && plan.protocol ? plan.protocol.name : rows[0][1] || '—',
      }), planStatus(plan), this.mode);
    }
    const stamp = nowStamp();
    setText(this.printed, say('print.printed', { stamp, version: this.version, library: this.libraryVersion, status: planStatus(plan), fingerprint }));
    if (this.mode in this.alone) {
      const [el, draw] = this.alone[this.mode];
      draw(el, plan, stamp);
    }
  }
}
