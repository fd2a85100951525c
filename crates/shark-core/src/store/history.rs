//! Reading a task's record: every change (who, which device, when, old and
//! new value) and its typed notes, and adding a note (the rows themselves
//! are written by `journal`), plus the devices named in them.

use turso::{Connection, Row};

use super::journal::insert_note;
use super::{Store, new_id, row, tasks};
use crate::error::Result;
use crate::model::{Actor, HistoryEntry, Note, NoteType, validate_text};
use crate::time;

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

    /// A task's notes, oldest first, of these types (none given: all).
    pub async fn task_notes(&self, key: &str, types: &[NoteType]) -> Result<Vec<Note>> {
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
            .filter(|n| types.is_empty() || types.contains(&n.note_type))
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
