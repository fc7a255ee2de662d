//! The claims of a Cognito JWT, read without checking its signature: for tests
//! that check whom a token was issued to and for which app client.

use serde_json::Value;

/// The payload of `token` as JSON. Fails the test if it is not a JWT.
pub fn jwt_claims(token: &str) -> Value {
    jsonwebtoken::dangerous::insecure_decode::<Value>(token)
        .unwrap_or_else(|e| panic!("not a JWT ({e}): {token:?}"))
        .claims
}

/// Checks that an ID token and an access token were issued to `username` (the
/// pool's internal name) for `client_id`, each with its own `token_use`.
/// `label` names the case in the failure message.
pub fn assert_issued_to(
    label: &str,
    id_token: &str,
    access_token: &str,
    username: &str,
    client_id: &str,
) {
    let id = jwt_claims(id_token);
    assert_eq!(id["token_use"], "id", "{label}: ID token {id:#}");
    assert_eq!(id["cognito:username"], username, "{label}: ID token {id:#}");
    assert_eq!(id["aud"], client_id, "{label}: ID token {id:#}");
    let access = jwt_claims(access_token);
    assert_eq!(
        access["token_use"], "access",
        "{label}: access token {access:#}"
    );
    assert_eq!(
        access["username"], username,
        "{label}: access token {access:#}"
    );
    assert_eq!(
        access["client_id"], client_id,
        "{label}: access token {access:#}"
    );
    assert_eq!(id["sub"], access["sub"], "{label}: one user");
}
