//! Sorting sync failures into what a person can act on: offline, auth, over
//! quota, server error, rejected change. The engine reports every failure as
//! text, so this reads the text (see ../shared/turso-notes.md, "Errors").

use serde::{Deserialize, Serialize};

/// The kind of a sync failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    Offline,
    Auth,
    Quota,
    Server,
    Rejected,
    /// The server answered with a redirect, which is never followed (the
    /// token goes only to the configured host).
    Redirect,
    Other,
}

impl Problem {
    /// Classifies an engine error's text.
    pub fn of(message: &str) -> Problem {
        let m = message.to_ascii_lowercase();
        if m.contains("status=401") || m.contains("unauthorized") || m.contains("jwt") {
            Problem::Auth
        } else if m.contains("blocked") {
            Problem::Quota
        } else if m.contains("constraint") || m.contains("batch_step_error") {
            Problem::Rejected
        } else if m.contains("status=30") || m.contains("redirect") {
            Problem::Redirect
        } else if m.contains("status=5") || m.contains("internal server error") {
            Problem::Server
        } else if m.contains("connect")
            || m.contains("timed out")
            || m.contains("timeout")
            || m.contains("dns")
            || m.contains("http request failed")
        {
            Problem::Offline
        } else {
            Problem::Other
        }
    }

    /// What to tell the user.
    pub fn advice(self) -> &'static str {
        match self {
            Problem::Offline => {
                "cannot reach the Turso server; your work is saved locally and will sync when it is reachable"
            }
            Problem::Auth => {
                "Turso refused the token (invalid, expired, or for another database); run shark cloud login with a new token"
            }
            Problem::Quota => {
                "Turso blocked the request: the plan's quota is used up; local work continues and syncs when the quota allows (https://app.turso.tech/)"
            }
            Problem::Server => "the Turso server had an error; Shark will retry",
            Problem::Rejected => {
                "the server rejected a change (a constraint failed); see shark cloud status -v for the item"
            }
            Problem::Redirect => {
                "the server answered with a redirect; Shark never follows one, so the token only goes to the configured host. Check the database URL (shark cloud status shows it) and set the address the redirect points to, if you trust it, with shark cloud init --url"
            }
            Problem::Other => "sync failed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_messages_classify() {
        assert_eq!(
            Problem::of("http request failed: client error (Connect)"),
            Problem::Offline
        );
        assert_eq!(
            Problem::of(r#"status=401, body={"error":"Unauthorized: The JWT has expired"}"#),
            Problem::Auth
        );
        assert_eq!(
            Problem::of("Operation was blocked: BLOCKED"),
            Problem::Quota
        );
        assert_eq!(
            Problem::of("BATCH_STEP_ERROR: UNIQUE constraint failed: tasks.key"),
            Problem::Rejected
        );
        assert_eq!(Problem::of("status=500, body=oops"), Problem::Server);
        assert_eq!(Problem::of("something else"), Problem::Other);
    }
}
