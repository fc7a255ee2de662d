//! Items 5, 7 and 9 of issue 14: unbounded input kept in memory, races around
//! the lockout and refresh-token rotation, and secrets in files and logs.

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, AuthFlowType};
use cognito_auth_emulator::{Emulator, EmulatorConfig};
use cognito_auth_srp::SystemClock;
use cognito_auth_test_support::*;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinSet;

/// `(__type, message)` of an error body.
fn error_of_body(body: &str) -> (String, String) {
    let value: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    (
        value["__type"].as_str().unwrap_or_default().to_owned(),
        value["message"].as_str().unwrap_or_default().to_owned(),
    )
}

/// POSTs `input` to `operation` and returns the InvalidParameterException's
/// message it must be refused with.
async fn refused(address: SocketAddr, operation: &str, input: &Value) -> String {
    let (status, _, body) = post_operation(address, operation, input.to_string().as_bytes()).await;
    let (kind, message) = error_of_body(&body);
    assert_eq!(
        (status, kind.as_str()),
        (400, "InvalidParameterException"),
        "{operation}: {message}"
    );
    message
}

/// The map-entry constraint AWS prints for `StringType` values (model
/// `AuthParametersType`/`ChallengeResponsesType`/`ClientMetadataType`: map of
/// StringType, max 131072; message shape as AWS prints map constraints, e.g.
/// hashicorp/terraform-provider-aws#41023).
fn map_value_error(member: &str) -> String {
    format!(
        "Value at '{member}' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 131072, Member must have length greater than or equal to 0]"
    )
}

// Botocore cognito-idp 2016-04-18: UsernameType 1..128, pattern below; the
// "Value at 'username' failed to satisfy constraint" wording is AWS's
// (quoted in ks888/LambStatus#6).
const USERNAME_TOO_LONG: &str = "Value at 'username' failed to satisfy constraint: Member must have length less than or equal to 128";
const USERNAME_PATTERN: &str = "Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+";
// DeviceKeyType: 1..55, pattern [\w-]+_[0-9a-f-]+ (not sensitive: AWS quotes short values).
const DEVICE_KEY_TOO_LONG: &str = "Value at 'deviceKey' failed to satisfy constraint: Member must have length less than or equal to 55";
const DEVICE_KEY_PATTERN: &str = "failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-f-]+";

fn srp_input(client_id: &str, username: &str, extra: &[(&str, &str)]) -> Value {
    let mut parameters = json!({ "USERNAME": username, "SRP_A": "ab" });
    for (name, value) in extra {
        parameters[*name] = json!(value);
    }
    json!({ "AuthFlow": "USER_SRP_AUTH", "ClientId": client_id, "AuthParameters": parameters })
}

