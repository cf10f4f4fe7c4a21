//! Fuzz target `parse_and_check`: see tests/fuzz/targets.rs.
#![no_main]

#[path = "../../tests/fuzz/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::parse_and_check(data));
