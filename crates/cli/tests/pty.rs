//! Prompts on a real pseudo-terminal: the password without echo, then a TOTP code;
//! a new password (twice) and a confirmation code without echo.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command;

use common::*;
use rexpect::session::spawn_command;

/// The binary on a pseudo-terminal with echo ON (rexpect turns it off; a real
/// terminal has it on), so a password that is not hidden would show up.
fn tty_command<S: AsRef<std::ffi::OsStr>>(env: &Env, args: impl IntoIterator<Item = S>) -> Command {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("stty echo; exec \"$0\" \"$@\"")
        .arg(bin())
        .env_clear()
        .env("HOME", env.home.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .arg("--endpoint-url")
        .arg(&env.endpoint)
        .args(args);
    command
}

#[test]
fn password_and_totp_code_typed_at_prompts_without_echoing_the_password() {
    let env = Env::new();
    // Set up TOTP for tess without a terminal, to learn the secret.
    let answers = env.path("answers.toml");
    write(&answers, "MFA_SETUP = \"auto\"\n");
    let secret_out = env.path("totp-secret.txt");
    let output = env.run_sign_in(
        Env::mfa_sign_in_args("tess"),
        &[
            "--password-stdin",
            "--answers-file",
            answers.to_str().unwrap(),
            "--totp-secret-out",
            secret_out.to_str().unwrap(),
        ],
        PASSWORD,
    );
    ok_json(&output);
    let secret = secret_from(&std::fs::read_to_string(&secret_out).unwrap());

    let command = tty_command(&env, Env::mfa_sign_in_args("tess"));
    let mut session = spawn_command(command, Some(60_000)).unwrap();
    let mut seen = session.exp_string("Password for tess: ").unwrap();
    session.send_line(PASSWORD).unwrap();
    seen += &session
        .exp_string("Enter the authenticator app (TOTP) code: ")
        .unwrap();
    let code = totp_now(&secret);
    session.send_line(&code).unwrap();
    seen += &session.exp_string("\"AccessToken\"").unwrap();
    seen += &session.exp_eof().unwrap();
    assert!(!seen.contains(PASSWORD), "the password was echoed: {seen}");
    // Echo is on (as on a real terminal): the code typed at the visible prompt shows.
    assert!(
        seen.contains(&code),
        "echo is off, the test proves nothing: {seen}"
    );
    let status = session.process.wait().unwrap();
    assert!(
        matches!(status, rexpect::process::wait::WaitStatus::Exited(_, 0)),
        "{status:?}: {seen}"
    );
}

#[test]
fn wrong_password_typed_at_the_prompt_exits_3() {
    let env = Env::new();
    let command = tty_command(&env, Env::sign_in_args("dave"));
    let mut session = spawn_command(command, Some(60_000)).unwrap();
    session.exp_string("Password for dave: ").unwrap();
    session.send_line("not-the-password").unwrap();
    let seen = session.exp_eof().unwrap();
    assert!(seen.contains("incorrect username or password"), "{seen}");
    assert!(!seen.contains("not-the-password"), "echoed: {seen}");
    let status = session.process.wait().unwrap();
    assert!(
        matches!(status, rexpect::process::wait::WaitStatus::Exited(_, 3)),
        "{status:?}: {seen}"
    );
}

#[test]
fn custom_challenge_answered_at_the_prompt() {
    let env = Env::new();
    let mut args = Env::sign_in_args("alice");
    args.extend(["--flow".to_owned(), "custom".to_owned()]);
    let command = tty_command(&env, args);
    let mut session = spawn_command(command, Some(60_000)).unwrap();
    let mut seen = session.exp_string("Answer: ").unwrap();
    let code = env.outbox_code("CUSTOM_CHALLENGE").unwrap();
    session.send_line(&code).unwrap();
    seen += &session.exp_string("\"AccessToken\"").unwrap();
    seen += &session.exp_eof().unwrap();
    let status = session.process.wait().unwrap();
    assert!(
        matches!(status, rexpect::process::wait::WaitStatus::Exited(_, 0)),
        "{status:?}: {seen}"
    );
}

#[test]
fn sign_up_and_confirm_ask_for_the_new_password_twice_and_the_code_without_echo() {
    let env = Env::new();
    let sign_up = account_args(
        "sign-up",
        "tina",
        &["--attribute", "email=tina@example.com"],
    );
    let mut session = spawn_command(tty_command(&env, &sign_up), Some(60_000)).unwrap();
    let mut seen = session.exp_string("New password: ").unwrap();
    session.send_line(PASSWORD).unwrap();
    seen += &session.exp_string("New password again: ").unwrap();
    session.send_line(PASSWORD).unwrap();
    seen += &session.exp_string("\"CONFIRM_SIGN_UP\"").unwrap();
    seen += &session.exp_eof().unwrap();
    assert!(!seen.contains(PASSWORD), "the password was echoed: {seen}");
    assert_eq!(env.requests("SignUp")[0]["Password"], PASSWORD);

    let code = env.outbox_code("SIGN_UP").unwrap();
    let confirm = account_args("confirm-sign-up", "tina", &[]);
    let mut session = spawn_command(tty_command(&env, confirm), Some(60_000)).unwrap();
    let mut seen = session.exp_string("Confirmation code: ").unwrap();
    session.send_line(&code).unwrap();
    seen += &session.exp_string("\"Confirmed\": true").unwrap();
    seen += &session.exp_eof().unwrap();
    assert!(!seen.contains(&code), "the code was echoed: {seen}");
    let status = session.process.wait().unwrap();
    assert!(
        matches!(status, rexpect::process::wait::WaitStatus::Exited(_, 0)),
        "{status:?}: {seen}"
    );

    // Two different new passwords: refused before any call.
    let mut session = spawn_command(tty_command(&env, &sign_up), Some(60_000)).unwrap();
    session.exp_string("New password: ").unwrap();
    session.send_line(PASSWORD).unwrap();
    session.exp_string("New password again: ").unwrap();
    session.send_line("Another-Horse-2").unwrap();
    let seen = session.exp_eof().unwrap();
    assert!(seen.contains("the two new passwords differ"), "{seen}");
    assert_eq!(env.requests("SignUp").len(), 1);
}
