//! Reading a JSON document by hand: the protocol library (`crate::library`)
//! and the course record (`crate::record`). A document is first a bounded
//! `Value` (serde_json natively, the browser's `JSON.parse` in the wasm);
//! each reader then takes its fields through an [`At`], which records every
//! problem at its JSON Pointer (RFC 6901: `/protocols/3/caps/0/mgPerHour`)
//! with a stable code, so one pass lists all of them. Unknown keys are
//! refused by name, never ignored.

use crate::calendar::{LocalDate, LocalDateTime};
use crate::error::{FieldErrors, PlanError};
use crate::value::Value;
use std::cell::RefCell;

/// Reads `value` with `f`: its result when nothing was wrong, else every problem.
pub fn read<T>(value: &Value, f: impl FnOnce(&At) -> Option<T>) -> Result<T, FieldErrors> {
    let problems = Problems::default();
    let at = At {
        value: Some(value),
        parent: None,
        problems: &problems,
    };
    let read = f(&at);
    let problems = problems.0.into_inner();
    match read {
        Some(v) if problems.is_empty() => Ok(v),
        _ => Err(problems),
    }
}

/// Problems found so far, one per path.
#[derive(Default)]
pub struct Problems(RefCell<FieldErrors>);

impl Problems {
    pub fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }

    pub fn add(&self, path: &str, code: &str, message: impl Into<String>) {
        self.0
            .borrow_mut()
            .push(PlanError::new(path, code, message));
    }

    /// A problem at `key` under `base` ("/protocols/2" and "dose/max").
    pub fn within(&self, base: &str, key: &str, code: &str, message: impl Into<String>) {
        self.add(&format!("{base}/{key}"), code, message);
    }
}

/// A place in the file: the value there (None when the key is absent) and
/// how it was reached, from which its JSON Pointer is written when there is
/// a problem to report (not for every value read). Each reader records what
/// is wrong and returns a stand-in, so one pass finds every problem; a
/// document with any is never returned ([`read`]).
#[derive(Clone, Copy)]
pub struct At<'a> {
    pub value: Option<&'a Value>,
    /// The object (or list) this value is in, and its key (or index) there.
    parent: Option<(&'a At<'a>, Step<'a>)>,
    pub problems: &'a Problems,
}

#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

