//! The subcommands: argument mapping onto flows and the SDK, and presentation.

use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AnalyticsMetadataType, AuthFlowType, AuthenticationResultType, ChallengeNameType,
    UserContextDataType,
};
use clap::{Args, Subcommand};
use cognito_auth_flows::{
    Claims, DevicePolicy, DeviceStore, FirstFactor, Flows, MemoryDeviceStore, Metadata, Notice,
    PoolId, Refresh, SignIn, TokenUse, TokenVerifier, Tokens, UserContext,
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value, json};

use crate::config::{self, Preset};
use crate::exit::{CliError, code};
use crate::prompt::{CliHandler, read_answers_file};
use crate::sdk;
use crate::shorthand;
use crate::store::{CachedTokens, FileDeviceStore, Origin, TokenCache};
use crate::ui::{self, Output, Spinner};
use crate::{FlowArg, Global};

/// Which pool, app client and user.
#[derive(Debug, Args, Clone, Default)]
pub struct TargetArgs {
    /// A named preset from the config file (pool, client, secret reference, user).
    #[arg(long)]
    preset: Option<String>,
    /// User pool id, e.g. us-east-1_AbCdEf123.
    #[arg(long)]
    pool_id: Option<String>,
    /// App client id.
    #[arg(long)]
    client_id: Option<String>,
    /// Username (or an email / phone alias).
    #[arg(long)]
    username: Option<String>,
    /// A file holding the app client secret (else COGNITO_CLIENT_SECRET, else the preset's).
    #[arg(long, value_name = "FILE")]
    client_secret_file: Option<PathBuf>,
}

/// ClientMetadata, AnalyticsMetadata, UserContextData.
#[derive(Debug, Args, Clone, Default)]
pub struct MetadataArgs {
    /// ClientMetadata for the pool's Lambda triggers: `K=V,K=V` or JSON.
    #[arg(long, value_name = "MAP")]
    client_metadata: Option<String>,
    /// AnalyticsMetadata.AnalyticsEndpointId (Amazon Pinpoint).
    #[arg(long, value_name = "ID")]
    analytics_endpoint_id: Option<String>,
    /// UserContextData: `EncodedData=...,IpAddress=...` or JSON.
    #[arg(long, value_name = "MAP")]
    user_context_data: Option<String>,
}

/// `sign-in`.
#[derive(Debug, Args)]
pub struct SignInArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// The flow.
    #[arg(long, value_enum, default_value = "srp")]
    flow: FlowArg,
    /// USER_AUTH's PREFERRED_CHALLENGE: PASSWORD_SRP, PASSWORD, EMAIL_OTP or SMS_OTP.
    #[arg(long, value_name = "CHALLENGE")]
    preferred_challenge: Option<String>,
    /// Read the password from standard input (else COGNITO_PASSWORD, else a prompt).
    #[arg(long)]
    password_stdin: bool,
    /// An answer to a challenge, e.g. SOFTWARE_TOKEN_MFA=123456, NEW_PASSWORD=...,
    /// CUSTOM_CHALLENGE=..., SELECT_MFA_TYPE=SOFTWARE_TOKEN_MFA, MFA_SETUP=auto,
    /// TOTP_SECRET=BASE32 (repeatable).
    #[arg(long = "answer", value_name = "NAME=VALUE")]
    answers: Vec<String>,
    /// Answers in a TOML or JSON file (a map of the same names).
    #[arg(long, value_name = "FILE")]
    answers_file: Option<PathBuf>,
    /// Confirm and remember this device (ConfirmDevice, UpdateDeviceStatus).
    #[arg(long)]
    remember_device: bool,
    /// DeviceName sent with ConfirmDevice.
    #[arg(long, value_name = "NAME")]
    device_name: Option<String>,
    #[command(flatten)]
    metadata: MetadataArgs,
}

/// `initiate-auth`.
#[derive(Debug, Args)]
pub struct InitiateArgs {
    /// App client id.
    #[arg(long)]
    client_id: String,
    /// USER_SRP_AUTH, USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH, CUSTOM_AUTH, USER_AUTH, ...
    #[arg(long)]
    auth_flow: String,
    /// AuthParameters: `K=V,K=V` or JSON.
    #[arg(long, value_name = "MAP")]
    auth_parameters: Option<String>,
    /// One AuthParameters entry (repeatable).
    #[arg(long = "auth-parameter", value_name = "K=V")]
    auth_parameter: Vec<String>,
    /// Session (USER_AUTH after ConfirmSignUp).
    #[arg(long)]
    session: Option<String>,
    /// Client secret file: SECRET_HASH is added when USERNAME is given without it.
    #[arg(long, value_name = "FILE")]
    client_secret_file: Option<PathBuf>,
    #[command(flatten)]
    metadata: MetadataArgs,
}

