//! Every field of every entry in the Cognito SRP test vectors
//! (`tests/data/cognito-srp-vectors.json`), read at run time. The vectors were
//! generated server-side and cross-checked by independent clients (Amplify v5/v6,
//! pycognito), so none of the expected values comes from this crate.
//!
//! `COGNITO_SRP_VECTORS` may name another file of the same schema; it must have
//! every section, and at least the entries and tags the data README states
//! (see `common/mod.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cognito_auth_srp::{
    AppClient, ClientPublic, DeviceSrpClient, Error, FixedClock, PasswordClaim, PasswordVerifier,
    PoolId, ServerChallenge, UserSrpClient, WireInt, format_timestamp, group, hazmat, hex_minimal,
    pad_unsigned, parse_timestamp, register_device_with, secret_hash,
};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use sha2::Sha256;

use common::{app_client, hex, opt, s, string_map, unhex, unix_seconds, vectors};

/// The HKDF of the file's constants, computed here from its stated info and length
/// (PRK = HMAC(pad(u), pad(S)); key = HMAC(PRK, info)[..length]).
fn reference_hkdf(constants: &Value, u_padded: &[u8], s_padded: &[u8]) -> Vec<u8> {
    let info = s(constants, "hkdf_info").replace("\\x01", "\u{1}");
    let length = constants["hkdf_length"].as_u64().unwrap() as usize;
    let mut extract = <Hmac<Sha256> as Mac>::new_from_slice(u_padded).unwrap();
    extract.update(s_padded);
    let prk = extract.finalize().into_bytes();
    let mut expand = <Hmac<Sha256> as Mac>::new_from_slice(&prk).unwrap();
    expand.update(info.as_bytes());
    expand.finalize().into_bytes()[..length].to_vec()
}

/// The `shapes` block: how each value looks in hex.
fn check_shapes(id: &str, vector: &Value) {
    let Some(shapes) = vector.get("shapes").and_then(Value::as_object) else {
        return;
    };
    let expected = &vector["expected"];
    for (name, tags) in shapes {
        let (minimal, full_width) = match name.as_str() {
            "A" => (s(expected, "A").to_owned(), 384),
            "B" => (
                WireInt::parse_hex("SRP_B", s(&vector["challenge_parameters"], "SRP_B"))
                    .unwrap()
                    .to_hex(),
                384,
            ),
            "S" => (s(expected, "S").to_owned(), 384),
            "u" => (s(expected, "u").to_owned(), 32),
            "salt" => (
                WireInt::parse_hex("SALT", s(&vector["server"], "salt"))
                    .unwrap()
                    .to_hex()
                    .trim_start_matches('-')
                    .to_owned(),
                16,
            ),
            other => panic!("{id}: unknown shape subject {other}"),
        };
        for tag in tags.as_array().unwrap() {
            let first = u8::from_str_radix(&minimal[..1], 16).unwrap();
            let even = minimal.len() % 2 == 0;
            let holds = match tag.as_str().unwrap() {
                "highbit" => even && first >= 8,
                "odd" => !even,
                "lowbit" => even && (1..8).contains(&first),
                "zerobyte" => minimal.len().div_ceil(2) < full_width,
                other => panic!("{id}: unknown shape {other}"),
            };
            assert!(holds, "{id}: {name} ({minimal}) is not {tag}");
        }
    }
}

#[test]
fn constants() {
    let constants = vectors().constants();
    assert_eq!(s(constants, "N"), group::N_HEX);
    assert_eq!(hex(&group::n_bytes()), group::N_HEX);
    assert_eq!(s(constants, "g"), group::G.to_string());
    assert_eq!(s(constants, "k"), hex(&group::k()));
    assert_eq!(constants["hkdf_length"].as_u64(), Some(16));
    assert!(s(constants, "hkdf_info").starts_with("Caldera Derived Key"));
}

