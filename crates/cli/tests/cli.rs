//! Every subcommand end to end against an emulator started in the test, with no
//! AWS configuration or credentials anywhere.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command;

use common::*;
use serde_json::Value;

#[test]
fn demo_runs_and_exits_zero() {
    let home = tempfile::tempdir().unwrap();
    let output = Command::new(bin())
        .env_clear()
        .env("HOME", home.path())
        .env("NO_COLOR", "1")
        .arg("demo")
        .output()
        .unwrap();
    let out = stdout(&output);
    assert!(output.status.success(), "{out}\n{}", stderr(&output));
    for title in [
        "SRP sign-in (USER_SRP_AUTH)",
        "DEVICE_SRP_AUTH",
        "MFA_SETUP",
        "SOFTWARE_TOKEN_MFA",
        "CUSTOM_AUTH",
        "Refresh",
        "Wrong password refused",
        "Sign-up, confirm with the emailed code, sign-in",
    ] {
        assert!(out.contains(title), "missing {title}: {out}");
    }
    assert!(!out.contains('\x1b'), "colour off a terminal: {out}");
}

#[test]
fn demo_json_marks_the_steps_ok() {
    let home = tempfile::tempdir().unwrap();
    let output = Command::new(bin())
        .env_clear()
        .env("HOME", home.path())
        .args(["demo", "--json"])
        .output()
        .unwrap();
    let value = ok_json(&output);
    assert_eq!(value["ok"], Value::Bool(true), "{value:#}");
    let steps = value["steps"].as_array().unwrap();
    let status = |key: &str| {
        steps
            .iter()
            .find(|s| s["step"] == key)
            .unwrap_or_else(|| panic!("no step {key}"))["status"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for key in [
        "srp_sign_in",
        "remember_device",
        "device_srp_sign_in",
        "totp_mfa_setup",
        "totp_mfa_sign_in",
        "refresh",
        "wrong_password_refused",
        "custom_auth",
        "sign_up_lifecycle",
    ] {
        assert_eq!(status(key), "ok", "{key}: {value:#}");
    }
    assert!(steps.iter().all(|s| s["millis"].as_f64().is_some()));
}

#[test]
fn sign_in_with_password_on_stdin_prints_aws_shaped_tokens() {
    let env = Env::new();
    let value = ok_json(&sign_in(&env, "alice", &["--password-stdin"]));
    let result = &value["AuthenticationResult"];
    for field in ["AccessToken", "IdToken", "RefreshToken", "TokenType"] {
        assert!(result[field].is_string(), "{field}: {value:#}");
    }
    assert_eq!(result["ExpiresIn"], 3600);
    assert_eq!(result["TokenType"], "Bearer");
}

#[test]
fn no_aws_configuration_anywhere_is_fine() {
    // env_clear: no AWS_* variables; HOME is an empty directory: no ~/.aws.
    let env = Env::new();
    assert_eq!(std::fs::read_dir(env.home.path()).unwrap().count(), 0);
    let output = sign_in(&env, "alice", &["--password-stdin", "--no-cache"]);
    ok_json(&output);
    // The endpoint may come from AWS_ENDPOINT_URL as the AWS CLI reads it.
    let mut command = env.bare();
    command
        .env("AWS_ENDPOINT_URL", &env.endpoint)
        .args(Env::sign_in_args("alice"))
        .arg("--password-stdin");
    ok_json(&run_with_stdin(command, PASSWORD));
}

#[test]
fn password_from_the_environment_and_select_query_text() {
    let env = Env::new();
    let sign_in_with_password_env = |extra: &[&str]| {
        let mut command = env.cmd();
        command
            .env("COGNITO_PASSWORD", PASSWORD)
            .args(Env::sign_in_args("alice"))
            .args(extra);
        run(command)
    };
    let output = sign_in_with_password_env(&[
        "--select",
        "AuthenticationResult.TokenType",
        "--output",
        "text",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "Bearer\n");

    let output = sign_in_with_password_env(&[
        "--query",
        "AuthenticationResult.[TokenType, ExpiresIn]",
        "--output",
        "text",
    ]);
    assert_eq!(stdout(&output), "Bearer\t3600\n", "{}", stderr(&output));

    let value = ok_json(&sign_in_with_password_env(&[
        "--select",
        "AuthenticationResult",
    ]));
    assert!(value["IdToken"].is_string());

    let output = sign_in_with_password_env(&["--select", "AuthenticationResult.Nope"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn wrong_password_exits_3_with_one_line() {
    let env = Env::new();
    let output = env.run_sign_in(
        Env::sign_in_args("dave"),
        &["--password-stdin"],
        "wrong-password\n",
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("incorrect username or password"), "{err}");
    assert!(stdout(&output).is_empty());
}

#[test]
fn no_password_and_no_terminal_is_a_usage_error() {
    let env = Env::new();
    let mut command = env.cmd();
    command.args(Env::sign_in_args("alice"));
    let output = run(command);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(stderr(&output).lines().count(), 1);
}

#[test]
fn password_flow_custom_metadata_and_unknown_user() {
    let env = Env::new();
    ok_json(&sign_in(
        &env,
        "alice",
        &[
            "--password-stdin",
            "--flow",
            "password",
            "--client-metadata",
            "purpose=test,source=cli",
            "--analytics-endpoint-id",
            "endpoint-1",
            "--user-context-data",
            "IpAddress=192.0.2.1,EncodedData=abc",
        ],
    ));
    // What reached the server, not only what the CLI accepted.
    let sent = env.requests("InitiateAuth");
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(sent[0]["AuthFlow"], "USER_PASSWORD_AUTH", "{:#}", sent[0]);
    assert_eq!(
        sent[0]["ClientMetadata"],
        serde_json::json!({"purpose": "test", "source": "cli"}),
        "{:#}",
        sent[0]
    );
    assert_eq!(
        sent[0]["AnalyticsMetadata"]["AnalyticsEndpointId"], "endpoint-1",
        "{:#}",
        sent[0]
    );
    assert_eq!(
        sent[0]["UserContextData"],
        serde_json::json!({"IpAddress": "192.0.2.1", "EncodedData": "abc"}),
        "{:#}",
        sent[0]
    );
    let output = sign_in(&env, "nobody", &["--password-stdin"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
}

#[test]
fn client_secret_from_env_file_and_preset() {
    let env = Env::new();
    let secret_file = env.path("secret.txt");
    write(&secret_file, &format!("{CLIENT_SECRET}\n"));
    let base = [
        "sign-in",
        "--pool-id",
        POOL,
        "--client-id",
        SECRET_CLIENT,
        "--username",
        "alice",
        "--password-stdin",
    ];

    // Without the secret: a configuration error.
    let mut command = env.cmd();
    command.args(base);
    let output = run_with_stdin(command, PASSWORD);
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));

    let mut command = env.cmd();
    command
        .env("COGNITO_CLIENT_SECRET", CLIENT_SECRET)
        .args(base);
    ok_json(&run_with_stdin(command, PASSWORD));

    let mut command = env.cmd();
    command
        .args(base)
        .arg("--client-secret-file")
        .arg(&secret_file);
    ok_json(&run_with_stdin(command, PASSWORD));

    // A preset names the pool, client, user, endpoint and where the secret is.
    let config = env.path("config.toml");
    write(
        &config,
        &format!(
            "[presets.dev]\npool_id = \"{POOL}\"\nclient_id = \"{SECRET_CLIENT}\"\nusername = \"alice\"\nclient_secret_file = \"{}\"\nendpoint_url = \"{}\"\n",
            secret_file.display(),
            env.endpoint
        ),
    );
    let mut command = env.bare();
    command
        .arg("--config")
        .arg(&config)
        .args(["sign-in", "--preset", "dev", "--password-stdin"]);
    ok_json(&run_with_stdin(command, PASSWORD));
    // And refresh with the secret works through the preset too.
    let mut command = env.bare();
    command
        .arg("--config")
        .arg(&config)
        .args(["refresh", "--preset", "dev"]);
    ok_json(&run(command));
}

#[test]
fn cache_refresh_tokens_verify_and_sign_out() {
    let env = Env::new();
    ok_json(&sign_in(&env, "alice", &["--password-stdin"]));

    // The cache file is private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = env
            .home
            .path()
            .join(".local/share/cognito-auth/tokens")
            .join(POOL)
            .join(CLIENT);
        let file = dir.join("alice.json");
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let value = ok_json(&env.run_args(["tokens"]));
    let entry = &value[0];
    assert_eq!(entry["Username"], "alice");
    assert_eq!(entry["AccessTokenClaims"]["username"], "alice");
    assert!(entry["SecondsLeft"].as_u64().unwrap() > 3000);
    assert_eq!(entry["Expired"], false);

    let output = env.run_args(["tokens", "--verify", "--select", "0.Verified"]);
    // `--select` paths name properties; arrays are picked with --query.
    assert_eq!(output.status.code(), Some(2));
    let output = env.run_args([
        "tokens",
        "--verify",
        "--query",
        "[0].Verified",
        "--output",
        "text",
    ]);
    assert_eq!(stdout(&output), "True\n", "{}", stderr(&output));

    let output = env.run_args([
        "refresh",
        "--query",
        "AuthenticationResult.TokenType",
        "--output",
        "text",
    ]);
    assert_eq!(stdout(&output), "Bearer\n", "{}", stderr(&output));

    // Refresh from a token on stdin, without the cache.
    let value = ok_json(&env.run_args(["tokens", "--raw"]));
    assert!(value[0]["AccessToken"].is_string());
    let (refresh_token, device_key) = cached_refresh_token(&env, "alice");
    let refresh_from_stdin = refresh_from_stdin_args(&device_key);
    ok_json(&env.run_args_with_stdin(&refresh_from_stdin, &refresh_token));

    let value = ok_json(&env.run_args(["sign-out"]));
    assert_eq!(value["Operation"], "RevokeToken");

    // The revoked refresh token is refused: exit 6.
    let output = env.run_args_with_stdin(&refresh_from_stdin, &refresh_token);
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));

    // Nothing cached any more.
    assert_eq!(env.run_args(["refresh"]).status.code(), Some(2));
}

/// The refresh token and device key `user`'s sign-in cached.
fn cached_refresh_token(env: &Env, user: &str) -> (String, String) {
    let cached = cached_tokens(env, user);
    (
        cached["refresh_token"].as_str().unwrap().to_owned(),
        cached["device_key"].as_str().unwrap().to_owned(),
    )
}

/// `refresh` of a token on stdin, bypassing the cache.
fn refresh_from_stdin_args(device_key: &str) -> Vec<&str> {
    vec![
        "--no-cache",
        "refresh",
        "--pool-id",
        POOL,
        "--client-id",
        CLIENT,
        "--refresh-token-stdin",
        "--device-key",
        device_key,
    ]
}

#[test]
fn global_sign_out() {
    let env = Env::new();
    ok_json(&sign_in(&env, "erin", &["--password-stdin"]));
    let (refresh_token, device_key) = cached_refresh_token(&env, "erin");
    let refresh_from_stdin = refresh_from_stdin_args(&device_key);
    ok_json(&env.run_args_with_stdin(&refresh_from_stdin, &refresh_token));

    let value = ok_json(&env.run_args(["sign-out", "--global", "--username", "erin"]));
    assert_eq!(value["Operation"], "GlobalSignOut");

    // Every refresh token of erin's is revoked at the server: exit 6.
    let output = env.run_args_with_stdin(&refresh_from_stdin, &refresh_token);
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
}

#[test]
fn remember_device_then_device_srp_list_and_forget() {
    let env = Env::new();
    let output = sign_in(&env, "alice", &["--password-stdin", "--remember-device"]);
    ok_json(&output);
    assert!(stderr(&output).contains("confirmed"), "{}", stderr(&output));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let file = env
            .home
            .path()
            .join(".local/share/cognito-auth/devices.json");
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    let output = sign_in(&env, "alice", &["--password-stdin"]);
    ok_json(&output);
    assert!(
        stderr(&output).contains("signed in with remembered device"),
        "{}",
        stderr(&output)
    );

    let value = ok_json(&env.run_args(["devices", "list"]));
    let devices = value["Devices"].as_array().unwrap();
    assert!(!devices.is_empty(), "{value:#}");
    let key = devices[0]["DeviceKey"].as_str().unwrap().to_owned();
    assert!(devices[0].get("DevicePassword").is_none());

    let output = env.run_args([
        "devices",
        "list",
        "--remote",
        "--query",
        "Devices[].DeviceKey",
        "--output",
        "text",
    ]);
    assert!(
        stdout(&output).contains(&key),
        "{} {}",
        stdout(&output),
        stderr(&output)
    );

    let value = ok_json(&env.run_args(["devices", "forget", &key]));
    assert_eq!(value["ForgottenLocally"], true);
    assert_eq!(value["ForgottenInCognito"], true);

    let value = ok_json(&env.run_args(["devices", "list", "--select", "Devices"]));
    assert!(
        value
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["DeviceKey"] != key.as_str())
    );
}

#[test]
fn help_version_and_completions() {
    let output = Command::new(bin()).arg("--help").output().unwrap();
    let help = stdout(&output);
    assert!(
        help.contains("Examples:") && help.contains("Exit codes:"),
        "{help}"
    );
    let output = Command::new(bin()).arg("--version").output().unwrap();
    assert!(stdout(&output).starts_with("cognito-auth "));
    for shell in ["bash", "zsh", "fish"] {
        let output = Command::new(bin())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success());
        assert!(stdout(&output).contains("cognito-auth"));
    }
    let output = Command::new(bin())
        .arg("sign-in")
        .arg("--flow")
        .arg("nope")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn repeated_wrong_passwords_lock_the_user_out_with_exit_4() {
    let env = Env::new();
    let mut codes = Vec::new();
    for _ in 0..10 {
        let output = env.run_sign_in(
            Env::sign_in_args("frank"),
            &["--password-stdin"],
            "wrong-password\n",
        );
        assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
        codes.push(output.status.code().unwrap());
    }
    assert_eq!(codes.first(), Some(&3), "{codes:?}");
    // The lockout is timed (it may lapse between attempts on a slow machine), so
    // look for it anywhere after the first attempts; nothing else may appear.
    assert!(codes.contains(&4), "{codes:?}");
    assert!(codes.iter().all(|c| *c == 3 || *c == 4), "{codes:?}");
}
