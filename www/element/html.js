/* Markup is made one way: html`<p>${text}</p>` escapes every value; a value
 * that is itself html`` (or a list of them) is kept as markup. render() is the
 * only place markup becomes DOM, through one Trusted Types policy, so the
 * element also works on a page that requires Trusted Types. */

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escape(value) {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

class Markup {
  constructor(text) { this.text = text; }
}

function part(value) {
  if (value == null || value === false) return '';
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(part).join('');
  return escape(value);
}

export function html(strings, ...values) {
  let text = strings[0];
  for (let i = 0; i < values.length; i++) text += part(values[i]) + strings[i + 1];
  return new Markup(text);
}

/* The one policy. It passes its text through unchanged: it is called only
 * with markup made by html`` (every value escaped) and with the core's SVG
 * before parseSvg() cleans it. A host page whose CSP lists trusted-types
 * names must list "ketamine-planner" (README). */
let policy;
function trusted(text) {
  if (policy === undefined) {
    policy = null;
    try {
      if (window.trustedTypes) policy = window.trustedTypes.createPolicy('ketamine-planner', { createHTML: (s) => s });
    } catch (e) {
      console.error('ketamine-planner: the page does not allow the Trusted Types policy "ketamine-planner"', e);
    }
  }
  return policy ? policy.createHTML(text) : text;
}

/** Replaces the children of `el` with `markup`; nothing happens when it is unchanged. */
export function render(el, markup) {
  if (el.__kpMarkup === markup.text) return;
  el.__kpMarkup = markup.text;
  el.innerHTML = trusted(markup.text);
}

/** Writes only what changed: an identical write would still invalidate layout. */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** An SVG element from the core's SVG text, parsed as XML (inert: nothing runs),
 * with scripts, foreign content, event handlers and outside links removed. */
export function parseSvg(svg) {
  const doc = new DOMParser().parseFromString(trusted(svg), 'image/svg+xml');
  const el = doc.documentElement;
  if (!el || el.localName !== 'svg' || doc.getElementsByTagName('parsererror').length) return null;
  for (const n of [el, ...el.querySelectorAll('*')]) {
    if (/^(script|foreignObject|iframe)$/i.test(n.localName)) { n.remove(); continue; }
    for (const a of [...n.attributes]) {
      if (/^on/i.test(a.name) || (/href$/i.test(a.name) && !a.value.startsWith('#'))) n.removeAttribute(a.name);
    }
  }
  el.setAttribute('focusable', 'false');
  return document.importNode(el, true);
}

/** Draws the core's SVG in a slot. A stale picture is never shown: it is
 * hidden at once (visibility, so nothing below moves) and replaced when the
 * new one is drawn, in the next frame. */
export class SvgSlot {
  constructor(el) { this.el = el; this.svg = ''; this.pending = 0; }

  set(svg) {
    svg = svg || '';
    if (svg === this.svg) return;
    this.svg = svg;
    this.cancel();
    if (!svg) { this.el.textContent = ''; this.el.classList.remove('stale'); return; }
    if (this.el.firstChild) this.el.classList.add('stale');
    this.pending = requestAnimationFrame(() => { this.pending = 0; this.draw(); });
  }

  cancel() {
    cancelAnimationFrame(this.pending);
    this.pending = 0;
  }

  /** Draws a pending picture now (before printing: no frame may come first). */
  flush() {
    if (!this.pending) return;
    this.cancel();
    this.draw();
  }

  draw() {
    const el = this.svg ? parseSvg(this.svg) : null;
    this.el.replaceChildren(...(el ? [el] : []));
    this.el.classList.remove('stale');
  }
}

/** Offers `text` as a file download named `name` (nothing leaves the browser: a local blob URL). */
export function saveFile(parent, name, type, text) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  parent.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 0);
}
