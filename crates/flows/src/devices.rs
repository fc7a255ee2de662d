//! Remembered devices: where they are kept, and what to do with a new one.

use std::collections::HashMap;
use std::sync::Mutex;

pub use cognito_auth_srp::RememberedDevice;

/// Where remembered devices live between sign-ins.
///
/// Keyed by user pool id and username. [`crate::Flows`] saves a confirmed device
/// under the pool's internal username and, when the user signed in with an alias
/// (email, phone), under the typed name too, so both find it again; it looks devices
/// up by the name the caller types.
///
/// The device password inside [`RememberedDevice`] is a secret: a persistent store
/// must protect it like a password.
pub trait DeviceStore: Send + Sync {
    /// The device remembered for `username` in `pool_id`, if any.
    fn load(&self, pool_id: &str, username: &str) -> Result<Option<RememberedDevice>, StoreError>;
    /// Remembers `device` for `username` in `pool_id`, replacing any other.
    fn save(
        &self,
        pool_id: &str,
        username: &str,
        device: &RememberedDevice,
    ) -> Result<(), StoreError>;
    /// Forgets the device with `device_key`, under whatever username it was saved.
    fn forget(&self, pool_id: &str, device_key: &str) -> Result<(), StoreError>;
}

/// A device store failure.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// A [`DeviceStore`] in memory, for tests and short-lived processes.
#[derive(Debug, Default)]
pub struct MemoryDeviceStore {
    devices: Mutex<DeviceMap>,
}

type DeviceMap = HashMap<(String, String), RememberedDevice>;

impl MemoryDeviceStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many (pool, username) entries it holds.
    pub fn len(&self) -> usize {
        self.lock().map_or(0, |devices| devices.len())
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, DeviceMap>, StoreError> {
        self.devices
            .lock()
            .map_err(|_| StoreError("device store lock poisoned".into()))
    }
}

impl DeviceStore for MemoryDeviceStore {
    fn load(&self, pool_id: &str, username: &str) -> Result<Option<RememberedDevice>, StoreError> {
        Ok(self
            .lock()?
            .get(&(pool_id.to_owned(), username.to_owned()))
            .cloned())
    }

    fn save(
        &self,
        pool_id: &str,
        username: &str,
        device: &RememberedDevice,
    ) -> Result<(), StoreError> {
        self.lock()?
            .insert((pool_id.to_owned(), username.to_owned()), device.clone());
        Ok(())
    }

    fn forget(&self, pool_id: &str, device_key: &str) -> Result<(), StoreError> {
        self.lock()?
            .retain(|(pool, _), device| !(pool == pool_id && device.device_key() == device_key));
        Ok(())
    }
}

/// What to do when a sign-in returns `NewDeviceMetadata`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum DevicePolicy {
    /// Nothing: the device stays unconfirmed and is not stored.
    #[default]
    Ignore,
    /// ConfirmDevice with a fresh verifier, and store the device.
    Confirm {
        /// `DeviceName` sent with ConfirmDevice.
        device_name: Option<String>,
    },
    /// As `Confirm`, then, where the pool lets the user opt in
    /// (`UserConfirmationNecessary`), UpdateDeviceStatus(remembered).
    Remember {
        /// `DeviceName` sent with ConfirmDevice.
        device_name: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;

    #[test]
    fn memory_store_saves_loads_and_forgets_by_key() {
        let store = MemoryDeviceStore::new();
        let device = RememberedDevice::new("us-east-1_dev", "grp", SecretString::from("pw"));
        store.save("pool", "alice", &device).unwrap();
        store.save("pool", "alice@example.com", &device).unwrap();
        assert_eq!(
            store.load("pool", "alice").unwrap().unwrap().device_key(),
            "us-east-1_dev"
        );
        assert!(store.load("other", "alice").unwrap().is_none());
        store.forget("pool", "us-east-1_dev").unwrap();
        assert!(store.is_empty());
    }
}
