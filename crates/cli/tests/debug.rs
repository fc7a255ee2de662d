//! Secrets stay out of logs: `--debug` traces every request and reply of full
//! sign-ins with passwords, SRP values, tokens, sessions and codes redacted, and
//! an MFA setup's secret goes to --totp-secret-out, never to a non-terminal
//! stderr.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::Value;

/// Keys whose values are secret in Cognito requests and replies.
const SECRET_KEYS: &[&str] = &[
    "PASSWORD",
    "NEW_PASSWORD",
    "SRP_A",
    "SRP_B",
    "SALT",
    "SECRET_BLOCK",
    "PASSWORD_CLAIM_SIGNATURE",
    "PASSWORD_CLAIM_SECRET_BLOCK",
    "SECRET_HASH",
    "Session",
    "AccessToken",
    "IdToken",
    "RefreshToken",
    "REFRESH_TOKEN",
    "SecretCode",
    "SOFTWARE_TOKEN_MFA_CODE",
    "UserCode",
];

/// The JSON bodies `--debug` printed.
fn traced_bodies(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .filter(|l| l.starts_with("debug: "))
        .map(|l| {
            let body = l.split_once(" body=").unwrap().1;
            serde_json::from_str(body).unwrap_or(Value::Null)
        })
        .collect()
}

/// Every secret key anywhere in `value` holds a redaction; returns how many.
fn redacted_secrets(value: &Value) -> usize {
    match value {
        Value::Object(fields) => fields
            .iter()
            .map(|(k, v)| {
                if SECRET_KEYS.contains(&k.as_str()) {
                    let text = v.as_str().unwrap_or_default();
                    assert!(text.starts_with("<redacted, "), "{k} = {v}");
                    1
                } else {
                    redacted_secrets(v)
                }
            })
            .sum(),
        Value::Array(items) => items.iter().map(redacted_secrets).sum(),
        _ => 0,
    }
}

fn assert_nothing_secret(stderr: &str, secrets: &[&str]) -> usize {
    for secret in secrets {
        assert!(!secret.is_empty());
        assert!(
            !stderr.contains(secret),
            "{secret:?} in --debug output:\n{stderr}"
        );
    }
    traced_bodies(stderr).iter().map(redacted_secrets).sum()
}

