//! `cognito-auth`: Amazon Cognito user-pool sign-in from a shell (SRP that works,
//! every challenge), `initiate-auth` / `respond-to-auth-challenge` like the AWS CLI,
//! token and device caches, a local emulator, and a one-command demo.
//!
//! A thin layer over `cognito-auth-flows` (every sign-in loop) and
//! `cognito-auth-emulator`: argument mapping and presentation only.

#![forbid(unsafe_code)]

mod commands;
mod config;
mod demo;
mod exit;
mod prompt;
mod sdk;
mod select;
mod shorthand;
mod store;
mod ui;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::exit::CliError;
use crate::select::OutputFormat;

const EXAMPLES: &str = "\
Examples:
  # Everything at once against a local emulator (no AWS account needed):
  cognito-auth demo

  # Sign in with SRP; the password is prompted for without echo on a terminal:
  cognito-auth sign-in --pool-id us-east-1_AbCdEf123 --client-id 3n4b5urk1ft4fl3mg5e62d9ado --username alice

  # Non-interactive: password on stdin, MFA code as an answer, just the ID token:
  printf '%s' \"$PW\" | cognito-auth sign-in --preset dev --password-stdin \\
      --answer SOFTWARE_TOKEN_MFA=123456 --select AuthenticationResult.IdToken --output text

  # Like `aws cognito-idp initiate-auth`:
  cognito-auth initiate-auth --client-id 3n4b... --auth-flow REFRESH_TOKEN_AUTH \\
      --auth-parameters REFRESH_TOKEN=eyJ... --query AuthenticationResult.AccessToken

  # Refresh and inspect the cached tokens, then sign out everywhere:
  cognito-auth refresh && cognito-auth tokens --verify && cognito-auth sign-out --global

  # A local emulator for your own tests:
  cognito-auth emulator --port 9229 --seed seed.toml";

