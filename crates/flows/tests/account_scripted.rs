//! The account calls against a scripted Cognito (`support::scripted`): each test
//! gives the replies, in order, and checks the requests. For the operations the
//! emulator does not serve (ForgotPassword, ConfirmForgotPassword,
//! ChangePassword, ResendConfirmationCode, UpdateUserAttributes, attribute
//! codes, DeleteUser) and for every typed error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;

use cognito_auth_flows::{
    AttributeStep, AttributeUpdate, ConfirmSignUp, ConfirmSignUpStep, Error, ResetPasswordStep,
    SignUp, SignUpStep,
};
use cognito_auth_srp::secret_hash;
use cognito_auth_test_support::pw;
use serde_json::json;
use support::scripted::{CLIENT_ID, Scripted, email_delivery, error, expected_delivery};

#[tokio::test]
async fn forgot_password_asks_for_the_code_then_resets() {
    let server = Scripted::start(vec![
        (200, json!({"CodeDeliveryDetails": email_delivery()})),
        (200, json!({})),
    ])
    .await;
    let api = server.api();
    let step = api.forgot_password("alice").await.unwrap();
    assert_eq!(
        step,
        ResetPasswordStep::ConfirmResetPasswordWithCode {
            delivery: Some(expected_delivery())
        }
    );
    let sent = server.last();
    assert_eq!(sent.operation, "ForgotPassword");
    assert_eq!(sent.body["Username"], "alice");
    assert_eq!(sent.body["ClientId"], CLIENT_ID);
    assert_eq!(
        sent.body["SecretHash"],
        secret_hash("alice", CLIENT_ID, "s3cret")
    );
    assert_eq!(sent.body["ClientMetadata"], json!({"tenant": "blue"}));

    let step = api
        .confirm_forgot_password("alice", &pw("123456"), &pw("New-Password-1"))
        .await
        .unwrap();
    assert_eq!(step, ResetPasswordStep::Done);
    let sent = server.last();
    assert_eq!(sent.operation, "ConfirmForgotPassword");
    assert_eq!(sent.body["ConfirmationCode"], "123456");
    assert_eq!(sent.body["Password"], "New-Password-1");
    assert_eq!(
        sent.body["SecretHash"],
        secret_hash("alice", CLIENT_ID, "s3cret")
    );
    assert_eq!(sent.body["ClientMetadata"], json!({"tenant": "blue"}));
}

