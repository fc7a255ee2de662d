//! What the trigger tests share: a recording trigger server, LambdaConfig
//! set-up, and the CUSTOM_AUTH steps through the SDK.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, LambdaConfigType,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cognito_auth_emulator::triggers::BUILTIN;
use cognito_auth_emulator::{Emulator, EmulatorConfig, TriggerTarget};
use cognito_auth_srp::UserSrpClient;
use cognito_auth_test_support::*;
use serde_json::{Value, json};

pub const SRP_A_FIRST: &str = "SRP_A";

pub type Events = Arc<Mutex<Vec<Value>>>;

/// A trigger endpoint: `/define`, `/create`, `/verify` implement a question
/// ("What is 2 + 3?") with two wrong answers allowed; `/explode` answers 500,
/// `/html` a page that is not JSON, `/mfa` asks for a challenge the custom flow
/// cannot give. Every event is recorded.
pub async fn trigger_server() -> (String, Events) {
    async fn handle(
        State(events): State<Events>,
        Path(kind): Path<String>,
        Json(mut event): Json<Value>,
    ) -> Response {
        events.lock().unwrap().push(event.clone());
        let session = event["request"]["session"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let named = |entry: &Value, name: &str| entry["challengeName"] == name;
        match kind.as_str() {
            "define" => {
                let last = session.last();
                let wrong = session
                    .iter()
                    .filter(|e| named(e, "CUSTOM_CHALLENGE") && e["challengeResult"] == false)
                    .count();
                let response = match last {
                    Some(e) if named(e, "SRP_A") => json!({"challengeName": "PASSWORD_VERIFIER"}),
                    Some(e) if named(e, "PASSWORD_VERIFIER") && e["challengeResult"] == false => {
                        json!({"failAuthentication": true, "issueTokens": false})
                    }
                    Some(e) if named(e, "CUSTOM_CHALLENGE") && e["challengeResult"] == true => {
                        json!({"issueTokens": true, "failAuthentication": false})
                    }
                    _ if wrong >= 2 => json!({"failAuthentication": true}),
                    _ => json!({"challengeName": "CUSTOM_CHALLENGE", "issueTokens": false}),
                };
                event["response"] = response;
            }
            "create" => {
                event["response"] = json!({
                    "publicChallengeParameters": {"question": "What is 2 + 3?"},
                    "privateChallengeParameters": {"answer": "5"},
                    "challengeMetadata": "QUESTION",
                });
            }
            "verify" => {
                let right = event["request"]["challengeAnswer"]
                    == event["request"]["privateChallengeParameters"]["answer"];
                event["response"] = json!({ "answerCorrect": right });
            }
            "explode" => {
                return (StatusCode::INTERNAL_SERVER_ERROR, "trigger exploded\n").into_response();
            }
            "html" => return (StatusCode::OK, "<html>hello</html>").into_response(),
            "mfa" => event["response"] = json!({"challengeName": "SMS_MFA"}),
            _ => return StatusCode::NOT_FOUND.into_response(),
        }
        Json(event).into_response()
    }
    let events = Events::default();
    let app = axum::Router::new()
        .route("/{kind}", axum::routing::post(handle))
        .with_state(Arc::clone(&events));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, events)
}

/// The endpoints of [`trigger_server`].
pub const ENDPOINTS: [&str; 6] = ["define", "create", "verify", "explode", "html", "mfa"];

/// The name the trigger table gives the [`trigger_server`] endpoint `kind`: a
/// LambdaConfig names a trigger, and only the operator's table says where it
/// runs.
pub fn http(kind: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:http-{kind}")
}

/// Maps the [`http`] names of every endpoint of the trigger server at `base`
/// in `config`'s trigger table, and `builtin` to the built-in set.
pub fn map_triggers(config: &mut EmulatorConfig, base: &str) {
    let table = &mut config.service.triggers;
    for kind in ENDPOINTS {
        table.insert(http(kind), TriggerTarget::Url(format!("{base}/{kind}")));
    }
    table.insert(BUILTIN.to_owned(), TriggerTarget::Builtin);
}

/// An emulator whose trigger table holds [`map_triggers`].
pub async fn trigger_emulator(base: &str) -> Emulator {
    let mut config = emulator_config();
    map_triggers(&mut config, base);
    Emulator::start(config).await.unwrap()
}

pub fn lambda_config(define: &str, create: &str, verify: &str) -> LambdaConfigType {
    LambdaConfigType::builder()
        .define_auth_challenge(define)
        .create_auth_challenge(create)
        .verify_auth_challenge_response(verify)
        .build()
}

