//! `initiate-auth` / `respond-to-auth-challenge` like the AWS CLI, and the
//! `emulator` subcommand, end to end against an emulator started in the test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;

/// `initiate-auth` args for `client` with `flow`, then `rest`: the AWS CLI
/// shape every raw-call test starts from.
fn initiate_auth_args<'a>(client: &'a str, flow: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["initiate-auth", "--client-id", client, "--auth-flow", flow];
    args.extend_from_slice(rest);
    args
}

#[test]
fn initiate_auth_and_respond_like_the_aws_cli() {
    let env = Env::new();
    // Shorthand.
    let value = ok_json(&env.run_args(initiate_auth_args(
        CLIENT,
        "USER_PASSWORD_AUTH",
        &[
            "--allow-secrets-on-argv",
            "--auth-parameters",
            &format!("USERNAME=alice,PASSWORD={PASSWORD}"),
            "--client-metadata",
            "k=v",
            "--analytics-endpoint-id",
            "e1",
            "--user-context-data",
            "IpAddress=192.0.2.7",
        ],
    )));
    assert!(
        value["AuthenticationResult"]["AccessToken"].is_string(),
        "{value:#}"
    );
    assert!(value["ChallengeParameters"].is_object());
    let refresh = value["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    // The pool tracks devices: the refresh token is bound to the new device.
    let device = value["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"]
        .as_str()
        .unwrap()
        .to_owned();

    // JSON parameters plus a repeatable one; --query and text output.
    let output = env.run_args(initiate_auth_args(
        CLIENT,
        "REFRESH_TOKEN_AUTH",
        &[
            "--auth-parameters",
            &format!("{{\"REFRESH_TOKEN\": \"{refresh}\"}}"),
            "--auth-parameter",
            &format!("DEVICE_KEY={device}"),
            "--query",
            "AuthenticationResult.TokenType",
            "--output",
            "text",
        ],
    ));
    assert_eq!(stdout(&output), "Bearer\n", "{}", stderr(&output));

    // SECRET_HASH is added from COGNITO_CLIENT_SECRET.
    let mut command = env.cmd();
    command
        .env("COGNITO_CLIENT_SECRET", CLIENT_SECRET)
        .args(initiate_auth_args(
            SECRET_CLIENT,
            "USER_PASSWORD_AUTH",
            &[
                "--auth-parameter",
                "USERNAME=alice",
                "--allow-secrets-on-argv",
                "--auth-parameter",
                &format!("PASSWORD={PASSWORD}"),
                "--select",
                "AuthenticationResult.TokenType",
                "--output",
                "text",
            ],
        ));
    let output = run(command);
    assert_eq!(stdout(&output), "Bearer\n", "{}", stderr(&output));

    // A challenge, then respond-to-auth-challenge.
    let value = ok_json(&env.run_args(initiate_auth_args(
        CLIENT,
        "USER_PASSWORD_AUTH",
        &[
            "--allow-secrets-on-argv",
            "--auth-parameters",
            "USERNAME=carol,PASSWORD=Temporary-Pass-1",
        ],
    )));
    assert_eq!(value["ChallengeName"], "NEW_PASSWORD_REQUIRED", "{value:#}");
    let session = value["Session"].as_str().unwrap().to_owned();
    let output = env.run_args([
        "respond-to-auth-challenge",
        "--client-id",
        CLIENT,
        "--challenge-name",
        "NEW_PASSWORD_REQUIRED",
        "--allow-secrets-on-argv",
        "--challenge-responses",
        "USERNAME=carol,NEW_PASSWORD=Another-Pass-8",
        "--session",
        &session,
        "--select",
        "AuthenticationResult.TokenType",
        "--output",
        "text",
    ]);
    assert_eq!(stdout(&output), "Bearer\n", "{}", stderr(&output));

    // Wrong password through the raw call: exit 3, one line.
    let output = env.run_args(initiate_auth_args(
        CLIENT,
        "USER_PASSWORD_AUTH",
        &[
            "--allow-secrets-on-argv",
            "--auth-parameters",
            "USERNAME=alice,PASSWORD=nope-nope-1",
        ],
    ));
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(stderr(&output).lines().count(), 1);

    // Bad shorthand: usage.
    assert_eq!(
        env.run_args(initiate_auth_args(
            CLIENT,
            "USER_PASSWORD_AUTH",
            &["--auth-parameters", "USERNAME"]
        ))
        .status
        .code(),
        Some(2)
    );
}

/// `cognito-auth emulator --port 0` plus `args`, with HOME at `home`; the child
/// and the first line it printed (`listening on <endpoint>`).
fn spawn_emulator(
    home: &std::path::Path,
    args: &[&str],
    stderr: Stdio,
) -> (std::process::Child, String) {
    let mut child = Command::new(bin())
        .env_clear()
        .env("HOME", home)
        .args(["emulator", "--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line)
}

#[test]
fn emulator_subcommand_serves() {
    let home = tempfile::tempdir().unwrap();
    let seed = home.path().join("seed.toml");
    write(&seed, SEED);
    let (mut child, line) = spawn_emulator(
        home.path(),
        &["--seed", seed.to_str().unwrap()],
        Stdio::null(),
    );
    let endpoint = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{line}");
    let mut command = Command::new(bin());
    command
        .env_clear()
        .env("HOME", home.path())
        .args(["--endpoint-url", &endpoint, "--no-cache"])
        .args(Env::sign_in_args("alice"))
        .arg("--password-stdin");
    let output = run_with_stdin(command, PASSWORD);
    child.kill().unwrap();
    let _ = child.wait();
    ok_json(&output);
}

#[test]
fn emulator_warns_when_not_on_loopback() {
    let home = tempfile::tempdir().unwrap();
    let (mut child, line) = spawn_emulator(home.path(), &["--bind", "0.0.0.0"], Stdio::piped());
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(line.starts_with("listening on http://0.0.0.0:"), "{line}");
    assert!(stderr(&output).contains("warning"), "{}", stderr(&output));
}