/// `respond-to-auth-challenge`.
#[derive(Debug, Args)]
pub struct RespondArgs {
    /// App client id.
    #[arg(long)]
    client_id: String,
    /// The ChallengeName being answered.
    #[arg(long)]
    challenge_name: String,
    /// ChallengeResponses: `K=V,K=V` or JSON.
    #[arg(long, value_name = "MAP")]
    challenge_responses: Option<String>,
    /// One ChallengeResponses entry (repeatable).
    #[arg(long = "challenge-response", value_name = "K=V")]
    challenge_response: Vec<String>,
    /// The Session from the challenge.
    #[arg(long)]
    session: Option<String>,
    /// Client secret file: SECRET_HASH is added when USERNAME is given without it.
    #[arg(long, value_name = "FILE")]
    client_secret_file: Option<PathBuf>,
    #[command(flatten)]
    metadata: MetadataArgs,
}

/// `refresh`.
#[derive(Debug, Args)]
pub struct RefreshArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// Read the refresh token from standard input instead of the cache.
    #[arg(long)]
    refresh_token_stdin: bool,
    /// GetTokensFromRefreshToken (refresh-token rotation) instead of REFRESH_TOKEN_AUTH.
    #[arg(long)]
    rotate: bool,
    /// The DeviceKey the refresh token was issued to (default: the cached one).
    #[arg(long, value_name = "KEY")]
    device_key: Option<String>,
    #[command(flatten)]
    metadata: MetadataArgs,
}

/// `sign-out`.
#[derive(Debug, Args)]
pub struct SignOutArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// GlobalSignOut: invalidate every token of the user (default: RevokeToken for
    /// this refresh token).
    #[arg(long)]
    global: bool,
}

/// `tokens`.
#[derive(Debug, Args)]
pub struct TokensArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// Check signature, issuer, audience and expiry against the pool's JWKS.
    #[arg(long)]
    verify: bool,
    /// Include the raw tokens.
    #[arg(long)]
    raw: bool,
}

/// `devices`.
#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// List remembered devices (local store; --remote asks Cognito with the cached access token).
    List {
        #[command(flatten)]
        target: TargetArgs,
        /// ListDevices with the cached access token.
        #[arg(long)]
        remote: bool,
    },
    /// Forget a device: locally, and in Cognito (ForgetDevice) when tokens are cached.
    Forget {
        /// The DeviceKey.
        device_key: String,
        #[command(flatten)]
        target: TargetArgs,
        /// Only remove it from the local store.
        #[arg(long)]
        local_only: bool,
    },
}

// ------------------------------------------------------------------ resolution

#[derive(Debug, Default)]
struct Resolved {
    pool_id: Option<String>,
    client_id: Option<String>,
    username: Option<String>,
    secret: Option<SecretString>,
    region: Option<String>,
    profile: Option<String>,
    endpoint_url: Option<String>,
}

fn expand_home(path: &std::path::Path) -> PathBuf {
    if let Ok(rest) = path.strip_prefix("~") {
        if let Some(base) = directories::BaseDirs::new() {
            return base.home_dir().join(rest);
        }
    }
    path.to_owned()
}

fn read_secret_file(path: &std::path::Path) -> Result<SecretString, CliError> {
    let path = expand_home(path);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
    Ok(SecretString::from(
        text.trim_end_matches(['\n', '\r']).to_owned(),
    ))
}

fn env_secret(name: &str) -> Option<SecretString> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .map(SecretString::from)
}

fn resolve(global: &Global, target: &TargetArgs) -> Result<Resolved, CliError> {
    let preset = match &target.preset {
        Some(name) => {
            let (path, explicit) = match &global.config {
                Some(path) => (path.clone(), true),
                None => (
                    config::default_path()
                        .ok_or_else(|| CliError::config("no config directory for presets"))?,
                    false,
                ),
            };
            config::load(&path, explicit)?.preset(name, &path)?.clone()
        }
        None => Preset::default(),
    };
    let secret = match &target.client_secret_file {
        Some(path) => Some(read_secret_file(path)?),
        None => match env_secret("COGNITO_CLIENT_SECRET") {
            Some(secret) => Some(secret),
            None => match (&preset.client_secret_file, &preset.client_secret_env) {
                (Some(path), _) => Some(read_secret_file(path)?),
                (None, Some(var)) => Some(env_secret(var).ok_or_else(|| {
                    CliError::config(format!("the preset's client_secret_env {var} is not set"))
                })?),
                (None, None) => None,
            },
        },
    };
    Ok(Resolved {
        pool_id: target.pool_id.clone().or(preset.pool_id),
        client_id: target.client_id.clone().or(preset.client_id),
        username: target.username.clone().or(preset.username),
        secret,
        region: global.region.clone().or(preset.region),
        profile: global.profile.clone().or(preset.profile),
        endpoint_url: global.endpoint_url.clone().or(preset.endpoint_url),
    })
}

