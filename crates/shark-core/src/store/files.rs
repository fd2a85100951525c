//! The files a database is made of, in one list, and keeping them private
//! (the engine creates some with the default mode).

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::paths::make_private;

/// The files a database is made of: the file itself, SQLite's WAL and
/// shared memory, and the sync engine's revert log, change log and info
/// file. The one list of them (permissions, rebuild, disconnect).
const FILE_SUFFIXES: [&str; 6] = ["", "-wal", "-shm", "-wal-revert", "-changes", "-info"];

/// Every file of the database at `path` (whether it exists or not).
pub fn database_files(path: &Path) -> Vec<PathBuf> {
    FILE_SUFFIXES.iter().map(|s| sidecar(path, s)).collect()
}

/// The database's files that exist made 0600 (the engine creates some with
/// the default mode).
pub(crate) fn restrict(path: &Path) -> Result<()> {
    for file in database_files(path) {
        if file.exists() {
            make_private(&file)?;
        }
    }
    Ok(())
}

/// `path` with `suffix` appended (`shark.db` + `-wal`).
pub(crate) fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}
