//! `cognito-auth sign-out`: RevokeToken for the cached refresh token, or
//! GlobalSignOut, then the cached sign-in is removed.

use clap::Args;
use secrecy::SecretString;
use serde_json::json;

use super::output::{output, with_spinner};
use super::target::{TargetArgs, cached_api, cached_for, resolve};
use crate::args::Global;
use crate::exit::{CliError, code};
use crate::store::TokenCache;
use crate::ui::Spinner;

/// `sign-out`.
#[derive(Debug, Args)]
pub struct SignOutArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// GlobalSignOut: invalidate every token of the user (default: RevokeToken for
    /// this refresh token).
    #[arg(long)]
    global: bool,
}

/// `sign-out`.
pub async fn sign_out(global: &Global, args: SignOutArgs) -> Result<u8, CliError> {
    let resolved = resolve(global, &args.target)?;
    let cached = cached_for(global, &resolved)?;
    let api = cached_api(resolved, &cached).await?;
    let spinner = Spinner::start("Signing out…");
    let what = if args.global {
        with_spinner(&spinner, api.global_sign_out(&cached.access())).await?;
        "GlobalSignOut"
    } else {
        let token = cached.refresh_token.clone().ok_or_else(|| {
            CliError::usage("the cached sign-in has no refresh token; use --global")
        })?;
        with_spinner(&spinner, api.revoke_token(&SecretString::from(token))).await?;
        "RevokeToken"
    };
    TokenCache::open()?.remove(&cached)?;
    output(global).emit(&json!({
        "SignedOut": true,
        "Operation": what,
        "PoolId": cached.pool_id,
        "ClientId": cached.client_id,
        "Username": cached.username,
    }))?;
    Ok(code::OK)
}
