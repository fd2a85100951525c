//! `shark doctor --repair`: fixes what is safe to fix in rows this build
//! cannot read, each fix recorded (a history row for a task), and leaves the
//! rest, reported with what a person could do.
//!
//! What is repaired:
//! - a key number that is not a whole number from 1 to 9,999: the row takes
//!   the next free number in its scope *and is adopted by this machine*
//!   (`origin_device`), so should another machine have taken that number
//!   offline, the usual collision rule (see `renumber`) has a live owner to
//!   move it, even when the row's first device is gone;
//! - a task whose feature does not exist: moved into the feature
//!   "Recovered tasks" of the epic "Recovered by shark doctor" (made once);
//!   a feature whose epic does not exist: moved into that epic, its tasks
//!   with it;
//! - a time that does not parse (epics, features, tasks): a creation, start,
//!   completion or block time from the earliest of the row's times that
//!   parses, an update time from the latest (else now).
//!
//! Values this build does not understand (a newer Shark's status, broken
//! JSON, binary data) are never rewritten.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use turso::{Connection, Value};

use super::journal::{self, Change};
use super::{NewEpic, NewFeature, Store, row};
use crate::error::{DbContext, Result};
use crate::keys::{in_range, next_free};
use crate::model::Actor;
use crate::stored::DamagedRow;
use crate::time::{self, Timestamp};

/// One fix made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repair {
    pub table: String,
    pub id: String,
    pub what: String,
}

/// What `repair` did, and what it left for a person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepairReport {
    pub repaired: Vec<Repair>,
    pub left: Vec<DamagedRow>,
}

/// Title of the epic and feature that receive orphaned tasks.
pub const RECOVERED_EPIC: &str = "Recovered by shark doctor";
pub const RECOVERED_FEATURE: &str = "Recovered tasks";

/// The tables with key numbers, each with the column that scopes its numbers.
const NUMBERED: &[(&str, Option<&str>)] = &[
    ("epics", None),
    ("features", Some("epic_id")),
    ("tasks", Some("feature_id")),
];

/// Times per table: the required ones first, then the optional ones.
const TIMES: &[(&str, &[&str], &[&str])] = &[
    ("epics", &["created_at", "updated_at"], &[]),
    ("features", &["created_at", "updated_at"], &[]),
    (
        "tasks",
        &["created_at", "updated_at"],
        &["started_at", "completed_at", "blocked_at"],
    ),
];

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Text(s) => Some(s.clone()),
        _ => None,
    }
}

/// A key number as lookups find it: an integer from 1 to 9,999 (text that
/// looks like one is not: `WHERE number = 3` never matches it).
fn number_of(v: &Value) -> Option<u32> {
    match v {
        Value::Integer(n) => u32::try_from(*n).ok().filter(|n| in_range(*n)),
        _ => None,
    }
}

impl Store {
    /// Repairs what is safe (see the module's notes) and returns what was
    /// done and what is left.
    #[tracing::instrument(skip_all)]
    pub async fn repair(&self, actor: &Actor) -> Result<RepairReport> {
        let mut repaired = Vec::new();
        if self.damaged_rows().await?.is_empty() {
            return Ok(RepairReport {
                repaired,
                left: Vec::new(),
            });
        }
        let orphans = self.orphans().await?;
        let home = if orphans == 0 {
            None
        } else {
            Some(self.recovery_home().await?)
        };
        let device = self.device().id.clone();
        let done = self
            .write(async |c: &Connection| {
                let mut done = Vec::new();
                let now = time::now();
                if let Some((epic_id, feature_id)) = &home {
                    move_orphan_features(c, epic_id, &device, &now, &mut done).await?;
                    move_orphans(c, feature_id, actor, &device, &now, &mut done).await?;
                }
                for (table, scope) in NUMBERED {
                    renumber_bad(c, table, *scope, actor, &device, &now, &mut done).await?;
                }
                for (table, required, optional) in TIMES {
                    mend_times(
                        c, table, required, optional, actor, &device, &now, &mut done,
                    )
                    .await?;
                }
                Ok(done)
            })
            .await?;
        repaired.extend(done);
        Ok(RepairReport {
            repaired,
            left: self.damaged_rows().await?,
        })
    }

    /// How many features have no epic and tasks no feature.
    async fn orphans(&self) -> Result<usize> {
        let n = row::query_all(
            &*self.reader().await?,
            "SELECT (SELECT count(*) FROM tasks t LEFT JOIN features f ON f.id = t.feature_id WHERE f.id IS NULL)
                  + (SELECT count(*) FROM features f LEFT JOIN epics e ON e.id = f.epic_id WHERE e.id IS NULL)",
            vec![],
            |r| Ok(row::int(r, 0).unwrap_or(0)),
        )
        .await?;
        Ok(n.into_iter()
            .next()
            .map_or(0, |n| usize::try_from(n).unwrap_or(0)))
    }

