//! `cognito-auth sign-out`: RevokeToken for the cached refresh token, or
//! GlobalSignOut, then the cached sign-in is removed.

use clap::Args;
use cognito_auth_flows::Error as FlowsError;
use secrecy::ExposeSecret;
use serde_json::json;

use super::output::{output, with_spinner};
use super::target::{TargetArgs, cached_for, resolve, with_cached_origin};
use crate::args::Global;
use crate::exit::{CliError, code};
use crate::sdk;
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
    let resolved = with_cached_origin(resolved, &cached);
    let client = sdk::client(&resolved.sdk_target(Some(&cached.pool_id))?).await?;
    let spinner = Spinner::start("Signing out…");
    let what = if args.global {
        with_spinner(
            &spinner,
            client
                .global_sign_out()
                .access_token(&cached.access_token)
                .send(),
        )
        .await
        .map_err(FlowsError::from_sdk)?;
        "GlobalSignOut"
    } else {
        let token = cached.refresh_token.clone().ok_or_else(|| {
            CliError::usage("the cached sign-in has no refresh token; use --global")
        })?;
        with_spinner(
            &spinner,
            client
                .revoke_token()
                .token(token)
                .client_id(&cached.client_id)
                .set_client_secret(
                    resolved
                        .secret
                        .as_ref()
                        .map(|s| s.expose_secret().to_owned()),
                )
                .send(),
        )
        .await
        .map_err(FlowsError::from_sdk)?;
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
