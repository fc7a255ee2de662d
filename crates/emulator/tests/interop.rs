//! Interop with a client we did not write: pycognito signs in with SRP against
//! the emulator (tests/interop/pycognito_srp.py). The Python comes from
//! `COGNITO_AUTH_PYTHON`, default `.venv/bin/python` at the workspace root; if it
//! or pycognito is missing, this test fails: it never skips.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;

#[tokio::test]
async fn pycognito_signs_in_with_srp() {
    let python = common::python();
    let check = tokio::process::Command::new(&python)
        .args(["-c", "import pycognito, boto3"])
        .output()
        .await
        .unwrap();
    assert!(
        check.status.success(),
        "pycognito is not installed for {}: {}",
        python.display(),
        String::from_utf8_lossy(&check.stderr)
    );

    let emulator = common::emulator().await;
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
