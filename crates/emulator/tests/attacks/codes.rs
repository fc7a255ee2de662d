//! Issue 14 items 2 and 10: one-time codes can be guessed only a bounded number
//! of times, and the OTP first factor checks the account state as password
//! sign-in does.
//!
//! Expected answers and their sources:
//! - a wrong code: CodeMismatchException "Invalid code received for user"
//!   (cognito-api-facts §8.2);
//! - a spent or unknown session: NotAuthorizedException "Invalid session for
//!   the user." (§8.2, amplify-js#10959);
//! - ConfirmSignUp: CodeMismatchException "Invalid verification code provided,
//!   please try again." for five wrong codes, then LimitExceededException
//!   "Attempt limit exceeded, please try after some time."
//!   (amplify-ui-android#180, aws-sdk-android#627);
//! - the budgets themselves are `crate::codes`' constants: six wrong answers
//!   per sign-in session (a spike against real Cognito saw six wrong EMAIL_OTP
//!   codes each answered CodeMismatchException), five per kept code.

use std::collections::BTreeMap;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, LambdaConfigType,
};
use cognito_auth_emulator::{Emulator, EmulatorConfig, ServiceConfig, TriggerTarget};
use cognito_auth_test_support::*;

/// Wrong answers one sign-in session takes (`MAX_WRONG_ANSWERS_PER_SESSION`).
const SESSION_BUDGET: usize = 6;
/// Wrong answers a kept code takes (`MAX_WRONG_ANSWERS_PER_CODE`).
const CODE_BUDGET: usize = 5;

fn code_mismatch() -> (String, String) {
    (
        "CodeMismatchException".into(),
        "Invalid code received for user".into(),
    )
}

fn invalid_session() -> (String, String) {
    (
        "NotAuthorizedException".into(),
        "Invalid session for the user.".into(),
    )
}

/// A pool whose USER_AUTH offers PASSWORD and EMAIL_OTP, and a client for it.
async fn choice_pool(sdk: &Client) -> Setup {
    let pool = PoolOptions {
        first_factors: password_or_email_otp(),
        ..PoolOptions::default()
    };
    let pool_id = create_pool(sdk, pool).await;
    let client = ClientOptions {
        flows: vec![
            ExplicitAuthFlowsType::AllowUserAuth,
            ExplicitAuthFlowsType::AllowUserSrpAuth,
            ExplicitAuthFlowsType::AllowRefreshTokenAuth,
        ],
        ..ClientOptions::default()
    };
    create_client(sdk, &pool_id, client).await
}

/// USER_AUTH preferring EMAIL_OTP: the session of the EMAIL_OTP challenge.
async fn start_email_otp(sdk: &Client, setup: &Setup, username: &str) -> String {
    let started = expect_challenge(
        initiate(
            sdk,
            &setup.client_id,
            AuthFlowType::UserAuth,
            &[("USERNAME", username), ("PREFERRED_CHALLENGE", "EMAIL_OTP")],
        )
        .await,
        ChallengeNameType::EmailOtp,
    );
    started.session().unwrap().to_owned()
}

/// Answers `challenge` twelve times with a wrong code in `field`, then once
/// with the right one, all with the same session: the first
/// [`SESSION_BUDGET`] get CodeMismatchException, everything after finds the
/// session gone.
async fn guess_twelve_times(
    sdk: &Client,
    setup: &Setup,
    challenge: ChallengeNameType,
    session: &str,
    username: &str,
    field: &str,
    right: &str,
) {
    let wrong = wrong_code(right);
    let mut answers = Vec::new();
    for _ in 0..12 {
        let error = respond(
            sdk,
            &setup.client_id,
            challenge.clone(),
            Some(session),
            &[("USERNAME", username), (field, wrong)],
        )
        .await
        .unwrap_err();
        answers.push(error_of(&error));
    }
    let mut expected = vec![code_mismatch(); SESSION_BUDGET];
    expected.resize(12, invalid_session());
    assert_eq!(answers, expected, "{challenge} answers to 12 wrong codes");
    let error = respond(
        sdk,
        &setup.client_id,
        challenge.clone(),
        Some(session),
        &[("USERNAME", username), (field, right)],
    )
    .await
    .unwrap_err();
    assert_eq!(
        error_of(&error),
        invalid_session(),
        "{challenge} right code"
    );
}

