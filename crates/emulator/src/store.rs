//! Durable state in SQLite: pools, their signing keys, app clients, users,
//! devices and refresh tokens.
//!
//! Every write is its own transaction and the database runs in WAL mode with
//! `synchronous=FULL`, so a write that returned is on disk before the HTTP answer
//! leaves: a kill -9 after an acknowledged request loses nothing. Records are JSON
//! columns (see `model`); the columns beside them exist only to look records up.
//!
//! The file holds the pools' RSA private keys and the client secrets: it and its
//! -wal/-shm/-journal files are made readable by their owner only (0600), or the
//! store refuses to open.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::model::{AppClient, Device, Pool, RefreshRecord, User};

mod directory;

/// Storage failures. None of them is the client's fault.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite said no.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored record does not decode (a file from an incompatible version).
    #[error("stored record does not decode: {0}")]
    Corrupt(#[from] serde_json::Error),
    /// A unique key is taken (pool+username, device key).
    #[error("record already exists")]
    Exists,
    /// The database file (or its -wal/-shm/-journal file) could be read by
    /// others and its mode could not be narrowed to 0600.
    #[error(
        "{path} holds signing keys and client secrets but has mode {mode:o} and cannot be made 0600 ({source}); chmod 600 it or use another --data file"
    )]
    Exposed {
        /// The file.
        path: String,
        /// Its permission bits.
        mode: u32,
        /// Why chmod failed.
        source: std::io::Error,
    },
    /// The database file could not be created or inspected.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// The database.
#[derive(Debug)]
pub struct Store {
    connection: Mutex<Connection>,
    /// No file behind it: a commit never waits on a disk.
    in_memory: bool,
}

/// A key pair for signing one kind of token.
#[derive(Clone)]
pub struct StoredKey {
    /// Key id, as in the JWT header and the JWKS.
    pub kid: String,
    /// PKCS#8 DER of the private key.
    pub pkcs8: Vec<u8>,
}

impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS pools (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pool_keys (
    pool_id TEXT NOT NULL, purpose TEXT NOT NULL, kid TEXT NOT NULL, pkcs8 BLOB NOT NULL,
    PRIMARY KEY (pool_id, purpose));
CREATE TABLE IF NOT EXISTS clients (id TEXT PRIMARY KEY, pool_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    pool_id TEXT NOT NULL, username TEXT NOT NULL, sub TEXT NOT NULL, email TEXT,
    data TEXT NOT NULL, PRIMARY KEY (pool_id, username));
CREATE INDEX IF NOT EXISTS users_by_email ON users (pool_id, email);
CREATE INDEX IF NOT EXISTS users_by_sub ON users (pool_id, sub);
CREATE TABLE IF NOT EXISTS devices (
    device_key TEXT PRIMARY KEY, pool_id TEXT NOT NULL, username TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS devices_by_user ON devices (pool_id, username);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token_hash TEXT PRIMARY KEY, pool_id TEXT NOT NULL, client_id TEXT NOT NULL,
    username TEXT NOT NULL, device_key TEXT, origin_jti TEXT NOT NULL, auth_time INTEGER NOT NULL,
    expires INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS refresh_by_origin ON refresh_tokens (origin_jti);
CREATE INDEX IF NOT EXISTS refresh_by_user ON refresh_tokens (pool_id, username);
";

type StoreResult<T> = Result<T, StoreError>;

fn decode<T: DeserializeOwned>(text: Option<String>) -> StoreResult<Option<T>> {
    text.map(|t| serde_json::from_str(&t))
        .transpose()
        .map_err(StoreError::from)
}

fn encode<T: Serialize>(value: &T) -> StoreResult<String> {
    Ok(serde_json::to_string(value)?)
}

fn unique_violation(error: rusqlite::Error) -> StoreError {
    match error {
        rusqlite::Error::SqliteFailure(e, _)
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StoreError::Exists
        }
        other => StoreError::Sqlite(other),
    }
}

/// The database and its companion files, which hold the same secrets.
fn database_files(path: &Path) -> Vec<std::path::PathBuf> {
    let mut files = vec![path.to_path_buf()];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        files.push(name.into());
    }
    files
}

