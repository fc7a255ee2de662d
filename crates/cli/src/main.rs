//! `cognito-auth`: Amazon Cognito user-pool sign-in from a shell (SRP that works,
//! every challenge), `initiate-auth` / `respond-to-auth-challenge` like the AWS CLI,
//! token and device caches, and (with the default `emulator` feature) a local
//! emulator and a one-command demo.
//!
//! A thin layer over `cognito-auth-flows` (every sign-in loop) and
//! `cognito-auth-emulator`: argument mapping and presentation only. This file only
//! dispatches: `args` is the command line, `commands` holds one module per command.

#![forbid(unsafe_code)]

mod args;
mod argv;
mod commands;
mod config;
mod debug;
mod device_file;
mod exit;
mod format;
mod private_files;
mod prompt;
mod sdk;
mod select;
mod shorthand;
mod store;
mod ui;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::args::{Cli, Command};
use crate::exit::CliError;

async fn run(cli: Cli) -> Result<u8, CliError> {
    let global = cli.global;
    store::configure(&global);
    match cli.command {
        #[cfg(feature = "emulator")]
        Command::Demo { json } => commands::demo::run(json).await,
        Command::SignIn(args) => commands::sign_in::sign_in(&global, args).await,
        Command::SignUp(args) => commands::sign_up::sign_up(&global, args).await,
        Command::ConfirmSignUp(args) => commands::sign_up::confirm_sign_up(&global, args).await,
        Command::ForgotPassword(args) => commands::password::forgot_password(&global, args).await,
        Command::ChangePassword(args) => commands::password::change_password(&global, args).await,
        Command::InitiateAuth(args) => commands::raw::initiate_auth(&global, args).await,
        Command::RespondToAuthChallenge(args) => commands::raw::respond(&global, args).await,
        Command::Refresh(args) => commands::refresh::refresh(&global, args).await,
        Command::SignOut(args) => commands::sign_out::sign_out(&global, args).await,
        Command::Token(args) => commands::token::token(&global, args).await,
        Command::Tokens(args) => commands::tokens::tokens(&global, args).await,
        Command::Devices { command } => commands::devices::devices(&global, command).await,
        #[cfg(feature = "emulator")]
        Command::Emulator(args) => commands::emulator::serve(args).await,
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "cognito-auth", &mut out);
            ui::out(&String::from_utf8_lossy(&out));
            Ok(exit::code::OK)
        }
    }
}

fn main() -> ExitCode {
    let argv = match argv::prepare(std::env::args_os().collect()) {
        Ok(argv) => argv,
        Err(error) => {
            ui::error_line(&error);
            return ExitCode::from(error.code);
        }
    };
    let cli = Cli::parse_from(argv.args);
    if let Some(hint) = argv.secret_on_argv
        && !cli.global.habits.allow_secrets_on_argv
    {
        ui::error_line(&CliError::usage(hint));
        return ExitCode::from(exit::code::USAGE);
    }
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
