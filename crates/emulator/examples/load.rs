//! Load tool: N concurrent full USER_SRP_AUTH sign-ins (InitiateAuth +
//! RespondToAuthChallenge through the AWS SDK, SRP by cognito-auth-srp) against
//! an emulator over loopback, for a bounded time. Prints sign-ins per second,
//! p50/p99 latency and the error count.
//!
//! ```sh
//! cargo run --release -p cognito-auth-emulator --example load -- [CONCURRENCY] [SECONDS] [ENDPOINT]
//! ```
//!
//! Without ENDPOINT it starts an in-memory emulator in-process. With one (any
//! Cognito-compatible server on loopback, e.g. MiniStack) it sets up its own pool,
//! client and user there through the API first.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use cognito_auth_srp::{AppClient, PoolId, SystemClock, UserSrpClient};
use secrecy::SecretString;

const PASSWORD: &str = "Load-Test-Pass-1";

async fn sign_in(sdk: &Client, pool: &PoolId, client_id: &str) -> Result<(), String> {
    let srp =
        UserSrpClient::new(pool.clone(), AppClient::new(client_id)).map_err(|e| e.to_string())?;
    let params: HashMap<String, String> = srp
        .initiate_auth_parameters("loaduser", None)
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

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let concurrency: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(8);
    let seconds: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10);
    let (endpoint, _emulator) = match args.get(3) {
        Some(endpoint) => (endpoint.clone(), None),
        None => {
            let emulator = cognito_auth_emulator::Emulator::start(Default::default())
                .await
                .unwrap();
            (emulator.endpoint_url(), Some(emulator))
        }
    };
    let config = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "load",
        ))
        .endpoint_url(&endpoint)
        .build();
    let sdk = Client::from_conf(config);
    let pool = sdk
        .create_user_pool()
        .pool_name("load")
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let client = sdk
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("load")
        .explicit_auth_flows("ALLOW_USER_SRP_AUTH".into())
        .explicit_auth_flows("ALLOW_REFRESH_TOKEN_AUTH".into())
        .send()
        .await
        .unwrap();
    let client_id = client
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();
    sdk.admin_create_user()
        .user_pool_id(&pool_id)
        .username("loaduser")
        .send()
        .await
        .unwrap();
    sdk.admin_set_user_password()
        .user_pool_id(&pool_id)
        .username("loaduser")
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();

    let pool = PoolId::parse(&pool_id).unwrap();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let latencies = Arc::new(tokio::sync::Mutex::new(Vec::new()));
    let errors = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (sdk, pool, client_id) = (sdk.clone(), pool.clone(), client_id.clone());
            let (latencies, errors) = (Arc::clone(&latencies), Arc::clone(&errors));
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    let begun = Instant::now();
                    match sign_in(&sdk, &pool, &client_id).await {
                        Ok(()) => latencies.lock().await.push(begun.elapsed()),
                        Err(error) => {
                            if errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed) == 0 {
                                println!("first error: {error}");
                            }
                        }
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut latencies = latencies.lock().await.clone();
    latencies.sort();
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "endpoint {endpoint}: {} sign-ins in {elapsed:.1} s = {:.1} sign-ins/s, p50 {:.1} ms, p99 {:.1} ms, errors {}",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        pick(0.50),
        pick(0.99),
        errors.load(std::sync::atomic::Ordering::Relaxed)
    );
}
