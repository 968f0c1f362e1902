//! Proves that strict number entry and ISMP display never panic: any text
//! through `parse_decimal` / `parse_whole`, any f64 and any decimal count
//! through `format` / `with_unit`. Also checks the entry contract: an accepted
//! entry is a finite, non-negative number (no NaN or infinity reaches a dose).
#![no_main]

use arbitrary::Arbitrary;
use ketamine_planner::numbers::{format, parse_decimal, parse_whole, with_unit};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    text: &'a str,
    value: f64,
    decimals: usize,
}

fuzz_target!(|input: Input| {
    if let Ok(v) = parse_decimal(input.text) {
        assert!(
            v.is_finite() && v >= 0.0,
            "invariant: parse_decimal({:?}) accepted {v}",
            input.text
        );
        let _ = format(v, input.decimals);
    }
    if let Ok(v) = parse_whole(input.text) {
        assert!(
            v.is_finite() && v.fract() == 0.0,
            "invariant: parse_whole({:?}) accepted {v}",
            input.text
        );
    }
    assert!(!format(input.value, input.decimals).is_empty());
    let _ = with_unit(input.value, input.decimals, input.text);
});
