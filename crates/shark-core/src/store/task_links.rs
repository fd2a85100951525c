//! A task's place among the others: the status of each task it depends on,
//! those still in its way, and the tasks waiting for it (Go Shark's
//! `dependency_status`, `blocked_by`, `blocks`, `task deps`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Store, TaskFilter};
use crate::error::Result;
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

impl Store {
    /// The tasks `key` depends on, in the order given.
    pub async fn dependencies_of(&self, key: &str) -> Result<Vec<Task>> {
        let task = self.get_task(key).await?;
        let all = self.list_tasks(&TaskFilter::everything()).await?;
        Ok(task
            .depends_on
            .iter()
            .filter_map(|d| all.iter().find(|t| t.key == *d).cloned())
            .collect())
    }

    /// The tasks that depend on `key` (not archived), in key order.
    pub async fn dependents_of(&self, key: &str) -> Result<Vec<Task>> {
        let task = self.get_task(key).await?;
        let all = self.list_tasks(&TaskFilter::default()).await?;
        Ok(all
            .into_iter()
            .filter(|t| t.depends_on.contains(&task.key))
            .collect())
    }

    /// `task`'s dependencies' statuses and its dependents.
    pub async fn task_links(&self, task: &Task) -> Result<TaskLinks> {
        let deps = self.dependencies_of(&task.key).await?;
        let blocks = self.dependents_of(&task.key).await?;
        Ok(TaskLinks {
            dependency_status: deps.iter().map(|d| (d.key.clone(), d.status)).collect(),
            blocked_by: deps
                .iter()
                .filter(|d| !is_done(d.status))
                .map(|d| d.key.clone())
                .collect(),
            blocks: blocks.into_iter().map(|t| t.key).collect(),
        })
    }
}