    /// The epic and feature that receive orphans (ids): found by their
    /// titles, else made (each in its own write, before the repair's: should
    /// the repair fail, they are found again next time).
    async fn recovery_home(&self) -> Result<(String, String)> {
        let epics = self.list_epics().await?;
        let epic = match epics.iter().find(|e| e.title == RECOVERED_EPIC) {
            Some(e) => e.clone(),
            None => self.create_epic(NewEpic::titled(RECOVERED_EPIC)).await?,
        };
        let features = self.list_features(Some(&epic.key)).await?;
        if let Some(f) = features.iter().find(|f| f.title == RECOVERED_FEATURE) {
            return Ok((epic.id, f.id.clone()));
        }
        let f = self
            .create_feature(NewFeature::new(epic.key, RECOVERED_FEATURE))
            .await?;
        Ok((epic.id, f.id))
    }
}

/// The key numbers taken in one scope (`table` rows whose `scope` column is
/// `id`); `table` and `scope` are this module's constants.
async fn taken_in(c: &Connection, table: &str, scope: &str, id: &str) -> Result<BTreeSet<u32>> {
    let numbers = row::query_all(
        c,
        &format!("SELECT number FROM {table} WHERE {scope} = ?1"),
        vec![id.into()],
        |r| Ok(r.get_value(0).ok().as_ref().and_then(number_of)),
    )
    .await?;
    Ok(numbers.into_iter().flatten().collect())
}

/// Features whose epic is gone move into the recovery epic, with their tasks.
async fn move_orphan_features(
    c: &Connection,
    epic_id: &str,
    device: &str,
    now: &Timestamp,
    done: &mut Vec<Repair>,
) -> Result<()> {
    let rows = row::query_all(
        c,
        "SELECT f.id, f.epic_id FROM features f LEFT JOIN epics e ON e.id = f.epic_id WHERE e.id IS NULL",
        vec![],
        |r| Ok((row::text(r, 0).ok(), r.get_value(1).ok())),
    )
    .await?;
    let mut taken = taken_in(c, "features", "epic_id", epic_id).await?;
    for (id, old_epic) in rows {
        let Some(id) = id else { continue };
        let number = next_free(&taken)?;
        taken.insert(number);
        c.execute(
            "UPDATE features SET epic_id = ?2, number = ?3, origin_device = ?4, updated_at = ?5 WHERE id = ?1",
            Vec::<Value>::from([
                id.clone().into(),
                epic_id.into(),
                number.into(),
                device.into(),
                time::to_text(now).into(),
            ]),
        )
        .await
        .db("moving a feature whose epic is gone")?;
        let old = old_epic
            .as_ref()
            .map(crate::stored::shown)
            .unwrap_or_default();
        done.push(Repair {
            table: "features".into(),
            id,
            what: format!(
                "its epic {old} does not exist; moved to \"{RECOVERED_EPIC}\" with its tasks"
            ),
        });
    }
    Ok(())
}

async fn move_orphans(
    c: &Connection,
    feature_id: &str,
    actor: &Actor,
    device: &str,
    now: &Timestamp,
    done: &mut Vec<Repair>,
) -> Result<()> {
    let rows = row::query_all(
        c,
        "SELECT t.id, t.feature_id, t.number FROM tasks t LEFT JOIN features f ON f.id = t.feature_id
         WHERE f.id IS NULL",
        vec![],
        |r| Ok((row::text(r, 0).ok(), r.get_value(1).ok(), r.get_value(2).ok())),
    )
    .await?;
    let mut taken = taken_in(c, "tasks", "feature_id", feature_id).await?;
    for (id, old_feature, _) in rows {
        let Some(id) = id else { continue };
        let number = next_free(&taken)?;
        taken.insert(number);
        c.execute(
            "UPDATE tasks SET feature_id = ?2, number = ?3, origin_device = ?4, updated_at = ?5 WHERE id = ?1",
            Vec::<Value>::from([
                id.clone().into(),
                feature_id.into(),
                number.into(),
                device.into(),
                time::to_text(now).into(),
            ]),
        )
        .await
        .db("moving a task whose feature is gone")?;
        let old = old_feature
            .as_ref()
            .map(crate::stored::shown)
            .unwrap_or_default();
        let what = format!("its feature {old} does not exist; moved to \"{RECOVERED_FEATURE}\"");
        let change = Change {
            task_id: &id,
            field: "feature_id",
            old_value: old_feature.as_ref().and_then(text_of),
            new_value: Some(feature_id.to_string()),
            reason: Some(format!("shark doctor --repair: {what}")),
            forced: false,
        };
        journal::record(c, &change, actor, device, now).await?;
        done.push(Repair {
            table: "tasks".into(),
            id,
            what,
        });
    }
    Ok(())
}