/// Starts `count` USER_SRP_AUTH sign-ins (never answered) for names made by
/// `name`, eight at a time.
async fn start_sign_ins(sdk: &Client, setup: &Setup, count: usize, name: fn(usize) -> String) {
    let mut running = JoinSet::new();
    for n in 0..count {
        let (sdk, setup) = (sdk.clone(), setup.clone());
        running.spawn(async move {
            let srp = srp_client(&setup);
            start_user_srp(&sdk, &setup, &srp, &name(n)).await.unwrap();
        });
        if running.len() >= 8 {
            running.join_next().await.unwrap().unwrap();
        }
    }
    while let Some(done) = running.join_next().await {
        done.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hole_05_unbounded_input_is_refused_and_the_session_table_is_capped() {
    let client = ClientOptions {
        prevent_existence_errors: true,
        ..ClientOptions::default()
    };
    let (emulator, sdk, setup) = emulator_with_pool(PoolOptions::default(), client).await;
    create_user(&sdk, &setup, "alice", &[]).await;
    create_user(&sdk, &setup, "mallory", &[]).await;
    let address = emulator.address();
    let id = setup.client_id.as_str();

    // USERNAME: length, then a 200 KB one (also over the map entry limit), then
    // the pattern.
    let message = refused(
        address,
        "InitiateAuth",
        &srp_input(id, &"u".repeat(129), &[]),
    )
    .await;
    assert_eq!(
        message,
        format!("1 validation error detected: {USERNAME_TOO_LONG}")
    );
    let huge = "u".repeat(200_000);
    let message = refused(address, "InitiateAuth", &srp_input(id, &huge, &[])).await;
    assert_eq!(
        message,
        format!(
            "2 validation errors detected: {}; {USERNAME_TOO_LONG}",
            map_value_error("authParameters")
        )
    );
    let message = refused(address, "InitiateAuth", &srp_input(id, "two words", &[])).await;
    assert_eq!(
        message,
        format!("1 validation error detected: {USERNAME_PATTERN}")
    );

    // DEVICE_KEY: its shape (region_uuid) and a 200 KB one.
    let input = srp_input(id, "alice", &[("DEVICE_KEY", "not-a-device-key")]);
    let message = refused(address, "InitiateAuth", &input).await;
    assert_eq!(
        message,
        format!("1 validation error detected: Value at 'deviceKey' {DEVICE_KEY_PATTERN}")
    );
    let input = srp_input(id, "alice", &[("DEVICE_KEY", &"d".repeat(200_000))]);
    let message = refused(address, "InitiateAuth", &input).await;
    assert_eq!(
        message,
        format!(
            "3 validation errors detected: {}; {DEVICE_KEY_TOO_LONG}; Value at 'deviceKey' {DEVICE_KEY_PATTERN}",
            map_value_error("authParameters")
        )
    );
    // The top-level DeviceKey member is not sensitive: a short value is quoted.
    let input = json!({ "AccessToken": "a.b.c", "DeviceKey": "bad" });
    let message = refused(address, "GetDevice", &input).await;
    assert_eq!(
        message,
        format!("1 validation error detected: Value 'bad' at 'deviceKey' {DEVICE_KEY_PATTERN}")
    );

    // Session: SessionType 20..2048.
    let respond = |session: String| {
        json!({
            "ClientId": id,
            "ChallengeName": "SMS_MFA",
            "Session": session,
            "ChallengeResponses": { "USERNAME": "alice", "SMS_MFA_CODE": "123456" },
        })
    };
    let message = refused(
        address,
        "RespondToAuthChallenge",
        &respond("s".repeat(2049)),
    )
    .await;
    assert_eq!(
        message,
        "1 validation error detected: Value at 'session' failed to satisfy constraint: Member must have length less than or equal to 2048"
    );
    let message = refused(address, "RespondToAuthChallenge", &respond("s".repeat(19))).await;
    assert_eq!(
        message,
        "1 validation error detected: Value at 'session' failed to satisfy constraint: Member must have length greater than or equal to 20"
    );

    // ChallengeResponses and ClientMetadata entries: StringType, max 131072.
    let mut big_answer = respond("s".repeat(40));
    big_answer["ChallengeResponses"]["ANSWER"] = json!("a".repeat(131_073));
    let message = refused(address, "RespondToAuthChallenge", &big_answer).await;
    assert_eq!(
        message,
        format!(
            "1 validation error detected: {}",
            map_value_error("challengeResponses")
        )
    );
    let mut metadata = srp_input(id, "alice", &[]);
    metadata["ClientMetadata"] = json!({ "note": "m".repeat(131_073) });
    let message = refused(address, "InitiateAuth", &metadata).await;
    assert_eq!(
        message,
        format!(
            "1 validation error detected: {}",
            map_value_error("clientMetadata")
        )
    );

    // Attribute values: AttributeValueType, max 2048.
    let input = json!({
        "UserPoolId": setup.pool_id,
        "Username": "alice",
        "UserAttributes": [{ "Name": "name", "Value": "n".repeat(2049) }],
    });
    let message = refused(address, "AdminUpdateUserAttributes", &input).await;
    assert_eq!(
        message,
        "1 validation error detected: Value at 'userAttributes.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 2048"
    );

    // SRP_A: hex and at most 770 characters (already enforced; kept here).
    let input = srp_input(id, "alice", &[("SRP_A", &"f".repeat(1000))]);
    let message = refused(address, "InitiateAuth", &input).await;
    assert!(message.contains("'sRPA'"), "{message}");

    // The body cap applies before a byte of an oversized body is read or parsed:
    // a request that declares 10 MB is answered at once.
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth\r\nContent-Length: 10485760\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0; 64];
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer[..read.ok().and_then(Result::ok).unwrap_or(0)])
        .into_owned();
    assert!(
        answer.starts_with("HTTP/1.1 413"),
        "no answer to a 10 MB declaration within 5 s: {answer:?}"
    );

    // Memory: 200 requests of 250 KB leave nothing in the session table.
    let oversized = srp_input(id, &"o".repeat(250_000), &[]).to_string();
    let mut running = JoinSet::new();
    for _ in 0..200 {
        let body = oversized.clone();
        running.spawn(async move {
            post_operation(address, "InitiateAuth", body.as_bytes())
                .await
                .0
        });
        if running.len() >= 8 {
            assert_eq!(running.join_next().await.unwrap().unwrap(), 400);
        }
    }
    while let Some(status) = running.join_next().await {
        assert_eq!(status.unwrap(), 400);
    }
    assert_eq!(emulator.service().live_sessions(), 0);

    // A flood of sign-ins started and never answered, for one user and for
    // names that match no user, is capped (50 per user of a client, unknown
    // names counting as one user: sessions::Caps) and evicts only its own
    // oldest sessions: alice's sign-in, started first, still completes.
    let srp = srp_client(&setup);
    let alice = start_user_srp(&sdk, &setup, &srp, "alice").await.unwrap();
    start_sign_ins(&sdk, &setup, 60, |_| "mallory".to_owned()).await;
    start_sign_ins(&sdk, &setup, 60, |n| format!("ghost-{n}")).await;
    assert_eq!(emulator.service().live_sessions(), 1 + 50 + 50);
    let done = prove_password(&sdk, id, &srp, &alice, PASSWORD, None).await;
    expect_tokens(done);
    emulator.shutdown().await;
}

