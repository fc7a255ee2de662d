//! `cognito-auth token` end to end against the in-process emulator, and parallel
//! `sign-in --remember-device` runs sharing one device file.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod sessions;

use std::process::Output;

use common::{CLIENT, Env, PASSWORD, POOL, ok_json, run, run_with_stdin, stderr, stdout};
use serde_json::Value;
use sessions::sign_in;

/// The claims of the one JWT `output` printed, after checking that stdout is
/// exactly that token and a newline.
fn printed_claims(output: &Output) -> Value {
    assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
    let text = stdout(output);
    let token = text
        .strip_suffix('\n')
        .unwrap_or_else(|| panic!("no final newline: {text:?}"));
    assert!(!token.contains(char::is_whitespace), "{text:?}");
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "not a JWT: {token}");
    let payload = data_encoding::BASE64URL_NOPAD
        .decode(parts[1].as_bytes())
        .unwrap();
    serde_json::from_slice(&payload).unwrap()
}

fn cache_file(env: &Env, user: &str) -> std::path::PathBuf {
    sessions::data_dir(env)
        .join("tokens")
        .join(POOL)
        .join(CLIENT)
        .join(format!("{user}.json"))
}

#[test]
fn token_prints_refreshes_and_asks_for_sign_in_once_signed_out() {
    let env = Env::new();
    ok_json(&sign_in(&env, "alice", &[]));

    // No selector: the most recent sign-in; the ID token by default.
    let id = printed_claims(&env.run_args(["token"]));
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["aud"], CLIENT);

    let access = printed_claims(&env.run_args(["token", "--use", "access"]));
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["username"], "alice");

    // Two hours is more than an access token lives: a refresh, a new token.
    let refreshed =
        printed_claims(&env.run_args(["token", "--use", "access", "--min-valid", "7200"]));
    assert_eq!(refreshed["token_use"], "access");
    assert_eq!(refreshed["username"], "alice");
    assert_ne!(refreshed["jti"], access["jti"]);
    // The refresh was kept: with the default margin, the same token again.
    let again = printed_claims(&env.run_args(["token", "--use", "access", "--pool-id", POOL]));
    assert_eq!(again["jti"], refreshed["jti"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(cache_file(&env, "alice"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Keep the cache entry, so that the refresh token survives sign-out locally.
    let kept = std::fs::read(cache_file(&env, "alice")).unwrap();
    assert_eq!(
        ok_json(&env.run_args(["sign-out"]))["Operation"],
        "RevokeToken"
    );

    // Nothing cached: the challenge exit code and one line naming `sign-in`.
    let output = env.run_args(["token"]);
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("cognito-auth sign-in"),
        "{}",
        stderr(&output)
    );

    // The revoked refresh token, cached again: refused, the same exit code, and
    // the dead entry is gone.
    std::fs::write(cache_file(&env, "alice"), kept).unwrap();
    let output = env.run_args(["token", "--min-valid", "7200"]);
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
    assert!(stderr(&output).contains("refused"), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("cognito-auth sign-in"),
        "{}",
        stderr(&output)
    );
    assert!(!cache_file(&env, "alice").exists());

    // --interactive falls back to a full sign-in (password from the environment).
    let mut command = env.cmd();
    command
        .args(["token", "--interactive", "--use", "access"])
        .args([
            "--pool-id",
            POOL,
            "--client-id",
            CLIENT,
            "--username",
            "alice",
        ])
        .env("COGNITO_PASSWORD", PASSWORD);
    let fresh = printed_claims(&run(command));
    assert_eq!(fresh["token_use"], "access");
    assert_eq!(fresh["username"], "alice");
    assert!(cache_file(&env, "alice").exists());
}

#[test]
fn token_never_prompts_and_min_valid_must_be_a_number() {
    let env = Env::new();
    let output = env.run_args([
        "token",
        "--pool-id",
        POOL,
        "--client-id",
        CLIENT,
        "--username",
        "dave",
    ]);
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
    let output = env.run_args(["token", "--min-valid", "soon"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

#[test]
fn parallel_remember_device_runs_each_keep_their_device() {
    let env = Env::new();
    let users = ["alice", "dave", "frank", "erin"];
    let outputs: Vec<Output> = std::thread::scope(|scope| {
        let runs: Vec<_> = users
            .iter()
            .map(|user| {
                let mut command = env.cmd();
                command
                    .args(Env::sign_in_args(user))
                    .args(["--password-stdin", "--remember-device"]);
                scope.spawn(move || run_with_stdin(command, PASSWORD))
            })
            .collect();
        runs.into_iter().map(|run| run.join().unwrap()).collect()
    });
    let mut device_keys = Vec::new();
    for output in &outputs {
        let value = ok_json(output);
        device_keys.push(
            value["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"]
                .as_str()
                .unwrap_or_else(|| panic!("no new device: {value}"))
                .to_owned(),
        );
    }
    let listed = ok_json(&env.run_args(["devices", "list"]))["Devices"].clone();
    let mut kept: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["DeviceKey"].as_str().unwrap())
        .collect();
    kept.sort_unstable();
    device_keys.sort_unstable();
    assert_eq!(kept, device_keys);
    for user in users {
        assert!(
            listed
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["Username"] == user),
            "{user} lost its device: {listed}"
        );
    }
}
