//! Which pool, app client and user a command works on: the arguments, then the
//! preset, then (for commands on a past sign-in) the token cache.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use cognito_auth_flows::{AuthApi, Metadata, PoolId};
use secrecy::SecretString;

use super::input::{env_secret, read_secret_file};
use crate::args::Global;
use crate::config::{self, Config, Preset};
use crate::exit::CliError;
use crate::sdk;
use crate::store::{CachedTokens, FileDeviceStore, Origin, TokenCache};

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

/// The target and AWS settings after arguments, environment and preset.
#[derive(Debug, Default)]
pub struct Resolved {
    pub pool_id: Option<String>,
    pub client_id: Option<String>,
    pub username: Option<String>,
    pub secret: Option<SecretString>,
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    pub timeout_flags: sdk::TimeoutFlags,
    pub debug: bool,
}

/// The config file: `--config FILE` (which must exist), else the default one
/// (an empty config when missing).
fn load_config(global: &Global) -> Result<(Config, Option<PathBuf>), CliError> {
    let (path, explicit) = match &global.config {
        Some(path) => (path.clone(), true),
        None => match config::default_path() {
            Some(path) => (path, false),
            None => return Ok((Config::default(), None)),
        },
    };
    Ok((config::load(&path, explicit)?, Some(path)))
}

/// The timeouts: the options, else the preset's, else the config file's.
fn timeout_flags(global: &Global, config: &Config, preset: &Preset) -> sdk::TimeoutFlags {
    let flags = global.timeout_flags();
    sdk::TimeoutFlags {
        connect: flags
            .connect
            .or(preset.cli_connect_timeout)
            .or(config.cli_connect_timeout),
        read: flags
            .read
            .or(preset.cli_read_timeout)
            .or(config.cli_read_timeout),
    }
}

/// What a raw call (no pool, no preset) takes from the options and config file.
pub fn resolve_raw(global: &Global) -> Result<Resolved, CliError> {
    let (config, _) = load_config(global)?;
    Ok(Resolved {
        region: global.region.clone(),
        profile: global.profile.clone(),
        endpoint_url: global.endpoint_url.clone(),
        timeout_flags: timeout_flags(global, &config, &Preset::default()),
        debug: global.habits.debug,
        ..Resolved::default()
    })
}

/// Resolves `target`: each value from its argument, else the preset (the client
/// secret from `--client-secret-file`, else COGNITO_CLIENT_SECRET, else the preset's).
pub fn resolve(global: &Global, target: &TargetArgs) -> Result<Resolved, CliError> {
    let (config, path) = load_config(global)?;
    let preset = match &target.preset {
        Some(name) => {
            let path = path.ok_or_else(|| CliError::config("no config directory for presets"))?;
            config.preset(name, &path)?.clone()
        }
        None => Preset::default(),
    };
    let timeout_flags = timeout_flags(global, &config, &preset);
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
        timeout_flags,
        debug: global.habits.debug,
    })
}

impl Resolved {
    /// The cache key of a sign-in as `pool_id`, `client_id` and `username`, with
    /// where it was sent.
    pub fn origin(&self, pool_id: String, client_id: String, username: String) -> Origin {
        Origin {
            pool_id,
            client_id,
            username,
            endpoint_url: self.endpoint_url.clone(),
            region: self.region.clone(),
        }
    }

    /// Where the SDK client sends requests. A pool lives in one region, so
    /// `pool_id`'s region is used, and a `--region` (or preset region) naming
    /// another is a usage error; without a pool id the AWS CLI's order applies.
    pub fn sdk_target(&self, pool_id: Option<&str>) -> Result<sdk::Target, CliError> {
        let pool_region = pool_id
            .and_then(|p| PoolId::parse(p).ok())
            .map(|p| p.region().to_owned());
        if let (Some(pool_region), Some(region)) = (&pool_region, &self.region)
            && pool_region != region
        {
            return Err(CliError::usage(format!(
                "--region {region} contradicts the pool id {}, which lives in {pool_region}: drop --region (a pool's region comes from its id)",
                pool_id.unwrap_or_default()
            )));
        }
        Ok(sdk::Target {
            region_is_pools: pool_region.is_some(),
            region: pool_region.or_else(|| self.region.clone()),
            profile: self.profile.clone(),
            endpoint_url: self.endpoint_url.clone(),
            timeout_flags: self.timeout_flags,
            debug: self.debug,
        })
    }
}

/// `value`, or a usage error naming the missing option `what`.
pub fn required(value: Option<String>, what: &str) -> Result<String, CliError> {
    value.ok_or_else(|| CliError::usage(format!("{what} is required (or use --preset)")))
}

/// The account calls of `resolved`'s app client (with its secret) and `metadata`,
/// in the pool's region (or the configured one without a pool id).
pub async fn auth_api(resolved: &Resolved, metadata: Metadata) -> Result<AuthApi, CliError> {
    let client_id = required(resolved.client_id.clone(), "--client-id")?;
    let client = sdk::client(&resolved.sdk_target(resolved.pool_id.as_deref())?).await?;
    let api = AuthApi::new(client, client_id).with_metadata(metadata);
    Ok(match &resolved.secret {
        Some(secret) => api.with_client_secret(secret.clone()),
        None => api,
    })
}

/// An [`AuthApi`] for a cached sign-in's pool and client (what `resolved` leaves
/// open is taken from it): the commands that act with its tokens.
pub async fn cached_api(resolved: Resolved, cached: &CachedTokens) -> Result<AuthApi, CliError> {
    auth_api(&with_cached_origin(resolved, cached), Metadata::default()).await
}

/// The one cached sign-in that matches `resolved`.
pub fn cached_for(global: &Global, resolved: &Resolved) -> Result<CachedTokens, CliError> {
    if global.no_cache {
        return Err(CliError::usage("--no-cache: no cached tokens to use"));
    }
    TokenCache::open()?.find_one(
        resolved.pool_id.as_deref(),
        resolved.client_id.as_deref(),
        resolved.username.as_deref(),
    )
}

/// `resolved` with what it leaves open taken from the cached sign-in.
pub fn with_cached_origin(mut resolved: Resolved, cached: &CachedTokens) -> Resolved {
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

/// The device store on disk, unless `--no-cache`.
pub fn cache_store(global: &Global) -> Result<Option<Arc<FileDeviceStore>>, CliError> {
    if global.no_cache {
        Ok(None)
    } else {
        FileDeviceStore::open().map(|s| Some(Arc::new(s)))
    }
}
