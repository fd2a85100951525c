//! Reading one task row tolerantly: the query's columns, and the mapper
//! that gives a task, or the damaged row (which column holds what) when it
//! cannot be read whole. A task whose feature is gone comes back damaged
//! rather than vanishing.

use turso::{Row, Value};

use super::row;
use crate::keys::TaskKey;
use crate::model::{Task, TaskPriority, TaskStatus};

pub(crate) const SELECT: &str = "SELECT t.id, t.feature_id, e.number, f.number, t.number, t.title,
    t.description, t.status, t.priority, t.agent_type, t.assigned_agent, t.depends_on,
    t.blocked_reason, t.created_at, t.started_at, t.completed_at, t.blocked_at, t.updated_at
    FROM tasks t LEFT JOIN features f ON f.id = t.feature_id LEFT JOIN epics e ON e.id = f.epic_id";

/// The columns of [`SELECT`], for messages about a row.
const NAMES: &[&str] = &[
    "id",
    "feature_id",
    "epic number",
    "feature number",
    "number",
    "title",
    "description",
    "status",
    "priority",
    "agent_type",
    "assigned_agent",
    "depends_on",
    "blocked_reason",
    "created_at",
    "started_at",
    "completed_at",
    "blocked_at",
    "updated_at",
];

/// A task as read, with its dependencies still as ids.
pub(crate) struct Loaded {
    pub task: Task,
    pub dep_ids: Vec<String>,
}

pub(crate) fn map(r: &Row) -> row::Parsed<Loaded> {
    let mut f = row::Fields::new(r, NAMES);
    let id = f.text(0);
    let feature_id = f.text(1);
    let orphan =
        matches!(r.get_value(2), Ok(Value::Null)) && matches!(r.get_value(3), Ok(Value::Null));
    if orphan && f.ok(1) {
        f.bad(1, crate::stored::quoted(&feature_id), "no such feature");
    }
    if !orphan && matches!(r.get_value(2), Ok(Value::Null)) {
        f.bad(2, "NULL".into(), "its feature's epic does not exist");
    }
    let key = TaskKey {
        epic: if orphan { 0 } else { f.number(2) },
        feature: if orphan { 0 } else { f.number(3) },
        number: f.number(4),
    };
    let key_ok = !orphan && f.ok(2) && f.ok(3) && f.ok(4);
    let title = f.text(5);
    let task = Task {
        id: id.clone(),
        feature_id,
        epic_key: key.feature_key().epic_key().to_string(),
        feature_key: key.feature_key().to_string(),
        key: key.to_string(),
        title: title.clone(),
        description: f.opt_text(6),
        status: f.stored(7, TaskStatus::from_stored, TaskStatus::Todo),
        priority: {
            let p = f.int(8);
            TaskPriority::from_stored(p).unwrap_or_else(|| {
                if f.ok(8) {
                    f.bad(8, p.to_string(), "not a priority (0 to 255)");
                }
                TaskPriority::DEFAULT
            })
        },
        agent_type: f.opt_text(9),
        assigned_agent: f.opt_text(10),
        depends_on: Vec::new(),
        blocked_reason: f.opt_text(12),
        created_at: f.ts(13),
        started_at: f.opt_ts(14),
        completed_at: f.opt_ts(15),
        blocked_at: f.opt_ts(16),
        updated_at: f.ts(17),
    };
    let dep_ids = f.string_list(11);
    let (id_ok, title_ok) = (f.ok(0), f.ok(5));
    f.finish(
        "tasks",
        id_ok.then_some(id),
        key_ok.then(|| task.key.clone()),
        title_ok.then_some(title),
        Loaded { task, dep_ids },
    )
}
