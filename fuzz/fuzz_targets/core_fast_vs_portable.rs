//! The `core_fast_vs_portable` target; its body, and what it checks, is
//! `cognito_auth_fuzz_harness::core_fast_vs_portable` (crates/fuzz-harness), which the
//! main workspace also compiles and replays the seeds through on stable.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cognito_auth_fuzz_harness::core_fast_vs_portable::run(data)
});