impl<'a> At<'a> {
    pub fn key(&'a self, name: &'a str) -> At<'a> {
        At {
            value: self.value.and_then(|v| v.get(name)),
            parent: Some((self, Step::Key(name))),
            problems: self.problems,
        }
    }

    /// The JSON Pointer, keys escaped ("~" as "~0", "/" as "~1", RFC 6901).
    pub fn path(&self) -> String {
        let Some((parent, step)) = self.parent else {
            return String::new();
        };
        let step = match step {
            Step::Key(k) => k.replace('~', "~0").replace('/', "~1"),
            Step::Index(i) => i.to_string(),
        };
        format!("{}/{step}", parent.path())
    }

    pub fn add(&self, code: &str, message: impl Into<String>) {
        self.problems.add(&self.path(), code, message);
    }

    pub fn wrong(&self, expected: &str) {
        match self.value {
            None => {
                let name = match self.parent {
                    Some((_, Step::Key(k))) => k,
                    _ => "value",
                };
                self.add(
                    "required",
                    format!("The field {name} is missing ({expected})."),
                )
            }
            Some(v) => self.add(
                "wrong_type",
                format!("Expected {expected}, found {}.", v.describe()),
            ),
        }
    }

    /// Absent and null are both "not given", as everywhere in the contract.
    pub fn given(&self) -> bool {
        self.value.is_some_and(|v| *v != Value::Null)
    }

    /// An object with only `keys`; every other key is refused by name.
    pub fn object(&self, keys: &[&str]) -> Option<()> {
        let Some(Value::Object(entries)) = self.value else {
            self.wrong("an object");
            return None;
        };
        for (k, _) in entries {
            if !keys.contains(&k.as_str()) {
                let known = crate::numbers::listed(keys);
                self.key(k).add(
                    "unknown_field",
                    format!("{k} is not a field here; the fields are {known}."),
                );
            }
        }
        Some(())
    }

    pub fn text(&self) -> String {
        match self.value {
            Some(Value::Text(t)) => t.clone(),
            _ => {
                self.wrong("text");
                String::new()
            }
        }
    }

    pub fn text_or_empty(&self) -> String {
        if self.given() {
            self.text()
        } else {
            String::new()
        }
    }

    pub fn number(&self) -> f64 {
        match self.value {
            Some(Value::Number(n)) => *n,
            _ => {
                self.wrong("a number");
                f64::NAN
            }
        }
    }

    /// A number above 0 (a dose, a cap, a concentration, a volume).
    pub fn positive(&self) -> f64 {
        let n = self.number();
        if n.is_finite() && n <= 0.0 {
            self.add("not_positive", "Must be a number above 0.");
        }
        n
    }

    pub fn opt_positive(&self) -> Option<f64> {
        self.given().then(|| self.positive())
    }

    /// A whole number from `min` to `max` (minutes, hours, days, counts).
    pub fn count_in(&self, min: u32, max: u32) -> u32 {
        let n = self.number();
        if n.fract() == 0.0 && (f64::from(min)..=f64::from(max)).contains(&n) {
            return n as u32;
        }
        if !n.is_nan() {
            let found = crate::numbers::format(n, 6);
            let message = format!("Expected a whole number from {min} to {max}, found {found}.");
            self.add("out_of_range", message);
        }
        0
    }

    pub fn count(&self) -> u32 {
        self.count_in(0, u32::MAX)
    }

    pub fn opt_count(&self) -> Option<u32> {
        self.given().then(|| self.count())
    }

    pub fn list<T: Clone>(&'a self, item: impl Fn(&At<'a>) -> Option<T>) -> Vec<T> {
        let mut read = Vec::new();
        self.each(&mut |at| read.extend(item(at)));
        read
    }

    /// Each item of a list, at its index: one loop for every kind of item
    /// (generic, it was compiled again for each kind: 600 bytes of the page).
    fn each(&'a self, item: &mut dyn FnMut(&At<'a>)) {
        let Some(Value::List(items)) = self.value else {
            return self.wrong("a list");
        };
        for (i, v) in items.iter().enumerate() {
            item(&At {
                value: Some(v),
                parent: Some((self, Step::Index(i))),
                problems: self.problems,
            });
        }
    }

    pub fn list_or_empty<T: Clone>(&'a self, item: impl Fn(&At<'a>) -> Option<T>) -> Vec<T> {
        if self.given() {
            self.list(item)
        } else {
            Vec::new()
        }
    }

    /// One of `options` by its word in the file.
    pub fn choice<T: Copy>(&self, options: &[(&str, T)]) -> Option<T> {
        let Some(Value::Text(t)) = self.value else {
            self.wrong("text");
            return None;
        };
        let found = options.iter().find(|(word, _)| word == t).map(|o| o.1);
        if found.is_none() {
            let words: Vec<&str> = options.iter().map(|o| o.0).collect();
            self.add(
                "unknown_value",
                format!("\"{t}\" is not one of {}.", crate::numbers::listed(&words)),
            );
        }
        found
    }

    /// A number from `min` to `max`; `unit` goes in the message.
    pub fn number_in(&self, min: f64, max: f64, unit: &str) -> f64 {
        let n = self.number();
        if !n.is_nan() {
            if let Err(e) = crate::contract::in_range("", n, min, max, unit) {
                self.add(&e.code, e.message);
            }
        }
        n
    }

    pub fn opt_number_in(&self, min: f64, max: f64, unit: &str) -> Option<f64> {
        self.given().then(|| self.number_in(min, max, unit))
    }

    pub fn opt_text(&self) -> Option<String> {
        self.given().then(|| self.text())
    }

    pub fn flag(&self) -> bool {
        match self.value {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.wrong("true or false");
                false
            }
        }
    }

    /// A plan request, checked by the contract as every request is; its
    /// problems at their pointers under this one (`.../request/weightKg`).
    pub fn request(&self) -> Option<crate::request::PlanRequest> {
        let Some(v) = self.value.filter(|v| **v != Value::Null) else {
            self.wrong("a plan request");
            return None;
        };
        let all = match crate::request::PlanRequest::from_value(v) {
            Ok(r) => return Some(r),
            Err(all) => all,
        };
        for e in all.iter() {
            let path = format!("{}/{}", self.path(), e.field.replace('.', "/"));
            self.problems.add(&path, &e.code, e.message.clone());
        }
        None
    }

    /// A date "YYYY-MM-DD".
    pub fn date(&self) -> Option<LocalDate> {
        let t = self.text();
        let date = LocalDate::parse(&t, "");
        if let (Err(e), Some(Value::Text(_))) = (&date, self.value) {
            self.add(&e.code, e.message.clone());
        }
        date.ok()
    }

    /// A clock time "HH:MM" on `day`, when both read.
    pub fn time_on(&self, day: Option<LocalDate>) -> Option<LocalDateTime> {
        let t = self.text();
        let hm = clock_time(&t);
        if hm.is_none() && self.value.is_some_and(|v| v.as_text().is_some()) {
            self.add(
                "invalid_time",
                format!("\"{t}\" is not a clock time HH:MM."),
            );
        }
        let (h, m) = hm?;
        day?.at(h, m)
    }

    pub fn opt_time_on(&self, day: Option<LocalDate>) -> Option<LocalDateTime> {
        if self.given() {
            self.time_on(day)
        } else {
            None
        }
    }
}

/// "HH:MM" as hour and minute, when it is a clock time.
fn clock_time(t: &str) -> Option<(i64, i64)> {
    let (h, m) = t.split_once(':')?;
    let two = |s: &str| {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i64>().ok())
            .flatten()
    };
    let (h, m) = (two(h)?, two(m)?);
    (h < 24 && m < 60).then_some((h, m))
}
