//! SVG of one session. Pure string building; grey fills plus text labels so it
//! reads in black-and-white print; every caller string is XML-escaped.

use super::{format_ml, EventKind, RateChange, SessionTimeline};
use crate::calendar::LocalDateTime;

const SVG_W: f64 = 800.0;
const PLOT_X0: f64 = 70.0;
const PLOT_X1: f64 = 780.0;
const RATE_TOP: f64 = 78.0;
const RATE_BOTTOM: f64 = 160.0;

pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if c.is_control() && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn hhmm(t: LocalDateTime) -> String {
    let (h, m) = t.hm();
    format!("{h:02}:{m:02}")
}

/// Axis tick step: the smallest clock-aligned step giving at most 10 ticks.
fn tick_step(span: i64) -> i64 {
    [15, 30, 60, 120, 180, 240, 360, 720, 1440, 2880, 10_080]
        .into_iter()
        .find(|step| span / step <= 10)
        .unwrap_or(10_080)
}

/// One session as an SVG image: phase bands, the rate step line in mL/h,
/// vital-sign ticks and a wall-clock axis. Rate labels narrower than their
/// step are left out (the event list carries every rate). Never panics,
/// whatever the rates hold: non-finite or negative rates draw as "no rate".
pub fn svg_session(session: &SessionTimeline, rate_changes: &[RateChange]) -> String {
    let arrival = session.arrival.min(session.start);
    let span = arrival.minutes_until(session.discharge_earliest).max(1);
    let x = |t: LocalDateTime| -> f64 {
        let m = arrival.minutes_until(t).clamp(0, span) as f64;
        PLOT_X0 + m / span as f64 * (PLOT_X1 - PLOT_X0)
    };
    let title = format!(
        "Session {}: arrival {}, infusion {} to {}, earliest discharge {}",
        session.index, session.arrival, session.start, session.end, session.discharge_earliest
    );
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {SVG_W} 230\" role=\"img\" font-family=\"sans-serif\" font-size=\"11\"><title>{}</title>",
        xml_escape(&title),
        SVG_W = SVG_W
    );
    svg_bands(&mut s, session, &x);
    svg_rates(&mut s, session, rate_changes, &x);
    s.push_str(&format!(
        "<text x=\"{:.1}\" y=\"178\" text-anchor=\"end\">Vitals</text>",
        PLOT_X0 - 6.0
    ));
    for e in session
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Vitals)
    {
        s.push_str(&format!(
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"168\" y2=\"180\" stroke=\"#000\"/>",
            x(e.at)
        ));
    }
    svg_axis(&mut s, arrival, span, &x);
    s.push_str("</svg>");
    s
}

fn svg_bands(s: &mut String, session: &SessionTimeline, x: &dyn Fn(LocalDateTime) -> f64) {
    let bands = [
        (
            session.arrival,
            session.start,
            "#e8e8e8",
            "Pre-infusion",
            "Pre",
        ),
        (session.start, session.end, "#b0b0b0", "Infusion", "Inf."),
        (
            session.end,
            session.discharge_earliest,
            "#ffffff",
            "Observation",
            "Obs.",
        ),
    ];
    for (from, to, fill, name, short) in bands {
        let (x0, x1) = (x(from), x(to));
        s.push_str(&format!(
            "<rect x=\"{x0:.1}\" y=\"30\" width=\"{:.1}\" height=\"24\" fill=\"{fill}\" stroke=\"#000\"><title>{name}</title></rect>",
            (x1 - x0).max(0.0),
            x0 = x0
        ));
        let label = if x1 - x0 >= 80.0 {
            name
        } else if x1 - x0 >= 30.0 {
            short
        } else {
            ""
        };
        if !label.is_empty() {
            s.push_str(&format!(
                "<text x=\"{:.1}\" y=\"46\" text-anchor=\"middle\">{label}</text>",
                (x0 + x1) / 2.0
            ));
        }
    }
    // Wall-clock times of the phase boundaries, infusion start and end first;
    // a label that would collide with one already drawn is left out. Over
    // several days each carries its date.
    let dated = session.arrival.date() != session.discharge_earliest.date();
    let width = if dated { 90.0 } else { 36.0 };
    let mut drawn: Vec<f64> = Vec::new();
    for t in [
        session.start,
        session.end,
        session.arrival,
        session.discharge_earliest,
    ] {
        let xt = x(t);
        if drawn.iter().all(|d| (d - xt).abs() >= width) {
            let text = if dated {
                format!("{} {}", t.date(), hhmm(t))
            } else {
                hhmm(t)
            };
            let anchor = if xt + width / 2.0 > SVG_W {
                "end"
            } else {
                "middle"
            };
            s.push_str(&format!(
                "<text x=\"{xt:.1}\" y=\"24\" text-anchor=\"{anchor}\">{text}</text>",
                xt = xt
            ));
            drawn.push(xt);
        }
    }
}

