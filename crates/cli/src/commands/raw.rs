//! `cognito-auth initiate-auth` and `respond-to-auth-challenge`: one call each
//! through flows' raw layer (`AuthApi`), shaped like `aws cognito-idp`, with no pool
//! id needed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use clap::Args;
use cognito_auth_flows::{AuthApi, Error as FlowsError, Metadata, Reply};

use super::cli_input::{CliInput, CliInputArgs, Operation, either, print_skeleton};
use super::input::{env_secret, read_secret_file};
use super::metadata::{MetadataArgs, metadata};
use super::output::{output, with_spinner};
use super::target::resolve_raw;
use crate::args::Global;
use crate::exit::{CliError, code};
use crate::sdk;
use crate::shorthand;
use crate::ui::Spinner;

/// `initiate-auth`.
#[derive(Debug, Args)]
pub struct InitiateArgs {
    /// App client id.
    #[arg(long, required_unless_present_any = ["cli_input_json", "generate_cli_skeleton"])]
    client_id: Option<String>,
    /// USER_SRP_AUTH, USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH, CUSTOM_AUTH, USER_AUTH, ...
    #[arg(long, required_unless_present_any = ["cli_input_json", "generate_cli_skeleton"])]
    auth_flow: Option<String>,
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
    #[command(flatten)]
    input: CliInputArgs,
}

/// `respond-to-auth-challenge`.
#[derive(Debug, Args)]
pub struct RespondArgs {
    /// App client id.
    #[arg(long, required_unless_present_any = ["cli_input_json", "generate_cli_skeleton"])]
    client_id: Option<String>,
    /// The ChallengeName being answered.
    #[arg(long, required_unless_present_any = ["cli_input_json", "generate_cli_skeleton"])]
    challenge_name: Option<String>,
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
    #[command(flatten)]
    input: CliInputArgs,
}

/// The app client's calls for a raw command, over the SDK client for the raw
/// target: the client secret (from the file, else `COGNITO_CLIENT_SECRET`) puts
/// SECRET_HASH over USERNAME into `map` where it has none, and the metadata rides
/// on the call.
async fn raw_api(
    global: &Global,
    client_id: &str,
    secret_file: Option<&PathBuf>,
    metadata: Metadata,
    map: &mut BTreeMap<String, String>,
) -> Result<AuthApi, CliError> {
    let secret = match secret_file {
        Some(path) => Some(read_secret_file(path)?),
        None => env_secret("COGNITO_CLIENT_SECRET"),
    };
    let client = sdk::client(&resolve_raw(global)?.sdk_target(None)?).await?;
    let api = AuthApi::new(client, client_id).with_metadata(metadata);
    let api = match secret {
        Some(secret) => api.with_client_secret(secret),
        None => api,
    };
    api.add_secret_hash(map);
    Ok(api)
}

/// Sends one raw call behind a spinner and prints the reply as the AWS CLI would.
async fn send_and_print(
    global: &Global,
    label: &str,
    call: impl Future<Output = Result<Reply, FlowsError>>,
) -> Result<u8, CliError> {
    let spinner = Spinner::start(label);
    let reply = with_spinner(&spinner, call).await?;
    output(global).emit(&reply.to_aws_cli_json())?;
    Ok(code::OK)
}

fn collect_map(
    name: &str,
    document: Option<BTreeMap<String, String>>,
    whole: Option<&String>,
    pairs: &[String],
    pair_name: &str,
) -> Result<BTreeMap<String, String>, CliError> {
    let mut map = match whole {
        Some(text) => shorthand::parse_map(name, text)?,
        None => document.unwrap_or_default(),
    };
    for pair in pairs {
        shorthand::add_pair(pair_name, &mut map, pair)?;
    }
    Ok(map)
}

/// `initiate-auth`.
pub async fn initiate_auth(global: &Global, args: InitiateArgs) -> Result<u8, CliError> {
    if let Some(done) = print_skeleton(&args.input, Operation::InitiateAuth) {
        return done;
    }
    let mut document = CliInput::read(&args.input)?;
    let client_id = either(args.client_id, document.client_id.take(), "--client-id")?;
    let auth_flow = either(args.auth_flow, document.auth_flow.take(), "--auth-flow")?;
    let session = args.session.or(document.session.take());
    let mut parameters = collect_map(
        "--auth-parameters",
        document.auth_parameters.take(),
        args.auth_parameters.as_ref(),
        &args.auth_parameter,
        "--auth-parameter",
    )?;
    let metadata = document.fill_metadata(metadata(&args.metadata)?);
    let secret_file = args.client_secret_file.as_ref();
    let api = raw_api(global, &client_id, secret_file, metadata, &mut parameters).await?;
    let flow = AuthFlowType::from(auth_flow.as_str());
    let call = api.initiate_auth(flow, parameters, session.as_deref());
    send_and_print(global, "InitiateAuth…", call).await
}

/// `respond-to-auth-challenge`.
pub async fn respond(global: &Global, args: RespondArgs) -> Result<u8, CliError> {
    if let Some(done) = print_skeleton(&args.input, Operation::RespondToAuthChallenge) {
        return done;
    }
    let mut document = CliInput::read(&args.input)?;
    let client_id = either(args.client_id, document.client_id.take(), "--client-id")?;
    let challenge_name = either(
        args.challenge_name,
        document.challenge_name.take(),
        "--challenge-name",
    )?;
    let session = args.session.or(document.session.take());
    let mut responses = collect_map(
        "--challenge-responses",
        document.challenge_responses.take(),
        args.challenge_responses.as_ref(),
        &args.challenge_response,
        "--challenge-response",
    )?;
    let metadata = document.fill_metadata(metadata(&args.metadata)?);
    let secret_file = args.client_secret_file.as_ref();
    let api = raw_api(global, &client_id, secret_file, metadata, &mut responses).await?;
    let challenge = ChallengeNameType::from(challenge_name.as_str());
    let call = api.respond_to_auth_challenge(challenge, responses, session.as_deref());
    send_and_print(global, "RespondToAuthChallenge…", call).await
}
