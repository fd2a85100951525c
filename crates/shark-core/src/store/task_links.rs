//! A task's place among the others: the status of each task it depends on,
//! those still in its way, and the tasks waiting for it (Go Shark's
//! `dependency_status`, `blocked_by`, `blocks`, `task deps`).

use std::collections::BTreeMap;

use serde::Serialize;
use turso::Connection;

use super::{Store, tasks};
use crate::error::Result;
use crate::keys::TaskKey;
use crate::model::{Task, TaskStatus};

/// A task's dependencies and dependents, by key.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TaskLinks {
    /// Every dependency's status (a dependency whose task is gone: absent).
    pub dependency_status: BTreeMap<String, TaskStatus>,
    /// Dependencies not completed or archived yet: what keeps it waiting.
    pub blocked_by: Vec<String>,
    /// Tasks that depend on this one (archived ones left out).
    pub blocks: Vec<String>,
}

/// Whether a dependency in `status` no longer holds a task back.
pub fn is_done(status: TaskStatus) -> bool {
    matches!(status, TaskStatus::Completed | TaskStatus::Archived)
}

/// The tasks `task` depends on, in the order given (one whose task is gone
/// is left out), and those that cannot be read whole (their status is
/// unknown, so they still hold the task back).
async fn dependencies(
    c: &Connection,
    task: &Task,
) -> Result<(Vec<Task>, Vec<crate::stored::DamagedRow>)> {
    let (mut out, mut damaged) = (Vec::new(), Vec::new());
    for d in &task.depends_on {
        let Ok(k) = TaskKey::parse(d) else { continue };
        match tasks::by_key(c, k).await {
            Ok(Some(t)) => out.push(t),
            Ok(None) => {}
            Err(crate::Error::Unreadable(row)) => damaged.push(*row),
            Err(e) => return Err(e),
        }
    }
    Ok((out, damaged))
}

/// The tasks that depend on `task` (not archived), in key order.
async fn dependents(c: &Connection, task: &Task) -> Result<Vec<Task>> {
    // Dependencies are stored as a JSON array of ids: a substring match
    // finds the candidates without reading every task, then the exact check.
    let mut found: Vec<Task> = tasks::load(
        c,
        "WHERE t.depends_on LIKE ?1 AND t.status <> ?2",
        vec![
            format!("%{}%", task.id).into(),
            TaskStatus::Archived.as_str().into(),
        ],
    )
    .await?
    .items
    .into_iter()
    .filter(|t| t.depends_on.contains(&task.key))
    .collect();
    tasks::sort(&mut found);
    Ok(found)
}

impl Store {
    /// The tasks `key` depends on, in the order given (one whose task is
    /// gone is left out; one that cannot be read whole is an error that says
    /// what it holds, since its status, done or not, is unknown).
    pub async fn dependencies_of(&self, key: &str) -> Result<Vec<Task>> {
        let guard = self.reader().await?;
        let task = tasks::require(&guard, key).await?;
        let (deps, mut damaged) = dependencies(&guard, &task).await?;
        match damaged.pop() {
            Some(d) => Err(crate::Error::Unreadable(Box::new(d))),
            None => Ok(deps),
        }
    }

    /// The tasks that depend on `key` (not archived), in key order.
    pub async fn dependents_of(&self, key: &str) -> Result<Vec<Task>> {
        let guard = self.reader().await?;
        let task = tasks::require(&guard, key).await?;
        dependents(&guard, &task).await
    }

    /// The status of each task `task` depends on (what `task next` shows).
    pub async fn dependency_status(&self, task: &Task) -> Result<BTreeMap<String, TaskStatus>> {
        let (deps, _) = dependencies(&*self.reader().await?, task).await?;
        Ok(deps.into_iter().map(|d| (d.key, d.status)).collect())
    }

    /// `task`'s dependencies' statuses and its dependents.
    pub async fn task_links(&self, task: &Task) -> Result<TaskLinks> {
        let guard = self.reader().await?;
        let (deps, damaged) = dependencies(&guard, task).await?;
        let blocks = dependents(&guard, task).await?;
        Ok(TaskLinks {
            dependency_status: deps.iter().map(|d| (d.key.clone(), d.status)).collect(),
            // A dependency that cannot be read may not be done: it holds the task.
            blocked_by: deps
                .iter()
                .filter(|d| !is_done(d.status))
                .map(|d| d.key.clone())
                .chain(damaged.iter().filter_map(|d| d.key.clone()))
                .collect(),
            blocks: blocks.into_iter().map(|t| t.key).collect(),
        })
    }
}
