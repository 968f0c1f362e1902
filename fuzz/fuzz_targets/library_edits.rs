//! Proves that a library which passes validation never makes the planner
//! panic. Byte-level mutation of library JSON mostly breaks the syntax, so
//! this target starts from the shipped data/library.json and applies a few
//! structured edits (set any node to a number, a known word, any text, a
//! boolean, null or an empty list; remove any node), loads the result with
//! `Library::from_json`, and if it loads plans every protocol in it.
#![no_main]

use arbitrary::Arbitrary;
use ketamine_planner::protocol::{Library, DEFAULT_LIBRARY_JSON};
use ketamine_planner_fuzz::{plan_every_protocol, Choice, Num};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::sync::LazyLock;

/// The shipped library as JSON, the pointer of every node in it, and every
/// short string it holds (ids, units, tags, schedules) as known words.
static SHIPPED: LazyLock<(Value, Vec<String>, Vec<String>)> = LazyLock::new(|| {
    let value: Value = serde_json::from_str(DEFAULT_LIBRARY_JSON).expect("shipped library is JSON");
    let (mut pointers, mut words) = (Vec::new(), Vec::new());
    walk(&value, String::new(), &mut pointers, &mut words);
    words.sort();
    words.dedup();
    (value, pointers, words)
});

fn walk(v: &Value, at: String, pointers: &mut Vec<String>, words: &mut Vec<String>) {
    match v {
        Value::Object(map) => map
            .iter()
            .for_each(|(k, c)| walk(c, format!("{at}/{k}"), pointers, words)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, c)| walk(c, format!("{at}/{i}"), pointers, words)),
        Value::String(s) if s.len() <= 30 => words.push(s.clone()),
        _ => {}
    }
    if !at.is_empty() {
        pointers.push(at);
    }
}

#[derive(Arbitrary, Debug)]
enum Edit {
    Set { node: u16, to: New },
    Remove { node: u16 },
}

#[derive(Arbitrary, Debug)]
enum New {
    Number(Num),
    Word(Choice),
    Bool(bool),
    Null,
    EmptyList,
}

fn apply(lib: &mut Value, edit: &Edit, pointers: &[String], words: &[&str]) {
    let at = |node: u16| &pointers[usize::from(node) % pointers.len()];
    match edit {
        Edit::Set { node, to } => {
            if let Some(slot) = lib.pointer_mut(at(*node)) {
                *slot = match to {
                    // Non-finite numbers have no JSON form; they become null.
                    New::Number(n) => {
                        serde_json::Number::from_f64(n.value()).map_or(Value::Null, Value::Number)
                    }
                    New::Word(c) => Value::String(c.pick(words)),
                    New::Bool(b) => Value::Bool(*b),
                    New::Null => Value::Null,
                    New::EmptyList => Value::Array(Vec::new()),
                }
            }
        }
        Edit::Remove { node } => {
            let path = at(*node);
            let (parent, key) = path.rsplit_once('/').unwrap_or(("", path));
            match lib.pointer_mut(parent) {
                Some(Value::Object(map)) => {
                    map.remove(key);
                }
                Some(Value::Array(items)) => {
                    if let Ok(i) = key.parse::<usize>() {
                        if i < items.len() {
                            items.remove(i);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fuzz_target!(|edits: Vec<Edit>| {
    let (shipped, pointers, words) = &*SHIPPED;
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let mut lib = shipped.clone();
    for edit in edits.iter().take(8) {
        apply(&mut lib, edit, pointers, &words);
    }
    if let Ok(lib) = Library::from_json(&lib.to_string()) {
        plan_every_protocol(&lib);
    }
});
