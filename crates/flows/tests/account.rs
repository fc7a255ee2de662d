//! The account calls against the in-process emulator, for the operations it
//! serves: SignUp, ConfirmSignUp (and the auto sign-in Session), GetUser,
//! RevokeToken, GlobalSignOut, devices, and the TOTP management calls. Sign-in's
//! CONFIRM_SIGN_UP step for an unconfirmed user, too. The operations the
//! emulator does not serve yet are in `account_scripted.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;

use cognito_auth_flows::{
    AuthApi, CodeDelivery, ConfirmSignUp, ConfirmSignUpStep, DevicePolicy, Error,
    MemoryDeviceStore, MfaPreference, MfaSetting, NoHandler, Refresh, SignIn, SignUp, SignUpStep,
    Step,
};
use cognito_auth_test_support::{PASSWORD, last_code, pw, totp_now};
use support::{PoolSpec, World, unsigned, world};

/// The account calls of the world's app client, with its secret if it has one.
fn api(world: &World) -> AuthApi {
    let api = AuthApi::new(
        unsigned(&world.emulator.endpoint_url()),
        &world.setup.client_id,
    );
    match &world.setup.client_secret {
        Some(secret) => api.with_client_secret(pw(secret)),
        None => api,
    }
}

#[tokio::test]
async fn sign_up_waits_for_the_mailed_code_then_signs_in() {
    let world = world(PoolSpec {
        secret: true,
        ..PoolSpec::default()
    })
    .await;
    let api = api(&world);
    let flows = world.flows().build().unwrap();
    let request = SignUp::new("nina", pw(PASSWORD)).with_attribute("email", "nina@example.com");

    let outcome = api.sign_up(&request).await.unwrap();
    assert!(!outcome.user_confirmed);
    assert!(!outcome.is_complete());
    assert!(outcome.user_sub.as_deref().is_some_and(|s| s.len() == 36));
    let SignUpStep::ConfirmSignUp { delivery, session } = outcome.next else {
        panic!("{:?}", outcome.next)
    };
    assert!(session.is_none(), "no auto sign-in was asked for");
    assert_eq!(
        delivery,
        Some(CodeDelivery {
            destination: Some("n***@example.com".into()),
            medium: Some("EMAIL".into()),
            attribute: Some("email".into()),
        })
    );

    // Signing in before confirming is Amplify's CONFIRM_SIGN_UP step...
    let step = flows
        .start(&SignIn::srp("nina", pw(PASSWORD)))
        .await
        .unwrap();
    let Step::ConfirmSignUp { username } = step else {
        panic!("{step:?}")
    };
    assert_eq!(username, "nina");
    // ...and still an error where tokens were asked for.
    let err = flows.sign_in_srp("nina", &pw(PASSWORD)).await.unwrap_err();
    assert!(matches!(err, Error::UserNotConfirmed), "{err:?}");

    let err = api
        .confirm_sign_up(&ConfirmSignUp::new("nina", pw("000000")))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CodeMismatch), "{err:?}");

    let code = last_code(world.emulator.service(), "nina");
    let step = api
        .confirm_sign_up(&ConfirmSignUp::new("nina", pw(&code)))
        .await
        .unwrap();
    assert!(matches!(step, ConfirmSignUpStep::Done), "{step:?}");
    let tokens = flows.sign_in_srp("nina", &pw(PASSWORD)).await.unwrap();
    assert_eq!(
        tokens.access_claims().unwrap().username(),
        Some("nina"),
        "signed in as the new user"
    );

    let err = api.sign_up(&request).await.unwrap_err();
    match err {
        // AWS's SignUp answer for a taken username (MiniStack PR #1758, measured
        // in eu-central-1); "User account already exists" is AdminCreateUser's.
        Error::UsernameExists { message } => assert_eq!(message, "User already exists"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_password_against_the_policy_is_refused_with_the_policy_message() {
    let world = world(PoolSpec::default()).await;
    let err = api(&world)
        .sign_up(&SignUp::new("weak", pw("short")))
        .await
        .unwrap_err();
    match err {
        Error::InvalidNewPassword { message } => {
            assert!(
                message.starts_with("Password did not conform with policy"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn confirming_with_auto_sign_in_completes_the_sign_in_without_a_password() {
    let world = world(PoolSpec {
        choice: true,
        ..PoolSpec::default()
    })
    .await;
    let api = api(&world);
    let request = SignUp::new("otto", pw(PASSWORD))
        .with_attribute("email", "otto@example.com")
        .with_auto_sign_in();
    let outcome = api.sign_up(&request).await.unwrap();
    let SignUpStep::ConfirmSignUp { session, .. } = outcome.next else {
        panic!("{:?}", outcome.next)
    };
    let code = last_code(world.emulator.service(), "otto");
    let step = api
        .confirm_sign_up(&ConfirmSignUp::new("otto", pw(&code)).with_auto_sign_in(session))
        .await
        .unwrap();
    let ConfirmSignUpStep::CompleteAutoSignIn(sign_in) = step else {
        panic!("{step:?}")
    };
    let flows = world.flows().build().unwrap();
    let tokens = flows.sign_in(&sign_in, &NoHandler).await.unwrap();
    assert_eq!(tokens.access_claims().unwrap().username(), Some("otto"));
}

#[tokio::test]
async fn get_user_then_revoke_and_global_sign_out_end_the_tokens() {
    let world = world(PoolSpec::default()).await;
    world.user("gina", &[("email", "gina@example.com")]).await;
    let api = api(&world);
    let flows = world.flows().build().unwrap();

    let tokens = flows.sign_in_srp("gina", &pw(PASSWORD)).await.unwrap();
    let profile = api.get_user(tokens.access_token()).await.unwrap();
    assert_eq!(profile.username, "gina");
    assert_eq!(
        profile.attributes.get("email").map(String::as_str),
        Some("gina@example.com")
    );
    assert!(profile.attributes.contains_key("sub"));

    let refresh = Refresh::from_tokens(&tokens).unwrap();
    api.revoke_token(tokens.refresh_token().unwrap())
        .await
        .unwrap();
    let err = flows.refresh(&refresh).await.unwrap_err();
    assert!(matches!(err, Error::RefreshTokenRefused { .. }), "{err:?}");

    let tokens = flows.sign_in_srp("gina", &pw(PASSWORD)).await.unwrap();
    api.global_sign_out(tokens.access_token()).await.unwrap();
    let err = flows
        .refresh(&Refresh::from_tokens(&tokens).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RefreshTokenRefused { .. }), "{err:?}");
}

#[tokio::test]
async fn totp_is_associated_verified_and_preferred() {
    let world = world(PoolSpec {
        mfa: Some("OPTIONAL"),
        ..PoolSpec::default()
    })
    .await;
    world.user("tara", &[]).await;
    let api = api(&world);
    let flows = world.flows().build().unwrap();
    let tokens = flows.sign_in_srp("tara", &pw(PASSWORD)).await.unwrap();
    let access = tokens.access_token();

    let setup = api
        .associate_software_token(access, "Example", "tara")
        .await
        .unwrap();
    use secrecy::ExposeSecret;
    let secret = setup.secret.expose_secret().to_owned();
    assert_eq!(
        setup.uri.expose_secret(),
        &format!("otpauth://totp/Example:tara?secret={secret}&issuer=Example")
    );
    let err = api
        .verify_software_token(access, &pw("000000"), None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CodeMismatch), "{err:?}");
    api.verify_software_token(access, &pw(&totp_now(&secret)), Some("phone"))
        .await
        .unwrap();
    api.set_mfa_preference(
        access,
        MfaPreference {
            totp: Some(MfaSetting::Preferred),
            ..MfaPreference::default()
        },
    )
    .await
    .unwrap();
    let profile = api.get_user(access).await.unwrap();
    assert_eq!(profile.preferred_mfa.as_deref(), Some("SOFTWARE_TOKEN_MFA"));
    assert_eq!(profile.mfa_enabled, ["SOFTWARE_TOKEN_MFA"]);
}

#[tokio::test]
async fn devices_are_listed_updated_and_forgotten() {
    let world = world(PoolSpec {
        devices: true,
        ..PoolSpec::default()
    })
    .await;
    world.user("dora", &[]).await;
    let api = api(&world);
    let flows = world
        .flows()
        .device_store(Arc::new(MemoryDeviceStore::new()))
        .device_policy(DevicePolicy::Confirm {
            device_name: Some("laptop".into()),
        })
        .build()
        .unwrap();
    let tokens = flows.sign_in_srp("dora", &pw(PASSWORD)).await.unwrap();
    let key = tokens.new_device().unwrap().device_key.clone();
    let access = tokens.access_token();

    let listed = api.list_devices(access).await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].device_key, key);
    assert_eq!(listed[0].name(), Some("laptop"));

    api.update_device_status(access, &key, true).await.unwrap();
    api.update_device_status(access, &key, false).await.unwrap();
    api.forget_device(access, &key).await.unwrap();
    assert_eq!(api.list_devices(access).await.unwrap(), []);
    let err = api.forget_device(access, &key).await.unwrap_err();
    assert!(matches!(err, Error::DeviceNotFound), "{err:?}");
}

#[tokio::test]
async fn unknown_user_and_unknown_code_are_typed() {
    let world = world(PoolSpec::default()).await;
    let api = api(&world);
    let err = api
        .confirm_sign_up(&ConfirmSignUp::new("nobody", pw("123456")))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UserNotFound), "{err:?}");
    let err = api.get_user(&pw("not-a-token")).await.unwrap_err();
    match err {
        Error::NotAuthorized { message } => assert!(!message.is_empty()),
        other => panic!("{other:?}"),
    }
}
