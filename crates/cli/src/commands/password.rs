//! `cognito-auth forgot-password` (ForgotPassword, then ConfirmForgotPassword with
//! the code and a new password) and `change-password` (ChangePassword with the
//! cached access token).

use clap::Args;
use cognito_auth_flows::ResetPasswordStep;
use secrecy::SecretString;
use serde_json::json;

use super::input::StdinLines;
use super::input::interactive;
use super::metadata::{MetadataArgs, metadata};
use super::output::{output, with_spinner};
use super::passwords::{NewPasswordArgs, current_password, new_password, read_code};
use super::sign_up::{announce, delivery_json};
use super::target::{TargetArgs, auth_api, cached_api, cached_for, required, resolve};
use crate::args::Global;
use crate::exit::{CliError, code};
use crate::ui::Spinner;

/// `forgot-password`.
#[derive(Debug, Args)]
pub struct ForgotPasswordArgs {
    #[command(flatten)]
    target: TargetArgs,
    #[command(flatten)]
    password: NewPasswordArgs,
    /// The code Cognito sent (else it is asked for, without echo). With it, no
    /// new code is requested: only ConfirmForgotPassword runs.
    #[arg(long, value_name = "CODE")]
    code: Option<String>,
    /// Only request the code (ForgotPassword) and print where it went.
    #[arg(long, conflicts_with = "code")]
    send_code_only: bool,
    #[command(flatten)]
    metadata: MetadataArgs,
}

/// `change-password`.
#[derive(Debug, Args)]
pub struct ChangePasswordArgs {
    #[command(flatten)]
    target: TargetArgs,
    #[command(flatten)]
    password: NewPasswordArgs,
}

/// `forgot-password`.
pub async fn forgot_password(global: &Global, args: ForgotPasswordArgs) -> Result<u8, CliError> {
    let resolved = resolve(global, &args.target)?;
    let username = required(resolved.username.clone(), "--username")?;
    if args.code.is_none() && !args.send_code_only && !interactive(global) {
        // Fail before Cognito sends a code nobody can type in.
        return Err(CliError::usage(
            "no code: pass --code (after --send-code-only), or run on a terminal to be asked for it",
        ));
    }
    let api = auth_api(&resolved, metadata(&args.metadata)?).await?;
    let mut delivery = None;
    if args.code.is_none() {
        let spinner = Spinner::start(&format!("Requesting a reset code for {username}…"));
        let step = with_spinner(&spinner, api.forgot_password(&username)).await?;
        if let ResetPasswordStep::ConfirmResetPasswordWithCode { delivery: sent } = step {
            announce(sent.as_ref());
            delivery = sent;
        }
        if args.send_code_only {
            output(global).emit(&json!({
                "CodeDeliveryDetails": delivery_json(delivery.as_ref()),
                "NextStep": "CONFIRM_RESET_PASSWORD_WITH_CODE",
            }))?;
            return Ok(code::OK);
        }
    }
    let mut stdin = StdinLines::default();
    let reset_code: SecretString = read_code(global, args.code, "Reset code: ")?;
    let password = new_password(global, &args.password, &mut stdin)?;
    let spinner = Spinner::start("Setting the new password…");
    with_spinner(
        &spinner,
        api.confirm_forgot_password(&username, &reset_code, &password),
    )
    .await?;
    output(global).emit(&json!({
        "PasswordReset": true,
        "Username": username,
        "CodeDeliveryDetails": delivery_json(delivery.as_ref()),
        "NextStep": "DONE",
    }))?;
    Ok(code::OK)
}

/// `change-password`.
pub async fn change_password(global: &Global, args: ChangePasswordArgs) -> Result<u8, CliError> {
    let resolved = resolve(global, &args.target)?;
    let cached = cached_for(global, &resolved)?;
    let mut stdin = StdinLines::default();
    let previous = current_password(global, &args.password, &mut stdin)?;
    let proposed = new_password(global, &args.password, &mut stdin)?;
    let api = cached_api(resolved, &cached).await?;
    let spinner = Spinner::start("Changing the password…");
    with_spinner(
        &spinner,
        api.change_password(&cached.access(), &previous, &proposed),
    )
    .await?;
    output(global).emit(&json!({
        "PasswordChanged": true,
        "PoolId": cached.pool_id,
        "Username": cached.username,
    }))?;
    Ok(code::OK)
}
