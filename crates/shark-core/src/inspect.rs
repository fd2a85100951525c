//! Opening another program's SQLite file only to look at it (export's "was
//! this written by Shark", import sources, the ownership check), so that
//! nothing is ever created or changed beside it. A database in rollback
//! journal mode is opened read-only as it is: SQLite creates nothing for a
//! reader, and a file another program holds locked mid-write is reported
//! busy rather than read half-written. A database in WAL mode would get
//! `-wal`/`-shm` files created beside it even by a read-only open, so it
//! is copied, with its WAL, into a private temporary folder and the copy is
//! opened (what the WAL holds is seen too); the copy goes when the
//! [`Inspected`] is dropped.

use std::path::{Path, PathBuf};

/// The most copied to look at a WAL-mode file (the copy must not fill the disk).
const MAX_COPY: u64 = 256 * 1024 * 1024;

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
    if !wal_mode(path) {
        let db = libsql::Builder::new_local(path)
            .flags(libsql::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .build()
            .await?;
        return Ok(Inspected { db, copy: None });
    }
    let wal = crate::store::sidecar(path, "-wal");
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    let total = size(path) + size(&wal);
    if total > MAX_COPY {
        return Err(libsql::Error::ConnectionFailed(format!(
            "{} is a database in WAL mode of {} MiB; Shark looks at such files through a private copy of at most {} MiB",
            path.display(),
            total / (1024 * 1024),
            MAX_COPY / (1024 * 1024)
        )));
    }
    let dir = std::env::temp_dir().join(format!("shark-inspect-{}", uuid::Uuid::now_v7()));
    let copied = (|| {
        crate::paths::create_private_dir(&dir).map_err(|e| std::io::Error::other(e.to_string()))?;
        let to = dir.join("look.db");
        std::fs::copy(path, &to)?;
        if wal.exists() {
            std::fs::copy(&wal, dir.join("look.db-wal"))?;
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
    match libsql::Builder::new_local(&to).build().await {
        Ok(db) => Ok(Inspected {
            db,
            copy: Some(dir),
        }),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            Err(e)
        }
    }
}

/// Whether the file's header says WAL mode (bytes 18 and 19 are 2).
fn wal_mode(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 20];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| head.starts_with(b"SQLite format 3\0") && (head[18] == 2 || head[19] == 2))
}
