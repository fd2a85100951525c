//! Opening the right database for this machine's settings: local only, or the
//! synced replica (bootstrapped on first connect, with the local data carried
//! over once). If Turso cannot be reached on first connect, work continues on
//! the local database and a later run connects and carries the data over.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use super::classify::Problem;
use super::pipeline::SyncObserver;
use super::policy::FirstConnect;
use super::state::{DEFAULT_INTERVAL, SyncState, retry_pause};
use super::token::{TokenSource, check_token, load_token};
use super::url::{DbTarget, UrlSource, redact, resolve_url};
use crate::config::{Config, Device};
use crate::error::{Error, Result};
use crate::paths::{SharkPaths, write_private};
use crate::store::{Backend, NotOpened, ProcessLock, Remote, Store};
use crate::time::{self, Timestamp};

/// Longest wait for an existing replica to open (it needs no network).
pub const BOOTSTRAP_TIMEOUT: Duration = Duration::from_secs(10);

/// The safety net on a first download: the relay's deadlines already end a
/// download that stops moving (`relay`), so a large one on a slow link is
/// never cut for its size.
pub const DOWNLOAD_SAFETY: Duration = Duration::from_secs(15 * 60);

/// How this machine is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// No cloud configured.
    Local,
    /// A synced replica.
    Replica,
    /// A cloud is configured but was unreachable on first connect.
    LocalFallback,
}

/// What `open` found, for status displays.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectionInfo {
    pub mode: Mode,
    /// Redacted.
    pub url: Option<String>,
    pub url_source: UrlSource,
    pub token_source: Option<TokenSource>,
    pub token_expires_at: Option<Timestamp>,
    /// How the server is reached (absent when local only).
    pub transport: Option<super::Transport>,
}

impl ConnectionInfo {
    /// Set when the token travels in clear text to another machine.
    pub fn insecure_warning(&self) -> Option<String> {
        (self.transport == Some(super::Transport::InsecureHttp))
            .then(|| super::transport::insecure_warning(self.url.as_deref().unwrap_or_default()))
    }
}

/// An open store and what the user should be told about how it was opened.
#[derive(Debug)]
pub struct Opened {
    pub store: Store,
    pub info: ConnectionInfo,
    pub notices: Vec<String>,
}

fn replica_url_file(paths: &SharkPaths) -> PathBuf {
    paths.data_dir.join("replica-url")
}

fn carried_marker(paths: &SharkPaths) -> PathBuf {
    paths.data_dir.join("carried-over")
}

/// The replica's files (the engine keeps several beside the database).
pub fn replica_files(paths: &SharkPaths) -> Vec<PathBuf> {
    replica_engine_files(paths)
        .into_iter()
        .chain([replica_url_file(paths), carried_marker(paths)])
        .collect()
}

/// The sync engine's own files of the replica (without Shark's markers).
pub fn replica_engine_files(paths: &SharkPaths) -> Vec<PathBuf> {
    crate::store::database_files(&paths.replica_file())
}

fn remove_replica(paths: &SharkPaths) -> Result<()> {
    for f in replica_files(paths) {
        match std::fs::remove_file(&f) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("cannot remove", f, e)),
        }
    }
    Ok(())
}

/// Whether a first connect may be skipped because one just failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// A routine run: after an offline failure, wait out the retry pause.
    Auto,
    /// The user asked (init, sync, status): always try.
    Now,
}

/// Opens the database this machine's settings ask for.
pub async fn open(
    paths: &SharkPaths,
    device: Device,
    config: &Config,
    lock_timeout: Duration,
    attempt: Attempt,
) -> Result<Opened> {
    open_inner(paths, device, config, lock_timeout, attempt, None, None).await
}

/// [`open`] with this machine's database lock already held (kept from a
/// store closed with [`Store::close_keeping_lock`]): no other process can
/// open the database between the two (a rebuild hands its lock on).
pub async fn open_holding(
    paths: &SharkPaths,
    device: Device,
    config: &Config,
    lock: ProcessLock,
    attempt: Attempt,
) -> Result<Opened> {
    open_inner(
        paths,
        device,
        config,
        Duration::ZERO,
        attempt,
        None,
        Some(lock),
    )
    .await
}

/// Read connections a long-lived owner keeps open (see
/// [`Store::keep_readers_open`]).
const OWNER_READERS: usize = 2;

