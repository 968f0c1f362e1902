//! Concentration plot as an SVG string: pure Rust, so page, printout and tests
//! draw the same picture. Greys, dashes and shapes only, so it survives a
//! black-and-white printer; classes (`pk-*`) let a stylesheet restyle it.

use super::{Band, RateSegment, Simulation};
use crate::numbers::format as number;
use crate::timeline::xml_escape as escape;
use std::fmt::Write;

const W: f64 = 720.0;
/// Height of the plot area; the picture grows with the legend.
const PLOT_H: f64 = 280.0;
const LEFT: f64 = 84.0;
const RIGHT: f64 = 16.0;
/// White outline behind text so it stays legible across curves.
const HALO: &str =
    r##"paint-order="stroke" stroke="#fff" stroke-width="4" stroke-linejoin="round""##;
const ROW: f64 = 17.0;
/// Generous average glyph width at 11 px, for laying out the legend.
const CHAR_W: f64 = 5.6;
pub const CAPTION: &str =
    "Model estimate for a typical patient; individual concentrations vary widely";
const ORIENTATION: &str = "population orientation, not a target";
const DASHES: [&str; 4] = ["7 4", "2 3", "10 3 2 3", "4 2"];

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    // The power of ten at or below `raw`, as 10^k or 1 / 10^k with 10^k
    // exact: what pow(10, floor(log10(raw))) gives, without libm's pow.
    let mut ten_k = 1.0;
    let p = if raw >= 1.0 {
        while ten_k * 10.0 <= raw {
            ten_k *= 10.0;
        }
        ten_k
    } else {
        while 1.0 / ten_k > raw {
            ten_k *= 10.0;
        }
        1.0 / ten_k
    };
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * p)
}

fn hour_step(hours: f64) -> f64 {
    [
        0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 12.0, 24.0, 48.0, 72.0, 168.0,
    ]
    .into_iter()
    .find(|s| hours / s <= 10.0)
    .unwrap_or_else(|| nice_step(hours / 8.0))
}

/// Tick values 0, step, ... up to `top`; bounded even for garbage input.
fn ticks(top: f64, step: f64) -> impl Iterator<Item = f64> {
    (0..=40)
        .map(move |k| k as f64 * step)
        .take_while(move |v| *v <= top + step * 1e-9)
}

/// The id of the band a plan in target mode adds for its target (`preview`).
pub const TARGET_BAND: &str = "target";

fn band_text(b: &Band) -> String {
    let (lo, hi) = (number(b.low_ng_per_ml, 1), number(b.high_ng_per_ml, 1));
    let range = if lo == hi {
        format!("{lo} ng/mL")
    } else {
        format!("{lo} to {hi} ng/mL")
    };
    // The level a clinician ordered (target mode) is a target; the bands are not.
    if b.id == TARGET_BAND {
        return escape(&format!("{} {range}: the level ordered", b.label));
    }
    escape(&format!("{} {range} ({}): {ORIENTATION}", b.label, b.tag))
}

/// Positive-rate stretches merged into [start, end] hours.
fn phase_hours(phases: &[RateSegment]) -> Vec<(f64, f64)> {
    let mut on: Vec<&RateSegment> = phases
        .iter()
        .filter(|s| {
            s.mg_per_hour > 0.0
                && s.start_min.is_finite()
                && s.end_min > s.start_min
                && s.end_min.is_finite()
        })
        .collect();
    crate::sort::sort_by(&mut on, |a, b| a.start_min.total_cmp(&b.start_min).is_lt());
    let mut out: Vec<(f64, f64)> = Vec::new();
    for s in on {
        match out.last_mut() {
            Some(last) if s.start_min / 60.0 <= last.1 => last.1 = last.1.max(s.end_min / 60.0),
            _ => out.push((s.start_min / 60.0, s.end_min / 60.0)),
        }
    }
    out
}