impl Resolved {
    fn sdk_target(&self, pool_id: Option<&str>) -> sdk::Target {
        sdk::Target {
            region: self.region.clone(),
            profile: self.profile.clone(),
            endpoint_url: self.endpoint_url.clone(),
            pool_region: pool_id
                .and_then(|p| PoolId::parse(p).ok())
                .map(|p| p.region().to_owned()),
        }
    }
}

fn required(value: Option<String>, what: &str) -> Result<String, CliError> {
    value.ok_or_else(|| CliError::usage(format!("{what} is required (or use --preset)")))
}

fn output(global: &Global) -> Output {
    Output {
        select: global.select.clone(),
        query: global.query.clone(),
        format: global.output,
    }
}

fn interactive(global: &Global) -> bool {
    !global.no_input && std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

fn read_stdin_line(what: &str) -> Result<String, CliError> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| CliError::usage(format!("reading {what} from stdin: {e}")))?;
    let line = text.lines().next().unwrap_or_default().to_owned();
    if line.is_empty() {
        return Err(CliError::usage(format!("no {what} on stdin")));
    }
    Ok(line)
}

fn metadata(args: &MetadataArgs) -> Result<Metadata, CliError> {
    let mut metadata = Metadata::default();
    if let Some(text) = &args.client_metadata {
        metadata.client_metadata = shorthand::parse_map("--client-metadata", text)?;
    }
    metadata.analytics_endpoint_id = args.analytics_endpoint_id.clone();
    if let Some(text) = &args.user_context_data {
        let map = shorthand::parse_map("--user-context-data", text)?;
        for key in map.keys() {
            if key != "EncodedData" && key != "IpAddress" {
                return Err(CliError::usage(format!(
                    "--user-context-data: unknown key {key} (EncodedData, IpAddress)"
                )));
            }
        }
        metadata.user_context = Some(UserContext {
            ip_address: map.get("IpAddress").cloned(),
            encoded_data: map.get("EncodedData").cloned(),
        });
    }
    Ok(metadata)
}

// ------------------------------------------------------------------ presentation

fn result_json(result: &AuthenticationResultType) -> Value {
    let mut out = Map::new();
    if let Some(v) = result.access_token() {
        out.insert("AccessToken".into(), json!(v));
    }
    out.insert("ExpiresIn".into(), json!(result.expires_in()));
    if let Some(v) = result.token_type() {
        out.insert("TokenType".into(), json!(v));
    }
    if let Some(v) = result.refresh_token() {
        out.insert("RefreshToken".into(), json!(v));
    }
    if let Some(v) = result.id_token() {
        out.insert("IdToken".into(), json!(v));
    }
    if let Some(device) = result.new_device_metadata() {
        let mut d = Map::new();
        if let Some(k) = device.device_key() {
            d.insert("DeviceKey".into(), json!(k));
        }
        if let Some(k) = device.device_group_key() {
            d.insert("DeviceGroupKey".into(), json!(k));
        }
        out.insert("NewDeviceMetadata".into(), Value::Object(d));
    }
    Value::Object(out)
}

fn parameters_json(parameters: Option<&HashMap<String, String>>) -> Value {
    let sorted: BTreeMap<&String, &String> = parameters.into_iter().flatten().collect();
    json!(sorted)
}

fn initiate_json(out: &InitiateAuthOutput) -> Value {
    let mut value = Map::new();
    if let Some(c) = out.challenge_name() {
        value.insert("ChallengeName".into(), json!(c.as_str()));
    }
    if let Some(s) = out.session() {
        value.insert("Session".into(), json!(s));
    }
    value.insert(
        "ChallengeParameters".into(),
        parameters_json(out.challenge_parameters()),
    );
    if let Some(r) = out.authentication_result() {
        value.insert("AuthenticationResult".into(), result_json(r));
    }
    if !out.available_challenges().is_empty() {
        value.insert(
            "AvailableChallenges".into(),
            json!(
                out.available_challenges()
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
            ),
        );
    }
    Value::Object(value)
}

fn respond_json(out: &RespondToAuthChallengeOutput) -> Value {
    let mut value = Map::new();
    if let Some(c) = out.challenge_name() {
        value.insert("ChallengeName".into(), json!(c.as_str()));
    }
    if let Some(s) = out.session() {
        value.insert("Session".into(), json!(s));
    }
    value.insert(
        "ChallengeParameters".into(),
        parameters_json(out.challenge_parameters()),
    );
    if let Some(r) = out.authentication_result() {
        value.insert("AuthenticationResult".into(), result_json(r));
    }
    Value::Object(value)
}

