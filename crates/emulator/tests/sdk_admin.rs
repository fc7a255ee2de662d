//! Admin-side SRP (AdminInitiateAuth / AdminRespondToAuthChallenge) and the pool
//! and client description and update operations, through the AWS SDK.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, DeviceConfigurationType, TimeUnitsType,
    TokenValidityUnitsType, UserPoolMfaType,
};
use cognito_auth_srp::SystemClock;
use cognito_auth_test_support::*;

#[tokio::test]
async fn admin_srp_and_pool_and_client_settings() {
    let (emulator, sdk, setup) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::with_secret()).await;
    create_user(&sdk, &setup, "vic", &[]).await;

    let srp = srp_client(&setup);
    let started = expect_challenge(
        sdk.admin_initiate_auth()
            .user_pool_id(&setup.pool_id)
            .client_id(&setup.client_id)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .set_auth_parameters(Some(
                srp.initiate_auth_parameters("vic", None)
                    .into_iter()
                    .collect(),
            ))
            .send()
            .await,
        ChallengeNameType::PasswordVerifier,
    );
    let responses = password_verifier_responses(
        &srp,
        started.challenge_parameters().unwrap(),
        PASSWORD,
        None,
        &SystemClock,
    );
    let done = sdk
        .admin_respond_to_auth_challenge()
        .user_pool_id(&setup.pool_id)
        .client_id(&setup.client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .set_session(started.session().map(str::to_owned))
        .set_challenge_responses(Some(responses))
        .send()
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());

    // Token validity, units and AuthSessionValidity are kept and used.
    let client = sdk
        .create_user_pool_client()
        .user_pool_id(&setup.pool_id)
        .client_name("short-lived")
        .access_token_validity(10)
        .id_token_validity(10)
        .token_validity_units(
            TokenValidityUnitsType::builder()
                .access_token(TimeUnitsType::Minutes)
                .id_token(TimeUnitsType::Minutes)
                .build(),
        )
        .auth_session_validity(5)
        .explicit_auth_flows("ALLOW_ADMIN_USER_PASSWORD_AUTH".into())
        .send()
        .await
        .unwrap();
    let client_id = client
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();
    let described = sdk
        .describe_user_pool_client()
        .user_pool_id(&setup.pool_id)
        .client_id(&client_id)
        .send()
        .await
        .unwrap();
    let described = described.user_pool_client().unwrap();
    assert_eq!(described.access_token_validity(), Some(10));
    assert_eq!(described.auth_session_validity(), Some(5));
    let signed_in = sdk
        .admin_initiate_auth()
        .user_pool_id(&setup.pool_id)
        .client_id(&client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "vic")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.authentication_result().unwrap().expires_in(), 600);

    // UpdateUserPool: MFA and devices.
    sdk.update_user_pool()
        .user_pool_id(&setup.pool_id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .device_configuration(
            DeviceConfigurationType::builder()
                .device_only_remembered_on_user_prompt(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool = sdk
        .describe_user_pool()
        .user_pool_id(&setup.pool_id)
        .send()
        .await
        .unwrap();
    let pool = pool.user_pool().unwrap();
    assert_eq!(pool.mfa_configuration(), Some(&UserPoolMfaType::Optional));
    assert!(
        pool.device_configuration()
            .unwrap()
            .device_only_remembered_on_user_prompt()
    );
    let user = sdk
        .admin_get_user()
        .user_pool_id(&setup.pool_id)
        .username("vic")
        .send()
        .await
        .unwrap();
    assert_eq!(
        user.user_status(),
        Some(&aws_sdk_cognitoidentityprovider::types::UserStatusType::Confirmed)
    );
    emulator.shutdown().await;
}
