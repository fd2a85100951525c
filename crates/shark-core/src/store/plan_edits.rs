//! Editing epics and features: their fields, a status set by hand (or back
//! to following the work, see [`crate::plan_status`]), completing one, and
//! deleting one (archiving it with every task inside, so nothing is lost and
//! the change syncs as ordinary updates, never as a delete).

use turso::{Connection, Value};

use super::journal::{self, Change};
use super::task_links::is_done;
use super::{Store, epics, features, row};
use crate::error::{Error, Result};
use crate::model::{
    Actor, Epic, Feature, Level, PlanStatus, TaskStatus, validate_opt_text, validate_title,
};
use crate::time;

/// Field edits of an epic or a feature; `None` leaves a field alone. An
/// empty description clears it. `status: Some(Draft)` means "follow the work".
#[derive(Debug, Clone, Default)]
pub struct PlanPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    /// Epics only.
    pub priority: Option<Level>,
    /// Epics only.
    pub business_value: Option<Level>,
    /// Features only.
    pub execution_order: Option<i64>,
    pub status: Option<PlanStatus>,
}

impl PlanPatch {
    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.priority.is_none()
            && self.business_value.is_none()
            && self.execution_order.is_none()
            && self.status.is_none()
    }
}

/// Which level an edit is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level2 {
    Epic,
    Feature,
}

impl Level2 {
    fn table(self) -> &'static str {
        match self {
            Level2::Epic => "epics",
            Level2::Feature => "features",
        }
    }

    /// The tasks inside an epic or a feature (by its id): id, key-less status.
    fn tasks_sql(self) -> &'static str {
        match self {
            Level2::Epic => {
                "SELECT t.id, t.status FROM tasks t JOIN features f ON f.id = t.feature_id WHERE f.epic_id = ?1"
            }
            Level2::Feature => "SELECT t.id, t.status FROM tasks t WHERE t.feature_id = ?1",
        }
    }
}