/// [`open`] for the replica's long-lived owner (the app, a background
/// owner), whose pulls may wait `long_poll` on the server for news. Its
/// reads never wait for a pull: it keeps read connections open.
pub async fn open_as_owner(
    paths: &SharkPaths,
    device: Device,
    config: &Config,
    lock_timeout: Duration,
    long_poll: Duration,
    attempt: Attempt,
) -> Result<Opened> {
    let opened = open_inner(
        paths,
        device,
        config,
        lock_timeout,
        attempt,
        Some(long_poll),
        None,
    )
    .await?;
    opened.store.keep_readers_open(OWNER_READERS).await;
    Ok(opened)
}

#[tracing::instrument(skip_all)]
async fn open_inner(
    paths: &SharkPaths,
    device: Device,
    config: &Config,
    lock_timeout: Duration,
    attempt: Attempt,
    long_poll: Option<Duration>,
    held: Option<ProcessLock>,
) -> Result<Opened> {
    let resolved = resolve_url(config.cloud.url.as_deref())?;
    let mut info = ConnectionInfo {
        mode: Mode::Local,
        url: None,
        url_source: resolved.source.clone(),
        token_source: None,
        token_expires_at: None,
        transport: None,
    };
    let mut notices = Vec::new();
    let url = match resolved.target {
        DbTarget::Local(None) => {
            let lock = held_or_taken(held, paths, &Backend::Local, lock_timeout).await?;
            let store = Store::open_locked(paths, device, lock, &Backend::Local, None)
                .await
                .map_err(|n| n.error)?;
            return Ok(Opened {
                store,
                info,
                notices,
            });
        }
        DbTarget::Local(Some(path)) => {
            info.url = Some(path.display().to_string());
            let store = Store::open_with(paths, device, lock_timeout, &Backend::LocalFile(path))
                .await
                .map_err(|e| with_hint(e, &resolved.source))?;
            return Ok(Opened {
                store,
                info,
                notices,
            });
        }
        DbTarget::Remote(url) => url,
    };
    info.url = Some(redact(&url));
    let transport = super::transport::check(&url, config.cloud.allow_insecure_http == Some(true))?;
    info.transport = Some(transport);
    let token = match load_token(paths)? {
        Some((token, source)) => {
            // A saved token goes only to the host it was saved for.
            super::token_host::check(paths, &url, source == TokenSource::Env)?;
            let checked = check_token(&token, time::now())?;
            notices.extend(checked.warning);
            info.token_source = Some(source);
            info.token_expires_at = checked.expires_at;
            Some(token)
        }
        None => None,
    };
    if let Ok(bound) = std::fs::read_to_string(replica_url_file(paths))
        && bound.trim() != url
        && paths.replica_file().exists()
    {
        return Err(Error::invalid(format!(
            "this machine's replica belongs to {}; run shark cloud disconnect (your tasks are kept) before connecting to {}",
            redact(bound.trim()),
            redact(&url)
        )));
    }
    let backend = Backend::Replica(Remote {
        url: url.clone(),
        token,
        long_poll,
        deadlines: Default::default(),
    });
    // The lock first, outside the bootstrap's time: a database busy in
    // another process is said as such (with its holder), never as damage,
    // and no one else can touch the replica's files while this one decides.
    let lock = held_or_taken(held, paths, &backend, lock_timeout).await?;
    let existed = paths.replica_file().exists();
    let mut state = SyncState::load(paths);
    let interval = config
        .cloud
        .sync_interval_secs
        .map_or(DEFAULT_INTERVAL, Duration::from_secs);
    let wait_out = !existed
        && attempt == Attempt::Auto
        && state.last_failure.as_ref().is_some_and(|f| {
            !f.problem.is_permanent()
                && (time::now() - f.at).to_std().unwrap_or_default() < retry_pause(interval)
        });
    let (failure, lock) = if wait_out {
        let (problem, detail) = state
            .last_failure
            .as_ref()
            .map_or((Problem::Offline, String::new()), |f| {
                (f.problem, f.message.clone())
            });
        ((problem, detail, false), lock)
    } else {
        match Store::open_locked(
            paths,
            device.clone(),
            lock,
            &backend,
            Some(BOOTSTRAP_TIMEOUT),
        )
        .await
        {
            Ok(store) => {
                return connected(paths, store, info, notices, &url, existed, state).await;
            }
            Err(NotOpened { error, lock }) => {
                match first_connect_failed(&error, existed) {
                    Failed::Refuse => {
                        if !existed {
                            // The replica just downloaded goes (another
                            // program's database, a newer schema...):
                            // nothing was written to it or pushed, and no
                            // file of it may be taken for this machine's
                            // replica later.
                            remove_replica(paths)?;
                        }
                        return Err(with_hint(error, &resolved.source));
                    }
                    Failed::Damaged => {
                        return Err(Error::invalid(format!(
                            "this machine's replica did not open within {} s; it may be damaged. Run shark doctor (shark cloud rebuild re-creates it from Turso, exporting what it can first)",
                            BOOTSTRAP_TIMEOUT.as_secs()
                        )));
                    }
                    Failed::CannotConnect(problem) => {
                        if !existed {
                            remove_replica(paths)?;
                        }
                        let detail = error.to_string();
                        state.failed(time::now(), problem, &detail);
                        state.save(paths)?;
                        return Err(Error::CannotConnect {
                            url: redact(&url),
                            problem,
                            detail,
                        });
                    }
                    Failed::FallBack(problem) => {
                        // We hold the lock: nobody else uses these files.
                        remove_replica(paths)?;
                        ((problem, error.to_string(), true), lock)
                    }
                }
            }
        }
    };
    let (problem, detail, tried) = failure;
    if tried {
        state.failed(time::now(), problem, &detail);
        state.save(paths)?;
    }
    tracing::debug!(%detail, "first connect failed; working locally");
    notices.push(match problem {
        Problem::Quota => format!(
            "Turso at {} blocked the first connection: the plan's quota is used up; working on the local database. Shark connects and carries your tasks over when the quota allows.",
            redact(&url)
        ),
        Problem::Offline => format!(
            "Turso at {} cannot be reached yet; working on the local database. Shark connects and carries your tasks over on a later run.",
            redact(&url)
        ),
        _ => format!(
            "Turso at {} cannot be reached yet; working on the local database. Shark connects and carries your tasks over on a later run ({}).",
            redact(&url),
            problem.explain()
        ),
    });
    info.mode = Mode::LocalFallback;
    let store = Store::open_locked(paths, device, lock, &Backend::Local, None)
        .await
        .map_err(|n| n.error)?;
    Ok(Opened {
        store,
        info,
        notices,
    })
}