/// Tokens as the AWS CLI prints an InitiateAuth result.
pub fn tokens_json(tokens: &Tokens) -> Value {
    let mut result = Map::new();
    result.insert(
        "AccessToken".into(),
        json!(tokens.access_token().expose_secret()),
    );
    result.insert("ExpiresIn".into(), json!(tokens.expires_in().as_secs()));
    if let Some(t) = tokens.token_type() {
        result.insert("TokenType".into(), json!(t));
    }
    if let Some(t) = tokens.refresh_token() {
        result.insert("RefreshToken".into(), json!(t.expose_secret()));
    }
    if let Some(t) = tokens.id_token() {
        result.insert("IdToken".into(), json!(t.expose_secret()));
    }
    if let Some(d) = tokens.new_device() {
        result.insert(
            "NewDeviceMetadata".into(),
            json!({"DeviceKey": d.device_key, "DeviceGroupKey": d.device_group_key}),
        );
    }
    json!({ "AuthenticationResult": Value::Object(result) })
}

fn report_notices(tokens: &Tokens) {
    for notice in tokens.notices() {
        let text = match notice {
            Notice::DeviceConfirmed {
                device_key,
                remembered,
                ..
            } => format!(
                "device {device_key} confirmed{}",
                if *remembered { " and remembered" } else { "" }
            ),
            Notice::DeviceAuthenticated { device_key } => {
                format!("signed in with remembered device {device_key}")
            }
            Notice::DeviceForgotten { device_key } => {
                format!("Cognito no longer knew device {device_key}; it was forgotten")
            }
            Notice::DeviceConfirmFailed { device_key, reason } => {
                format!("device {device_key} was not remembered: {reason}")
            }
            other => format!("{other:?}"),
        };
        ui::note(&format!("cognito-auth: {text}"));
    }
}

async fn with_spinner<T>(spinner: &Spinner, work: impl Future<Output = T>) -> T {
    let value = work.await;
    spinner.stop();
    value
}

// ------------------------------------------------------------------ sign-in

fn read_password(
    args: &SignInArgs,
    interactive: bool,
    username: &str,
    needed: bool,
) -> Result<Option<SecretString>, CliError> {
    if args.password_stdin {
        return Ok(Some(SecretString::from(read_stdin_line("the password")?)));
    }
    if let Some(secret) = env_secret("COGNITO_PASSWORD") {
        return Ok(Some(secret));
    }
    if needed && interactive {
        let typed = rpassword::prompt_password(format!("Password for {username}: "))
            .map_err(|e| CliError::usage(format!("reading the password: {e}")))?;
        return Ok(Some(SecretString::from(typed)));
    }
    if needed {
        return Err(CliError::usage(
            "no password: use --password-stdin, COGNITO_PASSWORD, or run on a terminal",
        ));
    }
    Ok(None)
}

fn first_factor(name: &str) -> Result<FirstFactor, CliError> {
    match name.to_ascii_uppercase().as_str() {
        "PASSWORD_SRP" => Ok(FirstFactor::PasswordSrp),
        "PASSWORD" => Ok(FirstFactor::Password),
        "EMAIL_OTP" => Ok(FirstFactor::EmailOtp),
        "SMS_OTP" => Ok(FirstFactor::SmsOtp),
        other => Err(CliError::usage(format!(
            "--preferred-challenge {other}: expected PASSWORD_SRP, PASSWORD, EMAIL_OTP or SMS_OTP"
        ))),
    }
}

fn cache_store(global: &Global) -> Result<Option<Arc<FileDeviceStore>>, CliError> {
    if global.no_cache {
        Ok(None)
    } else {
        FileDeviceStore::open().map(|s| Some(Arc::new(s)))
    }
}