fn tokens(value: &Value) -> Vec<String> {
    ["AccessToken", "IdToken", "RefreshToken"]
        .iter()
        .map(|k| {
            value["AuthenticationResult"][k]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn debug_traces_full_sign_ins_with_every_secret_redacted() {
    let env = Env::new();
    // SRP sign-in, remembering the device (ConfirmDevice carries a verifier).
    let output = env.run_sign_in(
        Env::sign_in_args("alice"),
        &["--debug", "--password-stdin", "--remember-device"],
        PASSWORD,
    );
    let value = ok_json(&output);
    let err = stderr(&output);
    assert!(err.contains("debug: request POST "), "{err}");
    assert!(err.contains("target=AWSCognitoIdentityProviderService.InitiateAuth"));
    assert!(err.contains("target=AWSCognitoIdentityProviderService.RespondToAuthChallenge"));
    assert!(err.contains("\"AuthFlow\":\"USER_SRP_AUTH\""), "{err}");
    assert!(err.contains("\"USERNAME\":\"alice\""), "{err}");
    let tokens_1 = tokens(&value);
    let mut secrets: Vec<&str> = vec![PASSWORD];
    secrets.extend(tokens_1.iter().map(String::as_str));
    // SRP_A, SRP_B, SALT, SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE, the tokens...
    assert!(assert_nothing_secret(&err, &secrets) >= 8, "{err}");

    // The raw calls: a challenge's Session, then the new password answering it.
    let output = env.run_args([
        "--debug",
        "--allow-secrets-on-argv",
        "initiate-auth",
        "--client-id",
        CLIENT,
        "--auth-flow",
        "USER_PASSWORD_AUTH",
        "--auth-parameters",
        "USERNAME=carol,PASSWORD=Temporary-Pass-1",
    ]);
    let value = ok_json(&output);
    let session = value["Session"].as_str().unwrap().to_owned();
    assert!(assert_nothing_secret(&stderr(&output), &["Temporary-Pass-1", &session]) >= 2);
    let output = env.run_args([
        "--debug",
        "--allow-secrets-on-argv",
        "respond-to-auth-challenge",
        "--client-id",
        CLIENT,
        "--challenge-name",
        "NEW_PASSWORD_REQUIRED",
        "--session",
        &session,
        "--challenge-responses",
        "USERNAME=carol,NEW_PASSWORD=Another-Pass-8",
    ]);
    let value = ok_json(&output);
    let tokens_2 = tokens(&value);
    let mut secrets = vec!["Another-Pass-8", session.as_str()];
    secrets.extend(tokens_2.iter().map(String::as_str));
    assert!(assert_nothing_secret(&stderr(&output), &secrets) >= 5);
}

/// Sets up TOTP for `user` of the MFA pool (MFA_SETUP answered automatically),
/// the secret going to a file; returns the run and the file's text.
fn set_up_totp(env: &Env, user: &str, extra: &[&str]) -> (std::process::Output, String) {
    let answers = env.path("answers.toml");
    write(&answers, "MFA_SETUP = \"auto\"\n");
    let secret_out = env.path(&format!("totp-{user}.txt"));
    // `--store file` chosen explicitly: no note about a missing keychain joins the
    // stderr these tests read line by line.
    let mut args = vec![
        "--store",
        "file",
        "--password-stdin",
        "--answers-file",
        answers.to_str().unwrap(),
        "--totp-secret-out",
        secret_out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let output = env.run_sign_in(Env::mfa_sign_in_args(user), &args, PASSWORD);
    let written = std::fs::read_to_string(&secret_out).unwrap_or_default();
    (output, written)
}

#[test]
fn debug_keeps_mfa_setup_secrets_and_codes_out() {
    let env = Env::new();
    let (output, written) = set_up_totp(&env, "bob", &["--debug"]);
    ok_json(&output);
    let secret = secret_from(&written);
    let err = stderr(&output);
    assert!(err.contains("AssociateSoftwareToken"), "{err}");
    assert_nothing_secret(&err, &[PASSWORD, &secret]);

    let code = totp_now(&secret);
    let output = env.run_sign_in(
        Env::mfa_sign_in_args("bob"),
        &[
            "--debug",
            "--password-stdin",
            "--answer",
            &format!("SOFTWARE_TOKEN_MFA={code}"),
        ],
        PASSWORD,
    );
    let value = ok_json(&output);
    let tokens = tokens(&value);
    let mut secrets = vec![PASSWORD, code.as_str()];
    secrets.extend(tokens.iter().map(String::as_str));
    assert_nothing_secret(&stderr(&output), &secrets);
}

#[test]
fn mfa_setup_secret_goes_to_the_file_and_never_to_a_non_terminal_stderr() {
    let env = Env::new();
    let answers = env.path("answers.toml");
    write(&answers, "MFA_SETUP = \"auto\"\n");
    // stderr is a pipe here: without --totp-secret-out the setup is declined,
    // saying where to get the secret, and nothing secret is printed.
    let output = env.run_sign_in(
        Env::mfa_sign_in_args("tess"),
        &[
            "--password-stdin",
            "--answers-file",
            answers.to_str().unwrap(),
        ],
        PASSWORD,
    );
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    let err = stderr(&output);
    assert_eq!(
        err,
        "cognito-auth: error: challenge MFA_SETUP not answered: MFA_SETUP: the authenticator secret is not printed because stderr is not a terminal (it would end up in logs); pass --totp-secret-out FILE to receive it\n"
    );
    assert!(!err.contains("otpauth://"));

    let (output, written) = set_up_totp(&env, "tess", &[]);
    ok_json(&output);
    let secret_out = env.path("totp-tess.txt");
    let secret = secret_from(&written);
    assert!(written.contains("otpauth://totp/"), "{written}");
    assert!(written.contains('█') || written.contains('▀') || written.contains('▄'));
    let err = stderr(&output);
    assert_eq!(
        err,
        format!(
            "cognito-auth: the authenticator (TOTP) secret, URI and QR code are in {}\n",
            secret_out.display()
        )
    );
    assert!(!err.contains(&secret));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret_out).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The secret works: the next sign-in with its code succeeds.
    ok_json(&env.run_sign_in(
        Env::mfa_sign_in_args("tess"),
        &[
            "--password-stdin",
            "--answer",
            &format!("SOFTWARE_TOKEN_MFA={}", totp_now(&secret)),
        ],
        PASSWORD,
    ));
}
