//! `shark`: the command line over shark-core. Parses arguments, opens the
//! local database, runs one command, prints a table or JSON, and maps failures
//! to exit codes (0 ok, 1 error, 2 usage).

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod cloud;
mod epic;
mod feature;
mod locate;
mod render;
mod task;
mod task_edit;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use shark_core::cloud::Attempt;
use shark_core::config::{Config, Device};
use shark_core::paths::SharkPaths;
use shark_core::store::DEFAULT_LOCK_TIMEOUT;

use args::{Cli, Command};
use render::Out;

/// A mistake in how the command was called (exit code 2).
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// Returns a usage error (exit code 2) with `msg`.
pub fn usage<T>(msg: impl Into<String>) -> anyhow::Result<T> {
    Err(Usage(msg.into()).into())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let out = Out::new(cli.json);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&out, &anyhow::Error::new(e).context("cannot start")),
    };
    match runtime.block_on(run(cli, &out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if render::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => fail(&out, &e),
    }
}

async fn run(cli: Cli, out: &Out) -> anyhow::Result<()> {
    let ctx = Ctx::load()?;
    let command = match cli.command {
        Command::Cloud(cmd) => return cloud::run(&ctx, cmd, out).await,
        other => other,
    };
    let opened = ctx.open(Attempt::Auto).await?;
    let store = &opened.store;
    match command {
        Command::Epic(cmd) => epic::run(store, cmd, out).await,
        Command::Feature(cmd) => feature::run(store, cmd, out).await,
        Command::Task(cmd) => task::run(store, cmd, out).await,
        Command::Cloud(_) => usage("internal: cloud commands are handled first"),
    }?;
    cloud::auto_sync(&ctx, &opened).await;
    Ok(())
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
    fn load() -> anyhow::Result<Self> {
        let paths = SharkPaths::from_env()?;
        let config = Config::load(&paths)?;
        let device = Device::load_or_create(&paths, &config)?;
        let lock_timeout = match std::env::var("SHARK_LOCK_TIMEOUT_MS") {
            Ok(v) => Duration::from_millis(v.trim().parse().with_context(|| {
                format!("SHARK_LOCK_TIMEOUT_MS='{v}' is not a number of milliseconds")
            })?),
            Err(_) => DEFAULT_LOCK_TIMEOUT,
        };
        Ok(Ctx {
            paths,
            config,
            device,
            lock_timeout,
        })
    }

    /// Opens the database the settings ask for; notices go to stderr.
    pub async fn open(&self, attempt: Attempt) -> anyhow::Result<shark_core::cloud::Opened> {
        let opened = shark_core::cloud::open(
            &self.paths,
            self.device.clone(),
            &self.config,
            self.lock_timeout,
            attempt,
        )
        .await?;
        for n in &opened.notices {
            eprintln!("note: {n}");
        }
        Ok(opened)
    }
}

/// Prints the error (as JSON with --json) and picks the exit code.
fn fail(out: &Out, e: &anyhow::Error) -> ExitCode {
    let is_usage = e.downcast_ref::<Usage>().is_some();
    let code = if is_usage {
        "usage"
    } else {
        e.downcast_ref::<shark_core::Error>()
            .map_or("error", |c| c.code())
    };
    let message = format!("{e:#}");
    if out.json {
        let doc = serde_json::json!({"error": {"code": code, "message": message}});
        eprintln!("{doc}");
    } else {
        eprintln!("error: {message}");
    }
    ExitCode::from(if is_usage { 2 } else { 1 })
}

fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_env("SHARK_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}
