//! Fuzz target `scenario_and_eval`: see tests/fuzz/targets.rs.
#![no_main]

#[path = "../../tests/fuzz/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::scenario_and_eval(data));