/// Signs `username` in with SRP up to the second factor `challenge`, then
/// [`guess_twelve_times`] with the right code `right` gives.
async fn sign_in_and_guess(
    sdk: &Client,
    setup: &Setup,
    username: &str,
    challenge: ChallengeNameType,
    field: &str,
    right: &dyn Fn() -> String,
) {
    let challenged = expect_challenge(
        srp_sign_in(sdk, setup, username, PASSWORD, None).await,
        challenge.clone(),
    );
    let session = challenged.session().unwrap();
    guess_twelve_times(sdk, setup, challenge, session, username, field, &right()).await;
}

#[tokio::test]
async fn hole_02_one_time_codes_can_be_guessed_only_a_few_times() {
    let emulator = emulator().await;
    let sdk = sdk(&emulator.endpoint_url());
    let setup = choice_pool(&sdk).await;

    // USER_AUTH EMAIL_OTP: twelve wrong codes in one session, as the review
    // tried. The right code no longer works either.
    create_user(&sdk, &setup, "eve", &[("email", "eve@example.com")]).await;
    let session = start_email_otp(&sdk, &setup, "eve").await;
    let code = last_code(emulator.service(), "eve");
    guess_twelve_times(
        &sdk,
        &setup,
        ChallengeNameType::EmailOtp,
        &session,
        "eve",
        "EMAIL_OTP_CODE",
        &code,
    )
    .await;

    // ConfirmSignUp: five wrong codes, then the code is spent.
    sign_up(&sdk, &setup, "una", &[("email", "una@example.com")]).await;
    let code = last_code(emulator.service(), "una");
    let confirm = |answer: String| {
        sdk.confirm_sign_up()
            .client_id(&setup.client_id)
            .username("una")
            .confirmation_code(answer)
            .send()
    };
    for _ in 0..CODE_BUDGET {
        let error = confirm(wrong_code(&code).to_owned()).await.unwrap_err();
        assert_eq!(
            error_of(&error),
            (
                "CodeMismatchException".into(),
                "Invalid verification code provided, please try again.".into()
            )
        );
    }
    let error = confirm(code.clone()).await.unwrap_err();
    assert_eq!(
        error_of(&error),
        (
            "LimitExceededException".into(),
            "Attempt limit exceeded, please try after some time.".into()
        )
    );
    let user = sdk
        .admin_get_user()
        .user_pool_id(&setup.pool_id)
        .username("una")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "UNCONFIRMED");
    emulator.shutdown().await;
}

