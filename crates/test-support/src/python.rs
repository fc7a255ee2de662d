//! The Python peer of the interop and trigger tests.

use std::path::PathBuf;

/// The Python for interop and trigger tests: `COGNITO_AUTH_PYTHON`, else
/// `.venv/bin/python` at the workspace root (what `.ci/run` makes). A missing
/// one fails the test that needs it, with this hint: it never skips.
pub fn python() -> PathBuf {
    let python = match std::env::var_os("COGNITO_AUTH_PYTHON") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python"),
    };
    assert!(
        python.exists(),
        "no Python at {} (set COGNITO_AUTH_PYTHON, or run: python3 -m venv .venv && .venv/bin/pip install -r scripts/interop-requirements.txt)",
        python.display()
    );
    python
}

/// [`python`], checked to import every module of `modules` (e.g.
/// `"pycognito, boto3"`); a missing module fails the test with pip's hint.
pub async fn python_with(modules: &str) -> PathBuf {
    let python = python();
    let check = tokio::process::Command::new(&python)
        .args(["-c", &format!("import {modules}")])
        .output()
        .await
        .unwrap();
    assert!(
        check.status.success(),
        "{modules} not installed for {} (pip install -r scripts/interop-requirements.txt): {}",
        python.display(),
        String::from_utf8_lossy(&check.stderr)
    );
    python
}

/// The hint for a Python peer script that failed because a module is missing
/// (the scripts import their peers first thing; checking the imports in a
/// Python of their own doubled the interop tests' CPU time).
pub fn missing_module_hint(stderr: &str) -> &'static str {
    if stderr.contains("ModuleNotFoundError") {
        "a peer is not installed: pip install -r scripts/interop-requirements.txt"
    } else {
        ""
    }
}
