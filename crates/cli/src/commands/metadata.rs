//! ClientMetadata, AnalyticsMetadata and UserContextData from the command line.

use clap::Args;
use cognito_auth_flows::{Metadata, UserContext};

use crate::exit::CliError;
use crate::shorthand;

/// ClientMetadata, AnalyticsMetadata, UserContextData.
#[derive(Debug, Args, Clone, Default)]
pub struct MetadataArgs {
    /// ClientMetadata for the pool's Lambda triggers: `K=V,K=V` or JSON.
    #[arg(long, value_name = "MAP")]
    client_metadata: Option<String>,
    /// AnalyticsMetadata (Amazon Pinpoint): `AnalyticsEndpointId=...` or JSON.
    #[arg(long, value_name = "MAP", conflicts_with = "analytics_endpoint_id")]
    analytics_metadata: Option<String>,
    /// The old spelling of `--analytics-metadata AnalyticsEndpointId=ID`.
    #[arg(long, value_name = "ID", hide = true)]
    analytics_endpoint_id: Option<String>,
    /// UserContextData: `EncodedData=...,IpAddress=...` or JSON.
    #[arg(long, value_name = "MAP")]
    user_context_data: Option<String>,
}

/// The request metadata the arguments name.
pub fn metadata(args: &MetadataArgs) -> Result<Metadata, CliError> {
    let mut metadata = Metadata::default();
    if let Some(text) = &args.client_metadata {
        metadata.client_metadata = shorthand::parse_map("--client-metadata", text)?;
    }
    metadata.analytics_endpoint_id = args.analytics_endpoint_id.clone();
    if let Some(text) = &args.analytics_metadata {
        let map = shorthand::parse_map("--analytics-metadata", text)?;
        if let Some(key) = map.keys().find(|k| *k != "AnalyticsEndpointId") {
            return Err(CliError::usage(format!(
                "--analytics-metadata: unknown key {key} (AnalyticsEndpointId)"
            )));
        }
        metadata.analytics_endpoint_id = map.get("AnalyticsEndpointId").cloned();
    }
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
