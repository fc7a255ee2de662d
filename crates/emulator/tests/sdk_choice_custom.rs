//! USER_AUTH (SELECT_CHALLENGE, PREFERRED_CHALLENGE, PASSWORD, PASSWORD_SRP,
//! EMAIL_OTP) and CUSTOM_AUTH with the built-in trigger set, through the AWS SDK.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType,
};
use cognito_auth_test_support::*;

async fn choice_pool(sdk: &aws_sdk_cognitoidentityprovider::Client) -> Setup {
    choice_pool_with(sdk, PoolOptions::default()).await
}

/// [`choice_pool`] with more pool options.
async fn choice_pool_with(
    sdk: &aws_sdk_cognitoidentityprovider::Client,
    pool: PoolOptions,
) -> Setup {
    let pool = PoolOptions {
        first_factors: password_or_email_otp(),
        ..pool
    };
    let pool_id = create_pool(sdk, pool).await;
    let client = ClientOptions {
        flows: vec![
            ExplicitAuthFlowsType::AllowUserAuth,
            ExplicitAuthFlowsType::AllowCustomAuth,
            ExplicitAuthFlowsType::AllowUserSrpAuth,
            ExplicitAuthFlowsType::AllowRefreshTokenAuth,
        ],
        ..ClientOptions::default()
    };
    create_client(sdk, &pool_id, client).await
}

