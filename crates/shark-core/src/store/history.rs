//! Reading a task's record: every change (who, which device, when, old and
//! new value) and its typed notes, and adding a note (the rows themselves
//! are written by `journal`), plus the devices named in them.

use turso::{Connection, Row};

use super::journal::insert_note;
use super::{Store, new_id, row, tasks};
use crate::error::Result;
use crate::model::{Actor, ActorKind, HistoryEntry, Note, NoteType, validate_text};
use crate::stored::{Damage, DamagedRow, Listing};
use crate::time;

const HISTORY: &[&str] = &[
    "id",
    "task_id",
    "field",
    "old_value",
    "new_value",
    "reason",
    "forced",
    "actor_kind",
    "actor",
    "device_id",
    "device name",
    "created_at",
];

fn map_history(r: &Row) -> row::Parsed<HistoryEntry> {
    let mut f = row::Fields::new(r, HISTORY);
    let h = HistoryEntry {
        id: f.text(0),
        task_key: f.text(1),
        field: f.text(2),
        old_value: f.opt_text(3),
        new_value: f.opt_text(4),
        reason: f.opt_text(5),
        forced: f.int(6) != 0,
        actor_kind: f.stored(7, ActorKind::from_stored, ActorKind::User),
        actor: f.text(8),
        device_id: f.text(9),
        device_name: f.text(10),
        created_at: f.ts(11),
    };
    let id = f.ok(0).then(|| h.id.clone());
    f.finish("task_history", id, None, None, h)
}

const NOTES: &[&str] = &[
    "id",
    "task_id",
    "note_type",
    "content",
    "actor_kind",
    "actor",
    "device_id",
    "device name",
    "created_at",
];

fn map_note(r: &Row) -> row::Parsed<Note> {
    let mut f = row::Fields::new(r, NOTES);
    let n = Note {
        id: f.text(0),
        task_key: f.text(1),
        note_type: f.stored(2, NoteType::from_stored, NoteType::Comment),
        content: f.text(3),
        actor_kind: f.stored(4, ActorKind::from_stored, ActorKind::User),
        created_by: f.text(5),
        device_id: f.text(6),
        device_name: f.text(7),
        created_at: f.ts(8),
    };
    let id = f.ok(0).then(|| n.id.clone());
    f.finish("task_notes", id, None, None, n)
}

/// Rows of a task's record read with `task_id` in column 1 (see
/// `task_key`): each gets its task's key, and one whose task cannot be read
/// is damaged (it belongs to no task a person can see).
pub(crate) fn with_keys<T>(
    rows: Listing<T>,
    table: &str,
    keys: &std::collections::HashMap<String, String>,
    id_of: impl Fn(&T) -> String,
    task_key: impl Fn(&mut T) -> &mut String,
) -> Listing<T> {
    let mut out = Listing {
        items: Vec::with_capacity(rows.items.len()),
        damaged: rows.damaged,
    };
    for mut v in rows.items {
        let task_id = task_key(&mut v).clone();
        match keys.get(&task_id) {
            Some(k) => {
                *task_key(&mut v) = k.clone();
                out.items.push(v);
            }
            None => out.damaged.push(DamagedRow {
                table: table.to_string(),
                id: Some(id_of(&v)),
                key: None,
                title: None,
                problems: vec![Damage {
                    column: "task_id".into(),
                    value: crate::stored::quoted(&task_id),
                    problem: "no task with this id can be read".into(),
                }],
            }),
        }
    }
    out
}

impl Store {
    /// Every recorded change of a task, oldest first.
    pub async fn task_history(&self, key: &str) -> Result<Listing<HistoryEntry>> {
        let guard = self.reader().await?;
        let c = &*guard;
        let task = tasks::require(c, key).await?;
        row::query_listing(
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
    pub async fn task_notes(&self, key: &str, types: &[NoteType]) -> Result<Listing<Note>> {
        let guard = self.reader().await?;
        let c = &*guard;
        let task = tasks::require(c, key).await?;
        let mut notes = row::query_listing(
            c,
            "SELECT n.id, ?2, n.note_type, n.content, n.actor_kind, n.actor, n.device_id,
                    COALESCE(d.name, n.device_id), n.created_at
             FROM task_notes n LEFT JOIN devices d ON d.id = n.device_id
             WHERE n.task_id = ?1 ORDER BY n.created_at, n.id",
            vec![task.id.into(), task.key.into()],
            map_note,
        )
        .await?;
        notes
            .items
            .retain(|n| types.is_empty() || types.contains(&n.note_type));
        Ok(notes)
    }
}

impl Store {
    /// Every history row of every task, oldest first (for exports).
    pub async fn all_history(&self) -> Result<Listing<HistoryEntry>> {
        let guard = self.reader().await?;
        let c = &*guard;
        let keys = tasks::key_map(c).await?;
        let rows = row::query_listing(
            c,
            "SELECT h.id, h.task_id, h.field, h.old_value, h.new_value, h.reason, h.forced,
                    h.actor_kind, h.actor, h.device_id, COALESCE(d.name, h.device_id), h.created_at
             FROM task_history h LEFT JOIN devices d ON d.id = h.device_id
             ORDER BY h.created_at, h.id",
            vec![],
            map_history,
        )
        .await?;
        Ok(with_keys(
            rows,
            "task_history",
            &keys,
            |h| h.id.clone(),
            |h| &mut h.task_key,
        ))
    }

    /// Every note of every task, oldest first (for exports).
    pub async fn all_notes(&self) -> Result<Listing<Note>> {
        let guard = self.reader().await?;
        let c = &*guard;
        let keys = tasks::key_map(c).await?;
        let rows = row::query_listing(
            c,
            "SELECT n.id, n.task_id, n.note_type, n.content, n.actor_kind, n.actor, n.device_id,
                    COALESCE(d.name, n.device_id), n.created_at
             FROM task_notes n LEFT JOIN devices d ON d.id = n.device_id
             ORDER BY n.created_at, n.id",
            vec![],
            map_note,
        )
        .await?;
        Ok(with_keys(
            rows,
            "task_notes",
            &keys,
            |n| n.id.clone(),
            |n| &mut n.task_key,
        ))
    }

    /// Every device that wrote here: id and name.
    pub async fn devices(&self) -> Result<Vec<(String, String)>> {
        row::query_all(
            &*self.reader().await?,
            "SELECT id, name FROM devices ORDER BY created_at, id",
            vec![],
            // A device row that cannot be read names no device.
            |r| Ok(row::text(r, 0).ok().zip(row::text(r, 1).ok())),
        )
        .await
        .map(|v| v.into_iter().flatten().collect())
    }
}
