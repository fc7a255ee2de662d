//! MFA, step-wise sign-in and remembered devices against the project's
//! emulator, with every request and reply recorded on the way: the metadata
//! on every call, the codes and device keys sent, the Session kept in a
//! serialized state. The SDK client has no credentials at all.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;

use cognito_auth_flows::{
    Answer, CodeKind, DevicePolicy, DeviceStore, Error, Flows, MemoryDeviceStore, Metadata,
    MfaKind, Notice, Prompt, Refresh, SignIn, SignInState, Step, UserContext,
};
use cognito_auth_test_support::{
    ClientOptions, PASSWORD, create_client, enable_sms_and_totp_mfa, enable_totp_mfa, pw, totp_now,
    verify_totp,
};
use secrecy::ExposeSecret;
use support::recorded::*;
use support::{Person, admin, every_flow, flows_builder, unsigned};

/// Signs `username` in (no MFA yet) and sets up TOTP as the preferred
/// factor: the TOTP secret.
async fn with_totp(flows: &Flows, username: &str) -> String {
    let tokens = flows.sign_in_srp(username, &pw(PASSWORD)).await.unwrap();
    enable_totp_mfa(flows.client(), tokens.access_token().expose_secret()).await
}

/// A six-digit code that is not the current one for `secret`.
fn wrong_code(secret: &str) -> &'static str {
    if totp_now(secret) == "000000" {
        "111111"
    } else {
        "000000"
    }
}

