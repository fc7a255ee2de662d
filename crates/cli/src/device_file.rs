//! Remembered devices (their DevicePassword is a secret) in one JSON file in the
//! user's data directory, mode 0600 in 0700 directories. Every read-modify-write
//! holds an exclusive lock on `devices.json.lock`, so parallel `--remember-device`
//! runs (other processes) each keep their device. A file left in the config
//! directory by earlier versions (which people commit with their dotfiles) is
//! moved here the first time the store is opened.

use std::path::{Path, PathBuf};

use cognito_auth_flows::{DeviceStore, RememberedDevice, StoreError};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

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

#[derive(Clone, Serialize, Deserialize)]
struct DeviceEntry {
    pool_id: String,
    username: String,
    device_key: String,
    device_group_key: String,
    device_password: String,
}

#[derive(Default, Serialize, Deserialize)]
struct DeviceFile {
    #[serde(default)]
    devices: Vec<DeviceEntry>,
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

/// Remembered devices in a JSON file (mode 0600): flows' [`DeviceStore`].
#[derive(Debug)]
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
        with_file_lock(&self.path, || {
            let old = Self::at(legacy.to_owned()).read()?;
            let mut file = self.read()?;
            for device in old.devices {
                let known = file
                    .devices
                    .iter()
                    .any(|d| d.pool_id == device.pool_id && d.username == device.username);
                if !known {
                    file.devices.push(device);
                }
            }
            self.write(&file)?;
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

    fn read(&self) -> Result<DeviceFile, StoreError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| StoreError(format!("{}: {e}", self.path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(DeviceFile::default()),
            Err(e) => Err(StoreError(format!("{}: {e}", self.path.display()))),
        }
    }

    fn write(&self, file: &DeviceFile) -> Result<(), StoreError> {
        let json = serde_json::to_vec_pretty(file).map_err(|e| StoreError(e.to_string()))?;
        write_private(&self.path, &json)
            .map_err(|e| StoreError(format!("{}: {e}", self.path.display())))
    }

    /// Every device, without secrets.
    pub fn list(&self) -> Result<Vec<DeviceListing>, StoreError> {
        Ok(self
            .read()?
            .devices
            .into_iter()
            .map(|d| DeviceListing {
                pool_id: d.pool_id,
                username: d.username,
                device_key: d.device_key,
                device_group_key: d.device_group_key,
            })
            .collect())
    }
}

impl DeviceStore for FileDeviceStore {
    fn load(&self, pool_id: &str, username: &str) -> Result<Option<RememberedDevice>, StoreError> {
        Ok(with_file_lock(&self.path, || self.read())?
            .devices
            .into_iter()
            .find(|d| d.pool_id == pool_id && d.username == username)
            .map(|d| {
                RememberedDevice::new(
                    d.device_key,
                    d.device_group_key,
                    SecretString::from(d.device_password),
                )
            }))
    }

    fn save(
        &self,
        pool_id: &str,
        username: &str,
        device: &RememberedDevice,
    ) -> Result<(), StoreError> {
        with_file_lock(&self.path, || {
            let mut file = self.read()?;
            file.devices
                .retain(|d| !(d.pool_id == pool_id && d.username == username));
            file.devices.push(DeviceEntry {
                pool_id: pool_id.to_owned(),
                username: username.to_owned(),
                device_key: device.device_key().to_owned(),
                device_group_key: device.device_group_key().to_owned(),
                device_password: device.device_password().expose_secret().to_owned(),
            });
            self.write(&file)
        })
    }

    fn forget(&self, pool_id: &str, device_key: &str) -> Result<(), StoreError> {
        with_file_lock(&self.path, || {
            let mut file = self.read()?;
            file.devices
                .retain(|d| !(d.pool_id == pool_id && d.device_key == device_key));
            self.write(&file)
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn device_store_round_trips_privately_and_forgets_by_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileDeviceStore::at(dir.path().join("sub/devices.json"));
        assert!(store.load("pool", "alice").unwrap().is_none());
        let device = RememberedDevice::new("us-east-1_k", "grp", SecretString::from("pw"));
        store.save("pool", "alice", &device).unwrap();
        store.save("pool", "alice@example.com", &device).unwrap();
        let loaded = store.load("pool", "alice").unwrap().unwrap();
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
        store.forget("pool", "us-east-1_k").unwrap();
        assert!(store.list().unwrap().is_empty());
    }

    #[test]
    fn a_device_file_left_in_the_config_directory_is_moved_once() {
        let dir = tempfile::tempdir().unwrap();
        let legacy = dir.path().join("config/devices.json");
        let old = FileDeviceStore::at(legacy.clone());
        let device = RememberedDevice::new("us-east-1_old", "grp", SecretString::from("pw-old"));
        old.save("pool", "alice", &device).unwrap();
        let store = FileDeviceStore::at(dir.path().join("data/devices.json"));
        let newer = RememberedDevice::new("us-east-1_new", "grp", SecretString::from("pw-new"));
        store.save("pool", "bob", &newer).unwrap();

        store.adopt(&legacy).unwrap();
        assert!(!legacy.exists());
        let loaded = store.load("pool", "alice").unwrap().unwrap();
        assert_eq!(loaded.device_key(), "us-east-1_old");
        assert_eq!(loaded.device_password().expose_secret(), "pw-old");
        assert_eq!(
            store.load("pool", "bob").unwrap().unwrap().device_key(),
            "us-east-1_new"
        );
        // Once: nothing left to move, nothing changes.
        store.adopt(&legacy).unwrap();
        assert_eq!(store.list().unwrap().len(), 2);
    }
}
