//! The response chart of a course record: pain (NRS 0 to 10) and area of
//! pain (%) at each assessment over the calendar, each course shaded with its
//! sessions marked, the 50% lines from each course's baseline (the Walter
//! Reed response criterion) and the booster window. Greys, dashes and text
//! labels, so it reads in black-and-white print, like the session timeline.
//! Coordinates are whole pixels of an 800-wide picture.

use super::{AssessmentReview, BoosterDue};
use crate::calendar::LocalDate;
use std::fmt::Write;

const X0: i64 = 56;
const X1: i64 = 744;
const TOP: i64 = 44;
const BOTTOM: i64 = 194;

/// One course as the chart draws it.
pub struct ChartCourse {
    pub start: LocalDate,
    pub end: LocalDate,
    /// The dates of the sessions given, as recorded.
    pub given: Vec<LocalDate>,
    /// The course's baseline: pain NRS and area of pain (%).
    pub baseline: Option<(f64, Option<f64>)>,
}

/// The chart as SVG text, or "" when there is nothing dated to draw.
/// Not inlined into `review`: it is called once, and inlined it took 50 bytes
/// more of the packed page.
#[inline(never)]
pub fn response_svg(
    assessments: &[AssessmentReview],
    courses: &[ChartCourse],
    booster: Option<&BoosterDue>,
) -> String {
    let mut dates: Vec<LocalDate> = assessments.iter().map(|a| a.date).collect();
    for c in courses {
        dates.extend([c.start, c.end]);
    }
    if let Some(b) = booster {
        dates.extend([b.from, b.to]);
    }
    let (Some(&first), Some(&last)) = (dates.iter().min(), dates.iter().max()) else {
        return String::new();
    };
    // A margin of a few days either side, so no point sits on an axis.
    let pad = (first.days_until(last) / 30).max(2);
    let (Some(d0), Some(d1)) = (first.checked_add_days(-pad), last.checked_add_days(pad)) else {
        return String::new();
    };
    let span = d0.days_until(d1).max(1);
    let x = |d: LocalDate| X0 + d0.days_until(d) * (X1 - X0) / span;
    // NRS 0 to 10 and area 0 to 100% share the plot's height.
    let y = |value: f64, full: f64| BOTTOM - ((value / full).clamp(0.0, 1.0) * 150.0) as i64;

    let mut s = String::from("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 800 256\" role=\"img\" font-family=\"sans-serif\" font-size=\"11\"><title>Response over time: pain (NRS 0 to 10) and area of pain (%) at each assessment, the courses shaded with their sessions given marked, the 50% lines from each course's baseline and the booster window</title>");
    // Writing to a String cannot fail.
    let mut put = |args: std::fmt::Arguments| {
        let _ = s.write_fmt(args);
    };
    if let Some(b) = booster {
        let (a, z) = (x(b.from), x(b.to));
        put(format_args!(
            "<rect x=\"{a}\" y=\"{TOP}\" width=\"{}\" height=\"150\" fill=\"#e4e4e4\"/><text x=\"{a}\" y=\"40\">Booster due</text>",
            (z - a).max(2)
        ));
    }
    for (i, c) in courses.iter().enumerate() {
        let (a, z) = (x(c.start), x(c.end));
        put(format_args!(
            "<rect x=\"{a}\" y=\"8\" width=\"{}\" height=\"14\" fill=\"#c8c8c8\" stroke=\"#000\"/><text x=\"{}\" y=\"19\">Course {}</text>",
            (z - a).max(2),
            a + 3,
            i + 1
        ));
        for d in &c.given {
            put(format_args!("<path d=\"M{},24 l-4,7 h8 z\"/>", x(*d)));
        }
        // The 50% lines hold from the course's start to the next one's.
        let z = courses.get(i + 1).map_or(X1, |n| x(n.start));
        let (pain, area) = c.baseline.unwrap_or((f64::NAN, None));
        for (half, dash) in [
            (pain.is_finite().then(|| y(pain / 2.0, 10.0)), "2 3"),
            (area.map(|v| y(v / 2.0, 100.0)), "1 4"),
        ] {
            if let Some(h) = half {
                put(format_args!("<line x1=\"{a}\" x2=\"{z}\" y1=\"{h}\" y2=\"{h}\" stroke=\"#000\" stroke-dasharray=\"{dash}\"/>"));
            }
        }
    }
    // Axes: pain on the left, area on the right, dates below.
    put(format_args!("<path d=\"M{X0},{TOP} V{BOTTOM} H{X1} V{TOP}\" fill=\"none\" stroke=\"#000\"/><g text-anchor=\"end\"><text x=\"52\" y=\"{TOP}\">10</text><text x=\"52\" y=\"119\">NRS</text><text x=\"52\" y=\"{BOTTOM}\">0</text></g><text x=\"748\" y=\"{TOP}\">100%</text><text x=\"748\" y=\"119\">Area</text><text x=\"748\" y=\"{BOTTOM}\">0%</text><g text-anchor=\"middle\">"));
    let step = [1, 2, 7, 14, 28, 56, 91, 182, 364]
        .into_iter()
        .find(|step| span / step <= 7)
        .unwrap_or(728);
    let mut d = Some(d0);
    while let Some(day) = d.filter(|day| *day <= d1) {
        let xd = x(day);
        put(format_args!("<path d=\"M{xd},{BOTTOM} v5\" stroke=\"#000\"/><text x=\"{xd}\" y=\"212\">{day}</text>"));
        d = day.checked_add_days(step);
    }
    put(format_args!("</g>"));
    // Pain: a solid line with dots; area: a dashed line with squares.
    let mut pain = String::new();
    let mut area = String::new();
    for a in assessments {
        let xa = x(a.date);
        let yp = y(a.pain_nrs, 10.0);
        let _ = write!(pain, "{xa},{yp} ");
        put(format_args!("<circle cx=\"{xa}\" cy=\"{yp}\" r=\"3.5\"/>"));
        if let Some(p) = a.pain_area_percent {
            let ya = y(p, 100.0);
            let _ = write!(area, "{xa},{ya} ");
            put(format_args!(
                "<rect x=\"{}\" y=\"{}\" width=\"7\" height=\"7\" fill=\"#fff\" stroke=\"#000\"/>",
                xa - 3,
                ya - 3
            ));
        }
    }
    for (points, dash) in [(pain, ""), (area, "6 3")] {
        put(format_args!("<polyline points=\"{}\" fill=\"none\" stroke=\"#000\" stroke-width=\"2\" stroke-dasharray=\"{dash}\"/>", points.trim_end()));
    }
    put(format_args!("<g transform=\"translate(56 240)\"><path d=\"M0,0 h24\" stroke=\"#000\" stroke-width=\"2\"/><text x=\"30\" y=\"4\">Pain (NRS)</text><path d=\"M120,0 h24\" stroke=\"#000\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/><text x=\"150\" y=\"4\">Area of pain (%)</text><path d=\"M270,0 h24\" stroke=\"#000\" stroke-dasharray=\"2 3\"/><text x=\"300\" y=\"4\">50% of baseline pain</text><path d=\"M430,0 h24\" stroke=\"#000\" stroke-dasharray=\"1 4\"/><text x=\"460\" y=\"4\">50% of baseline area</text><path d=\"M590,-4 l-4,7 h8 z\"/><text x=\"598\" y=\"4\">session given</text></g></svg>"));
    s
}
