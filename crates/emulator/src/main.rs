//! `cognito-auth-emulator`: run a local Cognito user-pool server.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use cognito_auth_emulator::Emulator;
use cognito_auth_emulator::serve::ServeArgs;

/// A local Amazon Cognito user-pool server that really verifies SRP.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    serve: ServeArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    cognito_auth_emulator::serve::init_logging();
    let args = Args::parse();
    let emulator = match Emulator::start(args.serve.into_config()).await {
        Ok(emulator) => emulator,
        Err(error) => {
            tracing::error!(%error, "could not start");
            return ExitCode::FAILURE;
        }
    };
    // The one line scripts wait for; tracing goes to stderr.
    tracing::info!(endpoint = %emulator.endpoint_url(), "ready");
    #[allow(clippy::print_stdout, reason = "the one line scripts wait for")]
    {
        println!("listening on {}", emulator.endpoint_url());
    }
    let _ = tokio::signal::ctrl_c().await;
    emulator.shutdown().await;
    ExitCode::SUCCESS
}
