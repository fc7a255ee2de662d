//! Helpers shared by the integration tests: an emulator, an SDK client pointed
//! at it, pools and users, and SRP sign-in driven through the real SDK.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::operation::confirm_device::ConfirmDeviceOutput;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::{
    InitiateAuthError, InitiateAuthOutput,
};
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::{
    RespondToAuthChallengeError, RespondToAuthChallengeOutput,
};
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, ChallengeNameType, DeviceSecretVerifierConfigType,
    ExplicitAuthFlowsType, PreventUserExistenceErrorTypes,
};
use cognito_auth_emulator::{Emulator, EmulatorConfig};
use cognito_auth_srp::{
    AppClient, Clock, DeviceRegistration, DeviceSrpClient, PoolId, SystemClock, UserSrpClient,
};
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

impl ClientOptions {
    /// The default flows with a generated client secret, so every call needs
    /// a SECRET_HASH.
    pub fn with_secret() -> Self {
        Self {
            secret: true,
            ..Self::default()
        }
    }
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

/// A fresh emulator, an SDK client pointed at it, and a pool and app client
/// with these options: how most tests begin.
pub async fn emulator_with_pool(
    pool: PoolOptions,
    client: ClientOptions,
) -> (Emulator, Client, Setup) {
    let emulator = emulator().await;
    let sdk = sdk(&emulator.endpoint_url());
    let setup = setup(&sdk, pool, client).await;
    (emulator, sdk, setup)
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

/// The outcome of a RespondToAuthChallenge, kept as a `Result` so tests can
/// check refusals as well as successes.
pub type Responded = Result<RespondToAuthChallengeOutput, SdkError<RespondToAuthChallengeError>>;

/// The outcome of the PASSWORD_VERIFIER step of a USER_SRP_AUTH sign-in.
pub type Verified = Responded;

/// A USER_SRP_AUTH client for the pool and app client of `setup`.
pub fn srp_client(setup: &Setup) -> UserSrpClient {
    UserSrpClient::new(PoolId::parse(&setup.pool_id).unwrap(), setup.app()).unwrap()
}

/// InitiateAuth(USER_SRP_AUTH) with the SRP_A (and SECRET_HASH) of `srp`, not
/// yet answered: for tests that look at the challenge or its refusal, or that
/// answer it in an unusual way.
pub async fn start_user_srp(
    sdk: &Client,
    setup: &Setup,
    srp: &UserSrpClient,
    username: &str,
) -> Result<InitiateAuthOutput, SdkError<InitiateAuthError>> {
    let parameters = srp
        .initiate_auth_parameters(username, None)
        .into_iter()
        .collect();
    initiate_with(sdk, &setup.client_id, AuthFlowType::UserSrpAuth, parameters).await
}

/// The PASSWORD_VERIFIER answers `srp` computes from `password` for these
/// challenge parameters, timestamped by `clock` (tests skew it on purpose).
pub fn password_verifier_responses(
    srp: &UserSrpClient,
    challenge: &HashMap<String, String>,
    password: &str,
    device_key: Option<&str>,
    clock: &dyn Clock,
) -> HashMap<String, String> {
    srp.password_verifier_responses(
        challenge,
        &SecretString::from(password.to_owned()),
        device_key,
        clock,
    )
    .unwrap()
    .into_iter()
    .collect()
}

/// RespondToAuthChallenge to `challenge` with the given answers (USERNAME and
/// the code, the answer, the new password...), the way an app answers a
/// challenge it was shown.
pub async fn respond(
    sdk: &Client,
    client_id: &str,
    challenge: ChallengeNameType,
    session: Option<&str>,
    responses: &[(&str, &str)],
) -> Responded {
    respond_with(sdk, client_id, challenge, session, pairs(responses)).await
}

/// [`respond`] with answers already in a map (as cognito-auth-srp computes
/// them), so tests can change them before sending.
pub async fn respond_with(
    sdk: &Client,
    client_id: &str,
    challenge: ChallengeNameType,
    session: Option<&str>,
    responses: HashMap<String, String>,
) -> Responded {
    sdk.respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(challenge)
        .set_session(session.map(str::to_owned))
        .set_challenge_responses(Some(responses))
        .send()
        .await
}

/// InitiateAuth with a flow and its parameters, for the flows that need no
/// SRP (USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH, USER_AUTH, CUSTOM_AUTH).
pub async fn initiate(
    sdk: &Client,
    client_id: &str,
    flow: AuthFlowType,
    parameters: &[(&str, &str)],
) -> Result<InitiateAuthOutput, SdkError<InitiateAuthError>> {
    initiate_with(sdk, client_id, flow, pairs(parameters)).await
}

/// [`initiate`] with parameters already in a map (as cognito-auth-srp makes
/// them), so tests can add or drop some before sending.
pub async fn initiate_with(
    sdk: &Client,
    client_id: &str,
    flow: AuthFlowType,
    parameters: HashMap<String, String>,
) -> Result<InitiateAuthOutput, SdkError<InitiateAuthError>> {
    sdk.initiate_auth()
        .auth_flow(flow)
        .client_id(client_id)
        .set_auth_parameters(Some(parameters))
        .send()
        .await
}

fn pairs(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

/// The newest code the emulator "sent" to `username` (its outbox), as the user
/// would read it from the email or SMS.
pub fn last_code(emulator: &Emulator, username: &str) -> String {
    emulator
        .service()
        .outbox()
        .messages(Some(username))
        .last()
        .unwrap()
        .code
        .clone()
}

/// The TOTP code an authenticator app shows now for a base32 secret.
pub fn totp_now(secret: &str) -> String {
    cognito_auth_emulator::totp_code_for_secret(
        secret,
        time::OffsetDateTime::now_utc().unix_timestamp(),
    )
    .unwrap_or_else(|| panic!("not a base32 TOTP secret: {secret}"))
}

/// ConfirmDevice with the verifier of a fresh registration, so the device can
/// later sign in with DEVICE_SRP_AUTH.
pub async fn confirm_device(
    sdk: &Client,
    access_token: &str,
    device_key: &str,
    device_name: Option<&str>,
    registration: &DeviceRegistration,
) -> ConfirmDeviceOutput {
    sdk.confirm_device()
        .access_token(access_token)
        .device_key(device_key)
        .set_device_name(device_name.map(str::to_owned))
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder()
                .password_verifier(&registration.verifier_config.password_verifier)
                .salt(&registration.verifier_config.salt)
                .build(),
        )
        .send()
        .await
        .unwrap()
}

/// The device half of a remembered-device sign-in, after PASSWORD_VERIFIER
/// asked for DEVICE_SRP_AUTH: DEVICE_SRP_AUTH, then DEVICE_PASSWORD_VERIFIER
/// with the proof `device` computes. With `session` None neither step sends a
/// Session (the emulator finds the sign-in by the device's SRP state).
pub async fn answer_device_challenges(
    sdk: &Client,
    setup: &Setup,
    device: &DeviceSrpClient,
    username: &str,
    session: Option<&str>,
) -> Responded {
    let srp_step = sdk
        .respond_to_auth_challenge()
        .client_id(&setup.client_id)
        .challenge_name(ChallengeNameType::DeviceSrpAuth)
        .set_session(session.map(str::to_owned))
        .set_challenge_responses(Some(
            device
                .device_srp_auth_responses(username)
                .into_iter()
                .collect(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        srp_step.challenge_name(),
        Some(&ChallengeNameType::DevicePasswordVerifier)
    );
    let responses: HashMap<String, String> = device
        .device_password_verifier_responses(
            srp_step.challenge_parameters().unwrap(),
            username,
            &SystemClock,
        )
        .unwrap()
        .into_iter()
        .collect();
    let session = session.and(srp_step.session()).map(str::to_owned);
    sdk.respond_to_auth_challenge()
        .client_id(&setup.client_id)
        .challenge_name(ChallengeNameType::DevicePasswordVerifier)
        .set_session(session)
        .set_challenge_responses(Some(responses))
        .send()
        .await
}

/// InitiateAuth(USER_SRP_AUTH) then RespondToAuthChallenge(PASSWORD_VERIFIER),
/// computing the proof with cognito-auth-srp.
pub async fn srp_sign_in(
    sdk: &Client,
    setup: &Setup,
    username: &str,
    password: &str,
    device_key: Option<&str>,
) -> Verified {
    let srp = srp_client(setup);
    let params: HashMap<String, String> = srp
        .initiate_auth_parameters(username, device_key)
        .into_iter()
        .collect();
    let started = initiate_with(sdk, &setup.client_id, AuthFlowType::UserSrpAuth, params)
        .await
        .unwrap();
    prove_password(sdk, &setup.client_id, &srp, &started, password, device_key).await
}

/// Checks that an InitiateAuth (USER_SRP_AUTH, CUSTOM_AUTH with SRP_A first,
/// USER_AUTH preferring PASSWORD_SRP) asked for PASSWORD_VERIFIER with a
/// session, and answers it with the proof of `password`.
pub async fn prove_password(
    sdk: &Client,
    client_id: &str,
    srp: &UserSrpClient,
    started: &InitiateAuthOutput,
    password: &str,
    device_key: Option<&str>,
) -> Verified {
    assert_eq!(
        started.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    let session = started
        .session()
        .expect("PASSWORD_VERIFIER comes with a session");
    answer_password_verifier(
        sdk,
        client_id,
        srp,
        started.challenge_parameters().unwrap(),
        Some(session),
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
    let responses = password_verifier_responses(srp, challenge, password, device_key, &SystemClock);
    respond_with(
        sdk,
        client_id,
        ChallengeNameType::PasswordVerifier,
        session,
        responses,
    )
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
