//! `cognito-auth tokens`: the cached sign-ins with their decoded claims and time
//! left; `--verify` checks each against the pool's JWKS.

use clap::Args;
use cognito_auth_flows::{
    Claims, HttpTimeouts, JwkSet, JwksFetcher, PoolId, TokenUse, TokenVerifier,
};
use serde_json::{Value, json};

use super::output::output;
use super::target::{TargetArgs, resolve};
use crate::args::Global;
use crate::exit::{CliError, code};
use crate::sdk;
use crate::store::{CachedTokens, TokenCache};

/// `tokens`.
#[derive(Debug, Args)]
pub struct TokensArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// Check signature, issuer, audience and expiry against the pool's JWKS.
    #[arg(long)]
    verify: bool,
    /// Include the raw tokens.
    #[arg(long)]
    raw: bool,
}

fn jwks_url(pool: &PoolId, endpoint: Option<&str>) -> String {
    match endpoint {
        Some(endpoint) => format!(
            "{}/{}/.well-known/jwks.json",
            endpoint.trim_end_matches('/'),
            pool.as_str()
        ),
        None => TokenVerifier::jwks_url(&TokenVerifier::cognito_issuer(pool)),
    }
}

/// Downloads the JWKS with the platform's roots (as the SDK trusts them) and the
/// CLI's connect and read timeouts.
async fn fetch(url: String, timeouts: HttpTimeouts) -> Result<JwkSet, CliError> {
    tokio::task::spawn_blocking(move || JwksFetcher::new(timeouts)?.fetch_blocking(&url))
        .await
        .map_err(|e| CliError::other(e.to_string()))?
        .map_err(CliError::from)
}

fn claims_json(token: &str) -> Value {
    match Claims::decode(token) {
        Ok(claims) => Value::Object(claims.0),
        Err(e) => json!({ "error": e.to_string() }),
    }
}

/// `tokens`.
pub async fn tokens(global: &Global, args: TokensArgs) -> Result<u8, CliError> {
    if global.no_cache {
        return Err(CliError::usage(
            "--no-cache: there is no token cache to show",
        ));
    }
    let resolved = resolve(global, &args.target)?;
    let entries = TokenCache::open()?.matching(
        resolved.pool_id.as_deref(),
        resolved.client_id.as_deref(),
        resolved.username.as_deref(),
    );
    if entries.is_empty() {
        return Err(CliError::usage("no cached tokens (sign in first)"));
    }
    let now = crate::store::now();
    let mut listed = Vec::new();
    let mut failure: Option<CliError> = None;
    for entry in &entries {
        let seconds_left = entry.expires_at.saturating_sub(now);
        let mut item = json!({
            "PoolId": entry.pool_id,
            "ClientId": entry.client_id,
            "Username": entry.username,
            "InternalUsername": entry.internal_username,
            "DeviceKey": entry.device_key,
            "ExpiresAt": entry.expires_at,
            "SecondsLeft": seconds_left,
            "Expired": entry.expires_at <= now,
            "HasRefreshToken": entry.refresh_token.is_some(),
            "AccessTokenClaims": claims_json(&entry.access_token),
            "IdTokenClaims": entry.id_token.as_deref().map(claims_json),
        });
        if args.raw {
            item["AccessToken"] = json!(entry.access_token);
            item["IdToken"] = json!(entry.id_token);
        }
        if args.verify {
            let endpoint = resolved
                .endpoint_url
                .clone()
                .or_else(|| entry.endpoint_url.clone());
            let target = resolved.sdk_target(Some(&entry.pool_id))?;
            let timeouts = sdk::timeouts(&target)?.http();
            let verdict = verify_entry(entry, endpoint.as_deref(), timeouts).await;
            match verdict {
                Ok(()) => item["Verified"] = json!(true),
                Err(e) => {
                    item["Verified"] = json!(false);
                    item["VerifyError"] = json!(e.message);
                    failure.get_or_insert(e);
                }
            }
        }
        listed.push(item);
    }
    output(global).emit(&Value::Array(listed))?;
    match failure {
        Some(e) => Err(e),
        None => Ok(code::OK),
    }
}

async fn verify_entry(
    entry: &CachedTokens,
    endpoint: Option<&str>,
    timeouts: HttpTimeouts,
) -> Result<(), CliError> {
    let pool = PoolId::parse(&entry.pool_id).map_err(|e| CliError::config(e.to_string()))?;
    let jwks = fetch(jwks_url(&pool, endpoint), timeouts).await?;
    let verifier = TokenVerifier::new(TokenVerifier::cognito_issuer(&pool), &entry.client_id, jwks);
    verifier.verify(&entry.access_token, TokenUse::Access)?;
    if let Some(id) = &entry.id_token {
        verifier.verify(id, TokenUse::Id)?;
    }
    Ok(())
}
