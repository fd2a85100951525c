//! The `shark` command line as a library: argument parsing, the commands,
//! the hand-off that lets the process owning the database (the desktop app,
//! or the background daemon on a connected machine) run commands for the
//! CLI (one process per file), and that daemon.

#![allow(clippy::print_stderr)]

pub mod args;
mod cloud;
mod cloud_token;
mod cloud_usage;
pub mod complete;
pub mod daemon;
mod damaged;
mod doctor;
mod epic;
mod feature;
pub mod handoff;
mod init;
mod locate;
mod man;
pub mod paint;
mod plan;
mod printable;
mod progress;
mod remedy;
pub mod render;
mod secret_input;
mod status;
mod task;
mod task_edit;
mod task_json;
mod task_view;
mod transfer;

use std::time::Duration;

use shark_core::cloud::Attempt;
use shark_core::config::{Config, Device};
use shark_core::paths::SharkPaths;
use shark_core::store::{DEFAULT_LOCK_TIMEOUT, Store};

use args::{Cli, Command};
use render::Out;

/// A mistake in how the command was called (exit code 4, [`exit::USAGE`]).
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// Returns a usage error (exit code 4) with `msg`.
pub fn usage<T>(msg: impl Into<String>) -> anyhow::Result<T> {
    Err(Usage(msg.into()).into())
}

/// Where a command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// A data command: handed to the owner; on a connected machine with no
    /// owner, a daemon is started for it.
    Owner,
    /// Handed to an owner that runs, else run here (status, sync, usage).
    OwnerIfRunning,
    /// Changes the connection (init, login, rebuild...): a daemon is asked
    /// to leave first; the desktop app answers for itself.
    Here,
}

fn route(command: &Command) -> Route {
    use args::CloudCmd;
    match command {
        Command::Epic(_)
        | Command::Feature(_)
        | Command::Task(_)
        | Command::Init { .. }
        | Command::Status
        | Command::Import { .. }
        | Command::Export { .. } => Route::Owner,
        Command::Cloud(CloudCmd::Status | CloudCmd::Sync) | Command::Doctor { .. } => {
            Route::OwnerIfRunning
        }
        Command::Cloud(CloudCmd::Usage(a)) if !a.api_token && !a.forget_api_token => {
            Route::OwnerIfRunning
        }
        Command::Cloud(_)
        | Command::Daemon(_)
        | Command::Completion { .. }
        | Command::ManPages { .. } => Route::Here,
    }
}

