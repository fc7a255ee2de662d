//! The state machine on its own, without HTTP: operations in, JSON or Cognito
//! errors out.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cognito_auth_srp::{AppClient as SrpApp, FixedClock, PoolId, UserSrpClient};
use secrecy::SecretString;
use serde_json::{Value, json};

use super::{Service, ServiceConfig};
use crate::error::ErrorKind;

fn call(service: &Service, op: &str, input: Value) -> Result<Value, crate::ApiError> {
    service.call(op, input.to_string().as_bytes())
}

fn setup(service: &Service, secret: bool) -> (String, String, Option<String>) {
    let pool = call(service, "CreateUserPool", json!({ "PoolName": "unit" })).unwrap();
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let client = call(
        service,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": pool_id,
            "ClientName": "c",
            "GenerateSecret": secret,
            "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH"],
        }),
    )
    .unwrap();
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let secret = client["UserPoolClient"]["ClientSecret"]
        .as_str()
        .map(str::to_owned);
    call(
        service,
        "AdminCreateUser",
        json!({ "UserPoolId": pool_id, "Username": "alice" }),
    )
    .unwrap();
    call(
        service,
        "AdminSetUserPassword",
        json!({ "UserPoolId": pool_id, "Username": "alice", "Password": "Password-1", "Permanent": true }),
    )
    .unwrap();
    (pool_id, client_id, secret)
}

#[test]
fn password_is_stored_only_as_a_verifier_and_checked_by_recomputing_it() {
    let service = Service::open(None, ServiceConfig::default()).unwrap();
    let (pool_id, client_id, _) = setup(&service, false);
    let user = service.store.user(&pool_id, "alice").unwrap().unwrap();
    assert!(!user.salt.is_empty() && user.salt.len() <= 17);
    assert!(!user.verifier.is_empty());
    assert!(!format!("{user:?}").contains("Password-1"));
    let stored = serde_json::to_string(&user).unwrap();
    assert!(!stored.contains("Password-1"));

    let sign_in = |password: &str| {
        call(
            &service,
            "InitiateAuth",
            json!({
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": client_id,
                "AuthParameters": { "USERNAME": "alice", "PASSWORD": password },
            }),
        )
    };
    assert!(sign_in("Password-1").unwrap()["AuthenticationResult"]["IdToken"].is_string());
    let wrong = sign_in("Password-2").unwrap_err();
    assert_eq!(wrong.kind, ErrorKind::NotAuthorized);
    assert_eq!(wrong.message, "Incorrect username or password.");
}

#[test]
fn srp_round_trip_through_the_core() {
    let service = Service::open(None, ServiceConfig::default()).unwrap();
    let (pool_id, client_id, secret) = setup(&service, true);
    let done = srp_sign_in(&service, &pool_id, &client_id, secret);
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
}

/// Records keep the verifier's powers, as hex; records written before (number
/// arrays, no powers) still sign in.
#[test]
fn verifier_powers_are_kept_and_older_records_still_sign_in() {
    let service = Service::open(None, ServiceConfig::default()).unwrap();
    let (pool_id, client_id, secret) = setup(&service, true);
    let user = service.store.user(&pool_id, "alice").unwrap().unwrap();
    let mut recomputed =
        cognito_auth_srp::PasswordVerifier::from_signed_bytes(&user.salt, &user.verifier).unwrap();
    recomputed.precompute();
    assert_eq!(
        Some(user.verifier_powers.clone()),
        recomputed.precomputed_bytes()
    );
    let mut record = serde_json::to_value(&user).unwrap();
    assert!(record["verifier"].is_string() && record["verifier_powers"].is_string());

    let as_numbers = |bytes: &[u8]| json!(bytes.iter().map(|b| u32::from(*b)).collect::<Vec<_>>());
    record["salt"] = as_numbers(&user.salt);
    record["verifier"] = as_numbers(&user.verifier);
    record.as_object_mut().unwrap().remove("verifier_powers");
    let older: crate::model::User = serde_json::from_value(record).unwrap();
    assert!(older.verifier_powers.is_empty());
    assert_eq!(older.verifier, user.verifier);
    service.store.update_user(&pool_id, &older).unwrap();
    let done = srp_sign_in(&service, &pool_id, &client_id, secret);
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
}

