//! `shark task create|list|get|next` and dispatch of the editing commands.

use std::io::Read;

use serde::Deserialize;
use shark_core::model::{TaskPriority, TaskStatus};
use shark_core::store::{NewTask, Store, TaskFilter};

use crate::args::TaskCmd;
use crate::locate::{locate, one_of};
use crate::render::Out;
use crate::task_json::{self, NONE_READY, NoneReady, TaskGet};
use crate::task_view::{show, show_extra, table};
use crate::{task_edit, usage};

/// One task of a `--batch` file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchItem {
    #[serde(default)]
    epic: Option<String>,
    feature: String,
    title: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    priority: Option<i64>,
    #[serde(default)]
    agent: Option<String>,
    #[serde(default)]
    depends_on: Vec<String>,
}

pub async fn run(store: &Store, cmd: TaskCmd, out: &Out) -> anyhow::Result<()> {
    match cmd {
        TaskCmd::Create {
            args,
            place,
            title,
            description,
            priority,
            agent,
            depends_on,
            batch,
        } => {
            if let Some(source) = batch {
                return create_batch(store, &source, out).await;
            }
            let (tokens, title_arg) = match (title.is_some(), args.split_last()) {
                (false, Some((t, rest))) => (rest.to_vec(), Some(t.clone())),
                (_, _) => (args.clone(), None),
            };
            if tokens.len() > 2 {
                return usage("too many arguments: shark task create E01 F01 \"Title\"");
            }
            let Some(title) = one_of("title", title_arg, title)? else {
                return usage("give the task a title: shark task create E01 F01 \"Title\"");
            };
            let place = locate(&tokens, place.epic.as_deref(), place.feature.as_deref())?;
            let Some(feature) = place.feature else {
                return usage(
                    "say which feature: shark task create E01 F01 \"Title\" (or E01-F01)",
                );
            };
            let new = NewTask {
                feature: feature.to_string(),
                title,
                description,
                priority: priority.map(|p| p.parse::<TaskPriority>()).transpose()?,
                agent_type: agent,
                depends_on: depends_on
                    .into_iter()
                    .map(|d| d.trim().to_string())
                    .filter(|d| !d.is_empty())
                    .collect(),
            };
            let task = store.create_task(new, &out.actor(None)).await?;
            if out.json {
                out.json(&task)
            } else {
                out.lines(&[format!("Created task {}: {}", task.key, task.title)])
            }
        }
        TaskCmd::List {
            args,
            place,
            status,
            agent,
            show_all,
            blocked,
            priority_min,
            priority_max,
        } => {
            let place = locate(&args, place.epic.as_deref(), place.feature.as_deref())?;
            let mut statuses = status
                .iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .map(|s| s.parse::<TaskStatus>())
                .collect::<Result<Vec<_>, _>>()?;
            if blocked {
                statuses.push(TaskStatus::Blocked);
            }
            let bound = |flag: &str, v: Option<i64>| {
                v.map(|p| TaskPriority::new(p).map_err(|e| crate::Usage(format!("--{flag}: {e}"))))
                    .transpose()
            };
            let priority_min = bound("priority-min", priority_min)?;
            let priority_max = bound("priority-max", priority_max)?;
            if let (Some(lo), Some(hi)) = (priority_min, priority_max)
                && lo > hi
            {
                return usage(format!(
                    "--priority-min {} is after --priority-max {} (1 is the highest priority); swap them",
                    lo.get(),
                    hi.get()
                ));
            }
            let filter = TaskFilter {
                epic: place.epic.map(|e| e.to_string()),
                feature: place.feature.map(|f| f.to_string()),
                statuses,
                agent,
                include_archived: show_all,
                exclude_completed: !show_all,
                priority_min,
                priority_max,
            };
            let listing = store.list_tasks(&filter).await?;
            crate::damaged::report(out, &listing.damaged);
            let tasks = listing.items;
            if out.json {
                out.json(&tasks)
            } else {
                table(out, &tasks)
            }
        }
        TaskCmd::Get { key } => {
            let task = store.get_task(&key).await?;
            let notes = store.task_notes(&task.key, &[]).await?;
            let completions = store.task_completions(&task.key).await?;
            crate::damaged::report(out, &notes.damaged);
            crate::damaged::report(out, &completions.damaged);
            let (notes, completions) = (notes.items, completions.items);
            let links = store.task_links(&task).await?;
            if out.json {
                return out.json(&TaskGet {
                    task: &task,
                    nested: &task,
                    notes: &notes,
                    completions: &completions,
                    links: &links,
                });
            }
            show(out, &task, &notes)?;
            show_extra(out, &completions, &links)
        }
        TaskCmd::Next { agent, epic } => {
            let next = store.next_task(agent.as_deref(), epic.as_deref()).await?;
            match (out.json, next) {
                (true, Some(t)) => {
                    let dependency_status = store.dependency_status(&t).await?;
                    out.json(&task_json::Next {
                        task: &t,
                        dependencies: &t.depends_on,
                        dependency_status: &dependency_status,
                    })
                }
                (true, None) => out.json(&NoneReady {
                    message: NONE_READY,
                }),
                (false, Some(t)) => show(out, &t, &[]),
                (false, None) => out.lines(&[format!("{NONE_READY}.")]),
            }
        }
        other => task_edit::run(store, other, out).await,
    }
}

