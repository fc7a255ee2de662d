//! Tokens in files: one 0600 file per session in a tree of 0700 directories,
//! written atomically under a cross-process lock.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::Tokens;
use crate::devices::StoreError;
use crate::session::SessionKey;

/// A [`TokenStore`](crate::TokenStore) in a directory of its own.
///
/// Each session is one JSON file named after a hash of its key, created 0600 in
/// directories created 0700 (every level this store creates, not only the last).
/// A write goes to an exclusive temporary file in the same directory, is synced,
/// and is renamed over the old file, all under an exclusive lock on
/// `<dir>/.lock`, so concurrent processes never see half a file or lose a write.
/// The I/O is blocking and small (a few kilobytes).
#[derive(Debug, Clone)]
pub struct FileTokenStore {
    dir: PathBuf,
}

impl FileTokenStore {
    /// A store in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &SessionKey) -> PathBuf {
        let mut hash = Sha256::new();
        for part in [&key.pool_id, &key.client_id, &key.username] {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part.as_bytes());
        }
        let digest = hash.finalize();
        let name: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{name}.json"))
    }

    fn create_dir(&self) -> Result<(), StoreError> {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&self.dir)
            .map_err(|e| io_error("creating", &self.dir, &e))
    }

    fn with_lock<T>(&self, work: impl FnOnce() -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.create_dir()?;
        let lock_path = self.dir.join(".lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| io_error("opening", &lock_path, &e))?;
        let mut lock = fd_lock::RwLock::new(file);
        let _guard = lock
            .write()
            .map_err(|e| io_error("locking", &lock_path, &e))?;
        work()
    }

    fn read(&self, key: &SessionKey) -> Result<Option<Tokens>, StoreError> {
        let path = self.path(key);
        let text = match fs::read(&path) {
            Ok(text) => zeroize::Zeroizing::new(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error("reading", &path, &e)),
        };
        serde_json::from_slice(&text)
            .map(Some)
            .map_err(|e| StoreError(format!("{} is not a stored session: {e}", path.display())))
    }

    fn write(&self, key: &SessionKey, tokens: &Tokens) -> Result<(), StoreError> {
        let path = self.path(key);
        let json = zeroize::Zeroizing::new(
            serde_json::to_vec(tokens).map_err(|e| StoreError(e.to_string()))?,
        );
        // tempfile creates the file exclusively (O_EXCL) and 0600.
        let mut temp = tempfile::NamedTempFile::new_in(&self.dir)
            .map_err(|e| io_error("creating a file in", &self.dir, &e))?;
        temp.write_all(&json)
            .and_then(|()| temp.as_file().sync_all())
            .map_err(|e| io_error("writing", temp.path(), &e))?;
        temp.persist(&path)
            .map_err(|e| io_error("renaming into", &path, &e.error))?;
        sync_dir(&self.dir);
        Ok(())
    }
}

/// Makes the rename durable; a failure only weakens durability, not correctness.
fn sync_dir(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

fn io_error(doing: &str, path: &Path, error: &std::io::Error) -> StoreError {
    StoreError(format!("{doing} {}: {error}", path.display()))
}

impl FileTokenStore {
    /// [`TokenStore::load`](crate::TokenStore::load) for callers without an async runtime.
    pub fn load_blocking(&self, key: &SessionKey) -> Result<Option<Tokens>, StoreError> {
        self.with_lock(|| self.read(key))
    }

    /// [`TokenStore::save`](crate::TokenStore::save) for callers without an async runtime.
    pub fn save_blocking(&self, key: &SessionKey, tokens: &Tokens) -> Result<(), StoreError> {
        self.with_lock(|| self.write(key, tokens))
    }

    /// [`TokenStore::remove`](crate::TokenStore::remove) for callers without an async runtime.
    pub fn remove_blocking(&self, key: &SessionKey) -> Result<(), StoreError> {
        self.with_lock(|| {
            let path = self.path(key);
            match fs::remove_file(&path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(io_error("removing", &path, &e)),
            }
        })
    }
}

// The file operations are small and local, so they run in place; only a
// concurrent writer in another process can make one wait (for its rename).
crate::session::token_store_from_blocking!(FileTokenStore);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::future::Future;
    use std::time::{Duration, SystemTime};

    use secrecy::{ExposeSecret, SecretString};

    use super::*;
    use crate::session::TokenStore;

    fn tokens(access: &str) -> Tokens {
        Tokens::new(
            SecretString::from(access),
            None,
            Some(SecretString::from("refresh-1")),
            SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000),
        )
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn saves_loads_and_removes() {
        let root = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(root.path().join("a/b/sessions"));
        let key = SessionKey::new("eu-west-1_Pool", "client", "alice");
        block_on(async {
            assert!(store.load(&key).await.unwrap().is_none());
            store.save(&key, &tokens("access-1")).await.unwrap();
            let loaded = store.load(&key).await.unwrap().unwrap();
            assert_eq!(loaded.access_token().expose_secret(), "access-1");
            assert_eq!(loaded.refresh_token().unwrap().expose_secret(), "refresh-1");
            let other = SessionKey::new("eu-west-1_Pool", "client", "bob");
            assert!(store.load(&other).await.unwrap().is_none());
            store.remove(&key).await.unwrap();
            assert!(store.load(&key).await.unwrap().is_none());
            store.remove(&key).await.unwrap();
        });
    }

    #[cfg(unix)]
    #[test]
    fn files_are_0600_and_every_created_directory_0700() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(root.path().join("a/b/sessions"));
        let key = SessionKey::new("eu-west-1_Pool", "client", "alice");
        block_on(store.save(&key, &tokens("access-1"))).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&store.path(&key)), 0o600);
        for dir in ["a", "a/b", "a/b/sessions"] {
            assert_eq!(mode(&root.path().join(dir)), 0o700, "{dir}");
        }
    }

    #[test]
    fn a_corrupt_file_is_an_error_not_a_panic() {
        let root = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(root.path());
        let key = SessionKey::new("eu-west-1_Pool", "client", "alice");
        fs::write(store.path(&key), b"{not json").unwrap();
        let error = block_on(store.load(&key)).unwrap_err();
        assert!(error.0.contains("is not a stored session"), "{error}");
    }

    #[test]
    fn concurrent_writers_never_leave_half_a_file() {
        let root = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(root.path());
        let key = SessionKey::new("eu-west-1_Pool", "client", "alice");
        std::thread::scope(|scope| {
            for writer in 0..8 {
                let (store, key) = (store.clone(), key.clone());
                scope.spawn(move || {
                    for round in 0..20 {
                        let access = format!("access-{writer}-{round}-{}", "x".repeat(4096));
                        block_on(store.save(&key, &tokens(&access))).unwrap();
                        let loaded = block_on(store.load(&key)).unwrap().unwrap();
                        assert!(loaded.access_token().expose_secret().starts_with("access-"));
                    }
                });
            }
        });
        let files: Vec<_> = fs::read_dir(root.path()).unwrap().collect();
        // The session file and the lock file: no temporary file left behind.
        assert_eq!(files.len(), 2, "{files:?}");
    }
}
