//! Interop with clients we did not write: pycognito signs in with SRP against
//! the emulator (tests/interop/pycognito_srp.py), and boto3 drives groups,
//! ListUsers, ChangePassword and DeleteUser (tests/interop/boto3_groups_password.py)
//! and the account lifecycle (tests/interop/boto3_account.py).
//! The Python comes from `COGNITO_AUTH_PYTHON`, default `.venv/bin/python` at
//! the workspace root; if it, pycognito or boto3 is missing, these tests fail:
//! they never skip.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

/// Runs `tests/interop/<script>` against a fresh emulator and returns what it
/// printed; fails the test if the script fails.
async fn run_script(script: &str) -> String {
    let python = cognito_auth_test_support::python();

    let emulator = cognito_auth_test_support::emulator().await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/interop")
        .join(script);
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
        "{} failed: {}\n{stdout}\n{stderr}",
        script.display(),
        cognito_auth_test_support::missing_module_hint(&stderr)
    );
    emulator.shutdown().await;
    stdout.into_owned()
}

#[tokio::test]
async fn pycognito_signs_in_with_srp() {
    let stdout = run_script("pycognito_srp.py").await;
    assert!(stdout.contains("12 passed, 0 failed"), "{stdout}");
}

/// boto3 drives groups, ListUsers, ChangePassword and DeleteUser
/// (tests/interop/boto3_groups_password.py), signing in with pycognito.
#[tokio::test]
async fn boto3_groups_list_users_and_change_password() {
    let stdout = run_script("boto3_groups_password.py").await;
    assert!(stdout.contains("19 passed, 0 failed"), "{stdout}");
}

/// boto3 signs up, confirms with the outbox's code, changes and resets the
/// password (tests/interop/boto3_account.py): the sequence our client runs
/// against MiniStack in crates/flows/tests/ministack.rs.
#[tokio::test]
async fn boto3_sign_up_confirm_change_and_reset_the_password() {
    let stdout = run_script("boto3_account.py").await;
    assert!(stdout.contains("16 passed, 0 failed"), "{stdout}");
}
