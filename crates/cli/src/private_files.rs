//! Owner-only files: 0600 files in 0700 directories, written atomically (an
//! exclusive temporary file, synced, renamed into place), and an exclusive
//! cross-process lock for read-modify-write cycles.

use std::path::{Path, PathBuf};

use cognito_auth_flows::StoreError;

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
pub fn with_file_lock<T>(
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