/// Stroke of curve `i`: the primary solid and heavy, overlays grey, dashed, thin.
fn stroke(i: usize) -> String {
    match i.checked_sub(1).and_then(|k| DASHES.get(k % DASHES.len())) {
        Some(dash) => format!(r##"stroke="#555" stroke-width="1.3" stroke-dasharray="{dash}""##),
        None => r##"stroke="#000" stroke-width="2.2""##.to_string(),
    }
}

/// Plot area and value ranges.
struct Frame {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
    hours: f64,
    y_top: f64,
}

impl Frame {
    fn x(&self, hours: f64) -> f64 {
        self.x0 + (hours / self.hours).clamp(0.0, 1.0) * (self.x1 - self.x0)
    }
    fn y(&self, ng_per_ml: f64) -> f64 {
        self.y1 - (ng_per_ml / self.y_top).clamp(0.0, 1.0) * (self.y1 - self.y0)
    }
}

/// Plot of `sims[0]` with `sims[1..]` as thinner dashed overlays, infusion
/// `phases` shaded and orientation `bands` drawn (or named, if off scale).
pub fn svg_plot(sims: &[Simulation], phases: &[RateSegment], bands: &[Band]) -> String {
    let finite = |v: &&f64| v.is_finite();
    let all_times = sims.iter().flat_map(|s| s.times.iter());
    let t_end = all_times.filter(finite).fold(0.0_f64, |m, &t| m.max(t));
    let all_conc = sims.iter().flat_map(|s| s.concentrations_ng_per_ml.iter());
    let c_max = all_conc.filter(finite).fold(0.0_f64, |m, &c| m.max(c));

    // The lowest band always shows, for orientation; higher ones when near.
    let bands: Vec<&Band> = bands
        .iter()
        .filter(|b| b.low_ng_per_ml.is_finite() && b.high_ng_per_ml.is_finite())
        .collect();
    let lowest = bands
        .iter()
        .map(|b| b.high_ng_per_ml)
        .fold(f64::INFINITY, f64::min);
    let reach = (c_max * 1.25).max(if lowest.is_finite() { lowest } else { 0.0 });
    let (shown, off): (Vec<&Band>, Vec<&Band>) =
        bands.into_iter().partition(|b| b.low_ng_per_ml <= reach);
    let top = shown.iter().map(|b| b.high_ng_per_ml).fold(c_max, f64::max) * 1.05;
    let top = if top.is_finite() { top } else { f64::MAX / 4.0 };
    let y_step = nice_step(top / 5.0);

    let spans = phase_hours(phases);
    let (legend, legend_h) = legend(sims, !spans.is_empty(), &off);
    let y0 = legend_h + 10.0;
    let f = Frame {
        x0: LEFT,
        x1: W - RIGHT,
        y0,
        y1: y0 + PLOT_H,
        hours: if t_end > 0.0 { t_end / 60.0 } else { 1.0 },
        y_top: ((top / y_step).ceil() * y_step).max(y_step),
    };
    let height = f.y1 + 58.0;

    let mut o = String::with_capacity(16_384);
    let name = sims
        .first()
        .map_or("no model".to_string(), |s| escape(&s.model.name));
    let _ = write!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height:.0}" role="img" class="pk-plot" font-family="sans-serif" font-size="11">"#,
        W = W,
        height = height
    );
    let _ = write!(
        o,
        "<title>Plasma ketamine concentration over time, model estimate ({name})</title>"
    );
    let _ = match sims.first() {
        Some(s) => write!(
            o,
            "<desc>Peak {} ng/mL at {} h. {CAPTION}.</desc>",
            number(s.peak.ng_per_ml, 0),
            number(s.peak.at_minute / 60.0, 1)
        ),
        None => write!(o, "<desc>No concentration to plot.</desc>"),
    };
    shading(&mut o, &f, &spans, &shown);
    axes(&mut o, &f, y_step);
    // Overlays first so the primary curve is drawn on top.
    for (i, s) in sims.iter().enumerate().rev() {
        let d = path(
            &s.times,
            &s.concentrations_ng_per_ml,
            |t| f.x(t / 60.0),
            |c| f.y(c),
        );
        let _ = write!(
            o,
            r#"<path class="pk-curve pk-curve-{i}" d="{d}" fill="none" {} stroke-linejoin="round"/>"#,
            stroke(i)
        );
    }
    for b in &shown {
        let (ya, yb) = (f.y(b.high_ng_per_ml), f.y(b.low_ng_per_ml));
        // A band is named at its top left; the target under its line at the
        // right, where the curve has fallen away and no band label sits.
        let (x, ty, anchor) = if b.id == TARGET_BAND {
            (f.x1 - 6.0, ya + 13.0, "end")
        } else if yb - ya >= 16.0 {
            (f.x0 + 6.0, ya + 12.0, "start")
        } else {
            (f.x0 + 6.0, ya - 4.0, "start")
        };
        let _ = write!(
            o,
            r#"<text class="pk-band-label" x="{x:.1}" y="{ty:.1}" text-anchor="{anchor}" {HALO}>{}</text>"#,
            band_text(b),
        );
    }
    o.push_str(&legend);
    if sims.is_empty() {
        let (cx, cy) = ((f.x0 + f.x1) / 2.0, (f.y0 + f.y1) / 2.0);
        let _ = write!(
            o,
            r#"<text x="{cx:.1}" y="{cy:.1}" text-anchor="middle">No concentration to plot.</text>"#,
            cx = cx,
            cy = cy
        );
    }
    let _ = write!(
        o,
        r#"<text class="pk-caption" x="{}" y="{:.1}" font-style="italic">{}</text></svg>"#,
        f.x0,
        height - 8.0,
        escape(CAPTION)
    );
    o
}

