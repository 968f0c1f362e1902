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
        return Err("Use a point for decimals and no thousands separator (for example 1200 or 0.5).");
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
    for b in whole.bytes().chain(frac.unwrap_or("").bytes().inspect(|_| scale *= 10.0)) {
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
    let scale = libm::pow(10.0, d as f64);
    let scaled = libm::round(value.abs() * scale) / scale;
    let fixed = fixed(if scaled.is_finite() { scaled } else { value.abs() }, d);
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

/// An f64 for `format!`/`write!`, written exactly as core writes an f64:
/// `{:.1}` (see [`fixed`]) and `{}` for whole numbers below 2^53. It exists
/// because core's float formatting is about 20 KB of the wasm (7 KB
/// gzipped); no width or alignment, only a precision.
#[derive(Debug, Clone, Copy)]
pub struct Num(pub f64);

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.0;
        match f.precision() {
            Some(p) => write_fixed(f, v, p),
            // Below 2^53 a whole number's shortest digits are its digits.
            None if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 => write_fixed(f, v, 0),
            None => shortest(v, f),
        }
    }
}

fn shortest(v: f64, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    std::fmt::Display::fmt(&v, f)
}

/// `format!("{:.prec$}", v)` exactly: the exact binary value rounded half to
/// even at `prec` decimals ("0.2" for 0.25, "-0.0" for -0.04), "NaN", "inf",
/// "-inf"; by integer arithmetic on the value's bits.
pub fn fixed(v: f64, prec: usize) -> String {
    let mut out = String::new();
    let _ = write_fixed(&mut out, v, prec);
    out
}

fn write_fixed(out: &mut dyn std::fmt::Write, v: f64, prec: usize) -> std::fmt::Result {
    if v.is_nan() {
        return out.write_str("NaN");
    }
    if v.is_sign_negative() {
        out.write_char('-')?;
    }
    if v.is_infinite() {
        return out.write_str("inf");
    }
    let bits = v.to_bits();
    let (biased, frac) = ((bits >> 52) & 0x7ff, bits & ((1 << 52) - 1));
    let (m, e) = if biased == 0 { (frac, -1074) } else { (frac | 1 << 52, biased as i64 - 1075) };
    // The value times 10^prec is m x 10^prec x 2^e; rounded half to even.
    // Most values (plot coordinates, doses) fit 64 bits: no allocation.
    if let Some(n) = 10u64.checked_pow(prec as u32).and_then(|p| m.checked_mul(p)) {
        let q = match e.unsigned_abs() {
            _ if e >= 0 => (n.leading_zeros() as i64 > e).then(|| n << e),
            s if s > 64 => Some(0),
            64 => Some(u64::from(n > 1 << 63)),
            s => {
                let (q, rem, half) = (n >> s, n & ((1 << s) - 1), 1 << (s - 1));
                Some(q + u64::from(rem > half || (rem == half && q & 1 == 1)))
            }
        };
        if let Some(q) = q {
            let mut buf = [b'0'; 40];
            let mut i = buf.len();
            let mut q = q;
            while q > 0 {
                i -= 1;
                buf[i] = b'0' + (q % 10) as u8;
                q /= 10;
            }
            return with_point(out, &buf[i.min(buf.len() - 1 - prec)..], prec);
        }
    }
    let mut n = vec![m as u32, (m >> 32) as u32];
    for _ in 0..prec {
        mul_small(&mut n, 10);
    }
    if e >= 0 {
        n.splice(0..0, std::iter::repeat_n(0, (e / 32) as usize));
        mul_small(&mut n, 1 << (e % 32));
    } else {
        shift_right_half_even(&mut n, e.unsigned_abs() as usize);
    }
    let mut digits = decimal(n);
    if digits.len() <= prec {
        digits.insert_str(0, &"0".repeat(prec + 1 - digits.len()));
    }
    with_point(out, digits.as_bytes(), prec)
}

/// ASCII digits (at least prec + 1 of them) with a point before the last `prec`.
fn with_point(out: &mut dyn std::fmt::Write, digits: &[u8], prec: usize) -> std::fmt::Result {
    for (i, d) in digits.iter().enumerate() {
        if i + prec == digits.len() {
            out.write_char('.')?;
        }
        out.write_char(char::from(*d))?;
    }
    Ok(())
}

