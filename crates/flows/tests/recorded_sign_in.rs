//! The sign-in flows against the project's emulator, with every request and
//! reply recorded on the way: what the flows send (SECRET_HASH over the right
//! name, CHALLENGE_NAME, PREFERRED_CHALLENGE, a sign-up Session) checked
//! against what a real Cognito server does with it. The SDK client has no
//! credentials at all.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;

use aws_sdk_cognitoidentityprovider::types::AuthFactorType;
use cognito_auth_flows::{Answer, Error, FirstFactor, Flows, Prompt, Refresh, SignIn};
use cognito_auth_test_support::{
    ClientOptions, PASSWORD, PoolOptions, RecordingEmulator, confirm_sign_up, create_client,
    create_pool, create_user, last_code, password_or_email_otp, pw, sign_up,
};
use support::recorded::*;
use support::{Person, Scripted, admin, every_flow, flows_builder, unsigned};

#[tokio::test]
async fn srp_right_password_gives_tokens_wrong_gives_typed_error() {
    let (emulator, flows) = setup("", &[user("alice", "")], false).await;
    let tokens = flows.sign_in_srp("alice", &pw(PASSWORD)).await.unwrap();
    assert_eq!(tokens.username(), Some("alice"));
    assert_eq!(tokens.access_claims().unwrap().token_use(), Some("access"));
    assert_eq!(tokens.id_claims().unwrap().client_id(), Some(CLIENT_ID));
    assert!(tokens.refresh_token().is_some());
    assert!(!tokens.expires_within(std::time::Duration::from_secs(60)));
    let initiate = &emulator.requests("InitiateAuth")[0];
    assert_eq!(initiate["AuthFlow"], "USER_SRP_AUTH");
    assert!(initiate["AuthParameters"].get("SECRET_HASH").is_none());

    let err = flows
        .sign_in_srp("alice", &pw("Wrong-Horse-9"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");
}

#[tokio::test]
async fn lockout_is_told_apart_from_a_wrong_password() {
    // The emulator locks for a second after the fifth failure (as Cognito
    // does); its clock stands still here so that a slow machine cannot let
    // that second pass before the last two sign-ins.
    let _frozen = cognito_auth_emulator::freeze_clock();
    let (_emulator, flows) = setup("", &[user("bob", "")], false).await;
    for _ in 0..5 {
        let err = flows
            .sign_in_srp("bob", &pw("nope-nope-1"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::WrongCredentials), "{err:?}");
    }
    let err = flows
        .sign_in_srp("bob", &pw("nope-nope-1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LockedOut), "{err:?}");
    let err = flows.sign_in_srp("bob", &pw(PASSWORD)).await.unwrap_err();
    assert!(matches!(err, Error::LockedOut), "{err:?}");
}

#[tokio::test]
async fn user_states_map_to_typed_errors() {
    let (_emulator, flows) = setup(
        "",
        &[
            user("fresh", "status = \"UNCONFIRMED\""),
            user("imported", "status = \"RESET_REQUIRED\""),
        ],
        false,
    )
    .await;
    let err = flows
        .sign_in_srp("nobody", &pw(PASSWORD))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UserNotFound), "{err:?}");
    let err = flows.sign_in_srp("fresh", &pw(PASSWORD)).await.unwrap_err();
    assert!(matches!(err, Error::UserNotConfirmed), "{err:?}");
    let err = flows
        .sign_in_password("imported", &pw(PASSWORD))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::PasswordResetRequired), "{err:?}");
}

