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
    /// say) as TARGET: an http:// URL the event is POSTed to, a command line
    /// that reads the event on stdin and prints the result, or `builtin` (the
    /// built-in CUSTOM_AUTH set). A LambdaConfig value is only ever such a
    /// name. Repeatable.
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
///
/// `RUST_LOG` takes `level` and `target=level` directives (`Targets`' syntax), not
/// `EnvFilter`'s span and field matching: that needs a regex engine, which would add
/// a tenth of the CLI's build time for a feature nobody uses here.
pub fn init_logging() {
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;

    let filter = log_filter(std::env::var("RUST_LOG").ok().as_deref());
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .init();
}

/// `RUST_LOG`'s directives, or `info` when it is unset or unreadable.
fn log_filter(directives: Option<&str>) -> tracing_subscriber::filter::Targets {
    directives
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(|| {
            tracing_subscriber::filter::Targets::new().with_default(tracing::Level::INFO)
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use clap::Parser;

    use super::*;

    #[test]
    fn rust_log_directives_pick_levels_per_target() {
        use tracing::Level;
        let filter = log_filter(Some("warn,cognito_auth_emulator=debug"));
        assert!(filter.would_enable("cognito_auth_emulator::serve", &Level::DEBUG));
        assert!(!filter.would_enable("hyper", &Level::INFO));
        assert!(filter.would_enable("hyper", &Level::WARN));
        let default = log_filter(None);
        assert!(default.would_enable("anything", &Level::INFO));
        assert!(!default.would_enable("anything", &Level::DEBUG));
        // An unreadable value falls back to `info` rather than silencing everything.
        let fallback = log_filter(Some("=[bad"));
        assert!(fallback.would_enable("anything", &Level::INFO));
    }

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
            "--trigger",
            "builtin=builtin",
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
        assert_eq!(config.service.triggers["builtin"], TriggerTarget::Builtin);
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
