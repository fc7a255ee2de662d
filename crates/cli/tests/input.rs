//! AWS CLI input habits against the emulator: file:// and fileb:// values,
//! passwords refused on the command line, --cli-input-json and
//! --generate-cli-skeleton, --analytics-metadata, --no-cli-pager and
//! AWS_DEFAULT_OUTPUT.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Output;

use common::*;
use serde_json::{Value, json};

fn initiate_auth<S: AsRef<str>>(env: &Env, rest: &[S]) -> Output {
    let mut args = vec!["initiate-auth", "--client-id", CLIENT];
    args.extend(rest.iter().map(AsRef::as_ref));
    env.run_args(args)
}

fn assert_refused(output: &Output, option_and_key: &str, safe_form: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "cognito-auth: error: {option_and_key}=… puts a password on the command line, where the process list shows it: "
        )),
        "{err}"
    );
    assert!(err.contains(safe_form), "{err}");
    assert!(
        err.trim_end().ends_with("(or add --allow-secrets-on-argv)"),
        "{err}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn passwords_on_the_command_line_are_refused_with_the_safe_forms() {
    let env = Env::new();
    // sign-in --answer NEW_PASSWORD=... (refused before stdin is read, so none is piped)
    let mut command = env.cmd();
    command.args(Env::sign_in_args("carol")).args([
        "--password-stdin",
        "--answer",
        "NEW_PASSWORD=Brand-New-Pass-7",
    ]);
    let output = run(command);
    assert_refused(
        &output,
        "--answer NEW_PASSWORD",
        "leave it out to be prompted, or pass --answer NEW_PASSWORD=file://PATH, --answers-file FILE or stdin (--password-stdin)",
    );
    // initiate-auth --auth-parameters with PASSWORD, shorthand and JSON, and one pair.
    for rest in [
        &["--auth-parameters", "USERNAME=alice,PASSWORD=x"][..],
        &[
            "--auth-parameters",
            r#"{"USERNAME": "alice", "PASSWORD": "x"}"#,
        ],
    ] {
        let mut args = vec!["--auth-flow", "USER_PASSWORD_AUTH"];
        args.extend_from_slice(rest);
        assert_refused(
            &initiate_auth(&env, &args),
            "--auth-parameters PASSWORD",
            "pass --auth-parameters file://PATH, --cli-input-json file://PATH or --auth-parameter=PASSWORD=file://PATH",
        );
    }
    assert_refused(
        &initiate_auth(
            &env,
            &[
                "--auth-flow",
                "USER_PASSWORD_AUTH",
                "--auth-parameter",
                "PASSWORD=x",
            ],
        ),
        "--auth-parameter PASSWORD",
        "--auth-parameter=PASSWORD=file://PATH",
    );
    // respond-to-auth-challenge with NEW_PASSWORD, and --cli-input-json inline.
    let output = env.run_args([
        "respond-to-auth-challenge",
        "--client-id",
        CLIENT,
        "--challenge-name",
        "NEW_PASSWORD_REQUIRED",
        "--challenge-responses",
        "USERNAME=carol,NEW_PASSWORD=x",
    ]);
    assert_refused(
        &output,
        "--challenge-responses NEW_PASSWORD",
        "--challenge-response=NEW_PASSWORD=file://PATH",
    );
    let output = env.run_args([
        "initiate-auth",
        "--cli-input-json",
        r#"{"ClientId": "c", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"PASSWORD": "x"}}"#,
    ]);
    assert_refused(
        &output,
        "--cli-input-json PASSWORD",
        "pass --cli-input-json file://PATH",
    );
    // Allowed on request.
    let value = ok_json(&initiate_auth(
        &env,
        &[
            "--allow-secrets-on-argv",
            "--auth-flow",
            "USER_PASSWORD_AUTH",
            "--auth-parameters",
            &format!("USERNAME=alice,PASSWORD={PASSWORD}"),
        ],
    ));
    assert_eq!(value["AuthenticationResult"]["TokenType"], "Bearer");
}