/// `sign-in`.
pub async fn sign_in(global: &Global, args: SignInArgs) -> Result<u8, CliError> {
    let resolved = resolve(global, &args.target)?;
    let pool_id = required(resolved.pool_id.clone(), "--pool-id")?;
    let client_id = required(resolved.client_id.clone(), "--client-id")?;
    let username = required(resolved.username.clone(), "--username")?;
    let interactive = interactive(global);
    let preferred = args
        .preferred_challenge
        .as_deref()
        .map(first_factor)
        .transpose()?;
    if preferred.is_some() && args.flow != FlowArg::UserAuth {
        return Err(CliError::usage(
            "--preferred-challenge needs --flow user-auth",
        ));
    }
    let needs_password = match args.flow {
        FlowArg::Srp | FlowArg::Password | FlowArg::CustomSrp => true,
        FlowArg::Custom => false,
        FlowArg::UserAuth => matches!(
            preferred,
            Some(FirstFactor::Password | FirstFactor::PasswordSrp)
        ),
    };
    let mut answers = match &args.answers_file {
        Some(path) => read_answers_file(path)?,
        None => BTreeMap::new(),
    };
    for pair in &args.answers {
        let (k, v) = pair.split_once('=').ok_or_else(|| {
            CliError::usage(format!("--answer: expected NAME=VALUE, got {pair:?}"))
        })?;
        answers.insert(k.trim().to_owned(), v.to_owned());
    }
    let password = read_password(&args, interactive, &username, needs_password)?;
    let metadata = metadata(&args.metadata)?;

    let client = sdk::client(&resolved.sdk_target(Some(&pool_id))).await;
    let mut builder = Flows::builder(client, &pool_id, &client_id);
    if let Some(secret) = &resolved.secret {
        builder = builder.client_secret(secret.clone());
    }
    match cache_store(global)? {
        Some(store) => builder = builder.device_store(store),
        None if args.remember_device => {
            builder = builder.device_store(Arc::new(MemoryDeviceStore::new()));
        }
        None => {}
    }
    if args.remember_device {
        builder = builder.device_policy(DevicePolicy::Remember {
            device_name: Some(
                args.device_name
                    .clone()
                    .unwrap_or_else(|| "cognito-auth".into()),
            ),
        });
    }
    let flows = builder.build()?;
    let need = |p: Option<SecretString>| p.ok_or_else(|| CliError::usage("no password"));
    let request = match args.flow {
        FlowArg::Srp => SignIn::srp(&username, need(password.clone())?),
        FlowArg::Password => SignIn::password(&username, need(password.clone())?),
        FlowArg::Custom => SignIn::custom(&username),
        FlowArg::CustomSrp => SignIn::custom_with_srp(&username, need(password.clone())?),
        FlowArg::UserAuth => match preferred {
            Some(factor) => SignIn::user_auth_preferring(&username, factor, password.clone()),
            None => {
                let request = SignIn::user_auth(&username);
                match password.clone() {
                    Some(p) => request.with_password(p),
                    None => request,
                }
            }
        },
    }
    .with_metadata(metadata);
    let spinner = Spinner::start(&format!("Signing in to {pool_id} as {username}…"));
    let handler = CliHandler {
        answers,
        interactive,
        password,
        spinner: spinner.clone(),
    };
    let tokens = with_spinner(&spinner, flows.sign_in(&request, &handler)).await?;
    report_notices(&tokens);
    if !global.no_cache {
        let origin = Origin {
            pool_id,
            client_id,
            username,
            endpoint_url: resolved.endpoint_url.clone(),
            region: resolved.region.clone(),
        };
        TokenCache::open()?.save(&CachedTokens::new(&origin, &tokens, None))?;
    }
    output(global).emit(&tokens_json(&tokens))?;
    Ok(code::OK)
}

// ------------------------------------------------------------------ raw calls

fn add_secret_hash(
    map: &mut BTreeMap<String, String>,
    client_id: &str,
    secret_file: Option<&PathBuf>,
) -> Result<(), CliError> {
    let secret = match secret_file {
        Some(path) => Some(read_secret_file(path)?),
        None => env_secret("COGNITO_CLIENT_SECRET"),
    };
    if let Some(secret) = secret {
        if !map.contains_key("SECRET_HASH") {
            if let Some(user) = map.get("USERNAME").cloned() {
                map.insert(
                    "SECRET_HASH".into(),
                    cognito_auth_srp::secret_hash(&user, client_id, secret.expose_secret()),
                );
            }
        }
    }
    Ok(())
}

fn collect_map(
    name: &str,
    whole: Option<&String>,
    pairs: &[String],
    pair_name: &str,
) -> Result<BTreeMap<String, String>, CliError> {
    let mut map = match whole {
        Some(text) => shorthand::parse_map(name, text)?,
        None => BTreeMap::new(),
    };
    for pair in pairs {
        shorthand::add_pair(pair_name, &mut map, pair)?;
    }
    Ok(map)
}

fn sdk_metadata(
    metadata: &Metadata,
) -> (
    Option<HashMap<String, String>>,
    Option<AnalyticsMetadataType>,
    Option<UserContextDataType>,
) {
    let client_metadata = (!metadata.client_metadata.is_empty()).then(|| {
        metadata
            .client_metadata
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    });
    let analytics = metadata.analytics_endpoint_id.as_ref().map(|id| {
        AnalyticsMetadataType::builder()
            .analytics_endpoint_id(id)
            .build()
    });
    let context = metadata.user_context.as_ref().map(|c| {
        UserContextDataType::builder()
            .set_ip_address(c.ip_address.clone())
            .set_encoded_data(c.encoded_data.clone())
            .build()
    });
    (client_metadata, analytics, context)
}

fn raw_resolved(global: &Global) -> Resolved {
    Resolved {
        region: global.region.clone(),
        profile: global.profile.clone(),
        endpoint_url: global.endpoint_url.clone(),
        ..Resolved::default()
    }
}

