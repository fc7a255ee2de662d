//! One test per real-world bug in §11 of the Cognito SRP protocol notes
//! (`shared/docs/cognito-srp-protocol.md` beside the repository), named after it.
//! Inputs come from the test vectors (`tests/data/`, or `COGNITO_SRP_VECTORS`)
//! where one fits.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cognito_auth_srp::{
    ClientPublic, Error, FixedClock, PasswordClaim, PasswordVerifier, PoolId, ServerChallenge,
    UserSrpClient, WireInt, format_timestamp, group, hazmat, parse_timestamp, register_device,
    register_device_with, secret_hash,
};
use hmac::{Hmac, Mac};
use num_bigint::{BigInt, BigUint};
use secrecy::SecretString;
use serde_json::Value;
use sha2::{Digest, Sha256};

use common::{app_client, hex, s, string_map, unhex, unix_seconds as unix, vectors};

/// A user vector replayed: the client, its responses, and the server that issued
/// the challenge.
struct Replay {
    pool: PoolId,
    client: UserSrpClient,
    params: BTreeMap<String, String>,
    responses: BTreeMap<String, String>,
    server: ServerChallenge,
    key: [u8; 16],
    /// The vector's clock: the instant a valid claim was signed at.
    signed_at: i64,
}

fn replay(v: &Value) -> Replay {
    let pool = PoolId::parse(s(v, "pool_id")).unwrap();
    let client =
        UserSrpClient::with_ephemeral_secret(pool.clone(), app_client(v), &unhex(s(v, "a")))
            .unwrap();
    let params = string_map(&v["challenge_parameters"]);
    let password = SecretString::from(s(v, "password"));
    let clock = FixedClock(unix(s(v, "timestamp_utc")));
    let responses = client
        .password_verifier_responses(&params, &password, v["device_key"].as_str(), &clock)
        .unwrap();
    let key = *client
        .claim_transcript(&params, &password, &clock)
        .unwrap()
        .key;
    let salt = WireInt::parse_hex("SALT", s(&v["server"], "salt")).unwrap();
    let verifier =
        PasswordVerifier::for_user_with_salt(&pool, &params["USER_ID_FOR_SRP"], &password, salt);
    let srp_a = ClientPublic::parse(&client.srp_a()).unwrap();
    let server =
        ServerChallenge::with_secret(&verifier, srp_a, &unhex(s(&v["server"], "b"))).unwrap();
    Replay {
        pool,
        client,
        params,
        responses,
        server,
        key,
        signed_at: clock.0,
    }
}

impl Replay {
    /// Signs the claim again over another TIMESTAMP string, as a buggy client would.
    fn signature_over(&self, timestamp: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key).unwrap();
        mac.update(self.pool.name().as_bytes());
        mac.update(self.params["USER_ID_FOR_SRP"].as_bytes());
        mac.update(&STANDARD.decode(&self.params["SECRET_BLOCK"]).unwrap());
        mac.update(timestamp.as_bytes());
        STANDARD.encode(mac.finalize().into_bytes())
    }

    fn server_verdict(&self, timestamp: &str, signature: &str) -> Result<i64, Error> {
        let claim = PasswordClaim {
            secret_block: &self.params["SECRET_BLOCK"],
            timestamp,
            signature,
        };
        self.server
            .verify_user_claim(&self.pool, &self.params["USER_ID_FOR_SRP"], &claim)
            .map(|t| t.unix_seconds)
    }
}

/// §11.1, qwigo/warrant PR #12: "Wed Apr 05" instead of "Wed Apr 5".
#[test]
fn zero_padded_day_in_timestamp() {
    let doc = vectors();
    // 2017-04-05T22:42:34Z, the instant of the original report.
    assert_eq!(
        format_timestamp(1_491_432_154).unwrap(),
        "Wed Apr 5 22:42:34 UTC 2017"
    );
    for id in ["user-035", "user-036"] {
        let r = replay(doc.entry("user_srp", id));
        let sent = &r.responses["TIMESTAMP"];
        assert!(
            !sent.split(' ').nth(2).unwrap().starts_with('0'),
            "{id}: {sent}"
        );
        assert_eq!(
            r.server_verdict(sent, &r.responses["PASSWORD_CLAIM_SIGNATURE"]),
            Ok(r.signed_at),
            "{id}: the server's verdict is the vector's instant"
        );
        // A client that pads the day signs a string Cognito does not: NotAuthorized,
        // not InvalidParameter.
        let mut fields: Vec<String> = sent.split(' ').map(str::to_owned).collect();
        fields[2] = format!("{:0>2}", fields[2]);
        let padded = fields.join(" ");
        assert_ne!(&padded, sent);
        assert_eq!(
            r.server_verdict(&padded, &r.signature_over(&padded)),
            Err(Error::SignatureMismatch),
            "{id}"
        );
    }
}