#[tokio::test]
async fn password_flow_and_metadata_on_every_call() {
    let phone = "attributes = { phone_number = \"+15555551234\" }";
    let (emulator, flows) = setup(MFA_ON, &[user("erin", phone)], true).await;
    prefer_sms(&emulator, "erin").await;
    let before = emulator.exchanges().len();
    let metadata = Metadata {
        analytics_endpoint_id: Some("pinpoint-endpoint".into()),
        user_context: Some(UserContext {
            ip_address: Some("192.0.2.1".into()),
            encoded_data: Some("fingerprint".into()),
        }),
        ..Metadata::default()
    }
    .with_client_metadata("app", "tests");
    let person = Person::new(emulator.service(), "erin");
    let tokens = flows
        .sign_in(
            &SignIn::password("erin", pw(PASSWORD)).with_metadata(metadata),
            &person,
        )
        .await
        .unwrap();
    assert!(tokens.id_token().is_some());
    assert!(matches!(
        &person.seen()[..],
        [Prompt::Code { kind: CodeKind::SmsMfa, destination: Some(d), .. }] if d == "+*******1234"
    ));
    let log = &emulator.exchanges()[before..];
    assert_eq!(log.len(), 2);
    for exchange in log {
        let body = &exchange.request;
        assert_eq!(body["ClientMetadata"]["app"], "tests");
        assert_eq!(
            body["AnalyticsMetadata"]["AnalyticsEndpointId"],
            "pinpoint-endpoint"
        );
        assert_eq!(body["UserContextData"]["IpAddress"], "192.0.2.1");
        assert_eq!(body["UserContextData"]["EncodedData"], "fingerprint");
    }
    assert_eq!(log[0].request["AuthFlow"], "USER_PASSWORD_AUTH");
    assert_eq!(
        log[1].request["ChallengeResponses"]["SMS_MFA_CODE"],
        person.last_code().as_str()
    );

    let err = flows
        .sign_in_password("erin", &pw("Wrong-Horse-9"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");
}

#[tokio::test]
async fn mfa_code_mismatch_and_missing_handler() {
    let (_emulator, flows) = setup(MFA_OPTIONAL, &[user("fay", "")], false).await;
    let secret = with_totp(&flows, "fay").await;
    let (outcome, _) = sign_in_showing(
        &flows,
        &SignIn::srp("fay", pw(PASSWORD)),
        vec![Answer::code(wrong_code(&secret))],
    )
    .await;
    let err = outcome.unwrap_err();
    assert!(matches!(err, Error::CodeMismatch), "{err:?}");
    let err = flows.sign_in_srp("fay", &pw(PASSWORD)).await.unwrap_err();
    assert!(
        matches!(&err, Error::NotAnswered { challenge, .. } if challenge == "SOFTWARE_TOKEN_MFA"),
        "{err:?}"
    );
}

#[tokio::test]
async fn select_mfa_type_then_totp() {
    let phone = "attributes = { phone_number = \"+15555550111\" }";
    let (emulator, flows) = setup(MFA_OPTIONAL, &[user("gus", phone)], true).await;
    let tokens = flows.sign_in_srp("gus", &pw(PASSWORD)).await.unwrap();
    let access = tokens.access_token().expose_secret();
    let secret = verify_totp(flows.client(), access).await;
    enable_sms_and_totp_mfa(flows.client(), access).await;

    let person = Person::new(emulator.service(), "gus");
    *person.totp_secret.lock().unwrap() = Some(secret);
    flows
        .sign_in(&SignIn::srp("gus", pw(PASSWORD)), &person)
        .await
        .unwrap();
    let seen = person.seen();
    assert!(
        matches!(&seen[0], Prompt::SelectMfa { options } if options == &[MfaKind::Sms, MfaKind::Totp]),
        "{seen:?}"
    );
    assert!(matches!(
        &seen[1],
        Prompt::Code {
            kind: CodeKind::SoftwareTokenMfa,
            ..
        }
    ));
}

#[tokio::test]
async fn mfa_setup_shows_secret_and_otpauth_uri_then_verifies() {
    let (emulator, flows) = setup(
        &format!("{MFA_ON}\n{EMAIL_ALIAS}"),
        &[
            user("hal", &verified_email("hal@example.com")),
            user("hank", ""),
        ],
        true,
    )
    .await;
    let person = Person::new(emulator.service(), "hal");
    flows
        .sign_in(&SignIn::srp("hal@example.com", pw(PASSWORD)), &person)
        .await
        .unwrap();
    let seen = person.seen();
    let Prompt::TotpSetup(setup) = &seen[0] else {
        panic!("expected TOTP setup: {seen:?}")
    };
    let sent = emulator.replies("AssociateSoftwareToken")[0]["SecretCode"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(setup.secret.expose_secret(), sent);
    assert_eq!(
        setup.uri.expose_secret(),
        &format!("otpauth://totp/AWSCognito:hal%40example.com?secret={sent}&issuer=AWSCognito")
    );
    assert!(!format!("{setup:?}").contains(&sent));
    let verified = &emulator.requests("VerifySoftwareToken")[0]["UserCode"];
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let codes: Vec<String> = [now, now - 30]
        .iter()
        .map(|t| {
            cognito_auth_emulator::totp_code_for_secret(&sent, i64::try_from(*t).unwrap()).unwrap()
        })
        .collect();
    assert!(
        codes.iter().any(|c| verified == c.as_str()),
        "{verified} is not the code for the secret shown"
    );

    // A wrong first code is a code mismatch.
    let (outcome, _) = sign_in_showing(
        &flows,
        &SignIn::srp("hank", pw(PASSWORD)),
        vec![Answer::code("999999")],
    )
    .await;
    let err = outcome.unwrap_err();
    assert!(matches!(err, Error::CodeMismatch), "{err:?}");
}

#[tokio::test]
async fn step_wise_state_serializes_without_secrets_and_resumes() {
    let (emulator, flows) = sms_user("mo", true).await;
    let step = flows.start(&SignIn::srp("mo", pw(PASSWORD))).await.unwrap();
    let Step::Challenge { state, prompt } = step else {
        panic!("expected a challenge")
    };
    assert!(matches!(
        prompt,
        Prompt::Code {
            kind: CodeKind::SmsMfa,
            ..
        }
    ));
    assert_eq!(prompt.challenge_name(), "SMS_MFA");
    assert_eq!(state.challenge_name(), "SMS_MFA");
    let session = emulator.replies("RespondToAuthChallenge")[0]["Session"]
        .as_str()
        .unwrap()
        .to_owned();
    let json = serde_json::to_string(&state).unwrap();
    assert!(!json.contains(PASSWORD));
    assert!(!json.contains(CLIENT_SECRET));
    assert!(
        json.contains(&session),
        "the Session is the one secret it keeps"
    );
    assert!(
        !format!("{state:?}").contains(&session),
        "but Debug hides it"
    );

    // A web backend would store `json` and come back later.
    let code = Person::new(emulator.service(), "mo").last_code();
    let restored: SignInState = serde_json::from_str(&json).unwrap();
    let tokens = flows
        .answer(restored, Answer::code(&code))
        .await
        .unwrap()
        .tokens()
        .unwrap();
    assert_eq!(tokens.username(), Some("mo"));

    // The same state again: the Session is spent.
    let replay: SignInState = serde_json::from_str(&json).unwrap();
    let err = flows.answer(replay, Answer::code(&code)).await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired), "{err:?}");

    // A tampered Session.
    let tampered = json.replace(&session, &format!("X{session}"));
    let state: SignInState = serde_json::from_str(&tampered).unwrap();
    let err = flows.answer(state, Answer::code(&code)).await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired), "{err:?}");
}