/// `initiate-auth`.
pub async fn initiate_auth(global: &Global, args: InitiateArgs) -> Result<u8, CliError> {
    let mut parameters = collect_map(
        "--auth-parameters",
        args.auth_parameters.as_ref(),
        &args.auth_parameter,
        "--auth-parameter",
    )?;
    add_secret_hash(
        &mut parameters,
        &args.client_id,
        args.client_secret_file.as_ref(),
    )?;
    let (client_metadata, analytics, context) = sdk_metadata(&metadata(&args.metadata)?);
    let client = sdk::client(&raw_resolved(global).sdk_target(None)).await;
    let spinner = Spinner::start("InitiateAuth…");
    let out = with_spinner(
        &spinner,
        client
            .initiate_auth()
            .client_id(&args.client_id)
            .auth_flow(AuthFlowType::from(args.auth_flow.as_str()))
            .set_auth_parameters(Some(parameters.into_iter().collect()))
            .set_session(args.session.clone())
            .set_client_metadata(client_metadata)
            .set_analytics_metadata(analytics)
            .set_user_context_data(context)
            .send(),
    )
    .await
    .map_err(sdk::error)?;
    output(global).emit(&initiate_json(&out))?;
    Ok(code::OK)
}

/// `respond-to-auth-challenge`.
pub async fn respond(global: &Global, args: RespondArgs) -> Result<u8, CliError> {
    let mut responses = collect_map(
        "--challenge-responses",
        args.challenge_responses.as_ref(),
        &args.challenge_response,
        "--challenge-response",
    )?;
    add_secret_hash(
        &mut responses,
        &args.client_id,
        args.client_secret_file.as_ref(),
    )?;
    let (client_metadata, analytics, context) = sdk_metadata(&metadata(&args.metadata)?);
    let client = sdk::client(&raw_resolved(global).sdk_target(None)).await;
    let spinner = Spinner::start("RespondToAuthChallenge…");
    let out = with_spinner(
        &spinner,
        client
            .respond_to_auth_challenge()
            .client_id(&args.client_id)
            .challenge_name(ChallengeNameType::from(args.challenge_name.as_str()))
            .set_challenge_responses(Some(responses.into_iter().collect()))
            .set_session(args.session.clone())
            .set_client_metadata(client_metadata)
            .set_analytics_metadata(analytics)
            .set_user_context_data(context)
            .send(),
    )
    .await
    .map_err(sdk::error)?;
    output(global).emit(&respond_json(&out))?;
    Ok(code::OK)
}

// ------------------------------------------------------------------ refresh, sign-out

fn cached_for(global: &Global, resolved: &Resolved) -> Result<CachedTokens, CliError> {
    if global.no_cache {
        return Err(CliError::usage("--no-cache: no cached tokens to use"));
    }
    TokenCache::open()?.find_one(
        resolved.pool_id.as_deref(),
        resolved.client_id.as_deref(),
        resolved.username.as_deref(),
    )
}

fn with_cached_origin(mut resolved: Resolved, cached: &CachedTokens) -> Resolved {
    resolved
        .pool_id
        .get_or_insert_with(|| cached.pool_id.clone());
    resolved
        .client_id
        .get_or_insert_with(|| cached.client_id.clone());
    resolved
        .username
        .get_or_insert_with(|| cached.username.clone());
    if resolved.endpoint_url.is_none() {
        resolved.endpoint_url = cached.endpoint_url.clone();
    }
    if resolved.region.is_none() {
        resolved.region = cached.region.clone();
    }
    resolved
}

/// `refresh`.
pub async fn refresh(global: &Global, args: RefreshArgs) -> Result<u8, CliError> {
    let resolved = resolve(global, &args.target)?;
    let (resolved, cached, token) = if args.refresh_token_stdin {
        let token = read_stdin_line("the refresh token")?;
        let cached = if global.no_cache {
            None
        } else {
            TokenCache::open()?
                .find_one(
                    resolved.pool_id.as_deref(),
                    resolved.client_id.as_deref(),
                    resolved.username.as_deref(),
                )
                .ok()
        };
        (resolved, cached, SecretString::from(token))
    } else {
        let cached = cached_for(global, &resolved)?;
        let token = cached
            .refresh_token
            .clone()
            .ok_or_else(|| CliError::usage("the cached sign-in has no refresh token"))?;
        (
            with_cached_origin(resolved, &cached),
            Some(cached),
            SecretString::from(token),
        )
    };
    let pool_id = required(resolved.pool_id.clone(), "--pool-id")?;
    let client_id = required(resolved.client_id.clone(), "--client-id")?;
    let client = sdk::client(&resolved.sdk_target(Some(&pool_id))).await;
    let mut builder = Flows::builder(client, &pool_id, &client_id);
    if let Some(secret) = &resolved.secret {
        builder = builder.client_secret(secret.clone());
    }
    if let Some(store) = cache_store(global)? {
        builder = builder.device_store(store);
    }
    let flows = builder.build()?;
    let mut request = Refresh::new(token).with_metadata(metadata(&args.metadata)?);
    if let Some(cached) = &cached {
        if let Some(name) = cached
            .internal_username
            .clone()
            .or_else(|| Some(cached.username.clone()))
        {
            request = request.with_username(name);
        }
        if let Some(key) = &cached.device_key {
            request = request.with_device_key(key);
        }
    } else if let Some(name) = &resolved.username {
        request = request.with_username(name);
    }
    if let Some(key) = &args.device_key {
        request = request.with_device_key(key);
    }
    if args.rotate {
        request = request.rotating();
    }
    let spinner = Spinner::start("Refreshing…");
    let tokens = with_spinner(&spinner, flows.refresh(&request)).await?;
    report_notices(&tokens);
    if !global.no_cache {
        if let Some(username) = resolved.username.clone() {
            let origin = Origin {
                pool_id,
                client_id,
                username,
                endpoint_url: resolved.endpoint_url.clone(),
                region: resolved.region.clone(),
            };
            TokenCache::open()?.save(&CachedTokens::new(&origin, &tokens, cached.as_ref()))?;
        }
    }
    output(global).emit(&tokens_json(&tokens))?;
    Ok(code::OK)
}