#[tokio::test]
async fn alias_user_with_client_secret_hashes_the_right_username_at_every_step() {
    let internal = "7f3a1c2e-0000-4000-8000-00000000abcd";
    let (emulator, flows) = setup(
        EMAIL_ALIAS,
        &[user(internal, &verified_email("carol@example.com"))],
        true,
    )
    .await;
    let tokens = flows
        .sign_in_srp("carol@example.com", &pw(PASSWORD))
        .await
        .unwrap();
    assert_eq!(tokens.username(), Some(internal));
    // InitiateAuth: typed name; PASSWORD_VERIFIER: the internal name. The
    // emulator refuses a SECRET_HASH over any other name, so success proves both.
    let initiate = &emulator.requests("InitiateAuth")[0];
    assert_eq!(initiate["AuthParameters"]["USERNAME"], "carol@example.com");
    let respond = &emulator.requests("RespondToAuthChallenge")[0];
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
    let (emulator, _) = setup("", &[user("dan", "")], true).await;
    let sdk = || unsigned(&emulator.endpoint_url());
    let wrong_secret = Flows::builder(sdk(), POOL_ID, SECRET_CLIENT_ID)
        .client_secret(pw("not-the-secret"))
        .build()
        .unwrap();
    let err = wrong_secret
        .sign_in_srp("dan", &pw(PASSWORD))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SecretHash { .. }), "{err:?}");
    let no_secret = Flows::builder(sdk(), POOL_ID, SECRET_CLIENT_ID)
        .build()
        .unwrap();
    let err = no_secret
        .sign_in_srp("dan", &pw(PASSWORD))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SecretHash { .. }), "{err:?}");
}

#[tokio::test]
async fn new_password_required_with_attributes() {
    // Which attributes are required is the fake server's part (faults.rs):
    // the emulator has no required attributes.
    let temporary = |email: &str| {
        format!("status = \"FORCE_CHANGE_PASSWORD\"\nattributes = {{ email = \"{email}\" }}")
    };
    let (emulator, flows) = setup(
        "",
        &[
            user("ida", &temporary("x@example.com")),
            user("ike", &temporary("y@example.com")),
        ],
        false,
    )
    .await;
    let mut person = Person::new(emulator.service(), "ida");
    person.new_password = Some("Brand-New-Pass-1".into());
    person.new_attributes = BTreeMap::from([("name".to_owned(), "Ida".to_owned())]);
    flows
        .sign_in(&SignIn::srp("ida", pw(PASSWORD)), &person)
        .await
        .unwrap();
    let seen = person.seen();
    let Prompt::NewPassword {
        user_attributes, ..
    } = &seen[0]
    else {
        panic!("expected new password prompt: {seen:?}")
    };
    assert_eq!(user_attributes["email"], "x@example.com");
    let last = emulator.requests("RespondToAuthChallenge").pop().unwrap();
    assert_eq!(last["ChallengeResponses"]["userAttributes.name"], "Ida");
    assert_eq!(
        last["ChallengeResponses"]["NEW_PASSWORD"],
        "Brand-New-Pass-1"
    );

    let (outcome, _) = sign_in_showing(
        &flows,
        &SignIn::srp("ike", pw(PASSWORD)),
        vec![Answer::new_password(pw("short"))],
    )
    .await;
    let err = outcome.unwrap_err();
    assert!(matches!(err, Error::InvalidNewPassword { .. }), "{err:?}");
}

#[tokio::test]
async fn custom_auth_with_and_without_srp() {
    let email = "attributes = { email = \"jo@example.com\" }";
    let (emulator, flows) = setup("", &[user("jo", email)], true).await;
    let person = Person::new(emulator.service(), "jo");
    flows.sign_in(&SignIn::custom("jo"), &person).await.unwrap();
    let challenge = parameters(&emulator.replies("InitiateAuth")[0]);
    assert!(
        matches!(&person.seen()[0], Prompt::Custom { parameters } if parameters.iter().all(|(k, v)| challenge.get(k) == Some(v)) && !parameters.is_empty()),
        "{:?} vs {challenge:?}",
        person.seen()
    );
    assert_eq!(
        emulator.requests("InitiateAuth")[0]["AuthFlow"],
        "CUSTOM_AUTH"
    );

    let person = Person::new(emulator.service(), "jo");
    flows
        .sign_in(&SignIn::custom_with_srp("jo", pw(PASSWORD)), &person)
        .await
        .unwrap();
    let initiate = &emulator.requests("InitiateAuth")[1];
    assert_eq!(initiate["AuthParameters"]["CHALLENGE_NAME"], "SRP_A");
    assert!(initiate["AuthParameters"]["SRP_A"].is_string());

    // The built-in challenge allows three answers.
    let (outcome, _) = sign_in_showing(
        &flows,
        &SignIn::custom("jo"),
        vec![
            Answer::custom("41"),
            Answer::custom("41"),
            Answer::custom("41"),
        ],
    )
    .await;
    let err = outcome.unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");
}

