//! Client and server agree for arbitrary pools, users, passwords, salts and
//! secrets, and the server refuses a claim when any one input changes.
//!
//! Every secret (a, b, passwords, salts) comes from proptest, so a failure
//! shrinks and replays.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cognito_auth_srp::{
    AppClient, ClientPublic, Error, FixedClock, PasswordClaim, PasswordVerifier, PoolId,
    ServerChallenge, UserSrpClient, WireInt, format_timestamp,
};
use proptest::prelude::*;
use proptest::sample::Index;
use secrecy::SecretString;

/// 2025-02-10T18:30:12Z
const NOW: i64 = 1_739_212_212;
const SECRET_BLOCK: &str = "c2VjcmV0LWJsb2NrLWJ5dGVz";

fn pool_id() -> impl Strategy<Value = PoolId> {
    ("[a-z]{2}-[a-z]{4,9}-[1-9]", "[A-Za-z0-9]{1,12}")
        .prop_map(|(region, name)| PoolId::parse(&format!("{region}_{name}")).unwrap())
}

/// The client's a: 128 bytes, as `UserSrpClient::new` draws it.
fn client_secret() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 128)
}

/// The server's b: 32 bytes, as `ServerChallenge::new` draws it.
fn server_secret() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 32)
}

/// The secrets of one sign-in.
#[derive(Debug, Clone)]
struct Secrets {
    a: Vec<u8>,
    b: Vec<u8>,
    salt: Vec<u8>,
    /// Whether the server keeps the verifier's powers (`PasswordVerifier::precompute`).
    precomputed: bool,
}

struct Login {
    pool: PoolId,
    user_id: String,
    client: UserSrpClient,
    verifier: PasswordVerifier,
    b: Vec<u8>,
    server: ServerChallenge,
    responses: cognito_auth_srp::Parameters,
}

fn login(pool: &PoolId, user_id: &str, password: &str, secrets: &Secrets) -> Login {
    let mut verifier = PasswordVerifier::for_user_with_salt(
        pool,
        user_id,
        &SecretString::from(password),
        WireInt::from_unsigned_be(&secrets.salt),
    );
    if secrets.precomputed {
        verifier.precompute();
    }
    let client =
        UserSrpClient::with_ephemeral_secret(pool.clone(), AppClient::new("client"), &secrets.a)
            .unwrap();
    let srp_a = ClientPublic::parse(&client.srp_a()).unwrap();
    let server = ServerChallenge::with_secret(&verifier, srp_a, &secrets.b).unwrap();
    let mut login = Login {
        pool: pool.clone(),
        user_id: user_id.to_owned(),
        client,
        verifier,
        b: secrets.b.clone(),
        server,
        responses: Default::default(),
    };
    login.responses = login.answer(&login.challenge(), password);
    login
}

impl Login {
    /// The PASSWORD_VERIFIER challenge parameters the server sends.
    fn challenge(&self) -> Vec<(&'static str, String)> {
        vec![
            ("SALT", self.server.salt()),
            ("SRP_B", self.server.srp_b()),
            ("SECRET_BLOCK", SECRET_BLOCK.to_owned()),
            ("USERNAME", self.user_id.clone()),
            ("USER_ID_FOR_SRP", self.user_id.clone()),
        ]
    }

