/* The course: the session timeline the core draws, the dated sessions with
 * their planned and cumulative mg, boosters and follow-up windows, and the
 * .ics file the core writes from the request. */
import { html, render, saveFile, setText, SvgSlot } from './html.js';
import { TEXT, say, splitDateTime, timeOn } from './text.js';

const C = TEXT.course;

export function courseMarkup() {
  return html`<div class="card ext" data-ext="timeline"><h3 id="kp-course-title">${TEXT.headings.course}</h3>
<div class="slot scroll" data-role="timeline-svg" tabindex="0" role="region" aria-label="${C.chart}"></div>
<p class="cal-summary" data-role="cal-summary"></p>
<div class="scroll" tabindex="0" role="region" aria-labelledby="kp-course-title" data-role="calendar-wrap" hidden><table class="calendar"><thead><tr><th scope="col">${C.session}</th><th scope="col">${C.date}</th><th scope="col">${C.arrival}</th>
<th scope="col">${C.infusion}</th><th scope="col">${C.discharge}</th><th scope="col" class="num">${C.planned}</th><th scope="col" class="num">${C.cumulative}</th></tr></thead>
<tbody data-role="calendar"></tbody></table></div>
<ul class="calendar-notes" data-role="calendar-notes"></ul><p class="booster" data-role="booster-due" hidden></p>
<p class="hint" data-role="timeline-empty">${C.empty}</p>
<button type="button" data-action="ics" hidden>${TEXT.actions.ics}</button></div>`;
}

export class Course {
  attach(root) {
    const q = (r) => root.querySelector('[data-role=' + r + ']');
    this.timeline = new SvgSlot(q('timeline-svg'));
    this.calendar = q('calendar');
    this.wrap = q('calendar-wrap');
    this.notes = q('calendar-notes');
    this.summary = q('cal-summary');
    this.empty = q('timeline-empty');
    this.icsButton = root.querySelector('[data-action=ics]');
    this.boosterDue = q('booster-due');
  }

  /** The booster window the course record's review gives (its basis said), or none. */
  showBoosterDue(due) {
    setText(this.boosterDue, due ? say('course.boosterDue', { from: due.from, to: due.to, basis: due.text }) : '');
    this.boosterDue.hidden = !due;
  }

  show(plan, canExport) {
    this.timeline.set(plan ? plan.timelineSvg : '');
    const sessions = plan && Array.isArray(plan.sessions) ? plan.sessions : [];
    render(this.calendar, html`${sessions.map((s) => {
      const st = s.text || {};
      const day = splitDateTime(s.start)[0];
      return html`<tr class="session"><th scope="row" data-label="${C.session}">${s.index}</th>
<td><span class="wd">${s.weekday || ''}</span> ${day}</td>
<td data-label="${C.arrival}">${timeOn(s.arrival, day)}</td>
<td data-label="${C.infusion}">${say('course.to', { from: splitDateTime(s.start)[1], to: timeOn(s.end, day) })}</td>
<td data-label="${C.discharge}">${timeOn(s.dischargeEarliest, day)}</td>${s.plannedMg == null
  // A refused rate: the core's reason once, in place of the two doses.
  ? html`<td class="num refused" colspan="2">${st.plannedMg || ''}</td>`
  : html`<td class="num" data-label="${C.planned}">${st.plannedMg || ''}</td><td class="num" data-label="${C.cumulative}">${st.cumulativeMg || ''}</td>`}</tr>`;
    })}`);
    this.wrap.hidden = !sessions.length;
    const boosters = plan && Array.isArray(plan.boosters) ? plan.boosters : [];
    const follow = plan && Array.isArray(plan.followUp) ? plan.followUp : [];
    render(this.notes, html`${boosters.map((b) => html`<li class="booster">${b.date} · ${b.label} <span class="tag">${b.tag}</span></li>`)}${
      follow.map((w) => html`<li class="window">${C.follow[w.kind] || String(w.kind).replace(/_/g, ' ')}: ${w.from}${
        w.to && w.to !== w.from ? ' to ' + w.to : ''} · ${w.source} <span class="tag">${w.tag}</span></li>`)}`);
    let summary = '';
    if (sessions.length) {
      const first = splitDateTime(sessions[0].start)[0];
      const last = splitDateTime(sessions[sessions.length - 1].end)[0];
      const kind = C.schedule[plan.schedule];
      summary = ((plan.text && plan.text.sessions) || '') + (kind ? ' (' + kind + ')' : '') + ': ' + first + (last !== first ? ' to ' + last : '');
    }
    setText(this.summary, summary);
    this.empty.hidden = !!(plan && (plan.timelineSvg || sessions.length));
    this.icsButton.hidden = !(plan && sessions.length && canExport);
  }

  flush() { this.timeline.flush(); }
}

/** Saves the core's calendar of `request` as a file: built in the page, sent nowhere. */
export function downloadIcs(engine, request, parent) {
  // DTSTAMP in UTC, from the page's clock (the core never reads one).
  const text = engine.ics(request, new Date().toISOString().slice(0, 16));
  saveFile(parent, 'ketamine-sessions.ics', 'text/calendar', text);
}
