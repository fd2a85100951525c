//! Changing tasks: status transitions through the workflow and field edits.
//! Only the columns that really change are written (so sync merges edits of
//! different fields), and each change gets its own history row.

use std::collections::HashMap;

use turso::{Connection, Value};

use super::journal::{self, Change};
use super::{Store, completions, row, tasks};
use crate::error::{Error, Result};
use crate::model::{
    Actor, Completion, Note, NoteType, Task, TaskPriority, TaskStatus, validate_name,
    validate_opt_name, validate_opt_text, validate_text, validate_title,
};
use crate::time;
use crate::workflow::{self, Action};

/// Options of a status change.
#[derive(Debug, Clone, Default)]
pub struct TransitionRequest {
    /// Why (required to block; kept as the blocked reason and in history).
    pub reason: Option<String>,
    /// Go Shark's `--notes`: kept as a note whose type follows the change
    /// (implementation on complete, rejection on reopen, blocker on block,
    /// comment otherwise), and as the history reason when none is given.
    pub notes: Option<String>,
    /// Go Shark's `--rejection-reason`: a rejection note, and the history reason.
    pub rejection_reason: Option<String>,
    /// A document (path or URL) that explains the reason, kept with it.
    pub reason_doc: Option<String>,
    /// On `start`, the agent taking the task (becomes its assigned agent).
    pub agent: Option<String>,
    /// Apply the action's target status even when the workflow does not allow it.
    pub force: bool,
    /// What the agent reports on `complete` (stored when not empty).
    pub completion: Option<Completion>,
}

/// Where a status change goes: an action's target, or a status asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Action(Action),
    To(TaskStatus),
}

impl Move {
    fn target(self) -> TaskStatus {
        match self {
            Move::Action(a) => a.target(),
            Move::To(s) => s,
        }
    }
}

/// The note type `--notes` gets for a change from `from` to `to`.
fn note_type_for(from: TaskStatus, to: TaskStatus) -> NoteType {
    use TaskStatus::*;
    match (from, to) {
        (_, ReadyForReview) => NoteType::Implementation,
        (_, Blocked) => NoteType::Blocker,
        (ReadyForReview | Completed | Archived, InProgress) => NoteType::Rejection,
        _ => NoteType::Comment,
    }
}

/// Field edits; `None` leaves a field alone. For optional text fields an
/// empty string clears the field; an empty `depends_on` removes all dependencies.
#[derive(Debug, Clone, Default)]
pub struct TaskPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub priority: Option<TaskPriority>,
    pub agent_type: Option<String>,
    pub assigned_agent: Option<String>,
    pub depends_on: Option<Vec<String>>,
}

impl TaskPatch {
    /// Whether the patch edits no field.
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.priority.is_none()
            && self.agent_type.is_none()
            && self.assigned_agent.is_none()
            && self.depends_on.is_none()
    }
}

/// The task after an update and the fields that changed (empty: nothing did).
#[derive(Debug, Clone)]
pub struct UpdateOutcome {
    pub task: Task,
    pub changed: Vec<String>,
}

