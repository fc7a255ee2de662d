//! The bodies of the cargo-fuzz targets in `fuzz/`, one module per target with a
//! `run(&[u8])` that panics on a finding.
//!
//! `fuzz/` is its own nightly-only workspace; its targets are thin
//! `fuzz_target!` wrappers around these functions. This crate belongs to the main
//! workspace, so clippy and `cargo test` on stable compile every body, and
//! `tests/corpus.rs` replays every seed in `fuzz/corpus/<target>/` through the
//! matching one.

#![forbid(unsafe_code)]
#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a fuzz harness reports a finding by panicking"
)]

pub mod challenge_to_claim;
pub mod core_differential;
pub mod core_fast_vs_portable;
pub mod emulator_api;
pub mod parsers;
pub mod server_verify;
pub mod support;

/// A target's body: runs one input, panics on a finding.
pub type Body = fn(&[u8]);

/// Every target: its name (the folder under `fuzz/corpus/` and the `[[bin]]` in
/// `fuzz/Cargo.toml`) and its body.
pub const TARGETS: [(&str, Body); 6] = [
    ("challenge_to_claim", challenge_to_claim::run),
    ("core_differential", core_differential::run),
    ("core_fast_vs_portable", core_fast_vs_portable::run),
    ("server_verify", server_verify::run),
    ("parsers", parsers::run),
    ("emulator_api", emulator_api::run),
];
