/* The permalink (issue 12): the inputs as typed, in the URL fragment, which
 * browsers never send to a server, with the planner version, the library's
 * version and hash ("2026.11.1 (SHA-256 0a6d4619)") and the pump rate they gave, so a colleague can open the same plan for the
 * independent double-check. Never the patient's name (there is none in the
 * inputs) and never the acknowledgements: whoever opens the link
 * acknowledges for themselves. A checksum refuses a cut or altered link
 * whole; nothing is restored from it and the page says why. Nothing is
 * stored in the browser. */

const PREFIX = '#plan=';
const SCHEMA = 'ketamine-planner/link@1';

/** FNV-1a, 32 bits, hex: catches a truncated or mistyped link (not a signature). */
function checksum(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));
}

/** The link's fragment for these inputs. */
export function encodeLink(form, versions, rate) {
  const payload = toBase64Url(JSON.stringify({ schema: SCHEMA, planner: versions.planner, library: versions.named, rate, form }));
  return PREFIX + payload + '.' + checksum(payload);
}

/** `{ link }` from a fragment, `{ error }` when it cannot be trusted, or
 * null when the fragment holds no plan. */
export function decodeLink(hash) {
  if (!hash || !hash.startsWith(PREFIX)) return null;
  const body = hash.slice(PREFIX.length);
  const dot = body.lastIndexOf('.');
  if (dot < 0 || checksum(body.slice(0, dot)) !== body.slice(dot + 1)) return { error: 'checksum' };
  let link;
  try { link = JSON.parse(fromBase64Url(body.slice(0, dot))); } catch (e) { return { error: 'unreadable' }; }
  if (!link || link.schema !== SCHEMA || typeof link.form !== 'object' || link.form === null || Array.isArray(link.form)) return { error: 'foreign' };
  return { link };
}
