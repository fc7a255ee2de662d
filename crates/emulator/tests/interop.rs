//! Interop with a client we did not write: pycognito signs in with SRP against
//! the emulator (tests/interop/pycognito_srp.py). The Python comes from
//! `COGNITO_AUTH_PYTHON`, default `.venv/bin/python` at the workspace root; if it
//! or pycognito is missing, this test fails: it never skips.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

#[tokio::test]
async fn pycognito_signs_in_with_srp() {
    let python = cognito_auth_test_support::python_with("pycognito, boto3").await;

    let emulator = cognito_auth_test_support::emulator().await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop/pycognito_srp.py");
    let output = tokio::process::Command::new(&python)
        .arg(&script)
        .arg(emulator.endpoint_url())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "pycognito interop failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("12 passed, 0 failed"), "{stdout}");
    emulator.shutdown().await;
}
