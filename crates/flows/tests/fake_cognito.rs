//! Every flow against a scripted fake Cognito over real loopback HTTP, with the real
//! SDK client built without any credentials.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cognito_auth_flows::{
    Answer, ChallengeHandler, CodeKind, Declined, DevicePolicy, DeviceStore, Error, FirstFactor,
    Flows, MemoryDeviceStore, Metadata, MfaKind, Notice, Prompt, Refresh, SignIn, SignInState,
    Step, Tokens, UserContext,
};
use secrecy::ExposeSecret;
use support::{After, CLIENT_ID, CODE, Fake, POOL_ID, Status, TOTP_SECRET, User, pw};

async fn setup(users: Vec<User>, secret: bool) -> (Arc<Fake>, Flows) {
    let fake = Fake::new(users, secret);
    let url = support::serve(fake.clone()).await;
    let mut builder = Flows::builder(support::sdk_client(&url), POOL_ID, CLIENT_ID);
    if secret {
        builder = builder.client_secret(pw(support::CLIENT_SECRET));
    }
    (fake, builder.build().unwrap())
}

/// Answers prompts from a script and records what it was shown.
#[derive(Default)]
struct Scripted {
    answers: Mutex<Vec<Answer>>,
    seen: Mutex<Vec<Prompt>>,
}

impl Scripted {
    fn new(answers: Vec<Answer>) -> Self {
        Self {
            answers: Mutex::new(answers.into_iter().rev().collect()),
            seen: Mutex::default(),
        }
    }
    fn seen(&self) -> Vec<Prompt> {
        self.seen.lock().unwrap().clone()
    }
}

impl ChallengeHandler for Scripted {
    async fn answer(&self, prompt: &Prompt) -> Result<Answer, Declined> {
        self.seen.lock().unwrap().push(prompt.clone());
        self.answers
            .lock()
            .unwrap()
            .pop()
            .ok_or_else(|| Declined("script ran out".into()))
    }
}

/// Signs in answering prompts from `answers` in order; returns the outcome and
/// the prompts the user was shown, for tests that check what was asked.
async fn sign_in_showing(
    flows: &Flows,
    sign_in: &SignIn,
    answers: Vec<Answer>,
) -> (Result<Tokens, Error>, Vec<Prompt>) {
    let handler = Scripted::new(answers);
    let outcome = flows.sign_in(sign_in, &handler).await;
    (outcome, handler.seen())
}

/// [`sign_in_showing`] for tests that only check the outcome.
async fn sign_in_answering(
    flows: &Flows,
    sign_in: &SignIn,
    answers: Vec<Answer>,
) -> Result<Tokens, Error> {
    sign_in_showing(flows, sign_in, answers).await.0
}

