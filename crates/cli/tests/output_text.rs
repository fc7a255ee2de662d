//! `--output text`, `yaml` and `table` for fixed replies from a loopback server,
//! against outputs written by hand from the AWS CLI's documented text rules; and
//! control characters the server sends reach the terminal escaped.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod local_server;

use std::process::Output;

use local_server::{Behaviour, LocalServer, refresh_initiate_auth};

const TOKENS_REPLY: &str = r#"{"AuthenticationResult":{"AccessToken":"acc","ExpiresIn":3600,"IdToken":"idt","RefreshToken":"ref","TokenType":"Bearer","NewDeviceMetadata":{"DeviceKey":"us-east-1_dev","DeviceGroupKey":"grp"}},"ChallengeParameters":{}}"#;
const CHALLENGE_REPLY: &str = r#"{"ChallengeName":"SOFTWARE_TOKEN_MFA","Session":"sess","ChallengeParameters":{"USER_ID_FOR_SRP":"alice","FRIENDLY_DEVICE_NAME":"phone"}}"#;

fn refresh_call(reply: &str, status: u16, output: &[&str]) -> Output {
    let server = LocalServer::start(Behaviour::Reply {
        status,
        body: reply.to_owned(),
    });
    refresh_initiate_auth(&server.endpoint, output)
}

fn out(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn text_labels_nested_objects_with_their_upper_case_key() {
    // No scalars at the top; each nested object's scalars in key order after its
    // upper-cased key; the empty ChallengeParameters prints nothing.
    assert_eq!(
        out(&refresh_call(TOKENS_REPLY, 200, &["--output", "text"])),
        "AUTHENTICATIONRESULT\tacc\t3600\tidt\tref\tBearer\n\
         NEWDEVICEMETADATA\tgrp\tus-east-1_dev\n"
    );
    // Top-level scalars bare, in key order; then the nested map.
    assert_eq!(
        out(&refresh_call(CHALLENGE_REPLY, 200, &["--output", "text"])),
        "SOFTWARE_TOKEN_MFA\tsess\n\
         CHALLENGEPARAMETERS\tphone\talice\n"
    );
}

#[test]
fn yaml_and_table_outputs() {
    assert_eq!(
        out(&refresh_call(CHALLENGE_REPLY, 200, &["--output", "yaml"])),
        "ChallengeName: SOFTWARE_TOKEN_MFA\n\
         ChallengeParameters:\n  FRIENDLY_DEVICE_NAME: phone\n  USER_ID_FOR_SRP: alice\n\
         Session: sess\n"
    );
    assert_eq!(
        out(&refresh_call(CHALLENGE_REPLY, 200, &["--output", "table"])),
        "+------------------------------------------+--------------------+\n\
         | ChallengeName                            | SOFTWARE_TOKEN_MFA |\n\
         | ChallengeParameters.FRIENDLY_DEVICE_NAME | phone              |\n\
         | ChallengeParameters.USER_ID_FOR_SRP      | alice              |\n\
         | Session                                  | sess               |\n\
         +------------------------------------------+--------------------+\n"
    );
}

#[test]
fn control_characters_from_the_server_are_escaped() {
    let reply = r#"{"ChallengeName":"CUSTOM_CHALLENGE","Session":"s","ChallengeParameters":{"question":"\u001b[2J\u001b]0;pwned\u0007What?"}}"#;
    let text = out(&refresh_call(reply, 200, &["--output", "text"]));
    assert_eq!(
        text,
        "CUSTOM_CHALLENGE\ts\nCHALLENGEPARAMETERS\t\\x1b[2J\\x1b]0;pwned\\x07What?\n"
    );
    // JSON escapes them itself.
    let json = out(&refresh_call(reply, 200, &[]));
    assert!(json.contains(r"\u001b[2J"), "{json}");
    assert!(!json.contains('\x1b'));

    // An error message: the one error line shows the escapes, not the bytes.
    let error = r#"{"__type":"NotAuthorizedException","message":"Incorrect \u001b[31musername\u001b[0m or password."}"#;
    let output = refresh_call(error, 400, &[]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains('\x1b'), "{stderr:?}");
    assert!(
        stderr.contains(r"Incorrect \x1b[31musername\x1b[0m or password."),
        "{stderr}"
    );
}
