//! Every acknowledged write survives kill -9: the binary runs as a child process
//! on a SQLite file, users and a device are written, the process is killed while
//! writes are still going, and a restart on the same file finds all of them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use cognito_auth_test_support::*;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Starts the binary and returns it with its endpoint URL.
async fn spawn(data: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cognito-auth-emulator"))
        .args(["--port", "0", "--data"])
        .arg(data)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(std::time::Duration::from_secs(30), lines.next_line())
        .await
        .expect("emulator printed its endpoint")
        .unwrap()
        .unwrap();
    let endpoint = line.strip_prefix("listening on ").unwrap().to_owned();
    (child, endpoint)
}

#[tokio::test]
async fn acknowledged_writes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("cognito.sqlite");
    let (mut child, endpoint) = spawn(&data).await;
    let sdk = sdk(&endpoint);
    let pool = PoolOptions {
        devices: true,
        ..PoolOptions::default()
    };
    let setup = setup(&sdk, pool, ClientOptions::default()).await;
    create_user(&sdk, &setup, "owner", &[]).await;
    let tokens = expect_tokens(srp_sign_in(&sdk, &setup, "owner", PASSWORD, None).await);
    let access = tokens.access_token().unwrap().to_owned();
    let refresh = tokens.refresh_token().unwrap().to_owned();
    let metadata = tokens.new_device_metadata().unwrap();
    let device_key = metadata.device_key().unwrap().to_owned();
    let registration =
        cognito_auth_srp::register_device(metadata.device_group_key().unwrap(), &device_key)
            .unwrap();
    confirm_device(&sdk, &access, &device_key, None, &registration).await;

    // Write users until killed; remember which writes were acknowledged.
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let writer = {
        let sdk = sdk.clone();
        let pool_id = setup.pool_id.clone();
        let acknowledged = Arc::clone(&acknowledged);
        tokio::spawn(async move {
            for n in 0..10_000 {
                let name = format!("user{n}");
                let created = sdk
                    .admin_create_user()
                    .user_pool_id(&pool_id)
                    .username(&name)
                    .temporary_password("Temporary-Pass-1")
                    .send()
                    .await;
                match created {
                    Ok(_) => acknowledged.lock().unwrap().push(name),
                    Err(_) => break,
                }
            }
        })
    };
    // A writer that stops early (its requests fail) or stalls must fail the
    // test, not hang it.
    let enough = async {
        while acknowledged.lock().unwrap().len() < 25 && !writer.is_finished() {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    };
    let stalled = tokio::time::timeout(std::time::Duration::from_secs(120), enough)
        .await
        .is_err();
    let count = acknowledged.lock().unwrap().len();
    assert!(
        !stalled && count >= 25,
        "only {count} of 25 users acknowledged ({})",
        if stalled {
            "the writer stalled for 120 s"
        } else {
            "the writer stopped: a create failed"
        }
    );
    child.start_kill().unwrap(); // SIGKILL
    child.wait().await.unwrap();
    writer.await.unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 25);

    let (_restarted, endpoint) = spawn(&data).await;
    let sdk = sdk_for(&endpoint);
    for name in &acknowledged {
        let user = sdk
            .admin_get_user()
            .user_pool_id(&setup.pool_id)
            .username(name)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{name} lost: {e:?}"));
        assert_eq!(user.username(), name);
    }
    // Keys, refresh tokens and the device persisted too: the old access token
    // still verifies, and the device is listed.
    let devices = sdk
        .list_devices()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(devices.devices().len(), 1);
    assert_eq!(devices.devices()[0].device_key(), Some(device_key.as_str()));
    let refreshed = initiate(
        &sdk,
        &setup.client_id,
        aws_sdk_cognitoidentityprovider::types::AuthFlowType::RefreshTokenAuth,
        &[("REFRESH_TOKEN", &refresh), ("DEVICE_KEY", &device_key)],
    )
    .await
    .unwrap();
    assert!(refreshed.authentication_result().is_some());
    expect_tokens(srp_sign_in(&sdk, &setup, "owner", PASSWORD, None).await);
}

fn sdk_for(endpoint: &str) -> aws_sdk_cognitoidentityprovider::Client {
    sdk(endpoint)
}