#[tokio::test]
async fn user_auth_select_challenge_password_srp_and_email_otp() {
    let emulator = emulator().await;
    let sdk = sdk(&emulator.endpoint_url());
    let setup = choice_pool(&sdk).await;
    create_user(&sdk, &setup, "pat", &[("email", "pat@example.com")]).await;
    let start = || {
        sdk.initiate_auth()
            .auth_flow(AuthFlowType::UserAuth)
            .client_id(&setup.client_id)
            .auth_parameters("USERNAME", "pat")
    };

    // SELECT_CHALLENGE, then PASSWORD with the password in the same answer.
    let selecting = start().send().await.unwrap();
    assert_eq!(
        selecting.challenge_name(),
        Some(&ChallengeNameType::SelectChallenge)
    );
    let available: Vec<String> = selecting
        .available_challenges()
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    assert_eq!(available, ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP"]);
    let done = respond(
        &sdk,
        &setup.client_id,
        ChallengeNameType::SelectChallenge,
        Some(selecting.session().unwrap()),
        &[
            ("USERNAME", "pat"),
            ("ANSWER", "PASSWORD"),
            ("PASSWORD", PASSWORD),
        ],
    )
    .await
    .unwrap();
    assert!(done.authentication_result().is_some());

    // PREFERRED_CHALLENGE = PASSWORD_SRP goes straight to PASSWORD_VERIFIER.
    let srp = srp_client(&setup);
    let verifier = start()
        .auth_parameters("PREFERRED_CHALLENGE", "PASSWORD_SRP")
        .auth_parameters("SRP_A", srp.srp_a())
        .send()
        .await
        .unwrap();
    let done = prove_password(&sdk, &setup.client_id, &srp, &verifier, PASSWORD, None)
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());

    // EMAIL_OTP: a code in the outbox; a wrong one may be retried.
    let selecting = start().send().await.unwrap();
    let otp = respond(
        &sdk,
        &setup.client_id,
        ChallengeNameType::SelectChallenge,
        Some(selecting.session().unwrap()),
        &[("USERNAME", "pat"), ("ANSWER", "EMAIL_OTP")],
    )
    .await
    .unwrap();
    assert_eq!(otp.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    let code = last_code(emulator.service(), "pat");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let session = otp.session().unwrap();
    let error = respond(
        &sdk,
        &setup.client_id,
        ChallengeNameType::EmailOtp,
        Some(session),
        &[("USERNAME", "pat"), ("EMAIL_OTP_CODE", wrong)],
    )
    .await
    .unwrap_err();
    assert_eq!(error_of(&error).0, "CodeMismatchException");
    let done = respond(
        &sdk,
        &setup.client_id,
        ChallengeNameType::EmailOtp,
        Some(session),
        &[("USERNAME", "pat"), ("EMAIL_OTP_CODE", &code)],
    )
    .await
    .unwrap();
    assert!(done.authentication_result().is_some());

    // A wrong password inside USER_AUTH is the usual answer.
    let error = start()
        .auth_parameters("PREFERRED_CHALLENGE", "PASSWORD")
        .auth_parameters("PASSWORD", "Wrong-Password-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_of(&error).1, "Incorrect username or password.");
    emulator.shutdown().await;
}

#[tokio::test]
async fn confirm_sign_up_session_signs_in_with_user_auth_once() {
    let emulator = emulator().await;
    let sdk = sdk(&emulator.endpoint_url());
    let setup = choice_pool(&sdk).await;
    sdk.sign_up()
        .client_id(&setup.client_id)
        .username("uma")
        .password(PASSWORD)
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("email")
                .value("uma@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let confirmed = sdk
        .confirm_sign_up()
        .client_id(&setup.client_id)
        .username("uma")
        .confirmation_code(last_code(emulator.service(), "uma"))
        .send()
        .await
        .unwrap();
    let session = confirmed.session().unwrap().to_owned();
    let sign_in = || {
        sdk.initiate_auth()
            .auth_flow(AuthFlowType::UserAuth)
            .client_id(&setup.client_id)
            .auth_parameters("USERNAME", "uma")
            .session(&session)
            .send()
    };
    assert!(sign_in().await.unwrap().authentication_result().is_some());
    let error = sign_in().await.unwrap_err();
    assert_eq!(error_of(&error).1, "Invalid session for the user.");
    emulator.shutdown().await;
}

#[tokio::test]
async fn custom_auth_with_the_builtin_triggers() {
    let emulator = emulator_with_builtin_triggers().await;
    let sdk = sdk(&emulator.endpoint_url());
    let named = PoolOptions {
        builtin_triggers: true,
        ..PoolOptions::default()
    };
    let setup = choice_pool_with(&sdk, named).await;
    create_user(&sdk, &setup, "quinn", &[("email", "quinn@example.com")]).await;

    // Code only: a wrong answer gets another try, the right one tokens.
    let challenged = expect_challenge(
        initiate(
            &sdk,
            &setup.client_id,
            AuthFlowType::CustomAuth,
            &[("USERNAME", "quinn")],
        )
        .await,
        ChallengeNameType::CustomChallenge,
    );
    let code = last_code(emulator.service(), "quinn");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let again = expect_challenge(
        respond(
            &sdk,
            &setup.client_id,
            ChallengeNameType::CustomChallenge,
            Some(challenged.session().unwrap()),
            &[("USERNAME", "quinn"), ("ANSWER", wrong)],
        )
        .await,
        ChallengeNameType::CustomChallenge,
    );
    let done = respond(
        &sdk,
        &setup.client_id,
        ChallengeNameType::CustomChallenge,
        Some(again.session().unwrap()),
        &[("USERNAME", "quinn"), ("ANSWER", &code)],
    )
    .await
    .unwrap();
    assert!(done.authentication_result().is_some());

    // SRP first (CHALLENGE_NAME = SRP_A), then the code.
    let srp = srp_client(&setup);
    let mut params: HashMap<String, String> = srp
        .initiate_auth_parameters("quinn", None)
        .into_iter()
        .collect();
    params.insert("CHALLENGE_NAME".into(), "SRP_A".into());
    let verifier = initiate_with(&sdk, &setup.client_id, AuthFlowType::CustomAuth, params)
        .await
        .unwrap();
    let custom = expect_challenge(
        prove_password(&sdk, &setup.client_id, &srp, &verifier, PASSWORD, None).await,
        ChallengeNameType::CustomChallenge,
    );
    let done = respond(
        &sdk,
        &setup.client_id,
        ChallengeNameType::CustomChallenge,
        Some(custom.session().unwrap()),
        &[
            ("USERNAME", "quinn"),
            ("ANSWER", &last_code(emulator.service(), "quinn")),
        ],
    )
    .await
    .unwrap();
    assert!(done.authentication_result().is_some());
    emulator.shutdown().await;
}
