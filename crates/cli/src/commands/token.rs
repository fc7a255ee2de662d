//! `cognito-auth token`: exactly one valid token on stdout, refreshed first when
//! it runs low, for `curl -H "Authorization: Bearer $(cognito-auth token)"` (the
//! habit `gh auth token` taught). The refresh is flows' [`Session::valid_tokens`]
//! over the CLI's token cache.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::{Args, FromArgMatches, ValueEnum};
use cognito_auth_flows::{
    Error as FlowsError, Flows, Session, SessionKey, StoreError, TokenStore, Tokens,
};
use secrecy::ExposeSecret;

use super::sign_in::{SignInArgs, sign_in};
use super::target::{Resolved, TargetArgs, cache_store, resolve, with_cached_origin};
use crate::args::Global;
use crate::exit::{CliError, code};
use crate::sdk;
use crate::select::OutputFormat;
use crate::store::{CachedTokens, Origin, TokenCache};
use crate::ui;

/// Which token `token` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TokenUseArg {
    /// The ID token (the user's claims; what most APIs behind API Gateway take).
    Id,
    /// The access token (scopes, groups; what Cognito's user APIs take).
    Access,
}

/// `token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// Which token to print.
    #[arg(long = "use", value_enum, default_value = "id")]
    token_use: TokenUseArg,
    /// Refresh first when the token has less than this many seconds left.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    min_valid: u64,
    /// When the session cannot be refreshed, sign in again (as `sign-in` does,
    /// prompting on a terminal) instead of failing.
    #[arg(long)]
    interactive: bool,
}

/// `token`.
pub async fn token(global: &Global, args: TokenArgs) -> Result<u8, CliError> {
    if global.no_cache {
        return Err(CliError::usage(
            "--no-cache: `token` reads the cached sign-in",
        ));
    }
    let resolved = resolve(global, &args.target)?;
    let cache = TokenCache::open()?;
    let no_selector =
        resolved.pool_id.is_none() && resolved.client_id.is_none() && resolved.username.is_none();
    let cached = if no_selector {
        cache.most_recent()
    } else {
        let found = cache.matching(
            resolved.pool_id.as_deref(),
            resolved.client_id.as_deref(),
            resolved.username.as_deref(),
        );
        if found.len() > 1 {
            return Err(CliError::usage(format!(
                "{} cached sign-ins match; narrow with --pool-id, --client-id or --username",
                found.len()
            )));
        }
        found.into_iter().next()
    };
    let Some(cached) = cached else {
        return if args.interactive {
            sign_in_again(global, &resolved, args.token_use).await
        } else {
            Err(sign_in_required("no cached sign-in matches"))
        };
    };
    let resolved = with_cached_origin(resolved, &cached);
    let session = session(global, &resolved, cache, cached).await?;
    match session
        .valid_tokens(Duration::from_secs(args.min_valid))
        .await
    {
        Ok(tokens) => {
            let token = match args.token_use {
                TokenUseArg::Id => tokens
                    .id_token()
                    .ok_or_else(|| CliError::other("the cached sign-in has no ID token"))?,
                TokenUseArg::Access => tokens.access_token(),
            };
            // Written as is: no copy of the token outside its SecretString.
            ui::out(token.expose_secret());
            ui::out("\n");
            Ok(code::OK)
        }
        Err(FlowsError::SignInRequired { .. }) if args.interactive => {
            sign_in_again(global, &resolved, args.token_use).await
        }
        Err(FlowsError::SignInRequired { reason }) => Err(sign_in_required(&reason)),
        Err(other) => Err(other.into()),
    }
}

