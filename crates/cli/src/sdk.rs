//! The AWS SDK client: region, profile and endpoint resolved as the AWS CLI does
//! (aws-config), and every request sent unsigned. Cognito's user-pool sign-in,
//! token and device operations need no AWS credentials, so none are ever looked up:
//! the client carries placeholder credentials and the signature is stripped before
//! a request leaves, whatever the environment holds.

use aws_config::BehaviorVersion;
use aws_config::meta::region::RegionProviderChain;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::Region;
use cognito_auth_flows::unsigned::{StripSignature, placeholder_credentials};

/// Where to send requests.
#[derive(Clone, Debug, Default)]
pub struct Target {
    /// `--region`.
    pub region: Option<String>,
    /// `--profile`.
    pub profile: Option<String>,
    /// `--endpoint-url`.
    pub endpoint_url: Option<String>,
    /// The pool's region (from its id), the fallback when nothing else names one.
    pub pool_region: Option<String>,
}

/// A client configured like the AWS CLI: `--region`, then `AWS_REGION` /
/// `AWS_DEFAULT_REGION`, then the profile's region, then the pool's own region;
/// `--endpoint-url`, else `AWS_ENDPOINT_URL[_COGNITO_IDENTITY_PROVIDER]` or the
/// profile's `endpoint_url`; retries and timeouts from the profile. (No instance
/// metadata lookups: the pool id names its region.)
pub async fn client(target: &Target) -> Client {
    let profile_region = match &target.profile {
        Some(name) => aws_config::profile::ProfileFileRegionProvider::builder()
            .profile_name(name)
            .build(),
        None => aws_config::profile::ProfileFileRegionProvider::new(),
    };
    let chain = RegionProviderChain::first_try(target.region.clone().map(Region::new))
        .or_else(aws_config::environment::EnvironmentVariableRegionProvider::new())
        .or_else(profile_region)
        .or_else(target.pool_region.clone().map(Region::new))
        .or_else(Region::from_static("us-east-1"));
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(chain)
        .credentials_provider(placeholder_credentials());
    if let Some(profile) = &target.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(endpoint) = &target.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    let shared = loader.load().await;
    let config = aws_sdk_cognitoidentityprovider::config::Builder::from(&shared)
        .interceptor(StripSignature)
        .build();
    Client::from_conf(config)
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
