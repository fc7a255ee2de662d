//! `cognito-auth sign-up` and `confirm-sign-up`: SignUp with attributes, then
//! ConfirmSignUp with the code Cognito sent (or ResendConfirmationCode first).

use clap::Args;
use cognito_auth_flows::{CodeDelivery, ConfirmSignUp, ConfirmSignUpStep, SignUp, SignUpStep};
use serde_json::{Value, json};

use super::input::StdinLines;
use super::metadata::{MetadataArgs, metadata};
use super::output::{output, with_spinner};
use super::passwords::{NewPasswordArgs, new_password, read_code};
use super::target::{TargetArgs, auth_api, required, resolve};
use crate::args::Global;
use crate::exit::{CliError, code};
use crate::shorthand;
use crate::ui::{self, Spinner};

/// `sign-up`.
#[derive(Debug, Args)]
pub struct SignUpArgs {
    #[command(flatten)]
    target: TargetArgs,
    #[command(flatten)]
    password: NewPasswordArgs,
    /// A user attribute, e.g. email=alice@example.com (repeatable).
    #[arg(long = "attribute", value_name = "NAME=VALUE")]
    attributes: Vec<String>,
    /// ValidationData for the pool's pre sign-up trigger: `K=V,K=V` or JSON.
    #[arg(long, value_name = "MAP")]
    validation_data: Option<String>,
    #[command(flatten)]
    metadata: MetadataArgs,
}

/// `confirm-sign-up`.
#[derive(Debug, Args)]
pub struct ConfirmSignUpArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// The code Cognito sent (else it is asked for, without echo).
    #[arg(long, value_name = "CODE")]
    code: Option<String>,
    /// Send a new code first (ResendConfirmationCode).
    #[arg(long)]
    resend: bool,
    /// ForceAliasCreation: take the email or phone alias over from another user.
    #[arg(long)]
    force_alias_creation: bool,
    #[command(flatten)]
    metadata: MetadataArgs,
}

/// CodeDeliveryDetails as the AWS CLI prints them.
pub fn delivery_json(delivery: Option<&CodeDelivery>) -> Value {
    match delivery {
        Some(d) => json!({
            "Destination": d.destination,
            "DeliveryMedium": d.medium,
            "AttributeName": d.attribute,
        }),
        None => Value::Null,
    }
}

/// "Code sent by EMAIL to a***@e***" on stderr.
pub fn announce(delivery: Option<&CodeDelivery>) {
    if let Some(d) = delivery {
        let by = d
            .medium
            .as_deref()
            .map(|m| format!(" by {m}"))
            .unwrap_or_default();
        let to = d
            .destination
            .as_deref()
            .map(|t| format!(" to {t}"))
            .unwrap_or_default();
        ui::note(&format!("cognito-auth: code sent{by}{to}"));
    }
}

/// `sign-up`.
pub async fn sign_up(global: &Global, args: SignUpArgs) -> Result<u8, CliError> {
    let resolved = resolve(global, &args.target)?;
    let username = required(resolved.username.clone(), "--username")?;
    let mut request = SignUp::new(
        &username,
        new_password(global, &args.password, &mut StdinLines::default())?,
    );
    // The shorthand's pairs: an empty or repeated name is refused too.
    for pair in &args.attributes {
        shorthand::add_pair("--attribute", &mut request.attributes, pair)?;
    }
    if let Some(text) = &args.validation_data {
        request.validation_data = shorthand::parse_map("--validation-data", text)?;
    }
    let api = auth_api(&resolved, metadata(&args.metadata)?).await?;
    let spinner = Spinner::start(&format!("Signing up {username}…"));
    let outcome = with_spinner(&spinner, api.sign_up(&request)).await?;
    let (step, delivery) = match &outcome.next {
        SignUpStep::ConfirmSignUp { delivery, .. } => ("CONFIRM_SIGN_UP", delivery.as_ref()),
        SignUpStep::CompleteAutoSignIn(_) => ("COMPLETE_AUTO_SIGN_IN", None),
        _ => ("DONE", None),
    };
    announce(delivery);
    output(global).emit(&json!({
        "UserConfirmed": outcome.user_confirmed,
        "UserSub": outcome.user_sub,
        "CodeDeliveryDetails": delivery_json(delivery),
        "NextStep": step,
    }))?;
    Ok(code::OK)
}

/// `confirm-sign-up`.
pub async fn confirm_sign_up(global: &Global, args: ConfirmSignUpArgs) -> Result<u8, CliError> {
    let resolved = resolve(global, &args.target)?;
    let username = required(resolved.username.clone(), "--username")?;
    let api = auth_api(&resolved, metadata(&args.metadata)?).await?;
    if args.resend {
        let spinner = Spinner::start("ResendConfirmationCode…");
        let delivery = with_spinner(&spinner, api.resend_sign_up_code(&username)).await?;
        announce(delivery.as_ref());
    }
    let confirmation = read_code(global, args.code, "Confirmation code: ")?;
    let mut request = ConfirmSignUp::new(&username, confirmation);
    request.force_alias_creation = args.force_alias_creation;
    let spinner = Spinner::start(&format!("Confirming {username}…"));
    let step = with_spinner(&spinner, api.confirm_sign_up(&request)).await?;
    let step = match step {
        ConfirmSignUpStep::CompleteAutoSignIn(_) => "COMPLETE_AUTO_SIGN_IN",
        _ => "DONE",
    };
    output(global).emit(&json!({
        "Confirmed": true,
        "Username": username,
        "NextStep": step,
    }))?;
    Ok(code::OK)
}
