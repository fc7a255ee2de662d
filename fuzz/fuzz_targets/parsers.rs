//! The `parsers` target; its body, and what it checks, is
//! `cognito_auth_fuzz_harness::parsers` (crates/fuzz-harness), which the main
//! workspace also compiles and replays the seeds through on stable.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cognito_auth_fuzz_harness::parsers::run(data));
