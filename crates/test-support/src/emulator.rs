//! The project's emulator started in-process, and pools, app clients and users
//! made through its admin API (or a seed), as the tests need them.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AliasAttributeType, AttributeType, AuthFactorType, DeviceConfigurationType,
    ExplicitAuthFlowsType, FeatureType, LambdaConfigType, MessageActionType,
    PreventUserExistenceErrorTypes, RefreshTokenRotationType, SignInPolicyType, UserPoolPolicyType,
    UsernameAttributeType,
};
use cognito_auth_emulator::triggers::BUILTIN;
use cognito_auth_emulator::{Emulator, EmulatorConfig, Service, TriggerTarget};
use cognito_auth_srp::AppClient;
use secrecy::SecretString;

use crate::PASSWORD;

/// The committed test signing keys (`keys/README.md`).
const TEST_SIGNING_KEYS: [&[u8]; 24] = [
    include_bytes!("../keys/rsa2048-00.der").as_slice(),
    include_bytes!("../keys/rsa2048-01.der").as_slice(),
    include_bytes!("../keys/rsa2048-02.der").as_slice(),
    include_bytes!("../keys/rsa2048-03.der").as_slice(),
    include_bytes!("../keys/rsa2048-04.der").as_slice(),
    include_bytes!("../keys/rsa2048-05.der").as_slice(),
    include_bytes!("../keys/rsa2048-06.der").as_slice(),
    include_bytes!("../keys/rsa2048-07.der").as_slice(),
    include_bytes!("../keys/rsa2048-08.der").as_slice(),
    include_bytes!("../keys/rsa2048-09.der").as_slice(),
    include_bytes!("../keys/rsa2048-10.der").as_slice(),
    include_bytes!("../keys/rsa2048-11.der").as_slice(),
    include_bytes!("../keys/rsa2048-12.der").as_slice(),
    include_bytes!("../keys/rsa2048-13.der").as_slice(),
    include_bytes!("../keys/rsa2048-14.der").as_slice(),
    include_bytes!("../keys/rsa2048-15.der").as_slice(),
    include_bytes!("../keys/rsa2048-16.der").as_slice(),
    include_bytes!("../keys/rsa2048-17.der").as_slice(),
    include_bytes!("../keys/rsa2048-18.der").as_slice(),
    include_bytes!("../keys/rsa2048-19.der").as_slice(),
    include_bytes!("../keys/rsa2048-20.der").as_slice(),
    include_bytes!("../keys/rsa2048-21.der").as_slice(),
    include_bytes!("../keys/rsa2048-22.der").as_slice(),
    include_bytes!("../keys/rsa2048-23.der").as_slice(),
];

/// The emulator's configuration for tests: everything in memory on a free
/// loopback port, pools signing with the committed test keys instead of
/// generating RSA keys (most of the suites' CPU time before).
pub fn emulator_config() -> EmulatorConfig {
    let mut config = EmulatorConfig::default();
    config.service.preset_signing_keys = TEST_SIGNING_KEYS.iter().map(|key| key.to_vec()).collect();
    config
}

/// An emulator on a free loopback port, everything in memory.
pub async fn emulator() -> Emulator {
    Emulator::start(emulator_config()).await.unwrap()
}

/// [`emulator`] whose operator's trigger table maps `builtin` to the built-in
/// CUSTOM_AUTH triggers, as `--trigger builtin=builtin` does: pools that name
/// them ([`PoolOptions::builtin_triggers`]) run them, no other pool does.
pub async fn emulator_with_builtin_triggers() -> Emulator {
    let mut config = emulator_config();
    config
        .service
        .triggers
        .insert(BUILTIN.to_owned(), TriggerTarget::Builtin);
    Emulator::start(config).await.unwrap()
}

/// An emulator with the pools, clients, users and triggers of a seed file's
/// text.
pub async fn seeded_emulator(seed: &str) -> Emulator {
    Emulator::start_seeded(emulator_config(), &parse_seed(seed))
        .await
        .unwrap()
}

