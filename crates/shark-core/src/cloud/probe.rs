//! "Test connection" in the app's settings: checks a URL and token against
//! the real server without touching this machine's data, by bootstrapping a
//! throwaway replica in a private temporary folder that is removed after.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::classify::Problem;
use super::token::check_token;
use super::url::{DbTarget, parse, redact};
use crate::config::Device;
use crate::paths::{SharkPaths, create_private_dir};
use crate::secret::SecretToken;
use crate::store::{Backend, Remote, Store};
use crate::time;

/// What a connection test found, classified for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ProbeOutcome {
    pub ok: bool,
    /// The classified problem when it failed.
    pub problem: Option<Problem>,
    /// One sentence for the user (never contains the token).
    pub message: String,
    pub elapsed_ms: u64,
}

impl ProbeOutcome {
    fn failed(problem: Problem, message: String, started: Instant) -> Self {
        ProbeOutcome {
            ok: false,
            problem: Some(problem),
            message,
            elapsed_ms: elapsed_ms(started),
        }
    }
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Connects to `url` with `token` as a new machine would, within `timeout`.
/// The transport rule is applied first: over plain http to another machine
/// nothing is sent unless `allow_insecure_http` (the saved setting) says so.
#[tracing::instrument(skip_all)]
pub async fn test_connection(
    url: &str,
    token: Option<&SecretToken>,
    allow_insecure_http: bool,
    timeout: Duration,
) -> ProbeOutcome {
    let started = Instant::now();
    let url = match parse(url) {
        Ok(DbTarget::Remote(u)) => u,
        Ok(DbTarget::Local(_)) => {
            return ProbeOutcome::failed(
                Problem::Other,
                "that is not a Turso URL; give libsql://NAME-ORG.turso.io (or https://...)".into(),
                started,
            );
        }
        Err(e) => return ProbeOutcome::failed(Problem::Other, e.to_string(), started),
    };
    if let Err(e) = super::transport::check(&url, allow_insecure_http) {
        return ProbeOutcome::failed(Problem::Other, e.to_string(), started);
    }
    if let Some(t) = token
        && let Err(e) = check_token(t, time::now())
    {
        return ProbeOutcome::failed(Problem::Auth, e.to_string(), started);
    }
    let dir = std::env::temp_dir().join(format!("shark-probe-{}", uuid::Uuid::now_v7()));
    if let Err(e) = create_private_dir(&dir) {
        return ProbeOutcome::failed(Problem::Other, e.to_string(), started);
    }
    let paths = SharkPaths::under(&dir);
    let device = Device {
        id: uuid::Uuid::now_v7().to_string(),
        name: "connection test".into(),
    };
    let backend = Backend::Replica(Remote {
        url: url.clone(),
        token: token.cloned(),
        long_poll: None,
        deadlines: Default::default(),
    });
    let result = tokio::time::timeout(
        timeout,
        Store::open_with(&paths, device, Duration::from_secs(1), &backend),
    )
    .await;
    let outcome = match result {
        Ok(Ok(store)) => {
            drop(store);
            ProbeOutcome {
                ok: true,
                problem: None,
                message: format!("Connected to {}.", redact(&url)),
                elapsed_ms: elapsed_ms(started),
            }
        }
        Ok(Err(e)) => {
            let problem = e.problem();
            ProbeOutcome::failed(problem, problem.explain().to_string(), started)
        }
        Err(_) => ProbeOutcome::failed(
            Problem::Offline,
            format!(
                "no answer from {} within {} s; check the URL and your network",
                redact(&url),
                timeout.as_secs()
            ),
            started,
        ),
    };
    if let Err(e) = std::fs::remove_dir_all(&dir) {
        tracing::warn!("could not remove the connection test folder: {e}");
    }
    outcome
}
