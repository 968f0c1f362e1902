/* What one library changes against another, value by value: both as the
 * engine wrote them (library()), so a value the file leaves out and the
 * default the engine gives it compare equal. Lists of entries that carry an
 * `id` (drugs, cautions, protocols) are matched by id, not by position, and
 * their paths name the id ("/protocols/walter-reed-outpatient/caps/0/mgPerHour"):
 * a protocol moved in the file is no difference, one added or removed is one. */

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const byId = (list) => Array.isArray(list) && list.length > 0 && list.every((x) => isObject(x) && typeof x.id === 'string');

/** [{ path, before, after }] for every value that differs; `undefined` is absent. */
export function differences(before, after, path = '', out = []) {
  if (Object.is(before, after)) return out;
  if (byId(before) && byId(after)) {
    const ids = [...before.map((x) => x.id), ...after.map((x) => x.id).filter((id) => !before.some((x) => x.id === id))];
    for (const id of ids) differences(before.find((x) => x.id === id), after.find((x) => x.id === id), `${path}/${id}`, out);
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) differences(before[i], after[i], `${path}/${i}`, out);
    return out;
  }
  if (isObject(before) && isObject(after)) {
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (k !== 'sha256') differences(before[k], after[k], `${path}/${k}`, out);
    }
    return out;
  }
  out.push({ path: path || '/', before, after });
  return out;
}
