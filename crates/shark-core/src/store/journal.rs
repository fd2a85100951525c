//! Writing the insert-only journal of a task: one history row per change
//! and typed notes, inside the caller's write transaction. Rows are only
//! ever inserted, never updated, so they merge across machines without
//! conflicts. (Reading them is `history`.)

use turso::{Connection, Value};

use super::new_id;
use crate::error::{DbContext, Result};
use crate::model::{Actor, Note};
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
