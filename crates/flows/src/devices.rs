//! Remembered devices: where they are kept, and what to do with a new one.
//!
//! [`DeviceRecords`] is the one list of (pool, username, device) entries with
//! its rules (one device per user, forgotten by key wherever it was saved); the
//! memory store here and any file store (the CLI's) keep one, so the rules live
//! in one place.

use std::sync::Mutex;

pub use cognito_auth_srp::RememberedDevice;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Where remembered devices live between sign-ins.
///
/// Keyed by user pool id and username. [`crate::Flows`] saves a confirmed device
/// under the pool's internal username and, when the user signed in with an alias
/// (email, phone), under the typed name too, so both find it again; it looks devices
/// up by the name the caller types.
///
/// Async, like [`crate::ChallengeHandler`], so that a store can live in a
/// database or a remote service. Implement it with [`macro@crate::async_trait`]:
///
/// ```
/// use cognito_auth_flows::{DeviceRecords, DeviceStore, RememberedDevice, StoreError, async_trait};
/// use tokio::sync::Mutex;
///
/// #[derive(Default)]
/// struct Shared(Mutex<DeviceRecords>);
///
/// #[async_trait]
/// impl DeviceStore for Shared {
///     async fn load(&self, pool_id: &str, username: &str) -> Result<Option<RememberedDevice>, StoreError> {
///         Ok(self.0.lock().await.find(pool_id, username))
///     }
///     async fn save(&self, pool_id: &str, username: &str, device: &RememberedDevice) -> Result<(), StoreError> {
///         self.0.lock().await.put(pool_id, username, device);
///         Ok(())
///     }
///     async fn forget(&self, pool_id: &str, device_key: &str) -> Result<(), StoreError> {
///         self.0.lock().await.forget(pool_id, device_key);
///         Ok(())
///     }
/// }
/// ```
///
/// The device password inside [`RememberedDevice`] is a secret: a persistent store
/// must protect it like a password.
#[async_trait::async_trait]
pub trait DeviceStore: Send + Sync {
    /// The device remembered for `username` in `pool_id`, if any.
    async fn load(
        &self,
        pool_id: &str,
        username: &str,
    ) -> Result<Option<RememberedDevice>, StoreError>;
    /// Remembers `device` for `username` in `pool_id`, replacing any other.
    async fn save(
        &self,
        pool_id: &str,
        username: &str,
        device: &RememberedDevice,
    ) -> Result<(), StoreError>;
    /// Forgets the device with `device_key`, under whatever username it was saved.
    async fn forget(&self, pool_id: &str, device_key: &str) -> Result<(), StoreError>;
}

/// A device store failure.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// One remembered device, under the pool and username it was saved for. Serializes
/// with its device password in clear: whatever holds it must be private.
#[derive(Clone, Serialize, Deserialize)]
pub struct DeviceRecord {
    pool_id: String,
    username: String,
    device_key: String,
    device_group_key: String,
    #[serde(serialize_with = "reveal", deserialize_with = "conceal")]
    device_password: SecretString,
}

impl std::fmt::Debug for DeviceRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceRecord")
            .field("pool_id", &self.pool_id)
            .field("username", &self.username)
            .field("device_key", &self.device_key)
            .finish_non_exhaustive()
    }
}

impl DeviceRecord {
    /// The user pool.
    pub fn pool_id(&self) -> &str {
        &self.pool_id
    }

    /// The username it was saved under.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// `DeviceKey`.
    pub fn device_key(&self) -> &str {
        &self.device_key
    }

    /// `DeviceGroupKey`.
    pub fn device_group_key(&self) -> &str {
        &self.device_group_key
    }

    fn device(&self) -> RememberedDevice {
        RememberedDevice::new(
            self.device_key.clone(),
            self.device_group_key.clone(),
            self.device_password.clone(),
        )
    }
}

fn reveal<S: Serializer>(secret: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    secret.expose_secret().serialize(serializer)
}

fn conceal<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SecretString, D::Error> {
    Ok(SecretString::from(String::deserialize(deserializer)?))
}

/// Remembered devices as a list, with the rules every store follows: one device
/// per (pool, username), forgotten by key under every username. Serializes as
/// `{"devices": [{"pool_id", "username", "device_key", "device_group_key",
/// "device_password"}]}`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DeviceRecords {
    #[serde(default)]
    devices: Vec<DeviceRecord>,
}

impl DeviceRecords {
    /// The device remembered for `username` in `pool_id`.
    pub fn find(&self, pool_id: &str, username: &str) -> Option<RememberedDevice> {
        self.devices
            .iter()
            .find(|d| d.pool_id == pool_id && d.username == username)
            .map(DeviceRecord::device)
    }