/// Makes the database readable by its owner only: creates it 0600 when missing,
/// narrows the mode of it and its companion files when wider, and refuses
/// (with the reason) when that fails.
#[cfg(unix)]
fn owner_only(path: &Path) -> StoreResult<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let shown = || path.display().to_string();
    // Created here, before SQLite sees it, so it is never readable by others.
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    match created {
        Ok(_) => {}
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(source) => {
            return Err(StoreError::File {
                path: shown(),
                source,
            });
        }
    }
    for file in database_files(path) {
        let Ok(metadata) = std::fs::metadata(&file) else {
            continue;
        };
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 == 0 {
            continue;
        }
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode & 0o700)).map_err(
            |source| StoreError::Exposed {
                path: file.display().to_string(),
                mode,
                source,
            },
        )?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn owner_only(_path: &Path) -> StoreResult<()> {
    Ok(())
}

impl Store {
    /// Opens (creating if needed) the database at `path`, or an in-memory one.
    pub fn open(path: Option<&Path>) -> StoreResult<Self> {
        let connection = match path {
            Some(path) => {
                // Before SQLite opens it: SQLite gives the -wal and -shm files it
                // makes the database's mode, and narrowing covers any an older
                // run left wider.
                owner_only(path)?;
                let connection = Connection::open(path)?;
                // WAL + FULL: a commit is fsynced before it returns.
                connection.pragma_update(None, "journal_mode", "WAL")?;
                connection.pragma_update(None, "synchronous", "FULL")?;
                connection
            }
            None => Connection::open_in_memory()?,
        };
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        // Every statement is prepared once and kept (`prepare_cached`): parsing and
        // planning SQL on every call was most of the store's CPU per sign-in.
        connection.set_prepared_statement_cache_capacity(64);
        connection.execute_batch(SCHEMA)?;
        connection.execute_batch(directory::SCHEMA)?;
        Ok(Self {
            connection: Mutex::new(connection),
            in_memory: path.is_none(),
        })
    }

    /// Whether the store lives in memory only (no commit waits on a disk).
    pub fn is_in_memory(&self) -> bool {
        self.in_memory
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        crate::lock(&self.connection)
    }

    /// Inserts or replaces a pool.
    pub fn put_pool(&self, pool: &Pool) -> StoreResult<()> {
        self.db()
            .prepare_cached("INSERT OR REPLACE INTO pools (id, data) VALUES (?1, ?2)")?
            .execute(params![pool.id.as_str(), encode(pool)?])?;
        Ok(())
    }

