//! USER_SRP_AUTH and friends through the real AWS SDK, with the proof computed
//! by cognito-auth-srp: right and wrong passwords, sessions, lockout, aliases,
//! client secrets and tokens checked against the served JWKS.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use cognito_auth_srp::{PoolId, SystemClock};
use cognito_auth_test_support::*;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

/// Held by the tests that move the emulator's clock (it is one per process) or
/// depend on a short lock or expiry, so no test moves it under another.
static CLOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn jwks(emulator: &cognito_auth_emulator::Emulator, pool_id: &str) -> Value {
    let (status, _, body) = raw_request(
        emulator.address(),
        &format!("GET /{pool_id}/.well-known/jwks.json HTTP/1.1"),
        b"",
    )
    .await;
    assert_eq!(status, 200);
    serde_json::from_str(&body).unwrap()
}

/// Verifies a token with jsonwebtoken against the JWKS, as an app would.
fn verify(token: &str, jwks: &Value, issuer: &str, audience: Option<&str>) -> Value {
    let header = jsonwebtoken::decode_header(token).unwrap();
    let kid = header.kid.unwrap();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .expect("kid in JWKS");
    let decoding =
        DecodingKey::from_rsa_components(key["n"].as_str().unwrap(), key["e"].as_str().unwrap())
            .unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    match audience {
        Some(aud) => validation.set_audience(&[aud]),
        None => validation.validate_aud = false,
    }
    jsonwebtoken::decode::<Value>(token, &decoding, &validation)
        .unwrap()
        .claims
}

#[tokio::test]
async fn right_password_gets_tokens_that_verify_against_the_jwks() {
    let (emulator, sdk, setup) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;
    assert!(PoolId::parse(&setup.pool_id).is_ok());
    let name = setup.pool_id.split('_').nth(1).unwrap();
    assert_eq!(name.len(), 9);
    assert!(name.chars().all(|c| c.is_ascii_alphanumeric()));
    create_user(&sdk, &setup, "alice", &[("email", "alice@example.com")]).await;

    let result = expect_tokens(srp_sign_in(&sdk, &setup, "alice", PASSWORD, None).await);
    assert_eq!(result.token_type(), Some("Bearer"));
    assert_eq!(result.expires_in(), 3600);
    assert!(result.refresh_token().is_some());

    let jwks = jwks(&emulator, &setup.pool_id).await;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    let issuer = format!(
        "https://cognito-idp.us-east-1.amazonaws.com/{}",
        setup.pool_id
    );
    let id = verify(
        result.id_token().unwrap(),
        &jwks,
        &issuer,
        Some(&setup.client_id),
    );
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["email"], "alice@example.com");
    let access = verify(result.access_token().unwrap(), &jwks, &issuer, None);
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["client_id"], setup.client_id.as_str());
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(access["sub"], id["sub"]);
    assert_eq!(access["origin_jti"], id["origin_jti"]);
    let id_kid = jsonwebtoken::decode_header(result.id_token().unwrap())
        .unwrap()
        .kid;
    let access_kid = jsonwebtoken::decode_header(result.access_token().unwrap())
        .unwrap()
        .kid;
    assert_ne!(
        id_kid, access_kid,
        "ID and access tokens use different keys"
    );

    let user = sdk
        .get_user()
        .access_token(result.access_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(user.username(), "alice");

    let (status, _, body) = raw_request(
        emulator.address(),
        &format!(
            "GET /{}/.well-known/openid-configuration HTTP/1.1",
            setup.pool_id
        ),
        b"",
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.contains(&issuer));
    emulator.shutdown().await;
}

/// A wrong password for `username` gets Cognito's error, code and text.
async fn assert_wrong_password_refused(
    sdk: &aws_sdk_cognitoidentityprovider::Client,
    setup: &Setup,
    username: &str,
) {
    let error = srp_sign_in(sdk, setup, username, "Wrong-Password-1", None)
        .await
        .unwrap_err();
    assert_eq!(
        error_of(&error),
        (
            "NotAuthorizedException".to_owned(),
            "Incorrect username or password.".to_owned()
        ),
        "{username}"
    );
}

