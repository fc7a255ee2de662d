//! End to end against the project's Cognito emulator (`cognito-auth-emulator`,
//! started in-process on a loopback port) over real HTTP, with the real SDK client.
//! The sign-in client has no credentials at all; a second client with dummy
//! credentials does the admin set-up, as an operator would.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sdk_cognitoidentityprovider::types::{AttributeType, ExplicitAuthFlowsType};
use cognito_auth_flows::{
    Answer, ChallengeHandler, Declined, DevicePolicy, DeviceStore, Error, FirstFactor,
    MemoryDeviceStore, Notice, Prompt, Refresh, SignIn,
};
use cognito_auth_test_support::{
    PASSWORD, confirm_sign_up, enable_sms_and_totp_mfa, prefer_sms_mfa, pw, sign_up,
};
use secrecy::ExposeSecret;
use support::{PoolSpec, unsigned, world};

#[tokio::test]
async fn srp_and_password_sign_in_refresh_and_typed_errors() {
    let world = world(PoolSpec {
        secret: true,
        ..PoolSpec::default()
    })
    .await;
    world.user("alice", &[("email", "alice@example.com")]).await;
    let flows = world.flows().build().unwrap();

    let tokens = flows.sign_in_srp("alice", &pw(PASSWORD)).await.unwrap();
    assert_eq!(tokens.username(), Some("alice"));
    let id = tokens.id_claims().unwrap();
    assert_eq!(id.client_id(), Some(world.setup.client_id.as_str()));
    assert_eq!(id.str("email"), Some("alice@example.com"));
    assert_eq!(tokens.token_type(), Some("Bearer"));
    assert!(tokens.expires_at() > SystemTime::now() + Duration::from_secs(600));

    let err = flows
        .sign_in_srp("alice", &pw("Wrong-Horse-9"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");
    let err = flows
        .sign_in_srp("nobody", &pw(PASSWORD))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UserNotFound), "{err:?}");

    let tokens = flows
        .sign_in_password("alice", &pw(PASSWORD))
        .await
        .unwrap();
    let err = flows
        .sign_in_password("alice", &pw("Wrong-Horse-9"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");

    let refreshed = flows
        .refresh(&Refresh::from_tokens(&tokens).unwrap())
        .await
        .unwrap();
    assert_eq!(refreshed.username(), Some("alice"));
    let rotated = flows
        .refresh(&Refresh::from_tokens(&tokens).unwrap().rotating())
        .await
        .unwrap();
    assert!(rotated.access_token().expose_secret().len() > 100);
    let err = flows
        .refresh(&Refresh::new(pw("not-a-refresh-token")).with_username("alice"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RefreshTokenRefused { .. }), "{err:?}");
    world.emulator.shutdown().await;
}

#[tokio::test]
async fn lockout_flow_not_enabled_unconfirmed_and_bad_secret() {
    let world = world(PoolSpec {
        flows: Some(vec![
            ExplicitAuthFlowsType::AllowUserSrpAuth,
            ExplicitAuthFlowsType::AllowRefreshTokenAuth,
        ]),
        ..PoolSpec::default()
    })
    .await;
    world.user("bob", &[]).await;
    let flows = world.flows().build().unwrap();

    let err = flows
        .sign_in_password("bob", &pw(PASSWORD))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::FlowNotEnabled { .. }), "{err:?}");

    let mut outcomes = Vec::new();
    for _ in 0..8 {
        outcomes.push(
            flows
                .sign_in_srp("bob", &pw("Wrong-Horse-9"))
                .await
                .unwrap_err(),
        );
    }
    assert!(
        outcomes[..5]
            .iter()
            .all(|e| matches!(e, Error::WrongCredentials)),
        "{outcomes:?}"
    );
    assert!(
        outcomes.iter().any(|e| matches!(e, Error::LockedOut)),
        "{outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .all(|e| matches!(e, Error::WrongCredentials | Error::LockedOut)),
        "{outcomes:?}"
    );

    // A user who signed up but never confirmed.
    unsigned(&world.emulator.endpoint_url())
        .sign_up()
        .client_id(&world.setup.client_id)
        .username("carl")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let err = flows.sign_in_srp("carl", &pw(PASSWORD)).await.unwrap_err();
    assert!(matches!(err, Error::UserNotConfirmed), "{err:?}");

    // A client secret the app client does not have.
    let with_secret = world
        .flows()
        .client_secret(pw("made-up-secret"))
        .build()
        .unwrap();
    let err = with_secret
        .sign_in_srp("bob", &pw(PASSWORD))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SecretHash { .. }), "{err:?}");
    world.emulator.shutdown().await;
}