/// `sign-out`.
pub async fn sign_out(global: &Global, args: SignOutArgs) -> Result<u8, CliError> {
    let resolved = resolve(global, &args.target)?;
    let cached = cached_for(global, &resolved)?;
    let resolved = with_cached_origin(resolved, &cached);
    let client = sdk::client(&resolved.sdk_target(Some(&cached.pool_id))).await;
    let spinner = Spinner::start("Signing out…");
    let what = if args.global {
        with_spinner(
            &spinner,
            client
                .global_sign_out()
                .access_token(&cached.access_token)
                .send(),
        )
        .await
        .map_err(sdk::error)?;
        "GlobalSignOut"
    } else {
        let token = cached.refresh_token.clone().ok_or_else(|| {
            CliError::usage("the cached sign-in has no refresh token; use --global")
        })?;
        with_spinner(
            &spinner,
            client
                .revoke_token()
                .token(token)
                .client_id(&cached.client_id)
                .set_client_secret(
                    resolved
                        .secret
                        .as_ref()
                        .map(|s| s.expose_secret().to_owned()),
                )
                .send(),
        )
        .await
        .map_err(sdk::error)?;
        "RevokeToken"
    };
    TokenCache::open()?.remove(&cached)?;
    output(global).emit(&json!({
        "SignedOut": true,
        "Operation": what,
        "PoolId": cached.pool_id,
        "ClientId": cached.client_id,
        "Username": cached.username,
    }))?;
    Ok(code::OK)
}

// ------------------------------------------------------------------ tokens, devices

fn jwks_url(pool: &PoolId, endpoint: Option<&str>) -> String {
    match endpoint {
        Some(endpoint) => format!(
            "{}/{}/.well-known/jwks.json",
            endpoint.trim_end_matches('/'),
            pool.as_str()
        ),
        None => TokenVerifier::jwks_url(&TokenVerifier::cognito_issuer(pool)),
    }
}

async fn fetch(url: String) -> Result<String, CliError> {
    tokio::task::spawn_blocking(move || {
        let mut response = ureq::get(&url).call().map_err(|e| CliError {
            code: code::NETWORK,
            message: format!("fetching {url}: {e}"),
        })?;
        response.body_mut().read_to_string().map_err(|e| CliError {
            code: code::NETWORK,
            message: format!("reading {url}: {e}"),
        })
    })
    .await
    .map_err(|e| CliError::other(e.to_string()))?
}

fn claims_json(token: &str) -> Value {
    match Claims::decode(token) {
        Ok(claims) => Value::Object(claims.0),
        Err(e) => json!({ "error": e.to_string() }),
    }
}

/// `tokens`.
pub async fn tokens(global: &Global, args: TokensArgs) -> Result<u8, CliError> {
    if global.no_cache {
        return Err(CliError::usage(
            "--no-cache: there is no token cache to show",
        ));
    }
    let resolved = resolve(global, &args.target)?;
    let entries = TokenCache::open()?.matching(
        resolved.pool_id.as_deref(),
        resolved.client_id.as_deref(),
        resolved.username.as_deref(),
    );
    if entries.is_empty() {
        return Err(CliError::usage("no cached tokens (sign in first)"));
    }
    let now = crate::store::now();
    let mut listed = Vec::new();
    let mut failure: Option<CliError> = None;
    for entry in &entries {
        let seconds_left = entry.expires_at.saturating_sub(now);
        let mut item = json!({
            "PoolId": entry.pool_id,
            "ClientId": entry.client_id,
            "Username": entry.username,
            "InternalUsername": entry.internal_username,
            "DeviceKey": entry.device_key,
            "ExpiresAt": entry.expires_at,
            "SecondsLeft": seconds_left,
            "Expired": entry.expires_at <= now,
            "HasRefreshToken": entry.refresh_token.is_some(),
            "AccessTokenClaims": claims_json(&entry.access_token),
            "IdTokenClaims": entry.id_token.as_deref().map(claims_json),
        });
        if args.raw {
            item["AccessToken"] = json!(entry.access_token);
            item["IdToken"] = json!(entry.id_token);
        }
        if args.verify {
            let endpoint = resolved
                .endpoint_url
                .clone()
                .or_else(|| entry.endpoint_url.clone());
            let verdict = verify_entry(entry, endpoint.as_deref()).await;
            match verdict {
                Ok(()) => item["Verified"] = json!(true),
                Err(e) => {
                    item["Verified"] = json!(false);
                    item["VerifyError"] = json!(e.message);
                    failure.get_or_insert(e);
                }
            }
        }
        listed.push(item);
    }
    output(global).emit(&Value::Array(listed))?;
    match failure {
        Some(e) => Err(e),
        None => Ok(code::OK),
    }
}

