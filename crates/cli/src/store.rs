//! Files the CLI keeps: cached tokens (user cache dir) and remembered devices (user
//! config dir), each written with mode 0600 in a 0700 directory.

use std::path::{Path, PathBuf};

use cognito_auth_flows::{DeviceStore, RememberedDevice, StoreError, Tokens};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::exit::CliError;

fn dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "cognito-auth")
}

/// The token cache directory.
pub fn token_dir() -> Option<PathBuf> {
    dirs().map(|d| d.cache_dir().join("tokens"))
}

/// The device store file.
pub fn device_file() -> Option<PathBuf> {
    dirs().map(|d| d.config_dir().join("devices.json"))
}

/// Writes `bytes` to `path` atomically, readable by the owner only: an exclusive
/// 0600 temporary file in the same directory, synced, then renamed over `path`.
/// Every directory created on the way is 0700, not only the innermost.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    create_private_dir(parent)?;
    let mut temp = tempfile::NamedTempFile::new_in(parent)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    if let Ok(dir) = std::fs::File::open(parent) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Creates `dir` and any missing parents with mode 0700, and makes `dir` itself
/// 0700 if it already existed.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Runs `work` holding an exclusive lock on `<path>.lock`, so that read-modify-
/// write cycles of `path` by several processes do not lose each other's changes.
fn with_file_lock<T>(
    path: &Path,
    work: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let lock_path = PathBuf::from(name);
    if let Some(parent) = lock_path.parent()
        && !parent.as_os_str().is_empty()
    {
        create_private_dir(parent).map_err(|e| StoreError(format!("{}: {e}", parent.display())))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| StoreError(format!("{}: {e}", lock_path.display())))?;
    let mut lock = fd_lock::RwLock::new(file);
    let _guard = lock
        .write()
        .map_err(|e| StoreError(format!("locking {}: {e}", lock_path.display())))?;
    work()
}

/// Tokens as cached, with what is needed to refresh and sign out later.
#[derive(Clone, Serialize, Deserialize)]
pub struct CachedTokens {
    /// User pool.
    pub pool_id: String,
    /// App client.
    pub client_id: String,
    /// The name typed at sign-in.
    pub username: String,
    /// The pool's internal username (SECRET_HASH on refresh).
    pub internal_username: Option<String>,
    /// The device the tokens were issued to.
    pub device_key: Option<String>,
    /// Endpoint used, if not the default.
    pub endpoint_url: Option<String>,
    /// Region used, if given.
    pub region: Option<String>,
    /// AccessToken.
    pub access_token: String,
    /// IdToken.
    pub id_token: Option<String>,
    /// RefreshToken.
    pub refresh_token: Option<String>,
    /// TokenType.
    pub token_type: Option<String>,
    /// ExpiresIn, seconds.
    pub expires_in: u64,
    /// Unix seconds when the access token expires.
    pub expires_at: u64,
}

impl std::fmt::Debug for CachedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedTokens")
            .field("pool_id", &self.pool_id)
            .field("client_id", &self.client_id)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

fn unix(time: std::time::SystemTime) -> u64 {
    time.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Now, Unix seconds.
pub fn now() -> u64 {
    unix(std::time::SystemTime::now())
}

/// Where the connection went.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    /// Pool.
    pub pool_id: String,
    /// Client.
    pub client_id: String,
    /// Typed username.
    pub username: String,
    /// Endpoint.
    pub endpoint_url: Option<String>,
    /// Region.
    pub region: Option<String>,
}

impl CachedTokens {
    /// From fresh tokens.
    pub fn new(origin: &Origin, tokens: &Tokens, previous: Option<&CachedTokens>) -> Self {
        let expose = |s: &SecretString| s.expose_secret().to_owned();
        Self {
            pool_id: origin.pool_id.clone(),
            client_id: origin.client_id.clone(),
            username: origin.username.clone(),
            internal_username: tokens
                .username()
                .map(str::to_owned)
                .or_else(|| previous.and_then(|p| p.internal_username.clone())),
            device_key: tokens
                .device_key()
                .map(str::to_owned)
                .or_else(|| previous.and_then(|p| p.device_key.clone())),
            endpoint_url: origin.endpoint_url.clone(),
            region: origin.region.clone(),
            access_token: expose(tokens.access_token()),
            id_token: tokens.id_token().map(expose),
            refresh_token: tokens
                .refresh_token()
                .map(expose)
                .or_else(|| previous.and_then(|p| p.refresh_token.clone())),
            token_type: tokens.token_type().map(str::to_owned),
            expires_in: tokens.expires_in().as_secs(),
            expires_at: unix(tokens.expires_at()),
        }
    }
}

