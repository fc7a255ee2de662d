//! `sign-up`, `confirm-sign-up`, `forgot-password` and `change-password`: against
//! the emulator for SignUp and ConfirmSignUp (codes from its outbox), and against
//! a loopback server with Cognito's replies for ForgotPassword,
//! ConfirmForgotPassword and ChangePassword. New passwords come from stdin or a
//! file here; never from the argument list.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod local_server;

use common::*;
use local_server::{Behaviour, LocalServer};
use serde_json::{Value, json};

/// `sign-up` of `user`, with `stdin` piped in.
fn sign_up(env: &Env, user: &str, extra: &[&str], stdin: &str) -> std::process::Output {
    env.run_args_with_stdin(account_args("sign-up", user, extra), stdin)
}

fn confirm(env: &Env, user: &str, extra: &[&str]) -> std::process::Output {
    env.run_args(account_args("confirm-sign-up", user, extra))
}

#[test]
fn sign_up_then_confirm_with_the_mailed_code_then_sign_in() {
    let env = Env::new();
    let output = sign_up(
        &env,
        "nina",
        &["--password-stdin", "--attribute", "email=nina@example.com"],
        &format!("{PASSWORD}\n"),
    );
    let value = ok_json(&output);
    assert_eq!(value["NextStep"], "CONFIRM_SIGN_UP");
    assert_eq!(value["UserConfirmed"], false);
    assert_eq!(
        value["CodeDeliveryDetails"],
        json!({"Destination": "n***@example.com", "DeliveryMedium": "EMAIL", "AttributeName": "email"})
    );
    assert!(value["UserSub"].as_str().is_some_and(|s| s.len() == 36));
    assert!(
        stderr(&output).contains("code sent by EMAIL to n***@example.com"),
        "{}",
        stderr(&output)
    );
    let sent = env.requests("SignUp");
    assert_eq!(sent[0]["Password"], PASSWORD, "the password from stdin");
    assert_eq!(
        sent[0]["UserAttributes"],
        json!([{"Name": "email", "Value": "nina@example.com"}])
    );

    // Not confirmed yet: user state.
    let output = sign_in(&env, "nina", &["--password-stdin"]);
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));

    let output = confirm(&env, "nina", &["--code", "000000"]);
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    assert_eq!(
        stderr(&output).trim(),
        "cognito-auth: error: the code is wrong"
    );

    // No code and nobody at a terminal: a usage error, and no call.
    let output = confirm(&env, "nina", &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("no code"), "{}", stderr(&output));

    let code = env.outbox_code("SIGN_UP").unwrap();
    let value = ok_json(&confirm(&env, "nina", &["--code", &code]));
    assert_eq!(
        value,
        json!({"Confirmed": true, "Username": "nina", "NextStep": "DONE"})
    );
    assert_eq!(env.requests("ConfirmSignUp").len(), 2);
    ok_json(&sign_in(&env, "nina", &["--password-stdin"]));

    let output = sign_up(
        &env,
        "nina",
        &["--password-stdin"],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the username is taken"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn sign_up_reads_the_password_from_a_file_and_hashes_with_the_client_secret() {
    let env = Env::new();
    let secret = env.path("client-secret");
    write(&secret, CLIENT_SECRET);
    let password = env.path("new-password");
    write(&password, &format!("{PASSWORD}\n"));
    let output = env.run_args([
        "sign-up",
        "--pool-id",
        POOL,
        "--client-id",
        SECRET_CLIENT,
        "--client-secret-file",
        secret.to_str().unwrap(),
        "--username",
        "sam",
        "--new-password-file",
        password.to_str().unwrap(),
    ]);
    let value = ok_json(&output);
    assert_eq!(value["NextStep"], "CONFIRM_SIGN_UP");
    let sent = env.requests("SignUp");
    assert_eq!(
        sent[0]["Password"], PASSWORD,
        "the file's line, without its break"
    );
    assert!(
        sent[0]["SecretHash"]
            .as_str()
            .is_some_and(|h| !h.is_empty())
    );
}

#[test]
fn a_new_password_never_comes_from_the_argument_list() {
    let env = Env::new();
    let output = sign_up(&env, "pat", &["--password", PASSWORD], "");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let output = sign_up(&env, "pat", &[], "");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("no new password"),
        "{}",
        stderr(&output)
    );
    assert!(env.requests("SignUp").is_empty());
}

/// `forgot-password` and `change-password` against a server giving `body`.
fn server(status: u16, body: Value) -> LocalServer {
    LocalServer::start(Behaviour::Reply {
        status,
        body: body.to_string(),
    })
}

/// The JSON bodies of the requests `server` received for `operation`.
fn bodies(server: &LocalServer, operation: &str) -> Vec<Value> {
    server
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.contains(&format!("AWSCognitoIdentityProviderService.{operation}")))
        .map(|r| serde_json::from_str(&r[r.find("\r\n\r\n").unwrap() + 4..]).unwrap())
        .collect()
}