#[tokio::test]
async fn wrong_password_is_incorrect_username_or_password() {
    let (emulator, sdk, setup) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;
    create_user(&sdk, &setup, "bob", &[]).await;
    assert_wrong_password_refused(&sdk, &setup, "bob").await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_secret_block_and_its_session_work_once() {
    let (emulator, sdk, setup) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;
    create_user(&sdk, &setup, "carol", &[]).await;
    let srp = srp_client(&setup);
    let started = start_user_srp(&sdk, &setup, &srp, "carol").await.unwrap();
    let responses = password_verifier_responses(
        &srp,
        started.challenge_parameters().unwrap(),
        PASSWORD,
        None,
        &SystemClock,
    );
    let respond = || {
        sdk.respond_to_auth_challenge()
            .client_id(&setup.client_id)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .set_challenge_responses(Some(responses.clone()))
    };
    // Without the Session (as pycognito does): the SECRET_BLOCK finds it.
    assert!(
        respond()
            .send()
            .await
            .unwrap()
            .authentication_result()
            .is_some()
    );
    let replay = respond().send().await.unwrap_err();
    assert_eq!(error_of(&replay).1, "Invalid session for the user.");
    // AWS hands out no Session with PASSWORD_VERIFIER (MiniStack PR #1758), so a
    // replay can carry only a session of the caller's making.
    assert_eq!(started.session(), None);
    let replay = respond()
        .session("AYABeForgedSessionOfTheCaller0123456789")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_of(&replay).0, "NotAuthorizedException");
    assert_eq!(error_of(&replay).1, "Invalid session for the user.");
    emulator.shutdown().await;
}

#[tokio::test]
async fn bad_timestamps_are_invalid_parameters() {
    let (emulator, sdk, setup) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;
    create_user(&sdk, &setup, "dave", &[]).await;
    let srp = srp_client(&setup);
    let started = start_user_srp(&sdk, &setup, &srp, "dave").await.unwrap();
    let mut responses = password_verifier_responses(
        &srp,
        started.challenge_parameters().unwrap(),
        PASSWORD,
        None,
        &SystemClock,
    );
    responses.insert("TIMESTAMP".into(), "yesterday".into());
    let error = respond_with(
        &sdk,
        &setup.client_id,
        ChallengeNameType::PasswordVerifier,
        None,
        responses,
    )
    .await
    .unwrap_err();
    assert_eq!(
        error_of(&error),
        (
            "InvalidParameterException".to_owned(),
            "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.".to_owned()
        )
    );
    // A well-formed TIMESTAMP an hour off is outside the clock-skew window.
    let srp = srp_client(&setup);
    let started = start_user_srp(&sdk, &setup, &srp, "dave").await.unwrap();
    let clock =
        cognito_auth_srp::FixedClock(time::OffsetDateTime::now_utc().unix_timestamp() - 3600);
    let responses = password_verifier_responses(
        &srp,
        started.challenge_parameters().unwrap(),
        PASSWORD,
        None,
        &clock,
    );
    let error = respond_with(
        &sdk,
        &setup.client_id,
        ChallengeNameType::PasswordVerifier,
        None,
        responses,
    )
    .await
    .unwrap_err();
    assert_eq!(error_of(&error).1, "Incorrect username or password.");
    emulator.shutdown().await;
}

#[tokio::test]
async fn five_failures_lock_the_user() {
    let _clock = CLOCK.lock().await;
    // Five failures then a refusal must fall in the first lock's one second.
    let _frozen = cognito_auth_emulator::freeze_clock();
    let (emulator, sdk, setup) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;
    create_user(&sdk, &setup, "erin", &[]).await;
    for _ in 0..5 {
        let error = srp_sign_in(&sdk, &setup, "erin", "Wrong-Password-1", None)
            .await
            .unwrap_err();
        assert_eq!(error_of(&error).1, "Incorrect username or password.");
    }
    // Locked now: even the right password is refused, by SRP or by password.
    let error = srp_sign_in(&sdk, &setup, "erin", PASSWORD, None)
        .await
        .unwrap_err();
    assert_eq!(
        error_of(&error),
        (
            "NotAuthorizedException".to_owned(),
            "Password attempts exceeded".to_owned()
        )
    );
    let error = initiate(
        &sdk,
        &setup.client_id,
        AuthFlowType::UserPasswordAuth,
        &[("USERNAME", "erin"), ("PASSWORD", PASSWORD)],
    )
    .await
    .unwrap_err();
    assert_eq!(error_of(&error).1, "Password attempts exceeded");
    // The first lock lasts a second.
    cognito_auth_emulator::advance_clock(2);
    expect_tokens(srp_sign_in(&sdk, &setup, "erin", PASSWORD, None).await);
    emulator.shutdown().await;
}

