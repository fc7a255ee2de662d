//! Account recovery through the AWS SDK (issue 15): ForgotPassword and
//! ConfirmForgotPassword, ResendConfirmationCode, AdminResetUserPassword, with
//! codes read from the outbox.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use cognito_auth_test_support::*;

const NEW_PASSWORD: &str = "Battery-Staple-7";

/// `(type, message)` for the unknown user of a client-side code operation:
/// measured on AWS by MiniStack PR #1758 (issue 14 item 12).
fn combination_not_found() -> (String, String) {
    (
        "UserNotFoundException".into(),
        "Username/client id combination not found.".into(),
    )
}

fn mismatch() -> (String, String) {
    (
        "CodeMismatchException".into(),
        "Invalid verification code provided, please try again.".into(),
    )
}

async fn password_sign_in(
    sdk: &Client,
    setup: &Setup,
    username: &str,
    password: &str,
) -> Result<String, (String, String)> {
    initiate(
        sdk,
        &setup.client_id,
        AuthFlowType::UserPasswordAuth,
        &[("USERNAME", username), ("PASSWORD", password)],
    )
    .await
    .map(|out| {
        out.authentication_result()
            .unwrap()
            .access_token()
            .unwrap()
            .to_owned()
    })
    .map_err(|e| error_of(&e))
}

async fn confirm_forgot(
    sdk: &Client,
    setup: &Setup,
    username: &str,
    code: &str,
) -> Result<(), (String, String)> {
    sdk.confirm_forgot_password()
        .client_id(&setup.client_id)
        .username(username)
        .confirmation_code(code)
        .password(NEW_PASSWORD)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| error_of(&e))
}

#[tokio::test]
async fn forgot_password_resets_with_the_code_from_the_outbox() {
    let (emulator, sdk, setup) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;
    let verified = [("email", "fran@example.com"), ("email_verified", "true")];
    create_user(&sdk, &setup, "fran", &verified).await;

    let sent = sdk
        .forgot_password()
        .client_id(&setup.client_id)
        .username("fran")
        .send()
        .await
        .unwrap();
    let details = sent.code_delivery_details().unwrap();
    assert_eq!(details.destination(), Some("f***@example.com"));
    assert_eq!(details.delivery_medium().unwrap().as_str(), "EMAIL");
    assert_eq!(details.attribute_name(), Some("email"));
    let code = last_code(emulator.service(), "fran");

    // A wrong code, then the right one; the new password signs in, the old
    // one no longer does, and the code cannot be used twice.
    let refused = confirm_forgot(&sdk, &setup, "fran", wrong_code(&code)).await;
    assert_eq!(refused, Err(mismatch()));
    confirm_forgot(&sdk, &setup, "fran", &code).await.unwrap();
    password_sign_in(&sdk, &setup, "fran", NEW_PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        password_sign_in(&sdk, &setup, "fran", PASSWORD).await,
        Err((
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        ))
    );
    // The code was spent by its use (captured Cognito text for a used or
    // expired code, awslabs/aws-sdk-ios-samples#144).
    assert_eq!(
        confirm_forgot(&sdk, &setup, "fran", &code).await,
        Err((
            "ExpiredCodeException".into(),
            "Invalid code provided, please request a code again.".into()
        ))
    );

    // Five wrong codes, then LimitExceededException even for the right one
    // (amplify-ui-android#180).
    sdk.forgot_password()
        .client_id(&setup.client_id)
        .username("fran")
        .send()
        .await
        .unwrap();
    let code = last_code(emulator.service(), "fran");
    for _ in 0..5 {
        let refused = confirm_forgot(&sdk, &setup, "fran", wrong_code(&code)).await;
        assert_eq!(refused, Err(mismatch()));
    }
    assert_eq!(
        confirm_forgot(&sdk, &setup, "fran", &code).await,
        Err((
            "LimitExceededException".into(),
            "Attempt limit exceeded, please try after some time.".into()
        ))
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn unknown_users_and_unverified_contacts_get_cognitos_answers() {
    let (emulator, sdk, setup) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;
    let forgot = sdk
        .forgot_password()
        .client_id(&setup.client_id)
        .username("nobody")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_of(&forgot), combination_not_found());
    let confirm = confirm_forgot(&sdk, &setup, "nobody", "123456").await;
    assert_eq!(confirm, Err(combination_not_found()));
    let resend = sdk
        .resend_confirmation_code()
        .client_id(&setup.client_id)
        .username("nobody")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_of(&resend), combination_not_found());

    // No verified address to send a recovery code to.
    create_user(&sdk, &setup, "vic", &[("email", "vic@example.com")]).await;
    let refused = sdk
        .forgot_password()
        .client_id(&setup.client_id)
        .username("vic")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error_of(&refused),
        (
            "InvalidParameterException".into(),
            "Cannot reset password for the user as there is no registered/verified email or phone_number".into()
        )
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn resend_confirmation_code_replaces_the_code() {
    let (emulator, sdk, setup) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;
    sign_up(&sdk, &setup, "rae", &[("email", "rae@example.com")]).await;
    let first = last_code(emulator.service(), "rae");
    let resent = sdk
        .resend_confirmation_code()
        .client_id(&setup.client_id)
        .username("rae")
        .send()
        .await
        .unwrap();
    let details = resent.code_delivery_details().unwrap();
    assert_eq!(details.destination(), Some("r***@example.com"));
    let second = last_code(emulator.service(), "rae");
    let confirm = |code: String| {
        sdk.confirm_sign_up()
            .client_id(&setup.client_id)
            .username("rae")
            .confirmation_code(code)
            .send()
    };
    if first != second {
        let refused = confirm(first).await.unwrap_err();
        assert_eq!(error_of(&refused), mismatch());
    }
    confirm(second).await.unwrap();
    let again = sdk
        .resend_confirmation_code()
        .client_id(&setup.client_id)
        .username("rae")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error_of(&again),
        (
            "InvalidParameterException".into(),
            "User is already confirmed.".into()
        )
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn admin_reset_user_password_requires_a_new_password_by_code() {
    let (emulator, sdk, setup) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;
    let verified = [("email", "ray@example.com"), ("email_verified", "true")];
    create_user(&sdk, &setup, "ray", &verified).await;
    sdk.admin_reset_user_password()
        .user_pool_id(&setup.pool_id)
        .username("ray")
        .send()
        .await
        .unwrap();
    // cognito-api-facts §8.2: a reset-required user signing in.
    assert_eq!(
        password_sign_in(&sdk, &setup, "ray", PASSWORD).await,
        Err((
            "PasswordResetRequiredException".into(),
            "Password reset required for the user".into()
        ))
    );
    let code = last_code(emulator.service(), "ray");
    confirm_forgot(&sdk, &setup, "ray", &code).await.unwrap();
    password_sign_in(&sdk, &setup, "ray", NEW_PASSWORD)
        .await
        .unwrap();
    let user = sdk
        .admin_get_user()
        .user_pool_id(&setup.pool_id)
        .username("ray")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "CONFIRMED");
    emulator.shutdown().await;
}
