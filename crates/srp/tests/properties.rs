//! Client and server agree for arbitrary pools, users, passwords and salts, and the
//! server refuses a claim when any one input changes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cognito_auth_srp::{
    AppClient, ClientPublic, Error, FixedClock, PasswordClaim, PasswordVerifier, PoolId,
    ServerChallenge, UserSrpClient, WireInt,
};
use proptest::prelude::*;
use secrecy::SecretString;

/// 2025-02-10T18:30:12Z
const NOW: i64 = 1_739_212_212;

fn pool_id() -> impl Strategy<Value = PoolId> {
    ("[a-z]{2}-[a-z]{4,9}-[1-9]", "[A-Za-z0-9]{1,12}")
        .prop_map(|(region, name)| PoolId::parse(&format!("{region}_{name}")).unwrap())
}

struct Login {
    pool: PoolId,
    user_id: String,
    client: UserSrpClient,
    server: ServerChallenge,
    responses: cognito_auth_srp::Parameters,
}

fn login(pool: &PoolId, user_id: &str, stored: &str, typed: &str, salt: &[u8]) -> Login {
    let verifier = PasswordVerifier::for_user_with_salt(
        pool,
        user_id,
        &SecretString::from(stored),
        WireInt::from_unsigned_be(salt),
    );
    let client = UserSrpClient::new(pool.clone(), AppClient::new("client")).unwrap();
    let srp_a = ClientPublic::parse(&client.srp_a()).unwrap();
    let server = ServerChallenge::new(&verifier, srp_a).unwrap();
    let (salt_hex, srp_b) = (server.salt(), server.srp_b());
    let params = [
        ("SALT", salt_hex.as_str()),
        ("SRP_B", srp_b.as_str()),
        ("SECRET_BLOCK", "c2VjcmV0LWJsb2NrLWJ5dGVz"),
        ("USERNAME", user_id),
        ("USER_ID_FOR_SRP", user_id),
    ];
    let responses = client
        .password_verifier_responses(
            &params[..],
            &SecretString::from(typed),
            None,
            &FixedClock(NOW),
        )
        .unwrap();
    Login {
        pool: pool.clone(),
        user_id: user_id.to_owned(),
        client,
        server,
        responses,
    }
}

impl Login {
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
        self.server
            .verify_user_claim(pool, user_id, &claim)
            .map(|t| t.unix_seconds)
    }

    fn verify(&self) -> Result<i64, Error> {
        self.verify_as(
            &self.pool,
            &self.user_id,
            &self.responses["PASSWORD_CLAIM_SECRET_BLOCK"],
            &self.responses["TIMESTAMP"],
        )
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn server_and_client_agree(
        pool in pool_id(),
        user_id in "\\PC{1,24}",
        password in "\\PC{0,40}",
        salt in proptest::collection::vec(any::<u8>(), 1..=17),
    ) {
        let login = login(&pool, &user_id, &password, &password, &salt);
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
                    ("SECRET_BLOCK", "c2VjcmV0LWJsb2NrLWJ5dGVz"),
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
        salt in proptest::collection::vec(any::<u8>(), 16),
        seconds in 1i64..86_400,
    ) {
        prop_assume!(other_pool.name() != pool.name());
        let right = login(&pool, &user_id, &password, &password, &salt);
        let (block, timestamp) = (
            right.responses["PASSWORD_CLAIM_SECRET_BLOCK"].clone(),
            right.responses["TIMESTAMP"].clone(),
        );
        prop_assert_eq!(right.verify(), Ok(NOW));

        let wrong_password = login(&pool, &user_id, &password, &format!("{password}x"), &salt);
        prop_assert_eq!(wrong_password.verify(), Err(Error::SignatureMismatch));

        prop_assert_eq!(
            right.verify_as(&pool, &user_id, "b3RoZXItYmxvY2s=", &timestamp),
            Err(Error::SignatureMismatch)
        );
        let later = cognito_auth_srp::format_timestamp(NOW + seconds).unwrap();
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
