//! Tokens from the emulator verified against the pool's JWKS with
//! `TokenVerifier` (feature `verify`, which the tests always enable).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use cognito_auth_flows::{Error, TokenUse, TokenVerifier};
use cognito_auth_test_support::{PASSWORD, pw, raw_request};
use secrecy::ExposeSecret;
use support::{PoolSpec, world};

#[tokio::test]
async fn verify_tokens_against_the_pool_jwks() {
    let world = world(PoolSpec::default()).await;
    world.user("liam", &[]).await;
    let flows = world.flows().build().unwrap();
    let tokens = flows.sign_in_srp("liam", &pw(PASSWORD)).await.unwrap();

    let (status, _, body) = raw_request(
        world.emulator.address(),
        &format!(
            "GET /{}/.well-known/jwks.json HTTP/1.1",
            world.setup.pool_id
        ),
        b"",
    )
    .await;
    assert_eq!(status, 200);
    let body = body.as_str();

    let issuer = tokens.id_claims().unwrap().issuer().unwrap().to_owned();
    assert_eq!(
        issuer,
        TokenVerifier::cognito_issuer(flows.pool_id()),
        "the emulator issues as Cognito does"
    );
    let verifier = TokenVerifier::from_jwks_json(&issuer, &world.setup.client_id, body).unwrap();
    let id = verifier
        .verify(tokens.id_token().unwrap().expose_secret(), TokenUse::Id)
        .unwrap();
    assert_eq!(id.username(), Some("liam"));
    verifier
        .verify(tokens.access_token().expose_secret(), TokenUse::Access)
        .unwrap();
    // Wrong use, wrong audience, wrong issuer, tampered: refused.
    assert!(matches!(
        verifier.verify(tokens.access_token().expose_secret(), TokenUse::Id),
        Err(Error::Verify(_))
    ));
    let other_client = TokenVerifier::from_jwks_json(&issuer, "someone-else", body).unwrap();
    assert!(
        other_client
            .verify(tokens.id_token().unwrap().expose_secret(), TokenUse::Id)
            .is_err()
    );
    assert!(
        other_client
            .verify(tokens.access_token().expose_secret(), TokenUse::Access)
            .is_err()
    );
    let other_issuer =
        TokenVerifier::from_jwks_json("https://example.invalid/x", &world.setup.client_id, body)
            .unwrap();
    assert!(
        other_issuer
            .verify(tokens.id_token().unwrap().expose_secret(), TokenUse::Id)
            .is_err()
    );
    let token = tokens.id_token().unwrap().expose_secret().to_owned();
    let tampered = format!("{}x", &token[..token.len() - 1]);
    assert!(verifier.verify(&tampered, TokenUse::Id).is_err());
    world.emulator.shutdown().await;
}
