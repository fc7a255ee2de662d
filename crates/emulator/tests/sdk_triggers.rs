//! CUSTOM_AUTH driven by Define / Create / Verify Auth Challenge triggers that
//! run outside the emulator: an HTTP endpoint (a small server in this test that
//! records every event it gets) and an external command (the example Python
//! triggers of examples/custom-auth), through the real AWS SDK.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod triggers;

use std::collections::HashMap;
use std::path::PathBuf;

use aws_sdk_cognitoidentityprovider::types::{ChallengeNameType, ExplicitAuthFlowsType};
use cognito_auth_emulator::{Emulator, EmulatorConfig, TriggerTarget};
use cognito_auth_test_support::*;
use serde_json::json;
// Named: test-support has a prove_password of its own.
use triggers::prove_password;
use triggers::*;

#[tokio::test]
async fn http_triggers_set_by_update_user_pool_drive_the_custom_flow() {
    let (base, events) = trigger_server().await;
    let emulator = trigger_emulator(&base).await;
    let sdk = sdk(&emulator.endpoint_url());
    let pool_id = create_pool(&sdk, PoolOptions::default()).await;
    set_triggers(
        &sdk,
        &pool_id,
        &http("define"),
        &http("create"),
        &http("verify"),
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
        Some(http("define").as_str())
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
        ..emulator_config()
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
#[tokio::test]
async fn unknown_users_run_the_triggers_with_user_not_found_and_never_get_tokens() {
    let (base, events) = trigger_server().await;
    let emulator = trigger_emulator(&base).await;
    let sdk = sdk(&emulator.endpoint_url());
    let builtin = PoolOptions {
        builtin_triggers: true,
        ..PoolOptions::default()
    };
    let pool_id = create_pool(&sdk, builtin).await;
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
        &http("define"),
        &http("create"),
        &http("verify"),
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
