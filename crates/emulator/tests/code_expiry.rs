//! One-time codes expire as Cognito's do (issue 14 item 2): a sign-up
//! confirmation code after 24 hours, a forgot-password code after one hour, a
//! sign-in code with its session (the app client's AuthSessionValidity, 3
//! minutes by default).
//!
//! The emulator's clock is moved with `advance_clock`, which moves it for the
//! whole test process: that is why this is its own test binary with a single
//! test, so no other sign-in (SRP timestamps, TOTP windows) sees the jump.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType,
};
use cognito_auth_emulator::advance_clock;
use cognito_auth_test_support::*;

const HOUR: i64 = 60 * 60;

#[tokio::test]
async fn codes_expire_as_cognitos_do() {
    let emulator = emulator().await;
    let sdk = sdk(&emulator.endpoint_url());
    let pool = PoolOptions {
        first_factors: password_or_email_otp(),
        ..PoolOptions::default()
    };
    let pool_id = create_pool(&sdk, pool).await;
    let client = ClientOptions {
        flows: vec![
            ExplicitAuthFlowsType::AllowUserAuth,
            ExplicitAuthFlowsType::AllowRefreshTokenAuth,
        ],
        ..ClientOptions::default()
    };
    let setup = create_client(&sdk, &pool_id, client).await;
    let confirm = |username: &'static str, code: String| {
        sdk.confirm_sign_up()
            .client_id(&setup.client_id)
            .username(username)
            .confirmation_code(code)
            .send()
    };

    // 23 hours on, a confirmation code still confirms; 24 hours and a second
    // on, it has expired (AWS: "Confirmation and verification code are valid
    // for 24 hours and this is not configurable", amazon-cognito-identity-js#380).
    sign_up(&sdk, &setup, "ann", &[("email", "ann@example.com")]).await;
    let ann_code = last_code(emulator.service(), "ann");
    sign_up(&sdk, &setup, "ben", &[("email", "ben@example.com")]).await;
    let ben_code = last_code(emulator.service(), "ben");
    advance_clock(23 * HOUR);
    confirm("ann", ann_code).await.unwrap();
    advance_clock(HOUR + 1);
    let error = confirm("ben", ben_code).await.unwrap_err();
    // Cognito's answer, captured in awslabs/aws-sdk-ios-samples#144.
    assert_eq!(
        error_of(&error),
        (
            "ExpiredCodeException".into(),
            "Invalid code provided, please request a code again.".into()
        )
    );

    // A forgot-password code lives one hour (developer guide,
    // how-to-recover-a-user-account: "The recovery code is valid for one hour").
    let verified = [("email", "dee@example.com"), ("email_verified", "true")];
    create_user(&sdk, &setup, "dee", &verified).await;
    let forgot = || {
        sdk.forgot_password()
            .client_id(&setup.client_id)
            .username("dee")
            .send()
    };
    let confirm_forgot = |code: String| {
        sdk.confirm_forgot_password()
            .client_id(&setup.client_id)
            .username("dee")
            .confirmation_code(code)
            .password("Battery-Staple-7")
            .send()
    };
    forgot().await.unwrap();
    advance_clock(HOUR - 60);
    confirm_forgot(last_code(emulator.service(), "dee"))
        .await
        .unwrap();
    forgot().await.unwrap();
    advance_clock(HOUR + 1);
    let error = confirm_forgot(last_code(emulator.service(), "dee"))
        .await
        .unwrap_err();
    assert_eq!(
        error_of(&error),
        (
            "ExpiredCodeException".into(),
            "Invalid code provided, please request a code again.".into()
        )
    );

    // An EMAIL_OTP sign-in code dies with its 3-minute session (AWS: "the MFA
    // code for sign in is valid for 3 minutes", amazon-cognito-identity-js#54).
    create_user(&sdk, &setup, "cyd", &[("email", "cyd@example.com")]).await;
    let started = initiate(
        &sdk,
        &setup.client_id,
        AuthFlowType::UserAuth,
        &[("USERNAME", "cyd"), ("PREFERRED_CHALLENGE", "EMAIL_OTP")],
    )
    .await
    .unwrap();
    let code = last_code(emulator.service(), "cyd");
    advance_clock(3 * 60 + 1);
    let error = respond(
        &sdk,
        &setup.client_id,
        ChallengeNameType::EmailOtp,
        started.session(),
        &[("USERNAME", "cyd"), ("EMAIL_OTP_CODE", &code)],
    )
    .await
    .unwrap_err();
    // cognito-api-facts §8.2: an expired challenge session.
    assert_eq!(
        error_of(&error),
        (
            "NotAuthorizedException".into(),
            "Invalid session for the user, session is expired.".into()
        )
    );
    emulator.shutdown().await;
}