/// A seed file's text (TOML, as `examples/seed.toml`), parsed.
pub fn parse_seed(seed: &str) -> cognito_auth_emulator::seed::Seed {
    toml::from_str(seed).unwrap()
}

/// `(code, message)` of an SDK error.
pub fn error_of<E: ProvideErrorMetadata>(error: &E) -> (String, String) {
    (
        error.code().unwrap_or_default().to_owned(),
        error.message().unwrap_or_default().to_owned(),
    )
}

/// `(code, message)` of a call that must fail; fails the test if it succeeded.
pub fn refused<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(
    result: Result<T, aws_sdk_cognitoidentityprovider::error::SdkError<E>>,
) -> (String, String) {
    error_of(&result.unwrap_err())
}

/// The `(code, message)` a refusal must have, to compare with [`refused`].
pub fn expected(code: &str, message: &str) -> (String, String) {
    (code.to_owned(), message.to_owned())
}

/// How [`create_pool`] configures a pool.
#[derive(Clone, Debug, Default)]
pub struct PoolOptions {
    /// Users sign in with their email (the username is a generated sub).
    pub email_username: bool,
    /// A verified email is an alias of the username.
    pub email_alias: bool,
    /// Devices are tracked (always, no challenge on a new one).
    pub devices: bool,
    /// `ON`, `OPTIONAL` or `OFF`.
    pub mfa: Option<&'static str>,
    /// The first factors USER_AUTH offers (none: no sign-in policy).
    pub first_factors: Vec<AuthFactorType>,
    /// The LambdaConfig names the built-in CUSTOM_AUTH triggers (run by an
    /// [`emulator_with_builtin_triggers`]); without it CUSTOM_AUTH is refused,
    /// as Cognito refuses it on a pool with no triggers.
    pub builtin_triggers: bool,
}

/// How [`create_client`] configures an app client.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    pub secret: bool,
    pub flows: Vec<ExplicitAuthFlowsType>,
    pub prevent_existence_errors: bool,
    /// GetTokensFromRefreshToken issues a new refresh token each time.
    pub refresh_token_rotation: bool,
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
            refresh_token_rotation: false,
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

/// Creates a pool configured by `pool`; its id.
pub async fn create_pool(sdk: &Client, pool: PoolOptions) -> String {
    let mut request = sdk.create_user_pool().pool_name("test-pool");
    if pool.email_username {
        request = request.username_attributes(UsernameAttributeType::Email);
    }
    if pool.email_alias {
        request = request.alias_attributes(AliasAttributeType::Email);
    }
    if pool.devices {
        request = request.device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(false)
                .device_only_remembered_on_user_prompt(false)
                .build(),
        );
    }
    if let Some(mfa) = pool.mfa {
        request = request.mfa_configuration(mfa.into());
    }
    if !pool.first_factors.is_empty() {
        request = request.policies(
            UserPoolPolicyType::builder()
                .sign_in_policy(
                    SignInPolicyType::builder()
                        .set_allowed_first_auth_factors(Some(pool.first_factors))
                        .build(),
                )
                .build(),
        );
    }
    if pool.builtin_triggers {
        request = request.lambda_config(
            LambdaConfigType::builder()
                .define_auth_challenge(BUILTIN)
                .create_auth_challenge(BUILTIN)
                .verify_auth_challenge_response(BUILTIN)
                .build(),
        );
    }
    let created = request.send().await.unwrap();
    created.user_pool().unwrap().id().unwrap().to_owned()
}

/// Creates an app client of `pool_id` configured by `options`.
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
    if options.refresh_token_rotation {
        request = request.refresh_token_rotation(
            RefreshTokenRotationType::builder()
                .feature(FeatureType::Enabled)
                .build()
                .unwrap(),
        );
    }
    let client = request.send().await.unwrap();
    let client = client.user_pool_client().unwrap();
    Setup {
        pool_id: pool_id.to_owned(),
        client_id: client.client_id().unwrap().to_owned(),
        client_secret: client.client_secret().map(str::to_owned),
    }
}

