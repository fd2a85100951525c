//! The task status state machine as one pure function: which action moves a
//! task from which status to which, so the CLI, the app and tests share one rule.
//!
//! ```text
//! todo --start--> in_progress --complete--> ready_for_review --approve--> completed
//!   todo | in_progress | ready_for_review --block--> blocked
//!   blocked --unblock--> in_progress (if it was ever started) or todo
//!   ready_for_review | completed | archived --reopen--> in_progress
//!   any other status --archive--> archived
//! ```
//! `--force` applies the action's target status from any status; the change
//! is recorded in history as forced.

use crate::error::{Error, Result};
use crate::model::TaskStatus;

/// A status change a user or agent asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Start,
    Complete,
    Approve,
    Block,
    Unblock,
    Reopen,
    Archive,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::Start,
        Action::Complete,
        Action::Approve,
        Action::Block,
        Action::Unblock,
        Action::Reopen,
        Action::Archive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Start => "start",
            Action::Complete => "complete",
            Action::Approve => "approve",
            Action::Block => "block",
            Action::Unblock => "unblock",
            Action::Reopen => "reopen",
            Action::Archive => "archive",
        }
    }

    /// Whether the action needs a reason (kept as `blocked_reason` or in history).
    pub fn needs_reason(self) -> bool {
        matches!(self, Action::Block | Action::Reopen)
    }

    /// Statuses the action is allowed from without `--force`.
    fn allowed_from(self, s: TaskStatus) -> bool {
        use TaskStatus::*;
        match self {
            Action::Start => s == Todo,
            Action::Complete => s == InProgress,
            Action::Approve => s == ReadyForReview,
            Action::Block => matches!(s, Todo | InProgress | ReadyForReview),
            Action::Unblock => s == Blocked,
            Action::Reopen => matches!(s, ReadyForReview | Completed | Archived),
            Action::Archive => s != Archived,
        }
    }

    /// The status the action leads to. `was_started` says whether the task
    /// was ever started (decides where `unblock` returns to).
    pub fn target(self, was_started: bool) -> TaskStatus {
        match self {
            Action::Start | Action::Reopen => TaskStatus::InProgress,
            Action::Complete => TaskStatus::ReadyForReview,
            Action::Approve => TaskStatus::Completed,
            Action::Block => TaskStatus::Blocked,
            Action::Unblock if was_started => TaskStatus::InProgress,
            Action::Unblock => TaskStatus::Todo,
            Action::Archive => TaskStatus::Archived,
        }
    }
}

/// The actions allowed from a status, in workflow order.
pub fn allowed_actions(from: TaskStatus) -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|a| a.allowed_from(from))
        .collect()
}

/// A decided status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange {
    pub from: TaskStatus,
    pub to: TaskStatus,
    pub forced: bool,
}

/// Decides whether `action` may move task `key` out of `from`.
pub fn plan(
    key: &str,
    from: TaskStatus,
    action: Action,
    was_started: bool,
    force: bool,
) -> Result<StatusChange> {
    let to = action.target(was_started);
    if action.allowed_from(from) {
        return Ok(StatusChange {
            from,
            to,
            forced: false,
        });
    }
    if force && from != to {
        return Ok(StatusChange {
            from,
            to,
            forced: true,
        });
    }
    if from == to {
        return Err(Error::invalid(format!(
            "{key} is already {from}; nothing to {}",
            action.as_str()
        )));
    }
    let allowed = allowed_actions(from);
    Err(Error::IllegalTransition {
        key: key.to_string(),
        action: action.as_str(),
        from: from.as_str(),
        allowed: if allowed.is_empty() {
            "none".into()
        } else {
            allowed
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use TaskStatus::*;

    fn go(from: TaskStatus, a: Action) -> Result<TaskStatus> {
        plan("T-E01-F01-001", from, a, from != Todo, false).map(|c| c.to)
    }

    #[test]
    fn happy_path() {
        assert_eq!(go(Todo, Action::Start).ok(), Some(InProgress));
        assert_eq!(go(InProgress, Action::Complete).ok(), Some(ReadyForReview));
        assert_eq!(go(ReadyForReview, Action::Approve).ok(), Some(Completed));
    }

    #[test]
    fn block_and_unblock_return_where_the_task_was() {
        for s in [Todo, InProgress, ReadyForReview] {
            assert_eq!(go(s, Action::Block).ok(), Some(Blocked));
        }
        assert_eq!(
            plan("k", Blocked, Action::Unblock, false, false)
                .map(|c| c.to)
                .ok(),
            Some(Todo)
        );
        assert_eq!(
            plan("k", Blocked, Action::Unblock, true, false)
                .map(|c| c.to)
                .ok(),
            Some(InProgress)
        );
    }

    #[test]
    fn reopen_goes_back_to_in_progress() {
        for s in [ReadyForReview, Completed, Archived] {
            assert_eq!(go(s, Action::Reopen).ok(), Some(InProgress));
        }
        assert!(go(Todo, Action::Reopen).is_err());
    }

    #[test]
    fn illegal_transition_names_the_allowed_actions() {
        let err = go(Todo, Action::Approve).unwrap_err().to_string();
        assert!(
            err.contains("cannot approve T-E01-F01-001: it is todo"),
            "{err}"
        );
        assert!(
            err.contains("Allowed from todo: start, block, archive"),
            "{err}"
        );
        assert!(err.contains("--force"), "{err}");
    }

    #[test]
    fn force_overrides_and_is_marked() {
        let c = plan("k", Todo, Action::Approve, false, true).unwrap();
        assert_eq!((c.from, c.to, c.forced), (Todo, Completed, true));
        let c = plan("k", Todo, Action::Start, false, true).unwrap();
        assert!(
            !c.forced,
            "a legal change is not marked forced even with --force"
        );
    }

    #[test]
    fn no_op_is_refused_even_when_forced() {
        let err = plan("k", Archived, Action::Archive, true, true)
            .unwrap_err()
            .to_string();
        assert!(err.contains("already archived"), "{err}");
    }

    #[test]
    fn every_status_has_a_way_out() {
        for s in TaskStatus::ALL {
            assert!(!allowed_actions(*s).is_empty(), "{s} is a dead end");
        }
    }
}