/// §11.2, pycognito #122, warrant #55 and #103, soto PR #45, amazon-cognito-identity-js
/// #683: locale-dependent names, `%e` padding and non-UTC zones.
#[test]
fn locale_dependent_timestamp_names() {
    // The crate never consults the process locale: every weekday and month comes
    // from fixed English tables.
    let mut weekdays = Vec::new();
    let mut months = Vec::new();
    for day in 0..7 {
        // 2024-01-01 was a Monday.
        let text = format_timestamp(1_704_067_200 + day * 86_400).unwrap();
        weekdays.push(text[..3].to_owned());
    }
    for month in 0..12 {
        let date =
            time::Date::from_calendar_date(2024, time::Month::January.nth_next(month), 15).unwrap();
        let seconds = date.midnight().assume_utc().unix_timestamp();
        months.push(format_timestamp(seconds).unwrap()[4..7].to_owned());
    }
    assert_eq!(weekdays, ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]);
    assert_eq!(
        months,
        [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
        ]
    );
    for bad in [
        "Mo Feb 10 18:30:12 UTC 2025",     // German weekday
        "lun. févr. 10 18:30:12 UTC 2025", // French
        "Mon Feb  3 18:30:12 UTC 2025",    // %e space padding
        "Mon Feb 10 18:30:12 IST 2025",    // non-UTC zone
        "Mon Feb 10 18:30:12 +05:30 2025", // offset instead of zone
        "Mon Feb 10 06:30:12 PM UTC 2025", // 12-hour clock with marker
    ] {
        assert_eq!(parse_timestamp(bad), Err(Error::InvalidTimestamp), "{bad}");
    }
}

/// §11.3, alexrudd/cognito-srp #7, warrant #74, aws-sdk-android #889: SECRET_HASH in
/// the PASSWORD_VERIFIER response must be over the internal USERNAME, not the alias.
#[test]
fn secret_hash_over_wrong_username_on_alias_login() {
    let doc = vectors();
    let v = doc.entry("user_srp", "user-054");
    let r = replay(v);
    let typed = s(v, "username");
    let internal = &r.params["USERNAME"];
    assert_ne!(typed, internal);
    let (client_id, secret) = (s(v, "client_id"), s(v, "client_secret"));
    assert_eq!(r.responses["USERNAME"], *internal);
    assert_eq!(
        r.responses["SECRET_HASH"],
        secret_hash(internal, client_id, secret)
    );
    assert_ne!(
        r.responses["SECRET_HASH"],
        secret_hash(typed, client_id, secret)
    );
    // InitiateAuth, on the other hand, hashes the typed name.
    let initiate = r.client.initiate_auth_parameters(typed, None);
    assert_eq!(
        initiate["SECRET_HASH"],
        secret_hash(typed, client_id, secret)
    );
}

/// §11.4, cognito-srp-helper #26: x must use USER_ID_FOR_SRP, not the typed email.
#[test]
fn typed_email_used_instead_of_user_id_for_srp() {
    let doc = vectors();
    let v = doc.entry("user_srp", "user-027");
    let r = replay(v);
    let pool = r.pool.name();
    let password = s(v, "password").as_bytes();
    let transcript = r
        .client
        .claim_transcript(
            &r.params,
            &SecretString::from(s(v, "password")),
            &FixedClock(unix(s(v, "timestamp_utc"))),
        )
        .unwrap();
    assert_eq!(
        *transcript.identity_hash,
        *hazmat::identity_hash(pool, &r.params["USER_ID_FOR_SRP"], password)
    );
    assert_ne!(
        *transcript.identity_hash,
        *hazmat::identity_hash(pool, s(v, "username"), password)
    );
    assert_eq!(
        r.server_verdict(
            &r.responses["TIMESTAMP"],
            &r.responses["PASSWORD_CLAIM_SIGNATURE"]
        ),
        Ok(r.signed_at),
        "the server's verdict is the vector's instant"
    );
}

/// §11.5, amplify-js #4430 and PR #7618: a SALT with a leading `-` is hashed as two's
/// complement, without crashing.
#[test]
fn negative_salt_from_cognito() {
    let doc = vectors();
    let v = doc.entry("user_srp", "user-053");
    let r = replay(v);
    assert!(r.params["SALT"].starts_with('-'));
    assert_eq!(
        r.responses,
        string_map(&v["expected"]["challenge_responses"])
    );
    assert_eq!(
        r.server_verdict(
            &r.responses["TIMESTAMP"],
            &r.responses["PASSWORD_CLAIM_SIGNATURE"]
        ),
        Ok(r.signed_at),
        "the server's verdict is the vector's instant"
    );
}

