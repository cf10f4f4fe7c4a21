//! Helpers shared by the integration tests.

#![allow(dead_code)]

use proptest::test_runner::Config;

/// The proptest configuration: a bounded number of cases for CI, more with
/// `PROPTEST_CASES=N` for a deeper local run.
pub(crate) fn proptest_config(default_cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default_cases);
    Config { cases, failure_persistence: None, ..Config::default() }
}
