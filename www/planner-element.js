/* <ketamine-planner> element and window.KetaminePlanner.
 *
 * Not loaded on its own: scripts/bundle.mjs concatenates it, inside one IIFE,
 * after the wasm-bindgen `--target no-modules` glue. Names it expects in scope:
 *   wasm_bindgen      the glue's init function with the exports attached
 *   KP_WASM_BASE64    the wasm module as a gzip stream, base64
 *   KP_CSS            the element's stylesheet text (www/planner.css)
 *   KP_BUILD_VERSION  the crate version at build time (until the engine is ready)
 *
 * Rules kept here: the core formats every number (this file only places the
 * `text` strings the core returns, never formats a number); the core parses
 * every input (raw strings go in unchanged); a result that the current inputs
 * do not support is removed in the same update; nothing leaves the browser.
 */

/* ---------------------------------------------------------------- engine -- */

function kpDecodeBase64(b64) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(b64);
  var s = atob(b64), n = s.length, out = new Uint8Array(n);
  for (var i = 0; i < n; i++) out[i] = s.charCodeAt(i);
  return out;
}

function kpWasmBytes() {
  var packed = kpDecodeBase64(KP_WASM_BASE64);
  if (typeof DecompressionStream !== 'function') {
    throw new Error('This browser lacks DecompressionStream (needed to unpack the engine); use a current browser.');
  }
  // Local stream from an in-memory Blob: nothing is fetched.
  var stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
}

var kpEngine = null;
var kpReady = Promise.resolve()
  .then(kpWasmBytes)
  .then(function (bytes) {
    // Bytes, not a URL: the glue calls WebAssembly.instantiate(bytes); no fetch,
    // so it works from file:// and under a CSP without connect-src.
    return wasm_bindgen({ module_or_path: bytes });
  })
  .then(function () {
    kpEngine = wasm_bindgen;
    return KetaminePlanner;
  });

function kpNeed() {
  if (!kpEngine) throw new Error('KetaminePlanner is not ready yet: await KetaminePlanner.ready first');
  return kpEngine;
}

var KetaminePlanner = {
  ready: kpReady,
  get version() { return kpEngine ? kpEngine.version() : KP_BUILD_VERSION; },
  library: function () { return kpNeed().library(); },
  plan: function (request) { return kpNeed().plan(request); },
  planForm: function (form) { return kpNeed().planForm(form); },
  contract: function () { return kpNeed().contract(); },
  simulate: function (request, options) { return kpSimulate(request, options); },
  ics: function (request, dtstampUtc) { return kpNeed().ics(request, dtstampUtc); },
  pkModels: function () { return kpNeed().pkModels(); }
};

/* simulate(request, options) as the core takes it, or issue 5's single object
 * simulate({ ...request, model, compare, resolutionMinutes, horizonMinutes,
 * thresholdNgPerMl }): those keys are split off the plan request here and
 * passed as `options` (a key also given in `options` wins there). */
var KP_PREVIEW_KEYS = ['model', 'compare', 'resolutionMinutes', 'horizonMinutes', 'thresholdNgPerMl'];
function kpSimulate(request, options) {
  var req = request, opts = options, split = null;
  if (request && typeof request === 'object' && !Array.isArray(request)) {
    for (var i = 0; i < KP_PREVIEW_KEYS.length; i++) {
      var k = KP_PREVIEW_KEYS[i];
      if (!Object.prototype.hasOwnProperty.call(request, k)) continue;
      if (!split) { split = {}; req = Object.assign({}, request); }
      split[k] = request[k];
      delete req[k];
    }
  }
  if (split) opts = Object.assign(split, options && typeof options === 'object' ? options : {});
  return kpNeed().simulate(req, opts);
}

/* --------------------------------------------------------------- helpers -- */

var KP_ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function esc(s) { return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) { return KP_ESC[c]; }); }

/** The core's formatted text for `key`, or '' when the core gave none. */
function txt(obj, key) {
  if (!obj) return '';
  if (obj.text && obj.text[key] != null) return String(obj.text[key]);
  return '';
}

function todayLocal() {
  var d = new Date();
  function two(n) { return (n < 10 ? '0' : '') + n; }
  return d.getFullYear() + '-' + two(d.getMonth() + 1) + '-' + two(d.getDate());
}
function nowStamp() {
  var d = new Date();
  function two(n) { return (n < 10 ? '0' : '') + n; }
  return todayLocal() + ' ' + two(d.getHours()) + ':' + two(d.getMinutes());
}

/** "2026-11-24T09:00" -> ["2026-11-24", "09:00"]: the core's dates, split, not reformatted. */
function kpSplit(dt) { var t = String(dt || ''); var i = t.indexOf('T'); return i < 0 ? [t, ''] : [t.slice(0, i), t.slice(i + 1)]; }

var KP_FOLLOW = { reassess: 'Reassess', booster_window: 'Booster window', benefit_window: 'Expected benefit', relief_window: 'Expected relief' };
var KP_SCHEDULE = { single: '', daily: 'daily, consecutive days', weekdays: 'weekdays, Monday to Friday', continuous: 'one continuous infusion' };

/** "2026-12-07T08:00" as a time, with its date in front when it is not `day`. */
function kpAt(dt, day) { var p = kpSplit(dt); return p[0] === day ? p[1] : p[0] + ' ' + p[1]; }

/** The preview's figures, as the core wrote them: the peak, then the level at
 * the end of the infusion, at the earliest discharge and the time until below
 * the threshold, for the one session or per session of a course (consecutive
 * sessions with the same three figures share a row). */
function kpPkFigures(t) {
  var rows = Array.isArray(t.sessions) ? t.sessions : [];
  var below = t.threshold ? 'Falls below ' + t.threshold : 'Falls below the threshold';
  function item(label, value) { return value ? '<div><dt>' + esc(label) + '</dt><dd>' + esc(value) + '</dd></div>' : ''; }
  var html = '<dl class="pk-fig">' + item('Peak', t.peak);
  if (rows.length === 1) {
    return html + item('At the end of the infusion', rows[0].end) + item('At the earliest discharge', rows[0].discharge) +
      item(below, rows[0].minutesToThreshold) + '</dl>';
  }
  html += '</dl>';
  if (!rows.length) return html;
  var groups = [];
  for (var i = 0; i < rows.length; i++) {
    var x = rows[i], g = groups[groups.length - 1];
    if (g && g.end === x.end && g.discharge === x.discharge && g.below === x.minutesToThreshold) g.to = i + 1;
    else groups.push({ from: i + 1, to: i + 1, end: x.end, discharge: x.discharge, below: x.minutesToThreshold });
  }
  return html + '<div class="scroll"><table class="pk-sessions"><thead><tr><th scope="col">Session</th><th scope="col">At the end of the infusion</th>' +
    '<th scope="col">At the earliest discharge</th><th scope="col">' + esc(below) + '</th></tr></thead><tbody>' +
    groups.map(function (g) {
      return '<tr><th scope="row">' + g.from + (g.to > g.from ? ' to ' + g.to : '') + '</th><td>' + esc(g.end) + '</td><td>' + esc(g.discharge) +
        '</td><td>' + esc(g.below) + '</td></tr>';
    }).join('') + '</tbody></table></div>';
}

/* ------------------------------------------------------- patient handout -- */

// Plain language, and only what clinical-spec section 6 says: the day's times
// from the plan, the discharge conditions, the dates. No doses, no pump rates:
// a patient handout, not an order.
var KP_HANDOUT_FOLLOW = { reassess: 'Check-up with your care team', booster_window: 'Possible top-up (booster) treatment',
  benefit_window: 'Follow-up period', relief_window: 'Follow-up period' };

