//! Faults from a hand-written loopback HTTP server: malformed JSON, a truncated body,
//! 5xx, throttling, a stall past the timeout, a refused connection. Each must end in
//! its typed error, quickly, without a panic. Also: the unsigned operations go out
//! with no credentials configured and no Authorization header. And two replies
//! the emulator never gives: a challenge loop that never ends, and required
//! attributes at NEW_PASSWORD_REQUIRED.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::config::timeout::TimeoutConfig;
use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;
use cognito_auth_flows::{
    Answer, ChallengeHandler, Declined, DeviceStore, Error, Flows, MemoryDeviceStore, Metadata,
    NewDevice, Prompt, Refresh, SignIn,
};
use cognito_auth_test_support::sdk::base_config;
use secrecy::SecretString;
use support::scripted::read_request;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

#[derive(Clone, Copy, Debug)]
enum Behaviour {
    MalformedJson,
    Truncated,
    InternalError,
    HtmlBadGateway,
    Throttle,
    Stall,
    /// A plausible success body per operation: CUSTOM_CHALLENGE forever.
    Ok,
    /// NEW_PASSWORD_REQUIRED asking for the `name` attribute, then tokens.
    NewPasswordRequired,
    /// "Device does not exist." for any call with a DEVICE_KEY, else tokens.
    ForgottenDevice,
}

struct Server {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

fn response(status: &str, content_type: &str, body: &str, extra: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n{extra}connection: close\r\n\r\n{body}",
        body.len()
    )
}

async fn serve(behaviour: Behaviour) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = requests.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let log = log.clone();
            tokio::spawn(async move {
                let Some(request) = read_request(&mut stream).await else {
                    return;
                };
                log.lock().unwrap().push(request.clone());
                let json = "application/x-amz-json-1.1";
                let reply = match behaviour {
                    Behaviour::MalformedJson => {
                        response("200 OK", json, "{\"ChallengeName\": ", "")
                    }
                    Behaviour::Truncated => {
                        let body = "{\"AuthenticationResult\":{\"AccessToken\":\"abc";
                        format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: {json}\r\ncontent-length: 500\r\n\r\n{body}"
                        )
                    }
                    Behaviour::InternalError => response(
                        "500 Internal Server Error",
                        json,
                        r#"{"__type":"InternalErrorException","message":"boom"}"#,
                        "x-amzn-errortype: InternalErrorException:\r\n",
                    ),
                    Behaviour::HtmlBadGateway => response(
                        "502 Bad Gateway",
                        "text/html",
                        "<html><body>bad gateway</body></html>",
                        "",
                    ),
                    Behaviour::Throttle => response(
                        "400 Bad Request",
                        json,
                        r#"{"__type":"TooManyRequestsException","message":"Rate exceeded"}"#,
                        "x-amzn-errortype: TooManyRequestsException:\r\n",
                    ),
                    Behaviour::Stall => {
                        tokio::time::sleep(Duration::from_secs(30)).await;
                        return;
                    }
                    Behaviour::NewPasswordRequired => {
                        let body = if request.contains("InitiateAuth") {
                            r#"{"ChallengeName":"NEW_PASSWORD_REQUIRED","Session":"s","ChallengeParameters":{"USER_ID_FOR_SRP":"ida","requiredAttributes":"[\"userAttributes.name\"]","userAttributes":"{\"email\":\"x@example.com\",\"email_verified\":\"true\"}"}}"#
                        } else {
                            r#"{"AuthenticationResult":{"AccessToken":"e30.e30.sig","ExpiresIn":3600},"ChallengeParameters":{}}"#
                        };
                        response("200 OK", json, body, "")
                    }
                    Behaviour::ForgottenDevice if request.contains("DEVICE_KEY") => response(
                        "400 Bad Request",
                        json,
                        r#"{"__type":"ResourceNotFoundException","message":"Device does not exist."}"#,
                        "x-amzn-errortype: ResourceNotFoundException:\r\n",
                    ),
                    Behaviour::ForgottenDevice => response(
                        "200 OK",
                        json,
                        r#"{"AuthenticationResult":{"AccessToken":"e30.e30.sig","ExpiresIn":3600},"ChallengeParameters":{}}"#,
                        "",
                    ),
                    Behaviour::Ok => {
                        let body = if request.contains("ConfirmDevice") {
                            r#"{"UserConfirmationNecessary":true}"#
                        } else if request.contains("GetTokensFromRefreshToken") {
                            r#"{"AuthenticationResult":{"AccessToken":"e30.e30.sig","ExpiresIn":3600}}"#
                        } else {
                            r#"{"ChallengeName":"CUSTOM_CHALLENGE","Session":"s","ChallengeParameters":{}}"#
                        };
                        response("200 OK", json, body, "")
                    }
                };
                let _ = stream.write_all(reply.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    Server { url, requests }
}

fn client(endpoint: &str) -> Client {
    let config = base_config(endpoint)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(5))
                .with_max_backoff(Duration::from_millis(20)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_millis(500))
                .read_timeout(Duration::from_millis(400))
                .operation_attempt_timeout(Duration::from_millis(500))
                .operation_timeout(Duration::from_secs(2))
                .build(),
        )
        .build();
    Client::from_conf(config)
}