/// Column edits collected before one UPDATE.
#[derive(Default)]
struct Edits {
    sets: Vec<(&'static str, Value)>,
    changes: Vec<(&'static str, Option<String>, Option<String>)>,
}

impl Edits {
    /// Queues `column = new` with a history row when the value differs.
    fn field(
        &mut self,
        column: &'static str,
        old: Option<String>,
        new: Option<String>,
        stored: Value,
    ) {
        if old != new {
            self.sets.push((column, stored));
            self.changes.push((column, old, new));
        }
    }

    async fn apply(&self, c: &Connection, task_id: &str, now: &str) -> Result<()> {
        row::update(c, "tasks", task_id, now, &self.sets, "updating a task").await
    }
}

impl Store {
    /// Moves a task through the workflow (see [`crate::workflow`]).
    pub async fn transition(
        &self,
        key: &str,
        action: Action,
        req: TransitionRequest,
        actor: &Actor,
    ) -> Result<Task> {
        self.move_task(key, Move::Action(action), req, actor).await
    }

    /// Moves a task to a status: by the action that leads there from its
    /// status, else (with `force`) as a forced change.
    pub async fn set_status(
        &self,
        key: &str,
        to: TaskStatus,
        req: TransitionRequest,
        actor: &Actor,
    ) -> Result<Task> {
        self.move_task(key, Move::To(to), req, actor).await
    }

    #[tracing::instrument(skip_all, fields(to = mv.target().as_str()))]
    async fn move_task(
        &self,
        key: &str,
        mv: Move,
        req: TransitionRequest,
        actor: &Actor,
    ) -> Result<Task> {
        let reason = validate_opt_text("reason", req.reason.as_deref())?;
        let notes = validate_opt_text("notes", req.notes.as_deref())?;
        let rejection = validate_opt_text("rejection reason", req.rejection_reason.as_deref())?;
        let doc = validate_opt_name("reason document", req.reason_doc.as_deref())?;
        if mv.target() == TaskStatus::Blocked && reason.is_none() {
            return Err(Error::invalid("a reason is required to block a task"));
        }
        let completion = match &req.completion {
            Some(c) if !c.is_empty() => Some(completions::validate(c)?),
            _ => None,
        };
        // What history keeps as the reason: the reason, else the rejection
        // reason, else the notes; the document named after it.
        let why = reason.clone().or(rejection.clone()).or(notes.clone());
        let why = match (why, &doc) {
            (Some(w), Some(d)) => Some(format!("{w} (document: {d})")),
            (None, Some(d)) => Some(format!("see {d}")),
            (w, None) => w,
        };
        let agent = validate_opt_name("agent", req.agent.as_deref())?;
        let device = self.device().clone();
        let key = self
            .write(async |c: &Connection| {
                let task = tasks::require(c, key).await?;
                let (action, change) = match mv {
                    Move::Action(a) => (
                        Some(a),
                        workflow::plan(&task.key, task.status, a, req.force)?,
                    ),
                    Move::To(to) => workflow::plan_to(&task.key, task.status, to, req.force)?,
                };
                let now = time::now();
                let mut e = Edits::default();
                let to = change.to;
                e.sets.push(("status", to.as_str().into()));
                if to == TaskStatus::InProgress && task.started_at.is_none() {
                    e.sets.push(("started_at", time::to_text(&now).into()));
                }
                if to == TaskStatus::Completed {
                    e.sets.push(("completed_at", time::to_text(&now).into()));
                } else if task.completed_at.is_some() && change.from == TaskStatus::Completed {
                    e.sets.push(("completed_at", Value::Null));
                }
                if to == TaskStatus::Blocked {
                    e.sets.push(("blocked_at", time::to_text(&now).into()));
                    e.sets.push(("blocked_reason", reason.clone().into()));
                } else if change.from == TaskStatus::Blocked {
                    e.sets.push(("blocked_at", Value::Null));
                    e.sets.push(("blocked_reason", Value::Null));
                }
                if (action == Some(Action::Start) || to == TaskStatus::InProgress)
                    && agent.is_some()
                {
                    e.field(
                        "assigned_agent",
                        task.assigned_agent.clone(),
                        agent.clone(),
                        agent.clone().into(),
                    );
                }
                e.apply(c, &task.id, &time::to_text(&now)).await?;
                let status = Change {
                    task_id: &task.id,
                    field: "status",
                    old_value: Some(change.from.as_str().into()),
                    new_value: Some(to.as_str().into()),
                    reason: why.clone(),
                    forced: change.forced,
                };
                journal::record(c, &status, actor, &device.id, &now).await?;
                record_all(c, &task.id, &e, actor, &device.id, &now).await?;
                let typed = [
                    (notes.clone(), note_type_for(change.from, to)),
                    (rejection.clone(), NoteType::Rejection),
                ];
                for (text, note_type) in typed {
                    let Some(text) = text else { continue };
                    let content = match &doc {
                        Some(d) => format!("{text}\n(document: {d})"),
                        None => text,
                    };
                    let note = Note {
                        id: super::new_id(),
                        task_key: task.key.clone(),
                        note_type,
                        content,
                        actor_kind: actor.kind,
                        created_by: actor.name.clone(),
                        device_id: device.id.clone(),
                        device_name: device.name.clone(),
                        created_at: now,
                    };
                    journal::insert_note(c, &task.id, &note).await?;
                }
                if let Some(report) = &completion {
                    completions::insert(c, &task.id, report, actor, &device.id, &now).await?;
                }
                Ok(task.key)
            })
            .await?;
        self.get_task(&key).await
    }

    /// Edits task fields; each changed field is recorded in history. Restoring
    /// an earlier value (seen in history) is an update with that value.
    #[tracing::instrument(skip_all)]
    pub async fn update_task(
        &self,
        key: &str,
        patch: TaskPatch,
        actor: &Actor,
    ) -> Result<UpdateOutcome> {
        if patch.is_empty() {
            return Err(Error::invalid(
                "nothing to update: give a new title, description, priority, agent type, assigned agent or dependencies",
            ));
        }
        let title = patch.title.as_deref().map(validate_title).transpose()?;
        let description = patch
            .description
            .as_deref()
            .map(|d| validate_text("description", d))
            .transpose()?;
        let agent_type = patch
            .agent_type
            .as_deref()
            .map(|a| validate_name("agent type", a))
            .transpose()?;
        let assigned = patch
            .assigned_agent
            .as_deref()
            .map(|a| validate_name("agent", a))
            .transpose()?;
        let device = self.device().id.clone();
        let (key, changed) = self
            .write(async |c: &Connection| {
                let task = tasks::require(c, key).await?;
                let mut e = Edits::default();
                if let Some(t) = title.clone() {
                    e.field("title", Some(task.title.clone()), Some(t.clone()), t.into());
                }
                if let Some(d) = description.clone() {
                    e.field("description", task.description.clone(), d.clone(), d.into());
                }
                if let Some(p) = patch.priority {
                    let new = p.get().to_string();
                    e.field(
                        "priority",
                        Some(task.priority.get().to_string()),
                        Some(new),
                        i64::from(p.get()).into(),
                    );
                }
                if let Some(a) = agent_type.clone() {
                    e.field("agent_type", task.agent_type.clone(), a.clone(), a.into());
                }
                if let Some(a) = assigned.clone() {
                    e.field(
                        "assigned_agent",
                        task.assigned_agent.clone(),
                        a.clone(),
                        a.into(),
                    );
                }
                if let Some(keys) = &patch.depends_on {
                    let deps = tasks::resolve_deps(c, keys).await?;
                    check_no_cycle(c, &task, &deps).await?;
                    let new: Vec<String> = deps.iter().map(|(_, k)| k.clone()).collect();
                    let text = |v: &[String]| (!v.is_empty()).then(|| v.join(","));
                    e.field(
                        "depends_on",
                        text(&task.depends_on),
                        text(&new),
                        tasks::ids_json(&deps).into(),
                    );
                }
                let now = time::now();
                e.apply(c, &task.id, &time::to_text(&now)).await?;
                record_all(c, &task.id, &e, actor, &device, &now).await?;
                Ok((
                    task.key,
                    e.changes
                        .iter()
                        .map(|(f, _, _)| f.to_string())
                        .collect::<Vec<_>>(),
                ))
            })
            .await?;
        Ok(UpdateOutcome {
            task: self.get_task(&key).await?,
            changed,
        })
    }
}

async fn record_all(
    c: &Connection,
    task_id: &str,
    e: &Edits,
    actor: &Actor,
    device: &str,
    now: &time::Timestamp,
) -> Result<()> {
    for (field, old, new) in &e.changes {
        let change = Change {
            task_id,
            field,
            old_value: old.clone(),
            new_value: new.clone(),
            reason: None,
            forced: false,
        };
        journal::record(c, &change, actor, device, now).await?;
    }
    Ok(())
}

/// Refuses dependencies that would make `task` (indirectly) wait for itself.
async fn check_no_cycle(c: &Connection, task: &Task, deps: &[(String, String)]) -> Result<()> {
    // A row whose id or list cannot be read waits for nothing here.
    let rows = row::query_all(c, "SELECT id, depends_on FROM tasks", vec![], |r| {
        Ok(row::text(r, 0).ok().zip(row::text(r, 1).ok()))
    })
    .await?;
    let mut graph: HashMap<String, Vec<String>> = HashMap::new();
    for (id, json) in rows.into_iter().flatten() {
        graph.insert(id, serde_json::from_str(&json).unwrap_or_default());
    }
    let keys = tasks::key_map(c).await?;
    graph.insert(
        task.id.clone(),
        deps.iter().map(|(id, _)| id.clone()).collect(),
    );
    if let Some(path) = find_cycle(&graph, &task.id) {
        let shown: Vec<&str> = path
            .iter()
            .map(|id| keys.get(id).map_or(id.as_str(), String::as_str))
            .collect();
        return Err(Error::invalid(format!(
            "these dependencies would create a cycle: {}; a task cannot wait for itself",
            shown.join(" -> ")
        )));
    }
    Ok(())
}

/// A path `start -> ... -> start` through the dependency graph, if one exists.
fn find_cycle(graph: &HashMap<String, Vec<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack: Vec<(String, Vec<String>)> = vec![(start.to_string(), vec![start.to_string()])];
    let mut seen = std::collections::HashSet::new();
    while let Some((node, path)) = stack.pop() {
        for next in graph.get(&node).into_iter().flatten() {
            let mut p = path.clone();
            p.push(next.clone());
            if next == start {
                return Some(p);
            }
            if seen.insert(next.clone()) {
                stack.push((next.clone(), p));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::find_cycle;
    use std::collections::HashMap;

    fn g(edges: &[(&str, &[&str])]) -> HashMap<String, Vec<String>> {
        edges
            .iter()
            .map(|(a, bs)| (a.to_string(), bs.iter().map(|b| b.to_string()).collect()))
            .collect()
    }

    #[test]
    fn finds_direct_and_indirect_cycles() {
        assert_eq!(
            find_cycle(&g(&[("a", &["a"])]), "a"),
            Some(vec!["a".into(), "a".into()])
        );
        let graph = g(&[("a", &["b"]), ("b", &["c"]), ("c", &["a"])]);
        assert_eq!(
            find_cycle(&graph, "a").map(|p| p.join(">")),
            Some("a>b>c>a".into())
        );
    }

    #[test]
    fn diamonds_are_not_cycles() {
        let graph = g(&[("a", &["b", "c"]), ("b", &["d"]), ("c", &["d"]), ("d", &[])]);
        assert_eq!(find_cycle(&graph, "a"), None);
    }
}
