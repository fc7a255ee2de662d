//! Sign-in steps only a scripted Cognito (`support::scripted`) gives: the
//! RESET_PASSWORD step, and MFA_SETUP with email (alone, or to choose beside TOTP).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use cognito_auth_flows::{Answer, CodeKind, Error, MfaKind, Prompt, SignIn, Step};
use cognito_auth_test_support::pw;
use serde_json::{Value, json};
use support::scripted::{Scripted, error};

#[tokio::test]
async fn a_user_who_must_reset_the_password_gets_the_reset_password_step() {
    let server = Scripted::start(vec![error(
        "PasswordResetRequiredException",
        "Password reset required for the user",
    )])
    .await;
    let step = server
        .flows()
        .start(&SignIn::password("alice@example.com", pw("Password-1")))
        .await
        .unwrap();
    let Step::ResetPassword { username } = step else {
        panic!("{step:?}")
    };
    assert_eq!(username, "alice@example.com");
}

fn mfa_setup(can_setup: &str) -> (u16, Value) {
    (
        200,
        json!({"ChallengeName": "MFA_SETUP", "Session": "setup-session",
               "ChallengeParameters": {"USER_ID_FOR_SRP": "alice", "MFAS_CAN_SETUP": can_setup}}),
    )
}

fn tokens() -> (u16, Value) {
    (
        200,
        json!({"AuthenticationResult": {"AccessToken": "e30.e30.sig", "ExpiresIn": 3600}, "ChallengeParameters": {}}),
    )
}

#[tokio::test]
async fn mfa_setup_offering_totp_and_email_asks_which_then_sets_up_email() {
    let server = Scripted::start(vec![
        mfa_setup(r#"["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]"#),
        (
            200,
            json!({"ChallengeName": "EMAIL_OTP", "Session": "otp-session",
                   "ChallengeParameters": {"CODE_DELIVERY_DESTINATION": "a***@e***", "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL"}}),
        ),
        tokens(),
    ])
    .await;
    let flows = server.flows();
    let step = flows
        .start(&SignIn::password("alice", pw("Password-1")))
        .await
        .unwrap();
    let Step::Challenge { state, prompt } = step else {
        panic!("{step:?}")
    };
    let Prompt::SelectMfaSetup { options } = &prompt else {
        panic!("{prompt:?}")
    };
    assert_eq!(options, &[MfaKind::Totp, MfaKind::Email]);
    assert_eq!(prompt.challenge_name(), "MFA_SETUP");

    // A factor that was not offered is refused without a call.
    let err = flows
        .answer(state.clone(), Answer::Mfa(MfaKind::Sms))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongAnswerKind { .. }), "{err:?}");

    // The choice needs no call: the next prompt asks for the address.
    let state = serde_json::from_value(serde_json::to_value(&state).unwrap()).unwrap();
    let step = flows
        .answer(state, Answer::Mfa(MfaKind::Email))
        .await
        .unwrap();
    let Step::Challenge { state, prompt } = step else {
        panic!("{step:?}")
    };
    assert!(matches!(prompt, Prompt::EmailSetup), "{prompt:?}");
    assert_eq!(server.operations(), ["InitiateAuth"]);

    let state = serde_json::from_value(serde_json::to_value(&state).unwrap()).unwrap();
    let step = flows
        .answer(state, Answer::Email("alice@example.com".into()))
        .await
        .unwrap();
    let Step::Challenge { state, prompt } = step else {
        panic!("{step:?}")
    };
    let sent = server.last();
    assert_eq!(sent.operation, "RespondToAuthChallenge");
    assert_eq!(sent.body["ChallengeName"], "MFA_SETUP");
    assert_eq!(sent.body["Session"], "setup-session");
    assert_eq!(
        sent.body["ChallengeResponses"],
        json!({"USERNAME": "alice", "EMAIL": "alice@example.com"})
    );
    let Prompt::Code {
        kind, destination, ..
    } = prompt
    else {
        panic!("{prompt:?}")
    };
    assert_eq!(kind, CodeKind::EmailOtp);
    assert_eq!(destination.as_deref(), Some("a***@e***"));

    let tokens = flows.answer(state, Answer::code("123456")).await.unwrap();
    assert!(matches!(tokens, Step::Done(_)), "{tokens:?}");
    let sent = server.last();
    assert_eq!(sent.body["ChallengeName"], "EMAIL_OTP");
    assert_eq!(sent.body["ChallengeResponses"]["EMAIL_OTP_CODE"], "123456");
}

#[tokio::test]
async fn choosing_totp_at_the_setup_selection_associates_a_secret() {
    let server = Scripted::start(vec![
        mfa_setup(r#"["EMAIL_OTP","SOFTWARE_TOKEN_MFA"]"#),
        (
            200,
            json!({"SecretCode": "JBSWY3DPEHPK3PXP", "Session": "associated"}),
        ),
        (200, json!({"Status": "SUCCESS", "Session": "verified"})),
        tokens(),
    ])
    .await;
    let flows = server.flows();
    let Step::Challenge { state, .. } = flows
        .start(&SignIn::password("alice", pw("Password-1")))
        .await
        .unwrap()
    else {
        panic!("no prompt")
    };
    let Step::Challenge { state, prompt } = flows
        .answer(state, Answer::Mfa(MfaKind::Totp))
        .await
        .unwrap()
    else {
        panic!("no prompt")
    };
    let Prompt::TotpSetup(setup) = prompt else {
        panic!("{prompt:?}")
    };
    use secrecy::ExposeSecret;
    assert_eq!(setup.secret.expose_secret(), "JBSWY3DPEHPK3PXP");
    let step = flows.answer(state, Answer::code("123456")).await.unwrap();
    assert!(matches!(step, Step::Done(_)), "{step:?}");
    assert_eq!(
        server.operations(),
        [
            "InitiateAuth",
            "AssociateSoftwareToken",
            "VerifySoftwareToken",
            "RespondToAuthChallenge"
        ]
    );
    let sent = server.last();
    assert_eq!(sent.body["ChallengeName"], "MFA_SETUP");
    assert_eq!(sent.body["Session"], "verified");
}

#[tokio::test]
async fn mfa_setup_offering_only_email_asks_for_the_address_at_once() {
    let server = Scripted::start(vec![mfa_setup(r#"["EMAIL_OTP"]"#)]).await;
    let step = server
        .flows()
        .start(&SignIn::password("alice", pw("Password-1")))
        .await
        .unwrap();
    let Step::Challenge { prompt, .. } = step else {
        panic!("{step:?}")
    };
    assert!(matches!(prompt, Prompt::EmailSetup), "{prompt:?}");
    assert_eq!(server.operations(), ["InitiateAuth"]);
}
