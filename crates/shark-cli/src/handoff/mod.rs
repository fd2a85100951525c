//! The hand-off between `shark` processes: one process owns a Shark home's
//! database (the desktop app, or the background daemon on a connected
//! machine); it listens on a private Unix socket (`app.sock` in the data
//! folder, 0600 in a 0700 folder) and runs the commands other `shark`
//! processes hand to it, with the caller's identity, folder and input,
//! returning stdout, stderr and the exit code. One JSON line each way. This
//! module holds the protocol; `client` and `server` are the two ends, and
//! `socket` the transport (the one Unix-specific file).

mod client;
mod server;
pub mod socket;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use shark_core::cloud::ConnectionInfo;
use shark_core::cloud::pipeline::{RunError, SyncReport};
use shark_core::store::Store;
use shark_core::time::Timestamp;

use crate::render::Caller;

pub use client::{Forwarded, ask, forward};
pub use server::{Server, bind, serve};

/// Version of the request format. A daemon that gets a request of another
/// version leaves and answers `retry` (the caller's binary was upgraded or
/// downgraded: it starts a daemon of its own version); the desktop app
/// answers with a clear error.
pub const PROTOCOL: u32 = 3;
/// Largest request accepted (a batch of many tasks fits easily).
pub const MAX_REQUEST: usize = 64 * 1024 * 1024;

/// What a request asks of the owner.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Run the command in `args`.
    #[default]
    Run,
    /// Say who owns the database ([`OwnerInfo`] as JSON on stdout).
    Status,
    /// Finish the commands in flight, release the database and exit (a
    /// daemon does; the desktop app refuses).
    Leave,
}

/// A request: the arguments after `shark`, who asks, and which database the
/// caller's own settings name (the owner refuses a command meant for
/// another database).
#[derive(Debug, Serialize, Deserialize)]
pub struct Request {
    pub protocol: u32,
    #[serde(default)]
    pub op: Op,
    pub args: Vec<String>,
    pub caller: Caller,
    #[serde(default)]
    pub database: Option<String>,
}

/// What the command printed and its exit code. `retry`: the owner is
/// leaving and ran nothing; ask again (a new owner will answer).
///
/// On the wire: one JSON line without `stdout`, then `stdout_len` raw bytes
/// of it (a list of thousands of tasks is not escaped and unescaped again).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Reply {
    #[serde(skip)]
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
    #[serde(default)]
    pub retry: bool,
    /// The owner cannot run it and holds no database: run it in the caller
    /// (`shark doctor` while the app's database failed to open).
    #[serde(default)]
    pub run_here: bool,
    #[serde(default)]
    stdout_len: usize,
}

/// Largest output accepted from an owner.
const MAX_OUTPUT: usize = 1024 * 1024 * 1024;

impl Reply {
    /// Prints the output as if the command had run here; returns the exit
    /// code. A reader that went away (`shark task list | head -1`) ends the
    /// output quietly, as it does for a command run here (`print!` would
    /// panic).
    pub fn print(&self) -> u8 {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = out
            .write_all(self.stdout.as_bytes())
            .and_then(|()| out.flush());
        let _ = std::io::stderr().lock().write_all(self.stderr.as_bytes());
        self.code
    }

    pub(crate) fn error(json: bool, e: &anyhow::Error) -> Self {
        Self::error_in(json, false, e)
    }

    /// [`Reply::error`], its `error:` painted for a caller whose stderr is coloured.
    pub(crate) fn error_in(json: bool, colour: bool, e: &anyhow::Error) -> Self {
        let (text, code) = crate::error_text(json, colour, e);
        Reply {
            stderr: format!("{text}\n"),
            code,
            ..Reply::default()
        }
    }

    /// The reply as sent: the JSON line, then the output's bytes.
    pub(crate) fn to_wire(&self) -> serde_json::Result<Vec<u8>> {
        let head = Reply {
            stdout: String::new(),
            stderr: self.stderr.clone(),
            code: self.code,
            retry: self.retry,
            run_here: self.run_here,
            stdout_len: self.stdout.len(),
        };
        let mut out = serde_json::to_vec(&head)?;
        out.push(b'\n');
        out.extend_from_slice(self.stdout.as_bytes());
        Ok(out)
    }

    /// Reads the output that follows a reply's JSON line.
    pub(crate) async fn read_output(
        &mut self,
        from: &mut (impl tokio::io::AsyncRead + Unpin),
    ) -> std::io::Result<()> {
        if self.stdout_len > MAX_OUTPUT {
            return Err(std::io::Error::other(format!(
                "the owner announced {} bytes of output (at most {MAX_OUTPUT})",
                self.stdout_len
            )));
        }
        let mut bytes = vec![0; self.stdout_len];
        tokio::io::AsyncReadExt::read_exact(from, &mut bytes).await?;
        self.stdout = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Ok(())
    }
}

/// Why an owner has no store for a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoStore {
    /// It is being opened or reopened (a settings change): ask again soon.
    Opening,
    /// Opening it failed, for this reason; it stays so until the owner's
    /// user acts (new settings, a restart).
    Failed(String),
}

/// Which kind of process owns the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerKind {
    App,
    Daemon,
}

/// Who owns the database, for `shark daemon status`, `doctor` and `cloud status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerInfo {
    pub kind: OwnerKind,
    pub pid: u32,
    pub since: Option<Timestamp>,
    /// The database it serves ([`shark_core::cloud::url::database_identity`]).
    pub database: Option<String>,
    /// Seconds without a command before a daemon exits (`None`: never).
    pub idle_exit_secs: Option<u64>,
    /// Changes waiting to be pushed.
    pub pending_changes: u64,
}

impl OwnerInfo {
    /// "the desktop app (process 12)", "the background daemon (process 12)".
    pub fn describe(&self) -> String {
        match self.kind {
            OwnerKind::App => format!("the Shark desktop app (process {})", self.pid),
            OwnerKind::Daemon => format!("the Shark background daemon (process {})", self.pid),
        }
    }
}

/// A sync requested by `shark cloud sync`, run by the owner's engine.
pub type SyncFuture = Pin<Box<dyn Future<Output = Result<SyncReport, RunError>> + Send>>;

/// Where the serving side finds the database (it may be reconnecting).
pub trait Host: Send + Sync + 'static {
    /// The open store, or why there is none.
    fn store(&self) -> Result<Arc<Store>, NoStore>;

    /// How the open store is connected, for `cloud status` and `cloud usage`
    /// (`None`: those commands are refused).
    fn connection(&self) -> Option<ConnectionInfo> {
        None
    }

    /// Who serves (the desktop app unless said otherwise).
    fn owner(&self) -> OwnerInfo {
        OwnerInfo {
            kind: OwnerKind::App,
            pid: std::process::id(),
            since: None,
            database: None,
            idle_exit_secs: None,
            pending_changes: 0,
        }
    }

    /// A push and pull now by the owner's sync engine (`None`: it has none).
    fn sync_now(&self) -> Option<SyncFuture> {
        None
    }

    /// Asked to leave: `Ok` when the owner will release the database once
    /// the commands in flight finish, else why not.
    fn leave(&self) -> Result<(), String> {
        Err("the Shark desktop app owns the database; quit it (tray > Quit) to release it".into())
    }

    /// A command arrived (a daemon's idle timer restarts).
    fn touch(&self) {}

    /// Whether the owner is leaving (new commands are answered with `retry`).
    fn leaving(&self) -> bool {
        false
    }
}
