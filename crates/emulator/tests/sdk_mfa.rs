//! MFA through the AWS SDK: SMS_MFA with outbox codes, a remembered device that
//! skips MFA, MFA_SETUP with a challenge session, and SELECT_MFA_TYPE.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::{
    ChallengeNameType, DeviceSecretVerifierConfigType, SmsMfaSettingsType,
    SoftwareTokenMfaSettingsType,
};
use cognito_auth_emulator::Emulator;
use cognito_auth_srp::{DeviceSrpClient, SystemClock, register_device};
use common::*;

fn last_code(emulator: &Emulator, username: &str) -> String {
    emulator
        .service()
        .outbox()
        .messages(Some(username))
        .last()
        .unwrap()
        .code
        .clone()
}

fn totp(secret: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bytes = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for c in secret.bytes() {
        buffer = (buffer << 5) | ALPHABET.iter().position(|&d| d == c).unwrap() as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            bytes.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    cognito_auth_emulator::totp_code_now(&bytes, time::OffsetDateTime::now_utc().unix_timestamp())
}

#[tokio::test]
async fn sms_mfa_then_a_remembered_device_skips_it() {
    let emulator = emulator().await;
    let sdk = sdk(&emulator.endpoint_url());
    let pool = PoolOptions {
        devices: true,
        mfa: Some("ON"),
        ..PoolOptions::default()
    };
    let setup = setup(&sdk, pool, ClientOptions::default()).await;
    create_user(&sdk, &setup, "rita", &[("phone_number", "+15555550100")]).await;
    sdk.admin_set_user_mfa_preference()
        .user_pool_id(&setup.pool_id)
        .username("rita")
        .sms_mfa_settings(
            SmsMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();

    let challenged = srp_sign_in(&sdk, &setup, "rita", PASSWORD, None)
        .await
        .unwrap();
    assert_eq!(
        challenged.challenge_name(),
        Some(&ChallengeNameType::SmsMfa)
    );
    assert_eq!(
        challenged.challenge_parameters().unwrap()["CODE_DELIVERY_DESTINATION"],
        "+*******0100"
    );
    let done = sdk
        .respond_to_auth_challenge()
        .client_id(&setup.client_id)
        .challenge_name(ChallengeNameType::SmsMfa)
        .session(challenged.session().unwrap())
        .challenge_responses("USERNAME", "rita")
        .challenge_responses("SMS_MFA_CODE", last_code(&emulator, "rita"))
        .send()
        .await
        .unwrap();
    let tokens = done.authentication_result().unwrap();
    let metadata = tokens.new_device_metadata().unwrap();
    let device_key = metadata.device_key().unwrap().to_owned();
    let registration = register_device(metadata.device_group_key().unwrap(), &device_key).unwrap();
    sdk.confirm_device()
        .access_token(tokens.access_token().unwrap())
        .device_key(&device_key)
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder()
                .password_verifier(&registration.verifier_config.password_verifier)
                .salt(&registration.verifier_config.salt)
                .build(),
        )
        .send()
        .await
        .unwrap();

    // With the remembered device: password, device proof, tokens; no SMS.
    let sent_before = emulator.service().outbox().messages(Some("rita")).len();
    let verified = srp_sign_in(&sdk, &setup, "rita", PASSWORD, Some(&device_key))
        .await
        .unwrap();
    assert_eq!(
        verified.challenge_name(),
        Some(&ChallengeNameType::DeviceSrpAuth)
    );
    let device = DeviceSrpClient::new(setup.app(), registration.device).unwrap();
    let srp_step = sdk
        .respond_to_auth_challenge()
        .client_id(&setup.client_id)
        .challenge_name(ChallengeNameType::DeviceSrpAuth)
        .set_session(verified.session().map(str::to_owned))
        .set_challenge_responses(Some(
            device
                .device_srp_auth_responses("rita")
                .into_iter()
                .collect(),
        ))
        .send()
        .await
        .unwrap();
    let responses: HashMap<String, String> = device
        .device_password_verifier_responses(
            srp_step.challenge_parameters().unwrap(),
            "rita",
            &SystemClock,
        )
        .unwrap()
        .into_iter()
        .collect();
    let done = sdk
        .respond_to_auth_challenge()
        .client_id(&setup.client_id)
        .challenge_name(ChallengeNameType::DevicePasswordVerifier)
        .set_session(srp_step.session().map(str::to_owned))
        .set_challenge_responses(Some(responses))
        .send()
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
    let emulator = emulator().await;
    let sdk = sdk(&emulator.endpoint_url());
    let pool = PoolOptions {
        mfa: Some("ON"),
        ..PoolOptions::default()
    };
    let setup = setup(&sdk, pool, ClientOptions::default()).await;
    create_user(&sdk, &setup, "sam", &[("phone_number", "+15555550101")]).await;

    let challenged = srp_sign_in(&sdk, &setup, "sam", PASSWORD, None)
        .await
        .unwrap();
    assert_eq!(
        challenged.challenge_name(),
        Some(&ChallengeNameType::MfaSetup)
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
        .user_code(totp(&secret))
        .send()
        .await
        .unwrap();
    let done = sdk
        .respond_to_auth_challenge()
        .client_id(&setup.client_id)
        .challenge_name(ChallengeNameType::MfaSetup)
        .session(verified.session().unwrap())
        .challenge_responses("USERNAME", "sam")
        .send()
        .await
        .unwrap();
    let access = done
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();

    // Two factors and no preference: the user chooses.
    sdk.set_user_mfa_preference()
        .access_token(&access)
        .sms_mfa_settings(SmsMfaSettingsType::builder().enabled(true).build())
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(false)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let user = sdk.get_user().access_token(&access).send().await.unwrap();
    assert_eq!(user.user_mfa_setting_list().len(), 2);
    let choosing = srp_sign_in(&sdk, &setup, "sam", PASSWORD, None)
        .await
        .unwrap();
    assert_eq!(
        choosing.challenge_name(),
        Some(&ChallengeNameType::SelectMfaType)
    );
    let totp_step = sdk
        .respond_to_auth_challenge()
        .client_id(&setup.client_id)
        .challenge_name(ChallengeNameType::SelectMfaType)
        .session(choosing.session().unwrap())
        .challenge_responses("USERNAME", "sam")
        .challenge_responses("ANSWER", "SOFTWARE_TOKEN_MFA")
        .send()
        .await
        .unwrap();
    assert_eq!(
        totp_step.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    let done = sdk
        .respond_to_auth_challenge()
        .client_id(&setup.client_id)
        .challenge_name(ChallengeNameType::SoftwareTokenMfa)
        .session(totp_step.session().unwrap())
        .challenge_responses("USERNAME", "sam")
        .challenge_responses("SOFTWARE_TOKEN_MFA_CODE", totp(&secret))
        .send()
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());
    emulator.shutdown().await;
}
