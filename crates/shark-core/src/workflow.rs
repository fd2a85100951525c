//! The task status state machine as one pure function: which action moves a
//! task from which status to which, so the CLI, the app and tests share one rule.
//!
//! ```text
//! todo --start--> in_progress --complete--> ready_for_review --approve--> completed
//!   todo | in_progress | ready_for_review --block--> blocked
//!   blocked --unblock--> todo (as in Go Shark: start it again to resume)
//!   ready_for_review | completed | archived --reopen--> in_progress
//!   any other status --archive--> archived
//! ```
//! `--force` applies the action's target status from any status; the change
//! is recorded in history as forced. [`plan_to`] does the same for a wanted
//! status (`set-status`, `update --status`).

use crate::error::{Error, Result};
use crate::model::TaskStatus;

/// A status change a user or agent asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
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

    /// Statuses the action is allowed from without `--force`.
    fn allowed_from(self, s: TaskStatus) -> bool {
        use TaskStatus::*;
        if !s.is_known() {
            return false;
        }
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

    /// The status the action leads to.
    pub fn target(self) -> TaskStatus {
        match self {
            Action::Start | Action::Reopen => TaskStatus::InProgress,
            Action::Complete => TaskStatus::ReadyForReview,
            Action::Approve => TaskStatus::Completed,
            Action::Block => TaskStatus::Blocked,
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

/// A status from a newer Shark: this build cannot know what leaving it
/// means, so it never does, even with force.
fn refuse_newer(key: &str, from: TaskStatus) -> Result<()> {
    keep_newer_status(key, from, from.is_known())
}

/// The one refusal to leave a status this build does not know (a task's,
/// an epic's or a feature's): `Ok` when `known`.
pub(crate) fn keep_newer_status(
    key: &str,
    status: impl std::fmt::Display,
    known: bool,
) -> Result<()> {
    if known {
        return Ok(());
    }
    Err(Error::InvalidState(format!(
        "{key} is '{status}', a status from a newer Shark that this version does not know; update Shark on this machine to change its status (its other fields can be edited here)"
    )))
}

/// Decides whether `action` may move task `key` out of `from`.
pub fn plan(key: &str, from: TaskStatus, action: Action, force: bool) -> Result<StatusChange> {
    refuse_newer(key, from)?;
    let to = action.target();
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
        return Err(Error::InvalidState(format!(
            "{key} is already {from}; nothing to {}",
            action.as_str()
        )));
    }
    let allowed = allowed_actions(from);
    Err(Error::IllegalTransition {
        key: key.to_string(),
        action: action.as_str(),
        from: from.as_str(),
        allowed: allowed.iter().map(|a| a.as_str().to_string()).collect(),
        note: None,
    })
}

/// Decides how task `key` may go from `from` to the status `to`: the
/// action that leads there from `from`, else (with `force`) a forced change.
pub fn plan_to(
    key: &str,
    from: TaskStatus,
    to: TaskStatus,
    force: bool,
) -> Result<(Option<Action>, StatusChange)> {
    refuse_newer(key, from)?;
    if let Some(a) = Action::ALL
        .iter()
        .copied()
        .find(|a| a.target() == to && a.allowed_from(from))
    {
        return Ok((Some(a), plan(key, from, a, force)?));
    }
    if from == to {
        return Err(Error::InvalidState(format!("{key} is already {from}")));
    }
    if force {
        return Ok((
            None,
            StatusChange {
                from,
                to,
                forced: true,
            },
        ));
    }
    let allowed = allowed_actions(from);
    Err(Error::IllegalTransition {
        key: key.to_string(),
        action: "move",
        from: from.as_str(),
        allowed: allowed
            .iter()
            .map(|a| format!("{} -> {}", a.as_str(), a.target()))
            .collect(),
        note: Some(format!("to {to} no action leads from {from}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use TaskStatus::*;

    fn go(from: TaskStatus, a: Action) -> Result<TaskStatus> {
        plan("T-E01-F01-001", from, a, false).map(|c| c.to)
    }

    #[test]
    fn a_status_from_a_newer_shark_is_never_left_even_with_force() {
        let newer = TaskStatus::from_stored("cancelled").unwrap();
        for force in [false, true] {
            let e = plan("T-E01-F01-001", newer, Action::Archive, force).unwrap_err();
            assert!(
                e.to_string().contains("update Shark on this machine"),
                "{e}"
            );
            assert!(matches!(e, Error::InvalidState(_)));
            assert!(plan_to("k", newer, Todo, force).is_err());
        }
        assert!(allowed_actions(newer).is_empty());
    }

    #[test]
    fn happy_path() {
        assert_eq!(go(Todo, Action::Start).ok(), Some(InProgress));
        assert_eq!(go(InProgress, Action::Complete).ok(), Some(ReadyForReview));
        assert_eq!(go(ReadyForReview, Action::Approve).ok(), Some(Completed));
    }

    #[test]
    fn unblock_returns_to_todo_as_in_go_shark() {
        for s in [Todo, InProgress, ReadyForReview] {
            assert_eq!(go(s, Action::Block).ok(), Some(Blocked));
        }
        assert_eq!(go(Blocked, Action::Unblock).ok(), Some(Todo));
        assert_eq!(go(Todo, Action::Start).ok(), Some(InProgress));
    }

    #[test]
    fn a_wanted_status_finds_its_action_or_needs_force() {
        let (a, c) = plan_to("k", Todo, InProgress, false).unwrap();
        assert_eq!(
            (a, c.to, c.forced),
            (Some(Action::Start), InProgress, false)
        );
        let (a, c) = plan_to("k", Blocked, Todo, false).unwrap();
        assert_eq!((a, c.to), (Some(Action::Unblock), Todo));
        let err = plan_to("k", Todo, Completed, false).unwrap_err();
        assert!(matches!(err, Error::IllegalTransition { .. }), "{err}");
        let (a, c) = plan_to("k", Todo, Completed, true).unwrap();
        assert_eq!((a, c.forced), (None, true));
        let err = plan_to("k", Todo, Todo, true).unwrap_err();
        assert!(matches!(err, Error::InvalidState(_)), "{err}");
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
        // How to override is each front end's to say (the CLI: --force).
        assert!(!err.contains("--force"), "{err}");
        match go(Todo, Action::Approve).unwrap_err() {
            Error::IllegalTransition { allowed, .. } => {
                assert_eq!(allowed, ["start", "block", "archive"]);
            }
            other => panic!("{other}"),
        }
    }

    #[test]
    fn force_overrides_and_is_marked() {
        let c = plan("k", Todo, Action::Approve, true).unwrap();
        assert_eq!((c.from, c.to, c.forced), (Todo, Completed, true));
        let c = plan("k", Todo, Action::Start, true).unwrap();
        assert!(
            !c.forced,
            "a legal change is not marked forced even with --force"
        );
    }

    #[test]
    fn no_op_is_refused_even_when_forced() {
        let err = plan("k", Archived, Action::Archive, true)
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