/// Each of Cognito's refusals of a code or a new password is its own error.
#[tokio::test]
async fn confirm_forgot_password_errors_are_typed() {
    let policy = "Password did not conform with policy: Password must have uppercase characters";
    let server = Scripted::start(vec![
        error(
            "CodeMismatchException",
            "Invalid verification code provided, please try again.",
        ),
        error(
            "ExpiredCodeException",
            "Invalid code provided, please request a code again.",
        ),
        error(
            "LimitExceededException",
            "Attempt limit exceeded, please try after some time.",
        ),
        error("InvalidPasswordException", policy),
        error(
            "UserNotFoundException",
            "Username/client id combination not found.",
        ),
        error("NotAuthorizedException", "User is disabled."),
    ])
    .await;
    let api = server.api();
    let mut errors = Vec::new();
    for _ in 0..6 {
        errors.push(
            api.confirm_forgot_password("alice", &pw("123456"), &pw("new-password"))
                .await
                .unwrap_err(),
        );
    }
    assert!(matches!(errors[0], Error::CodeMismatch), "{:?}", errors[0]);
    assert!(matches!(errors[1], Error::CodeExpired), "{:?}", errors[1]);
    match &errors[2] {
        Error::LimitExceeded { message } => {
            assert_eq!(
                message,
                "Attempt limit exceeded, please try after some time."
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(errors[2].is_transient());
    match &errors[3] {
        Error::InvalidNewPassword { message } => assert_eq!(message, policy),
        other => panic!("{other:?}"),
    }
    assert!(matches!(errors[4], Error::UserNotFound), "{:?}", errors[4]);
    assert!(matches!(errors[5], Error::UserDisabled), "{:?}", errors[5]);
    assert_eq!(server.operations(), vec!["ConfirmForgotPassword"; 6]);
}

#[tokio::test]
async fn change_password_sends_both_and_a_wrong_current_one_is_wrong_credentials() {
    let server = Scripted::start(vec![
        (200, json!({})),
        error("NotAuthorizedException", "Incorrect username or password."),
        error("NotAuthorizedException", "Access Token has been revoked"),
    ])
    .await;
    let api = server.api();
    api.change_password(
        &pw("access-1"),
        &pw("Old-Password-1"),
        &pw("New-Password-1"),
    )
    .await
    .unwrap();
    let sent = server.last();
    assert_eq!(sent.operation, "ChangePassword");
    assert_eq!(
        sent.body,
        json!({
            "AccessToken": "access-1",
            "PreviousPassword": "Old-Password-1",
            "ProposedPassword": "New-Password-1",
        })
    );
    let err = api
        .change_password(&pw("access-1"), &pw("wrong"), &pw("New-Password-1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongCredentials), "{err:?}");
    let err = api
        .change_password(&pw("revoked"), &pw("Old-Password-1"), &pw("New-Password-1"))
        .await
        .unwrap_err();
    match err {
        Error::NotAuthorized { message } => assert_eq!(message, "Access Token has been revoked"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn sign_up_steps_follow_user_confirmed_and_the_session() {
    let server = Scripted::start(vec![
        (
            200,
            json!({"UserConfirmed": false, "UserSub": "sub-1", "CodeDeliveryDetails": email_delivery(), "Session": "signup-session"}),
        ),
        (200, json!({"UserConfirmed": true, "UserSub": "sub-2"})),
        (
            200,
            json!({"UserConfirmed": true, "UserSub": "sub-3", "Session": "auto-session"}),
        ),
        error("UsernameExistsException", "User already exists"),
        (200, json!({"CodeDeliveryDetails": email_delivery()})),
        error("AliasExistsException", "An account with the given email already exists."),
        (200, json!({"Session": "after-confirm"})),
    ])
    .await;
    let api = server.api();
    let request = SignUp::new("alice", pw("Password-1"))
        .with_attribute("email", "alice@example.com")
        .with_auto_sign_in();

    let outcome = api.sign_up(&request).await.unwrap();
    assert_eq!(outcome.user_sub.as_deref(), Some("sub-1"));
    assert!(!outcome.is_complete());
    let SignUpStep::ConfirmSignUp { delivery, session } = outcome.next else {
        panic!("{:?}", outcome.next)
    };
    assert_eq!(delivery, Some(expected_delivery()));
    use secrecy::ExposeSecret;
    assert_eq!(session.unwrap().expose_secret(), "signup-session");
    let sent = server.last();
    assert_eq!(sent.operation, "SignUp");
    assert_eq!(sent.body["Username"], "alice");
    assert_eq!(sent.body["Password"], "Password-1");
    assert_eq!(
        sent.body["UserAttributes"],
        json!([{"Name": "email", "Value": "alice@example.com"}])
    );
    assert_eq!(
        sent.body["SecretHash"],
        secret_hash("alice", CLIENT_ID, "s3cret")
    );
    assert_eq!(sent.body["ClientMetadata"], json!({"tenant": "blue"}));

    // Confirmed by a trigger, no auto sign-in: DONE.
    let outcome = api
        .sign_up(&SignUp::new("bob", pw("Password-1")))
        .await
        .unwrap();
    assert!(
        matches!(outcome.next, SignUpStep::Done),
        "{:?}",
        outcome.next
    );
    assert!(outcome.is_complete());
    // Confirmed, with auto sign-in and a Session: COMPLETE_AUTO_SIGN_IN.
    let outcome = api
        .sign_up(&SignUp::new("carl", pw("Password-1")).with_auto_sign_in())
        .await
        .unwrap();
    let SignUpStep::CompleteAutoSignIn(sign_in) = outcome.next else {
        panic!("{:?}", outcome.next)
    };
    assert!(format!("{sign_in:?}").contains("carl"), "{sign_in:?}");

    match api.sign_up(&request).await.unwrap_err() {
        Error::UsernameExists { message } => assert_eq!(message, "User already exists"),
        other => panic!("{other:?}"),
    }

    let delivery = api.resend_sign_up_code("alice").await.unwrap();
    assert_eq!(delivery, Some(expected_delivery()));
    let sent = server.last();
    assert_eq!(sent.operation, "ResendConfirmationCode");
    assert_eq!(
        sent.body["SecretHash"],
        secret_hash("alice", CLIENT_ID, "s3cret")
    );

    let confirm =
        ConfirmSignUp::new("alice", pw("654321")).with_auto_sign_in(Some(pw("signup-session")));
    match api.confirm_sign_up(&confirm).await.unwrap_err() {
        Error::AliasExists { message } => {
            assert_eq!(message, "An account with the given email already exists.")
        }
        other => panic!("{other:?}"),
    }
    let step = api.confirm_sign_up(&confirm).await.unwrap();
    assert!(
        matches!(step, ConfirmSignUpStep::CompleteAutoSignIn(_)),
        "{step:?}"
    );
    let sent = server.last();
    assert_eq!(sent.operation, "ConfirmSignUp");
    assert_eq!(sent.body["ConfirmationCode"], "654321");
    assert_eq!(sent.body["Session"], "signup-session");
}

#[tokio::test]
async fn attribute_updates_name_the_ones_waiting_for_a_code() {
    let server = Scripted::start(vec![
        (200, json!({"CodeDeliveryDetailsList": [email_delivery()]})),
        (200, json!({"CodeDeliveryDetails": email_delivery()})),
        error(
            "CodeMismatchException",
            "Invalid verification code provided, please try again.",
        ),
        (200, json!({})),
        error(
            "AliasExistsException",
            "An account with the given email already exists.",
        ),
        (200, json!({})),
    ])
    .await;
    let api = server.api();
    let access = pw("access-1");
    let attributes = BTreeMap::from([
        ("email".to_owned(), "new@example.com".to_owned()),
        ("name".to_owned(), "Alice".to_owned()),
    ]);
    let updates = api
        .update_user_attributes(&access, &attributes)
        .await
        .unwrap();
    assert_eq!(
        updates,
        BTreeMap::from([
            (
                "email".to_owned(),
                AttributeUpdate {
                    is_updated: false,
                    next: AttributeStep::ConfirmAttributeWithCode {
                        delivery: expected_delivery()
                    },
                }
            ),
            (
                "name".to_owned(),
                AttributeUpdate {
                    is_updated: true,
                    next: AttributeStep::Done,
                }
            ),
        ])
    );
    let sent = server.last();
    assert_eq!(sent.operation, "UpdateUserAttributes");
    assert_eq!(sent.body["AccessToken"], "access-1");
    assert_eq!(sent.body["ClientMetadata"], json!({"tenant": "blue"}));
    assert_eq!(
        sent.body["UserAttributes"],
        json!([{"Name": "email", "Value": "new@example.com"}, {"Name": "name", "Value": "Alice"}])
    );

    let delivery = api
        .send_attribute_verification_code(&access, "email")
        .await
        .unwrap();
    assert_eq!(delivery, Some(expected_delivery()));
    let sent = server.last();
    assert_eq!(sent.operation, "GetUserAttributeVerificationCode");
    assert_eq!(sent.body["AttributeName"], "email");

    let err = api
        .verify_user_attribute(&access, "email", &pw("000000"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CodeMismatch), "{err:?}");
    let step = api
        .verify_user_attribute(&access, "email", &pw("123456"))
        .await
        .unwrap();
    assert_eq!(step, AttributeStep::Done);
    let sent = server.last();
    assert_eq!(sent.operation, "VerifyUserAttribute");
    assert_eq!(sent.body["Code"], "123456");

    let err = api
        .update_user_attributes(&access, &attributes)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AliasExists { .. }), "{err:?}");

    api.delete_user(&access).await.unwrap();
    let sent = server.last();
    assert_eq!(sent.operation, "DeleteUser");
    assert_eq!(sent.body, json!({"AccessToken": "access-1"}));
}

#[tokio::test]
async fn list_devices_follows_the_pagination_token() {
    let device = |key: &str| json!({"DeviceKey": key, "DeviceAttributes": [{"Name": "device_name", "Value": key}]});
    let server = Scripted::start(vec![
        (
            200,
            json!({"Devices": [device("us-east-1_a")], "PaginationToken": "page-2"}),
        ),
        (200, json!({"Devices": [device("us-east-1_b")]})),
    ])
    .await;
    let devices = server.api().list_devices(&pw("access-1")).await.unwrap();
    let keys: Vec<&str> = devices.iter().map(|d| d.device_key.as_str()).collect();
    assert_eq!(keys, ["us-east-1_a", "us-east-1_b"]);
    assert_eq!(devices[1].name(), Some("us-east-1_b"));
    let received = server.received();
    assert_eq!(received[0].body.get("PaginationToken"), None);
    assert_eq!(received[1].body["PaginationToken"], "page-2");
}
