//! `cognito-auth initiate-auth` and `respond-to-auth-challenge`: one call each
//! through flows' raw layer (`AuthApi`), shaped like `aws cognito-idp`, with no pool
//! id needed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use clap::Args;
use cognito_auth_flows::{AuthApi, Metadata};

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

/// The app client's calls: its secret (from the file, else `COGNITO_CLIENT_SECRET`)
/// puts SECRET_HASH over USERNAME where a map has none, and the metadata rides on
/// the call.
fn auth_api(
    client: Client,
    client_id: &str,
    secret_file: Option<&PathBuf>,
    metadata: Metadata,
) -> Result<AuthApi, CliError> {
    let secret = match secret_file {
        Some(path) => Some(read_secret_file(path)?),
        None => env_secret("COGNITO_CLIENT_SECRET"),
    };
    let api = AuthApi::new(client, client_id).with_metadata(metadata);
    Ok(match secret {
        Some(secret) => api.with_client_secret(secret),
        None => api,
    })
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

fn raw_resolved(global: &Global) -> Resolved {
    Resolved {
        region: global.region.clone(),
        profile: global.profile.clone(),
        endpoint_url: global.endpoint_url.clone(),
        timeout_flags: global.timeout_flags(),
        debug: global.habits.debug,
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
    let client = sdk::client(&raw_resolved(global).sdk_target(None)?).await?;
    let api = auth_api(
        client,
        &args.client_id,
        args.client_secret_file.as_ref(),
        metadata(&args.metadata)?,
    )?;
    api.add_secret_hash(&mut parameters);
    let spinner = Spinner::start("InitiateAuth…");
    let reply = with_spinner(
        &spinner,
        api.initiate_auth(
            AuthFlowType::from(args.auth_flow.as_str()),
            parameters,
            args.session.as_deref(),
        ),
    )
    .await?;
    output(global).emit(&reply.to_aws_cli_json())?;
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
    let client = sdk::client(&raw_resolved(global).sdk_target(None)?).await?;
    let api = auth_api(
        client,
        &args.client_id,
        args.client_secret_file.as_ref(),
        metadata(&args.metadata)?,
    )?;
    api.add_secret_hash(&mut responses);
    let spinner = Spinner::start("RespondToAuthChallenge…");
    let reply = with_spinner(
        &spinner,
        api.respond_to_auth_challenge(
            ChallengeNameType::from(args.challenge_name.as_str()),
            responses,
            args.session.as_deref(),
        ),
    )
    .await?;
    output(global).emit(&reply.to_aws_cli_json())?;
    Ok(code::OK)
}