/// Little-endian base-2^32 digits times `k`.
fn mul_small(n: &mut Vec<u32>, k: u32) {
    let mut carry = 0u64;
    for limb in n.iter_mut() {
        let x = u64::from(*limb) * u64::from(k) + carry;
        *limb = x as u32;
        carry = x >> 32;
    }
    if carry > 0 {
        n.push(carry as u32);
    }
}

/// n / 2^s, rounded half to even.
fn shift_right_half_even(n: &mut Vec<u32>, s: usize) {
    let bit = |n: &[u32], i: usize| n.get(i / 32).is_some_and(|w| w >> (i % 32) & 1 == 1);
    let half = bit(n, s - 1);
    let below = (0..s - 1).any(|i| bit(n, i));
    let (limbs, r) = (s / 32, (s % 32) as u32);
    let shifted: Vec<u32> = (limbs..n.len())
        .map(|i| {
            let high = if r == 0 { 0 } else { n.get(i + 1).map_or(0, |w| w << (32 - r)) };
            (n[i] >> r) | high
        })
        .collect();
    *n = shifted;
    if half && (below || n.first().is_some_and(|w| w & 1 == 1)) {
        // Add one.
        for limb in n.iter_mut() {
            let (x, overflow) = limb.overflowing_add(1);
            *limb = x;
            if !overflow {
                return;
            }
        }
        n.push(1);
    }
}

/// The decimal digits of n ("0" for zero).
fn decimal(mut n: Vec<u32>) -> String {
    let mut groups = Vec::new();
    while n.iter().any(|w| *w != 0) {
        let mut rem = 0u64;
        for limb in n.iter_mut().rev() {
            let x = (rem << 32) | u64::from(*limb);
            *limb = (x / 1_000_000_000) as u32;
            rem = x % 1_000_000_000;
        }
        groups.push(rem as u32);
    }
    let mut out = groups.last().map_or("0".to_string(), |g| g.to_string());
    for g in groups.iter().rev().skip(1) {
        out.push_str(&format!("{g:09}"));
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_malformed_entries() {
        for bad in ["", " ", "1..2", "5,0", "1,000", "1e3", "1E3", ".5", "5.", "-5", "+5", "abc", "5 0", "0x10", "NaN", "inf", "1.2.3"] {
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
        for text in ["0", "0.1", "0.2", "0.3", "0.35", "1.5", "80", "007", "0.0000000000001", "0.9999999999999",
            "123456789012345", "999999999999999", "12345678.901234", "1.0000000000001", "9007199254740.9", "4.35"] {
            assert_eq!(parse_decimal(text).map(f64::to_bits), Ok(text.parse::<f64>().unwrap().to_bits()), "{text}");
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
    fn fixed_is_core_formatting() {
        for v in [0.0, -0.0, 0.5, 1.5, 2.5, 0.25, 0.35, 12.25, -0.05, -0.25, 1e21, 1.2345678901234569e23, 5e-324, f64::MAX, f64::MIN_POSITIVE,
            f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 9007199254740993.0, 0.1 + 0.2, 1234567.891, 999.96] {
            for p in 0..8 {
                assert_eq!(fixed(v, p), format!("{v:.p$}"), "{v:?} at {p}");
                assert_eq!(format!("{:.p$}", Num(v)), format!("{v:.p$}"), "{v:?} at {p}");
            }
            assert_eq!(format!("{}", Num(v)), format!("{v}"), "{v:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn fixed_is_core_formatting_for_any_f64(bits in proptest::num::u64::ANY, p in 0usize..10) {
            let v = f64::from_bits(bits);
            proptest::prop_assert_eq!(fixed(v, p), format!("{v:.p$}"));
        }

        #[test]
        fn fixed_is_core_formatting_for_plot_numbers(v in -5000.0f64..5000.0, p in 0usize..4) {
            proptest::prop_assert_eq!(fixed(v, p), format!("{v:.p$}"));
            let q = (v * 8.0).round() / 8.0; // ties at every precision
            proptest::prop_assert_eq!(fixed(q, p), format!("{q:.p$}"));
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
