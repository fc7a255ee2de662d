//! Named presets (`cognito-auth sign-in --preset dev`) read from
//! `$XDG_CONFIG_HOME/cognito-auth/config.toml` (or `--config FILE`).
//!
//! ```toml
//! [presets.dev]
//! region = "us-east-1"
//! pool_id = "us-east-1_AbCdEf123"
//! client_id = "3n4b5urk1ft4fl3mg5e62d9ado"
//! client_secret_file = "~/.config/cognito-auth/dev.secret"   # or client_secret_env = "DEV_SECRET"
//! username = "alice"
//! endpoint_url = "http://127.0.0.1:9229"                      # optional
//! cli_read_timeout = 30                                        # optional, seconds
//! ```
//!
//! `cli_connect_timeout` and `cli_read_timeout` (seconds, 0 for none) may also
//! stand at the top, for every command; the AWS CLI has them only as options,
//! not as config-file entries, so they live here.
//!
//! A preset names where the client secret is, never the secret itself, so the
//! file can be shared.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Seconds to wait for a connection, for every command.
    pub cli_connect_timeout: Option<f64>,
    /// Seconds to wait for a reply, for every command.
    pub cli_read_timeout: Option<f64>,
    /// Presets by name.
    #[serde(default)]
    pub presets: BTreeMap<String, Preset>,
    /// Where tokens are kept: `keyring` or `file` (`--store` overrides it).
    pub store: Option<crate::store::StoreKind>,
}

/// One named preset. Command-line options override every field.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    /// AWS region.
    pub region: Option<String>,
    /// User pool id.
    pub pool_id: Option<String>,
    /// App client id.
    pub client_id: Option<String>,
    /// A file holding the client secret.
    pub client_secret_file: Option<PathBuf>,
    /// An environment variable holding the client secret.
    pub client_secret_env: Option<String>,
    /// Username.
    pub username: Option<String>,
    /// Endpoint URL (an emulator, a VPC endpoint).
    pub endpoint_url: Option<String>,
    /// AWS profile for the operations that need credentials.
    pub profile: Option<String>,
    /// Seconds to wait for a connection (over the file's top-level value).
    pub cli_connect_timeout: Option<f64>,
    /// Seconds to wait for a reply (over the file's top-level value).
    pub cli_read_timeout: Option<f64>,
}

/// Config failures.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape.
    #[error("config {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// `--preset` names a preset the file lacks.
    #[error("no preset {name:?} in {path} (have: {available})")]
    UnknownPreset {
        /// The requested name.
        name: String,
        /// The file.
        path: PathBuf,
        /// The names it has.
        available: String,
    },
}

/// The default config file location.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "cognito-auth")
        .map(|dirs| dirs.config_dir().join("config.toml"))
}

/// Reads the config; a missing default file is an empty config, a missing
/// explicit one an error.
pub fn load(path: &Path, explicit: bool) -> Result<Config, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if !explicit && err.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Config::default());
        }
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    toml::from_str(&text).map_err(|err| ConfigError::Parse {
        path: path.to_owned(),
        message: err.message().to_owned(),
    })
}

impl Config {
    /// The preset `name`.
    pub fn preset(&self, name: &str, path: &Path) -> Result<&Preset, ConfigError> {
        self.presets
            .get(name)
            .ok_or_else(|| ConfigError::UnknownPreset {
                name: name.to_owned(),
                path: path.to_owned(),
                available: if self.presets.is_empty() {
                    "none".to_owned()
                } else {
                    self.presets.keys().cloned().collect::<Vec<_>>().join(", ")
                },
            })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn reads_presets_and_refuses_unknown_fields() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "[presets.dev]\npool_id = \"us-east-1_Abc123456\"\nclient_id = \"c\"\nusername = \"alice\"\n",
        )
        .unwrap();
        let config = load(&path, true).unwrap();
        let dev = config.preset("dev", &path).unwrap();
        assert_eq!(dev.pool_id.as_deref(), Some("us-east-1_Abc123456"));
        assert_eq!(dev.username.as_deref(), Some("alice"));
        let err = config.preset("prod", &path).unwrap_err().to_string();
        assert!(
            err.contains("no preset \"prod\"") && err.contains("have: dev"),
            "{err}"
        );

        std::fs::write(&path, "[presets.dev]\nclient_secret = \"inline\"\n").unwrap();
        assert!(matches!(load(&path, true), Err(ConfigError::Parse { .. })));
    }

    #[test]
    fn missing_default_file_is_empty_but_missing_explicit_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.toml");
        assert!(load(&path, false).unwrap().presets.is_empty());
        assert!(matches!(load(&path, true), Err(ConfigError::Read { .. })));
    }
}
