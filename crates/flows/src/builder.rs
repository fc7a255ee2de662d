//! Building a [`Flows`]: the app client, the device store and the engine's bounds.

use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::Client;
use cognito_auth_srp::{Clock, PoolId, SystemClock};
use secrecy::SecretString;

use crate::devices::{DevicePolicy, DeviceStore};
use crate::{AuthApi, Error, Flows};

/// The default bound on calls to Cognito in one sign-in.
pub const DEFAULT_MAX_ROUNDS: u32 = 24;

/// Builds a [`Flows`].
pub struct FlowsBuilder {
    client: Client,
    pool_id: String,
    client_id: String,
    client_secret: Option<SecretString>,
    devices: Option<Arc<dyn DeviceStore>>,
    device_policy: DevicePolicy,
    max_rounds: u32,
    clock: Arc<dyn Clock>,
    totp_issuer: String,
    totp_device_name: Option<String>,
}

impl std::fmt::Debug for FlowsBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowsBuilder")
            .field("pool_id", &self.pool_id)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl FlowsBuilder {
    /// The app client's secret: SECRET_HASH goes on every request.
    pub fn client_secret(mut self, secret: SecretString) -> Self {
        self.client_secret = Some(secret);
        self
    }

    /// Where remembered devices are kept. Without one, no DEVICE_KEY is sent and new
    /// devices are not confirmed.
    pub fn device_store(mut self, store: Arc<dyn DeviceStore>) -> Self {
        self.devices = Some(store);
        self
    }

    /// What to do with `NewDeviceMetadata` (default: nothing).
    pub fn device_policy(mut self, policy: DevicePolicy) -> Self {
        self.device_policy = policy;
        self
    }

    /// The most calls to Cognito one sign-in may take (default
    /// [`DEFAULT_MAX_ROUNDS`]).
    pub fn max_rounds(mut self, rounds: u32) -> Self {
        self.max_rounds = rounds.max(1);
        self
    }

    /// The clock for TIMESTAMP (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The issuer shown in authenticator apps at TOTP setup (default `AWSCognito`).
    pub fn totp_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.totp_issuer = issuer.into();
        self
    }

    /// `FriendlyDeviceName` for VerifySoftwareToken at TOTP setup.
    pub fn totp_device_name(mut self, name: impl Into<String>) -> Self {
        self.totp_device_name = Some(name.into());
        self
    }

    /// Checks the pool id and builds.
    pub fn build(self) -> Result<Flows, Error> {
        let pool = PoolId::parse(&self.pool_id)?;
        if self.client_id.is_empty() {
            return Err(Error::Config("empty client id".into()));
        }
        let mut api = AuthApi::new(self.client, self.client_id);
        if let Some(secret) = self.client_secret {
            api = api.with_client_secret(secret);
        }
        Ok(Flows {
            api,
            pool,
            devices: self.devices,
            device_policy: self.device_policy,
            max_rounds: self.max_rounds,
            clock: self.clock,
            totp_issuer: self.totp_issuer,
            totp_device_name: self.totp_device_name,
        })
    }
}

impl Flows {
    /// Starts building: the SDK client, the user pool id (`us-east-1_AbCdEf123`) and
    /// the app client id.
    pub fn builder(
        client: Client,
        pool_id: impl Into<String>,
        client_id: impl Into<String>,
    ) -> FlowsBuilder {
        FlowsBuilder {
            client,
            pool_id: pool_id.into(),
            client_id: client_id.into(),
            client_secret: None,
            devices: None,
            device_policy: DevicePolicy::default(),
            max_rounds: DEFAULT_MAX_ROUNDS,
            clock: Arc::new(SystemClock),
            totp_issuer: "AWSCognito".into(),
            totp_device_name: None,
        }
    }
}
