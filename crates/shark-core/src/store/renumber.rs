//! Offline-safe keys. Two machines offline can both give the next number in a
//! scope (`T-E01-F01-004`) to different rows; both rows survive sync (no UNIQUE
//! constraint), and this module then gives the younger one a new number.
//!
//! The rule, as one pure function ([`plan`]): within a scope, rows sharing a
//! number are ordered by `(created_at, id)`; the oldest keeps the number; every
//! other row is moved to a fresh number (after the scope's highest) — but only
//! by the device that created it (`origin_device`). So exactly one writer ever
//! changes a row's number, every machine computes the same winner, and the
//! change reaches the others through the normal sync. It runs after each pull
//! and before each push; each renumbered task gets a history row.

use std::collections::{BTreeMap, HashMap};

use turso::{Connection, Value};

use super::journal::{self, Change};
use super::{Store, row, tasks};
use crate::error::{DbContext, Result};
use crate::model::Actor;
use crate::time;

/// One row of a scope, as the planner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub id: String,
    pub number: u32,
    /// Stored creation time (RFC 3339 text sorts correctly).
    pub created_at: String,
    pub origin_device: String,
}

/// Which of `me`'s rows in one scope must move, to which numbers.
pub fn plan(scope: &[Slot], me: &str) -> Vec<(String, u32)> {
    let mut by_number: BTreeMap<u32, Vec<&Slot>> = BTreeMap::new();
    for s in scope {
        by_number.entry(s.number).or_default().push(s);
    }
    let mut losers: Vec<&Slot> = Vec::new();
    for rows in by_number.values_mut() {
        rows.sort_by(|a, b| (&a.created_at, &a.id).cmp(&(&b.created_at, &b.id)));
        losers.extend(rows.iter().skip(1).filter(|s| s.origin_device == me));
    }
    losers.sort_by(|a, b| (&a.created_at, &a.id).cmp(&(&b.created_at, &b.id)));
    let mut taken: std::collections::BTreeSet<u32> = scope.iter().map(|s| s.number).collect();
    losers
        .into_iter()
        .filter_map(|s| match crate::keys::next_free(&taken) {
            Ok(n) => {
                taken.insert(n);
                Some((s.id.clone(), n))
            }
            Err(e) => {
                // Not reachable short of 9,999 rows in one scope: the row
                // keeps its key and the collision waits for a free number.
                tracing::warn!("cannot renumber a colliding key: {e}");
                None
            }
        })
        .collect()
}

/// A key that changed because another machine took it first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Renumbered {
    pub kind: &'static str,
    pub old_key: String,
    pub new_key: String,
}

/// The three kinds of scoped rows: table and the column naming the scope.
const TABLES: [(&str, &str, Option<&str>); 3] = [
    ("epic", "epics", None),
    ("feature", "features", Some("epic_id")),
    ("task", "tasks", Some("feature_id")),
];

async fn slots(
    c: &Connection,
    table: &str,
    scope_col: Option<&str>,
) -> Result<HashMap<String, Vec<Slot>>> {
    let scope = scope_col.unwrap_or("''");
    // A row whose scope, number or times cannot be read (written by another
    // version or by hand) is left as it is: renumbering, and with it every
    // sync, goes on for the others (`shark doctor` lists such rows).
    let read = row::query_all(
        c,
        &format!("SELECT {scope}, id, number, created_at, origin_device FROM {table}"),
        vec![],
        |r| {
            let slot = || -> Result<(String, Slot)> {
                Ok((
                    row::text(r, 0)?,
                    Slot {
                        id: row::text(r, 1)?,
                        number: super::epics::number_of(r, 2)?,
                        created_at: row::text(r, 3)?,
                        origin_device: row::text(r, 4)?,
                    },
                ))
            };
            Ok(slot().ok())
        },
    )
    .await?;
    let skipped = read.iter().filter(|r| r.is_none()).count();
    if skipped > 0 {
        tracing::warn!(
            table,
            skipped,
            "rows whose key cannot be read are not renumbered"
        );
    }
    let rows = read.into_iter().flatten();
    let mut out: HashMap<String, Vec<Slot>> = HashMap::new();
    for (scope, slot) in rows {
        out.entry(scope).or_default().push(slot);
    }
    Ok(out)
}

