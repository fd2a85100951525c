//! When to try a failed sync again: one rule, asked by the owner's engine
//! (its next automatic attempt), a command's own retries and the first
//! connection (fall back to the local database, or refuse). A failure that
//! may pass by itself is retried with a doubling pause, never sooner than
//! the server's `Retry-After`; one that needs the user (a refused token, a
//! rejected change, a redirect, a failing local database) stops automatic
//! attempts until the user acts (Sync now, a new token, new settings).

use std::time::Duration;

use super::classify::Problem;

/// The longest pause between automatic attempts after failures (it doubles
/// from 1 s).
pub const MAX_FAILURE_PAUSE: Duration = Duration::from_secs(30);
/// The longest pause while the server cannot be reached at all: a refused
/// connection costs nothing, and waiting changes should leave within
/// seconds of the network's return.
pub const MAX_OFFLINE_PAUSE: Duration = Duration::from_secs(2);
/// The pause while the plan's quota is used up (it does not pass in seconds).
pub const QUOTA_PAUSE: Duration = Duration::from_secs(30);

/// What to do after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Try again after this pause.
    After(Duration),
    /// Stop trying by itself; the user must act first.
    WhenAsked,
}

impl Problem {
    /// Whether only the user can end this failure (retrying the same sync
    /// by itself would fail the same way).
    pub fn is_permanent(self) -> bool {
        matches!(
            self,
            Problem::Auth | Problem::Rejected | Problem::Redirect | Problem::Local
        )
    }
}

/// The rule: after the `failures`-th failure in a row (1 for the first) of
/// kind `problem`, with the server's `retry_after` if it sent one.
pub fn after_failure(problem: Problem, failures: u32, retry_after: Option<Duration>) -> Retry {
    if problem.is_permanent() {
        return Retry::WhenAsked;
    }
    let most = match problem {
        Problem::Offline => MAX_OFFLINE_PAUSE,
        Problem::Quota => QUOTA_PAUSE,
        _ => MAX_FAILURE_PAUSE,
    };
    let doubling = Duration::from_secs(1 << failures.saturating_sub(1).min(5));
    let pause = if problem == Problem::Quota {
        QUOTA_PAUSE
    } else {
        doubling.min(most)
    };
    Retry::After(retry_after.map_or(pause, |r| r.max(pause)))
}

/// Whether a command that waits for its answer retries after this failure
/// (within its own count of attempts): only when the pause is short enough
/// for someone waiting at a prompt.
pub fn retry_in_command(
    problem: Problem,
    failures: u32,
    retry_after: Option<Duration>,
) -> Option<Duration> {
    match after_failure(problem, failures, retry_after) {
        Retry::After(d) if d <= COMMAND_PAUSE && problem != Problem::Quota => Some(d),
        _ => None,
    }
}

/// A requested pass ("Sync now") that is not retried by count is still
/// tried once more, at once, after an answer that was garbled or a server
/// error (seen against the real server: a push answered 200 with an empty
/// body now and then); a dead network (which answers at once by design),
/// a quota, and what only the user can end are not.
pub fn retry_requested_once(problem: Problem, retry_after: Option<Duration>) -> Option<Duration> {
    match problem {
        Problem::Other | Problem::Server if retry_after.is_none_or(|r| r <= COMMAND_PAUSE) => {
            Some(retry_after.unwrap_or(GARBLED_PAUSE))
        }
        _ => None,
    }
}

/// The pause before trying a garbled answer's request again.
const GARBLED_PAUSE: Duration = Duration::from_millis(300);

/// The longest pause a command waits before its next attempt.
const COMMAND_PAUSE: Duration = Duration::from_secs(8);

/// How a first connection that failed goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstConnect {
    /// Work on the local database; a later run connects.
    FallBack,
    /// Stop with the failure and its remedy.
    Refuse,
}