/// §11.6: B − k·g^x is negative for nearly every input; it must be reduced mod N
/// before the exponentiation.
#[test]
fn negative_intermediate_b_minus_kgx() {
    let doc = vectors();
    let v = doc.entry("user_srp", "user-001");
    let e = &v["expected"];
    let n = BigInt::parse_bytes(group::N_HEX.as_bytes(), 16).unwrap();
    let k = BigInt::from(BigUint::from_bytes_be(&group::k()));
    let b = BigInt::parse_bytes(s(&v["challenge_parameters"], "SRP_B").as_bytes(), 16).unwrap();
    let x = BigInt::parse_bytes(s(e, "x").as_bytes(), 16).unwrap();
    let g_x = BigInt::from(2).modpow(&x, &n);
    let base = &b - &k * &g_x;
    assert!(base < BigInt::from(0), "the hazard holds for this vector");
    let r = replay(v);
    let transcript = r
        .client
        .claim_transcript(
            &r.params,
            &SecretString::from(s(v, "password")),
            &FixedClock(unix(s(v, "timestamp_utc"))),
        )
        .unwrap();
    assert_eq!(
        BigUint::from_bytes_be(&transcript.premaster_padded),
        BigUint::parse_bytes(s(e, "S").as_bytes(), 16).unwrap()
    );
}

/// §11.7, aws-sdk-net-extensions-cognito #73: the device verifier hashes DeviceKey,
/// not the username.
#[test]
fn device_verifier_hashes_device_key_not_username() {
    let doc = vectors();
    let v = doc.entry("confirm_device", "confirm-001");
    let group_key = s(v, "device_group_key");
    let registration = register_device_with(
        group_key,
        s(v, "device_key"),
        &unhex(s(v, "device_password_random_bytes"))
            .try_into()
            .unwrap(),
        &unhex(s(v, "salt_random_bytes")).try_into().unwrap(),
    );
    let config = &v["expected"]["DeviceSecretVerifierConfig"];
    assert_eq!(
        registration.verifier_config.password_verifier,
        s(config, "PasswordVerifier")
    );
    let password = s(v, "device_password").as_bytes();
    let salt = WireInt::from_unsigned_be(&unhex(s(v, "salt_random_bytes")));
    let with_username = hazmat::verifier(&hazmat::private_x(
        &salt,
        &hazmat::identity_hash(group_key, "alice", password),
    ));
    assert_ne!(
        STANDARD.encode(with_username),
        registration.verifier_config.password_verifier
    );
}

/// §11.8, aws-sdk-net-extensions-cognito PR #46: ConfirmDevice reads salt and
/// verifier as signed; a top bit set needs a `00` sign byte.
#[test]
fn negative_device_salt_and_verifier_are_sign_padded() {
    let doc = vectors();
    let v = doc.entry("confirm_device", "confirm-003");
    let registration = register_device_with(
        s(v, "device_group_key"),
        s(v, "device_key"),
        &unhex(s(v, "device_password_random_bytes"))
            .try_into()
            .unwrap(),
        &unhex(s(v, "salt_random_bytes")).try_into().unwrap(),
    );
    let salt = STANDARD.decode(&registration.verifier_config.salt).unwrap();
    assert!(unhex(s(v, "salt_random_bytes"))[0] >= 0x80);
    assert_eq!(salt[0], 0);
    for _ in 0..64 {
        let fresh = register_device("-group", "us-east-1_device").unwrap();
        let salt = STANDARD.decode(&fresh.verifier_config.salt).unwrap();
        let verifier = STANDARD
            .decode(&fresh.verifier_config.password_verifier)
            .unwrap();
        assert!(salt[0] < 0x80 && verifier[0] < 0x80);
        PasswordVerifier::from_device_config(&fresh.verifier_config).unwrap();
    }
    // And a server refuses a value that reads as negative, as Cognito does.
    assert_eq!(
        PasswordVerifier::from_signed_bytes(&[0x80, 1], &[1]).err(),
        Some(Error::Negative { field: "Salt" })
    );
}

