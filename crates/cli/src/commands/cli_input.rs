//! `--cli-input-json` and `--generate-cli-skeleton` for the raw commands, as the
//! AWS CLI has them: the request as one JSON document (usually
//! `file://request.json`, so nothing secret is on the command line), with values
//! given as options taking precedence.

use std::collections::BTreeMap;

use clap::Args;
use cognito_auth_flows::{Metadata, UserContext};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::exit::{CliError, code};
use crate::ui;

/// The two options.
#[derive(Debug, Args, Clone, Default)]
pub struct CliInputArgs {
    /// The request as JSON (see --generate-cli-skeleton); usually file://PATH.
    #[arg(long, value_name = "JSON")]
    pub cli_input_json: Option<String>,
    /// Print a request skeleton for --cli-input-json and exit.
    #[arg(long, value_name = "input", num_args = 0..=1, default_missing_value = "input",
          value_parser = ["input"])]
    pub generate_cli_skeleton: Option<String>,
}

/// AnalyticsMetadata as JSON names it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct Analytics {
    analytics_endpoint_id: Option<String>,
}

/// UserContextData as JSON names it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ContextData {
    ip_address: Option<String>,
    encoded_data: Option<String>,
}

/// An InitiateAuth or RespondToAuthChallenge request as `--cli-input-json`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct CliInput {
    pub client_id: Option<String>,
    pub auth_flow: Option<String>,
    pub auth_parameters: Option<BTreeMap<String, String>>,
    pub challenge_name: Option<String>,
    pub challenge_responses: Option<BTreeMap<String, String>>,
    pub session: Option<String>,
    client_metadata: Option<BTreeMap<String, String>>,
    analytics_metadata: Option<Analytics>,
    user_context_data: Option<ContextData>,
}

impl CliInput {
    /// The document `--cli-input-json` holds (an empty one without it).
    pub fn read(args: &CliInputArgs) -> Result<Self, CliError> {
        match &args.cli_input_json {
            None => Ok(Self::default()),
            Some(text) => serde_json::from_str(text)
                .map_err(|e| CliError::usage(format!("--cli-input-json: {e}"))),
        }
    }

    /// `metadata` with what the options left unset taken from the document.
    pub fn fill_metadata(&mut self, mut metadata: Metadata) -> Metadata {
        if metadata.client_metadata.is_empty() {
            metadata.client_metadata = self.client_metadata.take().unwrap_or_default();
        }
        if metadata.analytics_endpoint_id.is_none() {
            metadata.analytics_endpoint_id = self
                .analytics_metadata
                .take()
                .and_then(|a| a.analytics_endpoint_id);
        }
        if metadata.user_context.is_none() {
            metadata.user_context = self.user_context_data.take().map(|c| UserContext {
                ip_address: c.ip_address,
                encoded_data: c.encoded_data,
            });
        }
        metadata
    }
}

/// The option's value, else the document's; `what` names it when both lack it.
pub fn either(
    option: Option<String>,
    document: Option<String>,
    what: &str,
) -> Result<String, CliError> {
    option.or(document).ok_or_else(|| {
        CliError::usage(format!(
            "{what} is required (or give it in --cli-input-json)"
        ))
    })
}

/// Which request a skeleton is for.
#[derive(Clone, Copy, Debug)]
pub enum Operation {
    /// InitiateAuth.
    InitiateAuth,
    /// RespondToAuthChallenge.
    RespondToAuthChallenge,
}

/// Prints the input skeleton of `operation` when asked, returning the exit.
pub fn print_skeleton(args: &CliInputArgs, operation: Operation) -> Option<Result<u8, CliError>> {
    args.generate_cli_skeleton.as_ref()?;
    let common = json!({
        "ClientId": "",
        "ClientMetadata": {"KeyName": ""},
        "AnalyticsMetadata": {"AnalyticsEndpointId": ""},
        "UserContextData": {"IpAddress": "", "EncodedData": ""},
        "Session": ""
    });
    let specific = match operation {
        Operation::InitiateAuth => json!({
            "AuthFlow": "USER_SRP_AUTH",
            "AuthParameters": {"KeyName": ""}
        }),
        Operation::RespondToAuthChallenge => json!({
            "ChallengeName": "SMS_MFA",
            "ChallengeResponses": {"KeyName": ""}
        }),
    };
    let mut skeleton = specific;
    if let (Value::Object(all), Value::Object(rest)) = (&mut skeleton, common) {
        all.extend(rest);
    }
    let mut text = serde_json::to_string_pretty(&skeleton).unwrap_or_default();
    text.push('\n');
    ui::out(&text);
    Some(Ok(code::OK))
}
