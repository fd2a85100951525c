//! The row-level helpers of an import (see import_apply): reading a table
//! by id, inserting a row or updating only the fields that differ, and
//! placing a key number that another row already uses.

use std::collections::{BTreeSet, HashMap};

use turso::{Connection, Value};

use super::{row, transfer};
use crate::error::{DbContext, Result};
use crate::import::Counts;
use crate::keys;
use crate::time::{self, Timestamp};

type Rows = HashMap<String, HashMap<String, Value>>;

/// Every row of `table`, by id, as column -> value.
pub(super) async fn load(c: &Connection, table: &str) -> Result<Rows> {
    let cols = transfer::columns(c, table).await?;
    let list = cols.join(", ");
    let rows = row::query_all(c, &format!("SELECT {list} FROM {table}"), vec![], |r| {
        let mut m = HashMap::new();
        for (i, name) in cols.iter().enumerate() {
            m.insert(name.clone(), r.get_value(i).db("reading a row")?);
        }
        Ok(m)
    })
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|m| match m.get("id") {
            Some(Value::Text(id)) => Some((id.clone(), m)),
            _ => None,
        })
        .collect())
}

pub(super) enum Outcome {
    Inserted,
    Updated,
    Unchanged,
}

pub(super) fn count(c: &mut Counts, o: Outcome) {
    match o {
        Outcome::Inserted => c.imported += 1,
        Outcome::Updated => c.updated += 1,
        Outcome::Unchanged => c.unchanged += 1,
    }
}

/// Inserts the row, or updates the columns of `fields` that differ
/// (`insert_only` columns, such as the key number and parent, are kept).
pub(super) async fn upsert(
    c: &Connection,
    table: &str,
    id: &str,
    insert_only: &[(&str, Value)],
    fields: &[(&str, Value)],
    existing: Option<&HashMap<String, Value>>,
) -> Result<Outcome> {
    match existing {
        None => {
            let all: Vec<(&str, Value)> = std::iter::once(("id", Value::Text(id.to_string())))
                .chain(insert_only.iter().cloned())
                .chain(fields.iter().cloned())
                .collect();
            let names: Vec<&str> = all.iter().map(|(n, _)| *n).collect();
            let marks: Vec<String> = (1..=all.len()).map(|i| format!("?{i}")).collect();
            let sql = format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                names.join(", "),
                marks.join(", ")
            );
            let values: Vec<Value> = all.into_iter().map(|(_, v)| v).collect();
            c.execute(&sql, values).await.db("importing a row")?;
            Ok(Outcome::Inserted)
        }
        Some(old) => {
            let changed: Vec<&(&str, Value)> = fields
                .iter()
                .filter(|(n, v)| old.get(*n) != Some(v))
                .filter(|(n, _)| !old.get(*n).is_some_and(|o| newer_value(table, n, o)))
                .collect();
            if changed.is_empty() {
                return Ok(Outcome::Unchanged);
            }
            let sets: Vec<String> = changed
                .iter()
                .enumerate()
                .map(|(i, (n, _))| format!("{n} = ?{}", i + 2))
                .collect();
            let sql = format!("UPDATE {table} SET {} WHERE id = ?1", sets.join(", "));
            let mut values = vec![Value::Text(id.to_string())];
            values.extend(changed.into_iter().map(|(_, v)| v.clone()));
            c.execute(&sql, values)
                .await
                .db("updating an imported row")?;
            Ok(Outcome::Updated)
        }
    }
}

/// Whether `old` is a newer Shark's value in an enum column: an import never
/// replaces it (this build cannot know what it would undo).
fn newer_value(table: &str, column: &str, old: &Value) -> bool {
    use crate::model::{ActorKind, Level, NoteType, PlanStatus, TaskStatus};
    let Value::Text(s) = old else { return false };
    let known = match (table, column) {
        ("tasks", "status") => TaskStatus::knows(s),
        ("epics" | "features", "status") => PlanStatus::knows(s),
        ("epics", "priority" | "business_value") => Level::knows(s),
        ("task_notes", "note_type") => NoteType::knows(s),
        (_, "actor_kind") => ActorKind::knows(s),
        _ => return false,
    };
    !known && crate::stored::plausible(s)
}

pub(super) fn t(v: Timestamp) -> Value {
    Value::Text(time::to_text(&v))
}

pub(super) fn opt_t(v: Option<Timestamp>) -> Value {
    v.map_or(Value::Null, t)
}

pub(super) fn opt(v: &Option<String>) -> Value {
    v.clone().map_or(Value::Null, Value::Text)
}

pub(super) fn number_of(r: &HashMap<String, Value>, col: &str) -> Option<u32> {
    match r.get(col)? {
        Value::Integer(n) => u32::try_from(*n).ok(),
        _ => None,
    }
}

/// Why a row did not get the key number it asked for.
pub(super) const USED: &str = "is used here already";
pub(super) const OUT_OF_RANGE: &str = "is not a valid key (numbers run from 1 to 9999)";

/// The key number of a row: the one it has here already (an earlier import
/// placed it), else `wanted`, or the next free one when another row has
/// `wanted` or `wanted` is not a valid key number (0, or past 9999). The
/// reason says why the row was moved off `wanted`.
pub(super) fn number_for(
    existing: Option<&HashMap<String, Value>>,
    taken: &mut BTreeSet<u32>,
    wanted: u32,
) -> Result<(u32, Option<&'static str>)> {
    if let Some(n) = existing
        .and_then(|r| number_of(r, "number"))
        .filter(|n| keys::in_range(*n))
    {
        return Ok((n, None));
    }
    let (n, why) = if !keys::in_range(wanted) {
        (keys::next_free(taken)?, Some(OUT_OF_RANGE))
    } else if taken.contains(&wanted) {
        (keys::next_free(taken)?, Some(USED))
    } else {
        (wanted, None)
    };
    taken.insert(n);
    Ok((n, why))
}