/// Runs a parsed command: hands it to the process that owns the database
/// (the desktop app or the daemon, started here when a connected machine
/// has none), else opens the database itself.
pub async fn run(cli: Cli, raw_args: Vec<String>, out: &Out) -> anyhow::Result<u8> {
    // These read and write no Shark data (no home is made for them).
    match &cli.command {
        Command::Completion { shell } => {
            let mut script = Vec::new();
            complete::registration(shell, &mut script)?;
            out.bytes(&script)?;
            return Ok(0);
        }
        Command::ManPages { dir } => {
            let pages = man::write_all(&out.resolve(dir))?;
            if out.json {
                out.json(&pages)?;
            } else {
                out.lines(&[format!("{} man pages in {}", pages.len(), dir.display())])?;
            }
            return Ok(0);
        }
        _ => {}
    }
    if let Command::Doctor { repair } = cli.command {
        // Before anything that could fail on what doctor should explain.
        let paths = SharkPaths::from_env()?;
        if let handoff::Forwarded::Done(reply) =
            handoff::forward(&paths, &cli, raw_args, &out.caller, None).await?
        {
            return Ok(reply.print());
        }
        doctor::standalone(paths, repair, out).await?;
        return Ok(0);
    }
    let mut ctx = Ctx::load()?;
    if let Some(db) = cli.db.clone() {
        // One command on a file of the caller's choosing, run here: no
        // hand-off (the owner serves this machine's database), no daemon.
        if route(&cli.command) != Route::Owner {
            return usage(
                "--db applies to the task, epic, feature, status, init, import and export commands",
            );
        }
        let path = out.resolve(&db);
        if path.is_dir() {
            return usage(format!(
                "--db {} is a folder; give the database file's path (created if missing)",
                path.display()
            ));
        }
        ctx.config.cloud.url = Some(path.display().to_string());
        let opened = ctx.open(Attempt::Auto, out).await?;
        run_on(&opened.store, cli.command, out).await?;
        return Ok(0);
    }
    let command = match cli.command {
        Command::Daemon(cmd) => {
            daemon::command(&ctx, cmd, out).await?;
            return Ok(0);
        }
        ref other => other,
    };
    let route = route(command);
    // Shown while the owner or this process works (cleared before output).
    out.show_progress(progress::of(command));
    if route == Route::Here {
        daemon::evict(&ctx.paths).await?;
    }
    // The caller's own database, which the owner compares with its own. A
    // setting that cannot be read is never handed over (the owner would run
    // the command in its own database): the command runs here, which says
    // what is wrong with the setting exactly as it does without an owner.
    let database =
        shark_core::cloud::url::database_identity(&ctx.paths, ctx.config.cloud.url.as_deref()).ok();
    let tries = if database.is_some() { 5 } else { 0 };
    let mut started = false;
    for _ in 0..tries {
        match handoff::forward(
            &ctx.paths,
            &cli,
            raw_args.clone(),
            &out.caller,
            database.clone(),
        )
        .await?
        {
            handoff::Forwarded::Done(reply) => {
                out.end_progress();
                return Ok(reply.print());
            }
            // The owner is leaving: the next one answers in a moment.
            handoff::Forwarded::Retry => {
                tokio::time::sleep(Duration::from_millis(100)).await;
                started = false;
                continue;
            }
            handoff::Forwarded::NoOwner => {}
        }
        if route != Route::Owner || started || !daemon::wanted(&ctx) {
            break;
        }
        match daemon::ensure(&ctx).await {
            Ok(()) => started = true,
            Err(e) => {
                out.note(&format!("running in this process: {e:#}"));
                break;
            }
        }
    }
    let command = match cli.command {
        Command::Cloud(cmd) => {
            cloud::run(&ctx, cmd, out).await?;
            return Ok(0);
        }
        other => other,
    };
    let opened = ctx.open(Attempt::Auto, out).await?;
    run_on(&opened.store, command, out).await?;
    cloud::auto_sync(&ctx, &opened, out).await;
    Ok(0)
}

/// Runs a data command (epic, feature, task) against an open store.
pub async fn run_on(store: &Store, command: Command, out: &Out) -> anyhow::Result<()> {
    match command {
        Command::Epic(cmd) => epic::run(store, cmd, out).await,
        Command::Feature(cmd) => feature::run(store, cmd, out).await,
        Command::Task(cmd) => task::run(store, cmd, out).await,
        Command::Init { .. } => init::run(store, out).await,
        Command::Status => status::run(store, out).await,
        Command::Import { path } => transfer::import(store, &out.resolve(&path), out).await,
        Command::Export {
            format,
            path,
            force,
        } => transfer::export(store, &format, &out.resolve(&path), force, out).await,
        Command::Cloud(_) => anyhow::bail!(
            "the Shark desktop app is running and manages the cloud connection: use its Settings (or quit the app to run shark cloud here)"
        ),
        Command::Doctor { .. } => anyhow::bail!("shark doctor opens what it checks itself"),
        Command::Daemon(_) | Command::Completion { .. } | Command::ManPages { .. } => {
            anyhow::bail!("shark daemon, completion and man-pages run in the calling process")
        }
    }
}

/// What every command needs before it opens the database.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub paths: SharkPaths,
    pub config: Config,
    pub device: Device,
    pub lock_timeout: Duration,
}

impl Ctx {
    pub fn load() -> anyhow::Result<Self> {
        Self::at(SharkPaths::from_env()?)
    }