async fn verify_entry(entry: &CachedTokens, endpoint: Option<&str>) -> Result<(), CliError> {
    let pool = PoolId::parse(&entry.pool_id).map_err(|e| CliError::config(e.to_string()))?;
    let jwks = fetch(jwks_url(&pool, endpoint)).await?;
    let verifier = TokenVerifier::from_jwks_json(
        TokenVerifier::cognito_issuer(&pool),
        &entry.client_id,
        &jwks,
    )?;
    verifier.verify(&entry.access_token, TokenUse::Access)?;
    if let Some(id) = &entry.id_token {
        verifier.verify(id, TokenUse::Id)?;
    }
    Ok(())
}

/// `devices`.
pub async fn devices(global: &Global, command: DevicesCommand) -> Result<u8, CliError> {
    if global.no_cache {
        return Err(CliError::usage("--no-cache: there is no device store"));
    }
    let store = FileDeviceStore::open()?;
    match command {
        DevicesCommand::List { target, remote } => {
            let resolved = resolve(global, &target)?;
            if remote {
                let cached = cached_for(global, &resolved)?;
                let resolved = with_cached_origin(resolved, &cached);
                let client = sdk::client(&resolved.sdk_target(Some(&cached.pool_id))).await;
                let spinner = Spinner::start("ListDevices…");
                let out = with_spinner(
                    &spinner,
                    client
                        .list_devices()
                        .access_token(&cached.access_token)
                        .send(),
                )
                .await
                .map_err(sdk::error)?;
                let devices: Vec<Value> = out
                    .devices()
                    .iter()
                    .map(|d| {
                        let attributes: Vec<Value> = d
                            .device_attributes()
                            .iter()
                            .map(|a| json!({"Name": a.name(), "Value": a.value()}))
                            .collect();
                        json!({
                            "DeviceKey": d.device_key(),
                            "DeviceAttributes": attributes,
                            "DeviceCreateDate": d.device_create_date().map(|t| t.secs()),
                            "DeviceLastModifiedDate": d.device_last_modified_date().map(|t| t.secs()),
                            "DeviceLastAuthenticatedDate": d.device_last_authenticated_date().map(|t| t.secs()),
                        })
                    })
                    .collect();
                output(global).emit(&json!({ "Devices": devices }))?;
            } else {
                let listed: Vec<Value> = store
                    .list()
                    .map_err(|e| CliError::config(e.0))?
                    .into_iter()
                    .filter(|d| {
                        resolved.pool_id.as_deref().is_none_or(|p| p == d.pool_id)
                            && resolved.username.as_deref().is_none_or(|u| u == d.username)
                    })
                    .map(|d| serde_json::to_value(d).unwrap_or_default())
                    .collect();
                output(global).emit(&json!({ "Devices": listed }))?;
            }
            Ok(code::OK)
        }
        DevicesCommand::Forget {
            device_key,
            target,
            local_only,
        } => {
            let resolved = resolve(global, &target)?;
            let known: Vec<_> = store
                .list()
                .map_err(|e| CliError::config(e.0))?
                .into_iter()
                .filter(|d| d.device_key == device_key)
                .collect();
            let mut remote = false;
            if !local_only {
                if let Ok(cached) = cached_for(global, &resolved) {
                    let resolved = with_cached_origin(resolved, &cached);
                    let client = sdk::client(&resolved.sdk_target(Some(&cached.pool_id))).await;
                    let spinner = Spinner::start("ForgetDevice…");
                    with_spinner(
                        &spinner,
                        client
                            .forget_device()
                            .access_token(&cached.access_token)
                            .device_key(&device_key)
                            .send(),
                    )
                    .await
                    .map_err(sdk::error)?;
                    remote = true;
                }
            }
            if known.is_empty() && !remote {
                return Err(CliError::usage(format!(
                    "no remembered device {device_key}"
                )));
            }
            for d in &known {
                store
                    .forget(&d.pool_id, &d.device_key)
                    .map_err(|e| CliError::config(e.0))?;
            }
            output(global).emit(&json!({
                "DeviceKey": device_key,
                "ForgottenLocally": !known.is_empty(),
                "ForgottenInCognito": remote,
            }))?;
            Ok(code::OK)
        }
    }
}