pub async fn set_triggers(sdk: &Client, pool_id: &str, define: &str, create: &str, verify: &str) {
    sdk.update_user_pool()
        .user_pool_id(pool_id)
        .lambda_config(lambda_config(define, create, verify))
        .send()
        .await
        .unwrap();
}

pub async fn custom_client(sdk: &Client, pool_id: &str) -> Setup {
    let options = ClientOptions {
        flows: vec![
            ExplicitAuthFlowsType::AllowCustomAuth,
            ExplicitAuthFlowsType::AllowUserSrpAuth,
            ExplicitAuthFlowsType::AllowRefreshTokenAuth,
        ],
        ..ClientOptions::default()
    };
    create_client(sdk, pool_id, options).await
}

pub fn take(events: &Events) -> Vec<Value> {
    std::mem::take(&mut *events.lock().unwrap())
}

/// InitiateAuth(CUSTOM_AUTH), with SRP_A first when `srp` is given.
pub async fn start(
    sdk: &Client,
    setup: &Setup,
    username: &str,
    srp: Option<&UserSrpClient>,
) -> Result<InitiateAuthOutput, (String, String)> {
    let mut params: HashMap<String, String> = match srp {
        Some(srp) => srp
            .initiate_auth_parameters(username, None)
            .into_iter()
            .collect(),
        None => HashMap::from([("USERNAME".to_owned(), username.to_owned())]),
    };
    if srp.is_some() {
        params.insert("CHALLENGE_NAME".into(), SRP_A_FIRST.into());
    }
    sdk.initiate_auth()
        .auth_flow(AuthFlowType::CustomAuth)
        .client_id(&setup.client_id)
        .set_auth_parameters(Some(params))
        .client_metadata("purpose", "test")
        .send()
        .await
        .map_err(|e| error_of(&e))
}

/// What answering a CUSTOM_CHALLENGE led to.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// Tokens; the access token.
    Tokens(String),
    /// Another CUSTOM_CHALLENGE, with these parameters (its session replaced
    /// the one answered).
    Challenge(HashMap<String, String>),
}

/// Answers a CUSTOM_CHALLENGE.
pub async fn answer(
    sdk: &Client,
    setup: &Setup,
    username: &str,
    session: &mut String,
    answer: &str,
) -> Result<Next, (String, String)> {
    let reply = sdk
        .respond_to_auth_challenge()
        .client_id(&setup.client_id)
        .challenge_name(ChallengeNameType::CustomChallenge)
        .session(session.as_str())
        .challenge_responses("USERNAME", username)
        .challenge_responses("ANSWER", answer)
        .client_metadata("attempt", answer)
        .send()
        .await
        .map_err(|e| error_of(&e))?;
    if let Some(result) = reply.authentication_result() {
        return Ok(Next::Tokens(result.access_token().unwrap().to_owned()));
    }
    assert_eq!(
        reply.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    *session = reply.session().unwrap().to_owned();
    Ok(Next::Challenge(
        reply.challenge_parameters().cloned().unwrap_or_default(),
    ))
}

/// PASSWORD_VERIFIER for a CUSTOM_AUTH sign-in that started with SRP_A, its
/// outcome reduced to what the trigger tests compare.
pub async fn prove_password(
    sdk: &Client,
    setup: &Setup,
    srp: &UserSrpClient,
    started: &InitiateAuthOutput,
    password: &str,
) -> Result<
    (
        Option<ChallengeNameType>,
        Option<String>,
        HashMap<String, String>,
    ),
    (String, String),
> {
    let reply = cognito_auth_test_support::prove_password(
        sdk,
        &setup.client_id,
        srp,
        started,
        password,
        None,
    )
    .await
    .map_err(|e| error_of(&e))?;
    Ok((
        reply.challenge_name().cloned(),
        reply.session().map(str::to_owned),
        reply.challenge_parameters().cloned().unwrap_or_default(),
    ))
}

/// The challenge the test server's Create makes.
pub fn asked(username: &str) -> Next {
    Next::Challenge(HashMap::from([
        ("question".to_owned(), "What is 2 + 3?".to_owned()),
        ("USERNAME".to_owned(), username.to_owned()),
    ]))
}

pub fn tokens(next: Result<Next, (String, String)>) -> String {
    match next {
        Ok(Next::Tokens(access)) => access,
        other => panic!("expected tokens, got {other:?}"),
    }
}

pub fn incorrect() -> (String, String) {
    (
        "NotAuthorizedException".to_owned(),
        "Incorrect username or password.".to_owned(),
    )
}