async fn session(
    global: &Global,
    resolved: &Resolved,
    cache: TokenCache,
    cached: CachedTokens,
) -> Result<Session<CacheStore>, CliError> {
    let client = sdk::client(&resolved.sdk_target(Some(&cached.pool_id))?).await?;
    let mut builder = Flows::builder(client, &cached.pool_id, &cached.client_id);
    if let Some(secret) = &resolved.secret {
        builder = builder.client_secret(secret.clone());
    }
    if let Some(store) = cache_store(global)? {
        builder = builder.device_store(store);
    }
    let flows = Arc::new(builder.build()?);
    let origin = resolved.origin(
        cached.pool_id.clone(),
        cached.client_id.clone(),
        cached.username.clone(),
    );
    let username = cached.username.clone();
    let store = CacheStore {
        cache,
        origin,
        entry: Mutex::new(Some(cached)),
    };
    Ok(Session::new(flows, username, store))
}

/// The refresh token was refused (or there is nothing to refresh): the
/// challenge exit code, and one line saying what to do.
fn sign_in_required(reason: &str) -> CliError {
    CliError {
        code: code::CHALLENGE,
        message: format!("{reason}: run `cognito-auth sign-in` to sign in again"),
    }
}

/// `--interactive`: a full `sign-in` with the same pool, client and user, printing
/// only the chosen token.
async fn sign_in_again(
    global: &Global,
    resolved: &Resolved,
    token_use: TokenUseArg,
) -> Result<u8, CliError> {
    let mut argv = vec!["sign-in".to_owned()];
    for (flag, value) in [
        ("--pool-id", &resolved.pool_id),
        ("--client-id", &resolved.client_id),
        ("--username", &resolved.username),
    ] {
        let value = value.clone().ok_or_else(|| {
            sign_in_required(&format!("no cached sign-in, and no {flag} to sign in with"))
        })?;
        argv.extend([flag.to_owned(), value]);
    }
    let command = <SignInArgs as Args>::augment_args(clap::Command::new("sign-in"));
    let matches = command
        .try_get_matches_from(argv)
        .map_err(|e| CliError::usage(e.to_string()))?;
    let args =
        SignInArgs::from_arg_matches(&matches).map_err(|e| CliError::usage(e.to_string()))?;
    let mut global = global.clone();
    global.endpoint_url.clone_from(&resolved.endpoint_url);
    global.region.clone_from(&resolved.region);
    global.select = None;
    global.query = Some(
        match token_use {
            TokenUseArg::Id => "AuthenticationResult.IdToken",
            TokenUseArg::Access => "AuthenticationResult.AccessToken",
        }
        .to_owned(),
    );
    global.output = OutputFormat::Text;
    sign_in(&global, args).await
}

/// The CLI's token cache as flows' [`TokenStore`], for one cached sign-in (its
/// endpoint, region and internal username ride along on every write).
struct CacheStore {
    cache: TokenCache,
    origin: Origin,
    entry: Mutex<Option<CachedTokens>>,
}

impl CacheStore {
    fn entry(&self) -> Result<std::sync::MutexGuard<'_, Option<CachedTokens>>, StoreError> {
        self.entry
            .lock()
            .map_err(|_| StoreError("token cache lock poisoned".into()))
    }
}

impl TokenStore for CacheStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<Tokens>, StoreError> {
        let found = self
            .cache
            .matching(Some(&key.pool_id), Some(&key.client_id), None)
            .into_iter()
            .find(|e| e.username == key.username);
        let tokens = found.as_ref().map(CachedTokens::secrets);
        *self.entry()? = found;
        Ok(tokens)
    }

    async fn save(&self, _key: &SessionKey, tokens: &Tokens) -> Result<(), StoreError> {
        let mut entry = self.entry()?;
        let fresh = CachedTokens::new(&self.origin, tokens, entry.as_ref());
        self.cache.save(&fresh).map_err(|e| StoreError(e.message))?;
        *entry = Some(fresh);
        Ok(())
    }

    async fn remove(&self, _key: &SessionKey) -> Result<(), StoreError> {
        if let Some(entry) = self.entry()?.take() {
            self.cache
                .remove(&entry)
                .map_err(|e| StoreError(e.message))?;
        }
        Ok(())
    }
}
