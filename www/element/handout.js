/* The patient handout: plain language, and only what clinical-spec section 6
 * says: the day's times from the plan, the discharge conditions, the dates.
 * No doses, no pump rates: a handout, not an order. Its sentences are in
 * data/element-text.json (handout). */
import { html } from './html.js';
import { TEXT, say, splitDateTime, timeOn } from './text.js';

const W = TEXT.handout;

export function handoutMarkup(plan, printedLine) {
  const sessions = plan && Array.isArray(plan.sessions) ? plan.sessions : [];
  if (!sessions.length) return html`<h1>${W.noneTitle}</h1><p class="h-none">${W.none}</p>`;
  const drug = plan.protocol && plan.protocol.drug === 'esketamine' ? 'esketamine' : 'ketamine';
  const s0 = sessions[0];
  const day0 = splitDateTime(s0.start)[0];
  const last = sessions[sessions.length - 1];
  const pt = plan.text || {};
  // The core's plain-language date ("Monday 7 December 2026"): no ISO dates on a patient's page.
  const when = (s) => (s.text && s.text.date) || splitDateTime(s.start)[0];

  // The first day, from its events.
  const steps = [];
  const changes = [];
  const liver = [];
  let bag = false;
  for (const e of s0.events || []) {
    const at = timeOn(e.at, day0);
    if (e.kind === 'arrival') steps.push([at, W.arrival]);
    else if (e.kind === 'premedication') steps.push([at, W.premedication]);
    else if (e.kind === 'infusion_start') steps.push([at, say('handout.start', { drug })]);
    else if (e.kind === 'rate_change') changes.push(at);
    else if (e.kind === 'bag_change') bag = true;
    else if (e.kind === 'liver_test') liver.push(at);
    else if (e.kind === 'infusion_end') {
      if (changes.length) steps.push([changes[0] + (changes.length > 1 ? ' to ' + changes[changes.length - 1] : ''), say('handout.changes', { times: changes.join(', ') })]);
      if (bag) steps.push(['', W.bag]);
      if (liver.length) steps.push(['', say('handout.liver', { times: liver.join(', ') })]);
      steps.push([at, say('handout.end', { observation: pt.observation ? say('handout.endObservation', { observation: pt.observation }) : '' })]);
    } else if (e.kind === 'discharge_earliest') steps.push([at, W.discharge]);
  }
  const endDay = splitDateTime(s0.dischargeEarliest)[0];
  const dayTitle = endDay !== day0 ? say('handout.dayRange', { from: when(s0), to: s0.text.dischargeDate })
    : say(sessions.length > 1 ? 'handout.firstDay' : 'handout.oneDay', { date: when(s0) });

  // Every day at the same times (the usual course): the times once, then the dates; otherwise a row a session.
  const times = (s) => {
    const d = splitDateTime(s.start)[0];
    return [timeOn(s.arrival, d), splitDateTime(s.start)[1] + ' to ' + timeOn(s.end, d), timeOn(s.dischargeEarliest, d)];
  };
  const t0 = times(s0);
  const same = sessions.length > 1 && sessions.every((s) => times(s).join('|') === t0.join('|'));
  const dates = same
    ? html`<h2>${W.dates}</h2><p class="h-each">${say('handout.each', { arrive: t0[0], drip: t0[1], home: t0[2] })}</p>
<ol class="h-datelist">${sessions.map((s) => html`<li>${when(s)}</li>`)}</ol>`
    : sessions.length > 1
      ? html`<h2>${W.dates}</h2><table class="h-dates"><thead><tr><th scope="col">${W.day}</th><th scope="col">${W.arrive}</th><th scope="col">${W.drip}</th><th scope="col">${W.homeAt}</th></tr></thead>
<tbody>${sessions.map((s) => { const t = times(s); return html`<tr><td>${when(s)}</td><td>${t[0]}</td><td>${t[1]}</td><td>${t[2]}</td></tr>`; })}</tbody></table>`
      : '';

  const boosters = Array.isArray(plan.boosters) ? plan.boosters : [];
  return html`<h1>${say('handout.title', { drug })}</h1><p class="h-name">${W.name} <span class="blank"></span></p>
${sessions.length > 1 ? html`<p class="h-lead">${say('handout.lead', { sessions: pt.sessions || '', from: when(s0), to: when(last) })}</p>` : ''}
<h2>${dayTitle}</h2><ol class="h-day">${steps.map(([at, what]) => html`<li><span class="h-at"><span class="nw">${at}</span></span><span>${what}</span></li>`)}</ol>
<h2>${W.home}</h2><ul class="h-rules"><li><b>${W.homeAdult.bold}</b> ${W.homeAdult.text}</li>
<li><b>${pt.noDriving || ''}</b> ${W.homeDriving.text}</li><li>${W.homeEffects}</li></ul>
${dates}
<h2>${W.after}</h2><ul class="h-after">${(Array.isArray(plan.followUp) ? plan.followUp : []).map((w) => html`<li><b>${W.follow[w.kind] || W.follow.other}:</b> ${w.text}</li>`)}${
  boosters.length ? html`<li><b>${W.boosters}</b><ol class="h-boosters">${boosters.map((b) => html`<li>${b.dateText}</li>`)}</ol></li>` : ''}
<li class="h-fill"><b>${W.next}</b> <span class="blank"></span></li><li class="h-fill"><b>${W.phone}</b> <span class="blank"></span></li></ul>
<p class="h-printed">${printedLine}</p>`;
}
