//! Tokens in the OS keychain (the `keyring` feature): Keychain on macOS, the
//! Credential Manager on Windows, the Secret Service on Linux and the BSDs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::Tokens;
use crate::devices::StoreError;
use crate::session::SessionKey;

/// The keychain service name [`KeyringTokenStore::new`] files tokens under.
pub const DEFAULT_KEYRING_SERVICE: &str = "cognito-auth";

/// A [`TokenStore`](crate::TokenStore) in the OS keychain, one entry per session: service
/// `service`, account `<pool id>/<client id>/<username>`, the tokens as JSON.
///
/// The platform calls block (Secret Service is a D-Bus round trip), and some
/// backends run their own event loop, so each call runs on a short-lived thread
/// of its own rather than on the caller's async runtime. Entries are kept per
/// key, so a backend without persistence of its own (keyring's mock store, for
/// tests) behaves like a keychain for the life of the store.
#[derive(Clone)]
pub struct KeyringTokenStore {
    service: String,
    entries: Arc<Mutex<HashMap<SessionKey, Arc<keyring::Entry>>>>,
}

impl std::fmt::Debug for KeyringTokenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyringTokenStore")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl Default for KeyringTokenStore {
    fn default() -> Self {
        Self::new()
    }
}

impl KeyringTokenStore {
    /// A store under [`DEFAULT_KEYRING_SERVICE`].
    pub fn new() -> Self {
        Self::with_service(DEFAULT_KEYRING_SERVICE)
    }

    /// A store under another service name (one per application).
    pub fn with_service(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            entries: Arc::default(),
        }
    }

    /// Whether the platform keychain answers at all: false on a headless Linux
    /// box without a Secret Service, where callers fall back to files.
    pub fn is_available(&self) -> bool {
        let probe = SessionKey::new("probe", "probe", "probe");
        self.load_blocking(&probe).is_ok()
    }

    fn entry(&self, key: &SessionKey) -> Result<Arc<keyring::Entry>, StoreError> {
        let mut entries = self
            .entries
            .lock()
            .map_err(|_| StoreError("keychain entries lock poisoned".into()))?;
        if let Some(entry) = entries.get(key) {
            return Ok(Arc::clone(entry));
        }
        let account = format!("{}/{}/{}", key.pool_id, key.client_id, key.username);
        let entry = Arc::new(keyring::Entry::new(&self.service, &account).map_err(keychain)?);
        entries.insert(key.clone(), Arc::clone(&entry));
        Ok(entry)
    }

    fn on_own_thread<T: Send>(
        &self,
        work: impl FnOnce() -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        std::thread::scope(|scope| {
            scope
                .spawn(work)
                .join()
                .unwrap_or_else(|_| Err(StoreError("the keychain call panicked".into())))
        })
    }

    /// [`TokenStore::load`](crate::TokenStore::load) for callers without an async runtime.
    pub fn load_blocking(&self, key: &SessionKey) -> Result<Option<Tokens>, StoreError> {
        let entry = self.entry(key)?;
        self.on_own_thread(|| match entry.get_password() {
            Ok(json) => {
                let json = zeroize::Zeroizing::new(json);
                serde_json::from_str(&json).map(Some).map_err(|e| {
                    StoreError(format!("the keychain entry is not a stored session: {e}"))
                })
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain(e)),
        })
    }

    /// [`TokenStore::save`](crate::TokenStore::save) for callers without an async runtime.
    pub fn save_blocking(&self, key: &SessionKey, tokens: &Tokens) -> Result<(), StoreError> {
        let entry = self.entry(key)?;
        let json = zeroize::Zeroizing::new(
            serde_json::to_string(tokens).map_err(|e| StoreError(e.to_string()))?,
        );
        self.on_own_thread(|| entry.set_password(&json).map_err(keychain))
    }

    /// [`TokenStore::remove`](crate::TokenStore::remove) for callers without an async runtime.
    pub fn remove_blocking(&self, key: &SessionKey) -> Result<(), StoreError> {
        let entry = self.entry(key)?;
        self.on_own_thread(|| match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain(e)),
        })
    }
}

fn keychain(error: keyring::Error) -> StoreError {
    StoreError(format!("keychain: {error}"))
}

crate::session::token_store_from_blocking!(KeyringTokenStore);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::time::{Duration, SystemTime};

    use keyring::mock::{self, MockCredential};
    use secrecy::{ExposeSecret, SecretString};

    use super::*;

    fn mock_store() -> KeyringTokenStore {
        keyring::set_default_credential_builder(mock::default_credential_builder());
        KeyringTokenStore::with_service("cognito-auth-test")
    }

    fn tokens() -> Tokens {
        Tokens::new(
            SecretString::from("access-1"),
            Some(SecretString::from("id-1")),
            Some(SecretString::from("refresh-1")),
            SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000),
        )
    }

    #[test]
    fn saves_loads_and_removes_through_the_mock_keychain() {
        let store = mock_store();
        let key = SessionKey::new("eu-west-1_Pool", "client", "alice");
        assert!(store.load_blocking(&key).unwrap().is_none());
        store.save_blocking(&key, &tokens()).unwrap();
        let loaded = store.load_blocking(&key).unwrap().unwrap();
        assert_eq!(loaded.access_token().expose_secret(), "access-1");
        assert_eq!(loaded.id_token().unwrap().expose_secret(), "id-1");
        assert_eq!(loaded.refresh_token().unwrap().expose_secret(), "refresh-1");
        assert_eq!(loaded.expires_at(), tokens().expires_at());
        let other = SessionKey::new("eu-west-1_Pool", "client", "bob");
        assert!(store.load_blocking(&other).unwrap().is_none());
        store.remove_blocking(&key).unwrap();
        assert!(store.load_blocking(&key).unwrap().is_none());
        store.remove_blocking(&key).unwrap();
    }

    #[test]
    fn a_keychain_failure_is_a_store_error() {
        let store = mock_store();
        let key = SessionKey::new("eu-west-1_Pool", "client", "carol");
        let entry = store.entry(&key).unwrap();
        let mock: &MockCredential = entry.get_credential().downcast_ref().unwrap();
        mock.set_error(keyring::Error::PlatformFailure("locked".into()));
        let error = store.save_blocking(&key, &tokens()).unwrap_err();
        assert!(error.0.starts_with("keychain: "), "{error}");
        assert!(error.0.contains("locked"), "{error}");
        // The error was for that call only.
        store.save_blocking(&key, &tokens()).unwrap();
        assert!(store.load_blocking(&key).unwrap().is_some());
    }

    #[test]
    fn a_corrupt_entry_is_an_error_not_a_panic() {
        let store = mock_store();
        let key = SessionKey::new("eu-west-1_Pool", "client", "dan");
        store
            .entry(&key)
            .unwrap()
            .set_password("{not json")
            .unwrap();
        let error = store.load_blocking(&key).unwrap_err();
        assert!(error.0.contains("not a stored session"), "{error}");
    }
}
