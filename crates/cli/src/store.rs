//! Where the CLI keeps sign-ins: the OS keychain where one answers (Keychain,
//! Credential Manager, Secret Service), else owner-only files. Either way a small
//! JSON file per sign-in in the user's data directory (not the cache directory,
//! which cleaners empty) records where it went; with the keychain it holds no
//! token. Files are 0600 in 0700 directories, written atomically; the device
//! store is in `device_file`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cognito_auth_flows::{KeyringTokenStore, SessionKey, Tokens};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

pub use crate::device_file::FileDeviceStore;
use crate::exit::CliError;
pub(crate) use crate::private_files::{with_file_lock, write_private};

pub(crate) fn dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "cognito-auth")
}

/// The directory of cached sign-ins.
pub fn token_dir() -> Option<PathBuf> {
    dirs().map(|d| d.data_local_dir().join("tokens"))
}

/// Where versions before 0.2 cached tokens (the cache directory).
fn legacy_token_dir() -> Option<PathBuf> {
    dirs().map(|d| d.cache_dir().join("tokens"))
}

/// Where tokens are kept (`--store`, or the config file's `store`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// The OS keychain.
    Keyring,
    /// 0600 files in the data directory.
    File,
}

static CHOSEN: OnceLock<Option<StoreKind>> = OnceLock::new();

/// Records the explicit choice: `--store`, else the config file's `store` key
/// (a config that cannot be read is reported by the commands that need presets).
pub fn configure(global: &crate::args::Global) {
    let from_config = || {
        let (path, explicit) = match &global.config {
            Some(path) => (path.clone(), true),
            None => (crate::config::default_path()?, false),
        };
        crate::config::load(&path, explicit).ok()?.store
    };
    let _ = CHOSEN.set(global.store.or_else(from_config));
}

/// Where the tokens of a sign-in are.
#[derive(Clone, Debug)]
pub enum Backend {
    /// In the sign-in's own file.
    File,
    /// In the OS keychain.
    Keyring(KeyringTokenStore),
}

impl Backend {
    /// The chosen backend; without a choice, the keychain if it answers, else
    /// files, which is said once (a marker in `dir` remembers it was).
    fn chosen(dir: &Path) -> Self {
        match CHOSEN.get().copied().flatten() {
            Some(StoreKind::File) => Self::File,
            Some(StoreKind::Keyring) => Self::Keyring(KeyringTokenStore::new()),
            None => {
                let keyring = KeyringTokenStore::new();
                if keyring.is_available() {
                    return Self::Keyring(keyring);
                }
                let marker = dir.join(".file-store-noted");
                if !marker.exists() && write_private(&marker, b"").is_ok() {
                    crate::ui::note(&format!(
                        "note: no OS keychain answered; keeping tokens in owner-only files in {} \
                         (choose with --store keyring|file)",
                        dir.display()
                    ));
                }
                Self::File
            }
        }
    }
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
    /// AccessToken (empty in the file when the tokens are in the keychain).
    #[serde(default)]
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
    /// The tokens are in the OS keychain, not in this file.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_keychain: bool,
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
            in_keychain: false,
        }
    }
}

