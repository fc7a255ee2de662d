//! Helpers shared by the integration tests: an emulator, an SDK client pointed
//! at it, pools and users, and SRP sign-in driven through the real SDK.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType,
    PreventUserExistenceErrorTypes,
};
use cognito_auth_emulator::{Emulator, EmulatorConfig};
use cognito_auth_srp::{AppClient, PoolId, SystemClock, UserSrpClient};
use secrecy::SecretString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const PASSWORD: &str = "Correct-Horse-9";

pub async fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::default()).await.unwrap()
}

pub fn sdk(endpoint: &str) -> Client {
    let config = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        ))
        .endpoint_url(endpoint)
        .build();
    Client::from_conf(config)
}

/// `(code, message)` of an SDK error.
pub fn error_of<E: ProvideErrorMetadata>(error: &E) -> (String, String) {
    (
        error.code().unwrap_or_default().to_owned(),
        error.message().unwrap_or_default().to_owned(),
    )
}

#[derive(Clone, Debug, Default)]
pub struct PoolOptions {
    pub email_username: bool,
    pub email_alias: bool,
    pub devices: bool,
    pub mfa: Option<&'static str>,
}

#[derive(Clone, Debug)]
pub struct ClientOptions {
    pub secret: bool,
    pub flows: Vec<ExplicitAuthFlowsType>,
    pub prevent_existence_errors: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            secret: false,
            flows: vec![
                ExplicitAuthFlowsType::AllowUserSrpAuth,
                ExplicitAuthFlowsType::AllowRefreshTokenAuth,
                ExplicitAuthFlowsType::AllowUserPasswordAuth,
                ExplicitAuthFlowsType::AllowAdminUserPasswordAuth,
            ],
            prevent_existence_errors: false,
        }
    }
}

/// A pool and app client set up through the SDK.
#[derive(Clone, Debug)]
pub struct Setup {
    pub pool_id: String,
    pub client_id: String,
    pub client_secret: Option<String>,
}

impl Setup {
    pub fn app(&self) -> AppClient {
        match &self.client_secret {
            Some(secret) => {
                AppClient::with_secret(self.client_id.clone(), SecretString::from(secret.clone()))
            }
            None => AppClient::new(self.client_id.clone()),
        }
    }

    pub fn secret_hash(&self, username: &str) -> Option<String> {
        self.app().secret_hash(username)
    }
}

pub async fn create_pool(sdk: &Client, pool: PoolOptions) -> String {
    let mut request = sdk.create_user_pool().pool_name("test-pool");
    if pool.email_username {
        request = request.username_attributes(
            aws_sdk_cognitoidentityprovider::types::UsernameAttributeType::Email,
        );
    }
    if pool.email_alias {
        request = request
            .alias_attributes(aws_sdk_cognitoidentityprovider::types::AliasAttributeType::Email);
    }
    if pool.devices {
        request = request.device_configuration(
            aws_sdk_cognitoidentityprovider::types::DeviceConfigurationType::builder()
                .challenge_required_on_new_device(false)
                .device_only_remembered_on_user_prompt(false)
                .build(),
        );
    }
    if let Some(mfa) = pool.mfa {
        request = request.mfa_configuration(mfa.into());
    }
    let created = request.send().await.unwrap();
    created.user_pool().unwrap().id().unwrap().to_owned()
}

pub async fn create_client(sdk: &Client, pool_id: &str, options: ClientOptions) -> Setup {
    let mut request = sdk
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("test-client")
        .generate_secret(options.secret)
        .set_explicit_auth_flows(Some(options.flows));
    if options.prevent_existence_errors {
        request = request.prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled);
    }
    let client = request.send().await.unwrap();
    let client = client.user_pool_client().unwrap();
    Setup {
        pool_id: pool_id.to_owned(),
        client_id: client.client_id().unwrap().to_owned(),
        client_secret: client.client_secret().map(str::to_owned),
    }
}

pub async fn setup(sdk: &Client, pool: PoolOptions, client: ClientOptions) -> Setup {
    let pool_id = create_pool(sdk, pool).await;
    create_client(sdk, &pool_id, client).await
}