async fn password_sign_in(sdk: &Client, setup: &Setup, username: &str) -> (String, String) {
    let tokens = expect_tokens(
        initiate(
            sdk,
            &setup.client_id,
            AuthFlowType::UserPasswordAuth,
            &[("USERNAME", username), ("PASSWORD", PASSWORD)],
        )
        .await,
    );
    (
        tokens.refresh_token().unwrap().to_owned(),
        tokens.access_token().unwrap().to_owned(),
    )
}

/// Sends raw API requests so that they arrive together: every connection is
/// open before any request is written. Their `(status, body)`, in order.
async fn at_once(address: SocketAddr, requests: Vec<(&'static str, Value)>) -> Vec<(u16, Value)> {
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(requests.len()));
    let mut handles = Vec::new();
    for (operation, input) in requests {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        let barrier = std::sync::Arc::clone(&barrier);
        handles.push(tokio::spawn(async move {
            let body = input.to_string();
            let request = format!(
                "POST / HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: AWSCognitoIdentityProviderService.{operation}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            barrier.wait().await;
            stream.write_all(request.as_bytes()).await.unwrap();
            let mut response = Vec::new();
            stream.read_to_end(&mut response).await.unwrap();
            let text = String::from_utf8_lossy(&response).into_owned();
            let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
            let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
            (status, serde_json::from_str(body).unwrap_or(Value::Null))
        }));
    }
    let mut outcomes = Vec::new();
    for handle in handles {
        outcomes.push(handle.await.unwrap());
    }
    outcomes
}

/// A GetTokensFromRefreshToken request.
fn rotation(setup: &Setup, refresh: &str) -> (&'static str, Value) {
    let input = json!({ "ClientId": setup.client_id, "RefreshToken": refresh });
    ("GetTokensFromRefreshToken", input)
}

/// The (refresh, access) tokens of the rotations that succeeded.
fn winners(outcomes: &[(u16, Value)]) -> Vec<(String, String)> {
    outcomes
        .iter()
        .filter(|(status, _)| *status == 200)
        .filter_map(|(_, body)| {
            let result = &body["AuthenticationResult"];
            Some((
                result["RefreshToken"].as_str()?.to_owned(),
                result["AccessToken"].as_str()?.to_owned(),
            ))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hole_07_lockout_and_refresh_rotation_hold_under_parallel_requests() {
    let client = ClientOptions {
        refresh_token_rotation: true,
        ..ClientOptions::default()
    };
    let (emulator, sdk, setup) = emulator_with_pool(PoolOptions::default(), client).await;
    create_user(&sdk, &setup, "victim", &[]).await;
    create_user(&sdk, &setup, "rotor", &[]).await;

    // Lockout: 16 wrong SRP proofs at once get five checks, as in sequence:
    // "We allow five failed sign-in attempts. After that we start temporary
    // lockouts" (amazon-cognito-user-pools-authentication-flow.md); attempts
    // during a lockout are refused with "Password attempts exceeded".
    // Sent so that they arrive together: the five checks are still running
    // when the other answers come.
    let mut answers = Vec::new();
    for _ in 0..16 {
        let srp = srp_client(&setup);
        let started = start_user_srp(&sdk, &setup, &srp, "victim").await.unwrap();
        let responses = password_verifier_responses(
            &srp,
            started.challenge_parameters().unwrap(),
            "Wrong-Password-1",
            None,
            &SystemClock,
        );
        let input = json!({
            "ClientId": setup.client_id,
            "ChallengeName": "PASSWORD_VERIFIER",
            "Session": started.session(),
            "ChallengeResponses": responses,
        });
        answers.push(("RespondToAuthChallenge", input));
    }
    let outcomes: Vec<String> = at_once(emulator.address(), answers)
        .await
        .into_iter()
        .map(|(_, body)| body["message"].as_str().unwrap_or_default().to_owned())
        .collect();
    let checked = outcomes
        .iter()
        .filter(|m| *m == "Incorrect username or password.")
        .count();
    let refused = outcomes
        .iter()
        .filter(|m| *m == "Password attempts exceeded")
        .count();
    assert_eq!((checked, refused), (5, 11), "{outcomes:?}");

    // Rotation: of 16 GetTokensFromRefreshToken with one token at once exactly
    // one succeeds ("a successful request immediately invalidates the
    // submitted refresh token", RefreshTokenRotationType in the API model); the
    // others get what a later call with the spent token gets.
    let address = emulator.address();
    for _ in 0..8 {
        let (refresh, _) = password_sign_in(&sdk, &setup, "rotor").await;
        let outcomes = at_once(address, vec![rotation(&setup, &refresh); 16]).await;
        assert_eq!(winners(&outcomes).len(), 1, "{outcomes:?}");
        for (status, body) in outcomes.iter().filter(|(status, _)| *status != 200) {
            assert_eq!(*status, 400);
            assert_eq!(
                (body["__type"].as_str(), body["message"].as_str()),
                (
                    Some("NotAuthorizedException"),
                    Some("Refresh Token has been revoked")
                )
            );
        }
    }

    // Rotation racing RevokeToken and GlobalSignOut: once all have answered, no
    // token of the sign-in is usable, whoever won the race.
    let mut leaked = Vec::new();
    for round in 0..16 {
        let (refresh, access) = password_sign_in(&sdk, &setup, "rotor").await;
        let mut requests = vec![rotation(&setup, &refresh); 8];
        let revocation = if round % 2 == 0 {
            let input = json!({ "ClientId": setup.client_id, "Token": refresh });
            ("RevokeToken", input)
        } else {
            ("GlobalSignOut", json!({ "AccessToken": access }))
        };
        requests.insert(4, revocation);
        let outcomes = at_once(address, requests).await;
        assert_eq!(outcomes[4], (200, json!({})), "the revocation succeeds");
        for (new_refresh, new_access) in winners(&outcomes) {
            let refreshed = sdk
                .get_tokens_from_refresh_token()
                .client_id(&setup.client_id)
                .refresh_token(&new_refresh)
                .send()
                .await;
            let user = sdk.get_user().access_token(&new_access).send().await;
            if refreshed.is_ok() || user.is_ok() {
                leaked.push(round);
            }
        }
    }
    assert_eq!(leaked, Vec::<i32>::new(), "rounds that left a live token");
    emulator.shutdown().await;
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hole_09_database_files_are_private_and_logs_carry_no_codes() {
    let folder = tempfile::tempdir().unwrap();

    // A new database file (and its WAL and shared-memory files) is 0600.
    let fresh = folder.path().join("fresh.sqlite3");
    let config = EmulatorConfig {
        data: Some(fresh.clone()),
        ..emulator_config()
    };
    let emulator = Emulator::start(config).await.unwrap();
    setup(
        &sdk(&emulator.endpoint_url()),
        PoolOptions::default(),
        ClientOptions::default(),
    )
    .await;
    for file in [
        fresh.clone(),
        with_suffix(&fresh, "-wal"),
        with_suffix(&fresh, "-shm"),
    ] {
        assert_eq!(format!("{:o}", mode(&file)), "600", "{}", file.display());
    }
    emulator.shutdown().await;

    // The release binary, over a file left world-readable, logging at info.
    let existing = folder.path().join("existing.sqlite3");
    std::fs::write(&existing, b"").unwrap();
    std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_cognito-auth-emulator"));
    command
        .arg("--port=0")
        .arg("--data")
        .arg(&existing)
        .env("RUST_LOG", "info")
        .stderr(std::process::Stdio::piped());
    let (mut server, endpoint) = spawn_listening(command).await;
    let address: SocketAddr = endpoint.trim_start_matches("http://").parse().unwrap();
    let sdk = sdk(&endpoint);
    let setup = setup(&sdk, PoolOptions::default(), ClientOptions::default()).await;
    sign_up(&sdk, &setup, "signer", &[("email", "signer@example.com")]).await;
    let email = AttributeType::builder()
        .name("email")
        .value("invitee@example.com")
        .build()
        .unwrap();
    sdk.admin_create_user()
        .user_pool_id(&setup.pool_id)
        .username("invitee")
        .user_attributes(email)
        .send()
        .await
        .unwrap();
    let (status, _, body) = raw_request(address, "GET /_emulator/outbox HTTP/1.1", b"").await;
    assert_eq!(status, 200);
    let outbox: Value = serde_json::from_str(&body).unwrap();
    let secrets: Vec<String> = outbox["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        secrets.len(),
        2,
        "a sign-up code and a temporary password: {body}"
    );
    for file in [
        existing.clone(),
        with_suffix(&existing, "-wal"),
        with_suffix(&existing, "-shm"),
    ] {
        assert_eq!(format!("{:o}", mode(&file)), "600", "{}", file.display());
    }
    server.start_kill().unwrap();
    let mut log = String::new();
    let mut stderr = server.stderr.take().unwrap();
    stderr.read_to_string(&mut log).await.unwrap();
    server.wait().await.unwrap();
    // The outbox is where codes are read; the log only says a message was sent.
    assert!(log.contains("outbox"), "{log}");
    for secret in &secrets {
        assert!(
            !log.contains(secret.as_str()),
            "the log shows {secret}: {log}"
        );
    }
}