#[tokio::test]
async fn email_username_pool_with_secret_uses_the_internal_name_after_initiate() {
    let world = world(PoolSpec {
        email_username: true,
        secret: true,
        ..PoolSpec::default()
    })
    .await;
    world
        .user("dora@example.com", &[("email", "dora@example.com")])
        .await;
    let flows = world.flows().build().unwrap();
    let tokens = flows
        .sign_in_srp("dora@example.com", &pw(PASSWORD))
        .await
        .unwrap();
    let internal = tokens.username().unwrap().to_owned();
    assert_ne!(internal, "dora@example.com", "the sub, not the email");
    let refreshed = flows
        .refresh(&Refresh::from_tokens(&tokens).unwrap())
        .await
        .unwrap();
    assert_eq!(refreshed.username(), Some(internal.as_str()));
    world.emulator.shutdown().await;
}

#[tokio::test]
async fn sms_mfa_and_totp_setup_then_select_mfa_type() {
    let world = world(PoolSpec {
        mfa: Some("ON"),
        ..PoolSpec::default()
    })
    .await;
    world
        .user("erin", &[("phone_number", "+15555550100")])
        .await;
    prefer_sms_mfa(&world.admin, &world.setup, "erin").await;
    let flows = world.flows().build().unwrap();
    let person = world.person("erin");
    flows
        .sign_in(&SignIn::srp("erin", pw(PASSWORD)), &person)
        .await
        .unwrap();
    assert_eq!(person.prompts(), ["SMS_MFA"]);

    // A wrong SMS code is a code mismatch.
    struct WrongCode;
    impl ChallengeHandler for WrongCode {
        async fn answer(&self, _: &Prompt) -> Result<Answer, Declined> {
            Ok(Answer::code("000000"))
        }
    }
    let err = flows
        .sign_in(&SignIn::srp("erin", pw(PASSWORD)), &WrongCode)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CodeMismatch), "{err:?}");

    // MFA_SETUP: a user with no factor yet sets up TOTP during sign-in.
    world.user("fred", &[]).await;
    let person = world.person("fred");
    let tokens = flows
        .sign_in(&SignIn::srp("fred", pw(PASSWORD)), &person)
        .await
        .unwrap();
    assert_eq!(person.prompts(), ["MFA_SETUP"]);

    // With TOTP and SMS both enabled and no preference, the user chooses.
    enable_sms_and_totp_mfa(flows.client(), tokens.access_token().expose_secret()).await;
    world
        .admin
        .admin_update_user_attributes()
        .user_pool_id(&world.setup.pool_id)
        .username("fred")
        .user_attributes(
            AttributeType::builder()
                .name("phone_number")
                .value("+15555550199")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let again = world.person("fred");
    *again.totp_secret.lock().unwrap() = person.totp_secret.lock().unwrap().clone();
    flows
        .sign_in(&SignIn::srp("fred", pw(PASSWORD)), &again)
        .await
        .unwrap();
    assert_eq!(again.prompts(), ["SELECT_MFA_TYPE", "SOFTWARE_TOKEN_MFA"]);
    world.emulator.shutdown().await;
}

#[tokio::test]
async fn new_password_required_for_a_temporary_password() {
    let world = world(PoolSpec::default()).await;
    world.temporary_user("gail", &[]).await;
    let flows = world.flows().build().unwrap();
    let mut person = world.person("gail");
    person.new_password = Some("Brand-New-Pass-7".into());
    flows
        .sign_in(&SignIn::srp("gail", pw(PASSWORD)), &person)
        .await
        .unwrap();
    assert_eq!(person.prompts(), ["NEW_PASSWORD_REQUIRED"]);
    flows
        .sign_in_srp("gail", &pw("Brand-New-Pass-7"))
        .await
        .unwrap();
    world.emulator.shutdown().await;
}

