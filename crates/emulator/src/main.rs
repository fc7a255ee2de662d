//! `cognito-auth-emulator`: run a local Cognito user-pool server.

#![forbid(unsafe_code)]

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use cognito_auth_emulator::{Emulator, EmulatorConfig};

/// A local Amazon Cognito user-pool server that really verifies SRP.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 9229)]
    port: u16,
    /// Address to bind. Loopback by default: the emulator has no authentication.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// SQLite file for durable state; without it everything is in memory.
    #[arg(long)]
    data: Option<PathBuf>,
    /// TOML seed file (pools, clients, users) applied at start.
    #[arg(long)]
    seed: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let config = EmulatorConfig {
        bind: args.bind,
        port: args.port,
        data: args.data,
        seed: args.seed,
        ..EmulatorConfig::default()
    };
    let emulator = match Emulator::start(config).await {
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