#[test]
fn user_srp() {
    let vectors = vectors();
    let entries = vectors.section("user_srp");
    let constants = vectors.constants();
    for vector in entries {
        let id = s(vector, "id");
        let expected = &vector["expected"];
        let params = string_map(&vector["challenge_parameters"]);
        let pool = PoolId::parse(s(vector, "pool_id")).unwrap();
        assert_eq!(pool.name(), s(vector, "pool_name"), "{id}: pool name");
        let password = SecretString::from(s(vector, "password"));
        let device_key = opt(vector, "device_key");
        let clock = FixedClock(unix_seconds(s(vector, "timestamp_utc")));

        let client = UserSrpClient::with_ephemeral_secret(
            pool.clone(),
            app_client(vector),
            &unhex(s(vector, "a")),
        )
        .unwrap();
        assert_eq!(client.srp_a(), s(expected, "A"), "{id}: A");
        assert_eq!(
            client.initiate_auth_parameters(s(vector, "username"), device_key),
            string_map(&expected["initiate_auth_parameters"]),
            "{id}: InitiateAuth parameters"
        );

        let t = client.claim_transcript(&params, &password, &clock).unwrap();
        assert_eq!(hex(&t.a_padded), s(expected, "A_padded"), "{id}: A_padded");
        assert_eq!(hex(&t.b_padded), s(expected, "B_padded"), "{id}: B_padded");
        assert_eq!(hex_minimal(&t.u), s(expected, "u"), "{id}: u");
        assert_eq!(
            hex(&pad_unsigned(&t.u)),
            s(expected, "u_padded"),
            "{id}: u_padded"
        );
        assert_eq!(
            hex(t.identity_hash.as_ref()),
            s(expected, "identity_hash"),
            "{id}: identity_hash"
        );
        assert_eq!(
            hex(&t.salt_padded),
            s(expected, "salt_padded"),
            "{id}: salt_padded"
        );
        assert_eq!(hex_minimal(t.x.as_ref()), s(expected, "x"), "{id}: x");
        assert_eq!(
            hex_minimal(&t.premaster_padded),
            s(expected, "S"),
            "{id}: S"
        );
        assert_eq!(
            hex(&t.premaster_padded),
            s(expected, "S_padded"),
            "{id}: S_padded"
        );
        assert_eq!(
            hex(t.key.as_ref()),
            s(expected, "hkdf_key"),
            "{id}: hkdf_key"
        );
        assert_eq!(
            reference_hkdf(constants, &pad_unsigned(&t.u), &t.premaster_padded),
            t.key.to_vec(),
            "{id}: HKDF per the file's constants"
        );
        assert_eq!(
            hex(&t.message),
            s(expected, "signature_message"),
            "{id}: message"
        );
        assert_eq!(t.timestamp, s(expected, "timestamp"), "{id}: timestamp");
        assert_eq!(
            STANDARD.encode(t.signature),
            s(expected, "password_claim_signature"),
            "{id}: signature"
        );

        let responses = client
            .password_verifier_responses(&params, &password, device_key, &clock)
            .unwrap();
        assert_eq!(
            responses,
            string_map(&expected["challenge_responses"]),
            "{id}: PASSWORD_VERIFIER responses"
        );

        // The server side, byte-exact from the recorded salt, verifier and b.
        let server = &vector["server"];
        let salt = WireInt::parse_hex("SALT", s(server, "salt")).unwrap();
        assert_eq!(
            salt,
            WireInt::parse_hex("SALT", &params["SALT"]).unwrap(),
            "{id}: server salt is the wire SALT"
        );
        let verifier = PasswordVerifier::for_user_with_salt(
            &pool,
            &params["USER_ID_FOR_SRP"],
            &password,
            salt,
        );
        assert_eq!(
            hex(&verifier.verifier_bytes()),
            s(server, "verifier"),
            "{id}: verifier"
        );
        let srp_a = ClientPublic::parse(&client.srp_a()).unwrap();
        let challenge =
            ServerChallenge::with_secret(&verifier, srp_a, &unhex(s(server, "b"))).unwrap();
        assert_eq!(
            WireInt::parse_hex("SRP_B", &challenge.srp_b()).unwrap(),
            WireInt::parse_hex("SRP_B", &params["SRP_B"]).unwrap(),
            "{id}: server B"
        );
        let server_s = challenge.premaster_padded().unwrap();
        assert_eq!(hex(&server_s), s(expected, "S_padded"), "{id}: server S");
        // The same login from a stored verifier that keeps its powers.
        let mut kept = verifier.clone();
        kept.precompute();
        let stored = verifier
            .clone()
            .with_precomputed_bytes(&kept.precomputed_bytes().unwrap())
            .unwrap();
        let srp_a = ClientPublic::parse(&client.srp_a()).unwrap();
        let with_powers =
            ServerChallenge::with_secret(&stored, srp_a, &unhex(s(server, "b"))).unwrap();
        assert_eq!(
            hex(&with_powers.premaster_padded().unwrap()),
            s(expected, "S_padded"),
            "{id}: server S with the verifier's powers kept"
        );
        assert_eq!(
            expected["server_S_equals_client_S"].as_bool(),
            Some(*server_s == *t.premaster_padded),
            "{id}: server_S_equals_client_S"
        );
        let claim = PasswordClaim {
            secret_block: &responses["PASSWORD_CLAIM_SECRET_BLOCK"],
            timestamp: &responses["TIMESTAMP"],
            signature: &responses["PASSWORD_CLAIM_SIGNATURE"],
        };
        let signed_at = challenge
            .verify_user_claim(&pool, &params["USER_ID_FOR_SRP"], &claim)
            .unwrap();
        assert_eq!(signed_at.unix_seconds, clock.0, "{id}: claim time");

        check_shapes(id, vector);
    }
}

