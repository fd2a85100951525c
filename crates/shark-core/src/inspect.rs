//! Opening another program's SQLite file only to look at it (export's "was
//! this written by Shark", import sources, the ownership check), so that
//! nothing is ever created or changed beside it: SQLite opened even
//! read-only creates `-wal`/`-shm` files next to a database in WAL mode.
//! A file with no WAL beside it is opened read-only and immutable (no
//! locks, no side files); one whose WAL holds changes not yet checkpointed
//! is copied, with its WAL, into a private temporary folder and the copy
//! is opened, so what the WAL holds is seen too. The copy goes when the
//! [`Inspected`] is dropped.

use std::path::{Path, PathBuf};

/// The largest WAL copied to look at (the copy must not fill the disk).
const MAX_WAL: u64 = 256 * 1024 * 1024;

/// An open look at a file; keeps its private copy (if any) alive.
#[derive(Debug)]
pub(crate) struct Inspected {
    pub db: libsql::Database,
    copy: Option<PathBuf>,
}

impl Drop for Inspected {
    fn drop(&mut self) {
        if let Some(dir) = self.copy.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Opens `path` to look (see the module's doc).
pub(crate) async fn open(path: &Path) -> Result<Inspected, libsql::Error> {
    let wal = crate::store::database_files(path)
        .into_iter()
        .find(|f| f.to_string_lossy().ends_with("-wal"));
    let wal_len = wal
        .as_ref()
        .and_then(|w| std::fs::metadata(w).ok())
        .map_or(0, |m| m.len());
    let pending = wal_len > 0;
    if wal_len > MAX_WAL {
        return Err(libsql::Error::ConnectionFailed(format!(
            "{} has {} MiB of changes not yet checkpointed (at most {} MiB are looked at); let the program that writes it finish, then try again",
            path.display(),
            wal_len / (1024 * 1024),
            MAX_WAL / (1024 * 1024)
        )));
    }
    if !pending {
        let db = libsql::Builder::new_local(immutable_uri(path))
            .flags(libsql::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .build()
            .await?;
        return Ok(Inspected { db, copy: None });
    }
    let dir = std::env::temp_dir().join(format!("shark-inspect-{}", uuid::Uuid::now_v7()));
    let copied = (|| {
        crate::paths::create_private_dir(&dir).map_err(|e| std::io::Error::other(e.to_string()))?;
        let to = dir.join("look.db");
        std::fs::copy(path, &to)?;
        if let Some(w) = &wal {
            std::fs::copy(w, dir.join("look.db-wal"))?;
        }
        Ok::<_, std::io::Error>(to)
    })();
    let to = match copied {
        Ok(to) => to,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(libsql::Error::ConnectionFailed(format!(
                "cannot copy {} to look at it: {e}",
                path.display()
            )));
        }
    };
    let inspected = Inspected {
        db: libsql::Builder::new_local(&to).build().await?,
        copy: Some(dir),
    };
    Ok(inspected)
}

/// `file:PATH?immutable=1`, with the characters a URI gives a meaning escaped.
fn immutable_uri(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::from("file:");
    for c in absolute.to_string_lossy().chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out.push_str("?immutable=1");
    out
}