/// §11.9, fakecloud PR #2389: k hashes N with its `00` sign byte and g unpadded.
#[test]
fn k_computed_without_sign_byte_on_n() {
    let n = group::n_bytes();
    let unsigned: [u8; 32] = Sha256::new()
        .chain_update(n)
        .chain_update([2])
        .finalize()
        .into();
    let mut g_wide = [0u8; 384];
    g_wide[383] = 2;
    let wide: [u8; 32] = Sha256::new()
        .chain_update(n)
        .chain_update(g_wide)
        .finalize()
        .into();
    let right: [u8; 32] = Sha256::new()
        .chain_update([0])
        .chain_update(n)
        .chain_update([2])
        .finalize()
        .into();
    assert_eq!(group::k(), right);
    assert_ne!(group::k(), unsigned);
    assert_ne!(group::k(), wide);
}

/// §11.10, floci PRs #358 and #912: the server signs with the pool *name*, a plain
/// HKDF, and the sign-padded k; it accepts genuine clients' claims.
#[test]
fn server_uses_pool_name_and_plain_hkdf() {
    let doc = vectors();
    for id in ["user-001", "user-046"] {
        let v = doc.entry("user_srp", id);
        let r = replay(v);
        let message_start = [s(v, "pool_name"), &r.params["USER_ID_FOR_SRP"]].concat();
        assert!(
            s(&v["expected"], "signature_message").starts_with(
                &message_start
                    .bytes()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            ),
            "{id}"
        );
        assert_eq!(hex(&r.key), s(&v["expected"], "hkdf_key"));
        assert_eq!(
            r.server_verdict(
                &r.responses["TIMESTAMP"],
                &r.responses["PASSWORD_CLAIM_SIGNATURE"]
            ),
            Ok(r.signed_at),
            "{id}: the server's verdict is the vector's instant"
        );
    }
}

/// §11.11, floci #1305: PASSWORD_VERIFIER must carry USERNAME; a client falls back
/// to USER_ID_FOR_SRP when it does not, and reports a missing USER_ID_FOR_SRP.
#[test]
fn missing_username_in_password_verifier_parameters() {
    let doc = vectors();
    let v = doc.entry("user_srp", "user-052");
    let r = replay(v);
    // Divergent names: USERNAME is sent, USER_ID_FOR_SRP is hashed.
    assert_eq!(r.responses["USERNAME"], r.params["USERNAME"]);
    let mut without_username = r.params.clone();
    without_username.remove("USERNAME");
    let password = SecretString::from(s(v, "password"));
    let clock = FixedClock(unix(s(v, "timestamp_utc")));
    let fallback = r
        .client
        .password_verifier_responses(&without_username, &password, None, &clock)
        .unwrap();
    assert_eq!(fallback["USERNAME"], r.params["USER_ID_FOR_SRP"]);
    let mut without_id = r.params.clone();
    without_id.remove("USER_ID_FOR_SRP");
    assert_eq!(
        r.client
            .password_verifier_responses(&without_id, &password, None, &clock)
            .err(),
        Some(Error::MissingParameter("USER_ID_FOR_SRP"))
    );
}

/// §11.12, amazon-cognito-identity-js PRs #204/#205: after "Device does not exist."
/// the client retries without DEVICE_KEY; the responses must then omit it (the
/// retry loop itself lives in cognito-auth-flows).
#[test]
fn forgotten_device_retry_omits_device_key() {
    let doc = vectors();
    let v = doc.entry("user_srp", "user-043");
    let r = replay(v);
    assert_eq!(r.responses["DEVICE_KEY"], s(v, "device_key"));
    let retry = r
        .client
        .password_verifier_responses(
            &r.params,
            &SecretString::from(s(v, "password")),
            None,
            &FixedClock(unix(s(v, "timestamp_utc"))),
        )
        .unwrap();
    assert!(!retry.contains_key("DEVICE_KEY"));
    assert!(
        !r.client
            .initiate_auth_parameters("alice", None)
            .contains_key("DEVICE_KEY")
    );
}

/// §11.13, alexrudd/cognito-srp's Go layout `03:04:05`: a 12-hour clock.
#[test]
fn go_12_hour_timestamp() {
    let doc = vectors();
    let v = doc.entry("user_srp", "user-037");
    let r = replay(v);
    let sent = &r.responses["TIMESTAMP"];
    let hour: u32 = sent.split(' ').nth(3).unwrap()[..2].parse().unwrap();
    let utc_hour: u32 = s(v, "timestamp_utc")[11..13].parse().unwrap();
    assert!(utc_hour >= 12, "user-037 is an afternoon vector");
    assert_eq!(hour, utc_hour, "{sent}");
    // 13:00 and midnight, the two hours a 12-hour layout gets wrong.
    assert_eq!(
        format_timestamp(1_720_098_000).unwrap(),
        "Thu Jul 4 13:00:00 UTC 2024"
    );
    assert_eq!(
        format_timestamp(1_704_067_200).unwrap(),
        "Mon Jan 1 00:00:00 UTC 2024"
    );
}
