//! `cognito-auth devices`: remembered devices, from the local store or from
//! Cognito (flows' ListDevices, ForgetDevice) with the cached access token.

use clap::Subcommand;
use cognito_auth_flows::DeviceStore;
use serde_json::{Value, json};

use super::output::{output, with_spinner};
use super::target::{TargetArgs, cached_api, cached_for, resolve};
use crate::args::Global;
use crate::exit::{CliError, code};
use crate::store::FileDeviceStore;
use crate::ui::Spinner;

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
                let api = cached_api(resolved, &cached).await?;
                let spinner = Spinner::start("ListDevices…");
                let listed = with_spinner(&spinner, api.list_devices(&cached.access())).await?;
                let devices: Vec<Value> = listed
                    .iter()
                    .map(|d| {
                        let attributes: Vec<Value> = d
                            .attributes
                            .iter()
                            .map(|(name, value)| json!({"Name": name, "Value": value}))
                            .collect();
                        json!({
                            "DeviceKey": d.device_key,
                            "DeviceAttributes": attributes,
                            "DeviceCreateDate": d.created,
                            "DeviceLastModifiedDate": d.last_modified,
                            "DeviceLastAuthenticatedDate": d.last_authenticated,
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
            if !local_only && let Ok(cached) = cached_for(global, &resolved) {
                let api = cached_api(resolved, &cached).await?;
                let spinner = Spinner::start("ForgetDevice…");
                with_spinner(&spinner, api.forget_device(&cached.access(), &device_key)).await?;
                remote = true;
            }
            if known.is_empty() && !remote {
                return Err(CliError::usage(format!(
                    "no remembered device {device_key}"
                )));
            }
            for d in &known {
                store
                    .forget(&d.pool_id, &d.device_key)
                    .await
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
