//! The command-line options of a served emulator, shared by the
//! `cognito-auth-emulator` binary and the `cognito-auth emulator` subcommand.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::{EmulatorConfig, TriggerTarget};

/// How to serve an emulator from the command line.
#[derive(Clone, Debug, clap::Args)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 9229)]
    pub port: u16,
    /// Address to bind. Loopback by default: the emulator has no authentication.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// SQLite file for durable state; without it everything is in memory.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// TOML seed file (pools, app clients, users, triggers) applied at start.
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,
    /// Runs the Lambda trigger that a pool's LambdaConfig names NAME (an ARN,
    /// say) as TARGET: an http(s):// URL the event is POSTed to, or a command
    /// line that reads the event on stdin and prints the result. Repeatable.
    #[arg(long = "trigger", value_name = "NAME=TARGET", value_parser = parse_trigger)]
    pub triggers: Vec<(String, TriggerTarget)>,
    /// Seconds a trigger may take before the sign-in fails (Cognito allows 5).
    #[arg(long, value_name = "SECONDS", default_value = "5", value_parser = parse_seconds)]
    pub trigger_timeout: Duration,
}

fn parse_trigger(text: &str) -> Result<(String, TriggerTarget), String> {
    TriggerTarget::parse_named(text).map_err(|e| e.to_string())
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .filter(|duration| !duration.is_zero())
        .ok_or_else(|| format!("{text:?} is not a positive number of seconds"))
}

impl ServeArgs {
    /// The emulator configuration these options describe.
    pub fn into_config(self) -> EmulatorConfig {
        let mut config = EmulatorConfig {
            bind: self.bind,
            port: self.port,
            data: self.data,
            seed: self.seed,
            ..EmulatorConfig::default()
        };
        config.service.triggers = self.triggers.into_iter().collect();
        config.service.trigger_timeout = self.trigger_timeout;
        config
    }
}

/// Logs to stderr, at `RUST_LOG`'s filter (default `info`), for the emulator binary
/// and the CLI's `emulator` subcommand alike.
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    #[test]
    fn trigger_flags_fill_the_trigger_table() {
        let cli = Cli::try_parse_from([
            "emulator",
            "--trigger",
            "arn:aws:lambda:us-east-1:1:function:define=python3 triggers.py",
            "--trigger",
            "verify=http://127.0.0.1:3000/verify",
            "--trigger-timeout",
            "0.5",
        ])
        .unwrap();
        let config = cli.serve.into_config();
        assert_eq!(config.port, 9229);
        assert!(config.bind.is_loopback());
        assert_eq!(config.service.trigger_timeout, Duration::from_millis(500));
        assert_eq!(
            config.service.triggers["arn:aws:lambda:us-east-1:1:function:define"],
            TriggerTarget::Command {
                argv: vec!["python3".into(), "triggers.py".into()],
                dir: None
            }
        );
        assert_eq!(
            config.service.triggers["verify"],
            TriggerTarget::Url("http://127.0.0.1:3000/verify".into())
        );
    }

    #[test]
    fn bad_trigger_flags_are_usage_errors() {
        for args in [
            ["emulator", "--trigger", "no-target"],
            ["emulator", "--trigger", "=python3 t.py"],
            ["emulator", "--trigger", "name=sh -c 'open"],
            ["emulator", "--trigger-timeout", "0"],
            ["emulator", "--trigger-timeout", "soon"],
        ] {
            let error = Cli::try_parse_from(args).unwrap_err();
            assert_eq!(
                error.kind(),
                clap::error::ErrorKind::ValueValidation,
                "{args:?}"
            );
        }
    }
}
