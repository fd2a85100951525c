//! What changed in the rows a window shows: a fingerprint of every task row
//! (and one of the plan tables), compared before and after a change, so a
//! data-changed event names the tasks to read again instead of "everything"
//! (one task edited on another machine costs one task's fetch), and the
//! tasks whose notes changed (an open detail shows them).
//!
//! Raw column values are hashed, whatever they hold (a newer Shark's value,
//! a hand edit, an unreadable row), so any change to a row shows.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde::Serialize;
use turso::{Row, Value};

use super::Store;
use crate::error::{DbContext, Result};
use crate::model::Task;
use crate::stored::Listing;

/// More changed tasks than this and the window reads everything again.
pub const MAX_NAMED: usize = 500;

/// Every column of each task, then what its key is made of (its feature's
/// and epic's numbers come from joins, so a renumber above it shows).
const TASKS: &str = "SELECT t.id, t.feature_id, t.number, f.number, e.number, t.*
    FROM tasks t LEFT JOIN features f ON f.id = t.feature_id LEFT JOIN epics e ON e.id = f.epic_id";
/// Columns of [`TASKS`] that make the key.
const KEY_COLUMNS: usize = 5;

/// The rows as they were at one moment.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Fingerprints {
    /// Per task id: the whole row's hash and its key's.
    tasks: HashMap<String, (u64, u64)>,
    /// A task row whose id is not text (hand-edited): it cannot be named.
    unnamed: u64,
    /// The epic and feature tables (small: read again whole when they move).
    plans: u64,
    /// Per task id: its notes (order-free), which a task's detail shows.
    notes: HashMap<String, u64>,
}

/// What a data-changed event tells the window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DataChange {
    /// Read everything again: after a reopen, more than [`MAX_NAMED`]
    /// tasks, a renumbered task (its key shows in other tasks' dependencies)
    /// or a row that has no id to name it by.
    pub everything: bool,
    /// Tasks added or changed (ids).
    pub tasks: Vec<String>,
    /// Tasks gone (ids).
    pub removed: Vec<String>,
    /// Tasks whose notes changed while their rows did not (ids): an open
    /// detail shows them; lists do not.
    pub notes: Vec<String>,
    /// Epics or features changed, or tasks did (their progress is derived).
    pub plans: bool,
}

impl DataChange {
    /// The event after a reopen or when fingerprints cannot be taken.
    pub fn everything() -> Self {
        DataChange {
            everything: true,
            plans: true,
            ..DataChange::default()
        }
    }

    /// Nothing a list or a detail shows changed.
    pub fn is_empty(&self) -> bool {
        !self.everything
            && !self.plans
            && self.tasks.is_empty()
            && self.removed.is_empty()
            && self.notes.is_empty()
    }
}

impl Fingerprints {
    /// What changed from `before` to `self`. Pure; ids come out sorted.
    pub fn since(&self, before: &Fingerprints) -> DataChange {
        let mut change = DataChange::default();
        if self.unnamed != before.unnamed {
            return DataChange::everything();
        }
        for (id, (row, key)) in &self.tasks {
            match before.tasks.get(id) {
                Some((r, _)) if r == row => {}
                Some((_, k)) if k != key => return DataChange::everything(),
                _ => change.tasks.push(id.clone()),
            }
        }
        change.removed = before
            .tasks
            .keys()
            .filter(|id| !self.tasks.contains_key(*id))
            .cloned()
            .collect();
        if change.tasks.len() + change.removed.len() > MAX_NAMED {
            return DataChange::everything();
        }
        change.tasks.sort();
        change.removed.sort();
        let mut noted: Vec<&String> = self.notes.keys().chain(before.notes.keys()).collect();
        noted.sort();
        noted.dedup();
        change.notes = noted
            .into_iter()
            .filter(|id| self.notes.get(*id) != before.notes.get(*id))
            .filter(|id| self.tasks.contains_key(*id) && change.tasks.binary_search(id).is_err())
            .cloned()
            .collect();
        change.plans =
            self.plans != before.plans || !change.tasks.is_empty() || !change.removed.is_empty();
        change
    }
}

impl Store {
    /// The tasks with these ids (at most [`MAX_NAMED`]), as lists read
    /// them; ids with no task are left out, unreadable rows come back damaged.
    pub async fn tasks_by_ids(&self, ids: &[String]) -> Result<Listing<Task>> {
        if ids.len() > MAX_NAMED {
            return Err(crate::Error::invalid(format!(
                "at most {MAX_NAMED} tasks can be read by id at once (got {}); list them all instead",
                ids.len()
            )));
        }
        let reader = self.reader().await?;
        let mut out = Listing::default();
        for chunk in ids.chunks(100) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("?{i}")).collect();
            let part = super::tasks::load(
                &reader,
                &format!("WHERE t.id IN ({})", marks.join(", ")),
                chunk.iter().cloned().map(Value::from).collect(),
            )
            .await?;
            out.items.extend(part.items);
            out.damaged.extend(part.damaged);
        }
        Ok(out)
    }

    /// Fingerprints of the rows lists show, read in one transaction (one
    /// snapshot: a pull applied between two of its statements cannot be
    /// half seen). While a pull holds the database ("busy") the whole read
    /// is tried again, for up to [`BUSY_RETRY_FOR`].
    #[tracing::instrument(skip_all)]
    pub async fn fingerprints(&self) -> Result<Fingerprints> {
        let reader = self.reader().await?;
        let mut backoff = super::row::BusyBackoff::new(BUSY_RETRY_FOR);
        loop {
            let read = async {
                reader.execute("BEGIN", ()).await?;
                let read = read_fingerprints(&reader).await;
                let end = if read.is_ok() { "COMMIT" } else { "ROLLBACK" };
                let ended = reader.execute(end, ()).await;
                let out = read?;
                ended?;
                Ok::<_, turso::Error>(out)
            }
            .await;
            match read {
                Ok(out) => return Ok(out),
                Err(e) if super::row::is_busy(&e) && backoff.wait().await => {}
                Err(e) => return Err(e).db("reading the rows' fingerprints"),
            }
        }
    }
}

