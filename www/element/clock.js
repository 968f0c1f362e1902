/* The session clock at the pump (issue 10): "Infusion started" starts it;
 * from then on it shows, from the core, the time infused, the mg delivered
 * at the programmed rates, the rate now and the next change, the next vital
 * signs and the end and earliest discharge. It counts only for a confirmed
 * plan: when the plan changes to one that is not confirmed, its figures go. */
import { html, render, setText } from './html.js';
import { TEXT, say, localNow } from './text.js';

const K = TEXT.clock;
const TICK_MS = 15000;

export function clockMarkup() {
  return html`<section class="card clock" data-role="clock" aria-labelledby="kp-clock-title"><h3 id="kp-clock-title">${K.title}</h3>
<div class="clock-start"><button type="button" data-action="clock-start">${K.start}</button>
<div class="field" data-role="clock-started" hidden><label for="f-clockStarted">${K.startedAt}</label>
<div class="control"><input id="f-clockStarted" type="datetime-local" data-role="clock-started-at" aria-describedby="e-clockStarted"></div>
<p class="msg" id="e-clockStarted" data-role="clock-msg"></p></div>
<button type="button" data-action="clock-stop" hidden>${K.stop}</button></div>
<div class="actions" data-role="clock-record" hidden><button type="button" data-action="clock-vitals">${K.vitalsNow}</button><button type="button" data-action="clock-rateChange">${K.rateNow}</button><p class="hint">${K.recordHint}</p></div>
<p class="hint" data-role="clock-note">${K.idle}</p>
<dl class="clock-figures" data-role="clock-figures"></dl>
<p class="sr-only" data-role="clock-announce" aria-live="polite"></p></section>`;
}

export class Clock {
  constructor(engine) { this.engine = engine; this.timer = 0; this.request = null; this.plan = null; }

  attach(root) {
    const q = (r) => root.querySelector('[data-role=' + r + ']');
    this.startButton = root.querySelector('[data-action=clock-start]');
    this.stopButton = root.querySelector('[data-action=clock-stop]');
    this.startedField = q('clock-started');
    this.started = q('clock-started-at');
    this.msg = q('clock-msg');
    this.note = q('clock-note');
    this.figures = q('clock-figures');
    this.announce = q('clock-announce');
    this.record = q('clock-record');
    this.started.addEventListener('input', () => this.tick());
  }

  get running() { return !this.startedField.hidden; }

  /** "Infusion started": now, by the page's clock (the field corrects it). */
  start() {
    this.started.value = localNow();
    this.startedField.hidden = false;
    this.stopButton.hidden = false;
    this.startButton.hidden = true;
    this.tick();
    this.started.focus();
  }

  pause() {
    clearInterval(this.timer);
    this.timer = 0;
  }

  stop() {
    this.pause();
    this.startedField.hidden = true;
    this.stopButton.hidden = true;
    this.startButton.hidden = false;
    this.startButton.focus();
    this.tick();
  }

  /** Called with every plan. */
  show(plan, request) {
    this.plan = plan;
    this.request = request;
    this.tick();
  }

  tick() {
    const usable = !!(this.plan && this.plan.confirmed && this.request);
    this.startButton.disabled = !usable;
    if (!this.running) {
      this.record.hidden = true;
      setText(this.note, usable ? K.idle : K.needsPlan);
      render(this.figures, html``);
      return;
    }
    if (!this.timer) this.timer = setInterval(() => this.tick(), TICK_MS);
    let c = null;
    let error = '';
    if (usable) {
      try { c = this.engine.sessionClock(this.request, this.started.value, localNow()); } catch (e) { error = e && e.message ? e.message : String(e); }
    }
    setText(this.msg, error);
    this.msg.className = error ? 'msg error' : 'msg';
    this.started.setAttribute('aria-invalid', error ? 'true' : 'false');
    setText(this.note, !usable ? K.notConfirmed : c ? [c.text.phase, c.text.note].filter(Boolean).join('. ') : '');
    this.record.hidden = !c;
    const now = (d) => !!d && d.inMinutes === 0;
    const row = (label, due, value = due && due.text) => (value
      ? html`<div class="${now(due) ? 'due' : ''}"><dt>${label}</dt><dd>${value}</dd></div>` : '');
    render(this.figures, c ? html`${row(K.elapsed, null, c.text.elapsed)}${row(K.delivered, null, c.text.delivered)}${row(K.rate, null, c.rate)}${
      row(K.nextChange, c.nextChange)}${row(K.vitals, c.nextVitals)}${row(K.end, c.infusionEnd)}${row(K.discharge, c.dischargeEarliest)}` : html``);
    // What is due now is said once (for a screen reader; the rows are highlighted).
    const due = c ? [now(c.nextChange) ? say('clock.changeDue', { change: c.rate }) : '', now(c.nextVitals) ? K.vitalsDue : ''].filter(Boolean).join(' ') : '';
    if (due !== this.said) { this.said = due; setText(this.announce, due); }
  }
}