    /// A pool by id.
    pub fn pool(&self, id: &str) -> StoreResult<Option<Pool>> {
        let text = self
            .db()
            .prepare_cached("SELECT data FROM pools WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        decode(text)
    }

    /// Every pool id.
    pub fn pool_ids(&self) -> StoreResult<Vec<String>> {
        let db = self.db();
        let mut statement = db.prepare_cached("SELECT id FROM pools ORDER BY id")?;
        let ids = statement
            .query_map([], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(ids)
    }

    /// Stores a pool's signing key for `purpose` (`id` or `access`).
    pub fn put_key(&self, pool_id: &str, purpose: &str, key: &StoredKey) -> StoreResult<()> {
        self.db().prepare_cached("INSERT OR REPLACE INTO pool_keys (pool_id, purpose, kid, pkcs8) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![pool_id, purpose, key.kid, key.pkcs8],
        )?;
        Ok(())
    }

    /// A pool's signing key for `purpose`.
    pub fn key(&self, pool_id: &str, purpose: &str) -> StoreResult<Option<StoredKey>> {
        Ok(self
            .db()
            .prepare_cached("SELECT kid, pkcs8 FROM pool_keys WHERE pool_id = ?1 AND purpose = ?2")?
            .query_row(params![pool_id, purpose], |r| {
                Ok(StoredKey {
                    kid: r.get(0)?,
                    pkcs8: r.get(1)?,
                })
            })
            .optional()?)
    }

    /// Inserts or replaces an app client.
    pub fn put_client(&self, client: &AppClient) -> StoreResult<()> {
        self.db()
            .prepare_cached(
                "INSERT OR REPLACE INTO clients (id, pool_id, data) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![client.client_id, client.pool_id, encode(client)?])?;
        Ok(())
    }

    /// An app client by id.
    pub fn client(&self, id: &str) -> StoreResult<Option<AppClient>> {
        let text = self
            .db()
            .prepare_cached("SELECT data FROM clients WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        decode(text)
    }

    /// Inserts a new user; [`StoreError::Exists`] when the username is taken.
    pub fn insert_user(&self, pool_id: &str, user: &User) -> StoreResult<()> {
        self.db()
            .prepare_cached("INSERT INTO users (pool_id, username, sub, email, data) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![pool_id, user.username, user.sub, user.email(), encode(user)?],
            )
            .map_err(unique_violation)?;
        Ok(())
    }

    /// Rewrites an existing user.
    pub fn update_user(&self, pool_id: &str, user: &User) -> StoreResult<()> {
        self.db().prepare_cached("UPDATE users SET sub = ?3, email = ?4, data = ?5 WHERE pool_id = ?1 AND username = ?2")?
            .execute(params![
                pool_id,
                user.username,
                user.sub,
                user.email(),
                encode(user)?
            ],
        )?;
        Ok(())
    }

    /// A user by internal username.
    pub fn user(&self, pool_id: &str, username: &str) -> StoreResult<Option<User>> {
        self.user_where("username", pool_id, username)
    }

    /// A user by email (the first, if several share it).
    pub fn user_by_email(&self, pool_id: &str, email: &str) -> StoreResult<Option<User>> {
        self.user_where("email", pool_id, email)
    }

    /// A user by sub.
    pub fn user_by_sub(&self, pool_id: &str, sub: &str) -> StoreResult<Option<User>> {
        self.user_where("sub", pool_id, sub)
    }

    fn user_where(&self, column: &str, pool_id: &str, value: &str) -> StoreResult<Option<User>> {
        // `column` is one of three literals above, never input.
        let sql = format!(
            "SELECT data FROM users WHERE pool_id = ?1 AND {column} = ?2 ORDER BY rowid LIMIT 1"
        );
        let text = self
            .db()
            .prepare_cached(&sql)?
            .query_row(params![pool_id, value], |r| r.get(0))
            .optional()?;
        decode(text)
    }

    /// How many users a pool has.
    pub fn user_count(&self, pool_id: &str) -> StoreResult<i64> {
        Ok(self
            .db()
            .prepare_cached("SELECT COUNT(*) FROM users WHERE pool_id = ?1")?
            .query_row([pool_id], |r| r.get(0))?)
    }

    /// Deletes a user with their devices and refresh tokens.
    pub fn delete_user(&self, pool_id: &str, username: &str) -> StoreResult<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        tx.prepare_cached("DELETE FROM users WHERE pool_id = ?1 AND username = ?2")?
            .execute(params![pool_id, username])?;
        tx.prepare_cached("DELETE FROM devices WHERE pool_id = ?1 AND username = ?2")?
            .execute(params![pool_id, username])?;
        Self::remove_memberships(&tx, pool_id, username)?;
        tx.prepare_cached(
            "UPDATE refresh_tokens SET revoked = 1 WHERE pool_id = ?1 AND username = ?2",
        )?
        .execute(params![pool_id, username])?;
        tx.commit()?;
        Ok(())
    }

    /// Inserts or replaces a device.
    pub fn put_device(&self, device: &Device) -> StoreResult<()> {
        self.db().prepare_cached("INSERT OR REPLACE INTO devices (device_key, pool_id, username, data) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![device.device_key, device.pool_id, device.username, encode(device)?],
        )?;
        Ok(())
    }

    /// A device by key.
    pub fn device(&self, device_key: &str) -> StoreResult<Option<Device>> {
        let text = self
            .db()
            .prepare_cached("SELECT data FROM devices WHERE device_key = ?1")?
            .query_row([device_key], |r| r.get(0))
            .optional()?;
        decode(text)
    }

    /// A user's devices, oldest first.
    pub fn devices(&self, pool_id: &str, username: &str) -> StoreResult<Vec<Device>> {
        let db = self.db();
        let mut statement = db.prepare_cached(
            "SELECT data FROM devices WHERE pool_id = ?1 AND username = ?2 ORDER BY rowid",
        )?;
        let texts = statement
            .query_map(params![pool_id, username], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        texts
            .into_iter()
            .map(|t| serde_json::from_str(&t).map_err(StoreError::from))
            .collect()
    }

    /// Deletes a device.
    pub fn delete_device(&self, device_key: &str) -> StoreResult<()> {
        self.db()
            .prepare_cached("DELETE FROM devices WHERE device_key = ?1")?
            .execute([device_key])?;
        Ok(())
    }

    /// Records a refresh token under its hash.
    pub fn insert_refresh(&self, token_hash: &str, record: &RefreshRecord) -> StoreResult<()> {
        insert_refresh_in(&self.db(), token_hash, record)
    }

    /// A refresh token's record by hash.
    pub fn refresh(&self, token_hash: &str) -> StoreResult<Option<RefreshRecord>> {
        Ok(self
            .db()
            .prepare_cached("SELECT pool_id, client_id, username, device_key, origin_jti, auth_time, expires, revoked
                 FROM refresh_tokens WHERE token_hash = ?1")?
            .query_row([token_hash],
                |r| {
                    Ok(RefreshRecord {
                        pool_id: r.get(0)?,
                        client_id: r.get(1)?,
                        username: r.get(2)?,
                        device_key: r.get(3)?,
                        origin_jti: r.get(4)?,
                        auth_time: r.get(5)?,
                        expires: r.get(6)?,
                        revoked: r.get(7)?,
                    })
                },
            )
            .optional()?)
    }

    /// Rotation, in one transaction: spends the live token `old_hash` and records
    /// its successor. `false` (nothing written) when `old_hash` was already
    /// spent, revoked or expired at `now`: of parallel rotations of one token
    /// exactly one wins, and a revocation that lands first leaves no successor,
    /// one that lands after revokes the successor with its sign-in.
    pub fn rotate_refresh(
        &self,
        old_hash: &str,
        new_hash: &str,
        record: &RefreshRecord,
        now: i64,
    ) -> StoreResult<bool> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let spent = tx.prepare_cached("UPDATE refresh_tokens SET revoked = 1 WHERE token_hash = ?1 AND revoked = 0 AND expires > ?2")?
            .execute(params![old_hash, now],
        )?;
        if spent != 1 {
            return Ok(false);
        }
        insert_refresh_in(&tx, new_hash, record)?;
        tx.commit()?;
        Ok(true)
    }

    /// Revokes every refresh token of a sign-in (and so its access tokens).
    pub fn revoke_origin(&self, origin_jti: &str) -> StoreResult<()> {
        self.db()
            .prepare_cached("UPDATE refresh_tokens SET revoked = 1 WHERE origin_jti = ?1")?
            .execute([origin_jti])?;
        Ok(())
    }

    /// Revokes every refresh token of a user (GlobalSignOut).
    pub fn revoke_user(&self, pool_id: &str, username: &str) -> StoreResult<()> {
        self.db()
            .prepare_cached(
                "UPDATE refresh_tokens SET revoked = 1 WHERE pool_id = ?1 AND username = ?2",
            )?
            .execute(params![pool_id, username])?;
        Ok(())
    }

    /// Whether a sign-in's tokens are revoked. An origin with no refresh token on
    /// record (the user was deleted) counts as revoked.
    pub fn origin_revoked(&self, origin_jti: &str) -> StoreResult<bool> {
        let live: i64 = self
            .db()
            .prepare_cached(
                "SELECT COUNT(*) FROM refresh_tokens WHERE origin_jti = ?1 AND revoked = 0",
            )?
            .query_row([origin_jti], |r| r.get(0))?;
        Ok(live == 0)
    }
}

/// Inserts a refresh token's record (in a transaction or not).
fn insert_refresh_in(db: &Connection, token_hash: &str, record: &RefreshRecord) -> StoreResult<()> {
    db.prepare_cached("INSERT INTO refresh_tokens (token_hash, pool_id, client_id, username, device_key, origin_jti, auth_time, expires, revoked)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?
            .execute(params![
                token_hash,
                record.pool_id,
                record.client_id,
                record.username,
                record.device_key,
                record.origin_jti,
                record.auth_time,
                record.expires,
                record.revoked
            ],
        )?;
    Ok(())
}
