//! MFA through the AWS SDK: SMS_MFA with outbox codes, a remembered device that
//! skips MFA, MFA_SETUP with a challenge session, and SELECT_MFA_TYPE.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;
use cognito_auth_srp::{DeviceSrpClient, register_device};
use cognito_auth_test_support::*;

#[tokio::test]
async fn sms_mfa_then_a_remembered_device_skips_it() {
    let pool = PoolOptions {
        devices: true,
        mfa: Some("ON"),
        ..PoolOptions::default()
    };
    let (emulator, sdk, setup) = emulator_with_pool(pool, ClientOptions::default()).await;
    create_user(&sdk, &setup, "rita", &[("phone_number", "+15555550100")]).await;
    prefer_sms_mfa(&sdk, &setup, "rita").await;

    let challenged = expect_challenge(
        srp_sign_in(&sdk, &setup, "rita", PASSWORD, None).await,
        ChallengeNameType::SmsMfa,
    );
    assert_eq!(
        challenged.challenge_parameters().unwrap()["CODE_DELIVERY_DESTINATION"],
        "+*******0100"
    );
    let done = respond(
        &sdk,
        &setup.client_id,
        ChallengeNameType::SmsMfa,
        Some(challenged.session().unwrap()),
        &[
            ("USERNAME", "rita"),
            ("SMS_MFA_CODE", &last_code(emulator.service(), "rita")),
        ],
    )
    .await
    .unwrap();
    let tokens = done.authentication_result().unwrap();
    let metadata = tokens.new_device_metadata().unwrap();
    let device_key = metadata.device_key().unwrap().to_owned();
    let registration = register_device(metadata.device_group_key().unwrap(), &device_key).unwrap();
    confirm_device(
        &sdk,
        tokens.access_token().unwrap(),
        &device_key,
        None,
        &registration,
    )
    .await;

    // With the remembered device: password, device proof, tokens; no SMS.
    let sent_before = emulator.service().outbox().messages(Some("rita")).len();
    let verified = expect_challenge(
        srp_sign_in(&sdk, &setup, "rita", PASSWORD, Some(&device_key)).await,
        ChallengeNameType::DeviceSrpAuth,
    );
    let device = DeviceSrpClient::new(setup.app(), registration.device).unwrap();
    let done = answer_device_challenges(&sdk, &setup, &device, "rita", verified.session())
        .await
        .unwrap();
    assert!(done.authentication_result().is_some(), "no MFA challenge");
    assert_eq!(
        emulator.service().outbox().messages(Some("rita")).len(),
        sent_before
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn mfa_setup_with_a_challenge_session_then_select_mfa_type() {
    let pool = PoolOptions {
        mfa: Some("ON"),
        ..PoolOptions::default()
    };
    let (emulator, sdk, setup) = emulator_with_pool(pool, ClientOptions::default()).await;
    create_user(&sdk, &setup, "sam", &[("phone_number", "+15555550101")]).await;

    let challenged = expect_challenge(
        srp_sign_in(&sdk, &setup, "sam", PASSWORD, None).await,
        ChallengeNameType::MfaSetup,
    );
    let associated = sdk
        .associate_software_token()
        .session(challenged.session().unwrap())
        .send()
        .await
        .unwrap();
    let secret = associated.secret_code().unwrap().to_owned();
    let verified = sdk
        .verify_software_token()
        .session(associated.session().unwrap())
        .user_code(totp_now(&secret))
        .send()
        .await
        .unwrap();
    let done = respond(
        &sdk,
        &setup.client_id,
        ChallengeNameType::MfaSetup,
        Some(verified.session().unwrap()),
        &[("USERNAME", "sam")],
    )
    .await
    .unwrap();
    let access = done
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();

    // Two factors and no preference: the user chooses.
    enable_sms_and_totp_mfa(&sdk, &access).await;
    let user = sdk.get_user().access_token(&access).send().await.unwrap();
    assert_eq!(user.user_mfa_setting_list().len(), 2);
    let choosing = expect_challenge(
        srp_sign_in(&sdk, &setup, "sam", PASSWORD, None).await,
        ChallengeNameType::SelectMfaType,
    );
    let totp_step = expect_challenge(
        respond(
            &sdk,
            &setup.client_id,
            ChallengeNameType::SelectMfaType,
            Some(choosing.session().unwrap()),
            &[("USERNAME", "sam"), ("ANSWER", "SOFTWARE_TOKEN_MFA")],
        )
        .await,
        ChallengeNameType::SoftwareTokenMfa,
    );
    let done = respond(
        &sdk,
        &setup.client_id,
        ChallengeNameType::SoftwareTokenMfa,
        Some(totp_step.session().unwrap()),
        &[
            ("USERNAME", "sam"),
            ("SOFTWARE_TOKEN_MFA_CODE", &totp_now(&secret)),
        ],
    )
    .await
    .unwrap();
    assert!(done.authentication_result().is_some());
    emulator.shutdown().await;
}
