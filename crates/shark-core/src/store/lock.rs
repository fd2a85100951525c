//! One process per database file: an advisory lock on `shark.lock` taken
//! before the engine opens the file, so a second `shark` waits briefly and then
//! fails with a clear message instead of hanging or corrupting anything.

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// The lock file for `backend`: `shark.lock` in the data folder, but a
/// database file named by a path is locked beside itself (`tasks.db.lock`),
/// so it can be used (`--db`) while another process owns this machine's.
pub(crate) fn file_for(paths: &crate::paths::SharkPaths, backend: &super::Backend) -> PathBuf {
    match backend {
        super::Backend::LocalFile(p) => {
            let mut name = p.file_name().unwrap_or_default().to_os_string();
            name.push(".lock");
            p.with_file_name(name)
        }
        _ => paths.lock_file(),
    }
}

/// How often a waiting process retries the lock.
const POLL: Duration = Duration::from_millis(25);

/// Holds the lock until dropped (the OS releases it if the process dies).
#[derive(Debug)]
pub struct ProcessLock {
    _file: File,
    path: PathBuf,
}

impl ProcessLock {
    /// Takes the lock, waiting up to `timeout` for another holder to finish.
    pub async fn acquire(path: &Path, timeout: Duration) -> Result<Self> {
        let mut file = crate::paths::private_file_options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| Error::io("cannot open the lock file", path, e))?;
        let start = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if start.elapsed() < timeout => {
                    tokio::time::sleep(POLL).await;
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(Error::Locked {
                        path: path.with_file_name("shark.db"),
                        waited_ms: start.elapsed().as_millis() as u64,
                        holder: holder_pid(&mut file),
                    });
                }
                Err(TryLockError::Error(e)) => {
                    return Err(Error::io("cannot lock", path, e));
                }
            }
        }
        // Record who holds it, for the message a waiting process shows.
        let _ = file
            .set_len(0)
            .and_then(|_| file.seek(SeekFrom::Start(0)))
            .and_then(|_| writeln!(file, "{}", std::process::id()));
        Ok(ProcessLock {
            _file: file,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn holder_pid(file: &mut File) -> String {
    let mut s = String::new();
    let _ = file
        .seek(SeekFrom::Start(0))
        .and_then(|_| file.read_to_string(&mut s));
    match s.trim().parse::<u32>() {
        Ok(pid) => format!(" (process {pid})"),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn second_holder_waits_then_fails_clearly() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("shark.lock");
        let first = ProcessLock::acquire(&path, Duration::ZERO).await.unwrap();
        let t = Instant::now();
        let err = ProcessLock::acquire(&path, Duration::from_millis(200))
            .await
            .unwrap_err();
        assert!(t.elapsed() >= Duration::from_millis(200));
        let msg = err.to_string();
        assert!(msg.contains("in use by another shark process"), "{msg}");
        assert!(
            msg.contains(&format!("process {}", std::process::id())),
            "{msg}"
        );
        drop(first);
        assert!(ProcessLock::acquire(&path, Duration::ZERO).await.is_ok());
    }
}