/// The lock handed on by the caller, else this machine's lock, waited for.
async fn held_or_taken(
    held: Option<ProcessLock>,
    paths: &SharkPaths,
    backend: &Backend,
    lock_timeout: Duration,
) -> Result<ProcessLock> {
    match held {
        Some(l) => Ok(l),
        None => Store::lock_for(paths, backend, lock_timeout).await,
    }
}

/// What a failed open of the replica leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failed {
    /// Work on the local database (an outage never takes local work away).
    FallBack(Problem),
    /// The server refused in a way only the user can end: say so, with the remedy.
    CannotConnect(Problem),
    /// An existing replica that does not open in time.
    Damaged,
    /// Any other failure, returned as it is.
    Refuse,
}

/// The first-connect decision, pure: `existed` is whether this machine
/// already had its replica (which opens without the network).
fn first_connect_failed(e: &Error, existed: bool) -> Failed {
    if existed {
        return match e {
            Error::SyncTimeout { .. } => Failed::Damaged,
            _ => Failed::Refuse,
        };
    }
    let problem = match e {
        Error::Sync { problem, .. } | Error::CannotConnect { problem, .. } => *problem,
        Error::SyncTimeout { .. } => Problem::Offline,
        Error::Database { .. } if e.problem() == Problem::Busy => Problem::Busy,
        _ => return Failed::Refuse,
    };
    match super::policy::first_connect(problem) {
        FirstConnect::FallBack => Failed::FallBack(problem),
        FirstConnect::Refuse => Failed::CannotConnect(problem),
    }
}