#[tokio::test]
async fn email_username_pool_with_a_client_secret() {
    let pool = PoolOptions {
        email_username: true,
        ..PoolOptions::default()
    };
    let client = ClientOptions::with_secret();
    let (emulator, sdk, setup) = emulator_with_pool(pool, client).await;
    assert!(setup.client_secret.is_some());
    create_user(
        &sdk,
        &setup,
        "frank@example.com",
        &[("email_verified", "true")],
    )
    .await;
    let tokens =
        expect_tokens(srp_sign_in(&sdk, &setup, "frank@example.com", PASSWORD, None).await);
    let claims = jwt_claims(tokens.id_token().unwrap());
    // The internal username is the sub, never the email.
    assert_eq!(claims["cognito:username"], claims["sub"]);
    assert_eq!(claims["email"], "frank@example.com");
    assert_wrong_password_refused(&sdk, &setup, "frank@example.com").await;

    // A SECRET_HASH over the wrong name is refused with Cognito's text.
    let srp = srp_client(&setup);
    let mut params: HashMap<String, String> = srp
        .initiate_auth_parameters("frank@example.com", None)
        .into_iter()
        .collect();
    params.insert(
        "SECRET_HASH".into(),
        setup.secret_hash("someone-else").unwrap(),
    );
    let error = initiate_with(
        &sdk,
        &setup.client_id,
        AuthFlowType::UserSrpAuth,
        params.clone(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        error_of(&error).1,
        format!(
            "Unable to verify secret hash for client {}",
            setup.client_id
        )
    );
    params.remove("SECRET_HASH");
    let error = initiate_with(&sdk, &setup.client_id, AuthFlowType::UserSrpAuth, params)
        .await
        .unwrap_err();
    assert_eq!(
        error_of(&error).1,
        format!(
            "Client {} is configured with secret but SECRET_HASH was not received",
            setup.client_id
        )
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn verified_email_alias_signs_in_with_a_client_secret() {
    let pool = PoolOptions {
        email_alias: true,
        ..PoolOptions::default()
    };
    let client = ClientOptions::with_secret();
    let (emulator, sdk, setup) = emulator_with_pool(pool, client).await;
    create_user(
        &sdk,
        &setup,
        "grace",
        &[("email", "grace@example.com"), ("email_verified", "true")],
    )
    .await;
    let signed_in =
        expect_tokens(srp_sign_in(&sdk, &setup, "grace@example.com", PASSWORD, None).await);
    let claims = jwt_claims(signed_in.id_token().unwrap());
    assert_eq!(claims["cognito:username"], "grace");
    assert_wrong_password_refused(&sdk, &setup, "grace@example.com").await;
    emulator.shutdown().await;
}

#[tokio::test]
async fn unknown_users_legacy_and_prevented() {
    let (emulator, sdk, legacy) =
        emulator_with_pool(PoolOptions::default(), ClientOptions::default()).await;
    let srp = srp_client(&legacy);
    let error = start_user_srp(&sdk, &legacy, &srp, "nobody")
        .await
        .unwrap_err();
    assert_eq!(
        error_of(&error),
        (
            "UserNotFoundException".to_owned(),
            "User does not exist.".to_owned()
        )
    );

    let prevented = create_client(
        &sdk,
        &legacy.pool_id,
        ClientOptions {
            prevent_existence_errors: true,
            ..ClientOptions::default()
        },
    )
    .await;
    // A simulated challenge, stable per name, that no password answers.
    let first = srp_sign_in(&sdk, &prevented, "nobody", PASSWORD, None)
        .await
        .unwrap_err();
    assert_eq!(error_of(&first).1, "Incorrect username or password.");
    let error = initiate(
        &sdk,
        &prevented.client_id,
        AuthFlowType::UserPasswordAuth,
        &[("USERNAME", "nobody"), ("PASSWORD", PASSWORD)],
    )
    .await
    .unwrap_err();
    assert_eq!(error_of(&error).1, "Incorrect username or password.");
    emulator.shutdown().await;
}

#[tokio::test]
async fn expired_sessions_are_refused() {
    let _clock = CLOCK.lock().await;
    let config = cognito_auth_emulator::EmulatorConfig {
        service: cognito_auth_emulator::ServiceConfig {
            session_validity_seconds: Some(1),
            ..emulator_config().service
        },
        ..emulator_config()
    };
    let emulator = cognito_auth_emulator::Emulator::start(config)
        .await
        .unwrap();
    let sdk = sdk(&emulator.endpoint_url());
    let setup = setup(&sdk, PoolOptions::default(), ClientOptions::default()).await;
    create_user(&sdk, &setup, "heidi", &[]).await;
    let srp = srp_client(&setup);
    let started = start_user_srp(&sdk, &setup, &srp, "heidi").await.unwrap();
    cognito_auth_emulator::advance_clock(2);
    let responses = password_verifier_responses(
        &srp,
        started.challenge_parameters().unwrap(),
        PASSWORD,
        None,
        &SystemClock,
    );
    let error = respond_with(
        &sdk,
        &setup.client_id,
        ChallengeNameType::PasswordVerifier,
        started.session(),
        responses,
    )
    .await
    .unwrap_err();
    assert_eq!(
        error_of(&error).1,
        "Invalid session for the user, session is expired."
    );
    emulator.shutdown().await;
}
