//! Seed files: TOML declaring pools, app clients and users, applied at start.
//!
//! Applying is idempotent: a pool whose id already exists (a restart on the same
//! `--data` file) is left as it is. See `examples/seed.toml`.

use std::collections::BTreeMap;
use std::path::Path;

use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::model::UserStatus;
use crate::service::Service;
use crate::store::StoreError;

/// Why a seed file was not applied.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// Reading the file failed.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The TOML is malformed.
    #[error("parsing the seed: {0}")]
    Parse(#[from] toml::de::Error),
    /// An entry was refused (bad pool id, weak password, ...).
    #[error("seed entry refused: {0}")]
    Refused(#[from] ApiError),
    /// Storage failed.
    #[error("storage: {0}")]
    Store(#[from] StoreError),
}

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// Pools.
    #[serde(default)]
    pub pools: Vec<SeedPool>,
}

/// A pool.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPool {
    /// Fixed id, `<region>_<name>`.
    pub id: String,
    /// Name.
    pub name: String,
    /// `["email"]` to sign in by email.
    #[serde(default)]
    pub username_attributes: Vec<String>,
    /// `["email"]` to allow a verified email as an alias.
    #[serde(default)]
    pub alias_attributes: Vec<String>,
    /// Attributes verified on sign-up confirmation.
    #[serde(default)]
    pub auto_verified_attributes: Vec<String>,
    /// `OFF`, `ON` or `OPTIONAL`.
    #[serde(default)]
    pub mfa: Option<String>,
    /// Device tracking.
    #[serde(default)]
    pub devices: Option<SeedDevices>,
    /// Minimum password length (default 8).
    #[serde(default)]
    pub password_minimum_length: Option<u32>,
    /// App clients.
    #[serde(default)]
    pub clients: Vec<SeedClient>,
    /// Users.
    #[serde(default)]
    pub users: Vec<SeedUser>,
}

/// Device tracking settings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedDevices {
    /// ChallengeRequiredOnNewDevice.
    #[serde(default)]
    pub challenge_required_on_new_device: bool,
    /// DeviceOnlyRememberedOnUserPrompt.
    #[serde(default)]
    pub device_only_remembered_on_user_prompt: bool,
}

/// An app client.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedClient {
    /// Fixed client id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Fixed secret, if the client has one.
    #[serde(default)]
    pub secret: Option<String>,
    /// ExplicitAuthFlows (default: SRP, refresh, custom).
    #[serde(default)]
    pub explicit_auth_flows: Option<Vec<String>>,
    /// `LEGACY` or `ENABLED`.
    #[serde(default)]
    pub prevent_user_existence_errors: Option<String>,
    /// Minutes, 3..=15.
    #[serde(default)]
    pub auth_session_validity: Option<i64>,
}

impl std::fmt::Debug for SeedClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeedClient")
            .field("id", &self.id)
            .field("has_secret", &self.secret.is_some())
            .finish_non_exhaustive()
    }
}

/// A user.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUser {
    /// Username (an email in pools that sign in by email).
    pub username: String,
    /// Password; stored only as an SRP verifier.
    pub password: String,
    /// `CONFIRMED` (default), `FORCE_CHANGE_PASSWORD`, `UNCONFIRMED` or `RESET_REQUIRED`.
    #[serde(default)]
    pub status: Option<String>,
    /// Attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

impl std::fmt::Debug for SeedUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeedUser")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Reads and applies a seed file.
pub fn apply_file(service: &Service, path: &Path) -> Result<(), SeedError> {
    let text = std::fs::read_to_string(path).map_err(|source| SeedError::Read {
        path: path.display().to_string(),
        source,
    })?;
    apply(service, &toml::from_str(&text)?)
}

/// Applies a parsed seed.
pub fn apply(service: &Service, seed: &Seed) -> Result<(), SeedError> {
    for pool in &seed.pools {
        service.seed_pool(pool)?;
    }
    Ok(())
}

impl Service {
    fn seed_pool(&self, seed: &SeedPool) -> Result<(), SeedError> {
        if self.pool(&seed.id).is_ok() {
            tracing::info!(pool = %seed.id, "seed: pool exists, left as it is");
            return Ok(());
        }
        let mut input = json!({
            "PoolName": seed.name,
            "UsernameAttributes": seed.username_attributes,
            "AliasAttributes": seed.alias_attributes,
            "AutoVerifiedAttributes": seed.auto_verified_attributes,
            "MfaConfiguration": seed.mfa.clone().unwrap_or_else(|| "OFF".into()),
        });
        if let Some(devices) = &seed.devices {
            input["DeviceConfiguration"] = json!({
                "ChallengeRequiredOnNewDevice": devices.challenge_required_on_new_device,
                "DeviceOnlyRememberedOnUserPrompt": devices.device_only_remembered_on_user_prompt,
            });
        }
        if let Some(length) = seed.password_minimum_length {
            input["Policies"] = json!({ "PasswordPolicy": { "MinimumLength": length } });
        }
        let region = seed.id.split('_').next().unwrap_or("us-east-1").to_owned();
        let pool = self.create_pool_record(
            crate::service::parse_create_pool(input)?,
            &region,
            Some(seed.id.clone()),
        )?;
        for client in &seed.clients {
            let mut input = json!({
                "UserPoolId": pool.id,
                "ClientName": client.name,
            });
            if let Some(flows) = &client.explicit_auth_flows {
                input["ExplicitAuthFlows"] = json!(flows);
            }
            if let Some(prevent) = &client.prevent_user_existence_errors {
                input["PreventUserExistenceErrors"] = json!(prevent);
            }
            if let Some(minutes) = client.auth_session_validity {
                input["AuthSessionValidity"] = json!(minutes);
            }
            self.create_client_record(input, Some((client.id.clone(), client.secret.clone())))?;
        }
        for user in &seed.users {
            let attributes: Vec<Value> = user
                .attributes
                .iter()
                .map(|(name, value)| json!({ "Name": name, "Value": value }))
                .collect();
            let status = match user.status.as_deref().unwrap_or("CONFIRMED") {
                "CONFIRMED" => UserStatus::Confirmed,
                "FORCE_CHANGE_PASSWORD" => UserStatus::ForceChangePassword,
                "UNCONFIRMED" => UserStatus::Unconfirmed,
                "RESET_REQUIRED" => UserStatus::ResetRequired,
                other => {
                    return Err(ApiError::invalid_parameter(format!(
                        "unknown user status {other}"
                    ))
                    .into());
                }
            };
            self.seed_user(
                &pool,
                &user.username,
                Value::Array(attributes),
                &SecretString::from(user.password.clone()),
                status,
            )?;
        }
        tracing::info!(pool = %pool.id, "seed: pool created");
        Ok(())
    }
}
