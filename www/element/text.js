/* The element's wording, from data/element-text.json: the words around the
 * core's numbers and clinical messages (headings, hints, the patient handout),
 * in English; {name} in a text is replaced by a value. say('status.hardMany', { n: 2 })
 * gives the text at that path with {n} replaced; a missing key shows as the key
 * itself (a test checks every key used exists). */
import TEXT from '../../data/element-text.json';

export { TEXT };

/** The text at `path` in `table` with its {placeholders} filled (the review page has a table of its own). */
export function lookup(table, path, vars) {
  let t = table;
  for (const k of path.split('.')) t = t == null ? undefined : t[k];
  if (typeof t !== 'string') return path;
  return vars ? t.replace(/\{(\w+)\}/g, (m, k) => (vars[k] == null ? '' : String(vars[k]))) : t;
}

export function say(path, vars) {
  return lookup(TEXT, path, vars);
}

/** "2026-12-07T08:00" -> ["2026-12-07", "08:00"]: the core's dates, split, not reformatted. */
export function splitDateTime(dt) {
  const t = String(dt || '');
  const i = t.indexOf('T');
  return i < 0 ? [t, ''] : [t.slice(0, i), t.slice(i + 1)];
}

/** A time, with its date in front when it is not `day`. */
export function timeOn(dt, day) {
  const [d, t] = splitDateTime(dt);
  return d === day ? t : d + ' ' + t;
}

function two(n) { return (n < 10 ? '0' : '') + n; }
/** The page's clock as the core's local time, "2026-12-07T08:00" (one reading, so date and time agree). */
export function localNow() {
  const d = new Date();
  return d.getFullYear() + '-' + two(d.getMonth() + 1) + '-' + two(d.getDate()) + 'T' + two(d.getHours()) + ':' + two(d.getMinutes());
}
export function today() { return localNow().slice(0, 10); }
export function nowStamp() { return localNow().replace('T', ' '); }

/** The core's formatted text for `key`, or '' when the core gave none. */
export function coreText(obj, key) {
  return obj && obj.text && obj.text[key] != null ? String(obj.text[key]) : '';
}