function kpHandout(plan, printedLine) {
  var sessions = plan && Array.isArray(plan.sessions) ? plan.sessions : [];
  if (!sessions.length) {
    return '<h1>Your treatment: what to expect</h1><p class="h-none">No treatment plan to print: the care team completes the planner first.</p>';
  }
  var drug = plan.protocol && plan.protocol.drug === 'esketamine' ? 'esketamine' : 'ketamine';
  var s0 = sessions[0], day0 = kpSplit(s0.start)[0], last = sessions[sessions.length - 1];
  var pt = plan.text || {};
  // The core's plain-language date ("Monday 7 December 2026"): no ISO dates on a patient's page.
  function when(s) { return esc((s.text && s.text.date) || kpSplit(s.start)[0]); }

  var html = '<h1>Your ' + drug + ' treatment: what to expect</h1>' +
    '<p class="h-name">Name: <span class="blank"></span></p>' +
    (sessions.length > 1 ? '<p class="h-lead">' + esc(pt.sessions || '') + ', from ' + when(s0) + ' to ' + when(last) + '.</p>' : '');

  // The first day, from its events.
  var ev = s0.events || [], steps = [], changes = [], liver = [], bag = false;
  for (var i = 0; i < ev.length; i++) {
    var e = ev[i], at = '<span class="nw">' + esc(kpAt(e.at, day0)) + '</span>';
    if (e.kind === 'arrival') steps.push([at, 'Arrive. Before the drip starts, staff ask for your consent and check your vital signs (such as blood pressure) and your pain score.']);
    else if (e.kind === 'premedication') steps.push([at, 'You are given the medicine prescribed for before the drip.']);
    else if (e.kind === 'infusion_start') steps.push([at, 'The drip starts: ' + drug + ' through a small tube in a vein. While it runs, your heart and the oxygen in your blood are watched all the time, and your blood pressure is checked regularly.']);
    else if (e.kind === 'rate_change') changes.push(at);
    else if (e.kind === 'bag_change') bag = true;
    else if (e.kind === 'liver_test') liver.push(at);
    else if (e.kind === 'infusion_end') {
      if (changes.length) steps.push([changes[0] + (changes.length > 1 ? ' to ' + changes[changes.length - 1] : ''), 'The drip is adjusted at planned times (' + changes.join(', ') + ').']);
      if (bag) steps.push(['', 'The drip runs day and night; its bag or syringe is changed every day.']);
      if (liver.length) steps.push(['', 'Blood tests of your liver: ' + liver.join(', ') + '.']);
      steps.push([at, 'The drip stops. You stay to be watched' + (pt.observation ? ' for ' + esc(pt.observation) + ' after the drip stops,' : '') + ' or until any side effects have resolved.']);
    } else if (e.kind === 'discharge_earliest') steps.push([at, 'The earliest time you can go home, with a responsible adult.']);
  }
  var endDay = kpSplit(s0.dischargeEarliest)[0];
  html += '<h2>' + (endDay !== day0 ? 'Your treatment: from ' + when(s0) + ' to ' + esc(s0.text.dischargeDate)
      : (sessions.length > 1 ? 'Your first treatment day: ' : 'Your treatment day: ') + when(s0)) + '</h2>' +
    '<ol class="h-day">' + steps.map(function (st) {
      return '<li><span class="h-at">' + st[0] + '</span><span>' + st[1] + '</span></li>';
    }).join('') + '</ol>';

  html += '<h2>Going home</h2><ul class="h-rules">' +
    '<li><b>Bring a responsible adult to take you home.</b> You can go home only with them.</li>' +
    '<li><b>' + esc(pt.noDriving) + '</b> after each treatment.</li>' +
    '<li>You go home only when any side effects have resolved: the going-home times on this page are the earliest.</li></ul>';

  // Every day at the same times (the usual course): the times once, then the
  // dates in columns; otherwise a row per session.
  function times(s) {
    var d = kpSplit(s.start)[0];
    return [kpAt(s.arrival, d), kpSplit(s.start)[1] + ' to ' + kpAt(s.end, d), kpAt(s.dischargeEarliest, d)];
  }
  var t0 = times(s0), same = sessions.length > 1 && sessions.every(function (s) { return times(s).join('|') === t0.join('|'); });
  if (same) {
    html += '<h2>All your treatment dates</h2><p class="h-each">Each treatment day: arrive ' + esc(t0[0]) + ' · drip ' + esc(t0[1]) +
      ' · earliest going home ' + esc(t0[2]) + '</p><ol class="h-datelist">' +
      sessions.map(function (s) { return '<li>' + when(s) + '</li>'; }).join('') + '</ol>';
  } else if (sessions.length > 1) {
    html += '<h2>All your treatment dates</h2>' +
      '<table class="h-dates"><thead><tr><th scope="col">Day</th><th scope="col">Arrive</th><th scope="col">Drip</th><th scope="col">Earliest going home</th></tr></thead><tbody>' +
      sessions.map(function (s) {
        var t = times(s);
        return '<tr><td>' + when(s) + '</td><td>' + esc(t[0]) + '</td><td>' + esc(t[1]) + '</td><td>' + esc(t[2]) + '</td></tr>';
      }).join('') + '</tbody></table>';
  }

  var after = '';
  (Array.isArray(plan.followUp) ? plan.followUp : []).forEach(function (w) {
    after += '<li><b>' + esc(KP_HANDOUT_FOLLOW[w.kind] || 'Follow-up') + ':</b> ' + esc(w.text) + '</li>';
  });
  var boosters = Array.isArray(plan.boosters) ? plan.boosters : [];
  if (boosters.length) {
    after += '<li><b>Planned top-up (booster) treatments, to be confirmed:</b><ol class="h-boosters">' +
      boosters.map(function (b) { return '<li>' + esc(b.dateText) + '</li>'; }).join('') + '</ol></li>';
  }
  html += '<h2>After the treatment</h2><ul class="h-after">' + after +
    '<li class="h-fill"><b>Your next appointment:</b> <span class="blank"></span></li>' +
    '<li class="h-fill"><b>Your clinic\'s telephone:</b> <span class="blank"></span></li></ul>';
  return html + '<p class="h-printed">' + esc(printedLine) + '</p>';
}

/** Puts an SVG string from the core into `slot`: the old drawing goes at once
 * (never a stale picture), the new one is parsed once per frame just before
 * paint (fast typing costs one parse, not one per key). Parsed as XML, with
 * scripts, foreign content and event handlers removed. */
function kpSetSvg(slot, svg, owner, key) {
  svg = svg || '';
  if (owner[key] === svg) return;
  owner[key] = svg;
  slot.textContent = '';
  if (!svg) return;
  var pending = key + 'Frame';
  if (owner[pending]) return;
  owner[pending] = requestAnimationFrame(function () {
    owner[pending] = 0;
    if (slot.firstChild || !owner[key]) return;
    var el = kpParseSvg(owner[key]);
    if (el) slot.appendChild(el);
  });
}

/** Draws a pending SVG now (before printing: no frame may come first). */
function kpFlushSvg(slot, owner, key) {
  var pending = key + 'Frame';
  if (!owner[pending]) return;
  cancelAnimationFrame(owner[pending]);
  owner[pending] = 0;
  if (slot.firstChild || !owner[key]) return;
  var el = kpParseSvg(owner[key]);
  if (el) slot.appendChild(el);
}

