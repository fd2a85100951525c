//! The core's error type: one enum a caller can match on, with messages written
//! for the person at the keyboard (what went wrong and what to do about it).

use std::path::PathBuf;

/// Everything the core can refuse or fail at.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user gave a value the model does not accept (title, priority, status...).
    #[error("{0}")]
    Invalid(String),

    /// A key that names nothing in this database.
    #[error("{kind} {key} not found{hint}")]
    NotFound {
        kind: &'static str,
        key: String,
        hint: String,
    },

    /// A status change the workflow does not allow from the current status.
    /// The actions that are allowed are data: each front end says how to
    /// override (the CLI's `--force`; the app offers only allowed actions).
    #[error(
        "cannot {action} {key}: it is {from}. Allowed from {from}: {}{}",
        if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") },
        note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default()
    )]
    IllegalTransition {
        key: String,
        action: &'static str,
        from: &'static str,
        /// The actions allowed from `from` (`start`, or `start -> in_progress`).
        allowed: Vec<String>,
        /// Why none of them fits, when that needs saying.
        note: Option<String>,
    },

    /// What was asked does not fit the item's current state (already in that
    /// status, work left inside an epic being completed...).
    #[error("{0}")]
    InvalidState(String),

    /// Another process holds this Shark database.
    #[error(
        "the Shark database at {path} is in use by another shark process or the Shark app{holder}; waited {waited_ms} ms. Try again when it has finished (set SHARK_LOCK_TIMEOUT_MS to wait longer)"
    )]
    Locked {
        path: PathBuf,
        waited_ms: u64,
        holder: String,
    },

    /// The database was written by a newer Shark than this one.
    #[error(
        "the Shark database at {path} has schema version {found}, newer than this shark understands ({supported}); upgrade shark"
    )]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    /// A file or directory operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The database a URL points at belongs to another program: Shark never
    /// creates its tables in, migrates or pushes into it.
    #[error(
        "{location} is not a Shark database (it holds other tables: {tables}); Shark never adds its tables to another program's database{hint}"
    )]
    Foreign {
        location: String,
        tables: String,
        /// Where the URL came from and how to point Shark elsewhere.
        hint: String,
    },

    /// The config file exists but cannot be read as TOML of the expected shape.
    #[error("the config file {path} is not valid: {message}. Fix or remove it")]
    Config { path: PathBuf, message: String },

    /// The database engine failed.
    #[error("database error while {context}: {source}")]
    Database {
        context: &'static str,
        #[source]
        source: turso::Error,
    },

    /// The first connection to the cloud database was refused (a wrong
    /// token, a redirect...): nothing was connected. The problem is data, so
    /// each front end can say what to do about it.
    #[error("cannot connect to {url}: {} ({detail})", problem.explain())]
    CannotConnect {
        url: String,
        problem: crate::cloud::Problem,
        detail: String,
    },

    /// A sync step (bootstrap, push, pull) failed; `problem` is its kind,
    /// decided once from the engine's error (see `cloud::classify`).
    #[error("sync failed while {action}: {source}")]
    Sync {
        action: &'static str,
        problem: crate::cloud::Problem,
        #[source]
        source: turso::Error,
    },

    /// A sync attempt got no answer in time (a dead network, a server that
    /// accepts connections and never answers).
    #[error("sync timed out after {secs} s (cannot reach the server?)")]
    SyncTimeout { secs: u64 },

    /// Stored data that does not match the model (a bug or a hand-edited file).
    #[error("stored data is not valid: {0}")]
    Corrupt(String),

    /// The row asked for is stored but cannot be read whole (another
    /// machine, a newer Shark or a hand edit wrote it): what could be read
    /// of it, and which columns hold what.
    #[error(
        "{} cannot be read whole: {}. Nothing was changed; shark doctor lists such rows and shark doctor --repair fixes what it safely can",
        .0.heading(),
        .0.problems_text()
    )]
    Unreadable(Box<crate::stored::DamagedRow>),

    /// A database file that cannot be what it claims (truncated, overwritten).
    #[error(
        "the database file {path} is damaged ({why}). Nothing was changed; run shark doctor for details. \
         A synced replica is re-created from Turso with shark cloud rebuild (it exports what it can first)"
    )]
    Damaged { path: PathBuf, why: String },

    /// No home directory or platform directories could be determined.
    #[error("cannot find a home directory for Shark's data; set SHARK_HOME to a writable folder")]
    NoHome,
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::Invalid(msg.into())
    }

    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// A failed sync step, classified once here.
    pub fn sync(action: &'static str, source: turso::Error) -> Self {
        Error::Sync {
            action,
            problem: crate::cloud::Problem::of_engine(&source),
            source,
        }
    }

    /// The kind of a sync failure: the engine's classified problem, a
    /// timeout as offline, a failure of the local database or files as
    /// local, anything else as other.
    pub fn problem(&self) -> crate::cloud::Problem {
        use crate::cloud::Problem;
        match self {
            Error::Sync { problem, .. } | Error::CannotConnect { problem, .. } => *problem,
            Error::SyncTimeout { .. } => Problem::Offline,
            Error::Database { source, .. } => match Problem::of_engine(source) {
                Problem::Busy => Problem::Busy,
                _ => Problem::Local,
            },
            Error::Io { .. }
            | Error::Corrupt(_)
            | Error::Unreadable(_)
            | Error::Damaged { .. }
            | Error::Locked { .. } => Problem::Local,
            _ => Problem::Other,
        }
    }

    /// A stable machine-readable code (for `--json` errors and the app's IPC).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid(_) => "invalid",
            Error::NotFound { .. } => "not_found",
            Error::IllegalTransition { .. } => "illegal_transition",
            Error::CannotConnect { .. } => "cannot_connect",
            Error::InvalidState(_) => "invalid_state",
            Error::Locked { .. } => "locked",
            Error::SchemaTooNew { .. } => "schema_too_new",
            Error::Io { .. } => "io",
            Error::Config { .. } => "config",
            Error::Foreign { .. } => "foreign",
            Error::Database { .. } => "database",
            Error::Sync { .. } | Error::SyncTimeout { .. } => "sync",
            Error::Corrupt(_) => "corrupt",
            Error::Unreadable(_) => "unreadable_row",
            Error::Damaged { .. } => "damaged",
            Error::NoHome => "no_home",
        }
    }

    /// True when the error is the user's input (maps to a usage-style failure).
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            Error::Invalid(_)
                | Error::NotFound { .. }
                | Error::IllegalTransition { .. }
                | Error::InvalidState(_)
                | Error::CannotConnect { .. }
        )
    }
}

/// Adds a context string to engine errors (`.db("listing tasks")?`).
pub(crate) trait DbContext<T> {
    fn db(self, context: &'static str) -> Result<T>;
}

impl<T> DbContext<T> for std::result::Result<T, turso::Error> {
    fn db(self, context: &'static str) -> Result<T> {
        self.map_err(|source| Error::Database { context, source })
    }
}
