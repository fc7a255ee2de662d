//! Devices (remember, then DEVICE_SRP_AUTH), refresh tokens, revocation, sign-out,
//! TOTP MFA and NEW_PASSWORD_REQUIRED, through the real AWS SDK.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, DeviceRememberedStatusType,
};
use cognito_auth_srp::{DeviceSrpClient, register_device};
use cognito_auth_test_support::*;
use serde_json::Value;

#[tokio::test]
async fn remembered_device_signs_in_with_device_srp() {
    let pool = PoolOptions {
        devices: true,
        ..PoolOptions::default()
    };
    let client = ClientOptions::with_secret();
    let (emulator, sdk, setup) = emulator_with_pool(pool, client).await;
    create_user(&sdk, &setup, "ivan", &[]).await;

    // First sign-in: a new device is offered.
    let tokens = expect_tokens(srp_sign_in(&sdk, &setup, "ivan", PASSWORD, None).await);
    let metadata = tokens.new_device_metadata().unwrap();
    let device_key = metadata.device_key().unwrap().to_owned();
    let group_key = metadata.device_group_key().unwrap().to_owned();
    assert!(device_key.starts_with("us-east-1_"));
    let registration = register_device(&group_key, &device_key).unwrap();
    let confirmed = confirm_device(
        &sdk,
        tokens.access_token().unwrap(),
        &device_key,
        Some("test laptop"),
        &registration,
    )
    .await;
    assert!(!confirmed.user_confirmation_necessary());
    let listed = sdk
        .list_devices()
        .access_token(tokens.access_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(listed.devices().len(), 1);
    sdk.update_device_status()
        .access_token(tokens.access_token().unwrap())
        .device_key(&device_key)
        .device_remembered_status(DeviceRememberedStatusType::Remembered)
        .send()
        .await
        .unwrap();

    // Second sign-in with DEVICE_KEY: PASSWORD_VERIFIER, then the device proves itself.
    let verified = expect_challenge(
        srp_sign_in(&sdk, &setup, "ivan", PASSWORD, Some(&device_key)).await,
        ChallengeNameType::DeviceSrpAuth,
    );
    let username = verified.challenge_parameters().unwrap()["USERNAME"].clone();
    let device = DeviceSrpClient::new(setup.app(), registration.device.clone()).unwrap();
    let done = answer_device_challenges(&sdk, &setup, &device, &username, verified.session())
        .await
        .unwrap();
    let tokens = done.authentication_result().unwrap();
    assert!(tokens.new_device_metadata().is_none());
    assert_eq!(
        jwt_claims(tokens.access_token().unwrap())["device_key"],
        device_key.as_str()
    );

    // A refresh token issued to the device refreshes only with DEVICE_KEY.
    let refresh = tokens.refresh_token().unwrap();
    let error = initiate(
        &sdk,
        &setup.client_id,
        AuthFlowType::RefreshTokenAuth,
        &[
            ("REFRESH_TOKEN", refresh),
            ("SECRET_HASH", &setup.secret_hash("ivan").unwrap()),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(error_of(&error).1, "Invalid Refresh Token.");
    let refreshed = initiate(
        &sdk,
        &setup.client_id,
        AuthFlowType::RefreshTokenAuth,
        &[
            ("REFRESH_TOKEN", refresh),
            ("SECRET_HASH", &setup.secret_hash("ivan").unwrap()),
            ("DEVICE_KEY", &device_key),
        ],
    )
    .await
    .unwrap();
    assert!(
        refreshed
            .authentication_result()
            .unwrap()
            .access_token()
            .is_some()
    );

    // A device whose password is wrong fails the proof.
    let impostor = register_device(&group_key, &device_key).unwrap();
    let verified = expect_challenge(
        srp_sign_in(&sdk, &setup, "ivan", PASSWORD, Some(&device_key)).await,
        ChallengeNameType::DeviceSrpAuth,
    );
    assert_eq!(
        verified.challenge_parameters().unwrap()["USERNAME"],
        username
    );
    let device = DeviceSrpClient::new(setup.app(), impostor.device).unwrap();
    // Without Sessions this time: the device's SRP state finds the sign-in.
    let error = answer_device_challenges(&sdk, &setup, &device, &username, None)
        .await
        .unwrap_err();
    assert_eq!(error_of(&error).1, "Incorrect username or password.");

    sdk.forget_device()
        .access_token(tokens.access_token().unwrap())
        .device_key(&device_key)
        .send()
        .await
        .unwrap();
    let error = sdk
        .get_device()
        .access_token(tokens.access_token().unwrap())
        .device_key(&device_key)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_of(&error).0, "ResourceNotFoundException");

    // Signing in with the forgotten device is refused as Cognito refuses it, so
    // clients know to drop the device and sign in again without it.
    let error = srp_sign_in(&sdk, &setup, "ivan", PASSWORD, Some(&device_key))
        .await
        .unwrap_err();
    assert_eq!(
        error_of(&error),
        (
            "ResourceNotFoundException".to_owned(),
            "Device does not exist.".to_owned()
        )
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn refresh_revoke_and_global_sign_out() {
    let (emulator, sdk, setup) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;
    create_user(&sdk, &setup, "judy", &[]).await;
    let signed_in = initiate(
        &sdk,
        &setup.client_id,
        AuthFlowType::UserPasswordAuth,
        &[("USERNAME", "judy"), ("PASSWORD", PASSWORD)],
    )
    .await
    .unwrap();
    let tokens = signed_in.authentication_result().unwrap();
    let refresh = tokens.refresh_token().unwrap().to_owned();
    let refreshed = initiate(
        &sdk,
        &setup.client_id,
        AuthFlowType::RefreshTokenAuth,
        &[("REFRESH_TOKEN", &refresh)],
    )
    .await
    .unwrap();
    let result = refreshed.authentication_result().unwrap();
    assert!(result.refresh_token().is_none());
    let fresh_access = result.access_token().unwrap().to_owned();
    assert_eq!(
        jwt_claims(&fresh_access)["auth_time"],
        jwt_claims(tokens.access_token().unwrap())["auth_time"]
    );
    let via_op = sdk
        .get_tokens_from_refresh_token()
        .client_id(&setup.client_id)
        .refresh_token(&refresh)
        .send()
        .await
        .unwrap();
    assert!(via_op.authentication_result().unwrap().id_token().is_some());

    let error = initiate(
        &sdk,
        &setup.client_id,
        AuthFlowType::RefreshTokenAuth,
        &[("REFRESH_TOKEN", "not-a-token")],
    )
    .await
    .unwrap_err();
    assert_eq!(error_of(&error).1, "Invalid Refresh Token.");

    sdk.revoke_token()
        .client_id(&setup.client_id)
        .token(&refresh)
        .send()
        .await
        .unwrap();
    let error = initiate(
        &sdk,
        &setup.client_id,
        AuthFlowType::RefreshTokenAuth,
        &[("REFRESH_TOKEN", &refresh)],
    )
    .await
    .unwrap_err();
    assert_eq!(error_of(&error).1, "Refresh Token has been revoked");
    let error = sdk
        .get_user()
        .access_token(&fresh_access)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_of(&error).1, "Access Token has been revoked");

    // GlobalSignOut ends every sign-in of the user.
    let again = expect_tokens(srp_sign_in(&sdk, &setup, "judy", PASSWORD, None).await);
    sdk.global_sign_out()
        .access_token(again.access_token().unwrap())
        .send()
        .await
        .unwrap();
    let error = initiate(
        &sdk,
        &setup.client_id,
        AuthFlowType::RefreshTokenAuth,
        &[("REFRESH_TOKEN", again.refresh_token().unwrap())],
    )
    .await
    .unwrap_err();
    assert_eq!(error_of(&error).1, "Refresh Token has been revoked");
    let error = sdk
        .get_user()
        .access_token(again.access_token().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_of(&error).0, "NotAuthorizedException");
    emulator.shutdown().await;
}

#[tokio::test]
async fn flows_the_client_does_not_allow_are_refused() {
    let client = ClientOptions {
        flows: vec![
            aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowUserSrpAuth,
        ],
        ..ClientOptions::default()
    };
    let (emulator, sdk, setup) = emulator_with_pool(PoolOptions::default(), client).await;
    create_user(&sdk, &setup, "ken", &[]).await;
    let error = initiate(
        &sdk,
        &setup.client_id,
        AuthFlowType::UserPasswordAuth,
        &[("USERNAME", "ken"), ("PASSWORD", PASSWORD)],
    )
    .await
    .unwrap_err();
    assert_eq!(
        error_of(&error),
        (
            "InvalidParameterException".to_owned(),
            "USER_PASSWORD_AUTH flow not enabled for this client".to_owned()
        )
    );
    let error = sdk
        .admin_initiate_auth()
        .user_pool_id(&setup.pool_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .client_id(&setup.client_id)
        .auth_parameters("USERNAME", "ken")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_of(&error).1, "Auth flow not enabled for this client");
    emulator.shutdown().await;
}

#[tokio::test]
async fn user_states_and_admin_password_auth() {
    let (emulator, sdk, setup) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;
    create_user(&sdk, &setup, "leo", &[]).await;
    let admin = || {
        sdk.admin_initiate_auth()
            .user_pool_id(&setup.pool_id)
            .client_id(&setup.client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", "leo")
    };
    expect_tokens(admin().auth_parameters("PASSWORD", PASSWORD).send().await);
    let error = admin()
        .auth_parameters("PASSWORD", "Wrong-Password-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_of(&error).1, "Incorrect username or password.");

    sdk.admin_disable_user()
        .user_pool_id(&setup.pool_id)
        .username("leo")
        .send()
        .await
        .unwrap();
    let error = admin()
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_of(&error).1, "User is disabled.");

    // Sign-up leaves the user unconfirmed until the outbox code is used.
    let signed_up = sdk
        .sign_up()
        .client_id(&setup.client_id)
        .username("mia")
        .password(PASSWORD)
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("email")
                .value("mia@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert!(!signed_up.user_confirmed());
    let error = srp_sign_in(&sdk, &setup, "mia", PASSWORD, None)
        .await
        .unwrap_err();
    assert_eq!(
        error_of(&error),
        (
            "UserNotConfirmedException".to_owned(),
            "User is not confirmed.".to_owned()
        )
    );
    let (status, _, body) = raw_request(
        emulator.address(),
        "GET /_emulator/outbox?username=mia HTTP/1.1",
        b"",
    )
    .await;
    assert_eq!(status, 200);
    let outbox: Value = serde_json::from_str(&body).unwrap();
    let code = outbox["messages"][0]["code"].as_str().unwrap().to_owned();
    sdk.confirm_sign_up()
        .client_id(&setup.client_id)
        .username("mia")
        .confirmation_code(code)
        .send()
        .await
        .unwrap();
    expect_tokens(srp_sign_in(&sdk, &setup, "mia", PASSWORD, None).await);

    sdk.admin_delete_user()
        .user_pool_id(&setup.pool_id)
        .username("mia")
        .send()
        .await
        .unwrap();
    let error = sdk
        .admin_get_user()
        .user_pool_id(&setup.pool_id)
        .username("mia")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_of(&error).0, "UserNotFoundException");
    emulator.shutdown().await;
}

#[tokio::test]
async fn new_password_required_then_totp_mfa() {
    let pool = PoolOptions {
        mfa: Some("OPTIONAL"),
        ..PoolOptions::default()
    };
    let (emulator, sdk, setup) = emulator_with_pool(pool, ClientOptions::default()).await;
    sdk.admin_create_user()
        .user_pool_id(&setup.pool_id)
        .username("nina")
        .temporary_password("Temporary-Pass-1")
        .send()
        .await
        .unwrap();
    let challenged = expect_challenge(
        srp_sign_in(&sdk, &setup, "nina", "Temporary-Pass-1", None).await,
        ChallengeNameType::NewPasswordRequired,
    );
    let done = respond(
        &sdk,
        &setup.client_id,
        ChallengeNameType::NewPasswordRequired,
        Some(challenged.session().unwrap()),
        &[("USERNAME", "nina"), ("NEW_PASSWORD", PASSWORD)],
    )
    .await
    .unwrap();
    let access = done
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();

    // Set up TOTP with the access token, then sign in with it.
    let associated = sdk
        .associate_software_token()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    let secret = associated.secret_code().unwrap().to_owned();
    let code = || totp_now(&secret);
    let error = sdk
        .verify_software_token()
        .access_token(&access)
        .user_code("000000")
        .send()
        .await;
    if code() != "000000" {
        assert_eq!(
            error_of(&error.unwrap_err()).0,
            "EnableSoftwareTokenMFAException"
        );
    }
    sdk.verify_software_token()
        .access_token(&access)
        .user_code(code())
        .send()
        .await
        .unwrap();
    prefer_totp_mfa(&sdk, &access).await;
    let challenged = expect_challenge(
        srp_sign_in(&sdk, &setup, "nina", PASSWORD, None).await,
        ChallengeNameType::SoftwareTokenMfa,
    );
    let wrong = if code() == "123456" {
        "654321"
    } else {
        "123456"
    };
    let error = respond(
        &sdk,
        &setup.client_id,
        ChallengeNameType::SoftwareTokenMfa,
        Some(challenged.session().unwrap()),
        &[("USERNAME", "nina"), ("SOFTWARE_TOKEN_MFA_CODE", wrong)],
    )
    .await
    .unwrap_err();
    assert_eq!(
        error_of(&error),
        (
            "CodeMismatchException".to_owned(),
            "Invalid code received for user".to_owned()
        )
    );
    // The same session may try again with the right code.
    let done = respond(
        &sdk,
        &setup.client_id,
        ChallengeNameType::SoftwareTokenMfa,
        Some(challenged.session().unwrap()),
        &[("USERNAME", "nina"), ("SOFTWARE_TOKEN_MFA_CODE", &code())],
    )
    .await
    .unwrap();
    assert!(done.authentication_result().is_some());
    emulator.shutdown().await;
}
