//! Sorting sync failures into what a person can act on: offline, auth, over
//! quota, server error, rejected change, a busy or failing local database.
//! A failure is classified once, where the engine's error enters the core
//! ([`Problem::of_engine`], called by `Error::sync`), and then travels as
//! data. The engine reports network failures only as text (see
//! docs/turso.md, "Errors"), so for those the text is read, here
//! and nowhere else; its busy errors are typed.

use serde::{Deserialize, Serialize};

/// The kind of a sync failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
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
    /// The local database was busy applying a pull or a checkpoint (passes
    /// in milliseconds; retried at once).
    Busy,
    /// The local database or its files failed: not a network problem.
    Local,
    Other,
}

impl Problem {
    /// Classifies an error of the sync engine: by type where the engine has
    /// one, else by its text.
    pub fn of_engine(e: &turso::Error) -> Problem {
        match e {
            turso::Error::Busy(_) | turso::Error::BusySnapshot(_) => Problem::Busy,
            turso::Error::Error(text) if text.contains("Database is busy") => Problem::Busy,
            turso::Error::Error(text) => Problem::of_text(text),
            turso::Error::Misuse(_) => Problem::Other,
            turso::Error::IoError(kind, _) if is_network(*kind) => Problem::Offline,
            other => match Problem::of_text(&other.to_string()) {
                Problem::Other => Problem::Local,
                p => p,
            },
        }
    }

    /// Classifies the text of an engine error (see [`Problem::of_engine`]).
    fn of_text(message: &str) -> Problem {
        let m = message.to_ascii_lowercase();
        let status = status_of(&m);
        if m.contains(super::relay::OFFLINE_MARK) {
            // The relay's own answer: the server could not be reached in time.
            Problem::Offline
        } else if m.contains("blocked") {
            Problem::Quota
        } else if status.is_some_and(|s| s >= 500 || s == 429) {
            // The status decides before any word of the body: a 503 whose
            // page mentions a token is still a passing server error.
            Problem::Server
        } else if status.is_some_and(|s| (300..400).contains(&s)) {
            Problem::Redirect
        } else if status == Some(401) || m.contains("unauthorized") || m.contains("jwt") {
            Problem::Auth
        } else if m.contains("constraint") || m.contains("batch_step_error") {
            Problem::Rejected
        } else if m.contains("redirect") {
            Problem::Redirect
        } else if m.contains("internal server error") {
            Problem::Server
        } else if status.is_none()
            && (m.contains("connect")
                || m.contains("timed out")
                || m.contains("timeout")
                || m.contains("dns")
                || m.contains("http request failed"))
        {
            Problem::Offline
        } else {
            Problem::Other
        }
    }

    /// What happened, in words every front end can show (no command: how
    /// to fix it is [`Problem::remedy`], which each front end words).
    pub fn explain(self) -> &'static str {
        match self {
            Problem::Offline => {
                "cannot reach the Turso server; your work is saved locally and will sync when it is reachable"
            }
            Problem::Auth => "Turso refused the token (invalid, expired, or for another database)",
            Problem::Quota => {
                "Turso blocked the request: the plan's quota is used up; local work continues and syncs when the quota allows (https://app.turso.tech/)"
            }
            Problem::Server => {
                "the Turso server had an error or asked Shark to slow down; Shark will retry"
            }
            Problem::Rejected => "the server rejected a change (a constraint failed)",
            Problem::Redirect => {
                "the server answered with a redirect; Shark never follows one, so the token only goes to the configured host"
            }
            Problem::Busy => "the local database was busy applying changes; Shark will retry",
            Problem::Local => "the local database failed while syncing",
            Problem::Other => "sync failed",
        }
    }

    /// What the user can do about it, when waiting is not enough.
    pub fn remedy(self) -> Option<Remedy> {
        match self {
            Problem::Auth => Some(Remedy::NewToken),
            Problem::Local => Some(Remedy::CheckDatabase),
            Problem::Redirect => Some(Remedy::CheckUrl),
            Problem::Rejected => Some(Remedy::ShowRejected),
            Problem::Offline
            | Problem::Quota
            | Problem::Server
            | Problem::Busy
            | Problem::Other => None,
        }
    }
}

/// Something the user can do to end a sync problem. Data, not words: the
/// CLI names a command, the app a place in its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Remedy {
    /// Give Shark a new database token.
    NewToken,
    /// Look at the local database's health.
    CheckDatabase,
    /// Check the configured database URL (a redirect was refused).
    CheckUrl,
    /// Look at the change the server rejected.
    ShowRejected,
}

impl Remedy {
    /// The shell command that does it (what a terminal user runs; the app
    /// points at its own window instead).
    pub fn command(self) -> &'static str {
        match self {
            Remedy::NewToken => "shark cloud login",
            Remedy::CheckDatabase => "shark doctor",
            Remedy::CheckUrl => "shark cloud init --url",
            Remedy::ShowRejected => "shark cloud status -v",
        }
    }
}

/// The HTTP status in an engine message (`status=503, body=...`).
fn status_of(m: &str) -> Option<u16> {
    let rest = &m[m.find("status=")? + "status=".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn is_network(kind: std::io::ErrorKind) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        kind,
        ConnectionRefused
            | ConnectionReset
            | ConnectionAborted
            | NotConnected
            | BrokenPipe
            | TimedOut
            | UnexpectedEof
            | HostUnreachable
            | NetworkUnreachable
            | NetworkDown
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_messages_classify() {
        assert_eq!(
            Problem::of_text("http request failed: client error (Connect)"),
            Problem::Offline
        );
        assert_eq!(
            Problem::of_text(r#"status=401, body={"error":"Unauthorized: The JWT has expired"}"#),
            Problem::Auth
        );
        assert_eq!(
            Problem::of_text("Operation was blocked: BLOCKED"),
            Problem::Quota
        );
        assert_eq!(
            Problem::of_text("BATCH_STEP_ERROR: UNIQUE constraint failed: tasks.key"),
            Problem::Rejected
        );
        assert_eq!(Problem::of_text("status=500, body=oops"), Problem::Server);
        assert_eq!(Problem::of_text("something else"), Problem::Other);
        // The status decides before the body's words.
        assert_eq!(
            Problem::of_text(r#"status=503, body={"error":"JWT service unavailable"}"#),
            Problem::Server
        );
        assert_eq!(
            Problem::of_text("status=500, body=constraint checker crashed"),
            Problem::Server
        );
        assert_eq!(
            Problem::of_text("status=404, body=not found"),
            Problem::Other
        );
        assert_eq!(Problem::of_text("status=307, body="), Problem::Redirect);
        // The relay's "offline" answer is a 502, not a server error.
        assert_eq!(
            Problem::of_text("status=502, body=shark relay: offline: no answer within 7 s"),
            Problem::Offline
        );
    }

    #[test]
    fn engine_errors_classify_by_type_first() {
        let busy = turso::Error::Busy("database is locked".into());
        assert_eq!(Problem::of_engine(&busy), Problem::Busy);
        let busy_text = turso::Error::Error("Database is busy".into());
        assert_eq!(Problem::of_engine(&busy_text), Problem::Busy);
        let offline = turso::Error::Error("http request failed: client error (Connect)".into());
        assert_eq!(Problem::of_engine(&offline), Problem::Offline);
        assert!(!Problem::of_engine(&offline).is_permanent());
        assert!(Problem::Auth.is_permanent());
        assert!(Problem::Local.is_permanent());
        assert_eq!(
            Problem::of_text("status=429, body=too many requests"),
            Problem::Server
        );
    }
}