fn srp_sign_in(service: &Service, pool_id: &str, client_id: &str, secret: Option<String>) -> Value {
    let client_id = client_id.to_owned();
    let app = SrpApp::with_secret(client_id.clone(), SecretString::from(secret.unwrap()));
    let srp = UserSrpClient::new(PoolId::parse(pool_id).unwrap(), app).unwrap();
    let started = call(
        service,
        "InitiateAuth",
        json!({
            "AuthFlow": "USER_SRP_AUTH",
            "ClientId": client_id,
            "AuthParameters": srp.initiate_auth_parameters("alice", None),
        }),
    )
    .unwrap();
    assert_eq!(started["ChallengeName"], "PASSWORD_VERIFIER");
    let parameters: std::collections::BTreeMap<String, String> =
        serde_json::from_value(started["ChallengeParameters"].clone()).unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let responses = srp
        .password_verifier_responses(
            &parameters,
            &SecretString::from("Password-1"),
            None,
            &FixedClock(now),
        )
        .unwrap();
    call(
        service,
        "RespondToAuthChallenge",
        json!({
            "ClientId": client_id,
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeResponses": responses,
        }),
    )
    .unwrap()
}

#[test]
fn unknown_operations_and_bad_bodies() {
    let service = Service::open(None, ServiceConfig::default()).unwrap();
    let error = service.call("Nope", b"{}").unwrap_err();
    assert_eq!(error.kind, ErrorKind::UnknownOperation);
    let error = service.call("InitiateAuth", b"{").unwrap_err();
    assert_eq!(error.kind, ErrorKind::Serialization);
    let error = service.call("InitiateAuth", b"\"x\"").unwrap_err();
    assert_eq!(error.kind, ErrorKind::Serialization);
    let error = service
        .call(
            "DescribeUserPool",
            br#"{"UserPoolId": "us-east-1_missing00"}"#,
        )
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::ResourceNotFound);
    assert_eq!(
        error.message,
        "User pool us-east-1_missing00 does not exist."
    );
}

#[test]
fn client_secrets_stay_out_of_debug_output() {
    let service = Service::open(None, ServiceConfig::default()).unwrap();
    let (_, client_id, secret) = setup(&service, true);
    let client = service.store.client(&client_id).unwrap().unwrap();
    assert!(!format!("{client:?}").contains(&secret.unwrap()));
}

#[test]
fn pool_ids_follow_the_signing_region() {
    let service = Service::open(None, ServiceConfig::default()).unwrap();
    let pool = service
        .call_in_region(
            "CreateUserPool",
            br#"{"PoolName": "p"}"#,
            Some("eu-central-1"),
        )
        .unwrap();
    let id = pool["UserPool"]["Id"].as_str().unwrap();
    assert!(id.starts_with("eu-central-1_"));
    assert_eq!(id.len(), "eu-central-1_".len() + 9);
}

#[test]
fn unknown_users_get_a_stable_simulated_challenge_when_existence_is_hidden() {
    let service = Service::open(None, ServiceConfig::default()).unwrap();
    let (pool_id, _, _) = setup(&service, false);
    let client = call(
        &service,
        "CreateUserPoolClient",
        json!({ "UserPoolId": pool_id, "ClientName": "hidden", "PreventUserExistenceErrors": "ENABLED" }),
    )
    .unwrap();
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let srp = UserSrpClient::new(
        PoolId::parse(&pool_id).unwrap(),
        SrpApp::new(client_id.clone()),
    )
    .unwrap();
    let challenge = |name: &str| {
        call(
            &service,
            "InitiateAuth",
            json!({
                "AuthFlow": "USER_SRP_AUTH",
                "ClientId": client_id,
                "AuthParameters": srp.initiate_auth_parameters(name, None),
            }),
        )
        .unwrap()["ChallengeParameters"]
            .clone()
    };
    let (first, second, other) = (challenge("ghost"), challenge("ghost"), challenge("phantom"));
    assert_eq!(first["SALT"], second["SALT"]);
    assert_eq!(first["USER_ID_FOR_SRP"], second["USER_ID_FOR_SRP"]);
    assert_ne!(first["SALT"], other["SALT"]);
    assert_ne!(first["SRP_B"], second["SRP_B"]);
    let id = first["USER_ID_FOR_SRP"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
}

/// Issue 14.11: ConfirmDevice stored a PasswordVerifier ≡ 0 (mod N); the server's
/// S = (A·v^u)^b is then 0 for every login, so a DEVICE_PASSWORD_VERIFIER claim
/// signed with S = 0 passed without the device password.
#[test]
fn device_verifier_zero_mod_n_is_refused() {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    let service = Service::open(None, ServiceConfig::default()).unwrap();
    let (pool_id, client_id, _) = setup(&service, false);
    call(
        &service,
        "UpdateUserPool",
        json!({ "UserPoolId": pool_id, "DeviceConfiguration": {} }),
    )
    .unwrap();
    let signed_in = call(
        &service,
        "InitiateAuth",
        json!({
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": client_id,
            "AuthParameters": { "USERNAME": "alice", "PASSWORD": "Password-1" },
        }),
    )
    .unwrap();
    let result = &signed_in["AuthenticationResult"];
    let access_token = result["AccessToken"].as_str().unwrap();
    let device = &result["NewDeviceMetadata"];
    let device_key = device["DeviceKey"].as_str().unwrap();
    let group_key = device["DeviceGroupKey"].as_str().unwrap();
    let confirm = |password_verifier: String, salt: String| {
        call(
            &service,
            "ConfirmDevice",
            json!({
                "AccessToken": access_token,
                "DeviceKey": device_key,
                "DeviceSecretVerifierConfig": { "PasswordVerifier": password_verifier, "Salt": salt },
            }),
        )
    };
    let n = cognito_auth_srp::group::n_bytes();
    for multiple in [vec![0u8], cognito_auth_srp::pad_unsigned(&n)] {
        let error = confirm(STANDARD.encode(&multiple), STANDARD.encode([0x2a; 16])).unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidParameter);
        assert_eq!(
            error.message,
            "Invalid DeviceSecretVerifierConfig: PasswordVerifier must not be a multiple of the SRP group modulus"
        );
        let stored = service.store.device(device_key).unwrap().unwrap();
        assert!(!stored.confirmed);
        assert!(stored.verifier.is_empty());
    }
    // A real registration for the same device is still taken.
    let registration = cognito_auth_srp::register_device(group_key, device_key).unwrap();
    let config = registration.verifier_config;
    confirm(config.password_verifier, config.salt).unwrap();
    assert!(service.store.device(device_key).unwrap().unwrap().confirmed);
}