#[test]
fn confirm_device() {
    let vectors = vectors();
    let entries = vectors.section("confirm_device");
    for vector in entries {
        let id = s(vector, "id");
        let expected = &vector["expected"];
        let (group_key, device_key) = (s(vector, "device_group_key"), s(vector, "device_key"));
        let password_bytes: [u8; 40] = unhex(s(vector, "device_password_random_bytes"))
            .try_into()
            .unwrap();
        let salt_bytes: [u8; 16] = unhex(s(vector, "salt_random_bytes")).try_into().unwrap();
        let registration =
            register_device_with(group_key, device_key, &password_bytes, &salt_bytes);
        let password = registration
            .device
            .device_password()
            .expose_secret()
            .to_owned();
        assert_eq!(
            password,
            s(vector, "device_password"),
            "{id}: device password"
        );
        assert_eq!(registration.device.device_key(), device_key);
        assert_eq!(registration.device.device_group_key(), group_key);

        let config = &expected["DeviceSecretVerifierConfig"];
        assert_eq!(
            registration.verifier_config.password_verifier,
            s(config, "PasswordVerifier"),
            "{id}"
        );
        assert_eq!(registration.verifier_config.salt, s(config, "Salt"), "{id}");
        assert_eq!(
            hex(&STANDARD.decode(&registration.verifier_config.salt).unwrap()),
            s(expected, "salt_padded"),
            "{id}: salt_padded"
        );
        let verifier_padded = STANDARD
            .decode(&registration.verifier_config.password_verifier)
            .unwrap();
        assert_eq!(
            hex(&verifier_padded),
            s(expected, "verifier_padded"),
            "{id}"
        );
        assert_eq!(
            hex_minimal(&verifier_padded),
            s(expected, "verifier"),
            "{id}: verifier"
        );

        let identity_hash = hazmat::identity_hash(group_key, device_key, password.as_bytes());
        assert_eq!(
            hex(identity_hash.as_ref()),
            s(expected, "identity_hash"),
            "{id}"
        );
        let salt = WireInt::from_unsigned_be(&salt_bytes);
        let x = hazmat::private_x(&salt, &identity_hash);
        assert_eq!(hex_minimal(x.as_ref()), s(expected, "x"), "{id}: x");
        assert_eq!(hazmat::verifier(&x), verifier_padded, "{id}: g^x");
    }
}

