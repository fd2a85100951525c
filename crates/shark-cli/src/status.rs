//! `shark status`: a dashboard of the whole plan: every epic with its
//! progress, tasks by status, and what waits on someone (reviews, blocks).

use std::collections::BTreeMap;

use serde::Serialize;
use shark_core::model::{Epic, Task, TaskStatus};
use shark_core::store::{Store, TaskFilter};
use shark_core::stored::DamagedRow;

use crate::render::{Out, clip, or_dash};

#[derive(Serialize)]
struct Blocked<'a> {
    key: &'a str,
    title: &'a str,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct Dashboard<'a> {
    epics: &'a [Epic],
    /// Every status, with how many tasks are in it (archived ones included;
    /// a newer Shark's statuses under their own names).
    tasks: BTreeMap<&'static str, usize>,
    /// Rows that could not be read, left out of every figure above.
    damaged_rows: &'a [DamagedRow],
    ready_for_review: Vec<&'a str>,
    blocked: Vec<Blocked<'a>>,
    in_progress: Vec<&'a str>,
    next: Option<&'a str>,
}

pub async fn run(store: &Store, out: &Out) -> anyhow::Result<()> {
    let epics = store.list_epics().await?;
    let tasks = store.list_tasks(&TaskFilter::everything()).await?;
    let mut damaged = epics.damaged;
    damaged.extend(tasks.damaged);
    let (epics, tasks) = (epics.items, tasks.items);
    let next = store.next_task(None, None).await?;
    let of = |s: TaskStatus| tasks.iter().filter(move |t| t.status == s);
    let keys = |s: TaskStatus| of(s).map(|t| t.key.as_str()).collect::<Vec<_>>();
    let mut counts: BTreeMap<&'static str, usize> =
        TaskStatus::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    for t in &tasks {
        *counts.entry(t.status.as_str()).or_default() += 1;
    }
    let d = Dashboard {
        epics: &epics,
        tasks: counts,
        damaged_rows: &damaged,
        ready_for_review: keys(TaskStatus::ReadyForReview),
        blocked: of(TaskStatus::Blocked)
            .map(|t| Blocked {
                key: &t.key,
                title: &t.title,
                reason: t.blocked_reason.as_deref(),
            })
            .collect(),
        in_progress: keys(TaskStatus::InProgress),
        next: next.as_ref().map(|t| t.key.as_str()),
    };
    if out.json {
        return out.json(&d);
    }
    crate::damaged::report(out, &damaged);
    if epics.is_empty() {
        return out.lines(&["No epics yet. Start with: shark epic create \"Title\""]);
    }
    crate::epic::table(out, &epics)?;
    let counts: Vec<String> = d
        .tasks
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    out.lines(&[
        String::new(),
        format!(
            "Tasks: {}",
            if counts.is_empty() {
                "none".to_string()
            } else {
                counts.join(", ")
            }
        ),
    ])?;
    let list = |title: &str, ts: Vec<&Task>| -> Vec<String> {
        let mut l = Vec::new();
        if !ts.is_empty() {
            l.push(String::new());
            l.push(title.to_string());
            for t in ts {
                l.push(format!("  {}  {}", t.key, clip(&t.title)));
            }
        }
        l
    };
    out.lines(&list(
        "Waiting for review (shark task approve KEY):",
        of(TaskStatus::ReadyForReview).collect(),
    ))?;
    let blocked: Vec<String> = of(TaskStatus::Blocked)
        .map(|t| {
            format!(
                "  {}  {} ({})",
                t.key,
                clip(&t.title),
                or_dash(t.blocked_reason.as_deref())
            )
        })
        .collect();
    if !blocked.is_empty() {
        out.lines(&["", "Blocked (shark task unblock KEY):"])?;
        out.lines(&blocked)?;
    }
    out.lines(&[
        String::new(),
        match &next {
            Some(t) => format!("Next: {}  {}", t.key, clip(&t.title)),
            None => {
                "Next: nothing ready (every todo task waits for a dependency, or there are none)"
                    .into()
            }
        },
    ])
}
