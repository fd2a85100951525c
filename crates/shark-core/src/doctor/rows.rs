//! Data this build did not write: the stored rows it cannot read (another
//! machine's, a newer Shark's, a hand edit's) with what repair can do, and
//! whether another machine runs a newer Shark.

use super::{Check, Status};
use crate::store::Store;
use crate::stored::DamagedRow;

/// Rows a terminal report names one by one.
pub(super) const LISTED: usize = 20;

/// The check, and the rows it found.
pub(super) async fn check(store: &Store) -> (Check, Vec<DamagedRow>) {
    match store.damaged_rows().await {
        Ok(rows) if rows.is_empty() => (
            Check::new(
                "rows",
                "Stored rows",
                Status::Pass,
                "every row can be read".into(),
            ),
            rows,
        ),
        Ok(rows) => {
            let n = rows.len();
            let check = Check::new(
                "rows",
                "Stored rows",
                Status::Warn,
                format!(
                    "{n} row{} cannot be read (written by another machine, a newer Shark or a hand edit); lists and exports show {} as stored, nothing else stops:",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "it" } else { "them" },
                ),
            )
            .fix(
                "shark doctor --repair fixes key numbers out of range, tasks whose feature is gone and times that do not parse (each recorded in history); for a value from a newer Shark, update Shark on this machine; for the rest, correct the column named with an SQL shell (turso db shell) or leave it: Shark keeps working around it",
            );
            (check, rows)
        }
        Err(e) => (
            Check::new(
                "rows",
                "Stored rows",
                Status::Fail,
                format!("the rows could not be read: {e}"),
            ),
            Vec::new(),
        ),
    }
}

/// Whether a machine runs a Shark with a newer schema than this build's.
pub(super) async fn versions(store: &Store) -> Check {
    let supported = crate::store::latest_version();
    match store.newer_shark().await {
        Ok(None) => Check::new(
            "versions",
            "Shark versions",
            Status::Pass,
            format!("no machine uses a newer Shark (schema {supported})"),
        ),
        Ok(Some(n)) => {
            Check::new("versions", "Shark versions", Status::Warn, n.message()).fix(format!(
                "install Shark {} or later on this machine (the newer one runs on {})",
                n.app_version, n.device_name
            ))
        }
        Err(e) => Check::new(
            "versions",
            "Shark versions",
            Status::Fail,
            format!("the machines' versions could not be read: {e}"),
        ),
    }
}
