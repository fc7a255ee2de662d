//! Sessions that last: a valid token on demand, refreshed when it runs low.
//!
//! A [`Session`] ties a signed-in user to a [`TokenStore`]. [`Session::valid_tokens`]
//! returns the stored tokens while they stay valid long enough, and otherwise
//! refreshes them with REFRESH_TOKEN_AUTH (keeping the DEVICE_KEY they were issued
//! to) and stores the result. Refreshes are serialised: any number of concurrent
//! callers cause one RefreshToken call, and the others take its result.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use secrecy::ExposeSecret;

use crate::devices::StoreError;
use crate::{Error, Flows, Refresh, Tokens};

/// Whose tokens: a user of an app client of a pool.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionKey {
    /// The user pool id.
    pub pool_id: String,
    /// The app client id.
    pub client_id: String,
    /// The username as the user typed it.
    pub username: String,
}

impl SessionKey {
    /// The key for `username` of `client_id` in `pool_id`.
    pub fn new(
        pool_id: impl Into<String>,
        client_id: impl Into<String>,
        username: impl Into<String>,
    ) -> Self {
        Self {
            pool_id: pool_id.into(),
            client_id: client_id.into(),
            username: username.into(),
        }
    }
}

/// Where tokens live between runs. Tokens are secrets (a refresh token is a
/// password for 30 days by default): a persistent store must protect them.
pub trait TokenStore: Send + Sync {
    /// The tokens stored under `key`, if any.
    fn load(
        &self,
        key: &SessionKey,
    ) -> impl Future<Output = Result<Option<Tokens>, StoreError>> + Send;
    /// Stores `tokens` under `key`, replacing what was there.
    fn save(
        &self,
        key: &SessionKey,
        tokens: &Tokens,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Forgets the tokens under `key` (sign-out, or a refused refresh token).
    fn remove(&self, key: &SessionKey) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Implements [`TokenStore`] for a store whose calls block briefly (local files,
/// the keychain) through its `load_blocking`, `save_blocking` and
/// `remove_blocking`.
macro_rules! token_store_from_blocking {
    ($store:ty) => {
        impl $crate::session::TokenStore for $store {
            async fn load(
                &self,
                key: &$crate::session::SessionKey,
            ) -> Result<Option<$crate::Tokens>, $crate::StoreError> {
                self.load_blocking(key)
            }

            async fn save(
                &self,
                key: &$crate::session::SessionKey,
                tokens: &$crate::Tokens,
            ) -> Result<(), $crate::StoreError> {
                self.save_blocking(key, tokens)
            }

            async fn remove(
                &self,
                key: &$crate::session::SessionKey,
            ) -> Result<(), $crate::StoreError> {
                self.remove_blocking(key)
            }
        }
    };
}
pub(crate) use token_store_from_blocking;

/// A [`TokenStore`] in memory, for tests and long-running services that sign in
/// at start.
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    tokens: Mutex<HashMap<SessionKey, Tokens>>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, HashMap<SessionKey, Tokens>>, StoreError> {
        self.tokens
            .lock()
            .map_err(|_| StoreError("token store lock poisoned".into()))
    }
}

impl TokenStore for MemoryTokenStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<Tokens>, StoreError> {
        Ok(self.lock()?.get(key).cloned())
    }

    async fn save(&self, key: &SessionKey, tokens: &Tokens) -> Result<(), StoreError> {
        self.lock()?.insert(key.clone(), tokens.clone());
        Ok(())
    }

    async fn remove(&self, key: &SessionKey) -> Result<(), StoreError> {
        self.lock()?.remove(key);
        Ok(())
    }
}

/// A signed-in user whose tokens are kept in a [`TokenStore`].
pub struct Session<S> {
    flows: Arc<Flows>,
    key: SessionKey,
    store: S,
    refreshing: tokio::sync::Mutex<()>,
    refreshes: AtomicU64,
}

impl<S> std::fmt::Debug for Session<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("key", &self.key)
            .field("refreshes", &self.refreshes.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl<S: TokenStore> Session<S> {
    /// The session of `username` (as typed) on `flows`' pool and app client.
    pub fn new(flows: Arc<Flows>, username: impl Into<String>, store: S) -> Self {
        let key = SessionKey::new(flows.pool_id().as_str(), flows.client_id(), username.into());
        Self {
            flows,
            key,
            store,
            refreshing: tokio::sync::Mutex::new(()),
            refreshes: AtomicU64::new(0),
        }
    }

    /// Whose tokens these are.
    pub fn key(&self) -> &SessionKey {
        &self.key
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Keeps the tokens of a sign-in done elsewhere (for example
    /// [`Flows::sign_in_srp`]).
    pub async fn keep(&self, tokens: &Tokens) -> Result<(), Error> {
        // Not while a refresh runs: its save would overwrite these newer tokens.
        let _refreshing = self.refreshing.lock().await;
        self.store
            .save(&self.key, tokens)
            .await
            .map_err(store_error)
    }

    /// Forgets the stored tokens (a local sign-out; revoke them with Cognito too).
    pub async fn forget(&self) -> Result<(), Error> {
        let _refreshing = self.refreshing.lock().await;
        self.store.remove(&self.key).await.map_err(store_error)
    }

    /// Tokens valid for at least `min_valid` more: the stored ones if they are,
    /// otherwise fresh ones from REFRESH_TOKEN_AUTH, stored before they are
    /// returned.
    ///
    /// A caller that waited while another refreshed takes that refresh's tokens,
    /// even when `min_valid` is longer than a token's whole life, so concurrent
    /// callers cause one refresh, not one each.
    ///
    /// Errors: [`Error::SignInRequired`] when there is nothing stored, nothing to
    /// refresh with, or Cognito refused the refresh token (revoked, expired, or
    /// sent without its device); the stored tokens are then forgotten.
    pub async fn valid_tokens(&self, min_valid: Duration) -> Result<Tokens, Error> {
        let refreshes_seen = self.refreshes.load(Ordering::Acquire);
        let _refreshing = self.refreshing.lock().await;
        let stored = self
            .store
            .load(&self.key)
            .await
            .map_err(store_error)?
            .ok_or_else(|| sign_in_required("no stored session"))?;
        let refreshed_while_waiting = self.refreshes.load(Ordering::Acquire) != refreshes_seen;
        if !stored.expires_within(min_valid)
            || (refreshed_while_waiting && !stored.expires_within(Duration::ZERO))
        {
            return Ok(stored);
        }
        let refresh = Refresh::from_tokens(&stored)
            .ok_or_else(|| sign_in_required("the stored session has no refresh token"))?;
        match self.flows.refresh(&refresh).await {
            Ok(fresh) => {
                self.store
                    .save(&self.key, &fresh)
                    .await
                    .map_err(store_error)?;
                self.refreshes.fetch_add(1, Ordering::AcqRel);
                Ok(fresh)
            }
            Err(Error::RefreshTokenRefused { message }) => {
                // Another process may have signed in again meanwhile: only the
                // session whose refresh token was refused is forgotten.
                let now = self.store.load(&self.key).await.map_err(store_error)?;
                if now
                    .as_ref()
                    .and_then(Tokens::refresh_token)
                    .map(ExposeSecret::expose_secret)
                    == stored.refresh_token().map(ExposeSecret::expose_secret)
                {
                    self.store.remove(&self.key).await.map_err(store_error)?;
                }
                Err(sign_in_required(&format!(
                    "the refresh token was refused ({message})"
                )))
            }
            Err(other) => Err(other),
        }
    }
}

fn store_error(error: StoreError) -> Error {
    Error::TokenStore { message: error.0 }
}

fn sign_in_required(reason: &str) -> Error {
    Error::SignInRequired {
        reason: reason.to_owned(),
    }
}