    /// The client's responses to `challenge` with password `typed`.
    fn answer(
        &self,
        challenge: &[(&'static str, String)],
        typed: &str,
    ) -> cognito_auth_srp::Parameters {
        let params: Vec<(&str, &str)> = challenge.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.client
            .password_verifier_responses(
                &params[..],
                &SecretString::from(typed),
                None,
                &FixedClock(NOW),
            )
            .unwrap()
    }

    /// The server's verdict on a claim with these fields, for `pool` and `user_id`.
    fn verdict(
        &self,
        pool: &PoolId,
        user_id: &str,
        claim: &PasswordClaim<'_>,
    ) -> Result<i64, Error> {
        self.server
            .verify_user_claim(pool, user_id, claim)
            .map(|t| t.unix_seconds)
    }

    fn verify_as(
        &self,
        pool: &PoolId,
        user_id: &str,
        secret_block: &str,
        timestamp: &str,
    ) -> Result<i64, Error> {
        let claim = PasswordClaim {
            secret_block,
            timestamp,
            signature: &self.responses["PASSWORD_CLAIM_SIGNATURE"],
        };
        self.verdict(pool, user_id, &claim)
    }

    fn verify(&self) -> Result<i64, Error> {
        self.verify_as(
            &self.pool,
            &self.user_id,
            &self.responses["PASSWORD_CLAIM_SECRET_BLOCK"],
            &self.responses["TIMESTAMP"],
        )
    }

    /// The verdict on the valid claim with only SRP_A and the signature replaced:
    /// the server is bound to `srp_a` at its first step (with the same b, so the
    /// same SRP_B), as a server that received that A would be.
    fn verify_with(&self, srp_a: &str, signature: &str) -> Result<i64, Error> {
        let claim = PasswordClaim {
            secret_block: &self.responses["PASSWORD_CLAIM_SECRET_BLOCK"],
            timestamp: &self.responses["TIMESTAMP"],
            signature,
        };
        let server =
            ServerChallenge::with_secret(&self.verifier, ClientPublic::parse(srp_a)?, &self.b)?;
        server
            .verify_user_claim(&self.pool, &self.user_id, &claim)
            .map(|t| t.unix_seconds)
    }

    /// The verdict on the claim the client makes with `password` when the
    /// challenge it sees has `field` changed to `value` (the server still holds
    /// the original); no change when `field` is `None`.
    fn verify_answer(&self, change: Option<(&str, String)>, password: &str) -> Result<i64, Error> {
        let mut challenge = self.challenge();
        if let Some((field, value)) = change {
            let slot = challenge.iter_mut().find(|(k, _)| *k == field).unwrap();
            assert_ne!(slot.1, value, "{field} must change");
            slot.1 = value;
        }
        let responses = self.answer(&challenge, password);
        self.verify_with(&self.client.srp_a(), &responses["PASSWORD_CLAIM_SIGNATURE"])
    }
}

/// `hex` with the digit at `at` replaced by another one.
fn change_hex_digit(hex: &str, at: Index, by: u32) -> String {
    let at = at.index(hex.len());
    let digit = hex[at..=at].chars().next().unwrap().to_digit(16).unwrap();
    let other = char::from_digit((digit + by) % 16, 16).unwrap();
    format!("{}{other}{}", &hex[..at], &hex[at + 1..])
}

/// The base64 signature with one bit flipped.
fn flip_signature_bit(signature: &str, at: Index, bit: u8) -> String {
    let mut bytes = STANDARD.decode(signature).unwrap();
    let at = at.index(bytes.len());
    bytes[at] ^= 1 << bit;
    STANDARD.encode(bytes)
}

fn secrets(salt_len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Secrets> {
    (
        client_secret(),
        server_secret(),
        proptest::collection::vec(any::<u8>(), salt_len),
        any::<bool>(),
    )
        .prop_map(|(a, b, salt, precomputed)| Secrets {
            a,
            b,
            salt,
            precomputed,
        })
}

proptest! {
    // Each case is a whole sign-in (and the refusal test a dozen verdicts).
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn server_and_client_agree(
        pool in pool_id(),
        user_id in "\\PC{1,24}",
        password in "\\PC{0,40}",
        secrets in secrets(1..=17),
    ) {
        let login = login(&pool, &user_id, &password, &secrets);
        let server_s = login
            .server
            .premaster_padded()
            .unwrap();
        let client_s = login
            .client
            .claim_transcript(
                &[
                    ("SALT", login.server.salt().as_str()),
                    ("SRP_B", login.server.srp_b().as_str()),
                    ("SECRET_BLOCK", SECRET_BLOCK),
                    ("USER_ID_FOR_SRP", user_id.as_str()),
                ][..],
                &SecretString::from(password.clone()),
                &FixedClock(NOW),
            )
            .unwrap()
            .premaster_padded;
        prop_assert_eq!(&*server_s, &*client_s);
        prop_assert_eq!(login.verify(), Ok(NOW));
    }

    #[test]
    fn server_refuses_any_changed_input(
        pool in pool_id(),
        other_pool in pool_id(),
        user_id in "[a-z0-9@.+-]{1,20}",
        password in "\\PC{1,30}",
        secrets in secrets(16..=16),
        other_a in client_secret(),
        seconds in 1i64..86_400,
        at in any::<Index>(),
        by in 1u32..16,
        bit in 0u8..8,
    ) {
        prop_assume!(other_pool.name() != pool.name());
        prop_assume!(other_a != secrets.a);
        let right = login(&pool, &user_id, &password, &secrets);
        let (block, timestamp) = (
            right.responses["PASSWORD_CLAIM_SECRET_BLOCK"].clone(),
            right.responses["TIMESTAMP"].clone(),
        );
        let (srp_a, signature) = (
            right.client.srp_a(),
            right.responses["PASSWORD_CLAIM_SIGNATURE"].clone(),
        );
        prop_assert_eq!(right.verify(), Ok(NOW));

        // The password.
        prop_assert_eq!(
            right.verify_answer(None, &format!("{password}x")),
            Err(Error::SignatureMismatch)
        );

        // SRP_A: a digit of it, and another client's A with this client's signature.
        prop_assert_eq!(
            right.verify_with(&change_hex_digit(&srp_a, at, by), &signature),
            Err(Error::SignatureMismatch)
        );
        let other_client =
            UserSrpClient::with_ephemeral_secret(pool.clone(), AppClient::new("client"), &other_a)
                .unwrap();
        prop_assert_eq!(
            right.verify_with(&other_client.srp_a(), &signature),
            Err(Error::SignatureMismatch)
        );

        // SALT and SRP_B: the client answers a challenge the server did not send.
        let salt = right.server.salt();
        prop_assert_eq!(
            right.verify_answer(Some(("SALT", change_hex_digit(&salt, at, by))), &password),
            Err(Error::SignatureMismatch)
        );
        let srp_b = right.server.srp_b();
        prop_assert_eq!(
            right.verify_answer(Some(("SRP_B", change_hex_digit(&srp_b, at, by))), &password),
            Err(Error::SignatureMismatch)
        );

        // The signature itself.
        prop_assert_eq!(
            right.verify_with(&srp_a, &flip_signature_bit(&signature, at, bit)),
            Err(Error::SignatureMismatch)
        );

        // SECRET_BLOCK, TIMESTAMP, USER_ID_FOR_SRP and the pool.
        prop_assert_eq!(
            right.verify_as(&pool, &user_id, "b3RoZXItYmxvY2s=", &timestamp),
            Err(Error::SignatureMismatch)
        );
        let later = format_timestamp(NOW + seconds).unwrap();
        prop_assert_eq!(
            right.verify_as(&pool, &user_id, &block, &later),
            Err(Error::SignatureMismatch)
        );
        prop_assert_eq!(
            right.verify_as(&pool, &format!("{user_id}2"), &block, &timestamp),
            Err(Error::SignatureMismatch)
        );
        prop_assert_eq!(
            right.verify_as(&other_pool, &user_id, &block, &timestamp),
            Err(Error::SignatureMismatch)
        );
    }
}
