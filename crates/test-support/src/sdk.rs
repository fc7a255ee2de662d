//! AWS SDK clients pointed at a local Cognito (the emulator, a fake, MiniStack).

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::config::timeout::TimeoutConfig;
use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Builder, Credentials, Region};

/// SDK configuration for `endpoint` in us-east-1, with no credentials: what an
/// app's client looks like. Retries and timeouts are the SDK's defaults.
pub fn base_config(endpoint: &str) -> Builder {
    aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
}

/// [`base_config`] with one attempt, so a refusal shows at once, and `timeout`
/// for each operation.
pub fn local_config(endpoint: &str, timeout: Duration) -> Builder {
    base_config(endpoint)
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .timeout_config(TimeoutConfig::builder().operation_timeout(timeout).build())
}

/// Adds dummy credentials, so admin calls are SigV4-signed as an operator's
/// are (the emulator accepts any signature).
pub fn signed(config: Builder) -> Builder {
    config.credentials_provider(Credentials::new(
        "AKIDEXAMPLE",
        "secret",
        None,
        None,
        "test",
    ))
}

/// The operator's client for `endpoint`: signed, SDK default retries.
pub fn sdk(endpoint: &str) -> Client {
    Client::from_conf(signed(base_config(endpoint)).build())
}

/// The app's client for `endpoint`: no credentials provider at all.
pub fn unsigned_sdk(endpoint: &str) -> Client {
    Client::from_conf(base_config(endpoint).build())
}