/// Legend grid (one column width for all entries) and off-scale band notes;
/// returns the markup and its height.
fn legend(sims: &[Simulation], phases: bool, off: &[&Band]) -> (String, f64) {
    let mut entries: Vec<(Option<usize>, String)> = sims
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let role = if i == 0 { ", model used" } else { "" };
            (
                Some(i),
                escape(&format!("{} ({}){role}", s.model.name, s.model.tag)),
            )
        })
        .collect();
    if phases {
        entries.push((None, "Infusion running".to_string()));
    }
    let widest = entries
        .iter()
        .map(|e| e.1.chars().count())
        .max()
        .unwrap_or(0) as f64;
    let col_w = 40.0 + widest * CHAR_W;
    let cols = (((W - RIGHT - LEFT) / col_w).floor() as usize).max(1);
    let mut o = String::new();
    for (n, (curve, text)) in entries.iter().enumerate() {
        let x = LEFT + (n % cols) as f64 * col_w;
        let y = 18.0 + (n / cols) as f64 * ROW;
        let _ = match curve {
            Some(i) => write!(
                o,
                r#"<line x1="{x:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" {}/>"#,
                x + 26.0,
                y - 4.0,
                y - 4.0,
                stroke(*i),
                x = x
            ),
            None => write!(
                o,
                r##"<rect x="{x:.1}" y="{:.1}" width="26" height="10" fill="#000" fill-opacity="0.06" stroke="#555"/>"##,
                y - 9.0,
                x = x
            ),
        };
        let _ = write!(
            o,
            r#"<text x="{:.1}" y="{y:.1}">{text}</text>"#,
            x + 32.0,
            y = y
        );
    }
    let rows = entries.len().div_ceil(cols);
    for (n, b) in off.iter().enumerate() {
        let y = 18.0 + (rows + n) as f64 * ROW;
        let _ = write!(
            o,
            r#"<text class="pk-band-note" x="{LEFT}" y="{y:.1}">Above the plotted range: {}</text>"#,
            band_text(b),
            LEFT = LEFT,
            y = y
        );
    }
    (o, 8.0 + (rows + off.len()) as f64 * ROW)
}

/// Infusion phases (light columns with a dark foot bar) and bands (darker,
/// dashed edges, or a dashed line for a single level).
fn shading(o: &mut String, f: &Frame, spans: &[(f64, f64)], bands: &[&Band]) {
    for (a, b) in spans {
        let (xa, w) = (f.x(*a), (f.x(*b) - f.x(*a)).max(0.5));
        let _ = write!(
            o,
            r##"<rect class="pk-phase" x="{xa:.1}" y="{:.1}" width="{w:.1}" height="{PLOT_H}" fill="#000" fill-opacity="0.06"/><rect class="pk-phase-bar" x="{xa:.1}" y="{:.1}" width="{w:.1}" height="5" fill="#555"/>"##,
            f.y0,
            f.y1 - 5.0,
            xa = xa,
            w = w,
            PLOT_H = PLOT_H
        );
    }
    let edge = r##"stroke="#444" stroke-width="0.8" stroke-dasharray="3 2""##;
    for b in bands {
        let (ya, yb) = (f.y(b.high_ng_per_ml), f.y(b.low_ng_per_ml));
        let _ = if yb - ya >= 1.0 {
            write!(
                o,
                r##"<rect class="pk-band" x="{}" y="{ya:.1}" width="{:.1}" height="{:.1}" fill="#000" fill-opacity="0.13" {edge}/>"##,
                f.x0,
                f.x1 - f.x0,
                yb - ya,
                ya = ya
            )
        } else {
            write!(
                o,
                r#"<line class="pk-band" x1="{}" x2="{}" y1="{ya:.1}" y2="{ya:.1}" {edge}/>"#,
                f.x0,
                f.x1,
                ya = ya
            )
        };
    }
}

