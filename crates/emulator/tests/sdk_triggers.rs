//! CUSTOM_AUTH driven by Define / Create / Verify Auth Challenge triggers that
//! run outside the emulator: an HTTP endpoint (a small server in this test that
//! records every event it gets) and an external command (the example Python
//! triggers of examples/custom-auth), through the real AWS SDK.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, LambdaConfigType,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cognito_auth_emulator::{Emulator, EmulatorConfig, TriggerTarget};
use cognito_auth_srp::UserSrpClient;
use cognito_auth_test_support::*;
use serde_json::{Value, json};

const SRP_A_FIRST: &str = "SRP_A";

type Events = Arc<Mutex<Vec<Value>>>;

/// A trigger endpoint: `/define`, `/create`, `/verify` implement a question
/// ("What is 2 + 3?") with two wrong answers allowed; `/explode` answers 500,
/// `/html` a page that is not JSON, `/mfa` asks for a challenge the custom flow
/// cannot give. Every event is recorded.
async fn trigger_server() -> (String, Events) {
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

fn lambda_config(define: &str, create: &str, verify: &str) -> LambdaConfigType {
    LambdaConfigType::builder()
        .define_auth_challenge(define)
        .create_auth_challenge(create)
        .verify_auth_challenge_response(verify)
        .build()
}

async fn set_triggers(sdk: &Client, pool_id: &str, define: &str, create: &str, verify: &str) {
    sdk.update_user_pool()
        .user_pool_id(pool_id)
        .lambda_config(lambda_config(define, create, verify))
        .send()
        .await
        .unwrap();
}

async fn custom_client(sdk: &Client, pool_id: &str) -> Setup {
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

fn take(events: &Events) -> Vec<Value> {
    std::mem::take(&mut *events.lock().unwrap())
}

/// InitiateAuth(CUSTOM_AUTH), with SRP_A first when `srp` is given.
async fn start(
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
enum Next {
    /// Tokens; the access token.
    Tokens(String),
    /// Another CUSTOM_CHALLENGE, with these parameters (its session replaced
    /// the one answered).
    Challenge(HashMap<String, String>),
}

/// Answers a CUSTOM_CHALLENGE.
async fn answer(
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
async fn prove_password(
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
fn asked(username: &str) -> Next {
    Next::Challenge(HashMap::from([
        ("question".to_owned(), "What is 2 + 3?".to_owned()),
        ("USERNAME".to_owned(), username.to_owned()),
    ]))
}

fn tokens(next: Result<Next, (String, String)>) -> String {
    match next {
        Ok(Next::Tokens(access)) => access,
        other => panic!("expected tokens, got {other:?}"),
    }
}

fn incorrect() -> (String, String) {
    (
        "NotAuthorizedException".to_owned(),
        "Incorrect username or password.".to_owned(),
    )
}

#[tokio::test]
async fn http_triggers_set_by_update_user_pool_drive_the_custom_flow() {
    let (base, events) = trigger_server().await;
    let emulator = emulator().await;
    let sdk = sdk(&emulator.endpoint_url());
    let pool_id = create_pool(&sdk, PoolOptions::default()).await;
    set_triggers(
        &sdk,
        &pool_id,
        &format!("{base}/define"),
        &format!("{base}/create"),
        &format!("{base}/verify"),
    )
    .await;
    let described = sdk
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    let config = described.user_pool().unwrap().lambda_config().unwrap();
    assert_eq!(
        config.define_auth_challenge(),
        Some(format!("{base}/define").as_str())
    );
    let setup = custom_client(&sdk, &pool_id).await;
    create_user(&sdk, &setup, "erin", &[("email", "erin@example.com")]).await;

    // Code-only: Define, then Create; the client sees the public parameters.
    let started = start(&sdk, &setup, "erin", None).await.unwrap();
    assert_eq!(
        started.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    let parameters = started.challenge_parameters().unwrap();
    assert_eq!(
        parameters,
        &HashMap::from([
            ("question".to_owned(), "What is 2 + 3?".to_owned()),
            ("USERNAME".to_owned(), "erin".to_owned()),
        ])
    );
    let seen = take(&events);
    assert_eq!(seen.len(), 2, "{seen:#?}");
    let define = &seen[0];
    assert_eq!(
        define["triggerSource"],
        "DefineAuthChallenge_Authentication"
    );
    assert_eq!(define["version"], "1");
    assert_eq!(define["region"], "us-east-1");
    assert_eq!(define["userPoolId"], pool_id.as_str());
    assert_eq!(define["userName"], "erin");
    assert_eq!(
        define["callerContext"]["clientId"],
        setup.client_id.as_str()
    );
    assert_eq!(define["request"]["session"], json!([]));
    assert_eq!(
        define["request"]["clientMetadata"],
        json!({"purpose": "test"})
    );
    let attributes = &define["request"]["userAttributes"];
    assert_eq!(attributes["email"], "erin@example.com");
    assert_eq!(attributes["cognito:user_status"], "CONFIRMED");
    assert_eq!(attributes["sub"].as_str().unwrap().len(), 36);
    let create = &seen[1];
    assert_eq!(
        create["triggerSource"],
        "CreateAuthChallenge_Authentication"
    );
    assert_eq!(create["request"]["challengeName"], "CUSTOM_CHALLENGE");
    assert_eq!(create["request"]["session"], json!([]));

    // A wrong answer: Verify gets the private parameters, Define the verdict.
    let mut session = started.session().unwrap().to_owned();
    assert_eq!(
        answer(&sdk, &setup, "erin", &mut session, "4").await,
        Ok(asked("erin"))
    );
    let seen = take(&events);
    assert_eq!(seen.len(), 3, "{seen:#?}");
    let verify = &seen[0];
    assert_eq!(
        verify["triggerSource"],
        "VerifyAuthChallengeResponse_Authentication"
    );
    assert_eq!(
        verify["request"]["privateChallengeParameters"],
        json!({"answer": "5"})
    );
    assert_eq!(verify["request"]["challengeAnswer"], "4");
    assert_eq!(verify["request"]["clientMetadata"], json!({"attempt": "4"}));
    assert_eq!(
        seen[1]["request"]["session"],
        json!([{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false, "challengeMetadata": "QUESTION"}])
    );
    assert_eq!(
        seen[2]["triggerSource"],
        "CreateAuthChallenge_Authentication"
    );

    // The right answer: tokens that work.
    let access = tokens(answer(&sdk, &setup, "erin", &mut session, "5").await);
    let user = sdk.get_user().access_token(access).send().await.unwrap();
    assert_eq!(user.username(), "erin");
    let seen = take(&events);
    assert_eq!(
        seen.last().unwrap()["request"]["session"],
        json!([
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false, "challengeMetadata": "QUESTION"},
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": true, "challengeMetadata": "QUESTION"},
        ])
    );

    // Two wrong answers: Define fails the sign-in, as Cognito reports it.
    let started = start(&sdk, &setup, "erin", None).await.unwrap();
    let mut session = started.session().unwrap().to_owned();
    assert_eq!(
        answer(&sdk, &setup, "erin", &mut session, "6").await,
        Ok(asked("erin"))
    );
    assert_eq!(
        answer(&sdk, &setup, "erin", &mut session, "7").await,
        Err(incorrect())
    );
    take(&events);

    // SRP first: Define hears SRP_A, asks PASSWORD_VERIFIER, then hears the
    // verdict on the password.
    let srp = srp_client(&setup);
    let started = start(&sdk, &setup, "erin", Some(&srp)).await.unwrap();
    assert_eq!(
        take(&events)[0]["request"]["session"],
        json!([{"challengeName": "SRP_A", "challengeResult": true}])
    );
    let (name, session, parameters) = prove_password(&sdk, &setup, &srp, &started, PASSWORD)
        .await
        .unwrap();
    assert_eq!(name, Some(ChallengeNameType::CustomChallenge));
    assert_eq!(parameters["question"], "What is 2 + 3?");
    assert_eq!(
        take(&events)[0]["request"]["session"],
        json!([
            {"challengeName": "SRP_A", "challengeResult": true},
            {"challengeName": "PASSWORD_VERIFIER", "challengeResult": true},
        ])
    );
    let mut session = session.unwrap();
    tokens(answer(&sdk, &setup, "erin", &mut session, "5").await);
    take(&events);

    // SRP first with a wrong password: Define sees it fail and ends the sign-in.
    let srp = srp_client(&setup);
    let started = start(&sdk, &setup, "erin", Some(&srp)).await.unwrap();
    let refused = prove_password(&sdk, &setup, &srp, &started, "Wrong-Horse-9").await;
    assert_eq!(refused.unwrap_err(), incorrect());
    let seen = take(&events);
    assert_eq!(
        seen.last().unwrap()["request"]["session"],
        json!([
            {"challengeName": "SRP_A", "challengeResult": true},
            {"challengeName": "PASSWORD_VERIFIER", "challengeResult": false},
        ])
    );
    emulator.shutdown().await;
}

/// The sum asked by examples/custom-auth/triggers.py: "What is A + B?".
fn solve(question: &str) -> String {
    let numbers: Vec<u32> = question
        .trim_start_matches("What is ")
        .trim_end_matches('?')
        .split(" + ")
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(numbers.len(), 2, "{question}");
    (numbers[0] + numbers[1]).to_string()
}

#[tokio::test]
async fn command_triggers_from_the_example_seed_drive_the_custom_flow() {
    let python = python();
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/custom-auth");
    let mut config = EmulatorConfig {
        seed: Some(folder.join("seed.toml")),
        ..EmulatorConfig::default()
    };
    // The seed says `python3 triggers.py`; run it with the test's Python, the
    // way an operator overrides a seed entry with --trigger.
    config.service.triggers.insert(
        "arn:aws:lambda:us-east-1:123456789012:function:custom-auth".into(),
        TriggerTarget::Command {
            argv: vec![python.display().to_string(), "triggers.py".into()],
            dir: Some(folder.clone()),
        },
    );
    let emulator = Emulator::start(config).await.unwrap();
    let sdk = sdk(&emulator.endpoint_url());
    let setup = Setup {
        pool_id: "us-east-1_CustomAuth".into(),
        client_id: "customauthclient0000000001".into(),
        client_secret: None,
    };

    let started = start(&sdk, &setup, "dana", None).await.unwrap();
    let question = started.challenge_parameters().unwrap()["question"].clone();
    let mut session = started.session().unwrap().to_owned();
    // A wrong answer: Create runs again and asks a new question.
    let wrong = format!("{}0", solve(&question));
    let Ok(Next::Challenge(next)) = answer(&sdk, &setup, "dana", &mut session, &wrong).await else {
        panic!("a wrong answer must bring another challenge");
    };
    tokens(
        answer(
            &sdk,
            &setup,
            "dana",
            &mut session,
            &solve(&next["question"]),
        )
        .await,
    );

    // SRP first, then the question; a wrong password fails in Define.
    let srp = srp_client(&setup);
    let started = start(&sdk, &setup, "dana", Some(&srp)).await.unwrap();
    let (name, session, parameters) =
        prove_password(&sdk, &setup, &srp, &started, "Demo-Password-1")
            .await
            .unwrap();
    assert_eq!(name, Some(ChallengeNameType::CustomChallenge));
    let mut session = session.unwrap();
    tokens(
        answer(
            &sdk,
            &setup,
            "dana",
            &mut session,
            &solve(&parameters["question"]),
        )
        .await,
    );
    let srp = srp_client(&setup);
    let started = start(&sdk, &setup, "dana", Some(&srp)).await.unwrap();
    let refused = prove_password(&sdk, &setup, &srp, &started, "Not-The-Password-1").await;
    assert_eq!(refused.unwrap_err(), incorrect());
    emulator.shutdown().await;
}

/// The ARN the trigger table maps to a command.
#[cfg(unix)]
fn arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")
}

/// An emulator whose triggers may take `timeout`, with the failing commands of
/// [`failing_triggers_answer_as_cognito_does`], a pool, a custom-auth client
/// and the user finn.
#[cfg(unix)]
async fn failing_trigger_emulator(timeout: Duration) -> (Emulator, Client, String, Setup) {
    let shell = |script: &str| TriggerTarget::Command {
        argv: vec!["sh".into(), "-c".into(), script.into()],
        dir: None,
    };
    let mut config = EmulatorConfig::default();
    config.service.trigger_timeout = timeout;
    let triggers = &mut config.service.triggers;
    triggers.insert(
        arn("exits"),
        shell("cat >/dev/null; echo 'starting' >&2; echo 'trigger exploded' >&2; exit 3"),
    );
    triggers.insert(arn("garbage"), shell("cat >/dev/null; echo not json"));
    triggers.insert(arn("slow"), shell("sleep 10"));
    triggers.insert(
        arn("missing"),
        TriggerTarget::Command {
            argv: vec!["/nonexistent/cognito-trigger".into()],
            dir: None,
        },
    );
    let emulator = Emulator::start(config).await.unwrap();
    let sdk = sdk(&emulator.endpoint_url());
    let pool_id = create_pool(&sdk, PoolOptions::default()).await;
    let setup = custom_client(&sdk, &pool_id).await;
    create_user(&sdk, &setup, "finn", &[]).await;
    (emulator, sdk, pool_id, setup)
}

#[cfg(unix)]
#[tokio::test]
async fn failing_triggers_answer_as_cognito_does() {
    let (base, _events) = trigger_server().await;
    // Only the slow trigger meets the short timeout; the others get a long
    // one, so that on a slow machine they still fail in their own way.
    let (impatient, sdk, pool_id, setup) =
        failing_trigger_emulator(Duration::from_millis(300)).await;
    set_triggers(
        &sdk,
        &pool_id,
        &arn("slow"),
        &format!("{base}/create"),
        &format!("{base}/verify"),
    )
    .await;
    let (code, message) = start(&sdk, &setup, "finn", None).await.unwrap_err();
    assert_eq!(code, "UnexpectedLambdaException", "{message}");
    assert_eq!(
        message,
        "DefineAuthChallenge could not be invoked: sh did not answer within 300 ms"
    );
    impatient.shutdown().await;

    let (emulator, sdk, pool_id, setup) = failing_trigger_emulator(Duration::from_secs(60)).await;
    // A closed port: bind one, note it, drop it.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/define", listener.local_addr().unwrap())
    };
    let cases = [
        (
            arn("exits"),
            "UserLambdaValidationException",
            "DefineAuthChallenge failed with error trigger exploded.",
        ),
        (
            arn("garbage"),
            "InvalidLambdaResponseException",
            "Unrecognizable lambda output",
        ),
        (
            arn("missing"),
            "UnexpectedLambdaException",
            "DefineAuthChallenge could not be invoked: starting /nonexistent/cognito-trigger",
        ),
        (arn("unmapped"), "UnexpectedLambdaException", "--trigger"),
        (
            format!("{base}/explode"),
            "UserLambdaValidationException",
            "DefineAuthChallenge failed with error trigger exploded.",
        ),
        (
            format!("{base}/html"),
            "InvalidLambdaResponseException",
            "Unrecognizable lambda output",
        ),
        (
            format!("{base}/mfa"),
            "InvalidLambdaResponseException",
            "not SMS_MFA",
        ),
        (
            closed,
            "UnexpectedLambdaException",
            "DefineAuthChallenge could not be invoked: POST",
        ),
    ];
    for (define, code, message) in cases {
        set_triggers(
            &sdk,
            &pool_id,
            &define,
            &format!("{base}/create"),
            &format!("{base}/verify"),
        )
        .await;
        let (got_code, got_message) = start(&sdk, &setup, "finn", None).await.unwrap_err();
        assert_eq!(got_code, code, "{define}: {got_message}");
        assert!(
            got_message.contains(message),
            "{define}: {got_message:?} lacks {message:?}"
        );
    }

    // A Verify that fails mid-sign-in ends that sign-in with its error; the
    // emulator goes on serving.
    set_triggers(
        &sdk,
        &pool_id,
        &format!("{base}/define"),
        &format!("{base}/create"),
        &arn("exits"),
    )
    .await;
    let started = start(&sdk, &setup, "finn", None).await.unwrap();
    let mut session = started.session().unwrap().to_owned();
    let (code, message) = answer(&sdk, &setup, "finn", &mut session, "5")
        .await
        .unwrap_err();
    assert_eq!(code, "UserLambdaValidationException");
    assert_eq!(
        message,
        "VerifyAuthChallengeResponse failed with error trigger exploded."
    );
    expect_tokens(srp_sign_in(&sdk, &setup, "finn", PASSWORD, None).await);
    emulator.shutdown().await;
}

#[tokio::test]
async fn unknown_users_run_the_triggers_with_user_not_found_and_never_get_tokens() {
    let (base, events) = trigger_server().await;
    let emulator = emulator().await;
    let sdk = sdk(&emulator.endpoint_url());
    let pool_id = create_pool(&sdk, PoolOptions::default()).await;
    let options = ClientOptions {
        flows: vec![ExplicitAuthFlowsType::AllowCustomAuth],
        prevent_existence_errors: true,
        ..ClientOptions::default()
    };
    let setup = create_client(&sdk, &pool_id, options).await;
    create_user(&sdk, &setup, "gail", &[("email", "gail@example.com")]).await;

    // Built-in triggers: an unknown name is challenged like a user without an
    // email, and no code goes anywhere.
    let known = start(&sdk, &setup, "gail", None).await.unwrap();
    let unknown = start(&sdk, &setup, "nobody", None).await.unwrap();
    assert_eq!(
        unknown.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    let mut names: Vec<&String> = unknown.challenge_parameters().unwrap().keys().collect();
    let mut known_names: Vec<&String> = known.challenge_parameters().unwrap().keys().collect();
    names.sort();
    known_names.sort();
    assert_eq!(names, known_names);
    assert_eq!(
        unknown.challenge_parameters().unwrap()["USERNAME"],
        "nobody"
    );
    assert!(
        emulator
            .service()
            .outbox()
            .messages(Some("nobody"))
            .is_empty(),
        "a code was sent for a user who does not exist"
    );
    let mut session = unknown.session().unwrap().to_owned();
    for guess in ["000000", "111111"] {
        assert!(matches!(
            answer(&sdk, &setup, "nobody", &mut session, guess).await,
            Ok(Next::Challenge(_))
        ));
    }
    assert_eq!(
        answer(&sdk, &setup, "nobody", &mut session, "222222").await,
        Err(incorrect())
    );

    // External triggers hear userNotFound; a right answer still gets no tokens.
    set_triggers(
        &sdk,
        &pool_id,
        &format!("{base}/define"),
        &format!("{base}/create"),
        &format!("{base}/verify"),
    )
    .await;
    start(&sdk, &setup, "gail", None).await.unwrap();
    let seen = take(&events);
    assert_eq!(seen[0]["request"]["userNotFound"], false);
    let started = start(&sdk, &setup, "nobody", None).await.unwrap();
    assert_eq!(
        Next::Challenge(started.challenge_parameters().unwrap().clone()),
        asked("nobody")
    );
    let seen = take(&events);
    assert_eq!(seen[0]["request"]["userNotFound"], true);
    assert_eq!(seen[0]["request"]["userAttributes"], json!({}));
    assert_eq!(seen[0]["userName"], "nobody");
    let mut session = started.session().unwrap().to_owned();
    assert_eq!(
        answer(&sdk, &setup, "nobody", &mut session, "5").await,
        Err(incorrect())
    );
    let seen = take(&events);
    assert_eq!(seen[0]["request"]["challengeAnswer"], "5");
    assert_eq!(
        seen.last().unwrap()["request"]["session"],
        json!([{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": true, "challengeMetadata": "QUESTION"}]),
        "Define decided with the verdict; the emulator overruled its issueTokens"
    );
    emulator.shutdown().await;
}