/// The replica is open: record a first connect and carry the local data over once.
async fn connected(
    paths: &SharkPaths,
    store: Store,
    mut info: ConnectionInfo,
    mut notices: Vec<String>,
    url: &str,
    existed: bool,
    mut state: SyncState,
) -> Result<Opened> {
    info.mode = Mode::Replica;
    if let Some(source) = &info.token_source {
        super::token_host::bind(paths, url, *source == TokenSource::Env)?;
    }
    if !existed {
        // A bootstrap talked to the server (it downloaded the whole
        // database); opening an existing replica did not.
        let (sent, received) = store.traffic_since_last().await;
        crate::usage::meter::UsageMeter::new(paths).observed(&super::pipeline::PassFigures {
            bytes_sent: sent,
            bytes_received: received,
            ..Default::default()
        });
        state.succeeded(time::now());
        state.save(paths)?;
        write_private(&replica_url_file(paths), url.as_bytes())?;
    }
    let local = paths.database_file();
    if local.exists() && !carried_marker(paths).exists() {
        let n = store.carry_over_from(&local).await?;
        write_private(
            &carried_marker(paths),
            time::to_text(&time::now()).as_bytes(),
        )?;
        if n > 0 {
            notices.push(format!(
                "carried {n} local records into the replica; they sync with the next push"
            ));
        }
    }
    Ok(Opened {
        store,
        info,
        notices,
    })
}

/// Adds to a [`Error::Foreign`] where its URL came from and how to point
/// Shark elsewhere; other errors pass unchanged.
fn with_hint(e: Error, source: &UrlSource) -> Error {
    let Error::Foreign {
        location, tables, ..
    } = e
    else {
        return e;
    };
    let hint = match source {
        UrlSource::Env(var) => format!(
            ". The URL came from the environment variable {var}: run Shark without it (env -u {var} shark ...), \
             or give Shark its own database with SHARK_DB_URL or shark cloud init --url URL"
        ),
        UrlSource::Setting => {
            ". The URL is the saved setting: shark cloud init --url URL sets Shark's own database \
             (shark cloud disconnect goes back to local)"
                .to_string()
        }
        UrlSource::Default => String::new(),
    };
    Error::Foreign {
        location,
        tables,
        hint,
    }
}

/// Leaves the cloud: saves every record of the replica into the local
/// database, then removes the replica. Returns the number of records saved
/// and the database lock, still held: the caller saves the settings (local
/// only) before dropping it, so no other process opens, or bootstraps anew,
/// the replica in between.
pub async fn disconnect(paths: &SharkPaths, store: Store) -> Result<(usize, ProcessLock)> {
    if !store.is_replica() {
        return Ok((0, store.close_keeping_lock()));
    }
    let n = store.save_to_file(&paths.database_file()).await?;
    let lock = store.close_keeping_lock();
    remove_replica(paths)?;
    Ok((n, lock))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sync_error(text: &str) -> Error {
        Error::sync("opening the replica", turso::Error::Error(text.into()))
    }

    #[test]
    fn a_first_connect_falls_back_on_everything_that_may_pass() {
        let refused = "http request failed: client error (Connect)";
        for (e, problem) in [
            (sync_error(refused), Problem::Offline),
            (Error::SyncTimeout { secs: 10 }, Problem::Offline),
            (sync_error("status=503, body=unavailable"), Problem::Server),
            (sync_error("status=429, body=slow down"), Problem::Server),
            (sync_error("Operation was blocked: BLOCKED"), Problem::Quota),
            (sync_error("Database is busy"), Problem::Busy),
            (
                sync_error("status=502, body=shark relay: offline: cut"),
                Problem::Offline,
            ),
        ] {
            assert_eq!(
                first_connect_failed(&e, false),
                Failed::FallBack(problem),
                "{e}"
            );
        }
    }

    #[test]
    fn a_first_connect_refuses_what_needs_the_user() {
        let auth = sync_error(r#"status=401, body={"error":"Unauthorized: The JWT is invalid"}"#);
        assert_eq!(
            first_connect_failed(&auth, false),
            Failed::CannotConnect(Problem::Auth)
        );
        assert_eq!(
            first_connect_failed(&sync_error("status=307, body="), false),
            Failed::CannotConnect(Problem::Redirect)
        );
        assert_eq!(
            first_connect_failed(&sync_error("BATCH_STEP_ERROR: constraint"), false),
            Failed::CannotConnect(Problem::Rejected)
        );
        let foreign = Error::Foreign {
            location: "x".into(),
            tables: "y".into(),
            hint: String::new(),
        };
        assert_eq!(first_connect_failed(&foreign, false), Failed::Refuse);
        assert_eq!(
            first_connect_failed(&Error::invalid("bad"), false),
            Failed::Refuse
        );
    }

    #[test]
    fn an_existing_replica_is_never_taken_for_an_outage() {
        assert_eq!(
            first_connect_failed(&Error::SyncTimeout { secs: 10 }, true),
            Failed::Damaged
        );
        assert_eq!(
            first_connect_failed(&sync_error("status=503, body=x"), true),
            Failed::Refuse
        );
    }
}
