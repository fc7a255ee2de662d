//! `cognito-auth refresh`: new tokens from the cached (or a given) refresh token,
//! by REFRESH_TOKEN_AUTH or, with `--rotate`, GetTokensFromRefreshToken.

use clap::Args;
use cognito_auth_flows::{Flows, Refresh};
use secrecy::SecretString;

use super::input::read_stdin_line;
use super::metadata::{MetadataArgs, metadata};
use super::output::{output, report_notices, tokens_json, with_spinner};
use super::target::{TargetArgs, cache_store, cached_for, required, resolve, with_cached_origin};
use crate::args::Global;
use crate::exit::{CliError, code};
use crate::sdk;
use crate::store::{CachedTokens, TokenCache};
use crate::ui::Spinner;

/// `refresh`.
#[derive(Debug, Args)]
pub struct RefreshArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// Read the refresh token from standard input instead of the cache.
    #[arg(long)]
    refresh_token_stdin: bool,
    /// GetTokensFromRefreshToken (refresh-token rotation) instead of REFRESH_TOKEN_AUTH.
    #[arg(long)]
    rotate: bool,
    /// The DeviceKey the refresh token was issued to (default: the cached one).
    #[arg(long, value_name = "KEY")]
    device_key: Option<String>,
    #[command(flatten)]
    metadata: MetadataArgs,
}

/// `refresh`.
pub async fn refresh(global: &Global, args: RefreshArgs) -> Result<u8, CliError> {
    let resolved = resolve(global, &args.target)?;
    let (resolved, cached, token) = if args.refresh_token_stdin {
        let token = read_stdin_line("the refresh token")?;
        let cached = if global.no_cache {
            None
        } else {
            TokenCache::open()?
                .find_one(
                    resolved.pool_id.as_deref(),
                    resolved.client_id.as_deref(),
                    resolved.username.as_deref(),
                )
                .ok()
        };
        (resolved, cached, token)
    } else {
        let cached = cached_for(global, &resolved)?;
        let token = cached
            .refresh_token
            .clone()
            .ok_or_else(|| CliError::usage("the cached sign-in has no refresh token"))?;
        (
            with_cached_origin(resolved, &cached),
            Some(cached),
            SecretString::from(token),
        )
    };
    let pool_id = required(resolved.pool_id.clone(), "--pool-id")?;
    let client_id = required(resolved.client_id.clone(), "--client-id")?;
    let client = sdk::client(&resolved.sdk_target(Some(&pool_id))?).await?;
    let mut builder = Flows::builder(client, &pool_id, &client_id);
    if let Some(secret) = &resolved.secret {
        builder = builder.client_secret(secret.clone());
    }
    if let Some(store) = cache_store(global)? {
        builder = builder.device_store(store);
    }
    let flows = builder.build()?;
    let mut request = Refresh::new(token).with_metadata(metadata(&args.metadata)?);
    if let Some(cached) = &cached {
        if let Some(name) = cached
            .internal_username
            .clone()
            .or_else(|| Some(cached.username.clone()))
        {
            request = request.with_username(name);
        }
        if let Some(key) = &cached.device_key {
            request = request.with_device_key(key);
        }
    } else if let Some(name) = &resolved.username {
        request = request.with_username(name);
    }
    if let Some(key) = &args.device_key {
        request = request.with_device_key(key);
    }
    if args.rotate {
        request = request.rotating();
    }
    let spinner = Spinner::start("Refreshing…");
    let tokens = with_spinner(&spinner, flows.refresh(&request)).await?;
    report_notices(&tokens);
    if !global.no_cache
        && let Some(username) = resolved.username.clone()
    {
        let origin = resolved.origin(pool_id, client_id, username);
        TokenCache::open()?.save(&CachedTokens::new(&origin, &tokens, cached.as_ref()))?;
    }
    output(global).emit(&tokens_json(&tokens))?;
    Ok(code::OK)
}
