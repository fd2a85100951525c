//! CLI beside the desktop app. The database engine allows one process per
//! file and the app keeps it open, so a running app listens on a private
//! Unix socket (`app.sock` in the data folder, 0600 in a 0700 folder) and
//! executes the `shark` commands handed to it, with the caller's identity and
//! input, returning stdout, stderr and the exit code. The CLI tries the socket
//! first; with no app listening (no file, or a stale one) it opens the
//! database itself. One JSON line each way.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use serde::{Deserialize, Serialize};
use shark_core::paths::SharkPaths;
use shark_core::store::Store;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

use crate::args::{Cli, Command, TaskCmd};
use crate::render::{Caller, Out};

/// Version of the request format (a mismatch gets a clear error).
const PROTOCOL: u32 = 1;
/// Time to wait for the app to accept the connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Time to wait for the app's answer before giving up with an explanation.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(120);
/// Largest request accepted (a batch of many tasks fits easily).
const MAX_REQUEST: u64 = 64 * 1024 * 1024;

/// A command handed over: the arguments after `shark`, and who asks.
#[derive(Debug, Serialize, Deserialize)]
struct Request {
    protocol: u32,
    args: Vec<String>,
    caller: Caller,
}

/// What the command printed and its exit code.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Reply {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
}

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

    fn error(json: bool, e: &anyhow::Error) -> Self {
        let (text, code) = crate::error_text(json, e);
        Reply {
            stdout: String::new(),
            stderr: format!("{text}\n"),
            code,
        }
    }
}

/// Hands the command to the running app, if one listens; `None` means no app
/// runs and the caller should open the database itself.
pub async fn forward(
    paths: &SharkPaths,
    cli: &Cli,
    args: Vec<String>,
    caller: &Caller,
) -> anyhow::Result<Option<Reply>> {
    let socket = paths.app_socket();
    if !socket.exists() {
        return Ok(None);
    }
    let stream = match tokio::time::timeout(CONNECT_TIMEOUT, UnixStream::connect(&socket)).await {
        Ok(Ok(s)) => s,
        // No listener (a stale file after a crash) or no access: run here.
        Ok(Err(e)) => {
            tracing::debug!("no app on {}: {e}", socket.display());
            return Ok(None);
        }
        Err(_) => anyhow::bail!(
            "the Shark desktop app holds the database but did not accept the command within {} s; if it is stuck, quit it (tray > Quit) and try again",
            CONNECT_TIMEOUT.as_secs()
        ),
    };
    let mut caller = caller.clone();
    caller.input = batch_input(cli)?;
    let request = Request {
        protocol: PROTOCOL,
        args,
        caller,
    };
    tracing::debug!("handing the command to the desktop app");
    match tokio::time::timeout(REPLY_TIMEOUT, exchange(stream, &request)).await {
        Ok(r) => r
            .map(Some)
            .context("handing the command to the Shark desktop app"),
        Err(_) => anyhow::bail!(
            "the Shark desktop app did not finish the command within {} s; it may still complete: check with shark task list",
            REPLY_TIMEOUT.as_secs()
        ),
    }
}

/// Reads the input of `task create --batch FILE|-` here, where the file and
/// stdin are (the app may run with another working directory).
fn batch_input(cli: &Cli) -> anyhow::Result<Option<String>> {
    let Command::Task(TaskCmd::Create {
        batch: Some(source),
        ..
    }) = &cli.command
    else {
        return Ok(None);
    };
    let text = if source == "-" {
        std::io::read_to_string(std::io::stdin()).context("reading the batch from stdin")?
    } else {
        std::fs::read_to_string(source)
            .map_err(|e| anyhow::anyhow!("cannot read the batch file {source}: {e}"))?
    };
    Ok(Some(text))
}

async fn exchange(stream: UnixStream, request: &Request) -> anyhow::Result<Reply> {
    let (read, mut write) = stream.into_split();
    let mut line = serde_json::to_vec(request)?;
    line.push(b'\n');
    write.write_all(&line).await?;
    write.flush().await?;
    let mut answer = String::new();
    BufReader::new(read).read_line(&mut answer).await?;
    if answer.is_empty() {
        anyhow::bail!(
            "the app closed the connection without answering (it may be quitting); try again"
        );
    }
    serde_json::from_str(&answer)
        .context("the app's answer is not readable (is it another Shark version?)")
}