fn remove_empty_dirs(dir: &Path) {
    if let Ok(children) = std::fs::read_dir(dir) {
        for child in children.flatten() {
            if child.file_type().is_ok_and(|t| t.is_dir()) {
                remove_empty_dirs(&child.path());
            }
        }
    }
    let _ = std::fs::remove_dir(dir);
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

/// The cached sign-ins.
#[derive(Debug)]
pub struct TokenCache {
    dir: PathBuf,
    backend: Backend,
}

impl CachedTokens {
    /// The access token, as the calls that take it want it.
    pub fn access(&self) -> SecretString {
        SecretString::from(self.access_token.clone())
    }

    fn key(&self) -> SessionKey {
        SessionKey::new(&self.pool_id, &self.client_id, &self.username)
    }

    /// The tokens, as flows holds them.
    pub fn secrets(&self) -> Tokens {
        let secret = |text: &String| SecretString::from(text.as_str());
        Tokens::new(
            secret(&self.access_token),
            self.id_token.as_ref().map(secret),
            self.refresh_token.as_ref().map(secret),
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(self.expires_at),
        )
    }

    fn without_secrets(&self) -> Self {
        Self {
            access_token: String::new(),
            id_token: None,
            refresh_token: None,
            in_keychain: true,
            ..self.clone()
        }
    }

    fn with_secrets(mut self, tokens: &Tokens) -> Self {
        let expose = |s: &SecretString| s.expose_secret().to_owned();
        self.access_token = tokens.access_token().expose_secret().to_owned();
        self.id_token = tokens.id_token().map(expose);
        self.refresh_token = tokens.refresh_token().map(expose);
        self
    }
}

impl TokenCache {
    /// The user's cached sign-ins, in the chosen backend. Sign-ins cached by
    /// earlier versions in the cache directory are moved over first (once: the
    /// old files are deleted).
    pub fn open() -> Result<Self, CliError> {
        let dir = token_dir().ok_or_else(|| {
            CliError::config("no home directory for the token cache (use --no-cache)")
        })?;
        let cache = Self::at(dir.clone(), Backend::chosen(&dir));
        if let Some(legacy) = legacy_token_dir() {
            cache.adopt(&legacy)?;
        }
        Ok(cache)
    }

    /// Cached sign-ins in `dir`, their tokens in `backend`.
    pub fn at(dir: PathBuf, backend: Backend) -> Self {
        Self { dir, backend }
    }

    /// Moves every sign-in cached in `legacy` (the layout of earlier versions)
    /// into this cache and deletes the old files.
    pub fn adopt(&self, legacy: &Path) -> Result<(), CliError> {
        if !legacy.is_dir() {
            return Ok(());
        }
        let old = Self::at(legacy.to_owned(), Backend::File);
        let mut moved = 0;
        for entry in old.all() {
            let here = self.path(&entry.pool_id, &entry.client_id, &entry.username);
            if !here.exists() {
                self.save(&entry)?;
                moved += 1;
            }
            old.remove(&entry)?;
        }
        // Only empty directories go; anything unexpected stays where it was.
        remove_empty_dirs(legacy);
        if moved > 0 {
            crate::ui::note(&format!(
                "note: moved {moved} cached sign-in(s) from {} to {}",
                legacy.display(),
                self.dir.display()
            ));
        }
        Ok(())
    }

    fn path(&self, pool: &str, client: &str, username: &str) -> PathBuf {
        self.dir
            .join(file_name(pool))
            .join(file_name(client))
            .join(format!("{}.json", file_name(username)))
    }

    /// Saves an entry: its tokens in the backend, the rest in its file.
    pub fn save(&self, entry: &CachedTokens) -> Result<PathBuf, CliError> {
        let path = self.path(&entry.pool_id, &entry.client_id, &entry.username);
        let stored = match &self.backend {
            Backend::File => CachedTokens {
                in_keychain: false,
                ..entry.clone()
            },
            Backend::Keyring(keyring) => {
                keyring
                    .save_blocking(&entry.key(), &entry.secrets())
                    .map_err(|e| CliError::config(format!("{} (or use --store file)", e.0)))?;
                entry.without_secrets()
            }
        };
        let was_in_keychain = self.read_file(&path).is_some_and(|e| e.in_keychain);
        let json = zeroize::Zeroizing::new(
            serde_json::to_vec_pretty(&stored).map_err(|e| CliError::other(e.to_string()))?,
        );
        write_private(&path, &json)
            .map_err(|e| CliError::other(format!("writing {}: {e}", path.display())))?;
        if was_in_keychain && matches!(self.backend, Backend::File) {
            // Moved to a file (`--store file`): the keychain copy is stale.
            let _ = self.keychain().remove_blocking(&entry.key());
        }
        Ok(path)
    }

    /// The keychain, also for entries that say their tokens are there after a
    /// switch to `--store file`.
    fn keychain(&self) -> KeyringTokenStore {
        match &self.backend {
            Backend::Keyring(keyring) => keyring.clone(),
            Backend::File => KeyringTokenStore::new(),
        }
    }

    /// Removes an entry (and its tokens from the keychain).
    pub fn remove(&self, entry: &CachedTokens) -> Result<(), CliError> {
        let path = self.path(&entry.pool_id, &entry.client_id, &entry.username);
        let in_keychain = self.read_file(&path).is_some_and(|e| e.in_keychain);
        if in_keychain || matches!(self.backend, Backend::Keyring(_)) {
            self.keychain()
                .remove_blocking(&entry.key())
                .map_err(|e| CliError::config(e.0))?;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(CliError::other(format!("removing {}: {e}", path.display()))),
        }
    }

    fn read_file(&self, path: &Path) -> Option<CachedTokens> {
        let text = zeroize::Zeroizing::new(std::fs::read(path).ok()?);
        serde_json::from_slice(&text).ok()
    }

    /// An entry as read from its file, with its tokens fetched from the keychain
    /// if they are there (an entry whose keychain item is gone is skipped).
    fn complete(&self, entry: CachedTokens) -> Option<CachedTokens> {
        if !entry.in_keychain {
            return Some(entry);
        }
        let tokens = self.keychain().load_blocking(&entry.key()).ok()??;
        Some(entry.with_secrets(&tokens))
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
                        && let Some(entry) = self.read_file(&file.path())
                        && let Some(entry) = self.complete(entry)
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use serde_json::Value;

    use super::*;

    #[test]
    fn file_names_are_escaped() {
        assert_eq!(file_name("alice@example.com"), "alice@example.com");
        assert_eq!(file_name("../x y"), "..%2Fx%20y");
    }

    fn entry(username: &str) -> CachedTokens {
        CachedTokens {
            pool_id: "us-east-1_Pool".into(),
            client_id: "client".into(),
            username: username.into(),
            internal_username: Some(format!("{username}-sub")),
            device_key: Some("us-east-1_dev".into()),
            endpoint_url: Some("http://127.0.0.1:9229".into()),
            region: None,
            access_token: format!("access-of-{username}"),
            id_token: Some(format!("id-of-{username}")),
            refresh_token: Some(format!("refresh-of-{username}")),
            token_type: Some("Bearer".into()),
            expires_in: 3600,
            expires_at: 2_000_000_000,
            in_keychain: false,
        }
    }

    #[test]
    fn the_keyring_backend_keeps_no_token_in_the_file() {
        keyring::set_default_credential_builder(keyring::mock::default_credential_builder());
        let dir = tempfile::tempdir().unwrap();
        let keychain = KeyringTokenStore::with_service("cognito-auth-cli-test");
        let cache = TokenCache::at(dir.path().to_owned(), Backend::Keyring(keychain.clone()));
        let path = cache.save(&entry("alice")).unwrap();

        let text = std::fs::read_to_string(&path).unwrap();
        for secret in ["access-of-alice", "id-of-alice", "refresh-of-alice"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let on_disk: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(on_disk["in_keychain"], true);
        assert_eq!(on_disk["internal_username"], "alice-sub");

        let kept = keychain
            .load_blocking(&SessionKey::new("us-east-1_Pool", "client", "alice"))
            .unwrap()
            .unwrap();
        assert_eq!(
            kept.refresh_token().unwrap().expose_secret(),
            "refresh-of-alice"
        );

        let found = cache.find_one(None, None, Some("alice")).unwrap();
        assert_eq!(found.access_token, "access-of-alice");
        assert_eq!(found.id_token.as_deref(), Some("id-of-alice"));
        assert_eq!(found.refresh_token.as_deref(), Some("refresh-of-alice"));
        assert_eq!(found.device_key.as_deref(), Some("us-east-1_dev"));

        cache.remove(&found).unwrap();
        assert!(!path.exists());
        assert!(
            keychain
                .load_blocking(&SessionKey::new("us-east-1_Pool", "client", "alice"))
                .unwrap()
                .is_none()
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_file_backend_writes_0600_files_in_0700_directories() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let cache = TokenCache::at(root.path().join("share/cognito-auth/tokens"), Backend::File);
        let path = cache.save(&entry("bob")).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        let mut dir = path.parent().unwrap();
        while dir != root.path() {
            assert_eq!(mode(dir), 0o700, "{}", dir.display());
            dir = dir.parent().unwrap();
        }
        let found = cache.find_one(None, None, Some("bob")).unwrap();
        assert_eq!(found.refresh_token.as_deref(), Some("refresh-of-bob"));
        assert!(!found.in_keychain);
    }

    #[test]
    fn sign_ins_cached_by_earlier_versions_are_moved_once() {
        let root = tempfile::tempdir().unwrap();
        let legacy = root.path().join("cache/tokens");
        // The exact file today's CLI writes (no `in_keychain`).
        let old = legacy.join("us-east-1_Pool/client/carol.json");
        std::fs::create_dir_all(old.parent().unwrap()).unwrap();
        let mut written = serde_json::to_value(entry("carol")).unwrap();
        written.as_object_mut().unwrap().remove("in_keychain");
        std::fs::write(&old, serde_json::to_vec_pretty(&written).unwrap()).unwrap();

        let cache = TokenCache::at(root.path().join("data/tokens"), Backend::File);
        cache.adopt(&legacy).unwrap();
        assert!(!old.exists());
        assert!(!legacy.exists(), "the emptied old tree is removed");
        let found = cache.find_one(None, None, Some("carol")).unwrap();
        assert_eq!(found.access_token, "access-of-carol");
        assert_eq!(found.endpoint_url.as_deref(), Some("http://127.0.0.1:9229"));

        // Once: a second look changes nothing, and a newer entry is not overwritten.
        let mut newer = entry("carol");
        newer.access_token = "newer".into();
        cache.save(&newer).unwrap();
        cache.adopt(&legacy).unwrap();
        assert_eq!(
            cache
                .find_one(None, None, Some("carol"))
                .unwrap()
                .access_token,
            "newer"
        );
    }
}