async fn renumber_bad(
    c: &Connection,
    table: &str,
    scope: Option<&str>,
    actor: &Actor,
    device: &str,
    now: &Timestamp,
    done: &mut Vec<Repair>,
) -> Result<()> {
    let scope_col = scope.unwrap_or("''");
    let rows = row::query_all(
        c,
        &format!("SELECT id, number, {scope_col} FROM {table} ORDER BY created_at, id"),
        vec![],
        |r| {
            Ok((
                row::text(r, 0).ok(),
                r.get_value(1).unwrap_or(Value::Null),
                row::opt_text(r, 2).ok().flatten().unwrap_or_default(),
            ))
        },
    )
    .await?;
    let mut taken: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    for (_, n, s) in &rows {
        if let Some(n) = number_of(n) {
            taken.entry(s.clone()).or_default().insert(n);
        }
    }
    for (id, old, s) in rows {
        let Some(id) = id else { continue };
        if number_of(&old).is_some() {
            continue;
        }
        let scope_taken = taken.entry(s).or_default();
        let number = next_free(scope_taken)?;
        scope_taken.insert(number);
        c.execute(
            format!(
                "UPDATE {table} SET number = ?2, origin_device = ?3, updated_at = ?4 WHERE id = ?1"
            ),
            Vec::<Value>::from([
                id.clone().into(),
                number.into(),
                device.into(),
                time::to_text(now).into(),
            ]),
        )
        .await
        .db("renumbering a key number out of range")?;
        let what = format!(
            "key number {} is out of range; now {number}",
            crate::stored::shown(&old)
        );
        if table == "tasks" {
            let change = Change {
                task_id: &id,
                field: "number",
                old_value: text_of(&old).or_else(|| Some(crate::stored::shown(&old))),
                new_value: Some(number.to_string()),
                reason: Some(format!("shark doctor --repair: {what}")),
                forced: false,
            };
            journal::record(c, &change, actor, device, now).await?;
        }
        done.push(Repair {
            table: table.into(),
            id,
            what,
        });
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn mend_times(
    c: &Connection,
    table: &str,
    required: &[&str],
    optional: &[&str],
    actor: &Actor,
    device: &str,
    now: &Timestamp,
    done: &mut Vec<Repair>,
) -> Result<()> {
    let cols: Vec<&str> = required.iter().chain(optional).copied().collect();
    let rows = row::query_all(
        c,
        &format!("SELECT id, {} FROM {table}", cols.join(", ")),
        vec![],
        |r| {
            let values: Vec<Value> = (1..=cols.len())
                .map(|i| r.get_value(i).unwrap_or(Value::Null))
                .collect();
            Ok((row::text(r, 0).ok(), values))
        },
    )
    .await?;
    for (id, values) in rows {
        let Some(id) = id else { continue };
        let parsed: Vec<Option<Timestamp>> = values
            .iter()
            .map(|v| text_of(v).and_then(|s| time::from_text(&s)))
            .collect();
        // A creation (or start...) time from the earliest that parses, an
        // update time from the latest.
        let earliest = parsed.iter().flatten().min().copied().unwrap_or(*now);
        let latest = parsed.iter().flatten().max().copied().unwrap_or(*now);
        let mut sets: Vec<(&str, Value)> = Vec::new();
        for (i, col) in cols.iter().enumerate() {
            let bad = match &values[i] {
                Value::Null => i < required.len(),
                _ => parsed[i].is_none(),
            };
            if bad {
                let at = if *col == "updated_at" {
                    latest
                } else {
                    earliest
                };
                sets.push((col, time::to_text(&at).into()));
            }
        }
        if sets.is_empty() {
            continue;
        }
        for (col, v) in &sets {
            let i = cols.iter().position(|c| c == col).unwrap_or_default();
            let what = format!(
                "{col} held {}, not a time; set to {}",
                crate::stored::shown(&values[i]),
                text_of(v).unwrap_or_default()
            );
            c.execute(
                format!("UPDATE {table} SET {col} = ?2 WHERE id = ?1"),
                Vec::<Value>::from([id.clone().into(), v.clone()]),
            )
            .await
            .db("mending a time that does not parse")?;
            if table == "tasks" {
                let change = Change {
                    task_id: &id,
                    field: col,
                    old_value: text_of(&values[i])
                        .or_else(|| Some(crate::stored::shown(&values[i]))),
                    new_value: text_of(v),
                    reason: Some(format!("shark doctor --repair: {what}")),
                    forced: false,
                };
                journal::record(c, &change, actor, device, now).await?;
            }
            done.push(Repair {
                table: table.into(),
                id: id.clone(),
                what,
            });
        }
    }
    Ok(())
}