fn forgot(env: &Env, server: &LocalServer, extra: &[&str], stdin: &str) -> std::process::Output {
    let mut command = env.bare();
    command
        .args(["--endpoint-url", &server.endpoint])
        .args(account_args("forgot-password", "alice", extra));
    run_with_stdin(command, stdin)
}

#[test]
fn forgot_password_sends_the_code_then_sets_the_new_password() {
    let env = Env::new();
    let delivery = json!({"Destination": "a***@example.com", "DeliveryMedium": "EMAIL", "AttributeName": "email"});
    let cognito = server(200, json!({"CodeDeliveryDetails": delivery}));

    let value = ok_json(&forgot(&env, &cognito, &["--send-code-only"], ""));
    assert_eq!(
        value,
        json!({"CodeDeliveryDetails": delivery, "NextStep": "CONFIRM_RESET_PASSWORD_WITH_CODE"})
    );
    assert_eq!(bodies(&cognito, "ForgotPassword")[0]["Username"], "alice");

    let value = ok_json(&forgot(
        &env,
        &cognito,
        &["--code", "123456", "--password-stdin"],
        "New-Horse-77\n",
    ));
    assert_eq!(value["PasswordReset"], true);
    assert_eq!(value["NextStep"], "DONE");
    let sent = bodies(&cognito, "ConfirmForgotPassword");
    assert_eq!(sent[0]["ConfirmationCode"], "123456");
    assert_eq!(sent[0]["Password"], "New-Horse-77");
    assert_eq!(
        bodies(&cognito, "ForgotPassword").len(),
        1,
        "with --code no new code is requested"
    );

    // Without a terminal the code must be given.
    let output = forgot(&env, &cognito, &["--password-stdin"], "New-Horse-77\n");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("no code"), "{}", stderr(&output));
    assert_eq!(
        bodies(&cognito, "ForgotPassword").len(),
        1,
        "no code is sent that nobody can type in"
    );
}

#[test]
fn forgot_password_refusals_are_one_line_with_their_exit_code() {
    let env = Env::new();
    let policy = "Password did not conform with policy: Password must have uppercase characters";
    for (kind, message, code, shown) in [
        (
            "CodeMismatchException",
            "Invalid verification code provided, please try again.",
            6,
            "cognito-auth: error: the code is wrong".to_owned(),
        ),
        (
            "ExpiredCodeException",
            "Invalid code provided, please request a code again.",
            6,
            "cognito-auth: error: the code has expired".to_owned(),
        ),
        (
            "InvalidPasswordException",
            policy,
            6,
            format!("cognito-auth: error: the new password was refused: {policy}"),
        ),
        (
            "LimitExceededException",
            "Attempt limit exceeded, please try after some time.",
            8,
            "cognito-auth: error: limit exceeded: Attempt limit exceeded, please try after some time."
                .to_owned(),
        ),
    ] {
        let cognito = server(400, json!({"__type": kind, "message": message}));
        let output = forgot(
            &env,
            &cognito,
            &[
                "--code",
                "123456",
                "--password-stdin",
                "--cli-read-timeout",
                "5",
            ],
            "new-password\n",
        );
        assert_eq!(
            output.status.code(),
            Some(code),
            "{kind}: {}",
            stderr(&output)
        );
        assert_eq!(stderr(&output).trim(), shown, "{kind}");
    }
}

/// `change-password` for alice against `server`, both passwords on stdin.
fn change_password(env: &Env, server: &LocalServer, stdin: &str) -> std::process::Output {
    let mut command = env.bare();
    command.args(["--endpoint-url", &server.endpoint]).args([
        "change-password",
        "--username",
        "alice",
        "--password-stdin",
    ]);
    run_with_stdin(command, stdin)
}

#[test]
fn change_password_uses_the_cached_access_token_and_both_passwords_from_stdin() {
    let env = Env::new();
    let signed_in = ok_json(&sign_in(&env, "alice", &["--password-stdin"]));
    let access_token = &signed_in["AuthenticationResult"]["AccessToken"];
    let cognito = server(200, json!({}));
    let value = ok_json(&change_password(
        &env,
        &cognito,
        &format!("{PASSWORD}\nNew-Horse-77\n"),
    ));
    assert_eq!(
        value,
        json!({"PasswordChanged": true, "PoolId": POOL, "Username": "alice"})
    );
    let sent = bodies(&cognito, "ChangePassword");
    assert_eq!(sent[0]["PreviousPassword"], PASSWORD);
    assert_eq!(sent[0]["ProposedPassword"], "New-Horse-77");
    assert_eq!(
        &sent[0]["AccessToken"], access_token,
        "the cached sign-in's"
    );

    // Only the current password on stdin: refused before any call.
    let output = change_password(&env, &cognito, &format!("{PASSWORD}\n"));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("no new password on stdin"),
        "{}",
        stderr(&output)
    );
    assert_eq!(bodies(&cognito, "ChangePassword").len(), 1);

    // A wrong current password.
    let wrong = server(
        400,
        json!({"__type": "NotAuthorizedException", "message": "Incorrect username or password."}),
    );
    let output = change_password(&env, &wrong, "Wrong-Horse-1\nNew-Horse-77\n");
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
}
