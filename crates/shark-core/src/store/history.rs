//! The insert-only record of every task change (who, which device, when, old
//! and new value) and the typed notes. Rows are only ever inserted, never
//! updated, so they merge across machines without conflicts.

use turso::{Connection, Row, Value};

use super::{Store, new_id, row, tasks};
use crate::error::{DbContext, Result};
use crate::model::{Actor, HistoryEntry, Note, NoteType, validate_text};
use crate::time::{self, Timestamp};

/// One field's change, as recorded.
#[derive(Debug)]
pub(crate) struct Change<'a> {
    pub task_id: &'a str,
    pub field: &'a str,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<String>,
    pub forced: bool,
}

/// Inserts one history row.
pub(crate) async fn record(
    c: &Connection,
    change: &Change<'_>,
    actor: &Actor,
    device: &str,
    at: &Timestamp,
) -> Result<()> {
    c.execute(
        "INSERT INTO task_history (id, task_id, field, old_value, new_value, reason, forced,
            actor_kind, actor, device_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        Vec::<Value>::from([
            new_id().into(),
            change.task_id.into(),
            change.field.into(),
            change.old_value.clone().into(),
            change.new_value.clone().into(),
            change.reason.clone().into(),
            i64::from(change.forced).into(),
            actor.kind.as_str().into(),
            actor.name.as_str().into(),
            device.into(),
            time::to_text(at).into(),
        ]),
    )
    .await
    .db("recording history")?;
    Ok(())
}

/// Inserts one note row (inside the caller's transaction).
pub(crate) async fn insert_note(c: &Connection, task_id: &str, note: &Note) -> Result<()> {
    c.execute(
        "INSERT INTO task_notes (id, task_id, note_type, content, actor_kind, actor, device_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        Vec::<Value>::from([
            note.id.clone().into(),
            task_id.into(),
            note.note_type.as_str().into(),
            note.content.clone().into(),
            note.actor_kind.as_str().into(),
            note.created_by.clone().into(),
            note.device_id.clone().into(),
            time::to_text(&note.created_at).into(),
        ]),
    )
    .await
    .db("adding a note")?;
    Ok(())
}

fn map_history(r: &Row) -> Result<HistoryEntry> {
    Ok(HistoryEntry {
        id: row::text(r, 0)?,
        task_key: row::text(r, 1)?,
        field: row::text(r, 2)?,
        old_value: row::opt_text(r, 3)?,
        new_value: row::opt_text(r, 4)?,
        reason: row::opt_text(r, 5)?,
        forced: row::int(r, 6)? != 0,
        actor_kind: row::parsed(r, 7)?,
        actor: row::text(r, 8)?,
        device_id: row::text(r, 9)?,
        device_name: row::text(r, 10)?,
        created_at: row::ts(r, 11)?,
    })
}

fn map_note(r: &Row) -> Result<Note> {
    Ok(Note {
        id: row::text(r, 0)?,
        task_key: row::text(r, 1)?,
        note_type: row::parsed(r, 2)?,
        content: row::text(r, 3)?,
        actor_kind: row::parsed(r, 4)?,
        created_by: row::text(r, 5)?,
        device_id: row::text(r, 6)?,
        device_name: row::text(r, 7)?,
        created_at: row::ts(r, 8)?,
    })
}

impl Store {
    /// Every recorded change of a task, oldest first.
    pub async fn task_history(&self, key: &str) -> Result<Vec<HistoryEntry>> {
        let guard = self.reader().await?;
        let c = &*guard;
        let task = tasks::require(c, key).await?;
        row::query_all(
            c,
            "SELECT h.id, ?2, h.field, h.old_value, h.new_value, h.reason, h.forced, h.actor_kind,
                    h.actor, h.device_id, COALESCE(d.name, h.device_id), h.created_at
             FROM task_history h LEFT JOIN devices d ON d.id = h.device_id
             WHERE h.task_id = ?1 ORDER BY h.created_at, h.id",
            vec![task.id.into(), task.key.into()],
            map_history,
        )
        .await
    }

    /// Adds a typed note to a task.
    #[tracing::instrument(skip_all)]
    pub async fn add_note(
        &self,
        key: &str,
        note_type: NoteType,
        content: &str,
        actor: &Actor,
    ) -> Result<Note> {
        let content = validate_text("note", content)?
            .ok_or_else(|| crate::Error::invalid("the note is empty; give its text"))?;
        let device = self.device().clone();
        self.write(async |c: &Connection| {
            let task = tasks::require(c, key).await?;
            let now = time::now();
            let note = Note {
                id: new_id(),
                task_key: task.key.clone(),
                note_type,
                content: content.clone(),
                actor_kind: actor.kind,
                created_by: actor.name.clone(),
                device_id: device.id.clone(),
                device_name: device.name.clone(),
                created_at: now,
            };
            insert_note(c, &task.id, &note).await?;
            Ok(note)
        })
        .await
    }

    /// A task's notes, oldest first, optionally of one type.
    pub async fn task_notes(&self, key: &str, note_type: Option<NoteType>) -> Result<Vec<Note>> {
        let guard = self.reader().await?;
        let c = &*guard;
        let task = tasks::require(c, key).await?;
        let notes = row::query_all(
            c,
            "SELECT n.id, ?2, n.note_type, n.content, n.actor_kind, n.actor, n.device_id,
                    COALESCE(d.name, n.device_id), n.created_at
             FROM task_notes n LEFT JOIN devices d ON d.id = n.device_id
             WHERE n.task_id = ?1 ORDER BY n.created_at, n.id",
            vec![task.id.into(), task.key.into()],
            map_note,
        )
        .await?;
        Ok(notes
            .into_iter()
            .filter(|n| note_type.is_none_or(|t| n.note_type == t))
            .collect())
    }
}

impl Store {
    /// Every history row of every task, oldest first (for exports).
    pub async fn all_history(&self) -> Result<Vec<HistoryEntry>> {
        let guard = self.reader().await?;
        let c = &*guard;
        let keys = tasks::key_map(c).await?;
        let rows = row::query_all(
            c,
            "SELECT h.id, h.task_id, h.field, h.old_value, h.new_value, h.reason, h.forced,
                    h.actor_kind, h.actor, h.device_id, COALESCE(d.name, h.device_id), h.created_at
             FROM task_history h LEFT JOIN devices d ON d.id = h.device_id
             ORDER BY h.created_at, h.id",
            vec![],
            map_history,
        )
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|mut h| {
                h.task_key = keys.get(&h.task_key)?.clone();
                Some(h)
            })
            .collect())
    }

    /// Every note of every task, oldest first (for exports).
    pub async fn all_notes(&self) -> Result<Vec<Note>> {
        let guard = self.reader().await?;
        let c = &*guard;
        let keys = tasks::key_map(c).await?;
        let rows = row::query_all(
            c,
            "SELECT n.id, n.task_id, n.note_type, n.content, n.actor_kind, n.actor, n.device_id,
                    COALESCE(d.name, n.device_id), n.created_at
             FROM task_notes n LEFT JOIN devices d ON d.id = n.device_id
             ORDER BY n.created_at, n.id",
            vec![],
            map_note,
        )
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|mut n| {
                n.task_key = keys.get(&n.task_key)?.clone();
                Some(n)
            })
            .collect())
    }

    /// Every device that wrote here: id and name.
    pub async fn devices(&self) -> Result<Vec<(String, String)>> {
        row::query_all(
            &*self.reader().await?,
            "SELECT id, name FROM devices ORDER BY created_at, id",
            vec![],
            |r| Ok((row::text(r, 0)?, row::text(r, 1)?)),
        )
        .await
    }
}