/// How long [`Store::fingerprints`] keeps trying while a pull applies.
const BUSY_RETRY_FOR: std::time::Duration = std::time::Duration::from_secs(10);

/// The reads of [`Store::fingerprints`], inside its transaction.
async fn read_fingerprints(reader: &turso::Connection) -> turso::Result<Fingerprints> {
    let mut out = Fingerprints::default();
    let mut rows = reader.query(TASKS, ()).await?;
    while let Some(r) = rows.next().await? {
        let row = hash_row(&r, 0);
        match r.get_value(0) {
            Ok(Value::Text(id)) => {
                out.tasks
                    .insert(id, (row, hash_columns(&r, 0..KEY_COLUMNS)));
            }
            _ => out.unnamed = out.unnamed.wrapping_add(row),
        }
    }
    drop(rows);
    for table in ["epics", "features"] {
        let mut rows = reader.query(&format!("SELECT * FROM {table}"), ()).await?;
        let mut n = 0u64;
        while let Some(r) = rows.next().await? {
            // Order-free: rows come back in whatever order the engine keeps.
            out.plans = out.plans.wrapping_add(hash_row(&r, 0));
            n += 1;
        }
        out.plans = out.plans.wrapping_add(n.rotate_left(17));
    }
    let mut rows = reader
        .query("SELECT task_id, * FROM task_notes", ())
        .await?;
    while let Some(r) = rows.next().await? {
        // A note whose task id is not text belongs to no detail shown.
        if let Ok(Value::Text(task)) = r.get_value(0) {
            let sum = out.notes.entry(task).or_default();
            *sum = sum.wrapping_add(hash_row(&r, 1));
        }
    }
    Ok(out)
}

fn hash_row(r: &Row, from: usize) -> u64 {
    hash_columns(r, from..r.column_count())
}

fn hash_columns(r: &Row, columns: std::ops::Range<usize>) -> u64 {
    let mut h = DefaultHasher::new();
    for i in columns {
        match r.get_value(i) {
            Ok(Value::Null) | Err(_) => 0u8.hash(&mut h),
            Ok(Value::Integer(n)) => (1u8, n).hash(&mut h),
            Ok(Value::Real(x)) => (2u8, x.to_bits()).hash(&mut h),
            Ok(Value::Text(s)) => (3u8, s).hash(&mut h),
            Ok(Value::Blob(b)) => (4u8, b).hash(&mut h),
        }
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prints(tasks: &[(&str, u64, u64)], plans: u64) -> Fingerprints {
        Fingerprints {
            tasks: tasks
                .iter()
                .map(|(id, r, k)| ((*id).to_string(), (*r, *k)))
                .collect(),
            unnamed: 0,
            plans,
            notes: HashMap::new(),
        }
    }

    #[test]
    fn names_what_changed() {
        let before = prints(&[("a", 1, 1), ("b", 2, 2), ("c", 3, 3)], 7);
        let after = prints(&[("a", 1, 1), ("b", 9, 2), ("d", 4, 4)], 7);
        assert_eq!(
            after.since(&before),
            DataChange {
                everything: false,
                tasks: vec!["b".into(), "d".into()],
                removed: vec!["c".into()],
                notes: vec![],
                plans: true,
            }
        );
        assert!(before.since(&before).is_empty(), "no change, no names");
        let plans_only = prints(&[("a", 1, 1), ("b", 2, 2), ("c", 3, 3)], 8);
        let c = plans_only.since(&before);
        assert!(c.plans && c.tasks.is_empty() && !c.everything);
        let mut noted = before.clone();
        noted.notes.insert("a".into(), 5);
        noted.notes.insert("gone".into(), 5);
        let c = noted.since(&before);
        assert_eq!(
            c.notes,
            vec!["a".to_string()],
            "a note on a task that exists"
        );
        assert!(!c.plans && c.tasks.is_empty() && !c.is_empty());
    }

    #[test]
    fn renumbers_many_changes_and_unnamed_rows_mean_everything() {
        let before = prints(&[("a", 1, 1), ("b", 2, 2)], 0);
        let renumbered = prints(&[("a", 5, 6), ("b", 2, 2)], 0);
        assert!(renumbered.since(&before).everything);
        let mut unnamed = before.clone();
        unnamed.unnamed = 42;
        assert!(unnamed.since(&before).everything);
        let many: Vec<(String, u64, u64)> =
            (0..=MAX_NAMED).map(|i| (format!("t{i}"), 1, 1)).collect();
        let refs: Vec<(&str, u64, u64)> =
            many.iter().map(|(s, r, k)| (s.as_str(), *r, *k)).collect();
        assert!(prints(&refs, 0).since(&before).everything);
    }
}
