//! The command line: global options and the list of subcommands. Each command's own
//! arguments live beside its code in `commands`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::commands;
use crate::exit;
use crate::select::OutputFormat;

#[cfg(feature = "emulator")]
const DEMO_EXAMPLE: &str = "
  # Everything at once against a local emulator (no AWS account needed):
  cognito-auth demo
";
#[cfg(not(feature = "emulator"))]
const DEMO_EXAMPLE: &str = "";

const EXAMPLES: &str = "
  # Sign in with SRP; the password is prompted for without echo on a terminal:
  cognito-auth sign-in --pool-id us-east-1_AbCdEf123 --client-id 3n4b5urk1ft4fl3mg5e62d9ado --username alice

  # Non-interactive: password on stdin, MFA code as an answer, just the ID token:
  printf '%s' \"$PW\" | cognito-auth sign-in --preset dev --password-stdin \\
      --answer SOFTWARE_TOKEN_MFA=123456 --select AuthenticationResult.IdToken --output text

  # Like `aws cognito-idp initiate-auth` (file:// for any value):
  cognito-auth initiate-auth --client-id 3n4b... --auth-flow REFRESH_TOKEN_AUTH \\
      --auth-parameters REFRESH_TOKEN=file://refresh.txt --query AuthenticationResult.AccessToken

  # Sign up, confirm with the emailed code (asked for without echo), reset a password:
  cognito-auth sign-up --preset dev --username alice --attribute email=alice@example.com
  cognito-auth confirm-sign-up --preset dev --username alice
  cognito-auth forgot-password --preset dev --username alice

  # Refresh and inspect the cached tokens, then sign out everywhere:
  cognito-auth refresh && cognito-auth tokens --verify && cognito-auth sign-out --global";

#[cfg(feature = "emulator")]
const EMULATOR_EXAMPLE: &str = "

  # A local emulator for your own tests:
  cognito-auth emulator --port 9229 --seed seed.toml";
#[cfg(not(feature = "emulator"))]
const EMULATOR_EXAMPLE: &str = "";

/// Amazon Cognito user-pool sign-in from a shell: SRP that works, every challenge,
/// and AWS-CLI-style initiate-auth.
#[derive(Debug, Parser)]
#[command(
    name = "cognito-auth",
    version,
    after_help = format!(
        "Examples:{DEMO_EXAMPLE}{EXAMPLES}{EMULATOR_EXAMPLE}\n\n{}",
        exit::TABLE
    ),
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args, Clone)]
pub struct Global {
    /// AWS region for calls without a pool id (else AWS_REGION, AWS_DEFAULT_REGION,
    /// the profile). A pool id's own region always wins; naming another is an error.
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Named profile from ~/.aws/config (region, endpoint_url, retries).
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// Send requests here instead of Cognito (an emulator, a proxy).
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,
    /// Config file with presets (default: the user config dir's cognito-auth/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Neither read nor write the token cache or the device store.
    #[arg(long, global = true)]
    pub no_cache: bool,
    /// Where tokens are kept: keyring (the OS keychain) or file (owner-only files in
    /// the data directory). Default: the config file's `store`, else the keychain
    /// where one answers, else files.
    #[arg(long, global = true, value_enum, value_name = "BACKEND")]
    pub store: Option<crate::store::StoreKind>,
    /// Never prompt, even on a terminal.
    #[arg(long, global = true)]
    pub no_input: bool,
    /// Output format (else AWS_DEFAULT_OUTPUT, else json).
    #[arg(
        long,
        global = true,
        value_enum,
        env = "AWS_DEFAULT_OUTPUT",
        default_value = "json"
    )]
    pub output: OutputFormat,
    /// Part of the result to print: `*`, a property or a dotted path (AWS Tools' -Select).
    #[arg(long, global = true, value_name = "PATH")]
    pub select: Option<String>,
    /// JMESPath expression applied to the result (the AWS CLI's --query).
    #[arg(long, global = true, value_name = "JMESPATH")]
    pub query: Option<String>,
    #[command(flatten)]
    pub habits: Habits,
}

/// AWS CLI habits every command accepts: timeouts, `--debug`, `--no-cli-pager`,
/// and the switch that lets secrets through on the command line.
#[derive(Debug, Args, Clone, Default)]
pub struct Habits {
    /// Seconds to wait for a connection (0: forever; else the preset's or the
    /// config file's cli_connect_timeout, else 60).
    #[arg(long, global = true, value_name = "SECONDS", value_parser = crate::sdk::parse_seconds)]
    pub cli_connect_timeout: Option<f64>,
    /// Seconds to wait for a reply (0: forever; else the preset's or the config
    /// file's cli_read_timeout, else 60).
    #[arg(long, global = true, value_name = "SECONDS", value_parser = crate::sdk::parse_seconds)]
    pub cli_read_timeout: Option<f64>,
    /// Trace each request and reply on stderr, secrets redacted.
    #[arg(long, global = true)]
    pub debug: bool,
    /// Accepted for the AWS CLI's sake: output is never paged.
    #[arg(long, global = true)]
    pub no_cli_pager: bool,
    /// Allow passwords on the command line (they show in the process list).
    #[arg(long, global = true)]
    pub allow_secrets_on_argv: bool,
}