/// A pool and an app client of it.
pub async fn setup(sdk: &Client, pool: PoolOptions, client: ClientOptions) -> Setup {
    let pool_id = create_pool(sdk, pool).await;
    create_client(sdk, &pool_id, client).await
}

/// A fresh emulator, an SDK client pointed at it, and a pool and app client
/// with these options: how most tests begin. A pool that names the built-in
/// triggers gets an [`emulator_with_builtin_triggers`].
pub async fn emulator_with_pool(
    pool: PoolOptions,
    client: ClientOptions,
) -> (Emulator, Client, Setup) {
    let emulator = if pool.builtin_triggers {
        emulator_with_builtin_triggers().await
    } else {
        emulator().await
    };
    let sdk = crate::sdk(&emulator.endpoint_url());
    let setup = setup(&sdk, pool, client).await;
    (emulator, sdk, setup)
}

/// PASSWORD and EMAIL_OTP: the first factors of a pool where USER_AUTH lets
/// the user choose.
pub fn password_or_email_otp() -> Vec<AuthFactorType> {
    vec![AuthFactorType::Password, AuthFactorType::EmailOtp]
}

/// SignUp for the app client of `setup` with [`PASSWORD`] and the given
/// attributes (and the SECRET_HASH when the client has a secret).
pub async fn sign_up(sdk: &Client, setup: &Setup, username: &str, attributes: &[(&str, &str)]) {
    sdk.sign_up()
        .client_id(&setup.client_id)
        .set_secret_hash(setup.secret_hash(username))
        .username(username)
        .password(PASSWORD)
        .set_user_attributes(Some(attribute_list(attributes)))
        .send()
        .await
        .unwrap();
}

/// ConfirmSignUp with `code`; the Session it returns for a USER_AUTH sign-in.
pub async fn confirm_sign_up(
    sdk: &Client,
    setup: &Setup,
    username: &str,
    code: &str,
) -> Option<String> {
    sdk.confirm_sign_up()
        .client_id(&setup.client_id)
        .set_secret_hash(setup.secret_hash(username))
        .username(username)
        .confirmation_code(code)
        .send()
        .await
        .unwrap()
        .session()
        .map(str::to_owned)
}

fn attribute_list(attributes: &[(&str, &str)]) -> Vec<AttributeType> {
    attributes
        .iter()
        .map(|(n, v)| AttributeType::builder().name(*n).value(*v).build().unwrap())
        .collect()
}

/// Creates a confirmed user with [`PASSWORD`] and the given attributes.
pub async fn create_user(sdk: &Client, setup: &Setup, username: &str, attributes: &[(&str, &str)]) {
    add_user(sdk, setup, username, attributes, true).await;
}

/// Creates a user with [`PASSWORD`] and the given attributes: confirmed when
/// `permanent`, else with PASSWORD as a temporary password
/// (FORCE_CHANGE_PASSWORD).
pub async fn add_user(
    sdk: &Client,
    setup: &Setup,
    username: &str,
    attributes: &[(&str, &str)],
    permanent: bool,
) {
    sdk.admin_create_user()
        .user_pool_id(&setup.pool_id)
        .username(username)
        .temporary_password(PASSWORD)
        .set_user_attributes(Some(attribute_list(attributes)))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    sdk.admin_set_user_password()
        .user_pool_id(&setup.pool_id)
        .username(username)
        .password(PASSWORD)
        .permanent(permanent)
        .send()
        .await
        .unwrap();
}

/// The newest code the emulator "sent" to `username` (its outbox), as the user
/// would read it from the email or SMS.
pub fn last_code(service: &Service, username: &str) -> String {
    service
        .outbox()
        .messages(Some(username))
        .last()
        .unwrap_or_else(|| panic!("no message to {username} in the outbox"))
        .code
        .clone()
}

/// A six-digit code that is not `code`: a wrong answer to a code just sent.
pub fn wrong_code(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}