#[tokio::test]
async fn custom_auth_with_and_without_srp_and_user_auth_choices() {
    let world = world(PoolSpec {
        choice: true,
        secret: true,
        builtin_triggers: true,
        ..PoolSpec::default()
    })
    .await;
    world.user("hana", &[("email", "hana@example.com")]).await;
    let flows = world.flows().build().unwrap();

    let person = world.person("hana");
    flows
        .sign_in(&SignIn::custom("hana"), &person)
        .await
        .unwrap();
    assert_eq!(person.prompts(), ["CUSTOM_CHALLENGE"]);
    let person = world.person("hana");
    flows
        .sign_in(&SignIn::custom_with_srp("hana", pw(PASSWORD)), &person)
        .await
        .unwrap();
    assert_eq!(person.prompts(), ["CUSTOM_CHALLENGE"]);
    let err = flows
        .sign_in(
            &SignIn::custom_with_srp("hana", pw("Wrong-Horse-9")),
            &person,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");

    // USER_AUTH: SELECT_CHALLENGE, each first factor.
    for choice in ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP"] {
        let mut person = world.person("hana");
        person.choose = Some(choice.into());
        flows
            .sign_in(
                &SignIn::user_auth("hana").with_password(pw(PASSWORD)),
                &person,
            )
            .await
            .unwrap_or_else(|e| panic!("{choice}: {e:?}"));
        assert_eq!(person.prompts()[0], "SELECT_CHALLENGE");
    }
    let mut person = world.person("hana");
    person.choose = Some("PASSWORD_SRP".into());
    let err = flows
        .sign_in(
            &SignIn::user_auth("hana").with_password(pw("Wrong-Horse-9")),
            &person,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");

    // USER_AUTH with PREFERRED_CHALLENGE.
    for (factor, password) in [
        (FirstFactor::PasswordSrp, Some(pw(PASSWORD))),
        (FirstFactor::Password, Some(pw(PASSWORD))),
        (FirstFactor::EmailOtp, None),
    ] {
        let person = world.person("hana");
        flows
            .sign_in(
                &SignIn::user_auth_preferring("hana", factor, password),
                &person,
            )
            .await
            .unwrap_or_else(|e| panic!("{factor:?}: {e:?}"));
    }

    // USER_AUTH with the Session from ConfirmSignUp.
    let app = unsigned(&world.emulator.endpoint_url());
    sign_up(&app, &world.setup, "ivy", &[("email", "ivy@example.com")]).await;
    let code = world.person("ivy").last_code();
    let session = confirm_sign_up(&app, &world.setup, "ivy", &code)
        .await
        .unwrap();
    let tokens = flows
        .sign_in(
            &SignIn::user_auth_after_sign_up("ivy", pw(&session)),
            &world.person("ivy"),
        )
        .await
        .unwrap();
    assert_eq!(
        tokens.id_claims().unwrap().str("email"),
        Some("ivy@example.com")
    );
    world.emulator.shutdown().await;
}

#[tokio::test]
async fn device_remember_device_srp_refresh_and_forget() {
    let world = world(PoolSpec {
        devices: true,
        mfa: Some("ON"),
        secret: true,
        email_username: true,
        ..PoolSpec::default()
    })
    .await;
    world
        .user(
            "kate@example.com",
            &[
                ("email", "kate@example.com"),
                ("phone_number", "+15555550103"),
            ],
        )
        .await;
    prefer_sms_mfa(&world.admin, &world.setup, "kate@example.com").await;
    let store = Arc::new(MemoryDeviceStore::new());
    let flows = world
        .flows()
        .device_store(store.clone())
        .device_policy(DevicePolicy::Remember {
            device_name: Some("ci".into()),
        })
        .build()
        .unwrap();

    // First sign-in: SMS MFA, a new device, confirmed and stored.
    // The SMS goes to the phone (the internal name is a sub).
    let person = world.person("+15555550103");
    let first = flows
        .sign_in(&SignIn::srp("kate@example.com", pw(PASSWORD)), &person)
        .await
        .unwrap();
    assert_eq!(person.prompts(), ["SMS_MFA"]);
    let device = first.new_device().unwrap().clone();
    assert!(
        first
            .notices()
            .iter()
            .any(|n| matches!(n, Notice::DeviceConfirmed { device_key, .. } if *device_key == device.device_key)),
        "{:?}",
        first.notices()
    );
    let stored = store
        .load(&world.setup.pool_id, "kate@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.device_key(), device.device_key);

    // Second sign-in: DEVICE_SRP_AUTH, and the remembered device skips MFA.
    let second = flows
        .sign_in_srp("kate@example.com", &pw(PASSWORD))
        .await
        .unwrap();
    assert!(
        second
            .notices()
            .iter()
            .any(|n| matches!(n, Notice::DeviceAuthenticated { .. })),
        "{:?}",
        second.notices()
    );
    assert_eq!(second.device_key(), Some(device.device_key.as_str()));
    assert_eq!(
        second.access_claims().unwrap().device_key(),
        Some(device.device_key.as_str())
    );

    // Refresh sends DEVICE_KEY; without it the emulator refuses the device's token.
    let refreshed = flows
        .refresh(&Refresh::from_tokens(&second).unwrap())
        .await
        .unwrap();
    assert_eq!(refreshed.device_key(), Some(device.device_key.as_str()));
    let storeless = world.flows().build().unwrap();
    let err = storeless
        .refresh(
            &Refresh::new(second.refresh_token().unwrap().clone())
                .with_username(second.username().unwrap()),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RefreshTokenRefused { .. }), "{err:?}");

    // The user forgets the device; Cognito then answers "Device does not exist.",
    // and the next sign-in drops it, retries without, falls back to MFA and gets a
    // new device, which replaces the old one in the store.
    flows
        .client()
        .forget_device()
        .access_token(second.access_token().expose_secret())
        .device_key(&device.device_key)
        .send()
        .await
        .unwrap();
    // The SMS goes to the phone (the internal name is a sub).
    let person = world.person("+15555550103");
    let third = flows
        .sign_in(&SignIn::srp("kate@example.com", pw(PASSWORD)), &person)
        .await
        .unwrap();
    assert_eq!(person.prompts(), ["SMS_MFA"]);
    assert!(third.device_was_forgotten(), "{:?}", third.notices());
    let replacement = third.new_device().unwrap();
    assert_ne!(replacement.device_key, device.device_key);
    assert_eq!(
        store
            .load(&world.setup.pool_id, "kate@example.com")
            .await
            .unwrap()
            .unwrap()
            .device_key(),
        replacement.device_key
    );
    world.emulator.shutdown().await;
}