/// Creates a confirmed user with [`PASSWORD`] and the given attributes.
pub async fn create_user(sdk: &Client, setup: &Setup, username: &str, attributes: &[(&str, &str)]) {
    let attributes: Vec<AttributeType> = attributes
        .iter()
        .map(|(n, v)| AttributeType::builder().name(*n).value(*v).build().unwrap())
        .collect();
    sdk.admin_create_user()
        .user_pool_id(&setup.pool_id)
        .username(username)
        .set_user_attributes(Some(attributes))
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    sdk.admin_set_user_password()
        .user_pool_id(&setup.pool_id)
        .username(username)
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
}

/// The outcome of the PASSWORD_VERIFIER step of a USER_SRP_AUTH sign-in.
pub type Verified = Result<
    RespondToAuthChallengeOutput,
    aws_sdk_cognitoidentityprovider::error::SdkError<
        aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeError,
    >,
>;

/// InitiateAuth(USER_SRP_AUTH) then RespondToAuthChallenge(PASSWORD_VERIFIER),
/// computing the proof with cognito-auth-srp.
pub async fn srp_sign_in(
    sdk: &Client,
    setup: &Setup,
    username: &str,
    password: &str,
    device_key: Option<&str>,
) -> Verified {
    let srp = UserSrpClient::new(PoolId::parse(&setup.pool_id).unwrap(), setup.app()).unwrap();
    let params: HashMap<String, String> = srp
        .initiate_auth_parameters(username, device_key)
        .into_iter()
        .collect();
    let started = sdk
        .initiate_auth()
        .auth_flow(AuthFlowType::UserSrpAuth)
        .client_id(&setup.client_id)
        .set_auth_parameters(Some(params))
        .send()
        .await
        .unwrap();
    assert_eq!(
        started.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    let challenge = started.challenge_parameters().unwrap().clone();
    answer_password_verifier(
        sdk,
        &setup.client_id,
        &srp,
        &challenge,
        started.session(),
        password,
        device_key,
    )
    .await
}

/// RespondToAuthChallenge(PASSWORD_VERIFIER) to the challenge parameters of an
/// InitiateAuth, the proof computed by `srp` from `password`.
pub async fn answer_password_verifier(
    sdk: &Client,
    client_id: &str,
    srp: &UserSrpClient,
    challenge: &HashMap<String, String>,
    session: Option<&str>,
    password: &str,
    device_key: Option<&str>,
) -> Verified {
    let responses: HashMap<String, String> = srp
        .password_verifier_responses(
            challenge,
            &SecretString::from(password.to_owned()),
            device_key,
            &SystemClock,
        )
        .unwrap()
        .into_iter()
        .collect();
    sdk.respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .set_session(session.map(str::to_owned))
        .set_challenge_responses(Some(responses))
        .send()
        .await
}

/// The Python for interop and trigger tests: `COGNITO_AUTH_PYTHON`, else
/// `.venv/bin/python` at the workspace root (what `.ci/run` makes). A missing
/// one fails the test that needs it, with this hint.
pub fn python() -> std::path::PathBuf {
    let python = match std::env::var_os("COGNITO_AUTH_PYTHON") {
        Some(path) => std::path::PathBuf::from(path),
        None => std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python"),
    };
    assert!(
        python.exists(),
        "no Python at {} (set COGNITO_AUTH_PYTHON, or run: python3 -m venv .venv && .venv/bin/pip install -r scripts/interop-requirements.txt)",
        python.display()
    );
    python
}

/// A raw HTTP/1.1 exchange with the emulator: `(status, headers, body)`.
pub async fn raw_request(
    address: std::net::SocketAddr,
    request_head: &str,
    body: &[u8],
) -> (u16, String, String) {
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "{request_head}\r\nHost: {address}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // The server may answer before reading a huge body; a failed write is fine.
    let _ = stream.write_all(body).await;
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut response)).await;
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}

/// POSTs a body to `/` with the given X-Amz-Target operation.
pub async fn post_operation(
    address: std::net::SocketAddr,
    operation: &str,
    body: &[u8],
) -> (u16, String, String) {
    raw_request(
        address,
        &format!(
            "POST / HTTP/1.1\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: AWSCognitoIdentityProviderService.{operation}"
        ),
        body,
    )
    .await
}