function kpParseSvg(svg) {
  var doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  var el = doc.documentElement;
  if (!el || el.localName !== 'svg' || doc.getElementsByTagName('parsererror').length) return null;
  var all = el.querySelectorAll('*');
  for (var i = -1; i < all.length; i++) {
    var n = i < 0 ? el : all[i];
    if (/^(script|foreignObject|iframe)$/i.test(n.localName)) { n.remove(); continue; }
    for (var j = n.attributes.length - 1; j >= 0; j--) {
      var an = n.attributes[j].name;
      if (/^on/i.test(an) || /href$/i.test(an) && !/^#/.test(n.attributes[j].value)) n.removeAttribute(an);
    }
  }
  el.setAttribute('focusable', 'false');
  return document.importNode(el, true);
}

/* Writes only what changed: an identical write would still invalidate layout. */
function setText(el, text) { if (el.textContent !== text) el.textContent = text; }
function setHtml(el, html) { if (el.__kpHtml !== html) { el.__kpHtml = html; el.innerHTML = html; } }

var KP_SHEET = null;
function kpStyles(root) {
  // Constructable stylesheet: not blocked by a strict style-src on the host page.
  if ('adoptedStyleSheets' in Document.prototype && typeof CSSStyleSheet === 'function') {
    try {
      if (!KP_SHEET) { KP_SHEET = new CSSStyleSheet(); KP_SHEET.replaceSync(KP_CSS); }
      root.adoptedStyleSheets = [KP_SHEET];
      return;
    } catch (e) { /* fall through */ }
  }
  var style = document.createElement('style');
  style.textContent = KP_CSS;
  root.appendChild(style);
}

/* ----------------------------------------------------------------- fields -- */

// Every input's `name` is its request field. `group` places it in the form;
// `custom` fields are sent only when the protocol is `custom`.
var KP_NUMBER_FIELDS = {
  heightCm: { label: 'Height', unit: 'cm', hint: 'For ideal and adjusted body weight.' },
  ageYears: { label: 'Age', unit: 'years' },
  concentrationMgPerMl: { label: 'Concentration', unit: 'mg/mL' },
  pumpResolutionMlPerHour: { label: 'Pump resolution', unit: 'mL/h', placeholder: 'default', hint: 'Smallest rate step the pump accepts; rates are rounded to it.' },
  preparationVolumeMl: { label: 'Bag or syringe volume', unit: 'mL', placeholder: 'standard', hint: 'Final volume to prepare; empty uses the standard container for the concentration.' },
  startDose: { label: 'Start dose', unit: 'dose', custom: true },
  stepDose: { label: 'Step', unit: 'dose', custom: true, hint: 'Leave empty for no titration.' },
  maxDose: { label: 'Maximum dose', unit: 'dose', custom: true },
  sessionDoseMg: { label: 'Fixed session dose', unit: 'mg', custom: true, hint: 'Instead of a rate: this many mg over the session length.' },
  rateMlPerHour: { label: 'Volume order: rate', unit: 'mL/h', custom: true },
  volumeMl: { label: 'Volume order: volume', unit: 'mL', custom: true },
  volumeMinutes: { label: 'over', unit: 'min', custom: true, hint: 'For example 300 mL over 240 min.' },
  sessionMinutes: { label: 'Session length', unit: 'min', placeholder: 'protocol' },
  sessions: { label: 'Sessions', unit: '', placeholder: 'protocol' },
  observationMinutes: { label: 'Observation after infusion', unit: 'min', placeholder: 'protocol' },
  stepEveryMinutes: { label: 'Clock-driven titration: step every', unit: 'min', placeholder: 'by response', hint: 'Empty: titration by response (the ladder is printed, no clock times).' }
};
/* The text inputs of the form: every field of the core's contract
 * (KetaminePlanner.contract()) but the check boxes and lists; set when the
 * engine is ready, so the form cannot drift from the contract. */
var KP_FORM_FIELDS = [];
function kpFormFields() {
  return KetaminePlanner.contract().map(function (f) { return f.path.split('.').pop(); })
    .filter(function (n) { return n !== 'frail' && n !== 'acknowledged' && n !== 'cautions'; });
}
var KP_CUSTOM_ONLY = { doseUnit: 1, startDose: 1, stepDose: 1, maxDose: 1, sessionDoseMg: 1, rateMlPerHour: 1, volumeMl: 1, volumeMinutes: 1 };
var KP_LABELS = { protocolOrdered: 'Protocol ordered', weightKg: 'Weight', weightLb: 'Weight', protocol: 'Protocol', sex: 'Sex', weightBasis: 'Weight basis',
  doseUnit: 'Dose unit', schedule: 'Schedule', start: 'First session starts', previousCourseEnd: 'Previous course ended' };
function kpLabel(name) { return KP_LABELS[name] || (KP_NUMBER_FIELDS[name] && KP_NUMBER_FIELDS[name].label) || name; }

function numberField(name) {
  var f = KP_NUMBER_FIELDS[name];
  var unit = f.unit === 'dose' ? '<span class="unit" data-role="dose-unit">mg/kg/h</span>' : f.unit ? '<span class="unit">' + esc(f.unit) + '</span>' : '';
  return '<div class="field" data-for="' + name + '">' +
    '<label for="f-' + name + '">' + esc(f.label) + '</label>' +
    '<div class="control"><input id="f-' + name + '" name="' + name + '" type="text" inputmode="decimal" autocomplete="off" spellcheck="false"' +
    (f.placeholder ? ' placeholder="' + esc(f.placeholder) + '"' : '') +
    ' aria-describedby="' + (f.hint ? 'h-' + name + ' ' : '') + 'e-' + name + '">' + unit + '</div>' +
    (f.hint ? '<p class="hint" id="h-' + name + '">' + esc(f.hint) + '</p>' : '') +
    '<p class="msg" id="e-' + name + '" aria-live="polite"></p></div>';
}

function selectField(name, options, hint) {
  return '<div class="field" data-for="' + name + '">' +
    '<label for="f-' + name + '">' + esc(kpLabel(name)) + '</label>' +
    '<div class="control"><select id="f-' + name + '" name="' + name + '" aria-describedby="' + (hint ? 'h-' + name + ' ' : '') + 'e-' + name + '">' +
    options.map(function (o) { return '<option value="' + esc(o[0]) + '">' + esc(o[1]) + '</option>'; }).join('') +
    '</select></div>' + (hint ? '<p class="hint" id="h-' + name + '">' + esc(hint) + '</p>' : '') +
    '<p class="msg" id="e-' + name + '" aria-live="polite"></p></div>';
}

function dateField(name, type, hint) {
  return '<div class="field" data-for="' + name + '">' +
    '<label for="f-' + name + '">' + esc(kpLabel(name)) + '</label>' +
    '<div class="control"><input id="f-' + name + '" name="' + name + '" type="' + type + '" aria-describedby="' + (hint ? 'h-' + name + ' ' : '') + 'e-' + name + '"></div>' +
    (hint ? '<p class="hint" id="h-' + name + '">' + esc(hint) + '</p>' : '') +
    '<p class="msg" id="e-' + name + '" aria-live="polite"></p></div>';
}

var KP_LEVEL_LABEL = { hard: 'Hard limit', soft: 'Needs acknowledgement', info: 'Information' };
var KP_LEVEL_ORDER = { hard: 0, soft: 1, info: 2 };
var KP_TAGS = {
  S: 'primary source (paper, registry, label, guideline)',
  S2: 'secondary source only (review, news report, clinic page)',
  'PK-code': 'parameters as carried by open-source PK software',
  D: 'design default of this planner: configurable, not evidence'
};

/* ---------------------------------------------------------------- template -- */

function kpTemplate(lib, version) {
  var protocolOptions = '<option value="">Choose a protocol…</option>' + lib.protocols.map(function (p) {
    return '<option value="' + esc(p.id) + '">' + esc(p.name) + ' — ' + esc(p.setting) + ' · ' + esc(p.tag) + '</option>';
  }).join('');
  var cautions = (lib.cautions || []).map(function (c) {
    return '<li><label><input type="checkbox" name="cautions" value="' + esc(c.id) + '"> ' + esc(c.label) + '</label></li>';
  }).join('');
  var tags = Object.keys(KP_TAGS).map(function (t) { return '<li><b class="tag">' + esc(t) + '</b> ' + esc(KP_TAGS[t]) + '</li>'; }).join('');
  var refs = lib.protocols.map(function (p) {
    return '<li><b>' + esc(p.name) + '</b> <span class="tag" title="' + esc(KP_TAGS[p.tag] || '') + '">' + esc(p.tag) + '</span><br>' + esc(p.source) + '</li>';
  }).join('');

  return '' +
'<div class="kp" part="container">' +
'<header class="head">' +
  '<div class="title"><h2>Ketamine Infusion Planner</h2>' +
  '<p class="versions"><span data-field="plannerVersion">Version ' + esc(version) + '</span> · <span data-field="libraryVersion">Protocol library ' + esc(lib.version) + '</span></p></div>' +
  '<p class="use"><b>Intended use:</b> calculation aid for clinicians planning subanaesthetic ketamine infusions; verify every value. ' +
  'IV ketamine for chronic pain is off-label. The planner computes what you choose and recommends nothing. Nothing you enter leaves this device.</p>' +
  '<div class="actions"><button type="button" data-action="print">Print bedside sheet</button>' +
  '<button type="button" data-action="print-handout">Print patient handout</button></div>' +
'</header>' +
'<div class="layout">' +
'<form class="inputs" novalidate autocomplete="off" aria-label="Infusion inputs">' +

  '<fieldset><legend>Protocol</legend>' +
    selectField('protocol', [], null).replace('</select>', protocolOptions + '</select>').replace('>Protocol</label>', '>Protocol ordered</label>') +
    '<div class="protocol-card" data-role="protocol-card" aria-live="polite"></div>' +
  '</fieldset>' +

  '<fieldset><legend>Patient</legend>' +
    '<div class="field" data-for="weight">' +
      '<label for="f-weight">Weight</label>' +
      '<div class="control"><input id="f-weight" name="weightKg" type="text" inputmode="decimal" autocomplete="off" spellcheck="false" aria-describedby="e-weight">' +
      '<select class="unit-select" data-role="weight-unit" aria-label="Weight unit"><option value="kg">kg</option><option value="lb">lb</option></select></div>' +
      '<p class="msg" id="e-weight" aria-live="polite"></p></div>' +
    '<div class="row">' + numberField('heightCm') +
      selectField('sex', [['', 'Not entered'], ['female', 'Female'], ['male', 'Male']], 'For ideal body weight (Devine).') + '</div>' +
    numberField('ageYears') +
    '<div class="field" data-for="frail"><label class="check"><input type="checkbox" name="frail" id="f-frail"> Frail (protocols with a frail start dose use it)</label></div>' +
    selectField('weightBasis', [['', 'Per protocol'], ['auto', 'Auto: AdjBW if TBW > 1.2 × IBW, else TBW'], ['total', 'Total body weight (TBW)'],
      ['ideal', 'Ideal body weight (IBW, Devine)'], ['adjusted', 'Adjusted body weight (AdjBW)']], null) +
  '</fieldset>' +

  '<fieldset><legend>Infusion</legend>' +
    numberField('concentrationMgPerMl').replace('autocomplete="off"', 'autocomplete="off" list="kp-conc"') +
    '<datalist id="kp-conc" data-role="conc-list"></datalist>' +
    '<div class="chips" data-role="conc-chips" aria-label="Standard concentrations"></div>' +
    numberField('pumpResolutionMlPerHour') + numberField('preparationVolumeMl') +
  '</fieldset>' +

  '<fieldset class="custom" data-role="custom" hidden disabled><legend>Dose (custom protocol)</legend>' +
    selectField('doseUnit', [['mg/kg/h', 'mg/kg/h'], ['mcg/kg/min', 'mcg/kg/min'], ['mg/h', 'mg/h']], null) +
    '<div class="row">' + numberField('startDose') + numberField('stepDose') + '</div>' +
    numberField('maxDose') + numberField('sessionDoseMg') +
    numberField('rateMlPerHour') +
    '<div class="row">' + numberField('volumeMl') + numberField('volumeMinutes') + '</div>' +
  '</fieldset>' +

  '<fieldset><legend>Session and course</legend>' +
    '<div class="row">' + numberField('sessionMinutes') + numberField('sessions') + '</div>' +
    selectField('schedule', [['', 'Protocol default'], ['single', 'Single session'], ['daily', 'Daily (consecutive days)'],
      ['weekdays', 'Weekdays (Monday to Friday)'], ['continuous', 'Continuous over days']], null) +
    dateField('start', 'datetime-local', 'Local time. Defaults to today.') +
    numberField('observationMinutes') + numberField('stepEveryMinutes') +
    dateField('previousCourseEnd', 'date', 'Only for a repeat course: checks the re-treatment interval.') +
  '</fieldset>' +

  '<fieldset><legend>Cautions and contraindications</legend>' +
    '<p class="hint">Tick what applies; each ticked item raises an alert to acknowledge.</p>' +
    '<ul class="checklist">' + cautions + '</ul>' +
  '</fieldset>' +
  '<p class="msg form-error" data-role="form-error" role="alert"></p>' +
  '<div class="mini" data-role="mini" aria-hidden="true"><span class="mini-rate" data-role="mini-rate"></span>' +
    '<span class="mini-status" data-role="mini-status"></span>' +
    '<button type="button" tabindex="-1" data-action="results">Results</button></div>' +
'</form>' +

'<section class="results" data-state="empty" aria-label="Results">' +
  '<div class="status" data-field="confirmed" data-state="empty" role="status" aria-live="polite"></div>' +

  '<div class="card pump" data-role="pump">' +
    '<p class="pump-label" data-role="pump-label">Pump rate</p>' +
    '<p class="pump-rate" data-field="mlPerHour"></p>' +
    '<dl class="pump-side">' +
      '<div><dt>Ordered dose</dt><dd data-field="dose"></dd></div>' +
      '<div><dt>Delivered</dt><dd data-field="mgPerHour"></dd></div>' +
      '<div><dt>Delivered per kg</dt><dd data-field="mgPerKgPerHour"></dd></div>' +
    '</dl>' +
    '<p class="note" data-role="cap-note"></p>' +
  '</div>' +

  '<div class="card" data-role="weights"><h3>Dosing weight</h3>' +
    '<p class="big" data-field="dosingWeightKg"></p>' +
    '<table class="weights"><thead><tr><th scope="col">TBW</th><th scope="col">IBW</th><th scope="col">AdjBW</th></tr></thead>' +
    '<tbody><tr><td data-field="totalKg"></td><td data-field="idealKg"></td><td data-field="adjustedKg"></td></tr></tbody></table>' +
    '<p class="note" data-field="weightBasisReason"></p>' +
    '<p class="note" data-field="provenance"></p></div>' +

  '<div class="card" data-role="alerts-card"><h3>Alerts</h3><ul class="alerts" data-field="alerts"></ul>' +
    '<p class="hint">An acknowledgement lasts while its alert stays unchanged; it is printed on the sheet.</p></div>' +

  '<div class="card" data-role="ladder-card"><h3>Rate ladder</h3>' +
    '<div class="scroll"><table class="ladder"><thead><tr><th scope="col">Level</th><th scope="col">Pump rate</th><th scope="col">Dose</th>' +
    '<th scope="col">Delivered</th><th scope="col">Per kg</th><th scope="col">Note</th></tr></thead><tbody data-role="ladder"></tbody></table></div></div>' +

  '<div class="card" data-role="totals-card"><h3>Totals</h3><dl class="totals">' +
    '<div><dt>Per session</dt><dd data-field="sessionTotalMg"></dd><dd class="sub" data-field="sessionMl"></dd></div>' +
    '<div><dt>Course</dt><dd data-field="courseTotalMg"></dd><dd class="sub" data-field="courseMl"></dd></div>' +
    '<div data-role="at-max"><dt>Course at the highest level</dt><dd data-field="courseMgAtMax"></dd><dd class="sub" data-field="courseMlAtMax"></dd></div>' +
  '</dl><p class="note" data-field="course"></p></div>' +

  '<div class="card" data-role="prep-card"><h3>Preparation</h3><p class="recipe" data-field="preparation"></p></div>' +

  '<div class="card" data-role="care-card"><h3>Premedication and monitoring</h3>' +
    '<p data-field="premedication"></p><p data-field="monitoring"></p></div>' +

  '<div class="card ext" data-ext="timeline"><h3>Session timeline and course calendar</h3>' +
    '<div class="slot" data-role="timeline-svg"></div>' +
    '<p class="cal-summary" data-role="cal-summary"></p>' +
    '<table class="calendar" data-role="calendar-table" hidden><thead><tr><th scope="col">Session</th><th scope="col">Date</th><th scope="col">Arrival</th>' +
    '<th scope="col">Infusion</th><th scope="col">Earliest discharge</th><th scope="col" class="num">Planned</th><th scope="col" class="num">Cumulative</th></tr></thead>' +
    '<tbody data-role="calendar"></tbody></table>' +
    '<ul class="calendar-notes" data-role="calendar-notes"></ul>' +
    '<p class="hint" data-role="timeline-empty">The session timeline and the course calendar appear here with a valid plan.</p>' +
    '<button type="button" data-action="ics" hidden>Download calendar (.ics)</button></div>' +

  '<div class="card ext" data-ext="pk"><h3>Predicted plasma concentration (model)</h3>' +
    '<div class="pk-controls"><label for="f-pkModel">Model</label><select id="f-pkModel" data-role="pk-model"></select>' +
    '<label class="check"><input type="checkbox" data-role="pk-compare"> Overlay the other adult models</label></div>' +
    '<div class="slot" data-role="pk-svg"></div>' +
    '<p class="pk-caption" data-role="pk-caption"></p>' +
    '<div class="pk-figures" data-role="pk-figures"></div>' +
    '<ul class="pk-notes" data-role="pk-notes"></ul>' +
    '<p class="pk-typical">Model estimate for a typical patient; individual concentrations vary widely.</p>' +
    '<p class="hint">The bands are population orientation, not targets. Plasma concentration only: no published effect-site model exists for ketamine.</p></div>' +

  '<div class="print-only card" data-role="print-inputs"><h3>Patient inputs</h3><dl class="inputs-summary" data-role="inputs-summary"></dl></div>' +
  '<div class="print-only card signoff"><h3>Independent double-check</h3>' +
    '<table><tbody>' +
    '<tr><th scope="row">Patient (write by hand)</th><td></td></tr>' +
    '<tr><th scope="row">Calculated and prepared by</th><td>Name / signature / time</td></tr>' +
    '<tr><th scope="row">Independently checked by</th><td>Name / signature / time</td></tr>' +
    '<tr><th scope="row">Pump programmed and checked by</th><td>Name / signature / time</td></tr>' +
    '</tbody></table></div>' +
  '<p class="print-only printed" data-role="printed"></p>' +
'</section>' +
'</div>' +

'<details class="refs"><summary>References and evidence tags</summary>' +
  '<ul class="tags">' + tags + '</ul><h4>Protocols</h4><ul class="sources">' + refs + '</ul>' +
  '<h4>Pharmacokinetic models and orientation bands</h4><ul class="sources" data-role="pk-refs"></ul>' +
  '<p class="hint">Contraindications and cautions: ' + esc(lib.cautionsSource || 'Cohen 2018 ASRA/AAPM/ASA consensus; ketamine label') + '. Ideal body weight: Devine 1974.</p>' +
'</details>' +
'<footer class="foot">Protocol library ' + esc(lib.version) + ' · planner ' + esc(version) + ' · calculation aid; verify every value.</footer>' +
// Printed instead of everything above by "Print patient handout"; never on screen.
'<article class="handout" data-role="handout" aria-hidden="true"></article>' +
'</div>';
}

/* ---------------------------------------------------------------- element -- */

class KPElement extends HTMLElement {
  static get observedAttributes() { return ['protocol', 'concentration', 'weight-unit', 'pump-resolution']; }

  constructor() {
    super();
    this._root = this.attachShadow({ mode: 'open' });
    kpStyles(this._root);
    var loading = document.createElement('p');
    loading.className = 'loading';
    loading.textContent = 'Loading the calculation engine…';
    this._root.appendChild(loading);
    this._built = false;
    this._plan = null;
    this._acks = new Map();      // alert code -> message it was acknowledged with
    this._touched = new Set();   // input names the user has edited
    this._hadPlanEvent = false;
  }

  /** The current plan (null while inputs are incomplete or invalid). */
  get plan() { return this._plan; }

  connectedCallback() {
    var self = this;
    // Printing from the browser's own command too: the pending preview and
    // drawings are made first; afterwards the next print is the bedside sheet.
    if (!this._onBeforePrint) {
      this._onBeforePrint = function () { if (self._built) self._flushForPrint(); };
      this._onAfterPrint = function () { if (self._built && self._printMode !== 'sheet') self._setPrintMode('sheet'); };
    }
    window.addEventListener('beforeprint', this._onBeforePrint);
    window.addEventListener('afterprint', this._onAfterPrint);
    kpReady.then(function () {
      var first = !self._built;
      if (first) self._build();
      self._compute();
      // The form is built and usable: for host pages and the benchmark.
      if (first) self.dispatchEvent(new CustomEvent('planner-ready', { bubbles: true, composed: true }));
    }, function (err) {
      self._root.querySelector('.loading') && (self._root.querySelector('.loading').textContent =
        'The calculation engine could not start: ' + (err && err.message ? err.message : err));
      console.error(err);
    });
  }

  disconnectedCallback() {
    window.removeEventListener('beforeprint', this._onBeforePrint);
    window.removeEventListener('afterprint', this._onAfterPrint);
  }

  attributeChangedCallback(name, oldValue, value) {
    if (!this._built || oldValue === value) return;
    this._applyAttribute(name, value);
    this._compute();
  }

  _applyAttribute(name, value) {
    var f = this._f;
    if (name === 'protocol') { f.protocol.value = value || ''; if (f.protocol.value !== (value || '')) f.protocol.value = ''; this._protocolChanged(); }
    else if (name === 'concentration') f.concentrationMgPerMl.value = value || '';
    else if (name === 'pump-resolution') f.pumpResolutionMlPerHour.value = value || '';
    else if (name === 'weight-unit') this._setWeightUnit(this._weightUnitAttribute(value), false);
    if (name === 'protocol') {
      this._notes.protocol = value && !f.protocol.value
        ? 'The attribute protocol="' + value + '" names no protocol of this library: choose one.' : '';
    }
  }

  /** kg or lb; any other value of the attribute is named at the weight field. */
  _weightUnitAttribute(value) {
    var ok = value == null || value === 'kg' || value === 'lb';
    this._notes.weightKg = ok ? '' : 'The attribute weight-unit="' + value + '" is not kg or lb: the weight is taken in kg.';
    return value === 'lb' ? 'lb' : 'kg';
  }

  _build() {
    var root = this._root, self = this;
    this._lib = KetaminePlanner.library();
    KP_FORM_FIELDS = kpFormFields();
    this._notes = {};
    this._version = KetaminePlanner.version;
    var loading = root.querySelector('.loading');
    if (loading) loading.remove();
    var wrap = document.createElement('div');
    wrap.innerHTML = kpTemplate(this._lib, this._version);
    root.appendChild(wrap.firstChild);

    var q = function (sel) { return root.querySelector(sel); };
    this._container = q('.kp');
    this._printMode = 'sheet';
    this._container.setAttribute('data-print', 'sheet');
    this._form = q('form');
    this._results = q('.results');
    this._f = {};
    KP_FORM_FIELDS.forEach(function (n) { var el = root.getElementById('f-' + n); if (el) self._f[n] = el; });
    this._f.weight = root.getElementById('f-weight');
    this._unit = q('[data-role=weight-unit]');
    this._frail = root.getElementById('f-frail');
    this._out = {};
    root.querySelectorAll('[data-field]').forEach(function (el) { self._out[el.getAttribute('data-field')] = el; });
    this._role = {};
    root.querySelectorAll('[data-role]').forEach(function (el) { self._role[el.getAttribute('data-role')] = el; });

    // Initial values: attributes, then today's date as the default start.
    this._f.start.value = todayLocal() + 'T09:00';
    // The weight basis starts at the protocol's: an order changes it, the page does not.
    this._f.weightBasis.value = '';
    ['protocol', 'concentration', 'pump-resolution'].forEach(function (a) {
      if (self.hasAttribute(a)) self._applyAttribute(a, self.getAttribute(a));
    });
    this._setWeightUnit(this._weightUnitAttribute(this.getAttribute('weight-unit')), false);
    this._protocolChanged();

    this._form.addEventListener('input', function (e) { self._onInput(e); });
    this._form.addEventListener('change', function (e) { self._onInput(e); });
    this._form.addEventListener('submit', function (e) { e.preventDefault(); });
    this._unit.addEventListener('change', function () { self._setWeightUnit(self._unit.value, true); self._compute(); });
    this._role.alerts = this._out.alerts;
    this._pkLib = KetaminePlanner.pkModels();
    var models = this._pkLib ? this._pkLib.models : [];
    this._role['pk-model'].innerHTML = models.map(function (m) {
      return '<option value="' + esc(m.id) + '">' + esc(m.name) + ' — ' + esc(m.population) + '</option>';
    }).join('');
    if (this._pkLib) this._role['pk-model'].value = this._pkLib.defaultModel;
    this._role['pk-refs'].innerHTML = this._pkLib ? this._pkLib.models.map(function (m) {
      return '<li><b>' + esc(m.name) + '</b> <span class="tag">' + esc(m.tag) + '</span> (' + esc(m.population) + ')<br>' + esc(m.source) + '</li>';
    }).concat((this._pkLib.bands || []).map(function (b) {
      return '<li><b>' + esc(b.label) + '</b> band <span class="tag">' + esc(b.tag) + '</span><br>' + esc(b.source) + '</li>';
    })).join('') : '';
    this._role['pk-model'].addEventListener('change', function () { self._schedulePk(); });
    this._role['pk-compare'].addEventListener('change', function () { self._schedulePk(); });
    this._out.alerts.addEventListener('change', function (e) { self._onAck(e); });
    this._role['conc-chips'].addEventListener('click', function (e) {
      var b = e.target.closest('button[data-value]');
      if (!b) return;
      self._f.concentrationMgPerMl.value = b.getAttribute('data-value');
      self._touched.add('concentrationMgPerMl');
      self._compute();
    });
    root.addEventListener('click', function (e) {
      var a = e.target.closest('[data-action]');
      if (!a) return;
      if (a.getAttribute('data-action') === 'print') self._print('sheet');
      if (a.getAttribute('data-action') === 'print-handout') self._print('handout');
      if (a.getAttribute('data-action') === 'ics') self._downloadIcs();
      if (a.getAttribute('data-action') === 'results') self._results.scrollIntoView({ block: 'start' });
    });
    this._built = true;
  }

  _onInput(e) {
    var t = e.target;
    if (t === this._unit) return;
    if (t.name) this._touched.add(t.name);
    if (t === this._f.protocol) { this._notes.protocol = ''; this._protocolChanged(); }
    if (t === this._f.doseUnit) this._clearDoses();
    this._compute();
  }

  _onAck(e) {
    var box = e.target;
    if (!box || box.name !== 'acknowledged') return;
    var li = box.closest('li');
    if (box.checked) this._acks.set(box.value, li ? li.getAttribute('data-message') : '');
    else this._acks.delete(box.value);
    this._compute();
  }

  _setWeightUnit(unit, userChange) {
    var input = this._f.weight, name = unit === 'lb' ? 'weightLb' : 'weightKg';
    this._unit.value = unit;
    if (input.name === name) return;
    // The number typed meant the other unit: clear it rather than reinterpret it.
    var had = input.value !== '';
    input.name = name;
    input.value = '';
    this._touched.delete('weightKg');
    this._touched.delete('weightLb');
    if (userChange) this._notes.weightKg = had ? 'Weight cleared after the unit change: enter it in ' + unit + '.' : '';
  }

  _protocolChanged() {
    var id = this._f.protocol.value;
    var p = null;
    for (var i = 0; i < this._lib.protocols.length; i++) if (this._lib.protocols[i].id === id) p = this._lib.protocols[i];
    var card = this._role['protocol-card'];
    if (!p) {
      card.innerHTML = '<p class="hint">Choose the protocol the prescriber ordered. Each shows its setting, source and evidence tag.</p>';
    } else {
      card.innerHTML = '<p class="p-name"><b>' + esc(p.name) + '</b> <span class="tag" title="' + esc(KP_TAGS[p.tag] || '') + '">' + esc(p.tag) + '</span></p>' +
        '<p class="p-meta">' + esc(p.drug) + ' · ' + esc(p.setting) + '</p>' +
        (p.summary ? '<p>' + esc(p.summary) + '</p>' : '') +
        (p.notes ? '<p class="p-notes">' + esc(p.notes) + '</p>' : '') +
        '<p class="p-source">Source: ' + esc(p.source) + '</p>' +
        (KP_TAGS[p.tag] ? '<p class="hint">Evidence tag ' + esc(p.tag) + ': ' + esc(KP_TAGS[p.tag]) + '.</p>' : '');
    }
    var basisNames = { auto: 'auto rule', total: 'total body weight', ideal: 'ideal body weight', adjusted: 'adjusted body weight' };
    this._f.weightBasis.options[0].textContent = p ? 'Per protocol (' + (basisNames[p.weightBasis] || p.weightBasis) + ')' : 'Per protocol';
    var custom = id === 'custom';
    this._role.custom.hidden = !custom;
    this._role.custom.disabled = !custom;
    // Standard concentrations of the protocol's drug.
    var drug = null, drugId = p ? p.drug : 'ketamine';
    for (var j = 0; j < this._lib.drugs.length; j++) if (this._lib.drugs[j].id === drugId) drug = this._lib.drugs[j];
    var std = drug ? (drug.standardConcentrationsMgPerMl || []) : [];
    if (this._stdKey !== drugId) {
      this._stdKey = drugId;
      // Raw values as the library lists them: they are inputs, not formatted results.
      this._role['conc-list'].innerHTML = std.map(function (c) { return '<option value="' + esc(c) + '">' + esc(c) + ' mg/mL (standard)</option>'; }).join('');
      this._role['conc-chips'].innerHTML = std.length ? '<span class="hint">Standard:</span> ' + std.map(function (c) {
        return '<button type="button" class="chip" data-value="' + esc(c) + '">' + esc(c) + ' mg/mL</button>';
      }).join('') : '';
    }
    this._doseUnitChanged();
  }

  /** A dose typed in one unit means nothing in another: clear it and say so. */
  _clearDoses() {
    var f = this._f, had = false;
    ['startDose', 'stepDose', 'maxDose'].forEach(function (n) { if (f[n].value !== '') had = true; f[n].value = ''; });
    this._notes.startDose = had ? 'Doses cleared after the unit change: enter them in ' + (f.doseUnit.value || 'mg/kg/h') + '.' : '';
    this._doseUnitChanged();
  }

  _doseUnitChanged() {
    var u = this._f.doseUnit.value || 'mg/kg/h';
    this._root.querySelectorAll('[data-role=dose-unit]').forEach(function (el) { el.textContent = u; });
  }

  _formValues() {
    var form = {}, f = this._f, custom = f.protocol.value === 'custom';
    for (var i = 0; i < KP_FORM_FIELDS.length; i++) {
      var n = KP_FORM_FIELDS[i];
      if (n === 'weightKg' || n === 'weightLb') continue;
      if (KP_CUSTOM_ONLY[n] && !custom) continue;
      if (f[n]) form[n] = f[n].value;
    }
    form[f.weight.name] = f.weight.value;
    form.frail = this._frail.checked;
    var cautions = [];
    this._form.querySelectorAll('input[name=cautions]:checked').forEach(function (c) { cautions.push(c.value); });
    form.cautions = cautions;
    form.acknowledged = Array.from(this._acks.keys());
    return form;
  }

  /** One engine call per edit; render in the same task. */
  _compute() {
    if (!this._built) return;
    var result;
    try {
      result = KetaminePlanner.planForm(this._formValues());
      // An acknowledgement holds only for the alert as it was worded when ticked,
      // and only while a valid plan still raises it.
      if (result && result.plan && this._acks.size) {
        var stale = false, seen = {}, self = this;
        result.plan.alerts.forEach(function (a) {
          seen[a.code] = 1;
          if (self._acks.has(a.code) && self._acks.get(a.code) !== a.message) { self._acks.delete(a.code); stale = true; }
        });
        this._acks.forEach(function (m, code) { if (!seen[code]) { self._acks.delete(code); stale = true; } });
        if (stale) result = KetaminePlanner.planForm(this._formValues());
      }
    } catch (err) {
      result = { fieldErrors: {}, error: { field: '', code: 'engine', message: 'The calculation engine failed: ' + (err && err.message ? err.message : err) + '. Reload the page.' }, plan: null };
      console.error(err);
    }
    this._request = result && result.plan ? result.request : null;
    this._render(result);
  }

  _render(result) {
    var errors = result.fieldErrors || {};
    var plan = (result.plan && !result.error && !Object.keys(errors).length) ? result.plan : null;
    var f = this._f, self = this;

    // Field messages. An empty field the user has not touched yet is a prompt,
    // not an error; it is listed in the status line instead.
    var missing = [];
    var shown = {};
    var formError = '';
    function place(name, message) {
      if (name && name.indexOf('.') > 0) name = name.slice(name.lastIndexOf('.') + 1);
      if (name === 'weightKg' || name === 'weightLb' || name === 'weight') name = f.weight.name;
      var el = name === f.weight.name ? f.weight : f[name];
      if (!el) { formError = message; return; }
      if (el.value === '' && !self._touched.has(name)) { missing.push(kpLabel(name)); return; }
      shown[name] = message;
    }
    Object.keys(errors).forEach(function (k) { place(k, errors[k]); });
    if (result.error) place(result.error.field || '', result.error.message);

    var names = KP_FORM_FIELDS;
    for (var i = 0; i < names.length; i++) {
      var n = names[i];
      if (n === 'weightLb') continue;
      var input = n === 'weightKg' ? f.weight : f[n];
      if (!input) continue;
      var key = n === 'weightKg' ? f.weight.name : n;
      var msgEl = this._root.getElementById(n === 'weightKg' ? 'e-weight' : 'e-' + n);
      var m = shown[key] || '';
      if (m) { input.setAttribute('aria-invalid', 'true'); setText(msgEl, m); msgEl.className = 'msg error'; }
      else {
        input.removeAttribute('aria-invalid');
        var note = (input.value === '' || n === 'protocol') && this._notes[n] || '';
        setText(msgEl, note); msgEl.className = note ? 'msg note' : 'msg';
      }
    }
    setText(this._role['form-error'], formError);

    this._plan = plan;
    this._renderPlan(plan, missing, Object.keys(shown).length > 0 || !!formError);
    if (plan || this._hadPlanEvent) {
      this._hadPlanEvent = !!plan;
      this.dispatchEvent(new CustomEvent('plan-change', { detail: plan, bubbles: true, composed: true }));
    }
  }

  _renderPlan(plan, missing, invalid) {
    var o = this._out, r = this._role;
    var status = o.confirmed;
    this._results.setAttribute('data-state', plan ? 'valid' : (invalid ? 'invalid' : 'empty'));
    this._renderPrint(plan);
    this._renderHandout();
    this._renderMini(plan, invalid);
    if (!plan) {
      // Nothing the inputs no longer support stays on screen.
      ['mlPerHour', 'dose', 'mgPerHour', 'mgPerKgPerHour', 'dosingWeightKg', 'totalKg', 'idealKg', 'adjustedKg', 'weightBasisReason', 'provenance',
        'sessionTotalMg', 'sessionMl', 'courseTotalMg', 'courseMl', 'courseMgAtMax', 'courseMlAtMax', 'course', 'preparation',
        'premedication', 'monitoring'].forEach(function (k) { setText(o[k], ''); });
      o.mlPerHour.classList.remove('none');
      [o.totalKg, o.idealKg, o.adjustedKg].forEach(function (c) { c.classList.remove('used'); });
      setText(o.alerts, '');
      setHtml(r.ladder, '');
      setText(r['cap-note'], '');
      setText(r['pump-label'], 'Pump rate');
      this._renderExtensions(null);
      status.setAttribute('data-state', invalid ? 'invalid' : 'empty');
      setText(status, invalid ? 'No values shown: correct the field marked in red.'
        : (missing.length ? 'To calculate, enter: ' + missing.join(', ') + '.' : 'No values to show.'));
      return;
    }

    var levels = plan.levels || [];
    var first = levels[0] || null;
    var t = first ? first.text || {} : {};
    setText(r['pump-label'], levels.length > 1 ? 'Start rate: level 1 of ' + levels.length : 'Pump rate');
    var rate = !!(first && first.mlPerHour != null && t.mlPerHour);
    setText(o.mlPerHour, rate ? t.mlPerHour : 'No rate: refused by a hard limit');
    o.mlPerHour.classList.toggle('none', !rate);
    setText(o.dose, t.dose || '');
    setText(o.mgPerHour, rate ? (t.mgPerHour || '') : '');
    setText(o.mgPerKgPerHour, rate ? (t.mgPerKgPerHour || '') : '');
    setText(r['cap-note'], !rate ? (first && first.refused ? first.refused : '') : first.capped ? (first.capNote || 'Capped at the protocol maximum.') : '');

    setText(o.dosingWeightKg, txt(plan, 'dosingWeightKg'));
    setText(o.totalKg, txt(plan, 'totalKg'));
    setText(o.idealKg, txt(plan, 'idealKg'));
    setText(o.adjustedKg, txt(plan, 'adjustedKg'));
    var basisCell = { total: o.totalKg, ideal: o.idealKg, adjusted: o.adjustedKg }[plan.weightBasis];
    [o.totalKg, o.idealKg, o.adjustedKg].forEach(function (c) { c.classList.toggle('used', c === basisCell); });
    setText(o.weightBasisReason, plan.weightBasisReason || '');
    // Where each value that decides the rate came from (ordered, protocol, derived, default).
    setText(o.provenance, (plan.provenance || []).map(function (v) { return v.text; }).join(' · '));

    // Ladder.
    var rows = '';
    for (var i = 0; i < levels.length; i++) {
      var l = levels[i], lt = l.text || {}, hard = l.mlPerHour == null;
      rows += '<tr' + (hard ? ' class="hard"' : '') + '><th scope="row">' + (i + 1) + '</th>' +
        '<td class="ml">' + (hard ? 'no rate' : esc(lt.mlPerHour)) + '</td><td>' + esc(lt.dose) + '</td>' +
        '<td>' + (hard ? '' : esc(lt.mgPerHour)) + '</td><td>' + (hard ? '' : esc(lt.mgPerKgPerHour)) + '</td>' +
        '<td class="wrap">' + esc(hard ? 'refused: hard limit' : l.capped ? (l.capNote || 'capped') : '') + '</td></tr>';
    }
    setHtml(r.ladder, rows);

    var tt = plan.totals || {};
    setText(o.sessionTotalMg, txt(tt, 'sessionMg'));
    // The volume line only when it says something the mg line does not (a refused rate gives one reason for both).
    setText(o.sessionMl, txt(tt, 'sessionMl') !== txt(tt, 'sessionMg') ? txt(tt, 'sessionMl') : '');
    setText(o.courseTotalMg, txt(tt, 'courseMg'));
    setText(o.courseMl, txt(tt, 'courseMl') !== txt(tt, 'courseMg') ? txt(tt, 'courseMl') : '');
    setText(o.courseMgAtMax, levels.length > 1 ? txt(tt, 'courseMgAtMax') : '');
    setText(o.courseMlAtMax, levels.length > 1 && txt(tt, 'courseMlAtMax') !== txt(tt, 'courseMgAtMax') ? txt(tt, 'courseMlAtMax') : '');
    r['at-max'].hidden = levels.length < 2;
    var pt = plan.text || {};
    setText(o.course, [pt.sessionDuration ? 'Session ' + pt.sessionDuration : '', pt.sessions ? pt.sessions : '',
      plan.schedule ? 'schedule: ' + plan.schedule : '', pt.observation ? 'observation after infusion ' + pt.observation : ''].filter(Boolean).join(' · '));

    setText(o.preparation, plan.preparation ? (typeof plan.preparation.text === 'string' ? plan.preparation.text : '')
      : (plan.preparationRefused || 'No preparation recipe for this concentration.'));
    o.preparation.classList.toggle('refused', !plan.preparation);
    var pr = plan.protocol || {};
    setText(o.premedication, pr.premedication ? 'Premedication: ' + pr.premedication : 'Premedication: none in this protocol.');
    setText(o.monitoring, pr.monitoring ? 'Monitoring: ' + pr.monitoring : '');

    this._renderAlerts(plan.alerts || []);
    this._renderExtensions(plan);

    var hard = 0, open = 0;
    (plan.alerts || []).forEach(function (a) { if (a.level === 'hard') hard++; else if (a.level === 'soft' && !a.acknowledged) open++; });
    status.setAttribute('data-state', plan.confirmed ? 'true' : 'false');
    var soft = (plan.alerts || []).filter(function (a) { return a.level === 'soft'; }).length;
    setText(status, plan.confirmed ? (soft ? 'Confirmed: every alert acknowledged. Verify every value before use.' : 'Confirmed: no alert to acknowledge. Verify every value before use.')
      : hard ? 'Not usable: ' + hard + (hard === 1 ? ' hard limit' : ' hard limits') + ' (see alerts).'
      : 'Unconfirmed: ' + open + (open === 1 ? ' alert needs' : ' alerts need') + ' acknowledgement.');
  }

  /** The compact bar that keeps the pump rate in view on a phone while the
   * inputs are edited (a copy for sight only; the results are the record). */
  _renderMini(plan, invalid) {
    var r = this._role, first = plan && plan.levels && plan.levels[0];
    var rate = first && first.mlPerHour != null && first.text ? first.text.mlPerHour : '';
    setText(r['mini-rate'], plan ? (rate || 'No rate') : '—');
    setText(r['mini-status'], !plan ? (invalid ? 'fix the marked field' : 'enter the inputs') : plan.confirmed ? 'confirmed' : 'unconfirmed');
    r.mini.setAttribute('data-state', !plan ? (invalid ? 'invalid' : 'empty') : plan.confirmed ? 'true' : 'false');
  }

  _renderAlerts(alerts) {
    var ul = this._out.alerts, byCode = {};
    var sorted = alerts.slice().sort(function (a, b) { return KP_LEVEL_ORDER[a.level] - KP_LEVEL_ORDER[b.level]; });
    Array.prototype.forEach.call(ul.children, function (li) { byCode[li.getAttribute('data-code')] = li; });
    var keep = {};
    for (var i = 0; i < sorted.length; i++) {
      var a = sorted[i], li = byCode[a.code];
      if (!li) {
        li = document.createElement('li');
        li.setAttribute('data-code', a.code);
        setHtml(li, '<span class="lvl"></span><p class="text"></p>');
      }
      keep[a.code] = 1;
      li.className = 'alert ' + a.level + (a.acknowledged ? ' acked' : '');
      li.setAttribute('data-level', a.level);
      li.setAttribute('data-message', a.message);
      setText(li.querySelector('.lvl'), a.level === 'soft' && a.acknowledged ? 'Acknowledged' : (KP_LEVEL_LABEL[a.level] || a.level));
      setText(li.querySelector('.text'), a.message);
      var ack = li.querySelector('.ack');
      if (a.level === 'soft') {
        if (!ack) {
          ack = document.createElement('label');
          ack.className = 'ack';
          setHtml(ack, '<input type="checkbox" name="acknowledged"> <span>I acknowledge this alert</span>');
          li.appendChild(ack);
        }
        var box = ack.querySelector('input');
        box.value = a.code;
        box.checked = !!a.acknowledged;
      } else if (ack) ack.remove();
      if (ul.children[i] !== li) ul.insertBefore(li, ul.children[i] || null);
    }
    Object.keys(byCode).forEach(function (c) { if (!keep[c]) byCode[c].remove(); });
    if (!sorted.length && ul.firstChild) ul.textContent = '';
  }

  /* The course: the timeline SVG the core draws, the dated sessions with their
   * planned and cumulative mg, boosters and follow-up windows, and the .ics
   * made by the core from the request. */
  _renderExtensions(plan) {
    var r = this._role;
    kpSetSvg(r['timeline-svg'], plan ? plan.timelineSvg : '', this, '_timelineSvg');
    var sessions = plan && Array.isArray(plan.sessions) ? plan.sessions : [];
    var html = '';
    for (var i = 0; i < sessions.length; i++) {
      var s = sessions[i], st = s.text || {}, day = kpSplit(s.start)[0];
      // A refused rate: the core's reason once, in place of the two doses.
      var planned = st.plannedMg || '', cumulative = st.cumulativeMg || '';
      html += '<tr class="session"><th scope="row">' + esc(s.index) + '</th>' +
        '<td data-label="Date"><span class="wd">' + esc(s.weekday || '') + '</span> ' + esc(day) + '</td>' +
        '<td data-label="Arrival">' + esc(kpAt(s.arrival, day)) + '</td>' +
        '<td data-label="Infusion">' + esc(kpSplit(s.start)[1]) + ' to ' + esc(kpAt(s.end, day)) + '</td>' +
        '<td data-label="Earliest discharge">' + esc(kpAt(s.dischargeEarliest, day)) + '</td>' +
        (s.plannedMg == null ? '<td class="num refused" colspan="2" data-label="Dose">' + esc(planned) + '</td>'
          : '<td class="num" data-label="Planned">' + esc(planned) + '</td><td class="num" data-label="Cumulative">' + esc(cumulative) + '</td>') + '</tr>';
    }
    setHtml(r.calendar, html);
    r['calendar-table'].hidden = !sessions.length;
    html = '';
    var boosters = plan && Array.isArray(plan.boosters) ? plan.boosters : [];
    for (var b = 0; b < boosters.length; b++) {
      html += '<li class="booster">' + esc(boosters[b].date) + ' · ' + esc(boosters[b].label) + ' <span class="tag">' + esc(boosters[b].tag) + '</span></li>';
    }
    var follow = plan && Array.isArray(plan.followUp) ? plan.followUp : [];
    for (var k = 0; k < follow.length; k++) {
      var w = follow[k];
      html += '<li class="window">' + esc(KP_FOLLOW[w.kind] || String(w.kind).replace(/_/g, ' ')) + ': ' + esc(w.from) +
        (w.to && w.to !== w.from ? ' to ' + esc(w.to) : '') + ' · ' + esc(w.source) + ' <span class="tag">' + esc(w.tag) + '</span></li>';
    }
    setHtml(r['calendar-notes'], html);
    var summary = '';
    if (sessions.length) {
      var first = kpSplit(sessions[0].start)[0], lastDay = kpSplit(sessions[sessions.length - 1].end)[0];
      var kind = KP_SCHEDULE[plan.schedule];
      summary = (plan.text && plan.text.sessions ? plan.text.sessions : '') + (kind ? ' (' + kind + ')' : '') + ': ' + first + (lastDay !== first ? ' to ' + lastDay : '');
    }
    setText(r['cal-summary'], summary);
    var has = !!(plan && (plan.timelineSvg || sessions.length));
    r['timeline-empty'].hidden = has;
    this._root.querySelector('[data-action=ics]').hidden = !(plan && sessions.length && this._request);
    this._schedulePk();
  }

  /* The concentration preview costs tens of ms for a long course, so it runs
   * after typing pauses, never in the keystroke. A plot or figure the current
   * inputs no longer support is removed in the same update as the edit. */
  _schedulePk() {
    var r = this._role, self = this;
    var key = this._request && this._plan ? JSON.stringify([this._request.protocol, this._request.patient, this._request.weightBasis,
      this._request.concentrationMgPerMl, this._request.pumpResolutionMlPerHour, this._request.dose, this._request.start,
      r['pk-model'].value, r['pk-compare'].checked]) : '';
    if (key === this._pkKey) return;
    this._pkKey = key;
    clearTimeout(this._pkTimer);
    this._pkTimer = 0;
    kpSetSvg(r['pk-svg'], '', this, '_pkSvg');
    setHtml(r['pk-figures'], '');
    setHtml(r['pk-notes'], '');
    setText(r['pk-caption'], key ? 'Calculating the preview…' : 'The preview appears with a valid plan.');
    if (!key) return;
    this._pkTimer = setTimeout(function () { self._pkTimer = 0; self._runPk(key); }, 150);
  }

  _runPk(key) {
    var r = this._role;
    if (key !== this._pkKey || !this._request) return;
    var model = r['pk-model'].value, compare = [];
    if (r['pk-compare'].checked && this._pkLib) {
      this._pkLib.models.forEach(function (m) { if (m.id !== model && m.ageYears && m.ageYears.min >= 18) compare.push(m.id); });
    }
    var sim;
    try {
      sim = KetaminePlanner.simulate(this._request, { model: model || undefined, compare: compare });
    } catch (e) {
      kpSetSvg(r['pk-svg'], '', this, '_pkSvg');
      setHtml(r['pk-figures'], '');
      setHtml(r['pk-notes'], '');
      setText(r['pk-caption'], 'No preview: ' + (e && e.message ? e.message : e));
      return;
    }
    kpSetSvg(r['pk-svg'], sim.svg, this, '_pkSvg');
    var m = sim.model || {};
    setText(r['pk-caption'], 'Model: ' + (m.name || model) + ' (' + (m.population || '') + '; ' + (m.source || '') + ', ' + (m.tag || '') + ').');
    setHtml(r['pk-figures'], kpPkFigures(sim.text || {}));
    setHtml(r['pk-notes'], (sim.notes || []).concat(sim.alerts || []).map(function (a) {
      return '<li class="' + esc(a.level || 'info') + '" data-code="' + esc(a.code || '') + '">' + esc(a.message) + '</li>';
    }).join(''));
  }

  /** Before printing nothing may wait for a timer or a frame: the preview of
   * the current plan and both drawings are made now. */
  _flushForPrint() {
    if (this._pkTimer) { clearTimeout(this._pkTimer); this._pkTimer = 0; this._runPk(this._pkKey); }
    kpFlushSvg(this._role['timeline-svg'], this, '_timelineSvg');
    kpFlushSvg(this._role['pk-svg'], this, '_pkSvg');
    if (this._printMode === 'handout') this._renderHandout();
  }

  /** "sheet" (the bedside sheet, also what the browser's own print command
   * gives) or "handout" (the patient handout instead of everything else). */
  _print(mode) {
    this._setPrintMode(mode);
    this._flushForPrint();
    window.print();
    // The mode goes back to "sheet" on afterprint (print() may return before
    // the dialog closes in some browsers).
  }

  _setPrintMode(mode) {
    this._printMode = mode === 'handout' ? 'handout' : 'sheet';
    this._container.setAttribute('data-print', this._printMode);
    this._renderHandout();
  }

  _renderHandout() {
    var r = this._role;
    if (this._printMode !== 'handout') { setHtml(r.handout, ''); return; }
    var plan = this._plan;
    setHtml(r.handout, kpHandout(plan, 'Printed ' + nowStamp() + ' · Ketamine Infusion Planner ' + this._version +
      ' · ' + (plan ? (plan.confirmed ? 'plan confirmed' : 'PLAN UNCONFIRMED') : 'NO VALID PLAN')));
  }

  _renderPrint(plan) {
    var r = this._role, f = this._f;
    var rows = [];
    var p = f.protocol.selectedOptions[0];
    rows.push(['Protocol', p && p.value ? p.textContent : '']);
    rows.push(['Weight entered', f.weight.value ? f.weight.value + ' ' + this._unit.value : '']);
    rows.push(['Height', f.heightCm.value ? f.heightCm.value + ' cm' : '']);
    rows.push(['Sex', f.sex.value]);
    rows.push(['Age', (f.ageYears.value ? f.ageYears.value + ' years' : '') + (this._frail.checked ? ' (frail)' : '')]);
    rows.push(['Weight basis', plan ? (plan.weightBasisReason || plan.weightBasis) : f.weightBasis.selectedOptions[0].textContent]);
    rows.push(['Concentration', plan ? txt(plan, 'concentration') : f.concentrationMgPerMl.value ? f.concentrationMgPerMl.value + ' mg/mL' : '']);
    rows.push(['First session', f.start.value.replace('T', ' ')]);
    var ticked = [];
    this._form.querySelectorAll('input[name=cautions]:checked').forEach(function (c) { ticked.push(c.parentNode.textContent.trim()); });
    rows.push(['Cautions ticked', ticked.join('; ') || 'none']);
    setHtml(r['inputs-summary'], rows.map(function (row) {
      return '<div><dt>' + esc(row[0]) + '</dt><dd>' + esc(row[1] || '—') + '</dd></div>';
    }).join(''));
    setText(r.printed, 'Printed ' + nowStamp() + ' · Ketamine Infusion Planner ' + this._version + ' · protocol library ' + this._lib.version +
      ' · ' + (plan ? (plan.confirmed ? 'plan confirmed' : 'PLAN UNCONFIRMED') : 'NO VALID PLAN') + ' · calculation aid, verify every value.');
  }

  _downloadIcs() {
    // The core writes the calendar for the current request; the file is built
    // in the page and saved locally: nothing is sent anywhere.
    if (!this._plan || !this._request) return;
    // DTSTAMP in UTC, from the page's clock (the core never reads one).
    var text = KetaminePlanner.ics(this._request, new Date().toISOString().slice(0, 16));
    var a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: 'text/calendar' }));
    a.download = 'ketamine-sessions.ics';
    this._root.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  }
}

/* -------------------------------------------------------------- register -- */

if (!window.KetaminePlanner) window.KetaminePlanner = KetaminePlanner;
if (window.customElements && !customElements.get('ketamine-planner')) customElements.define('ketamine-planner', KPElement);
