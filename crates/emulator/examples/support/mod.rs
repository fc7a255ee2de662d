//! What the load and soak tools share: a pool with users set up through the
//! API (the test-support helpers), and one full USER_SRP_AUTH sign-in
//! (InitiateAuth + RespondToAuthChallenge, the proof by cognito-auth-srp).

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use cognito_auth_srp::{AppClient, PoolId, SystemClock, UserSrpClient};
use cognito_auth_test_support::{ClientOptions, PASSWORD, PoolOptions, create_user, setup};
use secrecy::SecretString;

/// A pool, an app client allowing SRP (hiding unknown users when
/// `prevent_existence`), and `users` with [`PASSWORD`]: the pool and client ids.
pub async fn set_up(sdk: &Client, users: &[String], prevent_existence: bool) -> (PoolId, String) {
    let client = ClientOptions {
        prevent_existence_errors: prevent_existence,
        ..ClientOptions::default()
    };
    let setup = setup(sdk, PoolOptions::default(), client).await;
    for user in users {
        create_user(sdk, &setup, user, &[]).await;
    }
    (PoolId::parse(&setup.pool_id).unwrap(), setup.client_id)
}

/// One full USER_SRP_AUTH sign-in of `username` with [`PASSWORD`].
pub async fn sign_in(
    sdk: &Client,
    pool: &PoolId,
    client_id: &str,
    username: &str,
) -> Result<(), String> {
    let srp =
        UserSrpClient::new(pool.clone(), AppClient::new(client_id)).map_err(|e| e.to_string())?;
    let params: HashMap<String, String> = srp
        .initiate_auth_parameters(username, None)
        .into_iter()
        .collect();
    let started = sdk
        .initiate_auth()
        .auth_flow(AuthFlowType::UserSrpAuth)
        .client_id(client_id)
        .set_auth_parameters(Some(params))
        .send()
        .await
        .map_err(|e| format!("{e:?}"))?;
    let challenge = started.challenge_parameters().ok_or("no challenge")?;
    let responses: HashMap<String, String> = srp
        .password_verifier_responses(challenge, &SecretString::from(PASSWORD), None, &SystemClock)
        .map_err(|e| e.to_string())?
        .into_iter()
        .collect();
    let done = sdk
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .set_session(started.session().map(str::to_owned))
        .set_challenge_responses(Some(responses))
        .send()
        .await
        .map_err(|e| format!("{e:?}"))?;
    done.authentication_result().ok_or("no tokens")?;
    Ok(())
}

/// The `q` quantile of sorted latencies, in milliseconds.
pub fn quantile_ms(sorted: &[std::time::Duration], q: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1)))
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}
