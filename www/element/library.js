/* A clinic's own protocol library for <ketamine-planner library="...">:
 *   library="#clinic-lib"         the text of <script type="application/json" id="clinic-lib"> in the page
 *                                 (works offline and under the strict CSP);
 *   library="clinic-library.json" a same-origin URL, fetched once per page: the only request the
 *                                 element ever makes (the host's CSP needs connect-src 'self').
 * The text goes to KetaminePlanner.useLibrary, the path the built-in library
 * takes too: the core checks it and hashes its exact bytes. A library that
 * does not load is an error to show; the element then plans nothing, and
 * never falls back to the built-in library. */
import { say } from './text.js';

/** One fetch per URL and page, however many elements name it. */
const fetched = new Map();
/** The element whose library="..." the page uses, and that source: one library per page,
 * since every element plans with the engine's one library in use. */
let claimed = null;

/** A load failure the element shows: `message`, and the core's problems, each { path, message }. */
function failure(message, problems = []) {
  return Object.assign(new Error(message), { name: 'LibraryLoadError', problems });
}

function readInline(source, doc) {
  const id = source.slice(1);
  const node = doc.getElementById(id);
  if (!node || node.localName !== 'script' || node.type !== 'application/json') {
    throw failure(say('library.noInline', { id }));
  }
  return node.textContent;
}

function fetchSameOrigin(source) {
  let url;
  try { url = new URL(source, document.baseURI); } catch (e) { url = null; }
  if (!url || url.origin !== window.location.origin) {
    return Promise.reject(failure(say('library.notSameOrigin', { source })));
  }
  if (!fetched.has(url.href)) {
    fetched.set(url.href, fetch(url.href, { cache: 'no-cache' }).then((r) => {
      if (!r.ok) throw failure(say('library.httpError', { source, status: r.status }));
      return r.text();
    }, (e) => { throw failure(say('library.fetchFailed', { source, error: e.message })); }));
  }
  return fetched.get(url.href);
}

/** The library text named by `source` (see the top of this file). */
export function libraryText(source) {
  if (source.startsWith('#')) return Promise.resolve().then(() => readInline(source, document));
  return fetchSameOrigin(source);
}

/** Loads the library named by `source` into the engine: its { version, sha256, protocols },
 * or an error (name LibraryLoadError) naming every problem the core found. */
export function loadLibrary(engine, source, owner) {
  if (claimed && claimed.source !== source && claimed.owner !== owner && claimed.owner.isConnected) {
    return Promise.reject(failure(say('library.onePerPage', { source, other: claimed.source })));
  }
  return libraryText(source).then((text) => {
    try {
      const loaded = engine.useLibrary(text);
      claimed = { source, owner };
      return loaded;
    } catch (e) {
      const problems = (e.errors || [e]).map((p) => ({ path: p.path || '', message: p.message }));
      throw failure(say('library.invalid', { source, n: problems.length }), problems);
    }
  });
}