impl Store {
    /// Gives this device's rows that lost a key collision a fresh number.
    /// Returns what changed (empty almost always). Done, it clears
    /// [`Store::unchecked_news`].
    #[tracing::instrument(skip_all)]
    pub async fn resolve_key_collisions(&self) -> Result<Vec<Renumbered>> {
        let me = self.device().id.clone();
        let actor = Actor::user(format!("shark on {}", self.device().name));
        let checked = self
            .write_silently(async |c: &Connection| {
                let before = tasks::key_map(c).await?;
                let mut changed = Vec::new();
                for (kind, table, scope_col) in TABLES {
                    for scope in slots(c, table, scope_col).await?.values() {
                        for (id, number) in plan(scope, &me) {
                            c.execute(
                                format!(
                                    "UPDATE {table} SET number = ?2, updated_at = ?3 WHERE id = ?1"
                                ),
                                Vec::<Value>::from([
                                    id.into(),
                                    number.into(),
                                    time::to_text(&time::now()).into(),
                                ]),
                            )
                            .await
                            .db("renumbering")?;
                            changed.push(kind);
                        }
                    }
                }
                if changed.is_empty() {
                    return Ok(Vec::new());
                }
                // Record every task whose key changed (directly, or through its feature or epic).
                let after = tasks::key_map(c).await?;
                let now = time::now();
                let mut out = Vec::new();
                for (id, new_key) in &after {
                    let Some(old_key) = before.get(id) else {
                        continue;
                    };
                    if old_key == new_key {
                        continue;
                    }
                    let change = Change {
                        task_id: id,
                        field: "key",
                        old_value: Some(old_key.clone()),
                        new_value: Some(new_key.clone()),
                        reason: Some("another machine took this key first".into()),
                        forced: false,
                    };
                    journal::record(c, &change, &actor, &me, &now).await?;
                    out.push(Renumbered {
                        kind: "task",
                        old_key: old_key.clone(),
                        new_key: new_key.clone(),
                    });
                }
                out.sort_by(|a, b| a.old_key.cmp(&b.old_key));
                tracing::info!(
                    rows = changed.len(),
                    tasks = out.len(),
                    "renumbered after a key collision"
                );
                Ok(out)
            })
            .await;
        if checked.is_ok() {
            self.unchecked_news
                .store(false, std::sync::atomic::Ordering::SeqCst);
        }
        checked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(id: &str, n: u32, at: &str, dev: &str) -> Slot {
        Slot {
            id: id.into(),
            number: n,
            created_at: at.into(),
            origin_device: dev.into(),
        }
    }

    #[test]
    fn no_collision_no_change() {
        let scope = [s("a", 1, "1", "A"), s("b", 2, "2", "B")];
        assert!(plan(&scope, "A").is_empty());
        assert!(plan(&scope, "B").is_empty());
    }

    #[test]
    fn only_the_younger_rows_creator_moves_it() {
        let scope = [
            s("a", 1, "1", "A"),
            s("x", 2, "2", "A"),
            s("y", 2, "3", "B"),
        ];
        assert!(plan(&scope, "A").is_empty(), "A's row is older: it keeps 2");
        assert_eq!(plan(&scope, "B"), vec![("y".to_string(), 3)]);
    }

    #[test]
    fn ties_on_time_are_broken_by_id_the_same_everywhere() {
        let scope = [s("m", 4, "t", "B"), s("k", 4, "t", "A")];
        assert_eq!(plan(&scope, "B"), vec![("m".to_string(), 5)]);
        assert!(plan(&scope, "A").is_empty());
    }

    #[test]
    fn several_losers_get_distinct_fresh_numbers() {
        let scope = [
            s("a", 3, "1", "A"),
            s("b", 3, "2", "B"),
            s("c", 3, "3", "B"),
            s("d", 4, "4", "A"),
            s("e", 4, "5", "B"),
        ];
        assert_eq!(
            plan(&scope, "B"),
            vec![
                ("b".to_string(), 5),
                ("c".to_string(), 6),
                ("e".to_string(), 7)
            ]
        );
    }
}
