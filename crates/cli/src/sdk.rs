//! The AWS SDK client: region, profile, endpoint and timeouts resolved as the AWS
//! CLI does, and every request sent unsigned. Cognito's user-pool sign-in, token
//! and device operations need no AWS credentials, so none are ever looked up: the
//! client carries placeholder credentials and the signature is stripped before a
//! request leaves, whatever the environment holds.
//!
//! A user pool lives in exactly one region, so where the pool id is known its
//! region decides; `AWS_REGION` and the profile only matter for raw calls that
//! name no pool.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::meta::region::RegionProviderChain;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::Region;
use aws_sdk_cognitoidentityprovider::config::timeout::TimeoutConfig;
use cognito_auth_flows::HttpTimeouts;
use cognito_auth_flows::unsigned::{StripSignature, placeholder_credentials};

use crate::exit::CliError;

/// The AWS CLI's default connect and read timeouts, in seconds.
pub const DEFAULT_TIMEOUT_SECONDS: f64 = 60.0;

/// Where to send requests and how long to wait.
#[derive(Clone, Debug, Default)]
pub struct Target {
    /// The region: the pool's own, else `--region` (or a preset's).
    pub region: Option<String>,
    /// True when `region` comes from the pool id: nothing else may override it.
    pub region_is_pools: bool,
    /// `--profile`.
    pub profile: Option<String>,
    /// `--endpoint-url`.
    pub endpoint_url: Option<String>,
    /// `--cli-connect-timeout`, `--cli-read-timeout` (seconds, 0 = none), or
    /// the config file's.
    pub timeout_flags: TimeoutFlags,
    /// `--debug`: trace requests and replies (secrets redacted) on stderr.
    pub debug: bool,
}

/// The timeout flags as given.
#[derive(Clone, Copy, Debug, Default)]
pub struct TimeoutFlags {
    /// `--cli-connect-timeout`.
    pub connect: Option<f64>,
    /// `--cli-read-timeout`.
    pub read: Option<f64>,
}

/// Timeouts in force; `None` waits forever (the AWS CLI's `0`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timeouts {
    /// To establish a connection.
    pub connect: Option<Duration>,
    /// From sending a request to the reply's headers.
    pub read: Option<Duration>,
}

impl Timeouts {
    /// One attempt: connecting and reading. `None` when either is unbounded.
    pub fn attempt(&self) -> Option<Duration> {
        Some(self.connect? + self.read?)
    }

    /// The SDK's timeouts: connect, read, a bound on one attempt (a reply that
    /// trickles in never ends otherwise) and on the whole operation with retries.
    pub fn sdk_config(&self) -> TimeoutConfig {
        let mut builder = TimeoutConfig::builder();
        builder.set_connect_timeout(self.connect);
        builder.set_read_timeout(self.read);
        builder.set_operation_attempt_timeout(self.attempt());
        builder.set_operation_timeout(self.attempt().map(|a| a * MAX_ATTEMPTS));
        builder.build()
    }

    /// For the JWKS download: connect, then the whole request within one attempt.
    pub fn http(&self) -> HttpTimeouts {
        // ureq has no "unbounded": a day stands in for the AWS CLI's 0.
        let forever = Duration::from_secs(24 * 60 * 60);
        HttpTimeouts {
            connect: self.connect.unwrap_or(forever),
            total: self.attempt().unwrap_or(forever),
        }
    }
}

/// The SDK's standard retry mode makes up to three attempts.
const MAX_ATTEMPTS: u32 = 3;

/// Seconds as the AWS CLI takes them: non-negative, `0` for no timeout.
pub fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds >= 0.0 => Ok(seconds),
        _ => Err(format!(
            "expected a number of seconds (0 for no timeout), got {text:?}"
        )),
    }
}

fn duration(seconds: f64) -> Option<Duration> {
    (seconds > 0.0).then(|| Duration::from_secs_f64(seconds))
}

/// The timeouts for `target`: its flags (options, preset or config file), else
/// the AWS CLI's 60 s.
pub fn timeouts(target: &Target) -> Result<Timeouts, CliError> {
    let pick = |seconds: Option<f64>, key: &str| -> Result<Option<Duration>, CliError> {
        let seconds = seconds.unwrap_or(DEFAULT_TIMEOUT_SECONDS);
        if !(seconds.is_finite() && seconds >= 0.0) {
            return Err(CliError::config(format!(
                "config file {key}: expected a number of seconds (0 for no timeout), got {seconds}"
            )));
        }
        Ok(duration(seconds))
    };
    Ok(Timeouts {
        connect: pick(target.timeout_flags.connect, "cli_connect_timeout")?,
        read: pick(target.timeout_flags.read, "cli_read_timeout")?,
    })
}

/// A client configured like the AWS CLI: the pool's region when known, else
/// `--region`, `AWS_REGION` / `AWS_DEFAULT_REGION`, the profile's region (and
/// us-east-1 when nothing names one); `--endpoint-url`, else
/// `AWS_ENDPOINT_URL[_COGNITO_IDENTITY_PROVIDER]` or the profile's `endpoint_url`;
/// retries from the profile; connect, read, attempt and operation timeouts. (No
/// instance metadata lookups: the pool id names its region.)
pub async fn client(target: &Target) -> Result<Client, CliError> {
    let timeouts = timeouts(target)?;
    let explicit = target.region.clone().map(Region::new);
    let chain = if target.region_is_pools {
        RegionProviderChain::first_try(explicit)
    } else {
        let profile_region = match &target.profile {
            Some(name) => aws_config::profile::ProfileFileRegionProvider::builder()
                .profile_name(name)
                .build(),
            None => aws_config::profile::ProfileFileRegionProvider::new(),
        };
        RegionProviderChain::first_try(explicit)
            .or_else(aws_config::environment::EnvironmentVariableRegionProvider::new())
            .or_else(profile_region)
    }
    .or_else(Region::from_static("us-east-1"));
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(chain)
        .timeout_config(timeouts.sdk_config())
        .credentials_provider(placeholder_credentials());
    if let Some(profile) = &target.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(endpoint) = &target.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    let shared = loader.load().await;
    let mut config =
        aws_sdk_cognitoidentityprovider::config::Builder::from(&shared).interceptor(StripSignature);
    if target.debug {
        config = config.interceptor(crate::debug::Trace);
    }
    Ok(Client::from_conf(config.build()))
}

/// A client for a known endpoint that reads no AWS configuration at all (the demo).
#[cfg(feature = "emulator")]
pub fn local_client(endpoint_url: &str, region: &str) -> Client {
    let config = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .endpoint_url(endpoint_url)
        .credentials_provider(placeholder_credentials())
        .interceptor(StripSignature)
        .build();
    Client::from_conf(config)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn zero_means_no_timeout_and_bad_values_are_refused() {
        assert_eq!(parse_seconds("0").unwrap(), 0.0);
        assert_eq!(duration(0.0), None);
        assert_eq!(duration(1.5), Some(Duration::from_millis(1500)));
        assert!(parse_seconds("-1").is_err());
        assert!(parse_seconds("soon").is_err());
        let t = Timeouts {
            connect: Some(Duration::from_secs(2)),
            read: None,
        };
        assert_eq!(t.attempt(), None);
        assert_eq!(t.http().connect, Duration::from_secs(2));
    }
}
