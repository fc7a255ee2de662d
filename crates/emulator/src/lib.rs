//! A local Amazon Cognito user-pool server that really verifies SRP.
//!
//! It speaks Cognito's wire protocol (AWS JSON 1.1 on `POST /`), so unmodified AWS
//! SDKs, boto3 and pycognito talk to it with only the endpoint URL changed. Sign-in
//! is checked for real: USER_SRP_AUTH proofs are verified with the
//! [`cognito_auth_srp`] server, wrong passwords get `Incorrect username or
//! password.`, five failures lock the user, sessions are single-use and expire,
//! SECRET_HASH is checked, and remembered devices sign in with DEVICE_SRP_AUTH.
//! Tokens are RS256 JWTs verifiable against the served JWKS.
//!
//! ```no_run
//! # async fn demo() -> Result<(), cognito_auth_emulator::StartError> {
//! let emulator = cognito_auth_emulator::Emulator::start(Default::default()).await?;
//! println!("endpoint: {}", emulator.endpoint_url());
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! The core ([`Service`]) is plain synchronous Rust with no HTTP in it; the
//! server ([`http`]) hands it operation names and bodies.

#![forbid(unsafe_code)]

mod codes;
pub mod error;
pub mod http;
mod ids;
mod limits;
mod lockout;
pub mod model;
pub mod outbox;
pub mod seed;
pub mod serve;
mod service;
mod sessions;
pub mod store;
mod stored_bytes;
mod tokens;
mod totp;
pub mod triggers;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

pub use error::{ApiError, ErrorKind};
pub use ids::{FrozenClock, advance_clock, freeze_clock};
pub use service::{Service, ServiceConfig};
pub use totp::code_for_secret as totp_code_for_secret;
pub use triggers::TriggerTarget;

/// How to run an emulator.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// Address to bind; loopback by default.
    pub bind: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// SQLite file; `None` keeps everything in memory.
    pub data: Option<PathBuf>,
    /// TOML seed file applied at start (idempotent).
    pub seed: Option<PathBuf>,
    /// Service tunables.
    pub service: ServiceConfig,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            data: None,
            seed: None,
            service: ServiceConfig::default(),
        }
    }
}

/// Why the emulator did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened.
    #[error("opening the database: {0}")]
    Store(#[from] store::StoreError),
    /// The seed file could not be applied.
    #[error("applying the seed file: {0}")]
    Seed(#[from] seed::SeedError),
    /// The address could not be bound.
    #[error("binding {address}: {source}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
}

/// A running emulator.
#[derive(Debug)]
pub struct Emulator {
    address: SocketAddr,
    service: Arc<Service>,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Emulator {
    /// Starts an emulator on the current tokio runtime.
    pub async fn start(config: EmulatorConfig) -> Result<Self, StartError> {
        let mut service_config = config.service;
        let seed = match &config.seed {
            Some(path) => {
                let seed = seed::Seed::load(path)?;
                // The seed's triggers join the operator's table; a name given both
                // ways keeps the one from the configuration (the command line).
                let folder = path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(std::path::Path::new("."));
                let folder = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
                seed.install_triggers(&mut service_config, Some(&folder))?;
                Some(seed)
            }
            None => None,
        };
        let service = Arc::new(Service::open(config.data.as_deref(), service_config)?);
        if let Some(seed) = &seed {
            seed::apply(&service, seed)?;
        }
        let address = SocketAddr::new(config.bind, config.port);
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|source| StartError::Bind { address, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| StartError::Bind { address, source })?;
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = http::router(Arc::clone(&service));
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
            if let Err(error) = served {
                tracing::error!(%error, "server stopped");
            }
        });
        tracing::info!(%address, "cognito emulator listening");
        Ok(Self {
            address,
            service,
            shutdown,
            task,
        })
    }

    /// Starts an emulator with a parsed seed, as [`EmulatorConfig::seed`] does
    /// with a file: the seed's trigger table joins the configuration's (whose
    /// entries win; commands run in the current folder), then its pools,
    /// clients and users are applied.
    pub async fn start_seeded(
        mut config: EmulatorConfig,
        seed: &seed::Seed,
    ) -> Result<Self, StartError> {
        seed.install_triggers(&mut config.service, None)?;
        let emulator = Self::start(config).await?;
        if let Err(error) = seed::apply(&emulator.service, seed) {
            emulator.shutdown().await;
            return Err(error.into());
        }
        Ok(emulator)
    }

    /// `http://ip:port`, for `endpoint_url`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The service, for tests that want to look inside (the outbox, say).
    pub fn service(&self) -> &Arc<Service> {
        &self.service
    }

    /// Stops accepting requests and waits for the server task.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(());
        let _ = self.task.await;
    }
}

/// Locks `mutex`, also when a panic elsewhere poisoned it: every critical
/// section in the emulator leaves its state consistent (SQLite writes are single
/// statements, the maps are updated in one step), and one panicking request
/// must not take the whole emulator down with it.
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
