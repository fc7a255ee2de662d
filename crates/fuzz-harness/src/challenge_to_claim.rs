//! Arbitrary ChallengeParameters → PASSWORD_VERIFIER and DEVICE_PASSWORD_VERIFIER
//! responses: errors only, never a panic; a success is well formed.
//!
//! Input: lines SALT, SRP_B, SECRET_BLOCK, USERNAME, USER_ID_FOR_SRP (a line
//! starting with `~` leaves that parameter out; a missing line too), then
//! password, a (hex), clock seconds, pool id, device key, device group key.

use crate::support::{lax_hex, line, lines};
use cognito_auth_srp::{
    AppClient, DeviceSrpClient, FixedClock, PoolId, RememberedDevice, UserSrpClient,
    format_timestamp,
};
use secrecy::SecretString;

const NAMES: [&str; 5] = [
    "SALT",
    "SRP_B",
    "SECRET_BLOCK",
    "USERNAME",
    "USER_ID_FOR_SRP",
];

fn check_responses(responses: &cognito_auth_srp::Parameters, params: &[(&str, &str)], clock: i64) {
    let find = |name: &str| params.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
    assert_eq!(
        responses
            .get("PASSWORD_CLAIM_SECRET_BLOCK")
            .map(String::as_str),
        find("SECRET_BLOCK")
    );
    assert_eq!(
        responses.get("TIMESTAMP"),
        format_timestamp(clock).ok().as_ref()
    );
    let signature = &responses["PASSWORD_CLAIM_SIGNATURE"];
    assert_eq!(signature.len(), 44, "base64 of 32 bytes");
    assert!(responses.contains_key("USERNAME"));
}

/// Runs one fuzz input; panics on a finding.
pub fn run(data: &[u8]) {
    let lines = lines(data);
    let params: Vec<(&str, &str)> = NAMES
        .iter()
        .enumerate()
        .filter_map(|(i, name)| match line(&lines, i) {
            Some(value) if !value.starts_with('~') => Some((*name, value)),
            _ => None,
        })
        .collect();
    let password = SecretString::from(line(&lines, 5).unwrap_or("Password1!").to_owned());
    let mut a = lax_hex(line(&lines, 6).unwrap_or("01"));
    if a.is_empty() {
        a.push(1);
    }
    let clock = line(&lines, 7)
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or(1_739_212_212);
    let pool = line(&lines, 8)
        .and_then(|id| PoolId::parse(id).ok())
        .unwrap_or_else(|| PoolId::parse("us-east-1_AbCdEf123").expect("valid pool id"));
    let device_key = line(&lines, 9);
    let device_group_key = line(&lines, 10).unwrap_or("-ZhUnQ0bW");
    let app = if clock % 2 == 0 {
        AppClient::new("3n4b5urk1ft4fl3mg5e62d9ado")
    } else {
        AppClient::with_secret("client", SecretString::from("secret".to_owned()))
    };

    match UserSrpClient::with_ephemeral_secret(pool.clone(), app.clone(), &a) {
        Ok(client) => {
            let _ = client.initiate_auth_parameters("alice", device_key);
            if let Ok(responses) = client.password_verifier_responses(
                &params[..],
                &password,
                device_key,
                &FixedClock(clock),
            ) {
                check_responses(&responses, &params, clock);
            }
        }
        Err(_) => assert!(a.len() > 128, "a of at most 128 bytes must be accepted"),
    }

    let device = RememberedDevice::new(
        device_key.unwrap_or("eu-west-1_11111111-2222-3333-4444-555555555555"),
        device_group_key,
        password.clone(),
    );
    if let Ok(client) = DeviceSrpClient::with_ephemeral_secret(app, device, &a) {
        let _ = client.device_srp_auth_responses("alice");
        if let Ok(responses) =
            client.device_password_verifier_responses(&params[..], "alice", &FixedClock(clock))
        {
            check_responses(&responses, &params, clock);
        }
        let _ = client.claim_transcript(&params[..], &FixedClock(clock));
    }
}