/// Amazon Cognito user-pool sign-in from a shell: SRP that works, every challenge,
/// and AWS-CLI-style initiate-auth.
#[derive(Debug, Parser)]
#[command(
    name = "cognito-auth",
    version,
    after_help = format!("{EXAMPLES}\n\n{}", exit::TABLE),
    propagate_version = true
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every command takes.
#[derive(Debug, Args, Clone)]
struct Global {
    /// AWS region (else AWS_REGION, AWS_DEFAULT_REGION, the profile, the pool id's region).
    #[arg(long, global = true)]
    region: Option<String>,
    /// Named profile from ~/.aws/config (region, endpoint_url, retries).
    #[arg(long, global = true)]
    profile: Option<String>,
    /// Send requests here instead of Cognito (an emulator, a proxy).
    #[arg(long, global = true)]
    endpoint_url: Option<String>,
    /// Config file with presets (default: the user config dir's cognito-auth/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Neither read nor write the token cache or the device store.
    #[arg(long, global = true)]
    no_cache: bool,
    /// Never prompt, even on a terminal.
    #[arg(long, global = true)]
    no_input: bool,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value = "json")]
    output: OutputFormat,
    /// Part of the result to print: `*`, a property or a dotted path (AWS Tools' -Select).
    #[arg(long, global = true, value_name = "PATH")]
    select: Option<String>,
    /// JMESPath expression applied to the result (the AWS CLI's --query).
    #[arg(long, global = true, value_name = "JMESPATH")]
    query: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start a local emulator and show every kind of sign-in against it, timed.
    Demo {
        /// A machine-readable summary on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Sign in (SRP by default), answering challenges, and print the tokens.
    #[command(
        after_help = "Examples:\n  cognito-auth sign-in --pool-id us-east-1_AbCdEf123 --client-id 3n4b5urk1ft4fl3mg5e62d9ado --username alice\n  printf '%s' \"$PASSWORD\" | cognito-auth sign-in --preset dev --password-stdin --select AuthenticationResult.IdToken --output text\n  cognito-auth sign-in --preset dev --flow user-auth --preferred-challenge EMAIL_OTP --answer EMAIL_OTP=123456\n  cognito-auth sign-in --preset dev --remember-device --answers-file answers.toml"
    )]
    SignIn(commands::SignInArgs),
    /// InitiateAuth, as `aws cognito-idp initiate-auth`.
    #[command(
        after_help = "Examples:\n  cognito-auth initiate-auth --client-id 3n4b5urk1ft4fl3mg5e62d9ado --auth-flow USER_PASSWORD_AUTH --auth-parameters USERNAME=alice,PASSWORD=\"$PASSWORD\"\n  cognito-auth initiate-auth --client-id 3n4b5urk1ft4fl3mg5e62d9ado --auth-flow REFRESH_TOKEN_AUTH --auth-parameters '{\"REFRESH_TOKEN\": \"...\"}' --query AuthenticationResult.IdToken --output text"
    )]
    InitiateAuth(commands::InitiateArgs),
    /// RespondToAuthChallenge, as `aws cognito-idp respond-to-auth-challenge`.
    #[command(
        after_help = "Example:\n  cognito-auth respond-to-auth-challenge --client-id 3n4b5urk1ft4fl3mg5e62d9ado --challenge-name SOFTWARE_TOKEN_MFA --session \"$SESSION\" --challenge-responses USERNAME=alice,SOFTWARE_TOKEN_MFA_CODE=123456"
    )]
    RespondToAuthChallenge(commands::RespondArgs),
    /// Refresh cached (or given) tokens.
    Refresh(commands::RefreshArgs),
    /// Revoke the refresh token (RevokeToken) or sign out everywhere (--global).
    SignOut(commands::SignOutArgs),
    /// Show cached tokens: claims, time left; --verify checks them against the JWKS.
    Tokens(commands::TokensArgs),
    /// Remembered devices.
    Devices {
        #[command(subcommand)]
        command: commands::DevicesCommand,
    },
    /// Serve the Cognito emulator.
    #[command(
        after_help = "Examples:\n  cognito-auth emulator --port 9229 --seed crates/emulator/examples/seed.toml\n  cognito-auth emulator --port 9229 --data cognito.sqlite   # state survives restarts"
    )]
    Emulator(EmulatorArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
struct EmulatorArgs {
    #[command(flatten)]
    serve: cognito_auth_emulator::serve::ServeArgs,
}

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

async fn serve_emulator(args: EmulatorArgs) -> Result<u8, CliError> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    if !args.serve.bind.is_loopback() {
        ui::warn(&format!(
            "binding {}: the emulator has no authentication; anyone who can reach it can sign in as any user",
            args.serve.bind
        ));
    }
    let config = args.serve.into_config();
    let emulator = cognito_auth_emulator::Emulator::start(config)
        .await
        .map_err(|e| CliError::config(format!("emulator: {e}")))?;
    ui::out(&format!("listening on {}\n", emulator.endpoint_url()));
    let _ = tokio::signal::ctrl_c().await;
    emulator.shutdown().await;
    Ok(exit::code::OK)
}

async fn run(cli: Cli) -> Result<u8, CliError> {
    let global = cli.global;
    match cli.command {
        Command::Demo { json } => demo::run(json).await,
        Command::SignIn(args) => commands::sign_in(&global, args).await,
        Command::InitiateAuth(args) => commands::initiate_auth(&global, args).await,
        Command::RespondToAuthChallenge(args) => commands::respond(&global, args).await,
        Command::Refresh(args) => commands::refresh(&global, args).await,
        Command::SignOut(args) => commands::sign_out(&global, args).await,
        Command::Tokens(args) => commands::tokens(&global, args).await,
        Command::Devices { command } => commands::devices(&global, command).await,
        Command::Emulator(args) => serve_emulator(args).await,
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "cognito-auth", &mut out);
            ui::out(&String::from_utf8_lossy(&out));
            Ok(exit::code::OK)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            ui::error_line(&CliError::other(format!("starting the runtime: {e}")));
            return ExitCode::from(exit::code::OTHER);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            ui::error_line(&error);
            ExitCode::from(error.code)
        }
    }
}
