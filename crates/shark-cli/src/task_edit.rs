//! `shark task start|complete|approve|block|unblock|reopen|archive|update|note|notes|history`.

use serde::Serialize;
use shark_core::model::{NoteType, Task, TaskPriority};
use shark_core::store::{Store, TaskPatch, TransitionRequest};
use shark_core::workflow::Action;

use crate::args::{TaskCmd, TransitionArgs};
use crate::render::{Out, or_dash, when};
use crate::task::show;
use crate::usage;

#[derive(Serialize)]
struct Updated<'a> {
    #[serde(flatten)]
    task: &'a Task,
    changed: &'a [String],
}

pub async fn run(store: &Store, cmd: TaskCmd, out: &Out) -> anyhow::Result<()> {
    let (action, a) = match cmd {
        TaskCmd::Start(a) => (Action::Start, a),
        TaskCmd::Complete(a) => (Action::Complete, a),
        TaskCmd::Approve(a) => (Action::Approve, a),
        TaskCmd::Block(a) => (Action::Block, a),
        TaskCmd::Unblock(a) => (Action::Unblock, a),
        TaskCmd::Reopen(a) => (Action::Reopen, a),
        TaskCmd::Archive(a) => (Action::Archive, a),
        TaskCmd::Update {
            key,
            title,
            description,
            priority,
            agent,
            assign,
            depends_on,
        } => {
            if [
                &title,
                &description,
                &priority,
                &agent,
                &assign,
                &depends_on,
            ]
            .iter()
            .all(|f| f.is_none())
            {
                return usage(format!(
                    "nothing to update: give --title, --description, --priority, --agent, --assign or --depends-on, e.g. shark task update {key} --priority 1"
                ));
            }
            let patch = TaskPatch {
                title,
                description,
                priority: priority.map(|p| p.parse::<TaskPriority>()).transpose()?,
                agent_type: agent,
                assigned_agent: assign,
                depends_on: depends_on.map(|d| {
                    d.split(',')
                        .map(|k| k.trim().to_string())
                        .filter(|k| !k.is_empty())
                        .collect()
                }),
            };
            let outcome = store.update_task(&key, patch, &out.actor(None)).await?;
            if out.json {
                return out.json(&Updated {
                    task: &outcome.task,
                    changed: &outcome.changed,
                });
            }
            let msg = if outcome.changed.is_empty() {
                format!(
                    "{}: nothing changed (the values given are the current ones)",
                    outcome.task.key
                )
            } else {
                format!(
                    "Updated {}: {}",
                    outcome.task.key,
                    outcome.changed.join(", ")
                )
            };
            return out.lines(&[msg]);
        }
        TaskCmd::Note {
            key,
            text,
            note_type,
            agent,
        } => {
            let note_type: NoteType = note_type.parse()?;
            let note = store
                .add_note(&key, note_type, &text, &out.actor(agent.as_deref()))
                .await?;
            return if out.json {
                out.json(&note)
            } else {
                out.lines(&[format!(
                    "Added a {} note to {}",
                    note.note_type, note.task_key
                )])
            };
        }
        TaskCmd::Notes { key, note_type } => {
            let note_type = note_type.map(|t| t.parse::<NoteType>()).transpose()?;
            let notes = store.task_notes(&key, note_type).await?;
            if out.json {
                return out.json(&notes);
            }
            let rows: Vec<Vec<String>> = notes
                .iter()
                .map(|n| {
                    vec![
                        when(&n.created_at),
                        n.note_type.to_string(),
                        n.created_by.clone(),
                        n.device_name.clone(),
                        n.content.clone(),
                    ]
                })
                .collect();
            return out.table(
                &["WHEN", "TYPE", "BY", "DEVICE", "NOTE"],
                &rows,
                "No notes yet.",
            );
        }
        TaskCmd::History { key } => {
            let entries = store.task_history(&key).await?;
            if out.json {
                return out.json(&entries);
            }
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|h| {
                    let mut change = format!(
                        "{} -> {}",
                        or_dash(h.old_value.as_deref()),
                        or_dash(h.new_value.as_deref())
                    );
                    if h.forced {
                        change.push_str(" (forced)");
                    }
                    vec![
                        when(&h.created_at),
                        format!("{} ({})", h.actor, h.actor_kind),
                        h.device_name.clone(),
                        h.field.clone(),
                        change,
                        or_dash(h.reason.as_deref()),
                    ]
                })
                .collect();
            return out.table(
                &["WHEN", "WHO", "DEVICE", "FIELD", "CHANGE", "REASON"],
                &rows,
                "No history.",
            );
        }
        TaskCmd::Create { .. }
        | TaskCmd::List { .. }
        | TaskCmd::Get { .. }
        | TaskCmd::Next { .. } => {
            return usage("internal: not an editing command");
        }
    };
    transition(store, action, a, out).await
}

async fn transition(
    store: &Store,
    action: Action,
    a: TransitionArgs,
    out: &Out,
) -> anyhow::Result<()> {
    if action.needs_reason() && a.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return usage(format!(
            "say why with --reason: shark task {} {} --reason \"...\"",
            action.as_str(),
            a.key
        ));
    }
    let who = out.actor(a.agent.as_deref());
    let req = TransitionRequest {
        reason: a.reason,
        agent: a.agent,
        force: a.force,
    };
    let task = store.transition(&a.key, action, req, &who).await?;
    if out.json {
        out.json(&task)
    } else {
        show(out, &task, &[])
    }
}
