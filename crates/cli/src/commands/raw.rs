//! `cognito-auth initiate-auth` and `respond-to-auth-challenge`: one SDK call each,
//! shaped like `aws cognito-idp`, with no pool id needed. The request building and
//! JSON here are the CLI's own copy of what flows does for its calls.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AnalyticsMetadataType, AuthFlowType, AuthenticationResultType, ChallengeNameType,
    UserContextDataType,
};
use clap::Args;
use cognito_auth_flows::Metadata;
use secrecy::ExposeSecret;
use serde_json::{Map, Value, json};

use super::input::{env_secret, read_secret_file};
use super::metadata::{MetadataArgs, metadata};
use super::output::{output, with_spinner};
use super::target::Resolved;
use crate::args::Global;
use crate::exit::{CliError, code};
use crate::sdk;
use crate::shorthand;
use crate::ui::Spinner;

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
