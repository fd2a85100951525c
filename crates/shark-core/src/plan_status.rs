//! How an epic's or a feature's status follows its work, as one pure rule
//! (Go Shark's "cascading status"): a feature is draft until a task moves,
//! active while work is under way, completed when every task is completed or
//! archived; an epic the same over its features. A status set by hand
//! (active, completed, archived) is kept as is; `draft` stored means "follow
//! the work", so the rule needs no writes when a task changes and two
//! machines can never store different derived statuses.

pub use crate::model::StatusSource;
use crate::model::{PlanStatus, TaskStatus};

/// A feature's tasks by kind of status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TaskCounts {
    /// Not started.
    pub todo: u64,
    /// In progress, blocked, or waiting for review; also a status from a
    /// newer Shark (this build cannot know that such work is done).
    pub active: u64,
    /// Completed.
    pub completed: u64,
    /// Archived.
    pub archived: u64,
}

impl TaskCounts {
    pub fn add(&mut self, status: TaskStatus, n: u64) {
        match status {
            TaskStatus::Todo => self.todo += n,
            TaskStatus::InProgress
            | TaskStatus::Blocked
            | TaskStatus::ReadyForReview
            | TaskStatus::Newer(_) => self.active += n,
            TaskStatus::Completed => self.completed += n,
            TaskStatus::Archived => self.archived += n,
        }
    }

    pub fn merge(&mut self, o: &TaskCounts) {
        self.todo += o.todo;
        self.active += o.active;
        self.completed += o.completed;
        self.archived += o.archived;
    }

    /// Every task, archived included.
    pub fn total(&self) -> u64 {
        self.todo + self.active + self.completed + self.archived
    }

    /// Completed tasks as a share of the non-archived ones, 0-100 to one decimal.
    pub fn progress_pct(&self) -> f64 {
        let live = self.total() - self.archived;
        if live == 0 {
            0.0
        } else {
            (self.completed as f64 * 1000.0 / live as f64).round() / 10.0
        }
    }
}

/// A feature's status from its tasks.
pub fn of_tasks(c: &TaskCounts) -> PlanStatus {
    let done = c.completed + c.archived;
    if c.total() == 0 || c.todo == c.total() {
        PlanStatus::Draft
    } else if c.active == 0 && done == c.total() {
        PlanStatus::Completed
    } else {
        PlanStatus::Active
    }
}

/// An epic's status from its features' statuses (as shown).
pub fn of_features(features: &[PlanStatus]) -> PlanStatus {
    let done = |s: &PlanStatus| matches!(s, PlanStatus::Completed | PlanStatus::Archived);
    if features.iter().all(|s| *s == PlanStatus::Draft) {
        PlanStatus::Draft
    } else if features.iter().all(done) {
        PlanStatus::Completed
    } else {
        PlanStatus::Active
    }
}

/// The status shown: the derived one unless one was set by hand.
pub fn shown(stored: PlanStatus, derived: PlanStatus) -> (PlanStatus, StatusSource) {
    match stored {
        PlanStatus::Draft => (derived, StatusSource::Calculated),
        other => (other, StatusSource::Manual),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PlanStatus::*;

    fn counts(todo: u64, active: u64, completed: u64, archived: u64) -> TaskCounts {
        TaskCounts {
            todo,
            active,
            completed,
            archived,
        }
    }

    #[test]
    fn features_follow_go_sharks_matrix() {
        assert_eq!(of_tasks(&counts(0, 0, 0, 0)), Draft, "no tasks");
        assert_eq!(of_tasks(&counts(3, 0, 0, 0)), Draft, "all todo");
        assert_eq!(of_tasks(&counts(2, 1, 0, 0)), Active, "one started");
        assert_eq!(of_tasks(&counts(0, 1, 4, 0)), Active, "one in review");
        assert_eq!(of_tasks(&counts(0, 0, 3, 0)), Completed, "all completed");
        assert_eq!(of_tasks(&counts(0, 0, 0, 2)), Completed, "all archived");
        assert_eq!(
            of_tasks(&counts(0, 0, 1, 2)),
            Completed,
            "completed + archived"
        );
        assert_eq!(of_tasks(&counts(1, 0, 1, 0)), Active, "todo + completed");
    }

    #[test]
    fn epics_follow_their_features() {
        assert_eq!(of_features(&[]), Draft);
        assert_eq!(of_features(&[Draft, Draft]), Draft);
        assert_eq!(of_features(&[Draft, Active]), Active);
        assert_eq!(of_features(&[Completed, Archived]), Completed);
        assert_eq!(of_features(&[Draft, Completed]), Active);
    }

    #[test]
    fn a_status_set_by_hand_wins_and_draft_means_follow() {
        assert_eq!(shown(Draft, Active), (Active, StatusSource::Calculated));
        assert_eq!(shown(Completed, Active), (Completed, StatusSource::Manual));
        assert_eq!(shown(Archived, Draft), (Archived, StatusSource::Manual));
    }

    #[test]
    fn progress_ignores_archived_tasks() {
        assert_eq!(counts(1, 0, 1, 5).progress_pct(), 50.0);
        assert_eq!(counts(0, 0, 0, 3).progress_pct(), 0.0);
        assert_eq!(counts(2, 0, 1, 0).progress_pct(), 33.3);
    }

    #[test]
    fn counting_in_either_order_gives_the_same_status() {
        let statuses = [
            TaskStatus::Todo,
            TaskStatus::Completed,
            TaskStatus::Blocked,
            TaskStatus::Archived,
        ];
        let mut a = TaskCounts::default();
        let mut b = TaskCounts::default();
        for s in statuses {
            a.add(s, 1);
        }
        for s in statuses.iter().rev() {
            b.add(*s, 1);
        }
        assert_eq!(a, b);
        assert_eq!(of_tasks(&a), of_tasks(&b));
    }
}
