//! `cognito-auth sign-in`: the whole sign-in loop through flows, answering
//! challenges from arguments or the terminal, then caching and printing the tokens.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use cognito_auth_flows::{DevicePolicy, FirstFactor, Flows, MemoryDeviceStore, SignIn};
use secrecy::SecretString;

use super::input::{env_secret, interactive, read_stdin_line};
use super::metadata::{MetadataArgs, metadata};
use super::output::{output, report_notices, tokens_json, with_spinner};
use super::target::{TargetArgs, cache_store, required, resolve};
use crate::args::Global;
use crate::exit::{CliError, code};
use crate::prompt::{CliHandler, read_answers_file};
use crate::sdk;
use crate::store::{CachedTokens, TokenCache};
use crate::ui::Spinner;

/// Which sign-in flow `sign-in` uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FlowArg {
    /// USER_SRP_AUTH (the password never leaves this machine).
    Srp,
    /// USER_PASSWORD_AUTH.
    Password,
    /// CUSTOM_AUTH without a password.
    Custom,
    /// CUSTOM_AUTH proving the password with SRP first.
    CustomSrp,
    /// USER_AUTH (choice-based).
    UserAuth,
}

/// `sign-in`.
#[derive(Debug, Args)]
pub struct SignInArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// The flow.
    #[arg(long, value_enum, default_value = "srp")]
    flow: FlowArg,
    /// USER_AUTH's PREFERRED_CHALLENGE: PASSWORD_SRP, PASSWORD, EMAIL_OTP or SMS_OTP.
    #[arg(long, value_name = "CHALLENGE")]
    preferred_challenge: Option<String>,
    /// Read the password from standard input (else COGNITO_PASSWORD, else a prompt).
    #[arg(long)]
    password_stdin: bool,
    /// An answer to a challenge, e.g. SOFTWARE_TOKEN_MFA=123456, NEW_PASSWORD=...,
    /// CUSTOM_CHALLENGE=..., SELECT_MFA_TYPE=SOFTWARE_TOKEN_MFA, MFA_SETUP=auto,
    /// TOTP_SECRET=BASE32, MFA_SETUP_SELECTION=EMAIL, MFA_SETUP_EMAIL=ADDRESS
    /// (repeatable).
    #[arg(long = "answer", value_name = "NAME=VALUE")]
    answers: Vec<String>,
    /// Answers in a TOML or JSON file (a map of the same names).
    #[arg(long, value_name = "FILE")]
    answers_file: Option<PathBuf>,
    /// Confirm and remember this device (ConfirmDevice, UpdateDeviceStatus).
    #[arg(long)]
    remember_device: bool,
    /// Write an MFA_SETUP's authenticator secret, URI and QR code to this new
    /// owner-only file (else they go to stderr, and only when it is a terminal).
    #[arg(long, value_name = "FILE")]
    totp_secret_out: Option<PathBuf>,
    /// DeviceName sent with ConfirmDevice.
    #[arg(long, value_name = "NAME")]
    device_name: Option<String>,
    #[command(flatten)]
    metadata: MetadataArgs,
}

fn read_password(
    args: &SignInArgs,
    interactive: bool,
    username: &str,
    needed: bool,
) -> Result<Option<SecretString>, CliError> {
    if args.password_stdin {
        return Ok(Some(read_stdin_line("the password")?));
    }
    if let Some(secret) = env_secret("COGNITO_PASSWORD") {
        return Ok(Some(secret));
    }
    if needed && interactive {
        let typed = rpassword::prompt_password(format!("Password for {username}: "))
            .map_err(|e| CliError::usage(format!("reading the password: {e}")))?;
        return Ok(Some(SecretString::from(typed)));
    }
    if needed {
        return Err(CliError::usage(
            "no password: use --password-stdin, COGNITO_PASSWORD, or run on a terminal",
        ));
    }
    Ok(None)
}

