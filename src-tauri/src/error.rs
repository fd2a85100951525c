//! Errors as they cross IPC: `{code, message}` with a message written for
//! users. Database and file errors are logged in full and shown without
//! internal paths; tokens never reach these messages (the core never puts
//! them in errors).

use serde::Serialize;
use shark_core::cloud::{Problem, Remedy};

/// An error the UI shows.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct IpcError {
    pub code: String,
    pub message: String,
}

impl IpcError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        IpcError {
            code: code.to_string(),
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new("invalid", message)
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for IpcError {}

impl From<shark_core::Error> for IpcError {
    fn from(e: shark_core::Error) -> Self {
        use shark_core::Error as E;
        let message = match &e {
            E::Io { .. } | E::Database { .. } | E::Corrupt(_) | E::NoHome => {
                tracing::error!("{e}");
                "Shark could not read or write its data files. Details are in the log (Settings > Diagnostics > Open log folder).".to_string()
            }
            E::CannotConnect {
                url,
                problem,
                detail,
            } => format!(
                "cannot connect to {url}: {} ({detail})",
                sync_message(*problem)
            ),
            _ => e.to_string(),
        };
        IpcError::new(e.code(), message)
    }
}

/// A sync problem in the window's words: what happened (the core's), then
/// where in the app to fix it (the CLI names commands instead).
pub fn sync_message(p: Problem) -> String {
    let fix = p.remedy().map(|r| match r {
        Remedy::NewToken => "open Settings > Cloud and paste a new token".to_string(),
        Remedy::CheckDatabase => "open Settings > Diagnostics for details".to_string(),
        Remedy::CheckUrl => "check the database URL in Settings > Cloud".to_string(),
        Remedy::ShowRejected => format!("run {} in a terminal to see the item", r.command()),
    });
    match fix {
        Some(f) => format!("{}; {f}", p.explain()),
        None => p.explain().to_string(),
    }
}

/// The result type of every command.
pub type IpcResult<T> = Result<T, IpcError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_errors_hide_paths() {
        let e = shark_core::Error::io(
            "cannot open",
            std::path::PathBuf::from("/home/me/.local/share/shark/shark.db"),
            std::io::Error::other("denied"),
        );
        let ipc = IpcError::from(e);
        assert_eq!(ipc.code, "io");
        assert!(!ipc.message.contains("/home/me"), "{}", ipc.message);
    }

    #[test]
    fn sync_problems_point_at_the_window_not_at_commands() {
        let auth = sync_message(Problem::Auth);
        assert!(auth.contains("Turso refused the token"), "{auth}");
        assert!(auth.contains("Settings > Cloud"), "{auth}");
        assert!(!auth.contains("shark cloud login"), "{auth}");
        assert_eq!(sync_message(Problem::Offline), Problem::Offline.explain());
    }

    #[test]
    fn user_errors_keep_their_message() {
        let ipc = IpcError::from(shark_core::Error::invalid("the title is empty"));
        assert_eq!(ipc.code, "invalid");
        assert_eq!(ipc.message, "the title is empty");
        let json = serde_json::to_value(&ipc).unwrap();
        assert_eq!(json["code"], "invalid");
    }
}
