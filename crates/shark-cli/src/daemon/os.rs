//! What the daemon needs from the operating system beyond files and
//! sockets, and the only daemon code that is Unix-specific: starting a
//! process detached from the caller's terminal, and the signals that ask it
//! to stop. A port to another platform replaces this one file.

use std::process::Command;

/// Starts `cmd` in its own process group, so a Ctrl-C meant for the caller
/// does not stop it.
pub fn spawn_detached(cmd: &mut Command) -> std::io::Result<std::process::Child> {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0).spawn()
}

/// Waits for a request to stop from outside (SIGTERM, SIGINT) and names it;
/// never returns if neither can be listened to.
pub async fn stop_signal() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).ok();
    let mut int = signal(SignalKind::interrupt()).ok();
    tokio::select! {
        Some(()) = async { term.as_mut()?.recv().await } => "SIGTERM",
        Some(()) = async { int.as_mut()?.recv().await } => "interrupted",
        else => std::future::pending().await,
    }
}