fn first_factor(name: &str) -> Result<FirstFactor, CliError> {
    match name.to_ascii_uppercase().as_str() {
        "PASSWORD_SRP" => Ok(FirstFactor::PasswordSrp),
        "PASSWORD" => Ok(FirstFactor::Password),
        "EMAIL_OTP" => Ok(FirstFactor::EmailOtp),
        "SMS_OTP" => Ok(FirstFactor::SmsOtp),
        other => Err(CliError::usage(format!(
            "--preferred-challenge {other}: expected PASSWORD_SRP, PASSWORD, EMAIL_OTP or SMS_OTP"
        ))),
    }
}

/// `sign-in`.
pub async fn sign_in(global: &Global, args: SignInArgs) -> Result<u8, CliError> {
    let resolved = resolve(global, &args.target)?;
    let pool_id = required(resolved.pool_id.clone(), "--pool-id")?;
    let client_id = required(resolved.client_id.clone(), "--client-id")?;
    let username = required(resolved.username.clone(), "--username")?;
    let interactive = interactive(global);
    let preferred = args
        .preferred_challenge
        .as_deref()
        .map(first_factor)
        .transpose()?;
    if preferred.is_some() && args.flow != FlowArg::UserAuth {
        return Err(CliError::usage(
            "--preferred-challenge needs --flow user-auth",
        ));
    }
    let needs_password = match args.flow {
        FlowArg::Srp | FlowArg::Password | FlowArg::CustomSrp => true,
        FlowArg::Custom => false,
        FlowArg::UserAuth => matches!(
            preferred,
            Some(FirstFactor::Password | FirstFactor::PasswordSrp)
        ),
    };
    let mut answers = match &args.answers_file {
        Some(path) => read_answers_file(path)?,
        None => BTreeMap::new(),
    };
    for pair in &args.answers {
        let (k, v) = pair.split_once('=').ok_or_else(|| {
            CliError::usage(format!("--answer: expected NAME=VALUE, got {pair:?}"))
        })?;
        answers.insert(k.trim().to_owned(), v.to_owned());
    }
    let password = read_password(&args, interactive, &username, needs_password)?;
    let metadata = metadata(&args.metadata)?;

    let client = sdk::client(&resolved.sdk_target(Some(&pool_id))?).await?;
    let mut builder = Flows::builder(client, &pool_id, &client_id);
    if let Some(secret) = &resolved.secret {
        builder = builder.client_secret(secret.clone());
    }
    match cache_store(global)? {
        Some(store) => builder = builder.device_store(store),
        None if args.remember_device => {
            builder = builder.device_store(Arc::new(MemoryDeviceStore::new()));
        }
        None => {}
    }
    if args.remember_device {
        builder = builder.device_policy(DevicePolicy::Remember {
            device_name: Some(
                args.device_name
                    .clone()
                    .unwrap_or_else(|| "cognito-auth".into()),
            ),
        });
    }
    let flows = builder.build()?;
    let need = |p: Option<SecretString>| p.ok_or_else(|| CliError::usage("no password"));
    let request = match args.flow {
        FlowArg::Srp => SignIn::srp(&username, need(password.clone())?),
        FlowArg::Password => SignIn::password(&username, need(password.clone())?),
        FlowArg::Custom => SignIn::custom(&username),
        FlowArg::CustomSrp => SignIn::custom_with_srp(&username, need(password.clone())?),
        FlowArg::UserAuth => match preferred {
            Some(factor) => SignIn::user_auth_preferring(&username, factor, password.clone()),
            None => {
                let request = SignIn::user_auth(&username);
                match password.clone() {
                    Some(p) => request.with_password(p),
                    None => request,
                }
            }
        },
    }
    .with_metadata(metadata);
    let spinner = Spinner::start(&format!("Signing in to {pool_id} as {username}…"));
    let handler = CliHandler {
        answers,
        interactive,
        password,
        spinner: spinner.clone(),
        totp_secret_out: args.totp_secret_out.clone(),
    };
    let tokens = with_spinner(&spinner, flows.sign_in(&request, &handler)).await?;
    report_notices(&tokens);
    if !global.no_cache {
        let origin = resolved.origin(pool_id, client_id, username);
        TokenCache::open()?.save(&CachedTokens::new(&origin, &tokens, None))?;
    }
    output(global).emit(&tokens_json(&tokens))?;
    Ok(code::OK)
}