/// The largest batch read (file or standard input), and the most tasks in
/// one: past them the batch is refused whole, nothing written.
pub const MAX_BATCH_BYTES: u64 = 64 * 1024 * 1024;
pub const MAX_BATCH_TASKS: usize = 100_000;

/// Reads at most [`MAX_BATCH_BYTES`] (and says so when there is more).
fn read_bounded(r: impl Read, what: &str) -> anyhow::Result<String> {
    let mut s = String::new();
    r.take(MAX_BATCH_BYTES + 1)
        .read_to_string(&mut s)
        .map_err(|e| anyhow::anyhow!("cannot read {what}: {e}"))?;
    if s.len() as u64 > MAX_BATCH_BYTES {
        return usage(format!(
            "{what} is larger than {} MiB; split it into several batches (nothing was created)",
            MAX_BATCH_BYTES / (1024 * 1024)
        ));
    }
    Ok(s)
}

async fn create_batch(store: &Store, source: &str, out: &Out) -> anyhow::Result<()> {
    let text = if let Some(input) = &out.caller.input {
        if input.len() as u64 > MAX_BATCH_BYTES {
            return usage("the batch is larger than 64 MiB; split it into several batches");
        }
        input.clone()
    } else if source == "-" {
        read_bounded(std::io::stdin(), "the batch on standard input")?
    } else {
        let file = std::fs::File::open(source)
            .map_err(|e| anyhow::anyhow!("cannot read the batch file {source}: {e}"))?;
        read_bounded(file, &format!("the batch file {source}"))?
    };
    let items: Vec<BatchItem> = serde_json::from_str(&text).map_err(|e| {
        crate::Usage(format!("the batch is not a JSON array of tasks ({e}); each item needs \"feature\" and \"title\""))
    })?;
    if items.len() > MAX_BATCH_TASKS {
        return usage(format!(
            "the batch has {} tasks; the most in one is {MAX_BATCH_TASKS}: split it (nothing was created)",
            items.len()
        ));
    }
    let mut news = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let place = locate(&[item.feature], item.epic.as_deref(), None)
            .map_err(|e| anyhow::anyhow!("task {} of the batch: {e:#}", i + 1))?;
        let Some(feature) = place.feature else {
            return usage(format!("task {} of the batch has no feature", i + 1));
        };
        news.push(NewTask {
            feature: feature.to_string(),
            title: item.title,
            description: item.description,
            priority: item
                .priority
                .map(TaskPriority::new)
                .transpose()
                .map_err(|e| anyhow::anyhow!("task {} of the batch: {e}", i + 1))?,
            agent_type: item.agent,
            depends_on: item.depends_on,
        });
    }
    let created = store.create_tasks(news, &out.actor(None)).await?;
    if out.json {
        out.json(&created)
    } else {
        out.lines(&[format!("Created {} tasks", created.len())])
    }
}