#[test]
fn device_srp() {
    let vectors = vectors();
    let entries = vectors.section("device_srp");
    let confirms = vectors.section("confirm_device");
    for vector in entries {
        let id = s(vector, "id");
        let expected = &vector["expected"];
        let params = string_map(&vector["challenge_parameters"]);
        let clock = FixedClock(unix_seconds(s(vector, "timestamp_utc")));
        let (group_key, device_key) = (s(vector, "device_group_key"), s(vector, "device_key"));

        let confirm = confirms
            .iter()
            .find(|c| s(c, "id") == s(vector, "confirm_vector"))
            .unwrap_or_else(|| {
                panic!(
                    "{id}: confirm vector {} missing",
                    s(vector, "confirm_vector")
                )
            });
        let registration = register_device_with(
            s(confirm, "device_group_key"),
            s(confirm, "device_key"),
            &unhex(s(confirm, "device_password_random_bytes"))
                .try_into()
                .unwrap(),
            &unhex(s(confirm, "salt_random_bytes")).try_into().unwrap(),
        );
        assert_eq!(
            registration.device.device_password().expose_secret(),
            s(vector, "device_password"),
            "{id}: chained device password"
        );
        assert_eq!(registration.device.device_key(), device_key);
        assert_eq!(registration.device.device_group_key(), group_key);

        let client = DeviceSrpClient::with_ephemeral_secret(
            app_client(vector),
            registration.device.clone(),
            &unhex(s(vector, "a")),
        )
        .unwrap();
        assert_eq!(client.srp_a(), s(expected, "A"), "{id}: A");
        assert_eq!(
            client.device_srp_auth_responses(s(vector, "username")),
            string_map(&expected["device_srp_auth_responses"]),
            "{id}: DEVICE_SRP_AUTH responses"
        );

        let t = client.claim_transcript(&params, &clock).unwrap();
        assert_eq!(hex(&t.a_padded), s(expected, "A_padded"), "{id}");
        assert_eq!(hex(&t.b_padded), s(expected, "B_padded"), "{id}");
        assert_eq!(hex_minimal(&t.u), s(expected, "u"), "{id}");
        assert_eq!(hex(&pad_unsigned(&t.u)), s(expected, "u_padded"), "{id}");
        assert_eq!(
            hex(t.identity_hash.as_ref()),
            s(expected, "identity_hash"),
            "{id}"
        );
        assert_eq!(hex(&t.salt_padded), s(expected, "salt_padded"), "{id}");
        assert_eq!(hex_minimal(t.x.as_ref()), s(expected, "x"), "{id}");
        assert_eq!(hex_minimal(&t.premaster_padded), s(expected, "S"), "{id}");
        assert_eq!(hex(&t.premaster_padded), s(expected, "S_padded"), "{id}");
        assert_eq!(hex(t.key.as_ref()), s(expected, "hkdf_key"), "{id}");
        assert_eq!(hex(&t.message), s(expected, "signature_message"), "{id}");
        assert_eq!(t.timestamp, s(expected, "timestamp"), "{id}");
        assert_eq!(
            STANDARD.encode(t.signature),
            s(expected, "password_claim_signature"),
            "{id}"
        );
        let responses = client
            .device_password_verifier_responses(&params, s(vector, "username"), &clock)
            .unwrap();
        assert_eq!(
            responses,
            string_map(&expected["challenge_responses"]),
            "{id}: DEVICE_PASSWORD_VERIFIER responses"
        );

        // The server holds what ConfirmDevice uploaded.
        let server = &vector["server"];
        let verifier = PasswordVerifier::from_device_config(&registration.verifier_config).unwrap();
        assert_eq!(
            hex(&verifier.verifier_bytes()),
            s(server, "verifier"),
            "{id}"
        );
        assert_eq!(
            verifier.salt(),
            &WireInt::parse_hex("SALT", s(server, "salt")).unwrap(),
            "{id}: stored salt"
        );
        let srp_a = ClientPublic::parse(&client.srp_a()).unwrap();
        let challenge =
            ServerChallenge::with_secret(&verifier, srp_a, &unhex(s(server, "b"))).unwrap();
        assert_eq!(
            challenge.salt(),
            WireInt::parse_hex("SALT", &params["SALT"])
                .unwrap()
                .to_hex()
        );
        assert_eq!(
            WireInt::parse_hex("SRP_B", &challenge.srp_b()).unwrap(),
            WireInt::parse_hex("SRP_B", &params["SRP_B"]).unwrap(),
            "{id}: server B"
        );
        let server_s = challenge.premaster_padded().unwrap();
        assert_eq!(
            expected["server_S_equals_client_S"].as_bool(),
            Some(*server_s == *t.premaster_padded),
            "{id}"
        );
        let claim = PasswordClaim {
            secret_block: &responses["PASSWORD_CLAIM_SECRET_BLOCK"],
            timestamp: &responses["TIMESTAMP"],
            signature: &responses["PASSWORD_CLAIM_SIGNATURE"],
        };
        challenge
            .verify_device_claim(group_key, device_key, &claim)
            .unwrap();
        assert_eq!(
            params["DEVICE_KEY"], device_key,
            "{id}: challenge DEVICE_KEY"
        );
    }
}

