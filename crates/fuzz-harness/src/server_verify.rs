//! The server side on arbitrary claims: `ClientPublic::parse`, a login bound to
//! any SRP_A, `ServerChallenge::verify_user_claim` and `verify_device_claim` never
//! panic; a valid claim built from the input (user and device) verifies, and the
//! same claim with a wrong password does not.
//!
//! Input lines: pool id, USER_ID_FOR_SRP, password, salt (hex), b (hex), a (hex),
//! secret block (hex), clock seconds, then an arbitrary claim: SRP_A,
//! PASSWORD_CLAIM_SECRET_BLOCK, TIMESTAMP, PASSWORD_CLAIM_SIGNATURE, then device
//! group key, device key, device randomness (hex).

use crate::support::{lax_hex, line, lines};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use cognito_auth_srp::{
    AppClient, ClientPublic, DeviceSrpClient, Error, FixedClock, PasswordClaim, PasswordVerifier,
    PoolId, ServerChallenge, UserSrpClient, WireInt, register_device_with,
};
use secrecy::SecretString;

/// The longest integer a client accepts from the wire (SALT, SRP_B): 385 bytes.
const MAX_WIRE_INT_BYTES: usize = 385;

/// Errors a client may rightly return for a challenge our own server made.
fn acceptable_client_error(error: &Error, salt: &[u8]) -> bool {
    // ClockOutOfRange: the fuzzed clock is outside years 1–9999. A server-side
    // salt may be any length, but the client refuses a SALT longer than the wire
    // allows. The last two need B mod N == 0 or SHA-256 == 0: never seen, but not
    // our server's bug.
    let significant = salt.iter().skip_while(|b| **b == 0).count();
    match error {
        Error::TooLong { field: "SALT" } => significant > MAX_WIRE_INT_BYTES,
        _ => matches!(
            error,
            Error::ClockOutOfRange | Error::IllegalServerValue | Error::IllegalScrambler
        ),
    }
}