    /// Remembers `device` for `username` in `pool_id`, replacing any other.
    pub fn put(&mut self, pool_id: &str, username: &str, device: &RememberedDevice) {
        self.devices
            .retain(|d| !(d.pool_id == pool_id && d.username == username));
        self.devices.push(DeviceRecord {
            pool_id: pool_id.to_owned(),
            username: username.to_owned(),
            device_key: device.device_key().to_owned(),
            device_group_key: device.device_group_key().to_owned(),
            device_password: device.device_password().clone(),
        });
    }

    /// Forgets the device with `device_key` in `pool_id`, under every username.
    pub fn forget(&mut self, pool_id: &str, device_key: &str) {
        self.devices
            .retain(|d| !(d.pool_id == pool_id && d.device_key == device_key));
    }

    /// Takes over `older`'s entries for users this list has no device for.
    pub fn adopt(&mut self, older: Self) {
        for record in older.devices {
            let known = self
                .devices
                .iter()
                .any(|d| d.pool_id == record.pool_id && d.username == record.username);
            if !known {
                self.devices.push(record);
            }
        }
    }

    /// Every entry.
    pub fn records(&self) -> &[DeviceRecord] {
        &self.devices
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.devices.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.devices.is_empty()
    }
}

/// A [`DeviceStore`] in memory, for tests and short-lived processes.
#[derive(Debug, Default)]
pub struct MemoryDeviceStore {
    devices: Mutex<DeviceRecords>,
}

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

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, DeviceRecords>, StoreError> {
        self.devices
            .lock()
            .map_err(|_| StoreError("device store lock poisoned".into()))
    }
}

#[async_trait::async_trait]
impl DeviceStore for MemoryDeviceStore {
    async fn load(
        &self,
        pool_id: &str,
        username: &str,
    ) -> Result<Option<RememberedDevice>, StoreError> {
        Ok(self.lock()?.find(pool_id, username))
    }

    async fn save(
        &self,
        pool_id: &str,
        username: &str,
        device: &RememberedDevice,
    ) -> Result<(), StoreError> {
        self.lock()?.put(pool_id, username, device);
        Ok(())
    }

    async fn forget(&self, pool_id: &str, device_key: &str) -> Result<(), StoreError> {
        self.lock()?.forget(pool_id, device_key);
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
    use super::*;

    #[tokio::test]
    async fn memory_store_saves_loads_and_forgets_by_key() {
        let store = MemoryDeviceStore::new();
        let device = RememberedDevice::new("us-east-1_dev", "grp", SecretString::from("pw"));
        store.save("pool", "alice", &device).await.unwrap();
        store
            .save("pool", "alice@example.com", &device)
            .await
            .unwrap();
        assert_eq!(
            store
                .load("pool", "alice")
                .await
                .unwrap()
                .unwrap()
                .device_key(),
            "us-east-1_dev"
        );
        assert!(store.load("other", "alice").await.unwrap().is_none());
        store.forget("pool", "us-east-1_dev").await.unwrap();
        assert!(store.is_empty());
    }

    #[test]
    fn records_keep_one_device_per_user_and_adopt_only_unknown_users() {
        let mut records = DeviceRecords::default();
        let first = RememberedDevice::new("us-east-1_a", "grp", SecretString::from("pw-a"));
        let second = RememberedDevice::new("us-east-1_b", "grp", SecretString::from("pw-b"));
        records.put("pool", "alice", &first);
        records.put("pool", "alice", &second);
        assert_eq!(records.len(), 1);
        let found = records.find("pool", "alice").unwrap();
        assert_eq!(found.device_key(), "us-east-1_b");
        assert_eq!(found.device_password().expose_secret(), "pw-b");

        let mut older = DeviceRecords::default();
        older.put("pool", "alice", &first);
        older.put("pool", "bob", &first);
        records.adopt(older);
        assert_eq!(records.len(), 2);
        assert_eq!(
            records.find("pool", "alice").unwrap().device_key(),
            "us-east-1_b"
        );
        assert_eq!(
            records.find("pool", "bob").unwrap().device_key(),
            "us-east-1_a"
        );
    }

    #[test]
    fn records_serialize_the_device_file_format_and_hide_the_password_in_debug() {
        let mut records = DeviceRecords::default();
        let device = RememberedDevice::new("us-east-1_k", "grp", SecretString::from("s3cret"));
        records.put("pool", "alice", &device);
        let json = serde_json::to_value(&records).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"devices": [{
                "pool_id": "pool",
                "username": "alice",
                "device_key": "us-east-1_k",
                "device_group_key": "grp",
                "device_password": "s3cret",
            }]})
        );
        let back: DeviceRecords = serde_json::from_value(json).unwrap();
        assert_eq!(
            back.find("pool", "alice")
                .unwrap()
                .device_password()
                .expose_secret(),
            "s3cret"
        );
        assert!(!format!("{records:?}").contains("s3cret"));
        let empty: DeviceRecords = serde_json::from_str("{}").unwrap();
        assert!(empty.is_empty());
    }
}
