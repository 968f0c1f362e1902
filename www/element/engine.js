/* Starts the engine and offers window.KetaminePlanner. The wasm module is in
 * the script itself (kp:wasm, an LZMA stream in base64, see scripts/bundle.mjs)
 * and the wasm-bindgen glue is kp:glue: nothing is fetched, so the planner
 * works from file:// and under a CSP without connect-src. */
// The packed engine is imported first, so its base64 comes first in the
// bundled script: after 9 KB of code (the glue) GNU gzip -9 mixed the two in
// one block at some code lengths and the page measured 1.4 KB more (see
// scripts/bundle.mjs).
import packed from 'kp:wasm';
import glue from 'kp:glue';
import { selfTest } from './self-test.js';
import { lzmaDecode } from './lzma.js';

/* global KP_BUILD_VERSION */

function decodeBase64(b64) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(b64);
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The engine's bytes, unpacked from the script (nothing is fetched). */
function wasmBytes() {
  return lzmaDecode(decodeBase64(packed));
}

let engine = null;
/* The hash of the library in use (as useLibrary gave it). */
let sha256 = '';

export const ready = Promise.resolve()
  .then(wasmBytes)
  .then((bytes) => glue({ module_or_path: bytes }))
  .then(() => { engine = glue; sha256 = glue.library().sha256; return KetaminePlanner; });

function need() {
  if (!engine) throw new Error('KetaminePlanner is not ready yet: await KetaminePlanner.ready first');
  return engine;
}

/* simulate(request, options) as the core takes it, or one object with the
 * preview's keys in it: those are split off the plan request and passed as
 * `options` (a key also given in `options` wins there). */
const PREVIEW_KEYS = ['model', 'compare', 'resolutionMinutes', 'horizonMinutes', 'thresholdNgPerMl', 'effectSite'];
const plain = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
function splitOptions(request, options) {
  let req = request;
  let split = null;
  if (plain(request)) {
    for (const k of PREVIEW_KEYS) {
      if (!Object.prototype.hasOwnProperty.call(request, k)) continue;
      if (!split) { split = {}; req = { ...request }; }
      split[k] = request[k];
      delete req[k];
    }
  }
  const opts = split ? Object.assign(split, options && typeof options === 'object' ? options : {}) : options;
  return [req, opts];
}
const simulate = (request, options) => need().simulate(...splitOptions(request, options));
/* solveTarget({ ...request, targetNgPerMl, model, reachMinutes }): a request
 * in target mode, its scheme of rates through the plan's limits. The three
 * target keys may stand beside the request, as the issue that asked for it
 * wrote them, or in request.dose as the contract has them; one given in both
 * places is left where it is, so the engine refuses it by name. */
const TARGET_KEYS = ['targetNgPerMl', 'model', 'reachMinutes'];
const solveTarget = (request) => {
  let req = request;
  // A dose that is not an object is left for the engine to refuse.
  if (plain(request) && (request.dose === undefined || plain(request.dose))) {
    const dose = request.dose || {};
    for (const k of TARGET_KEYS) {
      if (!Object.prototype.hasOwnProperty.call(request, k) || Object.prototype.hasOwnProperty.call(dose, k)) continue;
      if (req === request) req = { ...request, dose: { ...dose } };
      req.dose[k] = request[k];
      delete req[k];
    }
  }
  return need().solveTarget(req);
};

/* Who to tell when the library in use changes (the elements rebuild). */
const libraryListeners = new Set();
export function onLibraryChange(fn) {
  libraryListeners.add(fn);
  return () => libraryListeners.delete(fn);
}
/* Every library, the built-in one included, is read and checked by the core
 * (useLibrary); a library that fails throws every problem and the one in use stays. */
function useLibrary(library) {
  need().useLibrary(library);
  const lib = engine.library();
  sha256 = lib.sha256;
  const loaded = { version: lib.version, sha256, sha256Of: typeof library === 'string' ? 'text' : 'canonical', protocols: lib.protocols.map((p) => p.id) };
  for (const fn of libraryListeners) fn(loaded);
  return loaded;
}

export const KetaminePlanner = {
  ready,
  /* The planner's version: Cargo.toml's, which the core also prints on every plan (bundle.mjs reads the same file). */
  version: KP_BUILD_VERSION,
  /* SHA-256 (hex) of the library in use: of its exact text, or canonical for an object (see useLibrary). */
  get librarySha256() { need(); return sha256; },
  library: () => need().library(),
  /* A clinic's library (JSON text, or the object JSON.parse made of it): { version, sha256, sha256Of, protocols }. */
  useLibrary,
  plan: (request) => need().plan(request),
  planForm: (form) => need().planForm(form),
  contract: () => need().contract(),
  simulate,
  solveTarget,
  ics: (request, dtstampUtc) => need().ics(request, dtstampUtc),
  /* Where the session stands at `now`, its infusion started at `startedAt` (local "YYYY-MM-DDTHH:MM"). */
  sessionClock: (request, startedAt, now) => need().sessionClock(request, startedAt, now),
  pkModels: () => need().pkModels(),
  /* The review of a course record (a saved record file's object): responses, relief, booster, ledger, alerts. */
  review: (record) => need().review(record),
  /* A typed number by the core's strict rule, or a PlanError naming `field`. */
  parseDecimal: (text, field) => need().parseDecimal(String(text), String(field || 'number')),
  /* The shipped rate cases and PK vectors through this engine: { passed, failed, cases }. */
  selfTest: (extraCases) => { need(); return selfTest(KetaminePlanner, extraCases); },
};