#[test]
fn preset_signing_keys_are_handed_out_in_turn_each_pool_with_kids_of_its_own() {
    let generated = [
        crate::tokens::generate_key().unwrap().pkcs8,
        crate::tokens::generate_key().unwrap().pkcs8,
    ];
    let config = ServiceConfig {
        preset_signing_keys: generated.to_vec().into(),
        ..ServiceConfig::default()
    };
    let service = Service::open(None, config).unwrap();
    let (first, _, _) = setup(&service, false);
    let second = call(&service, "CreateUserPool", json!({ "PoolName": "two" })).unwrap();
    let second = second["UserPool"]["Id"].as_str().unwrap().to_owned();
    let keys = |pool: &str| {
        let jwks = service.jwks(pool).unwrap().unwrap();
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|key| (key["kid"].as_str().unwrap().to_owned(), key["n"].clone()))
            .collect::<Vec<_>>()
    };
    let (first, second) = (keys(&first), keys(&second));
    // Two keys per pool (id, access), the preset ones in turn: both pools sign
    // with the same two moduli, under kids that differ.
    assert_eq!(first.len(), 2);
    assert_ne!(first[0].1, first[1].1);
    let moduli = |keys: &[(String, Value)]| {
        let mut moduli: Vec<String> = keys.iter().map(|k| k.1.to_string()).collect();
        moduli.sort();
        moduli
    };
    assert_eq!(moduli(&first), moduli(&second));
    for (kid, _) in &first {
        assert!(
            second.iter().all(|(other, _)| other != kid),
            "kid {kid} reused"
        );
    }
}

#[test]
fn a_preset_signing_key_that_does_not_load_fails_the_pool_not_its_first_sign_in() {
    let config = ServiceConfig {
        preset_signing_keys: vec![b"not a key".to_vec()].into(),
        ..ServiceConfig::default()
    };
    let service = Service::open(None, config).unwrap();
    let refused = call(&service, "CreateUserPool", json!({ "PoolName": "p" })).unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InternalError, "{refused:?}");
}

/// Only calls that may wait on a disk or a trigger, or generate keys, leave the
/// worker that read the request.
#[test]
fn calls_that_may_block_are_told_apart() {
    use crate::triggers::TriggerTarget;
    let in_memory = Service::open(None, ServiceConfig::default()).unwrap();
    assert!(!in_memory.may_block("InitiateAuth"));
    assert!(!in_memory.may_block("RespondToAuthChallenge"));
    assert!(in_memory.may_block("CreateUserPool"));

    let with_table = |target: TriggerTarget| {
        let config = ServiceConfig {
            triggers: [("trigger".to_owned(), target)].into_iter().collect(),
            ..ServiceConfig::default()
        };
        Service::open(None, config).unwrap()
    };
    assert!(!with_table(TriggerTarget::Builtin).may_block("InitiateAuth"));
    let command = TriggerTarget::Command {
        argv: vec!["true".to_owned()],
        dir: None,
    };
    assert!(with_table(command).may_block("InitiateAuth"));
    let url = TriggerTarget::Url("http://127.0.0.1:9/".to_owned());
    assert!(with_table(url).may_block("InitiateAuth"));

    let dir = tempfile::tempdir().unwrap();
    let on_disk = Service::open(Some(&dir.path().join("db")), ServiceConfig::default()).unwrap();
    assert!(on_disk.may_block("InitiateAuth"));
}