#[tokio::test]
async fn srp_right_password_gives_tokens_wrong_gives_typed_error() {
    let (fake, flows) = setup(vec![User::new("alice", "Correct horse 1")], false).await;
    let tokens = flows
        .sign_in_srp("alice", &pw("Correct horse 1"))
        .await
        .unwrap();
    assert_eq!(tokens.username(), Some("alice"));
    assert_eq!(tokens.access_claims().unwrap().token_use(), Some("access"));
    assert_eq!(tokens.id_claims().unwrap().client_id(), Some(CLIENT_ID));
    assert!(tokens.refresh_token().is_some());
    assert!(!tokens.expires_within(std::time::Duration::from_secs(60)));
    let initiate = &fake.requests("InitiateAuth")[0];
    assert_eq!(initiate["AuthFlow"], "USER_SRP_AUTH");
    assert!(initiate["AuthParameters"].get("SECRET_HASH").is_none());

    let err = flows
        .sign_in_srp("alice", &pw("wrong password"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");
}

#[tokio::test]
async fn lockout_is_told_apart_from_a_wrong_password() {
    let (_fake, flows) = setup(vec![User::new("bob", "Right pass 1")], false).await;
    for _ in 0..5 {
        let err = flows.sign_in_srp("bob", &pw("nope")).await.unwrap_err();
        assert!(matches!(err, Error::WrongCredentials), "{err:?}");
    }
    let err = flows.sign_in_srp("bob", &pw("nope")).await.unwrap_err();
    assert!(matches!(err, Error::LockedOut), "{err:?}");
    let err = flows
        .sign_in_srp("bob", &pw("Right pass 1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LockedOut), "{err:?}");
}

#[tokio::test]
async fn user_states_map_to_typed_errors() {
    let (_fake, flows) = setup(
        vec![
            User::new("fresh", "Password 1").status(Status::Unconfirmed),
            User::new("imported", "Password 1").status(Status::ResetRequired),
        ],
        false,
    )
    .await;
    let err = flows
        .sign_in_srp("nobody", &pw("Password 1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UserNotFound), "{err:?}");
    let err = flows
        .sign_in_srp("fresh", &pw("Password 1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UserNotConfirmed), "{err:?}");
    let err = flows
        .sign_in_password("imported", &pw("Password 1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::PasswordResetRequired), "{err:?}");
}

#[tokio::test]
async fn alias_user_with_client_secret_hashes_the_right_username_at_every_step() {
    let internal = "7f3a1c2e-0000-4000-8000-00000000abcd";
    let (fake, flows) = setup(
        vec![User::new(internal, "Alias pass 1").alias("carol@example.com")],
        true,
    )
    .await;
    let tokens = flows
        .sign_in_srp("carol@example.com", &pw("Alias pass 1"))
        .await
        .unwrap();
    assert_eq!(tokens.username(), Some(internal));
    // InitiateAuth: typed name; PASSWORD_VERIFIER: the internal name. The fake
    // refuses a SECRET_HASH over any other name, so success proves both.
    let initiate = &fake.requests("InitiateAuth")[0];
    assert_eq!(initiate["AuthParameters"]["USERNAME"], "carol@example.com");
    let respond = &fake.requests("RespondToAuthChallenge")[0];
    assert_eq!(respond["ChallengeResponses"]["USERNAME"], internal);

    // Refresh: the internal name, carried in the tokens.
    let refreshed = flows
        .refresh(&Refresh::from_tokens(&tokens).unwrap())
        .await
        .unwrap();
    assert_eq!(refreshed.username(), Some(internal));
    assert!(refreshed.refresh_token().is_some(), "carried over");

    // Without the username a secret client cannot refresh: a clear error, no request.
    let err = flows
        .refresh(&Refresh::new(tokens.refresh_token().unwrap().clone()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    // With the alias it is refused by the server as a SECRET_HASH problem.
    let err = flows
        .refresh(
            &Refresh::new(tokens.refresh_token().unwrap().clone())
                .with_username("carol@example.com"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SecretHash { .. }), "{err:?}");
}

#[tokio::test]
async fn wrong_client_secret_is_a_secret_hash_error() {
    let fake = Fake::new(vec![User::new("dan", "Password 1")], true);
    let url = support::serve(fake).await;
    let flows = Flows::builder(support::sdk_client(&url), POOL_ID, CLIENT_ID)
        .client_secret(pw("not-the-secret"))
        .build()
        .unwrap();
    let err = flows
        .sign_in_srp("dan", &pw("Password 1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SecretHash { .. }), "{err:?}");
    let no_secret = Flows::builder(support::sdk_client(&url), POOL_ID, CLIENT_ID)
        .build()
        .unwrap();
    let err = no_secret
        .sign_in_srp("dan", &pw("Password 1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SecretHash { .. }), "{err:?}");
}

#[tokio::test]
async fn password_flow_and_metadata_on_every_call() {
    let (fake, flows) = setup(
        vec![User::new("erin", "Password 1").after(After::SmsMfa)],
        true,
    )
    .await;
    let metadata = Metadata {
        analytics_endpoint_id: Some("pinpoint-endpoint".into()),
        user_context: Some(UserContext {
            ip_address: Some("192.0.2.1".into()),
            encoded_data: Some("fingerprint".into()),
        }),
        ..Metadata::default()
    }
    .with_client_metadata("app", "tests");
    let (outcome, seen) = sign_in_showing(
        &flows,
        &SignIn::password("erin", pw("Password 1")).with_metadata(metadata),
        vec![Answer::code(CODE)],
    )
    .await;
    let tokens = outcome.unwrap();
    assert!(tokens.id_token().is_some());
    assert!(matches!(
        &seen[..],
        [Prompt::Code { kind: CodeKind::SmsMfa, destination: Some(d), .. }] if d == "+******1234"
    ));
    let log = fake.log();
    assert_eq!(log.len(), 2);
    for (_, body) in &log {
        assert_eq!(body["ClientMetadata"]["app"], "tests");
        assert_eq!(
            body["AnalyticsMetadata"]["AnalyticsEndpointId"],
            "pinpoint-endpoint"
        );
        assert_eq!(body["UserContextData"]["IpAddress"], "192.0.2.1");
        assert_eq!(body["UserContextData"]["EncodedData"], "fingerprint");
    }
    assert_eq!(log[0].1["AuthFlow"], "USER_PASSWORD_AUTH");
    assert_eq!(log[1].1["ChallengeResponses"]["SMS_MFA_CODE"], CODE);

    let err = flows
        .sign_in_password("erin", &pw("Password 2"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");
}

#[tokio::test]
async fn mfa_code_mismatch_and_missing_handler() {
    let (_fake, flows) = setup(
        vec![User::new("fay", "Password 1").after(After::TotpMfa)],
        false,
    )
    .await;
    let err = sign_in_answering(
        &flows,
        &SignIn::srp("fay", pw("Password 1")),
        vec![Answer::code("000000")],
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::CodeMismatch), "{err:?}");
    let err = flows
        .sign_in_srp("fay", &pw("Password 1"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotAnswered { challenge, .. } if challenge == "SOFTWARE_TOKEN_MFA"),
        "{err:?}"
    );
}

#[tokio::test]
async fn select_mfa_type_then_totp() {
    let (_fake, flows) = setup(
        vec![User::new("gus", "Password 1").after(After::SelectMfa)],
        true,
    )
    .await;
    let (outcome, seen) = sign_in_showing(
        &flows,
        &SignIn::srp("gus", pw("Password 1")),
        vec![Answer::Mfa(MfaKind::Totp), Answer::code(CODE)],
    )
    .await;
    outcome.unwrap();
    assert!(
        matches!(&seen[0], Prompt::SelectMfa { options } if options == &[MfaKind::Sms, MfaKind::Totp])
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
    let (fake, flows) = setup(
        vec![
            User::new("hal", "Password 1")
                .alias("hal@example.com")
                .after(After::SetupTotp),
        ],
        true,
    )
    .await;
    let (outcome, seen) = sign_in_showing(
        &flows,
        &SignIn::srp("hal@example.com", pw("Password 1")),
        vec![Answer::code(CODE)],
    )
    .await;
    outcome.unwrap();
    let Prompt::TotpSetup(setup) = &seen[0] else {
        panic!("expected TOTP setup")
    };
    assert_eq!(setup.secret.expose_secret(), TOTP_SECRET);
    assert_eq!(
        setup.uri.expose_secret(),
        &format!(
            "otpauth://totp/AWSCognito:hal%40example.com?secret={TOTP_SECRET}&issuer=AWSCognito"
        )
    );
    assert!(!format!("{setup:?}").contains(TOTP_SECRET));
    assert_eq!(fake.requests("VerifySoftwareToken")[0]["UserCode"], CODE);

    // A wrong first code is a code mismatch.
    let err = sign_in_answering(
        &flows,
        &SignIn::srp("hal", pw("Password 1")),
        vec![Answer::code("999999")],
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::CodeMismatch), "{err:?}");
}

#[tokio::test]
async fn new_password_required_with_attributes() {
    let (fake, flows) = setup(
        vec![User::new("ida", "Temp pass 1").after(After::NewPassword)],
        false,
    )
    .await;
    let mut attributes = BTreeMap::new();
    attributes.insert("name".to_owned(), "Ida".to_owned());
    let (outcome, seen) = sign_in_showing(
        &flows,
        &SignIn::srp("ida", pw("Temp pass 1")),
        vec![Answer::NewPassword {
            password: pw("Brand new pass 1"),
            attributes,
        }],
    )
    .await;
    outcome.unwrap();
    let Prompt::NewPassword {
        required_attributes,
        user_attributes,
    } = &seen[0]
    else {
        panic!("expected new password prompt")
    };
    assert_eq!(required_attributes, &vec!["name".to_owned()]);
    assert_eq!(user_attributes["email"], "x@example.com");
    let last = fake.requests("RespondToAuthChallenge").pop().unwrap();
    assert_eq!(last["ChallengeResponses"]["userAttributes.name"], "Ida");
    assert_eq!(
        last["ChallengeResponses"]["NEW_PASSWORD"],
        "Brand new pass 1"
    );

    let err = sign_in_answering(
        &flows,
        &SignIn::srp("ida", pw("Temp pass 1")),
        vec![Answer::new_password(pw("short"))],
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::InvalidNewPassword { .. }), "{err:?}");
}

#[tokio::test]
async fn custom_auth_with_and_without_srp() {
    let (fake, flows) = setup(vec![User::new("jo", "Password 1")], true).await;
    let (outcome, seen) =
        sign_in_showing(&flows, &SignIn::custom("jo"), vec![Answer::custom("42")]).await;
    outcome.unwrap();
    assert!(matches!(&seen[0], Prompt::Custom { parameters } if parameters["question"] == "6*7"));
    assert_eq!(fake.requests("InitiateAuth")[0]["AuthFlow"], "CUSTOM_AUTH");

    sign_in_answering(
        &flows,
        &SignIn::custom_with_srp("jo", pw("Password 1")),
        vec![Answer::custom("42")],
    )
    .await
    .unwrap();
    let initiate = &fake.requests("InitiateAuth")[1];
    assert_eq!(initiate["AuthParameters"]["CHALLENGE_NAME"], "SRP_A");
    assert!(initiate["AuthParameters"]["SRP_A"].is_string());

    let err = sign_in_answering(&flows, &SignIn::custom("jo"), vec![Answer::custom("41")])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");
}

#[tokio::test]
async fn a_server_that_never_ends_the_loop_hits_the_round_limit() {
    let fake = Fake::new(
        vec![User::new("kim", "Password 1").after(After::Forever)],
        false,
    );
    let url = support::serve(fake).await;
    let flows = Flows::builder(support::sdk_client(&url), POOL_ID, CLIENT_ID)
        .max_rounds(6)
        .build()
        .unwrap();
    struct Always;
    impl ChallengeHandler for Always {
        async fn answer(&self, _: &Prompt) -> Result<Answer, Declined> {
            Ok(Answer::custom("again"))
        }
    }
    let err = flows
        .sign_in(&SignIn::srp("kim", pw("Password 1")), &Always)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TooManyRounds { rounds: 6 }), "{err:?}");
}

#[tokio::test]
async fn user_auth_select_challenge_preferred_and_sign_up_session() {
    let (fake, flows) = setup(vec![User::new("lee", "Password 1")], true).await;
    // SELECT_CHALLENGE → PASSWORD_SRP, password from the SignIn.
    let (outcome, seen) = sign_in_showing(
        &flows,
        &SignIn::user_auth("lee").with_password(pw("Password 1")),
        vec![Answer::select("PASSWORD_SRP")],
    )
    .await;
    outcome.unwrap();
    assert!(
        matches!(&seen[0], Prompt::SelectChallenge { available } if available.contains(&"WEB_AUTHN".to_owned()))
    );

    // SELECT_CHALLENGE → PASSWORD with the password in the answer.
    sign_in_answering(
        &flows,
        &SignIn::user_auth("lee"),
        vec![Answer::Select {
            challenge: "PASSWORD".into(),
            password: Some(pw("Password 1")),
        }],
    )
    .await
    .unwrap();

    // SELECT_CHALLENGE → EMAIL_OTP → code.
    sign_in_answering(
        &flows,
        &SignIn::user_auth("lee"),
        vec![Answer::select("EMAIL_OTP"), Answer::code(CODE)],
    )
    .await
    .unwrap();

    // WEB_AUTHN: a clear error.
    let err = sign_in_answering(
        &flows,
        &SignIn::user_auth("lee"),
        vec![Answer::select("WEB_AUTHN")],
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::WebAuthnNotSupported), "{err:?}");

    // PREFERRED_CHALLENGE.
    for (factor, password) in [
        (FirstFactor::PasswordSrp, Some(pw("Password 1"))),
        (FirstFactor::Password, Some(pw("Password 1"))),
    ] {
        flows
            .sign_in(
                &SignIn::user_auth_preferring("lee", factor, password),
                &Scripted::new(vec![]),
            )
            .await
            .unwrap();
    }
    flows
        .sign_in(
            &SignIn::user_auth_preferring("lee", FirstFactor::EmailOtp, None),
            &Scripted::new(vec![Answer::code(CODE)]),
        )
        .await
        .unwrap();
    let preferred: Vec<_> = fake
        .requests("InitiateAuth")
        .iter()
        .filter_map(|r| {
            r["AuthParameters"]["PREFERRED_CHALLENGE"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(preferred, ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP"]);

    // The Session from ConfirmSignUp.
    let tokens = flows
        .sign_in(
            &SignIn::user_auth_after_sign_up("lee", pw("signup-session-for-lee-0123456789")),
            &Scripted::new(vec![]),
        )
        .await
        .unwrap();
    assert_eq!(tokens.username(), Some("lee"));
    let last = fake.requests("InitiateAuth").pop().unwrap();
    assert_eq!(last["Session"], "signup-session-for-lee-0123456789");
}

#[tokio::test]
async fn step_wise_state_serializes_without_secrets_and_resumes() {
    let (_fake, flows) = setup(
        vec![User::new("mo", "Password secret 1").after(After::SmsMfa)],
        true,
    )
    .await;
    let step = flows
        .start(&SignIn::srp("mo", pw("Password secret 1")))
        .await
        .unwrap();
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
    assert_eq!(state.challenge_name(), "SMS_MFA");
    let json = serde_json::to_string(&state).unwrap();
    assert!(!json.contains("Password secret 1"));
    assert!(!json.contains(support::CLIENT_SECRET));
    assert!(
        json.contains("session-"),
        "the Session is the one secret it keeps"
    );
    assert!(
        !format!("{state:?}").contains("session-"),
        "but Debug hides it"
    );

    // A web backend would store `json` and come back later.
    let restored: SignInState = serde_json::from_str(&json).unwrap();
    let tokens = flows
        .answer(restored, Answer::code(CODE))
        .await
        .unwrap()
        .tokens()
        .unwrap();
    assert_eq!(tokens.username(), Some("mo"));

    // The same state again: the Session is spent.
    let replay: SignInState = serde_json::from_str(&json).unwrap();
    let err = flows.answer(replay, Answer::code(CODE)).await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired), "{err:?}");

    // A tampered Session.
    let tampered = json.replace("session-", "session-X");
    let state: SignInState = serde_json::from_str(&tampered).unwrap();
    let err = flows.answer(state, Answer::code(CODE)).await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired), "{err:?}");
}

#[tokio::test]
async fn step_wise_wrong_answer_kind_is_refused_locally() {
    let (fake, flows) = setup(
        vec![User::new("ned", "Password 1").after(After::SmsMfa)],
        false,
    )
    .await;
    let Step::Challenge { state, .. } = flows
        .start(&SignIn::srp("ned", pw("Password 1")))
        .await
        .unwrap()
    else {
        panic!("expected a challenge")
    };
    let before = fake.log().len();
    let err = flows
        .answer(state, Answer::Mfa(MfaKind::Sms))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongAnswerKind { .. }), "{err:?}");
    assert_eq!(fake.log().len(), before, "nothing sent");
}

#[tokio::test]
async fn devices_confirm_remember_device_srp_refresh_and_forgotten_device_retry() {
    let fake = Fake::new(
        vec![
            User::new("pat", "Password 1")
                .alias("pat@example.com")
                .after(After::SmsMfa)
                .track_devices(),
        ],
        true,
    );
    let url = support::serve(fake.clone()).await;
    let store = Arc::new(MemoryDeviceStore::new());
    let flows = Flows::builder(support::sdk_client(&url), POOL_ID, CLIENT_ID)
        .client_secret(pw(support::CLIENT_SECRET))
        .device_store(store.clone())
        .device_policy(DevicePolicy::Remember {
            device_name: Some("test runner".into()),
        })
        .build()
        .unwrap();

    // 1. First sign-in: MFA, NewDeviceMetadata, ConfirmDevice, stored.
    let tokens = flows
        .sign_in(
            &SignIn::srp("pat@example.com", pw("Password 1")),
            &Scripted::new(vec![Answer::code(CODE)]),
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
    let confirm = &fake.requests("ConfirmDevice")[0];
    assert_eq!(confirm["DeviceName"], "test runner");
    let stored = store.load(POOL_ID, "pat@example.com").unwrap().unwrap();
    assert_eq!(stored.device_key(), new_device.device_key);
    assert!(
        store.load(POOL_ID, "pat").unwrap().is_some(),
        "also under the internal name"
    );
    assert!(!format!("{stored:?}").contains(stored.device_password().expose_secret()));

    // 2. Second sign-in: DEVICE_KEY sent, device SRP instead of MFA (no handler).
    let tokens = flows
        .sign_in_srp("pat@example.com", &pw("Password 1"))
        .await
        .unwrap();
    assert!(
        tokens
            .notices()
            .iter()
            .any(|n| matches!(n, Notice::DeviceAuthenticated { .. }))
    );
    assert_eq!(tokens.device_key(), Some(new_device.device_key.as_str()));
    let initiate = fake.requests("InitiateAuth").pop().unwrap();
    assert_eq!(
        initiate["AuthParameters"]["DEVICE_KEY"],
        new_device.device_key.as_str()
    );
    let responds = fake.requests("RespondToAuthChallenge");
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

    // 3. Refresh sends DEVICE_KEY (the fake refuses a device token without it).
    let refreshed = flows
        .refresh(&Refresh::from_tokens(&tokens).unwrap())
        .await
        .unwrap();
    assert_eq!(refreshed.device_key(), Some(new_device.device_key.as_str()));
    let refresh_call = fake.requests("InitiateAuth").pop().unwrap();
    assert_eq!(
        refresh_call["AuthParameters"]["DEVICE_KEY"],
        new_device.device_key.as_str()
    );
    // Without DEVICE_KEY (a Flows with no device store, no key given): refused.
    let storeless = Flows::builder(support::sdk_client(&url), POOL_ID, CLIENT_ID)
        .client_secret(pw(support::CLIENT_SECRET))
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
    let get_tokens = &fake.requests("GetTokensFromRefreshToken")[0];
    assert_eq!(get_tokens["DeviceKey"], new_device.device_key.as_str());

    // 4. Cognito forgets the device: sign-in retries without it and says so.
    fake.forget_device(&new_device.device_key);
    let tokens = flows
        .sign_in(
            &SignIn::srp("pat@example.com", pw("Password 1")),
            &Scripted::new(vec![Answer::code(CODE)]),
        )
        .await
        .unwrap();
    assert!(tokens.device_was_forgotten());
    assert!(tokens.notices().iter().any(
        |n| matches!(n, Notice::DeviceForgotten { device_key } if *device_key == new_device.device_key)
    ));
    // A new device was issued and stored in its place.
    let replacement = store.load(POOL_ID, "pat@example.com").unwrap().unwrap();
    assert_ne!(replacement.device_key(), new_device.device_key);

    // 5. Refresh with a device Cognito forgot: forgotten, retried without.
    fake.forget_device(replacement.device_key());
    let refreshed = flows
        .refresh(&Refresh::from_tokens(&tokens).unwrap())
        .await
        .unwrap();
    assert!(refreshed.device_was_forgotten());
    assert_eq!(refreshed.device_key(), None);
    assert!(store.load(POOL_ID, "pat@example.com").unwrap().is_none());
}