#[tokio::test]
async fn sms_mfa_and_email_otp_mfa_sessions_take_six_wrong_codes() {
    let pool = PoolOptions {
        mfa: Some("OPTIONAL"),
        ..PoolOptions::default()
    };
    let (emulator, sdk, setup) = emulator_with_pool(pool, ClientOptions::default()).await;
    create_user(&sdk, &setup, "sid", &[("phone_number", "+15555550142")]).await;
    prefer_sms_mfa(&sdk, &setup, "sid").await;
    sign_in_and_guess(
        &sdk,
        &setup,
        "sid",
        ChallengeNameType::SmsMfa,
        "SMS_MFA_CODE",
        &|| last_code(emulator.service(), "sid"),
    )
    .await;

    create_user(&sdk, &setup, "ema", &[("email", "ema@example.com")]).await;
    prefer_email_mfa(&sdk, &setup, "ema").await;
    sign_in_and_guess(
        &sdk,
        &setup,
        "ema",
        ChallengeNameType::EmailOtp,
        "EMAIL_OTP_CODE",
        &|| last_code(emulator.service(), "ema"),
    )
    .await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn software_token_mfa_and_verify_software_token_are_bounded() {
    let pool = PoolOptions {
        mfa: Some("OPTIONAL"),
        ..PoolOptions::default()
    };
    let (emulator, sdk, setup) = emulator_with_pool(pool, ClientOptions::default()).await;
    create_user(&sdk, &setup, "tod", &[]).await;
    let tokens = expect_tokens(srp_sign_in(&sdk, &setup, "tod", PASSWORD, None).await);
    let access_token = tokens.access_token().unwrap().to_owned();

    // VerifySoftwareToken: five wrong codes, then the association is spent
    // and even the right code finds no token to verify (a new
    // AssociateSoftwareToken starts over).
    let secret = associate_totp(&sdk, &access_token).await;
    let verify = |code: String| {
        sdk.verify_software_token()
            .access_token(&access_token)
            .user_code(code)
            .send()
    };
    for _ in 0..CODE_BUDGET {
        let right = totp_now(&secret);
        let error = verify(wrong_code(&right).to_owned()).await.unwrap_err();
        // The emulator's text for a wrong code here (cognito-api-facts §4,
        // fakecloud: "real: wrong verify → EnableSoftwareTokenMFAException").
        assert_eq!(
            error_of(&error),
            (
                "EnableSoftwareTokenMFAException".into(),
                "Code mismatch and fail enable Software Token MFA".into()
            )
        );
    }
    let error = verify(totp_now(&secret)).await.unwrap_err();
    assert_eq!(
        error_of(&error),
        (
            "SoftwareTokenMFANotFoundException".into(),
            "Software Token MFA has not been associated with this user.".into()
        )
    );

    // A fresh association verifies, and SOFTWARE_TOKEN_MFA sessions are bounded.
    let secret = enable_totp_mfa(&sdk, &access_token).await;
    sign_in_and_guess(
        &sdk,
        &setup,
        "tod",
        ChallengeNameType::SoftwareTokenMfa,
        "SOFTWARE_TOKEN_MFA_CODE",
        &|| totp_now(&secret),
    )
    .await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn hole_10_the_otp_first_factor_checks_the_account_state() {
    let emulator = emulator().await;
    let sdk = sdk(&emulator.endpoint_url());
    let setup = choice_pool(&sdk).await;

    // UNCONFIRMED: the right code proves the mailbox, not a confirmed account;
    // Cognito's answer to a right password for such a user.
    sign_up(&sdk, &setup, "ugo", &[("email", "ugo@example.com")]).await;
    let session = start_email_otp(&sdk, &setup, "ugo").await;
    let code = last_code(emulator.service(), "ugo");
    let refused = respond(
        &sdk,
        &setup.client_id,
        ChallengeNameType::EmailOtp,
        Some(&session),
        &[("USERNAME", "ugo"), ("EMAIL_OTP_CODE", &code)],
    )
    .await
    .unwrap_err();
    // cognito-api-facts §8.2: unconfirmed → UserNotConfirmedException.
    assert_eq!(
        error_of(&refused),
        (
            "UserNotConfirmedException".into(),
            "User is not confirmed.".into()
        )
    );

    // FORCE_CHANGE_PASSWORD: no code is offered, so the temporary password
    // cannot be skipped (a spike against real Cognito: PREFERRED_CHALLENGE
    // EMAIL_OTP for such a user → SELECT_CHALLENGE [PASSWORD_SRP, PASSWORD]).
    add_user(&sdk, &setup, "fay", &[("email", "fay@example.com")], false).await;
    let sent_before = emulator.service().outbox().messages(Some("fay")).len();
    let selecting = expect_challenge(
        initiate(
            &sdk,
            &setup.client_id,
            AuthFlowType::UserAuth,
            &[("USERNAME", "fay"), ("PREFERRED_CHALLENGE", "EMAIL_OTP")],
        )
        .await,
        ChallengeNameType::SelectChallenge,
    );
    let available: Vec<&str> = selecting
        .available_challenges()
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(available, ["PASSWORD_SRP", "PASSWORD"]);
    let refused = respond(
        &sdk,
        &setup.client_id,
        ChallengeNameType::SelectChallenge,
        Some(selecting.session().unwrap()),
        &[("USERNAME", "fay"), ("ANSWER", "EMAIL_OTP")],
    )
    .await
    .unwrap_err();
    assert_eq!(
        error_of(&refused),
        (
            "InvalidParameterException".into(),
            "The challenge EMAIL_OTP is not available for this user".into()
        )
    );
    assert_eq!(
        emulator.service().outbox().messages(Some("fay")).len(),
        sent_before,
        "no code was sent"
    );
    // The password leads to NEW_PASSWORD_REQUIRED, not tokens.
    expect_challenge(
        initiate(
            &sdk,
            &setup.client_id,
            AuthFlowType::UserAuth,
            &[
                ("USERNAME", "fay"),
                ("PREFERRED_CHALLENGE", "PASSWORD"),
                ("PASSWORD", PASSWORD),
            ],
        )
        .await,
        ChallengeNameType::NewPasswordRequired,
    );

    // Disabled: refused at the start, and also when disabled after the code
    // was sent (cognito-api-facts §8.2: "User is disabled.").
    create_user(&sdk, &setup, "dan", &[("email", "dan@example.com")]).await;
    let session = start_email_otp(&sdk, &setup, "dan").await;
    let code = last_code(emulator.service(), "dan");
    sdk.admin_disable_user()
        .user_pool_id(&setup.pool_id)
        .username("dan")
        .send()
        .await
        .unwrap();
    let disabled = (
        "NotAuthorizedException".to_owned(),
        "User is disabled.".to_owned(),
    );
    let refused = respond(
        &sdk,
        &setup.client_id,
        ChallengeNameType::EmailOtp,
        Some(&session),
        &[("USERNAME", "dan"), ("EMAIL_OTP_CODE", &code)],
    )
    .await
    .unwrap_err();
    assert_eq!(error_of(&refused), disabled);
    let refused = initiate(
        &sdk,
        &setup.client_id,
        AuthFlowType::UserAuth,
        &[("USERNAME", "dan"), ("PREFERRED_CHALLENGE", "EMAIL_OTP")],
    )
    .await
    .unwrap_err();
    assert_eq!(error_of(&refused), disabled);

    // A confirmed, enabled user still signs in with the code.
    create_user(&sdk, &setup, "cal", &[("email", "cal@example.com")]).await;
    let session = start_email_otp(&sdk, &setup, "cal").await;
    let code = last_code(emulator.service(), "cal");
    expect_tokens(
        respond(
            &sdk,
            &setup.client_id,
            ChallengeNameType::EmailOtp,
            Some(&session),
            &[("USERNAME", "cal"), ("EMAIL_OTP_CODE", &code)],
        )
        .await,
    );
    emulator.shutdown().await;
}

/// A DefineAuthChallenge that never gives up: another CUSTOM_CHALLENGE after
/// every wrong answer, forever.
const LENIENT_DEFINE: &str = r#"sh -c 'cat >/dev/null; echo "{\"response\":{\"challengeName\":\"CUSTOM_CHALLENGE\",\"issueTokens\":false,\"failAuthentication\":false}}"'"#;

#[tokio::test]
async fn custom_challenge_answers_are_bounded_whatever_the_trigger_allows() {
    let config = EmulatorConfig {
        service: ServiceConfig {
            triggers: BTreeMap::from([
                (
                    "lenient-define".to_owned(),
                    TriggerTarget::parse(LENIENT_DEFINE).unwrap(),
                ),
                ("builtin".to_owned(), TriggerTarget::Builtin),
            ]),
            ..emulator_config().service
        },
        ..emulator_config()
    };
    let emulator = Emulator::start(config).await.unwrap();
    let sdk = sdk(&emulator.endpoint_url());
    let pool_id = create_pool(&sdk, PoolOptions::default()).await;
    sdk.update_user_pool()
        .user_pool_id(&pool_id)
        .lambda_config(
            LambdaConfigType::builder()
                .define_auth_challenge("lenient-define")
                .create_auth_challenge("builtin")
                .verify_auth_challenge_response("builtin")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let client = ClientOptions {
        flows: vec![ExplicitAuthFlowsType::AllowCustomAuth],
        ..ClientOptions::default()
    };
    let setup = create_client(&sdk, &pool_id, client).await;
    create_user(&sdk, &setup, "cy", &[("email", "cy@example.com")]).await;
    let started = expect_challenge(
        initiate(
            &sdk,
            &setup.client_id,
            AuthFlowType::CustomAuth,
            &[("USERNAME", "cy")],
        )
        .await,
        ChallengeNameType::CustomChallenge,
    );
    let code = last_code(emulator.service(), "cy");
    let mut session = started.session().unwrap().to_owned();
    for _ in 1..SESSION_BUDGET {
        let next = expect_challenge(
            respond(
                &sdk,
                &setup.client_id,
                ChallengeNameType::CustomChallenge,
                Some(&session),
                &[("USERNAME", "cy"), ("ANSWER", wrong_code(&code))],
            )
            .await,
            ChallengeNameType::CustomChallenge,
        );
        session = next.session().unwrap().to_owned();
    }
    // The sixth wrong answer ends the sign-in with the answer Cognito gives
    // when DefineAuthChallenge fails it (cognito-api-facts §8.2).
    let error = respond(
        &sdk,
        &setup.client_id,
        ChallengeNameType::CustomChallenge,
        Some(&session),
        &[("USERNAME", "cy"), ("ANSWER", wrong_code(&code))],
    )
    .await
    .unwrap_err();
    assert_eq!(
        error_of(&error),
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );
    emulator.shutdown().await;
}
