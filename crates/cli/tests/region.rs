//! The region: a pool id's own region wins over AWS_REGION and the profile, a
//! contradicting --region is a usage error, and raw calls without a pool id follow
//! the AWS CLI's order. `--debug` shows the region each request is made for.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Output;

use common::*;

/// The regions of the requests `--debug` traced.
fn regions(output: &Output) -> Vec<String> {
    stderr(output)
        .lines()
        .filter(|l| l.starts_with("debug: request "))
        .map(|l| {
            l.split_whitespace()
                .find_map(|w| w.strip_prefix("region="))
                .unwrap()
                .to_owned()
        })
        .collect()
}

fn sign_in(env: &Env, configure: impl FnOnce(&mut std::process::Command)) -> Output {
    let mut command = env.cmd();
    configure(&mut command);
    command
        .arg("--debug")
        .args(Env::sign_in_args("alice"))
        .args(["--password-stdin", "--no-cache"]);
    run_with_stdin(command, PASSWORD)
}

fn assert_all_in(output: &Output, region: &str) {
    let seen = regions(output);
    assert!(!seen.is_empty(), "no requests traced: {}", stderr(output));
    assert!(
        seen.iter().all(|r| r == region),
        "{seen:?}\n{}",
        stderr(output)
    );
}

#[test]
fn aws_region_does_not_override_the_pool_region() {
    let env = Env::new();
    let output = sign_in(&env, |c| {
        c.env("AWS_REGION", "eu-west-1")
            .env("AWS_DEFAULT_REGION", "ap-south-1");
    });
    ok_json(&output);
    assert_all_in(&output, "us-east-1");
}

#[test]
fn the_profile_region_does_not_override_the_pool_region() {
    let env = Env::new();
    let config = env.path("aws-config");
    write(
        &config,
        "[default]\nregion = eu-west-1\n[profile other]\nregion = eu-north-1\n",
    );
    let output = sign_in(&env, |c| {
        c.env("AWS_CONFIG_FILE", &config);
    });
    ok_json(&output);
    assert_all_in(&output, "us-east-1");
    let output = sign_in(&env, |c| {
        c.env("AWS_CONFIG_FILE", &config)
            .args(["--profile", "other"]);
    });
    ok_json(&output);
    assert_all_in(&output, "us-east-1");
}

#[test]
fn a_region_contradicting_the_pool_id_is_a_usage_error() {
    let env = Env::new();
    let output = sign_in(&env, |c| {
        c.args(["--region", "eu-west-1"]);
    });
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        format!(
            "cognito-auth: error: --region eu-west-1 contradicts the pool id {POOL}, which lives in us-east-1: drop --region (a pool's region comes from its id)\n"
        )
    );
    assert!(regions(&output).is_empty(), "a request was sent");
    // Naming the pool's own region is fine.
    let output = sign_in(&env, |c| {
        c.args(["--region", "us-east-1"]);
    });
    ok_json(&output);
    assert_all_in(&output, "us-east-1");
}

fn raw_call(env: &Env, configure: impl FnOnce(&mut std::process::Command)) -> Output {
    let mut command = env.cmd();
    configure(&mut command);
    command.arg("--debug").args([
        "initiate-auth",
        "--client-id",
        CLIENT,
        "--auth-flow",
        "USER_SRP_AUTH",
        "--auth-parameters",
        "USERNAME=alice,SRP_A=0",
    ]);
    run(command)
}

#[test]
fn raw_calls_without_a_pool_id_follow_the_aws_cli_order() {
    let env = Env::new();
    let config = env.path("aws-config");
    write(&config, "[default]\nregion = eu-north-1\n");
    // The profile alone.
    let output = raw_call(&env, |c| {
        c.env("AWS_CONFIG_FILE", &config);
    });
    assert_eq!(regions(&output), ["eu-north-1"], "{}", stderr(&output));
    // AWS_DEFAULT_REGION beats the profile, AWS_REGION beats AWS_DEFAULT_REGION.
    let output = raw_call(&env, |c| {
        c.env("AWS_CONFIG_FILE", &config)
            .env("AWS_DEFAULT_REGION", "ap-south-1");
    });
    assert_eq!(regions(&output), ["ap-south-1"], "{}", stderr(&output));
    let output = raw_call(&env, |c| {
        c.env("AWS_CONFIG_FILE", &config)
            .env("AWS_DEFAULT_REGION", "ap-south-1")
            .env("AWS_REGION", "eu-west-1");
    });
    assert_eq!(regions(&output), ["eu-west-1"], "{}", stderr(&output));
    // --region beats them all.
    let output = raw_call(&env, |c| {
        c.env("AWS_CONFIG_FILE", &config)
            .env("AWS_REGION", "eu-west-1")
            .args(["--region", "sa-east-1"]);
    });
    assert_eq!(regions(&output), ["sa-east-1"], "{}", stderr(&output));
}