impl Global {
    /// `--cli-connect-timeout` and `--cli-read-timeout`.
    pub fn timeout_flags(&self) -> crate::sdk::TimeoutFlags {
        crate::sdk::TimeoutFlags {
            connect: self.habits.cli_connect_timeout,
            read: self.habits.cli_read_timeout,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a local emulator and show every kind of sign-in against it, timed.
    #[cfg(feature = "emulator")]
    Demo {
        /// A machine-readable summary on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Sign in (SRP by default), answering challenges, and print the tokens.
    #[command(
        after_help = "Examples:\n  cognito-auth sign-in --pool-id us-east-1_AbCdEf123 --client-id 3n4b5urk1ft4fl3mg5e62d9ado --username alice\n  printf '%s' \"$PASSWORD\" | cognito-auth sign-in --preset dev --password-stdin --select AuthenticationResult.IdToken --output text\n  cognito-auth sign-in --preset dev --flow user-auth --preferred-challenge EMAIL_OTP --answer EMAIL_OTP=123456\n  cognito-auth sign-in --preset dev --remember-device --answers-file answers.toml"
    )]
    SignIn(commands::sign_in::SignInArgs),
    /// Create a user (SignUp); the password is asked for, or read from stdin or a file.
    #[command(
        after_help = "Examples:\n  cognito-auth sign-up --preset dev --username alice --attribute email=alice@example.com\n  printf '%s' \"$PW\" | cognito-auth sign-up --client-id 3n4b5urk1ft4fl3mg5e62d9ado --region eu-west-1 --username alice --password-stdin --attribute email=alice@example.com"
    )]
    SignUp(commands::sign_up::SignUpArgs),
    /// Confirm a sign-up with the code Cognito sent (ConfirmSignUp); --resend asks for a new one.
    #[command(
        after_help = "Examples:\n  cognito-auth confirm-sign-up --preset dev --username alice            # asks for the code\n  cognito-auth confirm-sign-up --preset dev --username alice --code 123456"
    )]
    ConfirmSignUp(commands::sign_up::ConfirmSignUpArgs),
    /// Reset a forgotten password: ForgotPassword, then the code and a new password
    /// (both asked for without echo) to ConfirmForgotPassword.
    #[command(
        after_help = "Examples:\n  cognito-auth forgot-password --preset dev --username alice\n  cognito-auth forgot-password --preset dev --username alice --send-code-only\n  printf '%s' \"$NEW\" | cognito-auth forgot-password --preset dev --username alice --code 123456 --password-stdin"
    )]
    ForgotPassword(commands::password::ForgotPasswordArgs),
    /// Change the signed-in user's password (ChangePassword with the cached access token).
    #[command(
        after_help = "Examples:\n  cognito-auth change-password --preset dev            # asks for both passwords\n  printf '%s\\n%s\\n' \"$OLD\" \"$NEW\" | cognito-auth change-password --preset dev --password-stdin"
    )]
    ChangePassword(commands::password::ChangePasswordArgs),
    /// InitiateAuth, as `aws cognito-idp initiate-auth`.
    #[command(
        after_help = "Examples:\n  cognito-auth initiate-auth --client-id 3n4b5urk1ft4fl3mg5e62d9ado --auth-flow USER_PASSWORD_AUTH --auth-parameter USERNAME=alice --auth-parameter PASSWORD=file://password.txt\n  cognito-auth initiate-auth --cli-input-json file://request.json   # from --generate-cli-skeleton\n  cognito-auth initiate-auth --client-id 3n4b5urk1ft4fl3mg5e62d9ado --auth-flow REFRESH_TOKEN_AUTH --auth-parameters '{\"REFRESH_TOKEN\": \"...\"}' --query AuthenticationResult.IdToken --output text"
    )]
    InitiateAuth(commands::raw::InitiateArgs),
    /// RespondToAuthChallenge, as `aws cognito-idp respond-to-auth-challenge`.
    #[command(
        after_help = "Example:\n  cognito-auth respond-to-auth-challenge --client-id 3n4b5urk1ft4fl3mg5e62d9ado --challenge-name SOFTWARE_TOKEN_MFA --session file://session.txt --challenge-responses USERNAME=alice,SOFTWARE_TOKEN_MFA_CODE=123456"
    )]
    RespondToAuthChallenge(commands::raw::RespondArgs),
    /// Refresh cached (or given) tokens.
    Refresh(commands::refresh::RefreshArgs),
    /// Revoke the refresh token (RevokeToken) or sign out everywhere (--global).
    SignOut(commands::sign_out::SignOutArgs),
    /// Print one valid token (ID by default), refreshed first when it runs low.
    #[command(
        after_help = "Examples:\n  curl -H \"Authorization: Bearer $(cognito-auth token)\" https://api.example.com/\n  cognito-auth token --preset dev --use access --min-valid 900"
    )]
    Token(commands::token::TokenArgs),
    /// Show cached tokens: claims, time left; --verify checks them against the JWKS.
    Tokens(commands::tokens::TokensArgs),
    /// Remembered devices.
    Devices {
        #[command(subcommand)]
        command: commands::devices::DevicesCommand,
    },
    /// Serve the Cognito emulator.
    #[cfg(feature = "emulator")]
    #[command(
        after_help = "Examples:\n  cognito-auth emulator --port 9229 --seed crates/emulator/examples/seed.toml\n  cognito-auth emulator --port 9229 --data cognito.sqlite   # state survives restarts"
    )]
    Emulator(commands::emulator::EmulatorArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}
