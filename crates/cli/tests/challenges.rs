//! Challenges answered through `sign-in`: TOTP MFA from an answers file and a
//! flag, NEW_PASSWORD_REQUIRED, and USER_AUTH's preferred challenge and
//! SELECT_CHALLENGE, end to end against an emulator started in the test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::Value;

#[test]
fn totp_mfa_with_answers_file_and_answer_flag() {
    let env = Env::new();
    // bob is on the MFA pool: every sign-in there asks for a second factor.
    let bob_signs_in = |extra: &[&str]| {
        let mut args = vec!["--password-stdin"];
        args.extend_from_slice(extra);
        env.run_sign_in(Env::mfa_sign_in_args("bob"), &args, PASSWORD)
    };
    let answers = env.path("answers.toml");
    write(&answers, "MFA_SETUP = \"auto\"\n");
    let secret_out = env.path("totp-secret.txt");
    let output = bob_signs_in(&[
        "--answers-file",
        answers.to_str().unwrap(),
        "--totp-secret-out",
        secret_out.to_str().unwrap(),
    ]);
    ok_json(&output);
    // stderr is not a terminal here: the secret goes to --totp-secret-out.
    let err = std::fs::read_to_string(&secret_out).unwrap();
    let secret = secret_from(&err);
    assert!(err.contains("otpauth://totp/"), "{err}");
    assert!(
        err.contains('█') || err.contains('▀') || err.contains('▄'),
        "no QR code: {err}"
    );

    // A JSON answers file with the TOTP secret.
    let json_answers = env.path("answers.json");
    write(&json_answers, &format!("{{\"TOTP_SECRET\": \"{secret}\"}}"));
    ok_json(&bob_signs_in(&[
        "--answers-file",
        json_answers.to_str().unwrap(),
    ]));

    // --answer with the code.
    ok_json(&bob_signs_in(&[
        "--answer",
        &format!("SOFTWARE_TOKEN_MFA={}", totp_now(&secret)),
    ]));

    // A wrong code: exit 6. No answer at all: exit 6 too (challenge not answered).
    let wrong = if totp_now(&secret) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let output = bob_signs_in(&["--answer", &format!("SOFTWARE_TOKEN_MFA={wrong}")]);
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    let output = bob_signs_in(&[]);
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
}

#[test]
fn new_password_required_through_sign_in() {
    let env = Env::new();
    ok_json(&env.run_sign_in(
        Env::sign_in_args("carol"),
        &[
            "--password-stdin",
            "--allow-secrets-on-argv",
            "--answer",
            "NEW_PASSWORD=Brand-New-Pass-7",
        ],
        "Temporary-Pass-1",
    ));
    ok_json(&env.run_sign_in(
        Env::sign_in_args("carol"),
        &["--password-stdin"],
        "Brand-New-Pass-7",
    ));
}

#[test]
fn user_auth_with_a_preferred_challenge_and_select_challenge_answer() {
    let env = Env::new();
    let value = ok_json(&sign_in(
        &env,
        "alice",
        &[
            "--password-stdin",
            "--flow",
            "user-auth",
            "--preferred-challenge",
            "PASSWORD_SRP",
        ],
    ));
    assert_signed_in_as(&value, "alice");
    let started = &env.requests("InitiateAuth")[0];
    assert_eq!(started["AuthFlow"], "USER_AUTH", "{started:#}");
    assert_eq!(
        started["AuthParameters"]["PREFERRED_CHALLENGE"], "PASSWORD_SRP",
        "{started:#}"
    );
    assert_eq!(
        challenges_answered(&env),
        ["PASSWORD_VERIFIER"],
        "the preferred challenge, straight away"
    );

    let value = ok_json(&sign_in(
        &env,
        "alice",
        &[
            "--password-stdin",
            "--flow",
            "user-auth",
            "--answer",
            "SELECT_CHALLENGE=PASSWORD",
        ],
    ));
    assert_signed_in_as(&value, "alice");
    let started = &env.requests("InitiateAuth")[1];
    assert!(
        started["AuthParameters"]
            .get("PREFERRED_CHALLENGE")
            .is_none(),
        "{started:#}"
    );
    assert_eq!(
        env.replies("InitiateAuth")[1]["ChallengeName"],
        "SELECT_CHALLENGE"
    );
    // One answer, PASSWORD with the password: no SRP behind it.
    assert_eq!(
        challenges_answered(&env),
        ["PASSWORD_VERIFIER", "SELECT_CHALLENGE"]
    );
    let selected = env.requests("RespondToAuthChallenge").pop().unwrap();
    assert_eq!(
        selected["ChallengeResponses"]["ANSWER"], "PASSWORD",
        "{selected:#}"
    );
    // --preferred-challenge belongs to user-auth.
    let output = sign_in(
        &env,
        "alice",
        &["--password-stdin", "--preferred-challenge", "PASSWORD"],
    );
    assert_eq!(output.status.code(), Some(2));
}

/// The tokens a sign-in printed were issued to `user` for the app client.
fn assert_signed_in_as(value: &Value, user: &str) {
    let result = &value["AuthenticationResult"];
    let access = cognito_auth_test_support::jwt_claims(result["AccessToken"].as_str().unwrap());
    assert_eq!(access["username"], user, "{access:#}");
    assert_eq!(access["client_id"], CLIENT, "{access:#}");
}

/// The challenge names of every RespondToAuthChallenge so far.
fn challenges_answered(env: &Env) -> Vec<String> {
    env.requests("RespondToAuthChallenge")
        .iter()
        .map(|r| r["ChallengeName"].as_str().unwrap_or_default().to_owned())
        .collect()
}
