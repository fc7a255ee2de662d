//! The example seed file applies, is idempotent, and its users sign in.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use cognito_auth_emulator::{Emulator, EmulatorConfig};
use cognito_auth_test_support::*;

#[tokio::test]
async fn example_seed_file_works_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let config = EmulatorConfig {
        data: Some(dir.path().join("seeded.sqlite")),
        seed: Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/seed.toml")),
        ..emulator_config()
    };
    // Twice on the same file: the second start must leave the pools alone.
    Emulator::start(config.clone())
        .await
        .unwrap()
        .shutdown()
        .await;
    let emulator = Emulator::start(config).await.unwrap();
    let sdk = sdk(&emulator.endpoint_url());

    let demo = Setup {
        pool_id: "us-east-1_DemoPool1".into(),
        client_id: "demoappclient0000000000001".into(),
        client_secret: None,
    };
    expect_tokens(srp_sign_in(&sdk, &demo, "alice", "Demo-Password-1", None).await);
    let server = Setup {
        client_id: "demoserverclient0000000001".into(),
        client_secret: Some("demosecret0000000000000000000000000000000000000001".into()),
        ..demo.clone()
    };
    expect_tokens(srp_sign_in(&sdk, &server, "alice", "Demo-Password-1", None).await);
    let bob = srp_sign_in(&sdk, &demo, "bob", "Temporary-Pass-1", None)
        .await
        .unwrap();
    assert_eq!(
        bob.challenge_name(),
        Some(&aws_sdk_cognitoidentityprovider::types::ChallengeNameType::NewPasswordRequired)
    );
    let email = Setup {
        pool_id: "eu-west-1_EmailPool".into(),
        client_id: "emailappclient000000000001".into(),
        client_secret: None,
    };
    expect_tokens(srp_sign_in(&sdk, &email, "carol@example.com", "Demo-Password-1", None).await);
    let described = sdk
        .describe_user_pool()
        .user_pool_id("us-east-1_DemoPool1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user_pool().unwrap().estimated_number_of_users(),
        2
    );
    emulator.shutdown().await;
}