/// Where the serving side finds the database (it may be reconnecting).
pub trait Host: Send + Sync + 'static {
    /// The open store, or `None` while it is being reopened.
    fn store(&self) -> Option<Arc<Store>>;

    /// How the open store is connected, for `cloud status` and `cloud usage`
    /// (`None`: those commands are refused while the app runs).
    fn connection(&self) -> Option<shark_core::cloud::ConnectionInfo> {
        None
    }
}

/// Binds the app's socket (removing a stale one; the caller holds the
/// database lock, so no other app can be listening) with mode 0600.
pub fn bind(paths: &SharkPaths) -> std::io::Result<UnixListener> {
    let socket = paths.app_socket();
    remove_stale(&socket)?;
    let listener = UnixListener::bind(&socket)?;
    shark_core::paths::make_private(&socket).map_err(std::io::Error::other)?;
    Ok(listener)
}

fn remove_stale(socket: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(socket) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Serves handed-over commands until the listener fails or the task is dropped.
pub async fn serve(listener: UnixListener, host: Arc<dyn Host>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let host = host.clone();
                tokio::spawn(async move {
                    if let Err(e) = answer(stream, host).await {
                        tracing::warn!("a handed-over command failed to complete: {e:#}");
                    }
                });
            }
            Err(e) => {
                tracing::error!("the app socket stopped accepting commands: {e}");
                return;
            }
        }
    }
}

async fn answer(stream: UnixStream, host: Arc<dyn Host>) -> anyhow::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    tokio::io::AsyncReadExt::take(BufReader::new(read), MAX_REQUEST)
        .read_line(&mut line)
        .await?;
    let reply = match serde_json::from_str::<Request>(&line) {
        Ok(r) if r.protocol == PROTOCOL => execute(&host, r).await,
        Ok(r) => Reply::error(
            false,
            &anyhow::anyhow!(
                "this shark CLI speaks protocol {} but the running app speaks {PROTOCOL}; use the shark binary that came with the app",
                r.protocol
            ),
        ),
        Err(e) => Reply::error(false, &anyhow::anyhow!("unreadable request: {e}")),
    };
    let mut out = serde_json::to_vec(&reply)?;
    out.push(b'\n');
    write.write_all(&out).await?;
    write.flush().await?;
    Ok(())
}

/// Runs one handed-over command against the app's store.
#[tracing::instrument(skip_all)]
async fn execute(host: &Arc<dyn Host>, request: Request) -> Reply {
    let cli = match Cli::try_parse_from(std::iter::once("shark".to_string()).chain(request.args)) {
        Ok(c) => c,
        Err(e) => {
            let code = u8::try_from(e.exit_code()).unwrap_or(2);
            let text = e.render().to_string();
            return if code == 0 {
                Reply {
                    stdout: text,
                    stderr: String::new(),
                    code,
                }
            } else {
                Reply {
                    stdout: String::new(),
                    stderr: text,
                    code,
                }
            };
        }
    };
    let Some(store) = host.store() else {
        return Reply::error(
            cli.json,
            &anyhow::anyhow!(
                "the Shark desktop app is reopening its database (a settings change); try again in a moment"
            ),
        );
    };
    let (out, buf) = Out::buffered(cli.json, request.caller);
    let result = match (cli.command, host.connection()) {
        (crate::args::Command::Cloud(cmd), Some(info)) => {
            match crate::Ctx::at(store.home().clone()) {
                Ok(ctx) => crate::cloud::run_hosted(&ctx, &store, &info, cmd, &out).await,
                Err(e) => Err(e),
            }
        }
        (crate::args::Command::Doctor, Some(info)) => {
            crate::doctor::hosted(&store, &info, &out).await
        }
        (command, _) => crate::run_on(&store, command, &out).await,
    };
    let stdout = buf
        .lock()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    match result {
        Ok(()) => Reply {
            stdout,
            stderr: String::new(),
            code: 0,
        },
        Err(e) => {
            let mut reply = Reply::error(cli.json, &e);
            reply.stdout = stdout;
            reply
        }
    }
}
