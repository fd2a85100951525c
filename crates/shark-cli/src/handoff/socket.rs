//! The local socket the hand-off runs over, and the only code that knows it
//! is a Unix-domain socket (a file in the data folder, mode 0600: only this
//! user can connect). A port to a platform without them (Windows: a named
//! pipe) replaces this one file; the protocol above it is bytes and lines.

use std::path::Path;

pub use tokio::net::{UnixListener as Listener, UnixStream as Stream};

/// Listens on `socket`, removing a stale file first: the caller holds the
/// database lock, so no other owner can be listening there.
pub fn bind(socket: &Path) -> std::io::Result<Listener> {
    match std::fs::remove_file(socket) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let listener = Listener::bind(socket)?;
    shark_core::paths::make_private(socket).map_err(std::io::Error::other)?;
    Ok(listener)
}

/// Connects to whoever listens on `socket`.
pub async fn connect(socket: &Path) -> std::io::Result<Stream> {
    Stream::connect(socket).await
}