#[test]
fn timestamps() {
    let vectors = vectors();
    let entries = vectors.section("timestamps");
    for vector in entries {
        let epoch_ms = vector["epoch_ms"].as_i64().unwrap();
        assert_eq!(epoch_ms % 1000, 0);
        let seconds = epoch_ms / 1000;
        assert_eq!(unix_seconds(s(vector, "utc")), seconds);
        let text = s(vector, "timestamp");
        assert_eq!(format_timestamp(seconds).unwrap(), text);
        let parsed = parse_timestamp(text).unwrap();
        assert_eq!(parsed.unix_seconds, seconds, "{text}");
        assert_eq!(parsed.canonical, text);
    }
}

#[test]
fn secret_hashes() {
    let vectors = vectors();
    let entries = vectors.section("secret_hash");
    for vector in entries {
        let (username, client_id, secret) = (
            s(vector, "username"),
            s(vector, "client_id"),
            s(vector, "client_secret"),
        );
        assert_eq!(
            secret_hash(username, client_id, secret),
            s(vector, "secret_hash")
        );
        let client = AppClient::with_secret(client_id, SecretString::from(secret));
        assert_eq!(
            client.secret_hash(username).as_deref(),
            Some(s(vector, "secret_hash"))
        );
    }
}

#[test]
fn pad_hex() {
    let vectors = vectors();
    let entries = vectors.section("pad_hex");
    for vector in entries {
        let value = WireInt::parse_hex("value", s(vector, "value")).unwrap();
        assert_eq!(
            hex(&value.pad()),
            s(vector, "padded"),
            "pad({})",
            s(vector, "value")
        );
        if !value.is_negative() {
            assert_eq!(hex(&pad_unsigned(value.magnitude())), s(vector, "padded"));
        }
    }
}

#[test]
fn negative() {
    let vectors = vectors();
    let entries = vectors.section("negative");
    let users = vectors.section("user_srp");
    for vector in entries {
        let id = s(vector, "id");
        let base = users
            .iter()
            .find(|user| s(user, "id") == s(vector, "based_on"))
            .unwrap_or_else(|| panic!("{id}: base vector missing"));
        let mut params = string_map(&base["challenge_parameters"]);
        let overrides = string_map(&vector["challenge_parameters_override"]);
        assert_eq!(overrides.len(), 1, "{id}: one field overridden");
        let field: &'static str = match overrides.keys().next().map(String::as_str) {
            Some("SALT") => "SALT",
            Some("SRP_B") => "SRP_B",
            Some("SECRET_BLOCK") => "SECRET_BLOCK",
            other => panic!("{id}: unexpected override {other:?}"),
        };
        params.extend(overrides);
        let client = UserSrpClient::with_ephemeral_secret(
            PoolId::parse(s(base, "pool_id")).unwrap(),
            app_client(base),
            &unhex(s(base, "a")),
        )
        .unwrap();
        let result = client.password_verifier_responses(
            &params,
            &SecretString::from(s(base, "password")),
            None,
            &FixedClock(0),
        );
        let want = match s(vector, "expected_error") {
            "B mod N == 0" => Error::IllegalServerValue,
            "invalid hex" => Error::InvalidHex { field },
            "invalid base64" => Error::InvalidBase64 { field },
            other => panic!("{id}: unknown expected_error {other:?}"),
        };
        assert_eq!(result, Err(want), "{id}");
    }
}