#[test]
fn file_and_fileb_values_keep_secrets_off_the_command_line() {
    let env = Env::new();
    // A whole map from file://, as JSON.
    let params = env.path("params.json");
    write(
        &params,
        &format!(r#"{{"USERNAME": "alice", "PASSWORD": "{PASSWORD}"}}"#),
    );
    let value = ok_json(&initiate_auth(
        &env,
        &[
            "--auth-flow",
            "USER_PASSWORD_AUTH",
            "--auth-parameters",
            &format!("file://{}", params.display()),
        ],
    ));
    assert_eq!(value["AuthenticationResult"]["TokenType"], "Bearer");
    // One pair's value from file:// (its final line break dropped), the client
    // id from fileb://, and the flow name with --opt=file://.
    let password = env.path("password.txt");
    write(&password, &format!("{PASSWORD}\n"));
    let client = env.path("client.bin");
    write(&client, CLIENT);
    let flow = env.path("flow.txt");
    write(&flow, "USER_PASSWORD_AUTH");
    let value = ok_json(&env.run_args([
        "initiate-auth",
        "--client-id",
        &format!("fileb://{}", client.display()),
        &format!("--auth-flow=file://{}", flow.display()),
        "--auth-parameter",
        "USERNAME=alice",
        "--auth-parameter",
        &format!("PASSWORD=file://{}", password.display()),
    ]));
    assert_eq!(value["AuthenticationResult"]["TokenType"], "Bearer");

    // NEW_PASSWORD from file:// through sign-in, then the new password works.
    let new_password = env.path("new-password.txt");
    write(&new_password, "Brand-New-Pass-7\n");
    ok_json(&env.run_sign_in(
        Env::sign_in_args("carol"),
        &[
            "--password-stdin",
            "--no-cache",
            "--answer",
            &format!("NEW_PASSWORD=file://{}", new_password.display()),
        ],
        "Temporary-Pass-1",
    ));
    ok_json(&env.run_sign_in(
        Env::sign_in_args("carol"),
        &["--password-stdin", "--no-cache"],
        "Brand-New-Pass-7",
    ));

    // A file that is not there: usage, one line.
    let output = initiate_auth(
        &env,
        &[
            "--auth-flow",
            "USER_PASSWORD_AUTH",
            "--auth-parameters",
            "file:///nonexistent/params.json",
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with(
            "cognito-auth: error: --auth-parameters: cannot read /nonexistent/params.json: "
        ),
        "{}",
        stderr(&output)
    );
}

#[test]
fn cli_input_json_and_skeleton_for_the_raw_commands() {
    let env = Env::new();
    let skeleton: Value = ok_json(&env.run_args(["initiate-auth", "--generate-cli-skeleton"]));
    assert_eq!(
        skeleton,
        json!({
            "AuthFlow": "USER_SRP_AUTH",
            "AuthParameters": {"KeyName": ""},
            "ClientId": "",
            "ClientMetadata": {"KeyName": ""},
            "AnalyticsMetadata": {"AnalyticsEndpointId": ""},
            "UserContextData": {"IpAddress": "", "EncodedData": ""},
            "Session": ""
        })
    );
    let skeleton: Value = ok_json(&env.run_args([
        "respond-to-auth-challenge",
        "--generate-cli-skeleton",
        "input",
    ]));
    assert_eq!(skeleton["ChallengeResponses"], json!({"KeyName": ""}));
    assert_eq!(skeleton["ChallengeName"], "SMS_MFA");

    // A whole InitiateAuth from a file, then respond-to-auth-challenge from one.
    let request = env.path("initiate.json");
    write(
        &request,
        &json!({
            "ClientId": CLIENT,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "carol", "PASSWORD": "Temporary-Pass-1"},
            "ClientMetadata": {"k": "v"},
            "AnalyticsMetadata": {"AnalyticsEndpointId": "e1"},
            "UserContextData": {"IpAddress": "192.0.2.7"}
        })
        .to_string(),
    );
    let value = ok_json(&env.run_args([
        "initiate-auth",
        "--cli-input-json",
        &format!("file://{}", request.display()),
    ]));
    assert_eq!(value["ChallengeName"], "NEW_PASSWORD_REQUIRED", "{value:#}");
    let respond = env.path("respond.json");
    write(
        &respond,
        &json!({
            "ClientId": CLIENT,
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "Session": value["Session"],
            "ChallengeResponses": {"USERNAME": "carol", "NEW_PASSWORD": "Another-Pass-8"}
        })
        .to_string(),
    );
    let output = env.run_args([
        "respond-to-auth-challenge",
        "--cli-input-json",
        &format!("file://{}", respond.display()),
        "--query",
        "AuthenticationResult.TokenType",
        "--output",
        "text",
    ]);
    assert_eq!(stdout(&output), "Bearer\n", "{}", stderr(&output));

    // An option given beside the document wins over it: a wrong client id in
    // the file, the right one as an option.
    let wrong_client = env.path("wrong-client.json");
    write(
        &wrong_client,
        &json!({
            "ClientId": "no0such0client00000000001",
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}
        })
        .to_string(),
    );
    let value = ok_json(&env.run_args([
        "initiate-auth",
        "--client-id",
        CLIENT,
        "--cli-input-json",
        &format!("file://{}", wrong_client.display()),
    ]));
    assert_eq!(value["AuthenticationResult"]["TokenType"], "Bearer");

    // Unknown fields and a missing client id are usage errors.
    let output = env.run_args(["initiate-auth", "--cli-input-json", r#"{"Nope": 1}"#]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--cli-input-json: unknown field `Nope`"));
    let output = env.run_args(["initiate-auth", "--cli-input-json", r#"{"AuthFlow": "X"}"#]);
    assert_eq!(
        stderr(&output),
        "cognito-auth: error: --client-id is required (or give it in --cli-input-json)\n"
    );
}

#[test]
fn analytics_metadata_pager_and_default_output_like_the_aws_cli() {
    let env = Env::new();
    let password_file = env.path("params.json");
    write(
        &password_file,
        &format!(r#"{{"USERNAME": "alice", "PASSWORD": "{PASSWORD}"}}"#),
    );
    let params = format!("file://{}", password_file.display());
    let base = [
        "--auth-flow",
        "USER_PASSWORD_AUTH",
        "--auth-parameters",
        &params,
    ];
    let with = |extra: &[&str]| -> Vec<String> {
        base.iter().chain(extra).map(|s| (*s).to_owned()).collect()
    };
    // --analytics-metadata, and the old --analytics-endpoint-id still works.
    ok_json(&initiate_auth(
        &env,
        &with(&["--analytics-metadata", "AnalyticsEndpointId=e1"]),
    ));
    ok_json(&initiate_auth(
        &env,
        &with(&["--analytics-endpoint-id", "e1"]),
    ));
    let output = initiate_auth(&env, &with(&["--analytics-metadata", "Other=e1"]));
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "cognito-auth: error: --analytics-metadata: unknown key Other (AnalyticsEndpointId)\n"
    );
    let help = stdout(&env.run_args(["initiate-auth", "--help"]));
    assert!(help.contains("--analytics-metadata <MAP>"), "{help}");
    assert!(!help.contains("--analytics-endpoint-id"), "{help}");

    // --no-cli-pager is accepted; AWS_DEFAULT_OUTPUT picks the format, --output wins.
    let query = [
        "--query",
        "AuthenticationResult.TokenType",
        "--no-cli-pager",
    ];
    let mut command = env.cmd();
    command
        .env("AWS_DEFAULT_OUTPUT", "text")
        .args(["initiate-auth", "--client-id", CLIENT])
        .args(with(&query));
    let output = run(command);
    assert_eq!(stdout(&output), "Bearer\n", "{}", stderr(&output));
    let mut command = env.cmd();
    command
        .env("AWS_DEFAULT_OUTPUT", "text")
        .args(["initiate-auth", "--client-id", CLIENT, "--output", "json"])
        .args(with(&query));
    let output = run(command);
    assert_eq!(stdout(&output), "\"Bearer\"\n", "{}", stderr(&output));
    let mut command = env.cmd();
    command
        .env("AWS_DEFAULT_OUTPUT", "yaml-stream")
        .args(["initiate-auth", "--client-id", CLIENT])
        .args(with(&query));
    let output = run(command);
    assert_eq!(stdout(&output), "Bearer\n", "{}", stderr(&output));
}