#[tokio::test]
async fn user_auth_select_challenge_preferred_and_sign_up_session() {
    let emulator = RecordingEmulator::seeded("").await;
    let admin = admin(&emulator.endpoint_url());
    let pool = PoolOptions {
        first_factors: [password_or_email_otp(), vec![AuthFactorType::WebAuthn]].concat(),
        ..PoolOptions::default()
    };
    let pool_id = create_pool(&admin, pool).await;
    let client = ClientOptions {
        secret: true,
        flows: every_flow(),
        ..ClientOptions::default()
    };
    let setup = create_client(&admin, &pool_id, client).await;
    create_user(&admin, &setup, "lee", &[("email", "lee@example.com")]).await;
    let flows = flows_builder(unsigned(&emulator.endpoint_url()), &setup)
        .build()
        .unwrap();

    // SELECT_CHALLENGE → PASSWORD_SRP, password from the SignIn.
    let (outcome, seen) = sign_in_showing(
        &flows,
        &SignIn::user_auth("lee").with_password(pw(PASSWORD)),
        vec![Answer::select("PASSWORD_SRP")],
    )
    .await;
    outcome.unwrap();
    assert!(
        matches!(&seen[0], Prompt::SelectChallenge { available } if available.contains(&"WEB_AUTHN".to_owned())),
        "{seen:?}"
    );

    // SELECT_CHALLENGE → PASSWORD with the password in the answer.
    let (outcome, _) = sign_in_showing(
        &flows,
        &SignIn::user_auth("lee"),
        vec![Answer::Select {
            challenge: "PASSWORD".into(),
            password: Some(pw(PASSWORD)),
        }],
    )
    .await;
    outcome.unwrap();

    // SELECT_CHALLENGE → EMAIL_OTP → code.
    let mut person = Person::new(emulator.service(), "lee");
    person.choose = Some("EMAIL_OTP".into());
    flows
        .sign_in(&SignIn::user_auth("lee"), &person)
        .await
        .unwrap();
    assert_eq!(person.prompts(), ["SELECT_CHALLENGE", "EMAIL_OTP"]);

    // WEB_AUTHN: a clear error.
    let (outcome, _) = sign_in_showing(
        &flows,
        &SignIn::user_auth("lee"),
        vec![Answer::select("WEB_AUTHN")],
    )
    .await;
    let err = outcome.unwrap_err();
    assert!(matches!(err, Error::WebAuthnNotSupported), "{err:?}");

    // PREFERRED_CHALLENGE.
    for (factor, password) in [
        (FirstFactor::PasswordSrp, Some(pw(PASSWORD))),
        (FirstFactor::Password, Some(pw(PASSWORD))),
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
            &Person::new(emulator.service(), "lee"),
        )
        .await
        .unwrap();
    let preferred: Vec<_> = emulator
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
    let app = unsigned(&emulator.endpoint_url());
    sign_up(&app, &setup, "leo", &[("email", "leo@example.com")]).await;
    let code = last_code(emulator.service(), "leo");
    let session = confirm_sign_up(&app, &setup, "leo", &code).await.unwrap();
    let tokens = flows
        .sign_in(
            &SignIn::user_auth_after_sign_up("leo", pw(&session)),
            &Scripted::new(vec![]),
        )
        .await
        .unwrap();
    assert_eq!(tokens.username(), Some("leo"));
    let last = emulator.requests("InitiateAuth").pop().unwrap();
    assert_eq!(last["Session"], session.as_str());
}