/// Grid, axes and tick labels with the unit beside every number.
fn axes(o: &mut String, f: &Frame, y_step: f64) {
    for v in ticks(f.y_top, y_step) {
        let y = f.y(v);
        let _ = write!(
            o,
            r##"<line class="pk-grid" x1="{}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#000" stroke-opacity="0.15"/><text x="{:.1}" y="{:.1}" text-anchor="end">{} ng/mL</text>"##,
            f.x0,
            f.x1,
            f.x0 - 6.0,
            y + 4.0,
            number(v, 3),
            y = y
        );
    }
    for h in ticks(f.hours, hour_step(f.hours)) {
        let x = f.x(h);
        let _ = write!(
            o,
            r##"<line x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}" stroke="#000"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{} h</text>"##,
            f.y1,
            f.y1 + 4.0,
            f.y1 + 16.0,
            number(h, 3),
            x = x
        );
    }
    let mid = (f.y0 + f.y1) / 2.0;
    let _ = write!(
        o,
        r##"<path class="pk-axes" d="M{} {:.1}V{:.1}H{}" fill="none" stroke="#000"/><text x="{:.1}" y="{:.1}" text-anchor="middle">Time from start, hours</text><text x="14" y="{mid:.1}" text-anchor="middle" transform="rotate(-90 14 {mid:.1})">Plasma ketamine (model)</text>"##,
        f.x0,
        f.y0,
        f.y1,
        f.x1,
        (f.x0 + f.x1) / 2.0,
        f.y1 + 32.0,
        mid = mid
    );
}

/// Path through the points, keeping per pixel column the first, lowest,
/// highest and last point: a 7,200-point curve stays small and keeps its peaks.
fn path(times: &[f64], conc: &[f64], sx: impl Fn(f64) -> f64, sy: impl Fn(f64) -> f64) -> String {
    let mut d = String::new();
    let mut bucket: Vec<(f64, f64)> = Vec::new();
    let mut column = i64::MIN;
    let mut pen_down = false;
    let flush = |bucket: &mut Vec<(f64, f64)>, d: &mut String, pen_down: &mut bool| {
        let lowest = bucket
            .iter()
            .copied()
            .fold(None, |m: Option<(f64, f64)>, p| match m {
                Some(q) if q.1 <= p.1 => Some(q),
                _ => Some(p),
            });
        let highest = bucket
            .iter()
            .copied()
            .fold(None, |m: Option<(f64, f64)>, p| match m {
                Some(q) if q.1 >= p.1 => Some(q),
                _ => Some(p),
            });
        let mut keep: Vec<(f64, f64)> = [
            bucket.first().copied(),
            lowest,
            highest,
            bucket.last().copied(),
        ]
        .into_iter()
        .flatten()
        .collect();
        crate::sort::sort_by(&mut keep, |a, b| a.0.total_cmp(&b.0).is_lt());
        keep.dedup();
        for (x, y) in keep {
            let _ = write!(
                d,
                "{}{x:.1} {y:.1}",
                if *pen_down { "L" } else { "M" },
                x = x,
                y = y
            );
            *pen_down = true;
        }
        bucket.clear();
    };
    for (&t, &c) in times.iter().zip(conc) {
        if !(t.is_finite() && c.is_finite()) {
            flush(&mut bucket, &mut d, &mut pen_down);
            pen_down = false;
            continue;
        }
        let p = (sx(t), sy(c));
        let col = p.0.floor() as i64;
        if col != column {
            flush(&mut bucket, &mut d, &mut pen_down);
            column = col;
        }
        bucket.push(p);
    }
    flush(&mut bucket, &mut d, &mut pen_down);
    d
}

#[cfg(test)]
mod tests {
    /// The tick step without libm's pow (it left the wasm to make room),
    /// from 1e-12 to 1e12, each decade at its start, just below it and in
    /// between (as decimals): from 1 up, bit for bit the step pow gave; below
    /// 1 (a plot whose levels stay under 5 ng/mL), the smallest of 1, 2, 5
    /// and 10 times the double nearest 10^k at least the value. pow(10, -5)
    /// is not that double, so pow gave 2e-5 for 1e-5; this gives 1e-5.
    #[test]
    fn nice_step_is_unchanged_without_pow() {
        let old = |raw: f64| {
            let p = libm::pow(10.0, libm::floor(libm::log10(raw)));
            [1.0, 2.0, 5.0, 10.0]
                .iter()
                .map(|m| m * p)
                .find(|s| *s >= raw)
                .unwrap_or(10.0 * p)
        };
        let decimal = |m: &str, k: i32| format!("{m}e{k}").parse::<f64>().unwrap_or(f64::NAN);
        for k in -12..=12 {
            for raw in ["1", "0.999999", "1.7", "3.3", "7.9"].map(|m| decimal(m, k)) {
                let new = super::nice_step(raw);
                if raw >= 1.0 {
                    assert_eq!(new, old(raw), "{raw}");
                } else {
                    let ten = decimal("1", libm::floor(libm::log10(raw)) as i32);
                    let want = [1.0, 2.0, 5.0, 10.0]
                        .map(|m| m * ten)
                        .into_iter()
                        .find(|s| *s >= raw);
                    assert_eq!(Some(new), want, "{raw}");
                }
            }
        }
    }
}
