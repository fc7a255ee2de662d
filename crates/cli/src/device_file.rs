//! Remembered devices (their DevicePassword is a secret) in one JSON file in the
//! user's data directory, mode 0600 in 0700 directories. Every read-modify-write
//! holds an exclusive lock on `devices.json.lock`, so parallel `--remember-device`
//! runs (other processes) each keep their device. A file left in the config
//! directory by earlier versions (which people commit with their dotfiles) is
//! moved here the first time the store is opened.

use std::path::{Path, PathBuf};

use cognito_auth_flows::{DeviceRecords, DeviceStore, RememberedDevice, StoreError, async_trait};
use serde::Serialize;

use crate::exit::CliError;
use crate::store::{dirs, with_file_lock, write_private};

/// The device store file.
pub fn device_file() -> Option<PathBuf> {
    dirs().map(|d| d.data_local_dir().join("devices.json"))
}

/// Where versions before 0.2 kept it.
fn legacy_device_file() -> Option<PathBuf> {
    dirs().map(|d| d.config_dir().join("devices.json"))
}

/// A remembered device as listed (no secret).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceListing {
    /// Pool.
    pub pool_id: String,
    /// Username it was saved under.
    pub username: String,
    /// DeviceKey.
    pub device_key: String,
    /// DeviceGroupKey.
    pub device_group_key: String,
}

/// Remembered devices in a JSON file (mode 0600): flows' [`DeviceStore`], over
/// flows' [`DeviceRecords`] (which keeps the rules of what replaces what).
#[derive(Clone, Debug)]
pub struct FileDeviceStore {
    path: PathBuf,
}

impl FileDeviceStore {
    /// The user's device file.
    pub fn open() -> Result<Self, CliError> {
        let path = device_file().ok_or_else(|| {
            CliError::config("no home directory for the device store (use --no-cache)")
        })?;
        let store = Self::at(path);
        if let Some(legacy) = legacy_device_file() {
            store
                .adopt(&legacy)
                .map_err(|e| CliError::config(format!("moving the device store: {}", e.0)))?;
        }
        Ok(store)
    }

    /// Moves the devices of an older file at `legacy` into this store (keeping
    /// this store's entry where both know a user) and deletes it.
    pub fn adopt(&self, legacy: &Path) -> Result<(), StoreError> {
        if !legacy.exists() {
            return Ok(());
        }
        self.update(|records| {
            records.adopt(Self::at(legacy.to_owned()).read()?);
            match std::fs::remove_file(legacy) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(StoreError(format!("{}: {e}", legacy.display()))),
            }
        })
    }

    /// A store in `path`.
    pub fn at(path: PathBuf) -> Self {
        Self { path }
    }

    fn read(&self) -> Result<DeviceRecords, StoreError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| StoreError(format!("{}: {e}", self.path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(DeviceRecords::default()),
            Err(e) => Err(StoreError(format!("{}: {e}", self.path.display()))),
        }
    }

    /// Reads, changes and writes the file under its lock.
    fn update(
        &self,
        change: impl FnOnce(&mut DeviceRecords) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        with_file_lock(&self.path, || {
            let mut records = self.read()?;
            change(&mut records)?;
            let json =
                serde_json::to_vec_pretty(&records).map_err(|e| StoreError(e.to_string()))?;
            write_private(&self.path, &json)
                .map_err(|e| StoreError(format!("{}: {e}", self.path.display())))
        })
    }

    /// Every device, without secrets.
    pub fn list(&self) -> Result<Vec<DeviceListing>, StoreError> {
        Ok(self
            .read()?
            .records()
            .iter()
            .map(|d| DeviceListing {
                pool_id: d.pool_id().to_owned(),
                username: d.username().to_owned(),
                device_key: d.device_key().to_owned(),
                device_group_key: d.device_group_key().to_owned(),
            })
            .collect())
    }

    /// The file work of one call, off the async runtime's threads.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(Self) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || work(store))
            .await
            .map_err(|e| StoreError(format!("device store: {e}")))?
    }
}

#[async_trait]
impl DeviceStore for FileDeviceStore {
    async fn load(
        &self,
        pool_id: &str,
        username: &str,
    ) -> Result<Option<RememberedDevice>, StoreError> {
        let (pool_id, username) = (pool_id.to_owned(), username.to_owned());
        self.blocking(move |store| {
            let records = with_file_lock(&store.path, || store.read())?;
            Ok(records.find(&pool_id, &username))
        })
        .await
    }

    async fn save(
        &self,
        pool_id: &str,
        username: &str,
        device: &RememberedDevice,
    ) -> Result<(), StoreError> {
        let (pool_id, username, device) = (pool_id.to_owned(), username.to_owned(), device.clone());
        self.blocking(move |store| {
            store.update(|records| {
                records.put(&pool_id, &username, &device);
                Ok(())
            })
        })
        .await
    }

    async fn forget(&self, pool_id: &str, device_key: &str) -> Result<(), StoreError> {
        let (pool_id, device_key) = (pool_id.to_owned(), device_key.to_owned());
        self.blocking(move |store| {
            store.update(|records| {
                records.forget(&pool_id, &device_key);
                Ok(())
            })
        })
        .await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use secrecy::{ExposeSecret, SecretString};

    use super::*;

    #[tokio::test]
    async fn device_store_round_trips_privately_and_forgets_by_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileDeviceStore::at(dir.path().join("sub/devices.json"));
        assert!(store.load("pool", "alice").await.unwrap().is_none());
        let device = RememberedDevice::new("us-east-1_k", "grp", SecretString::from("pw"));
        store.save("pool", "alice", &device).await.unwrap();
        store
            .save("pool", "alice@example.com", &device)
            .await
            .unwrap();
        let loaded = store.load("pool", "alice").await.unwrap().unwrap();
        assert_eq!(loaded.device_key(), "us-east-1_k");
        assert_eq!(loaded.device_password().expose_secret(), "pw");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("sub/devices.json"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(store.list().unwrap().len(), 2);
        store.forget("pool", "us-east-1_k").await.unwrap();
        assert!(store.list().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_device_file_left_in_the_config_directory_is_moved_once() {
        let dir = tempfile::tempdir().unwrap();
        let legacy = dir.path().join("config/devices.json");
        let old = FileDeviceStore::at(legacy.clone());
        let device = RememberedDevice::new("us-east-1_old", "grp", SecretString::from("pw-old"));
        old.save("pool", "alice", &device).await.unwrap();
        let store = FileDeviceStore::at(dir.path().join("data/devices.json"));
        let newer = RememberedDevice::new("us-east-1_new", "grp", SecretString::from("pw-new"));
        store.save("pool", "bob", &newer).await.unwrap();

        store.adopt(&legacy).unwrap();
        assert!(!legacy.exists());
        let loaded = store.load("pool", "alice").await.unwrap().unwrap();
        assert_eq!(loaded.device_key(), "us-east-1_old");
        assert_eq!(loaded.device_password().expose_secret(), "pw-old");
        assert_eq!(
            store
                .load("pool", "bob")
                .await
                .unwrap()
                .unwrap()
                .device_key(),
            "us-east-1_new"
        );
        // Once: nothing left to move, nothing changes.
        store.adopt(&legacy).unwrap();
        assert_eq!(store.list().unwrap().len(), 2);
    }
}
