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
use crate::service::ServiceConfig;
use crate::store::StoreError;
use crate::triggers::{BUILTIN, TargetError, TriggerTarget};

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
    /// A `[triggers]` entry is not a URL or a command.
    #[error("trigger {name:?}: {error}")]
    Trigger {
        /// Its name.
        name: String,
        /// Why.
        error: TargetError,
    },
}

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// The trigger table: a name a pool's `lambda_config` uses (an ARN, say) to
    /// a URL or a command line (a string, split like a shell would, or an array
    /// of arguments). Commands run in the seed file's folder.
    #[serde(default)]
    pub triggers: BTreeMap<String, SeedTrigger>,
    /// Pools.
    #[serde(default)]
    pub pools: Vec<SeedPool>,
}

/// A trigger target in a seed file.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum SeedTrigger {
    /// A URL or a command line.
    Line(String),
    /// A program and its arguments.
    Argv(Vec<String>),
}

impl Seed {
    /// Reads and parses a seed file.
    pub fn load(path: &Path) -> Result<Self, SeedError> {
        let text = std::fs::read_to_string(path).map_err(|source| SeedError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Ok(toml::from_str(&text)?)
    }

    /// Adds [`Seed::trigger_table`] to the operator's table in `config`; a name
    /// already there keeps its target (the command line wins over the seed).
    /// A service opened with it runs what this seed's pools name.
    pub fn install_triggers(
        &self,
        config: &mut ServiceConfig,
        base: Option<&Path>,
    ) -> Result<(), SeedError> {
        for (name, target) in self.trigger_table(base)? {
            config.triggers.entry(name).or_insert(target);
        }
        Ok(())
    }

    /// The trigger table, commands set to run in `base` (the seed file's folder)
    /// and relative program paths such as `./trigger.sh` resolved against it.
    /// When a pool's `lambda_config` names `builtin`, the table maps that name
    /// to the built-in set: the seed is the operator's word, as `--trigger` is.
    pub fn trigger_table(
        &self,
        base: Option<&Path>,
    ) -> Result<BTreeMap<String, TriggerTarget>, SeedError> {
        let mut table = BTreeMap::new();
        for (name, trigger) in &self.triggers {
            let target = match trigger {
                SeedTrigger::Line(line) => TriggerTarget::parse(line),
                SeedTrigger::Argv(argv) if argv.is_empty() => Err(TargetError::Empty),
                SeedTrigger::Argv(argv) => Ok(TriggerTarget::Command {
                    argv: argv.clone(),
                    dir: None,
                }),
            }
            .map_err(|error| SeedError::Trigger {
                name: name.clone(),
                error,
            })?;
            let target = match (target, base) {
                (TriggerTarget::Command { mut argv, .. }, Some(base)) => {
                    if let Some(program) = argv.first_mut() {
                        let path = Path::new(program.as_str());
                        if path.is_relative() && path.components().count() > 1 {
                            *program = base.join(path).display().to_string();
                        }
                    }
                    TriggerTarget::Command {
                        argv,
                        dir: Some(base.to_path_buf()),
                    }
                }
                (target, _) => target,
            };
            table.insert(name.clone(), target);
        }
        let names_builtin = self
            .pools
            .iter()
            .any(|pool| pool.lambda_config.values().any(|name| name == BUILTIN));
        if names_builtin {
            table
                .entry(BUILTIN.to_owned())
                .or_insert(TriggerTarget::Builtin);
        }
        Ok(table)
    }
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
    /// Lambda triggers, as LambdaConfig names them: `DefineAuthChallenge`,
    /// `CreateAuthChallenge`, `VerifyAuthChallengeResponse` to `builtin` (the
    /// built-in set) or a name from `[triggers]` or `--trigger`.
    #[serde(default)]
    pub lambda_config: BTreeMap<String, String>,
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

/// Reads and applies a seed file (its `[triggers]` are not installed: they
/// belong in the [`crate::ServiceConfig`] the service was opened with, see
/// [`Seed::install_triggers`]).
pub fn apply_file(service: &Service, path: &Path) -> Result<(), SeedError> {
    apply(service, &Seed::load(path)?)
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
        if !seed.lambda_config.is_empty() {
            input["LambdaConfig"] = json!(seed.lambda_config);
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
                "UserPoolId": pool.id.as_str(),
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_trigger_table_runs_commands_in_the_seed_folder() {
        let seed: Seed = toml::from_str(
            r#"
            [triggers]
            "arn:a" = "python3 triggers.py --verbose"
            "arn:b" = ["./bin/verify", "x y"]
            "arn:c" = "https://example.com/define"
            "#,
        )
        .unwrap();
        let base = Path::new("/srv/seeds");
        let table = seed.trigger_table(Some(base)).unwrap();
        assert_eq!(
            table["arn:a"],
            TriggerTarget::Command {
                argv: vec!["python3".into(), "triggers.py".into(), "--verbose".into()],
                dir: Some(base.to_path_buf()),
            }
        );
        assert_eq!(
            table["arn:b"],
            TriggerTarget::Command {
                argv: vec!["/srv/seeds/./bin/verify".into(), "x y".into()],
                dir: Some(base.to_path_buf()),
            }
        );
        assert_eq!(
            table["arn:c"],
            TriggerTarget::Url("https://example.com/define".into())
        );
        assert!(!table.contains_key(BUILTIN));
        let bad: Seed = toml::from_str("[triggers]\n\"arn:d\" = []\n").unwrap();
        let error = bad.trigger_table(None).unwrap_err().to_string();
        assert_eq!(error, "trigger \"arn:d\": empty trigger target");
    }

    #[test]
    fn a_pool_that_names_builtin_brings_the_builtin_set_into_the_table() {
        let seed: Seed = toml::from_str(
            r#"
            [triggers]
            "arn:own" = "builtin"
            [[pools]]
            id = "us-east-1_Builtin1"
            name = "b"
            lambda_config = { DefineAuthChallenge = "builtin", CreateAuthChallenge = "arn:own", VerifyAuthChallengeResponse = "builtin" }
            "#,
        )
        .unwrap();
        let mut config = ServiceConfig::default();
        config.triggers.insert(
            "arn:own".into(),
            TriggerTarget::Url("http://127.0.0.1:9/own".into()),
        );
        seed.install_triggers(&mut config, None).unwrap();
        assert_eq!(config.triggers[BUILTIN], TriggerTarget::Builtin);
        // The command line's entry wins over the seed's.
        assert_eq!(
            config.triggers["arn:own"],
            TriggerTarget::Url("http://127.0.0.1:9/own".into())
        );
        assert_eq!(config.triggers.len(), 2);
    }
}