fn svg_rates(
    s: &mut String,
    session: &SessionTimeline,
    rates: &[RateChange],
    x: &dyn Fn(LocalDateTime) -> f64,
) {
    let usable = |r: &RateChange| r.ml_per_hour.filter(|v| v.is_finite() && *v >= 0.0);
    let max = rates.iter().filter_map(usable).fold(0.0_f64, f64::max);
    let max = if max > 0.0 { max } else { 1.0 };
    let y = |v: f64| RATE_BOTTOM - v / max * (RATE_BOTTOM - RATE_TOP);
    s.push_str(&format!(
        "<line x1=\"{PLOT_X0}\" x2=\"{PLOT_X0}\" y1=\"{RATE_TOP}\" y2=\"{RATE_BOTTOM}\" stroke=\"#000\"/><text x=\"{:.1}\" y=\"{RATE_TOP}\" text-anchor=\"end\">{} mL/h</text><text x=\"{:.1}\" y=\"{RATE_BOTTOM}\" text-anchor=\"end\">0</text>",
        PLOT_X0 - 6.0, format_ml(max), PLOT_X0 - 6.0,
        PLOT_X0 = PLOT_X0, RATE_TOP = RATE_TOP, RATE_BOTTOM = RATE_BOTTOM
    ));
    let mut path = String::new();
    let mut previous_y: Option<f64> = None;
    for (i, step) in rates.iter().enumerate() {
        let from = session
            .start
            .checked_add_minutes(i64::from(step.at_minute))
            .unwrap_or(session.end)
            .min(session.end);
        let next = rates.get(i + 1).map(|n| i64::from(n.at_minute));
        let to = next
            .and_then(|m| session.start.checked_add_minutes(m))
            .unwrap_or(session.end)
            .clamp(from, session.end);
        let (x0, x1) = (x(from), x(to));
        match usable(step) {
            Some(v) => {
                let yv = y(v);
                match previous_y {
                    Some(_) => path.push_str(&format!(
                        " L{x0:.1},{yv:.1} L{x1:.1},{yv:.1}",
                        x0 = x0,
                        x1 = x1,
                        yv = yv
                    )),
                    None => path.push_str(&format!(
                        " M{x0:.1},{yv:.1} L{x1:.1},{yv:.1}",
                        x0 = x0,
                        x1 = x1,
                        yv = yv
                    )),
                }
                previous_y = Some(yv);
                if x1 - x0 >= 44.0 {
                    s.push_str(&format!(
                        "<text x=\"{:.1}\" y=\"{:.1}\">{} mL/h</text>",
                        x0 + 3.0,
                        yv - 4.0,
                        format_ml(v)
                    ));
                }
            }
            None => {
                previous_y = None;
                s.push_str(&format!(
                    "<line x1=\"{x0:.1}\" x2=\"{x1:.1}\" y1=\"{RATE_BOTTOM}\" y2=\"{RATE_BOTTOM}\" stroke=\"#000\" stroke-dasharray=\"4 3\"/>",
                    x0 = x0, x1 = x1, RATE_BOTTOM = RATE_BOTTOM
                ));
                if x1 - x0 >= 44.0 {
                    s.push_str(&format!(
                        "<text x=\"{:.1}\" y=\"{:.1}\">no rate</text>",
                        x0 + 3.0,
                        RATE_BOTTOM - 4.0
                    ));
                }
            }
        }
    }
    if !path.is_empty() {
        s.push_str(&format!(
            "<path d=\"{}\" fill=\"none\" stroke=\"#000\" stroke-width=\"2\"/>",
            path.trim_start()
        ));
    }
}

fn svg_axis(s: &mut String, arrival: LocalDateTime, span: i64, x: &dyn Fn(LocalDateTime) -> f64) {
    s.push_str(&format!(
        "<line x1=\"{PLOT_X0}\" x2=\"{PLOT_X1}\" y1=\"192\" y2=\"192\" stroke=\"#000\"/>",
        PLOT_X0 = PLOT_X0,
        PLOT_X1 = PLOT_X1
    ));
    let step = tick_step(span);
    let (h, m) = arrival.hm();
    let minute_of_day = h * 60 + m;
    // Align ticks to the wall clock (steps of a day or more fall on midnight).
    let align = step.min(1440);
    let first = (align - minute_of_day % align) % align;
    let mut last_date = None;
    let mut offset = first;
    while offset <= span {
        let Some(t) = arrival.checked_add_minutes(offset) else {
            break;
        };
        let xt = x(t);
        s.push_str(&format!(
            "<line x1=\"{xt:.1}\" x2=\"{xt:.1}\" y1=\"192\" y2=\"197\" stroke=\"#000\"/>",
            xt = xt
        ));
        if step < 1440 {
            s.push_str(&format!(
                "<text x=\"{xt:.1}\" y=\"209\" text-anchor=\"middle\">{}</text>",
                hhmm(t),
                xt = xt
            ));
        }
        if last_date != Some(t.date()) {
            s.push_str(&format!(
                "<text x=\"{xt:.1}\" y=\"223\" text-anchor=\"middle\">{}</text>",
                t.date(),
                xt = xt
            ));
            last_date = Some(t.date());
        }
        offset += step;
    }
}
