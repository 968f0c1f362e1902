/* The alerts of a plan: hard limits first, then soft alerts (each with its
 * own acknowledge box, named by its message, and an optional reason, as pump
 * libraries log overrides), then information. An acknowledgement holds for
 * the alert as it was worded when ticked (the element drops it when the
 * wording changes). Items are kept across updates so focus stays put. */
import { html, render, setText } from './html.js';
import { TEXT, say } from './text.js';

const ORDER = { hard: 0, soft: 1, info: 2 };

export class Alerts {
  constructor(ul) {
    this.ul = ul;
    this.acks = new Map();    // alert code -> message it was acknowledged with
    this.reasons = new Map(); // alert code -> reason typed (kept while the alert is)
  }

  /** Handles a tick or a reason; returns true when the plan must be computed again. */
  onEvent(e) {
    const t = e.target;
    const li = t.closest && t.closest('li[data-code]');
    if (!li) return false;
    const code = li.getAttribute('data-code');
    if (t.name === 'acknowledged') {
      if (t.checked) this.acks.set(code, li.getAttribute('data-message'));
      else this.acks.delete(code);
      return true;
    }
    if (t.name === 'reason') this.reasons.set(code, t.value);
    return false;
  }

  /** Drops acknowledgements whose alert is gone or reworded; true when one was. */
  prune(alerts) {
    let stale = false;
    const now = new Map(alerts.map((a) => [a.code, a.message]));
    for (const [code, message] of this.acks) {
      if (now.get(code) !== message) { this.acks.delete(code); stale = true; }
    }
    for (const code of this.reasons.keys()) if (!now.has(code)) this.reasons.delete(code);
    return stale;
  }

  show(alerts) {
    const sorted = alerts.slice().sort((a, b) => ORDER[a.level] - ORDER[b.level]);
    const byCode = new Map([...this.ul.children].map((li) => [li.getAttribute('data-code'), li]));
    sorted.forEach((a, i) => {
      let li = byCode.get(a.code);
      byCode.delete(a.code);
      if (!li) {
        li = document.createElement('li');
        li.setAttribute('data-code', a.code);
        render(li, html`<span class="lvl"></span><p class="text" id="kp-alert-${a.code}"></p>`);
      }
      li.className = 'alert ' + a.level + (a.acknowledged ? ' acked' : '');
      li.setAttribute('data-level', a.level);
      li.setAttribute('data-message', a.message);
      setText(li.querySelector('.lvl'), a.level === 'soft' && a.acknowledged ? TEXT.alerts.levels.acked : TEXT.alerts.levels[a.level] || a.level);
      setText(li.querySelector('.text'), a.message);
      let ack = li.querySelector('.ack');
      if (a.level === 'soft') {
        if (!ack) {
          ack = document.createElement('div');
          ack.className = 'ack';
          // The box's accessible name is the alert itself: four boxes are four different names.
          render(ack, html`<label class="ack-box"><input type="checkbox" name="acknowledged" value="${a.code}" aria-describedby="kp-alert-${a.code}">
<span>${TEXT.alerts.ackShort}</span><span class="sr-only">: ${a.message}</span></label>
<label class="reason"><span>${TEXT.alerts.reason}</span><input type="text" name="reason" autocomplete="off"></label>`);
          li.appendChild(ack);
        }
        setText(ack.querySelector('.sr-only'), ': ' + a.message);
        ack.querySelector('input[name=acknowledged]').checked = !!a.acknowledged;
        const reason = ack.querySelector('input[name=reason]');
        if (reason.value !== (this.reasons.get(a.code) || '')) reason.value = this.reasons.get(a.code) || '';
        reason.closest('.reason').hidden = !a.acknowledged;
      } else if (ack) ack.remove();
      if (this.ul.children[i] !== li) this.ul.insertBefore(li, this.ul.children[i] || null);
    });
    for (const li of byCode.values()) li.remove();
  }

  clear() { this.ul.textContent = ''; }

  /** The acknowledgements with their reasons, for the printed sheet. */
  printed(alerts) {
    return alerts.filter((a) => a.level === 'soft' && a.acknowledged)
      .map((a) => say('alerts.ack', { message: a.message }) + (this.reasons.get(a.code) ? ' (' + this.reasons.get(a.code) + ')' : ''));
  }
}
