//! Lambda triggers under attack: CUSTOM_AUTH on a pool that configures none,
//! a LambdaConfig that names a URL, and trigger processes that outlive their
//! answer or their time.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType, LambdaConfigType,
};
use cognito_auth_emulator::{Emulator, TriggerTarget};
use cognito_auth_test_support::*;

/// A client as boto3 creates one without ExplicitAuthFlows: Cognito's default
/// flows, which include ALLOW_CUSTOM_AUTH (cognito-api-facts.md §8.1).
fn default_flows() -> ClientOptions {
    ClientOptions {
        flows: vec![
            ExplicitAuthFlowsType::AllowRefreshTokenAuth,
            ExplicitAuthFlowsType::AllowUserSrpAuth,
            ExplicitAuthFlowsType::AllowCustomAuth,
        ],
        ..ClientOptions::default()
    }
}

/// Names `name` for the pool's three custom auth triggers, through the API.
async fn name_triggers(sdk: &aws_sdk_cognitoidentityprovider::Client, pool_id: &str, name: &str) {
    sdk.update_user_pool()
        .user_pool_id(pool_id)
        .lambda_config(
            LambdaConfigType::builder()
                .define_auth_challenge(name)
                .create_auth_challenge(name)
                .verify_auth_challenge_response(name)
                .build(),
        )
        .send()
        .await
        .unwrap();
}

async fn custom_auth(
    sdk: &aws_sdk_cognitoidentityprovider::Client,
    setup: &Setup,
    user: &str,
) -> Result<String, (String, String)> {
    initiate(
        sdk,
        &setup.client_id,
        AuthFlowType::CustomAuth,
        &[("USERNAME", user)],
    )
    .await
    .map(|started| format!("{:?}", started.challenge_name()))
    .map_err(|e| error_of(&e))
}

#[tokio::test]
async fn hole_01_custom_auth_needs_a_configured_trigger() {
    let (emulator, sdk, setup) = emulator_with_pool(PoolOptions::default(), default_flows()).await;
    create_user(&sdk, &setup, "victim", &[("email", "victim@example.com")]).await;

    let refused = custom_auth(&sdk, &setup, "victim").await;
    // Cognito's answer when the pool has no DefineAuthChallenge trigger: the
    // message is quoted by amplify-js#5623 and #6327, the type by apps that
    // match on "InvalidParameterException: Custom auth lambda trigger is not
    // configured for the user pool." (found with `search`).
    assert_eq!(
        refused,
        Err((
            "InvalidParameterException".to_owned(),
            "Custom auth lambda trigger is not configured for the user pool.".to_owned()
        ))
    );
    assert!(
        emulator
            .service()
            .outbox()
            .messages(Some("victim"))
            .is_empty(),
        "a code was sent for a sign-in no trigger allows"
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn hole_04_a_lambda_config_url_is_never_called() {
    // Whatever reaches this port is a request the emulator made for a caller.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&connections);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    let (emulator, sdk, setup) = emulator_with_pool(PoolOptions::default(), default_flows()).await;
    create_user(&sdk, &setup, "victim", &[]).await;
    let url = format!("http://127.0.0.1:{port}/x");
    name_triggers(&sdk, &setup.pool_id, &url).await;

    let (code, message) = custom_auth(&sdk, &setup, "victim").await.unwrap_err();
    // A LambdaConfig value is only a name in the operator's trigger table; one
    // the table does not hold is a function that cannot be invoked, which
    // Cognito reports as UnexpectedLambdaException (cognito-api-facts.md §8.1
    // lists it for InitiateAuth), here with no address or network detail.
    assert_eq!(code, "UnexpectedLambdaException", "{message}");
    assert!(
        message.starts_with("DefineAuthChallenge could not be invoked"),
        "{message}"
    );
    for detail in ["127.0.0.1", "http", &port.to_string(), "refused", "POST"] {
        assert!(!message.contains(detail), "{detail:?} in {message:?}");
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "the emulator connected to {url}"
    );
    emulator.shutdown().await;
}

/// Whether process `pid` has ended (gone, or a zombie nobody reaped yet).
#[cfg(unix)]
fn ended(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

#[cfg(unix)]
#[tokio::test]
async fn hole_08_trigger_processes_are_bounded_and_killed_as_a_group() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("background.pid");
    let shell = |script: String| TriggerTarget::Command {
        argv: vec!["sh".into(), "-c".into(), script],
        dir: None,
    };
    let timeout = Duration::from_secs(1);
    let mut config = emulator_config();
    config.service.trigger_timeout = timeout;
    // Answers at once, but leaves a child that holds its stdout for a minute.
    config.service.triggers.insert(
        "arn:aws:lambda:us-east-1:123456789012:function:answers-and-lingers".into(),
        shell(r#"cat >/dev/null; sleep 60 & echo '{"failAuthentication": true}'"#.into()),
    );
    // Never answers; its background child writes down its pid and lives on.
    config.service.triggers.insert(
        "arn:aws:lambda:us-east-1:123456789012:function:hangs".into(),
        shell(format!(
            "cat >/dev/null; sleep 60 >/dev/null 2>&1 & echo $! > '{}'; sleep 60",
            pid_file.display()
        )),
    );
    let emulator = Emulator::start(config).await.unwrap();
    let sdk = sdk(&emulator.endpoint_url());
    let setup = setup(&sdk, PoolOptions::default(), default_flows()).await;
    create_user(&sdk, &setup, "finn", &[]).await;
    let arn = |name: &str| format!("arn:aws:lambda:us-east-1:123456789012:function:{name}");
    // Both answers must come within the trigger timeout and a margin.
    let within = timeout + Duration::from_secs(3);

    name_triggers(&sdk, &setup.pool_id, &arn("answers-and-lingers")).await;
    let started = Instant::now();
    let answer = tokio::time::timeout(within, custom_auth(&sdk, &setup, "finn"))
        .await
        .unwrap_or_else(|_| panic!("the request hung past --trigger-timeout ({timeout:?})"));
    // The trigger's answer counts: failAuthentication is Cognito's wrong
    // credentials (cognito-api-facts.md §8.2).
    assert_eq!(
        answer,
        Err((
            "NotAuthorizedException".to_owned(),
            "Incorrect username or password.".to_owned()
        ))
    );
    assert!(started.elapsed() < within, "{:?}", started.elapsed());

    name_triggers(&sdk, &setup.pool_id, &arn("hangs")).await;
    let answer = tokio::time::timeout(within, custom_auth(&sdk, &setup, "finn"))
        .await
        .unwrap_or_else(|_| panic!("the request hung past --trigger-timeout ({timeout:?})"));
    let (code, _) = answer.unwrap_err();
    assert_eq!(code, "UnexpectedLambdaException");
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let pid = pid.trim();
    let deadline = Instant::now() + Duration::from_secs(2);
    while !ended(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        ended(pid),
        "the trigger's background child {pid} outlived the timeout"
    );
    emulator.shutdown().await;
}