const POOL_ID: &str = "us-east-1_Faults1";

fn flows(endpoint: &str) -> Flows {
    Flows::builder(client(endpoint), POOL_ID, "faultsclient")
        .build()
        .unwrap()
}

async fn sign_in_error(behaviour: Behaviour) -> (Error, usize) {
    let server = serve(behaviour).await;
    let err = flows(&server.url)
        .sign_in_srp("alice", &SecretString::from("Password 1"))
        .await
        .unwrap_err();
    let count = server.requests.lock().unwrap().len();
    (err, count)
}

#[tokio::test]
async fn malformed_json_is_a_malformed_reply() {
    let (err, _) = sign_in_error(Behaviour::MalformedJson).await;
    assert!(matches!(err, Error::MalformedReply { .. }), "{err:?}");
}

#[tokio::test]
async fn truncated_body_is_a_malformed_reply() {
    let (err, _) = sign_in_error(Behaviour::Truncated).await;
    assert!(
        matches!(&err, Error::MalformedReply { detail } if detail.contains("end of file")),
        "{err:?}"
    );
}

#[tokio::test]
async fn internal_error_is_a_server_error_after_retries() {
    let (err, count) = sign_in_error(Behaviour::InternalError).await;
    assert!(matches!(err, Error::Server { status: 500, .. }), "{err:?}");
    assert!(err.is_transient());
    assert_eq!(count, 2, "the SDK retried once (max_attempts = 2)");
}

#[tokio::test]
async fn html_bad_gateway_is_a_server_error() {
    let (err, _) = sign_in_error(Behaviour::HtmlBadGateway).await;
    assert!(matches!(err, Error::Server { status: 502, .. }), "{err:?}");
}

#[tokio::test]
async fn throttling_is_typed_after_the_sdk_retries() {
    let (err, count) = sign_in_error(Behaviour::Throttle).await;
    assert!(matches!(err, Error::Throttled { .. }), "{err:?}");
    assert_eq!(count, 2);
}

#[tokio::test]
async fn a_stalled_server_times_out() {
    let (err, _) = sign_in_error(Behaviour::Stall).await;
    assert!(matches!(err, Error::Timeout), "{err:?}");
}

#[tokio::test]
async fn a_refused_connection_is_a_network_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = flows(&url)
        .sign_in_srp("alice", &SecretString::from("Password 1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
}

#[tokio::test]
async fn unsigned_operations_need_no_credentials() {
    // The client has no credentials provider at all; these must still go out,
    // unsigned.
    let server = serve(Behaviour::Ok).await;
    let flows = flows(&server.url);
    let metadata = Metadata::default();
    let mut parameters = HashMap::new();
    parameters.insert("USERNAME".to_owned(), "alice".to_owned());
    let out = flows
        .initiate(
            aws_sdk_cognitoidentityprovider::types::AuthFlowType::CustomAuth,
            parameters,
            None,
            &metadata,
        )
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    let mut responses = HashMap::new();
    responses.insert("USERNAME".to_owned(), "alice".to_owned());
    responses.insert("ANSWER".to_owned(), "x".to_owned());
    flows
        .respond(
            ChallengeNameType::CustomChallenge,
            Some("s"),
            responses,
            &metadata,
        )
        .await
        .unwrap();
    let (_, necessary) = flows
        .confirm_device(
            &SecretString::from("access-token"),
            &NewDevice {
                device_key: "us-east-1_00000000-0000-0000-0000-000000000000".into(),
                device_group_key: "-grp".into(),
            },
            Some("laptop"),
        )
        .await
        .unwrap();
    assert!(necessary);
    // GetTokensFromRefreshToken: the SDK model wants SigV4 here; the crate sends it
    // unsigned anyway.
    let tokens = flows
        .refresh(&Refresh::new(SecretString::from("refresh")).rotating())
        .await
        .unwrap();
    assert_eq!(tokens.expires_in(), Duration::from_secs(3600));
    let requests = server.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 4);
    for (request, op) in requests.iter().zip([
        "InitiateAuth",
        "RespondToAuthChallenge",
        "ConfirmDevice",
        "GetTokensFromRefreshToken",
    ]) {
        let lower = request.to_ascii_lowercase();
        assert!(
            lower.contains(&format!(
                "awscognitoidentityproviderservice.{}",
                op.to_ascii_lowercase()
            )),
            "{request}"
        );
        assert!(!lower.contains("\r\nauthorization:"), "signed: {request}");
        assert!(!lower.contains("x-amz-security-token"), "{request}");
    }
}

