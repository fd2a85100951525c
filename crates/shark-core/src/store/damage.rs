//! Finding the rows this build cannot read (for doctor, the window's
//! Diagnostics and the status line) and reading them as stored (for exports,
//! which keep them as they are rather than leave them behind).

use std::collections::BTreeMap;

use serde::Serialize;
use turso::Value;

use super::{Store, TaskFilter, row};
use crate::error::Result;
use crate::stored::DamagedRow;

/// The synced tables a damaged row can come from (the only names
/// [`Store::stored_rows`] puts into SQL): the copied ones, and the usage figures.
fn known_table(name: &str) -> Option<&'static str> {
    super::transfer::TABLES
        .iter()
        .chain(&["usage_days"])
        .find(|t| **t == name)
        .copied()
}

/// A damaged row as stored: every column's value, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredRow {
    pub table: String,
    pub id: Option<String>,
    /// What this build could not read (see [`DamagedRow`]).
    pub problems: Vec<crate::stored::Damage>,
    /// Column name to value: text, number, `null`, or `{"hex": "..."}` for binary data.
    pub columns: BTreeMap<String, serde_json::Value>,
}

const DEVICE_NAMES: &[&str] = &["id", "name", "created_at", "updated_at"];

fn as_json(v: Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Integer(n) => n.into(),
        Value::Real(f) => serde_json::Number::from_f64(f)
            .map_or_else(|| f.to_string().into(), serde_json::Value::Number),
        Value::Text(s) => s.into(),
        Value::Blob(b) => {
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            serde_json::json!({ "hex": hex })
        }
    }
}

impl Store {
    /// Every row of every synced table that cannot be read whole.
    #[tracing::instrument(skip_all)]
    pub async fn damaged_rows(&self) -> Result<Vec<DamagedRow>> {
        let mut out = self.damaged_rows_of_devices_and_usage().await?;
        out.extend(self.list_epics().await?.damaged);
        out.extend(self.list_features(None).await?.damaged);
        out.extend(self.list_tasks(&TaskFilter::everything()).await?.damaged);
        out.extend(self.all_notes().await?.damaged);
        out.extend(self.all_history().await?.damaged);
        out.extend(self.all_completions().await?.damaged);
        Ok(out)
    }

    /// Each note's, history row's and completion's task id, by `table/id`
    /// (two tables' rows may share an id; rows whose ids cannot be read are
    /// left out).
    pub async fn record_owners(&self) -> Result<std::collections::HashMap<String, String>> {
        let pairs = row::query_all(
            &*self.reader().await?,
            "SELECT 'task_notes/' || id, task_id FROM task_notes WHERE typeof(id) = 'text'
             UNION ALL SELECT 'task_history/' || id, task_id FROM task_history WHERE typeof(id) = 'text'
             UNION ALL SELECT 'task_completions/' || id, task_id FROM task_completions WHERE typeof(id) = 'text'",
            vec![],
            |r| Ok(row::text(r, 0).ok().zip(row::text(r, 1).ok())),
        )
        .await?;
        Ok(pairs.into_iter().flatten().collect())
    }

    /// The damaged rows of the tables no list shows (devices, usage days).
    pub async fn damaged_rows_of_devices_and_usage(&self) -> Result<Vec<DamagedRow>> {
        let mut out = self.damaged_devices().await?;
        out.extend(self.usage_listing("").await?.damaged);
        Ok(out)
    }

    async fn damaged_devices(&self) -> Result<Vec<DamagedRow>> {
        let rows = row::query_listing(
            &*self.reader().await?,
            "SELECT id, name, created_at, updated_at FROM devices",
            vec![],
            |r| {
                let mut f = row::Fields::new(r, DEVICE_NAMES);
                let id = f.text(0);
                let name = f.text(1);
                f.ts(2);
                f.ts(3);
                let id_ok = f.ok(0);
                f.finish("devices", id_ok.then_some(id), None, Some(name), ())
            },
        )
        .await?;
        Ok(rows.damaged)
    }

    /// The damaged rows as stored, every column (those without a readable
    /// id, or from a table not in [`TABLES`], with no columns).
    pub async fn stored_rows(&self, damaged: &[DamagedRow]) -> Result<Vec<StoredRow>> {
        let guard = self.reader().await?;
        let mut out = Vec::with_capacity(damaged.len());
        let mut names: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for d in damaged {
            let mut columns = BTreeMap::new();
            let table = known_table(&d.table);
            if let (Some(table), Some(id)) = (table, &d.id) {
                if !names.contains_key(table) {
                    let cols = row::query_all(
                        &guard,
                        &format!("PRAGMA table_xinfo({table})"),
                        vec![],
                        |r| row::text(r, 1),
                    )
                    .await?;
                    names.insert(table, cols);
                }
                let values = row::query_opt(
                    &guard,
                    &format!("SELECT * FROM {table} WHERE id = ?1 LIMIT 1"),
                    vec![Value::from(id.clone())],
                    |r| {
                        Ok((0..r.column_count())
                            .map(|i| r.get_value(i).unwrap_or(Value::Null))
                            .collect::<Vec<_>>())
                    },
                )
                .await?
                .unwrap_or_default();
                let cols = names.get(table).map(Vec::as_slice).unwrap_or_default();
                for (i, v) in values.into_iter().enumerate() {
                    let name = cols
                        .get(i)
                        .cloned()
                        .unwrap_or_else(|| format!("column {i}"));
                    columns.insert(name, as_json(v));
                }
            }
            out.push(StoredRow {
                table: d.table.clone(),
                id: d.id.clone(),
                problems: d.problems.clone(),
                columns,
            });
        }
        Ok(out)
    }
}