/// Runs one fuzz input; panics on a finding.
pub fn run(data: &[u8]) {
    let lines = lines(data);
    let get = |i: usize| line(&lines, i);
    let pool = get(0)
        .and_then(|id| PoolId::parse(id).ok())
        .unwrap_or_else(|| PoolId::parse("us-east-1_AbCdEf123").expect("valid pool id"));
    let user = get(1).unwrap_or("alice");
    let password = get(2).unwrap_or("Password1!");
    let salt = lax_hex(get(3).unwrap_or(""));
    let b = lax_hex(get(4).unwrap_or("01"));
    let mut a = lax_hex(get(5).unwrap_or("01"));
    if a.is_empty() {
        a.push(1);
    }
    let secret_block = BASE64.encode(lax_hex(get(6).unwrap_or("")));
    let clock = get(7)
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or(1_739_212_212);

    let verifier = PasswordVerifier::for_user_with_salt(
        &pool,
        user,
        &SecretString::from(password.to_owned()),
        WireInt::from_unsigned_be(&salt),
    );

    // Arbitrary claims: any verdict, no panic.
    if let (Some(srp_a), Some(block), Some(timestamp), Some(signature)) =
        (get(8), get(9), get(10), get(11))
        && let Ok(client_public) = ClientPublic::parse(srp_a)
        && let Ok(server) = ServerChallenge::with_secret(&verifier, client_public, &b)
    {
        let claim = PasswordClaim {
            secret_block: block,
            timestamp,
            signature,
        };
        let _ = server.verify_user_claim(&pool, user, &claim);
        let _ = server.verify_device_claim(get(12).unwrap_or(""), get(13).unwrap_or(""), &claim);
        let _ = server.premaster_padded();
    }

    // A valid claim verifies, with the instant it was made at.
    let Ok(client) =
        UserSrpClient::with_ephemeral_secret(pool.clone(), AppClient::new("client"), &a)
    else {
        assert!(a.len() > 128, "a of at most 128 bytes must be accepted");
        return;
    };
    let client_public = ClientPublic::parse(&client.srp_a()).expect("our own SRP_A parses");
    let server = match ServerChallenge::with_secret(&verifier, client_public, &b) {
        Ok(server) => server,
        Err(_) => {
            assert!(b.len() > 128, "b of at most 128 bytes must be accepted");
            return;
        }
    };
    let (salt_hex, srp_b) = (server.salt(), server.srp_b());
    let params = [
        ("SALT", salt_hex.as_str()),
        ("SRP_B", srp_b.as_str()),
        ("SECRET_BLOCK", secret_block.as_str()),
        ("USER_ID_FOR_SRP", user),
    ];
    let right = SecretString::from(password.to_owned());
    match client.password_verifier_responses(&params[..], &right, None, &FixedClock(clock)) {
        Ok(responses) => {
            let claim = PasswordClaim {
                secret_block: &responses["PASSWORD_CLAIM_SECRET_BLOCK"],
                timestamp: &responses["TIMESTAMP"],
                signature: &responses["PASSWORD_CLAIM_SIGNATURE"],
            };
            match server.verify_user_claim(&pool, user, &claim) {
                Ok(signed_at) => assert_eq!(signed_at.unix_seconds, clock),
                Err(error) => panic!("a valid claim was refused: {error:?}"),
            }
            // The same exchange with a wrong password must fail.
            let wrong = SecretString::from(format!("{password}x"));
            let responses = client
                .password_verifier_responses(&params[..], &wrong, None, &FixedClock(clock))
                .expect("the same challenge with another password");
            let claim = PasswordClaim {
                signature: &responses["PASSWORD_CLAIM_SIGNATURE"],
                ..claim
            };
            assert_eq!(
                server.verify_user_claim(&pool, user, &claim),
                Err(Error::SignatureMismatch),
                "a wrong password was accepted"
            );
        }
        Err(error) => assert!(acceptable_client_error(&error, &salt), "{error:?}"),
    }

    // The device flow: register, verify a DEVICE_PASSWORD_VERIFIER claim.
    let (Some(group), Some(key)) = (get(12), get(13)) else {
        return;
    };
    let randomness = lax_hex(get(14).unwrap_or(""));
    let mut password_bytes = [0u8; 40];
    let mut salt_bytes = [0u8; 16];
    for (i, byte) in randomness.iter().enumerate().take(56) {
        if i < 40 {
            password_bytes[i] = *byte;
        } else {
            salt_bytes[i - 40] = *byte;
        }
    }
    let registration = register_device_with(group, key, &password_bytes, &salt_bytes);
    let verifier = PasswordVerifier::from_device_config(&registration.verifier_config)
        .expect("our own DeviceSecretVerifierConfig parses");
    let client = DeviceSrpClient::with_ephemeral_secret(
        AppClient::new("client"),
        registration.device.clone(),
        &a,
    )
    .expect("a fits, as above");
    let client_public = ClientPublic::parse(&client.srp_a()).expect("our own SRP_A parses");
    let server =
        ServerChallenge::with_secret(&verifier, client_public, &b).expect("b fits, as above");
    let (salt_hex, srp_b) = (server.salt(), server.srp_b());
    let params = [
        ("SALT", salt_hex.as_str()),
        ("SRP_B", srp_b.as_str()),
        ("SECRET_BLOCK", secret_block.as_str()),
    ];
    match client.device_password_verifier_responses(&params[..], user, &FixedClock(clock)) {
        Ok(responses) => {
            let claim = PasswordClaim {
                secret_block: &responses["PASSWORD_CLAIM_SECRET_BLOCK"],
                timestamp: &responses["TIMESTAMP"],
                signature: &responses["PASSWORD_CLAIM_SIGNATURE"],
            };
            match server.verify_device_claim(group, key, &claim) {
                Ok(signed_at) => assert_eq!(signed_at.unix_seconds, clock),
                Err(error) => panic!("a valid device claim was refused: {error:?}"),
            }
        }
        Err(error) => assert!(acceptable_client_error(&error, &salt_bytes), "{error:?}"),
    }
}
