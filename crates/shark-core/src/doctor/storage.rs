//! The database files' sizes: the database, its write-ahead log and, for a
//! replica, the revert log. A WAL far past the checkpoint policy's bound
//! means checkpoints fail, and every command pays for it.

use super::{Check, Status};
use crate::store::{FileSizes, Store, WAL_LIMIT, WAL_WARN};

/// "0.7 MB", "12 KB".
fn size(n: u64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", n.div_ceil(1024))
    }
}

/// The check for an open store.
pub(super) fn files(store: &Store) -> Check {
    judge(&store.file_sizes(), store.is_replica())
}

/// The check for these sizes (pure).
pub(super) fn judge(s: &FileSizes, replica: bool) -> Check {
    let mut detail = format!(
        "database {}, write-ahead log {} (checkpointed past {})",
        size(s.database),
        size(s.wal),
        size(WAL_LIMIT)
    );
    if replica {
        detail.push_str(&format!(", revert log {}", size(s.wal_revert)));
    }
    if s.wal > WAL_WARN {
        return Check::new("storage", "Database files", Status::Warn, detail).fix(
            "the write-ahead log is not being checkpointed: quit other Shark processes, then run any \
             shark command (opening the database checkpoints it); if it stays large, run it with -v \
             and look for 'cannot checkpoint'",
        );
    }
    Check::new("storage", "Database files", Status::Pass, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bounded_wal_passes_and_a_huge_one_warns() {
        let ok = judge(
            &FileSizes {
                database: 700 * 1024,
                wal: 300 * 1024,
                wal_revert: 0,
            },
            false,
        );
        assert_eq!(ok.status, Status::Pass);
        assert_eq!(
            ok.detail,
            "database 700 KB, write-ahead log 300 KB (checkpointed past 1.0 MB)"
        );
        let big = judge(
            &FileSizes {
                database: 700 * 1024,
                wal: 89 * 1024 * 1024,
                wal_revert: 4096,
            },
            true,
        );
        assert_eq!(big.status, Status::Warn);
        assert!(
            big.detail.contains("write-ahead log 89.0 MB"),
            "{}",
            big.detail
        );
        assert!(big.detail.ends_with("revert log 4 KB"), "{}", big.detail);
        assert!(big.fix.is_some());
    }
}