    /// The context for the Shark home at `paths`.
    pub fn at(paths: SharkPaths) -> anyhow::Result<Self> {
        let config = Config::load(&paths)?;
        let device = Device::load_or_create(&paths, &config)?;
        let lock_timeout = match std::env::var("SHARK_LOCK_TIMEOUT_MS") {
            Ok(v) => match v.trim().parse() {
                Ok(ms) => Duration::from_millis(ms),
                Err(_) => {
                    return usage(format!(
                        "SHARK_LOCK_TIMEOUT_MS='{v}' is not a number of milliseconds"
                    ));
                }
            },
            Err(_) => DEFAULT_LOCK_TIMEOUT,
        };
        Ok(Ctx {
            paths,
            config,
            device,
            lock_timeout,
        })
    }

    /// Opens the database the settings ask for; notices go to stderr
    /// (around a spinner `out` shows).
    pub async fn open(
        &self,
        attempt: Attempt,
        out: &Out,
    ) -> anyhow::Result<shark_core::cloud::Opened> {
        let opened = shark_core::cloud::open(
            &self.paths,
            self.device.clone(),
            &self.config,
            self.lock_timeout,
            attempt,
        )
        .await?;
        for n in &opened.notices {
            out.note(n);
        }
        Ok(opened)
    }
}

/// Exit codes, as Go Shark documents them (1 not found, 2 database error,
/// 3 invalid state), and Shark's own for the rest, so a script can tell
/// each kind from the others.
pub mod exit {
    pub const OK: u8 = 0;
    /// A key that names nothing.
    pub const NOT_FOUND: u8 = 1;
    /// The database failed: locked, damaged, too new, an engine error.
    pub const DATABASE: u8 = 2;
    /// Not allowed in the current state (an illegal transition, already done).
    pub const INVALID_STATE: u8 = 3;
    /// The command was written wrong: unknown flag, missing or bad value.
    pub const USAGE: u8 = 4;
    /// Anything else: the network or server, settings, files.
    pub const OTHER: u8 = 5;
}

/// The exit code for an error (see [`exit`]).
pub fn exit_code(e: &anyhow::Error) -> u8 {
    use shark_core::Error as E;
    if e.downcast_ref::<Usage>().is_some() {
        return exit::USAGE;
    }
    match e.downcast_ref::<E>() {
        Some(E::NotFound { .. }) => exit::NOT_FOUND,
        Some(
            E::Database { .. }
            | E::Locked { .. }
            | E::SchemaTooNew { .. }
            | E::Corrupt(_)
            | E::Unreadable(_)
            | E::Damaged { .. }
            | E::Foreign { .. },
        ) => exit::DATABASE,
        Some(E::IllegalTransition { .. } | E::InvalidState(_)) => exit::INVALID_STATE,
        // A refused first connection is a setting to fix (the token, the URL).
        Some(E::Invalid(_) | E::CannotConnect { .. }) => exit::USAGE,
        _ => exit::OTHER,
    }
}

/// An error as the user sees it (JSON with --json; `error:` painted when
/// `colour`, the caller's stderr being a terminal) and its exit code.
pub fn error_text(json: bool, colour: bool, e: &anyhow::Error) -> (String, u8) {
    let code = if e.downcast_ref::<Usage>().is_some() {
        "usage"
    } else {
        e.downcast_ref::<shark_core::Error>()
            .map_or("error", |c| c.code())
    };
    let mut message = format!("{e:#}");
    // How to override is the CLI's to say (the app offers allowed actions only).
    match e.downcast_ref::<shark_core::Error>() {
        Some(shark_core::Error::IllegalTransition { .. }) => {
            message.push_str(". Use --force to override (recorded in history)");
        }
        Some(shark_core::Error::CannotConnect { problem, .. }) => {
            if let Some(r) = problem.remedy() {
                message.push_str(&format!("; {}", remedy::phrase(r)));
            }
        }
        _ => {}
    }
    let text = if json {
        serde_json::json!({"error": {"code": code, "message": message}}).to_string()
    } else {
        let prefix = paint::paint(colour, paint::error(), "error:");
        format!("{prefix} {}", printable::printable(&message))
    };
    (text, exit_code(e))
}
