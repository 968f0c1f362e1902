//! Strict number entry and ISMP-style number display.
//!
//! Entry is strict because a coerced value is a wrong dose: "5,0" could be 5
//! or 50, "1e3" is 1000 to a parser and "1 e 3" to a tired eye. Display
//! follows ISMP: a leading zero ("0.5"), never a trailing zero ("5", not
//! "5.0"), thousands separators ("1,200"), units beside every value.

/// Parses a plain decimal as typed by a person: digits, at most one point
/// with digits on both sides. Returns the message to show at the field.
pub fn parse_decimal(text: &str) -> Result<f64, &'static str> {
    let s = text.trim();
    if s.is_empty() {
        return Err("Enter a number.");
    }
    if s.len() > 15 {
        return Err("Too many digits.");
    }
    if s.starts_with('-') {
        return Err("Must be a positive number.");
    }
    if s.contains(',') {
        return Err(
            "Use a point for decimals and no thousands separator (for example 1200 or 0.5).",
        );
    }
    if s.chars().any(|c| c == 'e' || c == 'E') {
        return Err("Write the number in full (no exponent such as 1e3).");
    }
    if !s.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err("Only digits and one decimal point are allowed.");
    }
    let mut parts = s.split('.');
    let whole = parts.next().unwrap_or("");
    let frac = parts.next();
    if parts.next().is_some() {
        return Err("More than one decimal point.");
    }
    if whole.is_empty() {
        return Err("Write a leading zero (for example 0.5).");
    }
    if frac == Some("") {
        return Err("Digits must follow the decimal point (for example 5 or 5.5).");
    }
    // The checks above leave at most 15 digits and one point: an integer
    // below 2^53 over a power of ten up to 10^14, both exact in f64, so one
    // division rounds correctly and equals `str::parse::<f64>` (tested)
    // without core's general parser and its table of powers of five (about
    // 15 KB of the gzipped wasm).
    let (mut digits, mut scale) = (0u64, 1.0);
    for b in whole
        .bytes()
        .chain(frac.unwrap_or("").bytes().inspect(|_| scale *= 10.0))
    {
        digits = digits * 10 + u64::from(b - b'0');
    }
    Ok(digits as f64 / scale)
}

/// Parses a whole number (sessions, minutes).
pub fn parse_whole(text: &str) -> Result<f64, &'static str> {
    let v = parse_decimal(text)?;
    if v.fract() != 0.0 {
        return Err("Enter a whole number.");
    }
    Ok(v)
}

/// Formats with at most `max_decimals` decimals, no trailing zeros, a leading
/// zero and thousands separators. Non-finite values render as an em dash so a
/// broken number can never look like a dose.
pub fn format(value: f64, max_decimals: usize) -> String {
    if !value.is_finite() {
        return "\u{2014}".to_string();
    }
    // Half away from zero, as people round (0.3125 -> 0.313), not half-even.
    let d = max_decimals.min(6);
    // Exact powers of ten (no `pow`: libm's costs about 2 KB of wasm).
    let scale = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6][d];
    let scaled = (value.abs() * scale).round() / scale;
    let fixed = format!(
        "{:.*}",
        d,
        if scaled.is_finite() {
            scaled
        } else {
            value.abs()
        }
    );
    let (whole, frac) = match fixed.split_once('.') {
        Some((w, f)) => (w.to_string(), f.trim_end_matches('0').to_string()),
        None => (fixed.clone(), String::new()),
    };
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let negative = value < 0.0 && (whole.chars().any(|c| c != '0') || !frac.is_empty());
    let sign = if negative { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// A value with its unit, e.g. `"12.5 mL/h"`.
pub fn with_unit(value: f64, max_decimals: usize, unit: &str) -> String {
    format!("{} {}", format(value, max_decimals), unit)
}

/// Decimals shown per quantity. Chosen so the pump value shows every digit the
/// pump takes and doses show no false precision.
pub mod decimals {
    pub const MG: usize = 1;
    pub const MG_PER_HOUR: usize = 2;
    pub const MG_PER_KG_PER_HOUR: usize = 3;
    pub const MCG_PER_KG_PER_MIN: usize = 2;
    pub const ML: usize = 1;
    pub const KG: usize = 1;
    pub const CONCENTRATION: usize = 2;
}

/// "4 h", "2 h 30 min", "5 days" — durations as a nurse reads them.
pub fn minutes_text(minutes: u32) -> String {
    let (d, h, m) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} {}", if d == 1 { "day" } else { "days" }));
    }
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 || parts.is_empty() {
        parts.push(format!("{m} min"));
    }
    parts.join(" ")
}

/// Words for a message, "a, b, c". Through `String`s, so the wasm holds one
/// `join` (for `[String]`) rather than a second one for `[&str]`.
pub fn listed(words: &[&str]) -> String {
    let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    words.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_of_scales_is_libm_pow_of_ten() {
        for d in 0..=6 {
            assert_eq!(
                [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6][d],
                libm::pow(10.0, d as f64)
            );
        }
    }

    #[test]
    fn rejects_malformed_entries() {
        for bad in [
            "", " ", "1..2", "5,0", "1,000", "1e3", "1E3", ".5", "5.", "-5", "+5", "abc", "5 0",
            "0x10", "NaN", "inf", "1.2.3",
        ] {
            assert!(parse_decimal(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn accepts_plain_decimals() {
        assert_eq!(parse_decimal("80"), Ok(80.0));
        assert_eq!(parse_decimal(" 0.35 "), Ok(0.35));
        assert_eq!(parse_decimal("007"), Ok(7.0));
        assert_eq!(parse_whole("10"), Ok(10.0));
        assert!(parse_whole("10.5").is_err());
    }

    #[test]
    fn parses_exactly_as_std_does() {
        for text in [
            "0",
            "0.1",
            "0.2",
            "0.3",
            "0.35",
            "1.5",
            "80",
            "007",
            "0.0000000000001",
            "0.9999999999999",
            "123456789012345",
            "999999999999999",
            "12345678.901234",
            "1.0000000000001",
            "9007199254740.9",
            "4.35",
        ] {
            assert_eq!(
                parse_decimal(text).map(f64::to_bits),
                Ok(text.parse::<f64>().unwrap().to_bits()),
                "{text}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn parses_every_accepted_entry_exactly(whole in "[0-9]{1,15}", frac in proptest::option::of("[0-9]{1,13}")) {
            let text = match frac { Some(f) => format!("{whole}.{f}"), None => whole };
            if let Ok(v) = parse_decimal(&text) {
                proptest::prop_assert_eq!(v.to_bits(), text.parse::<f64>().unwrap().to_bits(), "{}", text);
            }
        }
    }

    #[test]
    fn formats_the_ismp_way() {
        assert_eq!(format(0.5, 2), "0.5");
        assert_eq!(format(5.0, 2), "5");
        assert_eq!(format(24.5, 1), "24.5");
        assert_eq!(format(1200.0, 0), "1,200");
        assert_eq!(format(1234567.891, 1), "1,234,567.9");
        assert_eq!(format(0.0004, 3), "0");
        assert_eq!(format(-0.0001, 2), "0");
        assert_eq!(format(f64::NAN, 2), "\u{2014}");
        assert_eq!(with_unit(60.0, 1, "mL/h"), "60 mL/h");
        assert_eq!(format(999.96, 1), "1,000");
        assert_eq!(format(0.3125, 3), "0.313");
        assert_eq!(format(-0.0, 2), "0");
        assert_eq!(format(-1234.5, 0), "-1,235");
        assert_eq!(format(f64::INFINITY, 1), "\u{2014}");
    }
}
