//! Where a saved token may go: a database token saved on this machine (the
//! keyring or the token file) is bound to the host it was first used with,
//! kept beside it in `turso-token-host` (0600; the host only, never inside
//! the secret). Connecting to another host with the saved token is refused
//! before any request, so a mistyped host, or a page in the app's web view,
//! never receives it; the token must be given again for the new host.
//! `TURSO_AUTH_TOKEN` is the caller's explicit choice for one command and
//! is not bound. Saving a new token unbinds (it binds on its first use).
//!
//! Invariants: the binding is written only after a connection with the
//! saved token succeeded; it is removed whenever a new token is saved or
//! the token is removed.

use std::path::PathBuf;

use super::transport::{authority_of, host_of};
use crate::error::{Error, Result};
use crate::paths::{SharkPaths, write_private};

fn file(paths: &SharkPaths) -> PathBuf {
    paths.data_dir.join("turso-token-host")
}

/// The host the saved token is bound to, if any.
pub fn bound_host(paths: &SharkPaths) -> Option<String> {
    let text = std::fs::read_to_string(file(paths)).ok()?;
    let host = text.trim().to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// The host (lower case) and port of `url`: two servers on one machine
/// are two places.
fn host(url: &str) -> String {
    let url = url.trim();
    let Some(h) = host_of(url) else {
        return String::new();
    };
    let port = authority_of(url)
        .and_then(|a| a.rsplit_once(':'))
        .filter(|(_, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        .map(|(_, p)| p);
    match port {
        Some(p) => format!("{}:{p}", h.to_ascii_lowercase()),
        None => h.to_ascii_lowercase(),
    }
}

/// Refuses to send the saved token to `url` when it is bound to another
/// host (`from_env`: the token came from `TURSO_AUTH_TOKEN`, not saved).
pub fn check(paths: &SharkPaths, url: &str, from_env: bool) -> Result<()> {
    if from_env {
        return Ok(());
    }
    let wanted = host(url);
    match bound_host(paths) {
        Some(saved_for) if saved_for != wanted => Err(Error::invalid(format!(
            "the saved Turso token belongs to {saved_for}; Shark does not send it to {wanted}. \
             Give the token for {wanted} first: shark cloud login (in the app: paste it beside the URL in Settings > Cloud), \
             or TURSO_AUTH_TOKEN=... for one command. Nothing was sent"
        ))),
        _ => Ok(()),
    }
}

/// Binds the saved token to `url`'s host after it worked there (nothing
/// for a token from the environment).
pub fn bind(paths: &SharkPaths, url: &str, from_env: bool) -> Result<()> {
    if from_env || bound_host(paths).is_some() {
        return Ok(());
    }
    write_private(&file(paths), host(url).as_bytes())
}

/// Binds the saved token to `url`'s host now (a token given together with
/// the URL it is for, as the app's Settings do).
pub fn bind_to(paths: &SharkPaths, url: &str) -> Result<()> {
    write_private(&file(paths), host(url).as_bytes())
}

/// Puts a binding back as it was (`None`: unbound), after a failed change.
pub fn restore(paths: &SharkPaths, host: Option<&str>) -> Result<()> {
    match host {
        Some(h) => write_private(&file(paths), h.as_bytes()),
        None => {
            unbind(paths);
            Ok(())
        }
    }
}

/// Forgets the binding (a new token was saved, or the token removed).
pub fn unbind(paths: &SharkPaths) {
    let _ = std::fs::remove_file(file(paths));
}

#[cfg(test)]
mod tests {
    // Test helpers may unwrap: a failure is the test failing.
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_saved_token_goes_only_to_its_host() {
        let tmp = tempfile::tempdir().unwrap();
        let paths = SharkPaths::under(tmp.path());
        paths.ensure_dirs().unwrap();
        let saved = false;
        let good = "libsql://tasks-me.turso.io";
        // Unbound: any host, then bound to the first that worked.
        check(&paths, good, saved).unwrap();
        bind(&paths, good, saved).unwrap();
        assert_eq!(bound_host(&paths).as_deref(), Some("tasks-me.turso.io"));
        check(&paths, "https://TASKS-ME.turso.io/", saved).unwrap();
        let err = check(&paths, "libsql://tasks-me.turs0.io", saved)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("tasks-me.turs0.io") && err.contains("shark cloud login"),
            "{err}"
        );
        // The environment's token is the caller's choice.
        check(&paths, "libsql://other.turso.io", true).unwrap();
        // A later success elsewhere does not move the binding.
        bind(&paths, "libsql://other.turso.io", saved).unwrap();
        assert_eq!(bound_host(&paths).as_deref(), Some("tasks-me.turso.io"));
        // Another port of the same machine is another place.
        unbind(&paths);
        bind(&paths, "http://127.0.0.1:8080", saved).unwrap();
        assert_eq!(bound_host(&paths).as_deref(), Some("127.0.0.1:8080"));
        check(&paths, "http://127.0.0.1:8080/", saved).unwrap();
        assert!(check(&paths, "http://127.0.0.1:9090", saved).is_err());
        assert!(check(&paths, "http://[::1]:8080", saved).is_err());
        // A new token unbinds.
        unbind(&paths);
        check(&paths, "libsql://other.turso.io", saved).unwrap();
    }
}