#[tokio::test]
async fn a_server_that_never_ends_the_loop_hits_the_round_limit() {
    let server = serve(Behaviour::Ok).await;
    let flows = Flows::builder(client(&server.url), POOL_ID, "faultsclient")
        .max_rounds(6)
        .build()
        .unwrap();
    struct Always;
    impl ChallengeHandler for Always {
        async fn answer(&self, _: &Prompt) -> Result<Answer, Declined> {
            Ok(Answer::custom("again"))
        }
    }
    let err = flows
        .sign_in(
            &SignIn::srp("kim", SecretString::from("Password 1")),
            &Always,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TooManyRounds { rounds: 6 }), "{err:?}");
}

#[tokio::test]
async fn new_password_required_shows_the_required_attributes() {
    let server = serve(Behaviour::NewPasswordRequired).await;
    let seen = Mutex::new(Vec::new());
    struct Ida<'a>(&'a Mutex<Vec<Prompt>>);
    impl ChallengeHandler for Ida<'_> {
        async fn answer(&self, prompt: &Prompt) -> Result<Answer, Declined> {
            self.0.lock().unwrap().push(prompt.clone());
            Ok(Answer::NewPassword {
                password: SecretString::from("Brand new pass 1"),
                attributes: [("name".to_owned(), "Ida".to_owned())].into(),
            })
        }
    }
    flows(&server.url)
        .sign_in(
            &SignIn::password("ida", SecretString::from("Temp pass 1")),
            &Ida(&seen),
        )
        .await
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    let [
        Prompt::NewPassword {
            required_attributes,
            user_attributes,
        },
    ] = &seen[..]
    else {
        panic!("expected one new password prompt: {seen:?}")
    };
    assert_eq!(required_attributes, &vec!["name".to_owned()]);
    assert_eq!(user_attributes["email"], "x@example.com");
    let requests = server.requests.lock().unwrap().clone();
    let respond = requests.last().unwrap();
    assert!(
        respond.contains(r#""userAttributes.name":"Ida""#),
        "{respond}"
    );
    assert!(
        respond.contains(r#""NEW_PASSWORD":"Brand new pass 1""#),
        "{respond}"
    );
}

#[tokio::test]
async fn refresh_with_a_device_cognito_forgot_forgets_it_and_retries_without() {
    let server = serve(Behaviour::ForgottenDevice).await;
    let store = Arc::new(MemoryDeviceStore::new());
    let device = cognito_auth_srp::register_device("-grpKey01", "us-east-1_forgotten")
        .unwrap()
        .device;
    store.save(POOL_ID, "pat", &device).await.unwrap();
    let flows = Flows::builder(client(&server.url), POOL_ID, "faultsclient")
        .device_store(store.clone())
        .build()
        .unwrap();
    let refreshed = flows
        .refresh(&Refresh::new(SecretString::from("refresh")).with_username("pat"))
        .await
        .unwrap();
    assert!(refreshed.device_was_forgotten());
    assert_eq!(refreshed.device_key(), None);
    assert!(store.load(POOL_ID, "pat").await.unwrap().is_none());
    let requests = server.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2);
    assert!(requests[0].contains(r#""DEVICE_KEY":"us-east-1_forgotten""#));
    assert!(!requests[1].contains("DEVICE_KEY"));
}