/// The first connection's rule: an outage (unreachable, a server error or
/// 429, busy, over quota) falls back to the local database, so it never
/// takes local work away; anything else (a refused token, a redirect, an
/// answer nobody expected, such as a 404 for a mistyped database) is said
/// at once with its remedy rather than hidden behind "working locally".
pub fn first_connect(problem: Problem) -> FirstConnect {
    match problem {
        Problem::Offline | Problem::Server | Problem::Busy | Problem::Quota => {
            FirstConnect::FallBack
        }
        _ => FirstConnect::Refuse,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn sync_now_tries_a_garbled_answer_once_more_but_never_a_dead_network() {
        let ms = Duration::from_millis;
        assert_eq!(retry_requested_once(Problem::Other, None), Some(ms(300)));
        assert_eq!(
            retry_requested_once(Problem::Server, Some(S(2))),
            Some(S(2))
        );
        assert_eq!(retry_requested_once(Problem::Server, Some(S(60))), None);
        for p in [
            Problem::Offline,
            Problem::Quota,
            Problem::Auth,
            Problem::Rejected,
            Problem::Busy,
        ] {
            assert_eq!(retry_requested_once(p, None), None, "{p:?}");
        }
    }

    #[test]
    fn transient_failures_back_off_and_honour_retry_after() {
        let p = Problem::Server;
        assert_eq!(after_failure(p, 1, None), Retry::After(S(1)));
        assert_eq!(after_failure(p, 2, None), Retry::After(S(2)));
        assert_eq!(after_failure(p, 3, None), Retry::After(S(4)));
        assert_eq!(after_failure(p, 6, None), Retry::After(S(30)));
        assert_eq!(after_failure(p, 60, None), Retry::After(S(30)));
        // The server's Retry-After is a floor, never shortened.
        assert_eq!(after_failure(p, 1, Some(S(12))), Retry::After(S(12)));
        assert_eq!(after_failure(p, 6, Some(S(3))), Retry::After(S(30)));
        // Offline: asked again within seconds.
        assert_eq!(after_failure(Problem::Offline, 1, None), Retry::After(S(1)));
        assert_eq!(after_failure(Problem::Offline, 9, None), Retry::After(S(2)));
        assert_eq!(after_failure(Problem::Busy, 1, None), Retry::After(S(1)));
        assert_eq!(after_failure(Problem::Quota, 1, None), Retry::After(S(30)));
        assert_eq!(after_failure(Problem::Other, 2, None), Retry::After(S(2)));
    }

    #[test]
    fn permanent_failures_wait_for_the_user() {
        for p in [
            Problem::Auth,
            Problem::Rejected,
            Problem::Redirect,
            Problem::Local,
        ] {
            assert_eq!(after_failure(p, 1, None), Retry::WhenAsked, "{p:?}");
            assert_eq!(after_failure(p, 1, Some(S(1))), Retry::WhenAsked, "{p:?}");
            assert_eq!(retry_in_command(p, 1, None), None, "{p:?}");
            assert_eq!(first_connect(p), FirstConnect::Refuse, "{p:?}");
        }
    }

    #[test]
    fn commands_retry_only_short_pauses_and_first_connects_fall_back() {
        assert_eq!(retry_in_command(Problem::Offline, 1, None), Some(S(1)));
        assert_eq!(retry_in_command(Problem::Server, 3, None), Some(S(4)));
        assert_eq!(retry_in_command(Problem::Server, 5, None), None);
        assert_eq!(retry_in_command(Problem::Server, 1, Some(S(60))), None);
        assert_eq!(retry_in_command(Problem::Quota, 1, None), None);
        for p in [
            Problem::Offline,
            Problem::Server,
            Problem::Busy,
            Problem::Quota,
        ] {
            assert_eq!(first_connect(p), FirstConnect::FallBack, "{p:?}");
        }
        assert_eq!(first_connect(Problem::Other), FirstConnect::Refuse);
    }
}
