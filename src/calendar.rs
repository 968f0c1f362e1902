//! Wall-clock dates and times without a time zone. Clinics plan in local
//! time and the core never reads a clock, so every date is an input and all
//! arithmetic is plain proleptic Gregorian day counting (Hinnant's
//! days-from-civil). Years are limited to 1900..=2200 so no sum can overflow.

use crate::error::{PlanError, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Earliest and latest year accepted: far wider than any plan, narrow enough
/// that day and minute counts fit easily in `i64`.
pub const MIN_YEAR: i64 = 1900;
pub const MAX_YEAR: i64 = 2200;

const MINUTES_PER_DAY: i64 = 1440;

/// Days from 1970-01-01 to y-m-d (negative before). Month 1..=12, day >= 1.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12; // March = 0, so the leap day ends the year
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of `days_from_civil`.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub fn is_weekend(self) -> bool {
        matches!(self, Weekday::Saturday | Weekday::Sunday)
    }
    pub fn name(self) -> &'static str {
        match self {
            Weekday::Monday => "Monday",
            Weekday::Tuesday => "Tuesday",
            Weekday::Wednesday => "Wednesday",
            Weekday::Thursday => "Thursday",
            Weekday::Friday => "Friday",
            Weekday::Saturday => "Saturday",
            Weekday::Sunday => "Sunday",
        }
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A calendar day. Stored as days since 1970-01-01, always within
/// `MIN_YEAR..=MAX_YEAR`, so ordering and differences are integer operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDate {
    days: i64,
}

/// A wall-clock moment to the minute, no time zone (a floating time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDateTime {
    date: LocalDate,
    minute_of_day: i64, // 0..1440
}

fn invalid(field: &str, text: &str, expected: &str) -> PlanError {
    // Quote at most a short prefix: the message goes back to the page.
    let shown: String = text.chars().take(40).collect();
    PlanError::new(
        field,
        "invalid_date",
        format!("\"{shown}\" is not a valid {expected} date (years {MIN_YEAR} to {MAX_YEAR})."),
    )
}

/// Digits at `bytes[from..to]` as a number; None if any is not an ASCII digit.
fn digits(bytes: &[u8], from: usize, to: usize) -> Option<i64> {
    let part = bytes.get(from..to)?;
    part.iter().try_fold(0i64, |acc, &b| {
        if b.is_ascii_digit() {
            Some(acc * 10 + i64::from(b - b'0'))
        } else {
            None
        }
    })
}

impl LocalDate {
    /// A date from its parts; None outside the calendar or the year range.
    pub fn from_ymd(year: i64, month: i64, day: i64) -> Option<LocalDate> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day < 1 || day > days_in_month(year, month) {
            return None;
        }
        Some(LocalDate {
            days: days_from_civil(year, month, day),
        })
    }

    fn from_days(days: i64) -> Option<LocalDate> {
        let lo = days_from_civil(MIN_YEAR, 1, 1);
        let hi = days_from_civil(MAX_YEAR, 12, 31);
        (lo..=hi).contains(&days).then_some(LocalDate { days })
    }

    /// Strict "YYYY-MM-DD"; `field` names the input in the error.
    pub fn parse(text: &str, field: &str) -> Result<LocalDate> {
        let b = text.as_bytes();
        let parsed = if b.len() == 10 && b.get(4) == Some(&b'-') && b.get(7) == Some(&b'-') {
            match (digits(b, 0, 4), digits(b, 5, 7), digits(b, 8, 10)) {
                (Some(y), Some(m), Some(d)) => LocalDate::from_ymd(y, m, d),
                _ => None,
            }
        } else {
            None
        };
        parsed.ok_or_else(|| invalid(field, text, "YYYY-MM-DD"))
    }

    pub fn ymd(self) -> (i64, i64, i64) {
        civil_from_days(self.days)
    }

    /// "Monday 7 December 2026": unambiguous in any locale, for patients.
    pub fn long_text(self) -> String {
        let (y, m, d) = self.ymd();
        let month = MONTHS
            .get(usize::try_from(m - 1).unwrap_or(0))
            .copied()
            .unwrap_or("");
        format!("{} {d} {month} {y}", self.weekday().name())
    }

    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday (index 3 counting Monday as 0).
        match (self.days + 3).rem_euclid(7) {
            0 => Weekday::Monday,
            1 => Weekday::Tuesday,
            2 => Weekday::Wednesday,
            3 => Weekday::Thursday,
            4 => Weekday::Friday,
            5 => Weekday::Saturday,
            _ => Weekday::Sunday,
        }
    }

    /// None when the result leaves the supported year range.
    pub fn checked_add_days(self, days: i64) -> Option<LocalDate> {
        LocalDate::from_days(self.days.checked_add(days)?)
    }

    /// Whole days from `self` to `later` (negative if `later` is earlier).
    pub fn days_until(self, later: LocalDate) -> i64 {
        later.days - self.days
    }

    pub fn at(self, hour: i64, minute: i64) -> Option<LocalDateTime> {
        if !(0..24).contains(&hour) || !(0..60).contains(&minute) {
            return None;
        }
        Some(LocalDateTime {
            date: self,
            minute_of_day: hour * 60 + minute,
        })
    }
}

