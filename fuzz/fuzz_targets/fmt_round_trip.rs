//! Fuzz target `fmt_round_trip`: see tests/fuzz/targets.rs.
#![no_main]

#[path = "../../tests/fuzz/targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::fmt_round_trip(data));
