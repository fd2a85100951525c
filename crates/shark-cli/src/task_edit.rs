//! `shark task start|complete|approve|block|unblock|reopen|archive|delete|
//! set-status|update|note|notes|history|deps|blocked-by|blocks`.

use serde::Serialize;
use shark_core::model::{Completion, NoteType, Task, TaskPriority, TaskStatus};
use shark_core::store::{Move, Store, TaskPatch, TransitionRequest};
use shark_core::workflow::Action;

use crate::args::{CompletionArgs, TaskCmd, TransitionArgs};
use crate::render::{Out, clip, or_dash, when};
use crate::task_json::{go_history, history_csv};
use crate::task_view::show;
use crate::usage;

#[derive(Serialize)]
struct Updated<'a> {
    #[serde(flatten)]
    task: &'a Task,
    changed: &'a [String],
}

pub async fn run(store: &Store, cmd: TaskCmd, out: &Out) -> anyhow::Result<()> {
    let (mv, a, report) = match cmd {
        TaskCmd::Start(a) => (Move::Action(Action::Start), a, None),
        TaskCmd::Complete { t, report } => (Move::Action(Action::Complete), t, Some(report)),
        TaskCmd::Approve(a) => (Move::Action(Action::Approve), a, None),
        TaskCmd::Block(a) => (Move::Action(Action::Block), a, None),
        TaskCmd::Unblock(a) => (Move::Action(Action::Unblock), a, None),
        TaskCmd::Reopen(a) => (Move::Action(Action::Reopen), a, None),
        TaskCmd::Archive(a) | TaskCmd::Delete(a) => (Move::Action(Action::Archive), a, None),
        TaskCmd::SetStatus { t, status } => (Move::To(status.parse::<TaskStatus>()?), t, None),
        TaskCmd::Update {
            key,
            title,
            description,
            priority,
            agent,
            assign,
            depends_on,
            status,
            reason,
            reason_doc,
            force,
        } => {
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
            let status = status.map(|s| s.parse::<TaskStatus>()).transpose()?;
            let req = TransitionRequest {
                reason,
                reason_doc,
                force,
                ..TransitionRequest::default()
            };
            return update(store, &key, patch, status, req, out).await;
        }
        TaskCmd::Note {
            args,
            note_type,
            agent,
        } => {
            // `KEY TEXT...` (Shark) or `add KEY TEXT...` (Go Shark).
            let args = match args.split_first() {
                Some((first, rest)) if first.eq_ignore_ascii_case("add") && !rest.is_empty() => {
                    rest
                }
                _ => &args[..],
            };
            let Some((key, words)) = args.split_first().filter(|(_, w)| !w.is_empty()) else {
                return usage(
                    "give the task and the text: shark task note KEY \"text\" (or shark task note add KEY \"text\")",
                );
            };
            let note_type: NoteType = note_type.parse()?;
            let note = store
                .add_note(
                    key,
                    note_type,
                    &words.join(" "),
                    &out.actor(agent.as_deref()),
                )
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
        TaskCmd::Notes { key, note_type } => return notes(store, &key, &note_type, out).await,
        TaskCmd::History { key, format } => {
            return history(store, &key, format.as_deref(), out).await;
        }
        TaskCmd::Deps { key } => {
            let deps = store.dependencies_of(&key).await?;
            return related(out, &deps, "It depends on no task.");
        }
        TaskCmd::BlockedBy { key } => {
            let deps: Vec<Task> = store
                .dependencies_of(&key)
                .await?
                .into_iter()
                .filter(|t| !shark_core::store::is_done(t.status))
                .collect();
            return related(out, &deps, "Nothing blocks it: every dependency is done.");
        }
        TaskCmd::Blocks { key } => {
            let deps = store.dependents_of(&key).await?;
            return related(out, &deps, "No task waits for it.");
        }
        TaskCmd::Create { .. }
        | TaskCmd::List { .. }
        | TaskCmd::Get { .. }
        | TaskCmd::Next { .. } => {
            return usage("internal: not an editing command");
        }
    };
    transition(store, mv, a, report, out).await
}

fn completion(r: CompletionArgs) -> Completion {
    Completion {
        files_created: r.files_created,
        files_modified: r.files_modified,
        tests: r.tests,
        summary: r.summary,
        verified: r.verified,
        time_spent_minutes: r.time_spent,
        agent_id: r.agent_id,
    }
}

async fn transition(
    store: &Store,
    mv: Move,
    a: TransitionArgs,
    report: Option<CompletionArgs>,
    out: &Out,
) -> anyhow::Result<()> {
    if mv == Move::Action(Action::Block) && a.reason.as_deref().is_none_or(|r| r.trim().is_empty())
    {
        return usage(format!(
            "say why with --reason: shark task block {} --reason \"...\"",
            a.key
        ));
    }
    let who = out.actor(a.agent.as_deref());
    let req = TransitionRequest {
        reason: a.reason,
        notes: a.notes,
        rejection_reason: a.rejection_reason,
        reason_doc: a.reason_doc,
        agent: a.agent,
        force: a.force,
        completion: report.map(completion),
    };
    let task = match mv {
        Move::Action(action) => store.transition(&a.key, action, req, &who).await?,
        Move::To(status) => store.set_status(&a.key, status, req, &who).await?,
    };
    if out.json {
        out.json(&task)
    } else {
        show(out, &task, &[])
    }
}

/// `task update`: field edits, then the status change if one is asked for.
async fn update(
    store: &Store,
    key: &str,
    patch: TaskPatch,
    status: Option<TaskStatus>,
    req: TransitionRequest,
    out: &Out,
) -> anyhow::Result<()> {
    let no_fields = patch.is_empty();
    if no_fields && status.is_none() {
        return usage(format!(
            "nothing to update: give --title, --description, --priority, --agent, --assign, --depends-on or --status, e.g. shark task update {key} --priority 1"
        ));
    }
    let who = out.actor(None);
    let mut changed = Vec::new();
    let mut task = store.get_task(key).await?;
    // A status change the workflow refuses is refused before any field is
    // written, so a rejected update changes nothing.
    if let Some(to) = status
        && to != task.status
    {
        shark_core::workflow::plan_to(&task.key, task.status, to, req.force)?;
    }
    if !no_fields {
        let outcome = store.update_task(key, patch, &who).await?;
        changed = outcome.changed;
        task = outcome.task;
    }
    if let Some(to) = status
        && to != task.status
    {
        task = store.set_status(key, to, req, &who).await?;
        changed.push("status".into());
    }
    if out.json {
        return out.json(&Updated {
            task: &task,
            changed: &changed,
        });
    }
    let msg = if changed.is_empty() {
        format!(
            "{}: nothing changed (the values given are the current ones)",
            task.key
        )
    } else {
        format!("Updated {}: {}", task.key, changed.join(", "))
    };
    out.lines(&[msg])
}

async fn notes(store: &Store, key: &str, types: &[String], out: &Out) -> anyhow::Result<()> {
    let types = types
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .map(|t| t.parse::<NoteType>())
        .collect::<Result<Vec<_>, _>>()?;
    let listing = store.task_notes(key, &types).await?;
    crate::damaged::report(out, &listing.damaged);
    let notes = listing.items;
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
    out.table(
        &["WHEN", "TYPE", "BY", "DEVICE", "NOTE"],
        &rows,
        "No notes yet.",
    )
}

async fn history(store: &Store, key: &str, format: Option<&str>, out: &Out) -> anyhow::Result<()> {
    let listing = store.task_history(key).await?;
    crate::damaged::report(out, &listing.damaged);
    let entries = listing.items;
    let task_key = store.get_task(key).await?.key;
    match format {
        Some("json") => {
            return out.json(&go_history(&task_key, &entries, shark_core::time::now()));
        }
        Some("csv") => {
            let csv = history_csv(&go_history(&task_key, &entries, shark_core::time::now()));
            return out.lines(&[csv.trim_end()]);
        }
        _ if out.json => return out.json(&entries),
        _ => {}
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
    out.table(
        &["WHEN", "WHO", "DEVICE", "FIELD", "CHANGE", "REASON"],
        &rows,
        "No history.",
    )
}

/// Related tasks (deps, blocked-by, blocks): `{results, count}` in JSON.
fn related(out: &Out, tasks: &[Task], none: &str) -> anyhow::Result<()> {
    if out.json {
        return out.json(&crate::plan::Results {
            results: tasks,
            count: tasks.len(),
        });
    }
    let rows: Vec<Vec<String>> = tasks
        .iter()
        .map(|t| vec![t.key.clone(), t.status.to_string(), clip(&t.title)])
        .collect();
    out.table(&["KEY", "STATUS", "TITLE"], &rows, none)
}
