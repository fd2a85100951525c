//! Where Shark keeps its files: platform directories by default, everything
//! under `SHARK_HOME` when set (tests and portable setups use it), and the
//! helpers that create them private (directories 0700, files 0600).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Environment variable that puts every Shark file under one folder.
pub const SHARK_HOME_ENV: &str = "SHARK_HOME";

/// The folders Shark uses on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharkPaths {
    /// The database, the device identity and (later) the token file.
    pub data_dir: PathBuf,
    /// `config.toml`.
    pub config_dir: PathBuf,
    /// Log files.
    pub log_dir: PathBuf,
}

impl SharkPaths {
    /// `SHARK_HOME` if set, else the platform's directories for Shark.
    pub fn from_env() -> Result<Self> {
        match std::env::var_os(SHARK_HOME_ENV) {
            Some(home) if !home.is_empty() => Ok(Self::under(PathBuf::from(home))),
            _ => Self::platform(),
        }
    }

    /// Everything under one folder.
    pub fn under(home: impl Into<PathBuf>) -> Self {
        let home = home.into();
        SharkPaths {
            data_dir: home.clone(),
            config_dir: home.clone(),
            log_dir: home.join("logs"),
        }
    }

    /// The platform's directories (XDG on Linux, Application Support on macOS...).
    pub fn platform() -> Result<Self> {
        let dirs = directories::ProjectDirs::from("dev", "Shark", "shark").ok_or(Error::NoHome)?;
        let log_dir = dirs
            .state_dir()
            .map(|d| d.join("logs"))
            .unwrap_or_else(|| dirs.data_local_dir().join("logs"));
        Ok(SharkPaths {
            data_dir: dirs.data_dir().to_path_buf(),
            config_dir: dirs.config_dir().to_path_buf(),
            log_dir,
        })
    }

    /// The local database (later the synced replica).
    pub fn database_file(&self) -> PathBuf {
        self.data_dir.join("shark.db")
    }

    /// The synced replica (kept apart from the local-only database).
    pub fn replica_file(&self) -> PathBuf {
        self.data_dir.join("replica.db")
    }

    /// The lock that keeps one process per database.
    pub fn lock_file(&self) -> PathBuf {
        self.data_dir.join("shark.lock")
    }

    /// The desktop app's local socket: a running app executes `shark`
    /// commands handed to it here (it holds the database).
    pub fn app_socket(&self) -> PathBuf {
        self.data_dir.join("app.sock")
    }

    /// This machine's device id.
    pub fn device_file(&self) -> PathBuf {
        self.data_dir.join("device-id")
    }

    /// User settings.
    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    /// Creates the data and config directories (0700 when created).
    pub fn ensure_dirs(&self) -> Result<()> {
        create_private_dir(&self.data_dir)?;
        create_private_dir(&self.config_dir)
    }
}

/// Creates `dir` and its missing parents; the directories this creates are 0700.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| Error::io("cannot create the folder", dir, e))
}

/// Restricts an existing file to its owner (0600).
pub fn make_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io("cannot restrict the permissions of", path, e))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Options that create files readable by their owner only (0600 on Unix).
pub fn private_file_options() -> fs::OpenOptions {
    #[allow(unused_mut)]
    let mut opts = fs::OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts
}

/// Reads a small JSON state file; a missing or unreadable one is the default
/// (for figures and remembered states, never for user data).
pub(crate) fn read_json_or_default<T: serde::de::DeserializeOwned + Default>(path: &Path) -> T {
    fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Writes a small JSON state file (atomically, 0600).
pub(crate) fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let bytes = serde_json::to_vec(value).map_err(|e| crate::Error::Corrupt(e.to_string()))?;
    write_private(path, &bytes)
}

/// A name beside `path` for a file being written, unique to this process
/// and to this write: two writes of one file at once (two threads, two
/// tasks) never share a temporary file.
pub(crate) fn temp_beside(path: &Path, kind: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    // A random part too: nobody can plant a file or link at the name first.
    let random = uuid::Uuid::new_v4().simple().to_string();
    path.with_file_name(format!(
        ".{name}.{kind}-{}-{n}-{}",
        std::process::id(),
        &random[..12]
    ))
}

/// Writes `contents` to `path` atomically (temp file + rename), mode 0600.
pub fn write_private(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let tmp = temp_beside(path, "tmp");
    let write = || -> std::io::Result<()> {
        // A fresh name each time: never truncate another write's file.
        let mut f = private_file_options()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io("cannot write", path, e)
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn one_file_written_by_many_threads_at_once_stays_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("state.json");
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    for i in 0..50 {
                        let body = format!(
                            "{{\"thread\":{t},\"i\":{i},\"pad\":\"{}\"}}",
                            "x".repeat(4000)
                        );
                        write_private(&path, body.as_bytes()).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).expect("whole, never mixed");
        assert_eq!(v["i"], 49);
        let left: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .filter(|n| n != "state.json")
            .collect();
        assert!(left.is_empty(), "temporary files left: {left:?}");
    }

    fn mode(p: &Path) -> u32 {
        fs::metadata(p)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0)
    }

    #[test]
    fn dirs_are_0700_and_files_0600() {
        let tmp = tempfile::tempdir().unwrap();
        let paths = SharkPaths::under(tmp.path().join("home"));
        paths.ensure_dirs().unwrap();
        assert_eq!(mode(&paths.data_dir), 0o700);
        write_private(&paths.config_file(), b"x = 1\n").unwrap();
        assert_eq!(mode(&paths.config_file()), 0o600);
        assert_eq!(fs::read(paths.config_file()).unwrap(), b"x = 1\n");
    }

    #[test]
    fn shark_home_puts_everything_under_it() {
        let p = SharkPaths::under("/x/y");
        assert_eq!(p.database_file(), PathBuf::from("/x/y/shark.db"));
        assert_eq!(p.config_file(), PathBuf::from("/x/y/config.toml"));
        assert!(p.log_dir.starts_with("/x/y"));
    }
}
