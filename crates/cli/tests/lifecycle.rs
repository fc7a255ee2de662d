//! The whole account lifecycle through the binary against the emulator, as a new
//! user lives it: sign-up → confirm with the code from the outbox → sign-in →
//! change password → forgot password → sign-in with the new one → sign-out.
//! Every password travels on stdin; every code comes from the emulator's outbox.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use cognito_auth_test_support::jwt_claims;
use common::*;
use serde_json::json;

const CHANGED: &str = "Changed-Horse-42";
const RESET: &str = "Reset-Horse-73";
const WRONG_CREDENTIALS_EXIT: i32 = 3;
const REFUSED_TOKEN_EXIT: i32 = 6;

/// `sign-in` of `user` with `password` on stdin.
fn sign_in_with(env: &Env, user: &str, password: &str) -> std::process::Output {
    env.run_sign_in(
        Env::sign_in_args(user),
        &["--password-stdin"],
        &format!("{password}\n"),
    )
}

#[test]
fn sign_up_confirm_sign_in_change_forgot_sign_in_again_and_sign_out() {
    let env = Env::new();

    // Sign-up: the code goes to the outbox, the user is not confirmed yet.
    let signed_up = ok_json(&env.run_args_with_stdin(
        account_args(
            "sign-up",
            "lena",
            &["--password-stdin", "--attribute", "email=lena@example.com"],
        ),
        &format!("{PASSWORD}\n"),
    ));
    assert_eq!(signed_up["NextStep"], "CONFIRM_SIGN_UP");
    assert_eq!(signed_up["UserConfirmed"], false);

    // Confirm with the mailed code.
    let code = env
        .outbox_code("SIGN_UP")
        .expect("a sign-up code in the outbox");
    let confirmed =
        ok_json(&env.run_args(account_args("confirm-sign-up", "lena", &["--code", &code])));
    assert_eq!(
        confirmed,
        json!({"Confirmed": true, "Username": "lena", "NextStep": "DONE"})
    );

    // Sign-in with the first password: real tokens for lena.
    let first = ok_json(&sign_in_with(&env, "lena", PASSWORD));
    let access_token = first["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap();
    assert_eq!(jwt_claims(access_token)["username"], "lena");

    // Change password (current, then new, on stdin), with the cached access token.
    let changed = ok_json(&env.run_args_with_stdin(
        ["change-password", "--username", "lena", "--password-stdin"],
        &format!("{PASSWORD}\n{CHANGED}\n"),
    ));
    assert_eq!(changed["PasswordChanged"], true);
    let old = sign_in_with(&env, "lena", PASSWORD);
    assert_eq!(
        old.status.code(),
        Some(WRONG_CREDENTIALS_EXIT),
        "{}",
        stderr(&old)
    );
    ok_json(&sign_in_with(&env, "lena", CHANGED));

    // Forgot password: a code to the confirmed email, then the new password.
    let sent = ok_json(&env.run_args(account_args(
        "forgot-password",
        "lena",
        &["--send-code-only"],
    )));
    assert_eq!(sent["NextStep"], "CONFIRM_RESET_PASSWORD_WITH_CODE");
    assert_eq!(sent["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    let code = env
        .outbox_code("FORGOT_PASSWORD")
        .expect("a recovery code in the outbox");
    let reset = ok_json(&env.run_args_with_stdin(
        account_args(
            "forgot-password",
            "lena",
            &["--code", &code, "--password-stdin"],
        ),
        &format!("{RESET}\n"),
    ));
    assert_eq!(reset["PasswordReset"], true);
    assert_eq!(reset["NextStep"], "DONE");

    // Only the newest password signs in now.
    let changed_again = sign_in_with(&env, "lena", CHANGED);
    assert_eq!(
        changed_again.status.code(),
        Some(WRONG_CREDENTIALS_EXIT),
        "{}",
        stderr(&changed_again)
    );
    ok_json(&sign_in_with(&env, "lena", RESET));
    let refresh_token = cached_tokens(&env, "lena")["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();

    // Sign-out revokes the refresh token at the server: using it is refused.
    let signed_out = ok_json(&env.run_args(["sign-out", "--username", "lena"]));
    assert_eq!(signed_out["Operation"], "RevokeToken");
    let refused = env.run_args_with_stdin(
        [
            "--no-cache",
            "refresh",
            "--pool-id",
            POOL,
            "--client-id",
            CLIENT,
            "--refresh-token-stdin",
        ],
        &refresh_token,
    );
    assert_eq!(
        refused.status.code(),
        Some(REFUSED_TOKEN_EXIT),
        "{}",
        stderr(&refused)
    );
}
