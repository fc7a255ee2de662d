//! Connect and read timeouts: a server that never answers, and one that answers a
//! byte at a time, both end with exit code 8 and one clear line.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod local_server;

use std::time::Duration;

use local_server::{
    Behaviour, LocalServer, bare, refresh_initiate_auth, refresh_initiate_auth_with,
};

const NETWORK_EXIT: i32 = 8;
const TIMEOUT_LINE: &str = "cognito-auth: error: request timed out: no reply within the connect or read timeout (--cli-connect-timeout, --cli-read-timeout; 60 s each by default)\n";

fn initiate_auth(server: &LocalServer, timeouts: &[&str]) -> std::process::Output {
    refresh_initiate_auth(&server.endpoint, timeouts)
}

/// The CLI from an empty home with one attempt per call (`AWS_MAX_ATTEMPTS`, as
/// the AWS CLI reads it): the SDK's retries and their back-off would only make
/// these tests wait; the first test keeps them.
fn single_attempt(home: &std::path::Path) -> std::process::Command {
    let mut command = bare(home);
    command.env("AWS_MAX_ATTEMPTS", "1");
    command
}

fn assert_timed_out(output: &std::process::Output) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(NETWORK_EXIT), "{stderr}");
    assert_eq!(stderr, TIMEOUT_LINE);
    assert!(output.stdout.is_empty());
}

#[test]
fn a_server_that_never_answers_times_out_with_exit_8() {
    let server = LocalServer::start(Behaviour::Stall);
    let output = initiate_auth(&server, &["--cli-read-timeout", "0.25"]);
    assert_timed_out(&output);
    assert!(!server.requests.lock().unwrap().is_empty());
}

#[test]
fn a_reply_trickling_in_byte_by_byte_times_out_with_exit_8() {
    let body = r#"{"AuthenticationResult":{"AccessToken":"a","ExpiresIn":3600,"TokenType":"Bearer"},"ChallengeParameters":{}}"#;
    let server = LocalServer::start(Behaviour::Trickle {
        body: body.to_owned(),
        pause: Duration::from_millis(100),
    });
    let home = tempfile::tempdir().unwrap();
    let output = refresh_initiate_auth_with(
        single_attempt(home.path()),
        &server.endpoint,
        &[
            "--cli-connect-timeout",
            "0.25",
            "--cli-read-timeout",
            "0.25",
        ],
    );
    assert_timed_out(&output);
}

#[test]
fn the_config_file_sets_the_read_timeout() {
    let server = LocalServer::start(Behaviour::Stall);
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(&config, "cli_read_timeout = 0.25\n").unwrap();
    let config = config.to_str().unwrap();
    assert_timed_out(&refresh_initiate_auth_with(
        single_attempt(home.path()),
        &server.endpoint,
        &["--config", config],
    ));

    // A negative value there is a configuration error (exit 7).
    std::fs::write(home.path().join("config.toml"), "cli_read_timeout = -1\n").unwrap();
    let output = refresh_initiate_auth(&server.endpoint, &["--config", config]);
    assert_eq!(output.status.code(), Some(7));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "cognito-auth: error: config file cli_read_timeout: expected a number of seconds (0 for no timeout), got -1\n"
    );
}

#[test]
fn a_preset_sets_the_read_timeout_over_the_file() {
    let server = LocalServer::start(Behaviour::Stall);
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "cli_read_timeout = 0\n[presets.stalled]\npool_id = \"eu-west-1_Abc123456\"\n\
             client_id = \"client\"\nusername = \"alice\"\nendpoint_url = \"{}\"\ncli_read_timeout = 0.25\n",
            server.endpoint
        ),
    )
    .unwrap();
    let output = single_attempt(home.path())
        .env("COGNITO_PASSWORD", "Correct-Horse-9")
        .args(["--config", config.to_str().unwrap(), "--no-cache"])
        .args(["sign-in", "--preset", "stalled"])
        .output()
        .unwrap();
    assert_timed_out(&output);
}

#[test]
fn negative_timeouts_are_usage_errors() {
    let home = tempfile::tempdir().unwrap();
    let output = bare(home.path())
        .args([
            "--cli-read-timeout=-1",
            "initiate-auth",
            "--client-id",
            "c",
            "--auth-flow",
            "X",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("expected a number of seconds (0 for no timeout)"),
    );
}

#[cfg(feature = "emulator")]
mod common;

/// `tokens --verify` downloads the JWKS with the same timeouts.
#[cfg(feature = "emulator")]
#[test]
fn the_jwks_download_times_out_with_exit_8() {
    use common::{Env, PASSWORD, ok_json, run};
    let env = Env::new();
    ok_json(&env.run_sign_in(Env::sign_in_args("alice"), &["--password-stdin"], PASSWORD));
    let server = LocalServer::start(Behaviour::Stall);
    let mut command = env.bare();
    command.args([
        "--endpoint-url",
        &server.endpoint,
        "--cli-connect-timeout",
        "0.25",
        "--cli-read-timeout",
        "0.25",
        "tokens",
        "--verify",
    ]);
    let output = run(command);
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        TIMEOUT_LINE,
        "{output:?}"
    );
    assert_eq!(output.status.code(), Some(NETWORK_EXIT));
    let request = server.requests.lock().unwrap().concat();
    assert!(
        request.starts_with("GET /us-east-1_TestPool1/.well-known/jwks.json"),
        "{request}"
    );
}