fn file_name(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.@+".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The token cache.
#[derive(Debug)]
pub struct TokenCache {
    dir: PathBuf,
}

impl TokenCache {
    /// The user's token cache.
    pub fn open() -> Result<Self, CliError> {
        token_dir().map(|dir| Self { dir }).ok_or_else(|| {
            CliError::config("no home directory for the token cache (use --no-cache)")
        })
    }

    fn path(&self, pool: &str, client: &str, username: &str) -> PathBuf {
        self.dir
            .join(file_name(pool))
            .join(file_name(client))
            .join(format!("{}.json", file_name(username)))
    }

    /// Saves an entry.
    pub fn save(&self, entry: &CachedTokens) -> Result<PathBuf, CliError> {
        let path = self.path(&entry.pool_id, &entry.client_id, &entry.username);
        let json = serde_json::to_vec_pretty(entry).map_err(|e| CliError::other(e.to_string()))?;
        write_private(&path, &json)
            .map_err(|e| CliError::other(format!("writing {}: {e}", path.display())))?;
        Ok(path)
    }

    /// Removes an entry.
    pub fn remove(&self, entry: &CachedTokens) -> Result<(), CliError> {
        let path = self.path(&entry.pool_id, &entry.client_id, &entry.username);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(CliError::other(format!("removing {}: {e}", path.display()))),
        }
    }

    /// Every entry.
    pub fn all(&self) -> Vec<CachedTokens> {
        let mut found = Vec::new();
        let Ok(pools) = std::fs::read_dir(&self.dir) else {
            return found;
        };
        for pool in pools.flatten() {
            let Ok(clients) = std::fs::read_dir(pool.path()) else {
                continue;
            };
            for client in clients.flatten() {
                let Ok(files) = std::fs::read_dir(client.path()) else {
                    continue;
                };
                for file in files.flatten() {
                    if file.path().extension().is_some_and(|e| e == "json")
                        && let Ok(text) = std::fs::read(file.path())
                        && let Ok(entry) = serde_json::from_slice::<CachedTokens>(&text)
                    {
                        found.push(entry);
                    }
                }
            }
        }
        found.sort_by(|a, b| {
            (&a.pool_id, &a.client_id, &a.username).cmp(&(&b.pool_id, &b.client_id, &b.username))
        });
        found
    }

    /// The entry written last (the most recent sign-in or refresh), if any.
    pub fn most_recent(&self) -> Option<CachedTokens> {
        self.all()
            .into_iter()
            .filter_map(|entry| {
                let path = self.path(&entry.pool_id, &entry.client_id, &entry.username);
                let written = std::fs::metadata(path).and_then(|m| m.modified()).ok()?;
                Some((written, entry))
            })
            .max_by_key(|(written, _)| *written)
            .map(|(_, entry)| entry)
    }

    /// Entries matching what was given.
    pub fn matching(
        &self,
        pool: Option<&str>,
        client: Option<&str>,
        username: Option<&str>,
    ) -> Vec<CachedTokens> {
        self.all()
            .into_iter()
            .filter(|e| {
                pool.is_none_or(|p| p == e.pool_id)
                    && client.is_none_or(|c| c == e.client_id)
                    && username.is_none_or(|u| {
                        u == e.username || e.internal_username.as_deref() == Some(u)
                    })
            })
            .collect()
    }

    /// The one entry matching, or an error saying why not.
    pub fn find_one(
        &self,
        pool: Option<&str>,
        client: Option<&str>,
        username: Option<&str>,
    ) -> Result<CachedTokens, CliError> {
        let mut found = self.matching(pool, client, username);
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => Err(CliError::usage(
                "no cached tokens match (sign in first, or narrow with --pool-id/--client-id/--username)",
            )),
            n => Err(CliError::usage(format!(
                "{n} cached sign-ins match; narrow with --pool-id, --client-id or --username"
            ))),
        }
    }
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

/// Remembered devices in a JSON file (mode 0600): flows' [`DeviceStore`]. Every
/// read-modify-write holds an exclusive lock on `devices.json.lock`, so parallel
/// `--remember-device` runs (other processes) each keep their device.
#[derive(Debug)]
pub struct FileDeviceStore {
    path: PathBuf,
}

impl FileDeviceStore {
    /// The user's device file.
    pub fn open() -> Result<Self, CliError> {
        device_file().map(Self::at).ok_or_else(|| {
            CliError::config("no home directory for the device store (use --no-cache)")
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
    fn file_names_are_escaped() {
        assert_eq!(file_name("alice@example.com"), "alice@example.com");
        assert_eq!(file_name("../x y"), "..%2Fx%20y");
    }
}
