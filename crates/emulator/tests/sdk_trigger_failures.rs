//! CUSTOM_AUTH triggers that fail (a non-zero exit, output that is not JSON, a
//! timeout, a missing program, an unmapped ARN, HTTP errors, a closed port)
//! answered with Cognito's exception types and messages, through the real AWS SDK.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod triggers;

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use cognito_auth_emulator::{Emulator, TriggerTarget};
use cognito_auth_test_support::*;

use triggers::*;

fn arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")
}

/// An emulator whose triggers may take `timeout`, with the failing commands of
/// [`failing_triggers_answer_as_cognito_does`] and the trigger server at
/// `base` in its trigger table (and `closed` as the ARN `closed`), a pool, a
/// custom-auth client and the user finn.
#[cfg(unix)]
async fn failing_trigger_emulator(
    timeout: Duration,
    base: &str,
    closed: &str,
) -> (Emulator, Client, String, Setup) {
    let shell = |script: &str| TriggerTarget::Command {
        argv: vec!["sh".into(), "-c".into(), script.into()],
        dir: None,
    };
    let mut config = emulator_config();
    config.service.trigger_timeout = timeout;
    map_triggers(&mut config, base);
    let triggers = &mut config.service.triggers;
    triggers.insert(arn("closed"), TriggerTarget::Url(closed.to_owned()));
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
    // A closed port: bind one, note it, drop it.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/define", listener.local_addr().unwrap())
    };
    let (impatient, sdk, pool_id, setup) =
        failing_trigger_emulator(Duration::from_millis(300), &base, &closed).await;
    set_triggers(
        &sdk,
        &pool_id,
        &arn("slow"),
        &http("create"),
        &http("verify"),
    )
    .await;
    let (code, message) = start(&sdk, &setup, "finn", None).await.unwrap_err();
    assert_eq!(code, "UnexpectedLambdaException", "{message}");
    assert_eq!(
        message,
        "DefineAuthChallenge could not be invoked: sh did not answer within 300 ms"
    );
    impatient.shutdown().await;

    let (emulator, sdk, pool_id, setup) =
        failing_trigger_emulator(Duration::from_secs(60), &base, &closed).await;
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
            http("explode"),
            "UserLambdaValidationException",
            "DefineAuthChallenge failed with error trigger exploded.",
        ),
        (
            http("html"),
            "InvalidLambdaResponseException",
            "Unrecognizable lambda output",
        ),
        (http("mfa"), "InvalidLambdaResponseException", "not SMS_MFA"),
        (
            arn("closed"),
            "UnexpectedLambdaException",
            "DefineAuthChallenge could not be invoked: POST",
        ),
    ];
    for (define, code, message) in cases {
        set_triggers(&sdk, &pool_id, &define, &http("create"), &http("verify")).await;
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
        &http("define"),
        &http("create"),
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