/// The columns to set, from a patch (validated).
fn sets(level: Level2, p: &PlanPatch) -> Result<Vec<(&'static str, Value)>> {
    let mut sets: Vec<(&'static str, Value)> = Vec::new();
    if let Some(t) = &p.title {
        sets.push(("title", validate_title(t)?.into()));
    }
    if let Some(d) = &p.description {
        sets.push((
            "description",
            validate_opt_text("description", Some(d))?.into(),
        ));
    }
    match level {
        Level2::Epic => {
            if p.execution_order.is_some() {
                return Err(Error::invalid(
                    "an epic has no execution order (features do)",
                ));
            }
            if let Some(l) = p.priority {
                sets.push(("priority", l.as_str().into()));
            }
            if let Some(l) = p.business_value {
                sets.push(("business_value", l.as_str().into()));
            }
        }
        Level2::Feature => {
            if p.priority.is_some() || p.business_value.is_some() {
                return Err(Error::invalid(
                    "a feature has no priority or business value (epics do; tasks have priorities)",
                ));
            }
            if let Some(o) = p.execution_order {
                sets.push(("execution_order", o.into()));
            }
        }
    }
    if let Some(s) = p.status {
        sets.push(("status", s.as_str().into()));
    }
    Ok(sets)
}

/// A stored status from a newer Shark is never replaced by this build.
fn keep_newer(key: &str, stored: PlanStatus) -> Result<()> {
    crate::workflow::keep_newer_status(key, stored, stored.is_known())
}

/// Archives every task of `tasks` not archived yet, each with a history row.
async fn archive_tasks(
    c: &Connection,
    tasks: &[(String, TaskStatus)],
    why: &str,
    actor: &Actor,
    device: &str,
) -> Result<usize> {
    let now = time::now();
    let mut n = 0;
    let archivable = tasks
        .iter()
        .filter(|(_, s)| s.is_known() && *s != TaskStatus::Archived);
    for (id, status) in archivable {
        let archived = TaskStatus::Archived.as_str();
        let sets = [("status", Value::from(archived))];
        row::update(
            c,
            "tasks",
            id,
            &time::to_text(&now),
            &sets,
            "archiving a task",
        )
        .await?;
        let change = Change {
            task_id: id,
            field: "status",
            old_value: Some(status.as_str().into()),
            new_value: Some(archived.into()),
            reason: Some(why.to_string()),
            forced: false,
        };
        journal::record(c, &change, actor, device, &now).await?;
        n += 1;
    }
    Ok(n)
}

impl Store {
    /// Edits an epic's fields or sets its status by hand.
    #[tracing::instrument(skip_all)]
    pub async fn update_epic(&self, key: &str, patch: PlanPatch) -> Result<Epic> {
        let sets = sets(Level2::Epic, &patch)?;
        self.write(async |c: &Connection| {
            let e = epics::require(c, key).await?;
            if patch.status.is_some() {
                keep_newer(&e.key, e.status)?;
            }
            let now = time::to_text(&time::now());
            row::update(c, "epics", &e.id, &now, &sets, "updating an epic").await
        })
        .await?;
        self.get_epic(key).await
    }

    /// Edits a feature's fields or sets its status by hand.
    #[tracing::instrument(skip_all)]
    pub async fn update_feature(&self, key: &str, patch: PlanPatch) -> Result<Feature> {
        let sets = sets(Level2::Feature, &patch)?;
        self.write(async |c: &Connection| {
            let f = features::require(c, key).await?;
            if patch.status.is_some() {
                keep_newer(&f.key, f.status)?;
            }
            let now = time::to_text(&time::now());
            row::update(c, "features", &f.id, &now, &sets, "updating a feature").await
        })
        .await?;
        self.get_feature(key).await
    }

    /// Marks an epic completed by hand. Refused (invalid state) while a task
    /// inside is not completed or archived, unless `force`.
    pub async fn complete_epic(&self, key: &str, force: bool) -> Result<Epic> {
        self.finish(Level2::Epic, key, PlanStatus::Completed, force, None)
            .await?;
        self.get_epic(key).await
    }

    /// Marks a feature completed by hand (same rule as [`Store::complete_epic`]).
    pub async fn complete_feature(&self, key: &str, force: bool) -> Result<Feature> {
        self.finish(Level2::Feature, key, PlanStatus::Completed, force, None)
            .await?;
        self.get_feature(key).await
    }

    /// Deletes an epic the way Shark deletes: archives it and every task in
    /// it (each in history). Returns its key and the number of tasks archived.
    pub async fn archive_epic(
        &self,
        key: &str,
        force: bool,
        actor: &Actor,
    ) -> Result<(String, usize)> {
        self.finish(Level2::Epic, key, PlanStatus::Archived, force, Some(actor))
            .await
    }

    /// Deletes a feature the way Shark deletes (see [`Store::archive_epic`]).
    pub async fn archive_feature(
        &self,
        key: &str,
        force: bool,
        actor: &Actor,
    ) -> Result<(String, usize)> {
        self.finish(
            Level2::Feature,
            key,
            PlanStatus::Archived,
            force,
            Some(actor),
        )
        .await
    }

    async fn finish(
        &self,
        level: Level2,
        key: &str,
        to: PlanStatus,
        force: bool,
        archive_as: Option<&Actor>,
    ) -> Result<(String, usize)> {
        let device = self.device().id.clone();
        self.write(async |c: &Connection| {
            let (id, key) = match level {
                Level2::Epic => {
                    let e = epics::require(c, key).await?;
                    keep_newer(&e.key, e.status)?;
                    (e.id, e.key)
                }
                Level2::Feature => {
                    let f = features::require(c, key).await?;
                    keep_newer(&f.key, f.status)?;
                    (f.id, f.key)
                }
            };
            // A task whose status cannot be read, or is a newer Shark's,
            // counts as open and is never archived here (its value is kept).
            let read = row::query_all(c, level.tasks_sql(), vec![id.clone().into()], |r| {
                let status = row::text(r, 1).ok().and_then(|s| TaskStatus::from_stored(&s));
                Ok(row::text(r, 0).ok().zip(status))
            })
            .await?;
            let unreadable = read.iter().filter(|t| t.is_none()).count();
            let tasks: Vec<(String, TaskStatus)> = read.into_iter().flatten().collect();
            let open = unreadable + tasks.iter().filter(|(_, s)| !is_done(*s)).count();
            if open > 0 && !force {
                let verb = if to == PlanStatus::Archived { "delete" } else { "complete" };
                return Err(Error::InvalidState(format!(
                    "{key} has {open} task(s) not completed or archived; finish them first, or add --force to {verb} {key} anyway{}",
                    if to == PlanStatus::Archived {
                        " (its tasks are archived, not erased: reopen brings one back)"
                    } else {
                        " (its tasks keep their status)"
                    }
                )));
            }
            let now = time::to_text(&time::now());
            let sets = [("status", Value::from(to.as_str()))];
            row::update(c, level.table(), &id, &now, &sets, "changing a status").await?;
            let archived = match archive_as {
                Some(actor) => {
                    archive_tasks(c, &tasks, &format!("{key} deleted"), actor, &device).await?
                }
                None => 0,
            };
            Ok((key, archived))
        })
        .await
    }
}
