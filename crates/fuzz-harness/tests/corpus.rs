//! Every committed seed in `fuzz/corpus/<target>/` replayed through its target's
//! body on stable, so a target that stops compiling, or a seed that panics, fails
//! `cargo test` without nightly or cargo-fuzz.

#![allow(clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use cognito_auth_fuzz_harness::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// Runs every seed of `target`; fails naming each seed that panicked.
fn replay(target: &str) {
    let (_, run) = TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .unwrap_or_else(|| panic!("no harness body named {target}"));
    let folder = fuzz_dir().join("corpus").join(target);
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|err| panic!("cannot list {}: {err}", folder.display()))
        .map(|entry| entry.expect("a corpus entry").path())
        .collect();
    seeds.sort();
    assert!(!seeds.is_empty(), "{} holds no seeds", folder.display());
    let failed: Vec<String> = seeds
        .iter()
        .filter(|seed| {
            let data = std::fs::read(seed)
                .unwrap_or_else(|err| panic!("cannot read {}: {err}", seed.display()));
            catch_unwind(AssertUnwindSafe(|| run(&data))).is_err()
        })
        .map(|seed| seed.display().to_string())
        .collect();
    assert!(
        failed.is_empty(),
        "{target}: {} of {} seeds panicked: {failed:#?}",
        failed.len(),
        seeds.len()
    );
}

#[test]
fn core_fast_vs_portable_seeds() {
    replay("core_fast_vs_portable");
}

#[test]
fn challenge_to_claim_seeds() {
    replay("challenge_to_claim");
}

#[test]
fn core_differential_seeds() {
    replay("core_differential");
}

#[test]
fn server_verify_seeds() {
    replay("server_verify");
}

#[test]
fn parsers_seeds() {
    replay("parsers");
}

#[test]
fn emulator_api_seeds() {
    /// Removes the emulator's work folder in /dev/shm even when a seed fails.
    struct Cleanup;
    impl Drop for Cleanup {
        fn drop(&mut self) {
            cognito_auth_fuzz_harness::emulator_api::remove_work_dir();
        }
    }
    let _cleanup = Cleanup;
    replay("emulator_api");
}

/// The corpus folders, the `[[bin]]` targets of `fuzz/Cargo.toml`, the targets
/// `scripts/fuzz` runs and [`TARGETS`] name the same set, so no target goes
/// unreplayed or unfuzzed.
#[test]
fn every_target_has_a_body_a_corpus_and_a_run() {
    let bodies: BTreeSet<String> = TARGETS.iter().map(|(name, _)| name.to_string()).collect();
    let corpora: BTreeSet<String> = std::fs::read_dir(fuzz_dir().join("corpus"))
        .expect("fuzz/corpus")
        .map(|entry| {
            entry
                .expect("a corpus folder")
                .file_name()
                .into_string()
                .expect("UTF-8 name")
        })
        .collect();
    assert_eq!(corpora, bodies, "fuzz/corpus/* against the harness bodies");

    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("fuzz/Cargo.toml");
    let bins: BTreeSet<String> = manifest
        .split("[[bin]]")
        .skip(1)
        .map(|table| {
            let name = table
                .lines()
                .find_map(|line| line.trim().strip_prefix("name = "))
                .expect("a [[bin]] name");
            name.trim_matches('"').to_owned()
        })
        .collect();
    assert_eq!(bins, bodies, "fuzz/Cargo.toml [[bin]] targets");

    let script = std::fs::read_to_string(fuzz_dir().join("../scripts/fuzz")).expect("scripts/fuzz");
    let listed = script
        .lines()
        .find_map(|line| line.strip_prefix("all_targets=("))
        .expect("scripts/fuzz lists all_targets");
    let run: BTreeSet<String> = listed
        .trim_end_matches(')')
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    assert_eq!(run, bodies, "the targets scripts/fuzz runs");
}
