//! `shark daemon ...`, and how a command finds an owner for a connected
//! machine's replica: started on demand, detached, by the first command
//! that needs the database (one at a time, under a start lock), stopped on
//! request or when the desktop app takes over.

mod os;
mod owner;
mod unit;

use std::fs::{File, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;
use shark_core::cloud::url::{DbTarget, database_identity, resolve_url};
use shark_core::paths::{SharkPaths, create_private_dir, private_file_options};

use crate::Ctx;
use crate::args::DaemonCmd;
use crate::handoff::{self, Op, OwnerInfo, OwnerKind};
use crate::render::Out;

/// Default seconds without a command before a daemon exits.
pub const DEFAULT_IDLE_SECS: u64 = 900;
/// Environment variable that turns automatic starts off (`off`, `0`).
pub const DAEMON_ENV: &str = "SHARK_DAEMON";
/// Longest wait for a started daemon to listen (a first download of the
/// replica and another process's lock both count).
const START_WAIT: Duration = Duration::from_secs(30);
/// Longest wait for a daemon asked to leave to release the database.
const LEAVE_WAIT: Duration = Duration::from_secs(45);
/// The daemon's log is started afresh past this size.
const LOG_LIMIT: u64 = 1024 * 1024;

/// The database a daemon would own; refuses a local-only machine.
fn connected_database(ctx: &Ctx) -> anyhow::Result<String> {
    let url = ctx.config.cloud.url.as_deref();
    if !matches!(resolve_url(url)?.target, DbTarget::Remote(_)) {
        anyhow::bail!(
            "this machine is local only (no Turso database configured), so it needs no daemon: commands open the database themselves. Connect it with shark cloud init --url URL first"
        );
    }
    Ok(database_identity(&ctx.paths, url)?)
}

/// Whether commands on this machine start a daemon by themselves: a
/// connected machine, unless `[daemon] autostart = false` or `SHARK_DAEMON=off`.
pub fn wanted(ctx: &Ctx) -> bool {
    let off = std::env::var(DAEMON_ENV).is_ok_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "off" | "0" | "no" | "false"
        )
    });
    !off && ctx.config.daemon.autostart != Some(false) && connected_database(ctx).is_ok()
}

/// The idle time: `--idle-secs`, else `[daemon] idle_secs`, else the default; 0 is never.
fn idle(ctx: &Ctx, flag: Option<u64>) -> Option<Duration> {
    let secs = flag
        .or(ctx.config.daemon.idle_secs)
        .unwrap_or(DEFAULT_IDLE_SECS);
    (secs > 0).then(|| Duration::from_secs(secs))
}

pub async fn command(ctx: &Ctx, cmd: DaemonCmd, out: &Out) -> anyhow::Result<()> {
    match cmd {
        DaemonCmd::Run { idle_secs } => {
            if let Some(o) = handoff::ask(&ctx.paths, Op::Status).await? {
                anyhow::bail!("{} already owns this home's database", o.describe());
            }
            owner::run(ctx, idle(ctx, idle_secs)).await
        }
        DaemonCmd::Start => {
            connected_database(ctx)?;
            ensure(ctx).await?;
            status(&ctx.paths, out).await
        }
        DaemonCmd::Status => status(&ctx.paths, out).await,
        DaemonCmd::Stop => match evict(&ctx.paths).await? {
            Some(o) => out.lines(&[format!("Stopped {}.", o.describe())]),
            None => match handoff::ask(&ctx.paths, Op::Status).await? {
                Some(app) => out.lines(&[format!(
                    "No Shark daemon runs: {} owns this home's database (quit it from the tray to release it).",
                    app.describe()
                )]),
                None => out.lines(&["No Shark daemon runs for this home."]),
            },
        },
        DaemonCmd::Install => unit::install(ctx, out),
        DaemonCmd::Uninstall => unit::uninstall(out),
    }
}

#[derive(Serialize)]
struct Status<'a> {
    running: bool,
    owner: Option<&'a OwnerInfo>,
}

async fn status(paths: &SharkPaths, out: &Out) -> anyhow::Result<()> {
    let owner = handoff::ask(paths, Op::Status).await?;
    if out.json {
        return out.json(&Status {
            running: owner.is_some(),
            owner: owner.as_ref(),
        });
    }
    let Some(o) = owner else {
        return out.lines(&[
            "No Shark app or daemon runs for this home: commands open the database themselves (on a connected machine the next command starts a daemon).",
        ]);
    };
    let mut lines = vec![format!("Owner:    {}", o.describe())];
    if let Some(since) = &o.since {
        lines.push(format!("Since:    {}", crate::render::when(since)));
    }
    if let Some(db) = &o.database {
        lines.push(format!("Database: {db}"));
    }
    lines.push(format!(
        "Pending:  {} change(s) waiting to be pushed",
        o.pending_changes
    ));
    if o.kind == OwnerKind::Daemon {
        lines.push(match o.idle_exit_secs {
            Some(s) => {
                format!("Exits:    after {s} s without a command, once nothing waits to be pushed")
            }
            None => "Exits:    never (shark daemon stop ends it)".to_string(),
        });
    }
    out.lines(&lines)
}