impl LocalDateTime {
    /// Strict "YYYY-MM-DDTHH:MM" (no seconds, no zone); `field` names the input.
    pub fn parse(text: &str, field: &str) -> Result<LocalDateTime> {
        let b = text.as_bytes();
        let err = || invalid(field, text, "YYYY-MM-DDTHH:MM");
        if b.len() != 16 || b.get(10) != Some(&b'T') || b.get(13) != Some(&b':') {
            return Err(err());
        }
        let date = text.get(0..10).ok_or_else(err)?;
        let date = LocalDate::parse(date, field).map_err(|_| err())?;
        match (digits(b, 11, 13), digits(b, 14, 16)) {
            (Some(h), Some(m)) => date.at(h, m).ok_or_else(err),
            _ => Err(err()),
        }
    }

    pub fn date(self) -> LocalDate {
        self.date
    }

    /// (hour, minute) on the wall clock.
    pub fn hm(self) -> (i64, i64) {
        (self.minute_of_day / 60, self.minute_of_day % 60)
    }

    fn total_minutes(self) -> i64 {
        self.date.days * MINUTES_PER_DAY + self.minute_of_day
    }

    /// None when the result leaves the supported year range.
    pub fn checked_add_minutes(self, minutes: i64) -> Option<LocalDateTime> {
        let total = self.total_minutes().checked_add(minutes)?;
        let date = LocalDate::from_days(total.div_euclid(MINUTES_PER_DAY))?;
        Some(LocalDateTime {
            date,
            minute_of_day: total.rem_euclid(MINUTES_PER_DAY),
        })
    }

    pub fn checked_add_days(self, days: i64) -> Option<LocalDateTime> {
        Some(LocalDateTime {
            date: self.date.checked_add_days(days)?,
            ..self
        })
    }

    /// Minutes from `self` to `later` (negative if `later` is earlier).
    pub fn minutes_until(self, later: LocalDateTime) -> i64 {
        later.total_minutes() - self.total_minutes()
    }
}

impl fmt::Display for LocalDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m) = self.hm();
        write!(f, "{}T{h:02}:{m:02}", self.date)
    }
}

impl Serialize for LocalDate {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Serialize for LocalDateTime {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

// Deserialization is as strict as `parse`; callers that need the error at a
// named field should take a string and call `parse` themselves.
impl<'de> Deserialize<'de> for LocalDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        LocalDate::parse(&text, "date").map_err(serde::de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for LocalDateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        LocalDateTime::parse(&text, "dateTime").map_err(serde::de::Error::custom)
    }
}