#[tokio::test]
async fn step_wise_wrong_answer_kind_is_refused_locally() {
    let (emulator, flows) = sms_user("ned", false).await;
    let Step::Challenge { state, .. } = flows
        .start(&SignIn::srp("ned", pw(PASSWORD)))
        .await
        .unwrap()
    else {
        panic!("expected a challenge")
    };
    let before = emulator.exchanges().len();
    let err = flows
        .answer(state, Answer::Mfa(MfaKind::Sms))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongAnswerKind { .. }), "{err:?}");
    assert_eq!(emulator.exchanges().len(), before, "nothing sent");
}

#[tokio::test]
async fn devices_confirm_remember_device_srp_refresh_and_forgotten_device_retry() {
    let pool = format!(
        "{MFA_ON}\n{EMAIL_ALIAS}\n[pools.devices]\nchallenge_required_on_new_device = false\ndevice_only_remembered_on_user_prompt = false\n"
    );
    let pat = "attributes = { email = \"pat@example.com\", email_verified = \"true\", phone_number = \"+15555550133\" }";
    let (emulator, _) = setup(&pool, &[user("pat", pat)], true).await;
    prefer_sms(&emulator, "pat").await;
    let admin = admin(&emulator.endpoint_url());
    // An app client that rotates refresh tokens on GetTokensFromRefreshToken.
    let rotating = ClientOptions {
        secret: true,
        flows: every_flow(),
        refresh_token_rotation: true,
        ..ClientOptions::default()
    };
    let app = create_client(&admin, POOL_ID, rotating).await;
    let store = Arc::new(MemoryDeviceStore::new());
    let flows = flows_builder(unsigned(&emulator.endpoint_url()), &app)
        .device_store(store.clone())
        .device_policy(DevicePolicy::Remember {
            device_name: Some("test runner".into()),
        })
        .build()
        .unwrap();
    // The user forgets a device (ForgetDevice with an access token).
    let forget = |access_token: String, device_key: String| {
        flows
            .client()
            .forget_device()
            .access_token(access_token)
            .device_key(device_key)
            .send()
    };

    // 1. First sign-in: MFA, NewDeviceMetadata, ConfirmDevice, stored.
    let tokens = flows
        .sign_in(
            &SignIn::srp("pat@example.com", pw(PASSWORD)),
            &Person::new(emulator.service(), "pat"),
        )
        .await
        .unwrap();
    let new_device = tokens.new_device().unwrap().clone();
    assert_eq!(tokens.device_key(), Some(new_device.device_key.as_str()));
    assert!(
        tokens
            .notices()
            .iter()
            .any(|n| matches!(n, Notice::DeviceConfirmed { .. }))
    );
    let confirm = &emulator.requests("ConfirmDevice")[0];
    assert_eq!(confirm["DeviceName"], "test runner");
    let stored = store
        .load(POOL_ID, "pat@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.device_key(), new_device.device_key);
    assert!(
        store.load(POOL_ID, "pat").await.unwrap().is_some(),
        "also under the internal name"
    );
    assert!(!format!("{stored:?}").contains(stored.device_password().expose_secret()));

    // 2. Second sign-in: DEVICE_KEY sent, device SRP instead of MFA (no handler).
    let tokens = flows
        .sign_in_srp("pat@example.com", &pw(PASSWORD))
        .await
        .unwrap();
    assert!(
        tokens
            .notices()
            .iter()
            .any(|n| matches!(n, Notice::DeviceAuthenticated { .. }))
    );
    assert_eq!(tokens.device_key(), Some(new_device.device_key.as_str()));
    let initiate = emulator.requests("InitiateAuth").pop().unwrap();
    assert_eq!(
        initiate["AuthParameters"]["DEVICE_KEY"],
        new_device.device_key.as_str()
    );
    let responds = emulator.requests("RespondToAuthChallenge");
    let names: Vec<_> = responds
        .iter()
        .rev()
        .take(3)
        .map(|r| r["ChallengeName"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "DEVICE_PASSWORD_VERIFIER",
            "DEVICE_SRP_AUTH",
            "PASSWORD_VERIFIER"
        ]
    );

    // 3. Refresh sends DEVICE_KEY (the emulator refuses a device token without it).
    let refreshed = flows
        .refresh(&Refresh::from_tokens(&tokens).unwrap())
        .await
        .unwrap();
    assert_eq!(refreshed.device_key(), Some(new_device.device_key.as_str()));
    let refresh_call = emulator.requests("InitiateAuth").pop().unwrap();
    assert_eq!(
        refresh_call["AuthParameters"]["DEVICE_KEY"],
        new_device.device_key.as_str()
    );
    // Without DEVICE_KEY (a Flows with no device store, no key given): refused.
    let storeless = flows_builder(unsigned(&emulator.endpoint_url()), &app)
        .build()
        .unwrap();
    let without = storeless
        .refresh(&Refresh::new(tokens.refresh_token().unwrap().clone()).with_username("pat"))
        .await
        .unwrap_err();
    assert!(
        matches!(without, Error::RefreshTokenRefused { .. }),
        "{without:?}"
    );

    // GetTokensFromRefreshToken, with the client secret and the device.
    let rotated = flows
        .refresh(&Refresh::from_tokens(&tokens).unwrap().rotating())
        .await
        .unwrap();
    assert_ne!(
        rotated.refresh_token().unwrap().expose_secret(),
        tokens.refresh_token().unwrap().expose_secret()
    );
    let get_tokens = &emulator.requests("GetTokensFromRefreshToken")[0];
    assert_eq!(get_tokens["DeviceKey"], new_device.device_key.as_str());

    // 4. Cognito forgets the device: sign-in retries without it and says so.
    forget(
        tokens.access_token().expose_secret().to_owned(),
        new_device.device_key.clone(),
    )
    .await
    .unwrap();
    let tokens = flows
        .sign_in(
            &SignIn::srp("pat@example.com", pw(PASSWORD)),
            &Person::new(emulator.service(), "pat"),
        )
        .await
        .unwrap();
    assert!(tokens.device_was_forgotten());
    assert!(tokens.notices().iter().any(
        |n| matches!(n, Notice::DeviceForgotten { device_key } if *device_key == new_device.device_key)
    ));
    // A new device was issued and stored in its place.
    let replacement = store
        .load(POOL_ID, "pat@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_ne!(replacement.device_key(), new_device.device_key);

    // 5. A refresh with a device Cognito forgot is faults.rs's part: the
    // emulator still refreshes a forgotten device's token.
}