/// Starts a daemon for this home unless an owner already listens; returns
/// once it accepts commands. Two commands starting one at once start one.
#[tracing::instrument(skip_all)]
pub async fn ensure(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.paths.ensure_dirs()?;
    let _start = start_lock(&ctx.paths.data_dir.join("daemon-start.lock")).await?;
    if listening(&ctx.paths).await {
        return Ok(());
    }
    create_private_dir(&ctx.paths.log_dir)?;
    let log_path = ctx.paths.log_dir.join("daemon.log");
    let log = open_log(&log_path)?;
    let exe =
        std::env::current_exe().context("cannot find the shark binary to start the daemon")?;
    let mut child = {
        let mut cmd = std::process::Command::new(exe);
        // Not the caller's folder (which may be removed or unmounted later);
        // a relative SHARK_HOME is made absolute for that.
        if let Some(home) = std::env::var_os(shark_core::paths::SHARK_HOME_ENV)
            && !home.is_empty()
        {
            cmd.env(
                shark_core::paths::SHARK_HOME_ENV,
                std::path::absolute(&home)?,
            );
        }
        // The caller's log filter is for its own command, not for a
        // process that runs for hours (`shark daemon run -v` is for that).
        cmd.current_dir(&ctx.paths.data_dir)
            .env_remove("SHARK_LOG")
            .args(["daemon", "run"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(log);
        os::spawn_detached(&mut cmd).context("cannot start the background daemon")?
    };
    let started = Instant::now();
    loop {
        if listening(&ctx.paths).await {
            tracing::debug!(pid = child.id(), "the daemon started");
            return Ok(());
        }
        if let Some(status) = child.try_wait()? {
            anyhow::bail!(
                "the background daemon exited at start ({status}): {}",
                last_line(&log_path).unwrap_or_else(|| format!("see {}", log_path.display()))
            );
        }
        if started.elapsed() > START_WAIT {
            anyhow::bail!(
                "the background daemon did not start within {} s; see {}",
                START_WAIT.as_secs(),
                log_path.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Whether an owner accepts connections on the socket.
async fn listening(paths: &SharkPaths) -> bool {
    handoff::socket::connect(&paths.app_socket()).await.is_ok()
}

/// Asks a daemon to leave and waits until it has released the database;
/// `None` when no daemon ran. The desktop app is left alone (`None` too: it
/// answers for itself when a command reaches it).
pub async fn evict(paths: &SharkPaths) -> anyhow::Result<Option<OwnerInfo>> {
    match handoff::ask(paths, Op::Status).await? {
        Some(o) if o.kind == OwnerKind::Daemon => {}
        _ => return Ok(None),
    }
    let Some(owner) = handoff::ask(paths, Op::Leave).await? else {
        return Ok(None);
    };
    // Released when its lock is free (the socket goes just before).
    let lock = shark_core::store::ProcessLock::acquire(&paths.lock_file(), LEAVE_WAIT)
        .await
        .with_context(|| {
            format!(
                "{} was asked to stop but still holds the database",
                owner.describe()
            )
        })?;
    drop(lock);
    Ok(Some(owner))
}

/// Serializes daemon starts for a home (released when dropped or on exit).
async fn start_lock(path: &Path) -> anyhow::Result<File> {
    let file = private_file_options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(TryLockError::WouldBlock) if started.elapsed() < START_WAIT => {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Err(TryLockError::WouldBlock) => anyhow::bail!(
                "another shark command has been starting the daemon for {} s; see the daemon's log",
                START_WAIT.as_secs()
            ),
            Err(TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()));
            }
        }
    }
}

/// The daemon's log (0600), started afresh when it has grown large.
fn open_log(path: &Path) -> anyhow::Result<File> {
    let large = std::fs::metadata(path).is_ok_and(|m| m.len() > LOG_LIMIT);
    let mut opts = private_file_options();
    opts.create(true);
    if large {
        opts.write(true).truncate(true);
    } else {
        opts.append(true);
    }
    let file = opts
        .open(path)
        .with_context(|| format!("cannot write the daemon's log {}", path.display()))?;
    shark_core::paths::make_private(path)?;
    Ok(file)
}

fn last_line(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.trim().to_string())
}
