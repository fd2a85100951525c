//! The owning end of the hand-off: accepts connections on the socket, reads
//! one request each (bounded in size and time, a bounded number at once),
//! and runs it against the owner's store. An `accept` error (too many open
//! files) pauses the loop instead of ending it; stopping waits for the
//! commands in flight.

use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use shark_core::paths::SharkPaths;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{Semaphore, watch};

use super::socket::{self, Listener, Stream};
use super::{Host, MAX_REQUEST, NoStore, Op, PROTOCOL, Reply, Request};
use crate::args::{Cli, CloudCmd, Command, TaskCmd};
use crate::render::Out;

/// Connections served at once; more wait to be accepted.
const MAX_CLIENTS: u32 = 64;
/// Longest wait for a connected client's request line.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause after a failed `accept` (out of file descriptors) before the next.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// Listens on this home's socket (a stale one is replaced; the caller holds
/// the database lock, so no other owner can be listening).
pub fn bind(paths: &SharkPaths) -> std::io::Result<Listener> {
    socket::bind(&paths.app_socket())
}

/// A running server; [`Server::stop`] ends it cleanly.
#[derive(Debug)]
pub struct Server {
    stop: watch::Sender<bool>,
    slots: Arc<Semaphore>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    pub fn start(listener: Listener, host: Arc<dyn Host>) -> Self {
        let (stop, stopped) = watch::channel(false);
        let slots = Arc::new(Semaphore::new(MAX_CLIENTS as usize));
        let task = tokio::spawn(accept_loop(listener, host, slots.clone(), stopped));
        Server { stop, slots, task }
    }

    /// Stops accepting (the listener closes), then waits up to `wait` for
    /// the commands in flight to finish.
    pub async fn stop(self, wait: Duration) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        if tokio::time::timeout(wait, self.slots.acquire_many(MAX_CLIENTS))
            .await
            .is_err()
        {
            tracing::warn!("commands still running after {} s", wait.as_secs());
        }
    }
}

/// Serves handed-over commands until the task is dropped.
pub async fn serve(listener: Listener, host: Arc<dyn Host>) {
    let (_stop, stopped) = watch::channel(false);
    accept_loop(
        listener,
        host,
        Arc::new(Semaphore::new(MAX_CLIENTS as usize)),
        stopped,
    )
    .await;
}

async fn accept_loop(
    listener: Listener,
    host: Arc<dyn Host>,
    slots: Arc<Semaphore>,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => return,
            },
            _ = stopped.wait_for(|s| *s) => return,
        };
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stopped.wait_for(|s| *s) => return,
        };
        match accepted {
            Ok((stream, _)) => {
                let host = host.clone();
                tokio::spawn(async move {
                    if let Err(e) = answer(stream, host).await {
                        tracing::warn!("a handed-over command failed to complete: {e:#}");
                    }
                    drop(permit);
                });
            }
            Err(e) => {
                tracing::warn!("the socket could not accept a command: {e}; trying again");
                tokio::time::sleep(ACCEPT_PAUSE).await;
            }
        }
    }
}

async fn answer(stream: Stream, host: Arc<dyn Host>) -> anyhow::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut line = Vec::new();
    let mut reader = BufReader::new(read).take(MAX_REQUEST as u64 + 1);
    let read = reader.read_until(b'\n', &mut line);
    let reply = match tokio::time::timeout(READ_TIMEOUT, read).await {
        Err(_) => {
            tracing::debug!(
                "a client sent no command within {} s",
                READ_TIMEOUT.as_secs()
            );
            return Ok(());
        }
        Ok(Err(e)) => return Err(e.into()),
        Ok(Ok(_)) if line.len() > MAX_REQUEST => Reply::error(
            false,
            &crate::Usage(format!(
                "the command is larger than {} MiB and was not run: split the batch into smaller files",
                MAX_REQUEST / (1024 * 1024)
            ))
            .into(),
        ),
        Ok(Ok(_)) if !line.ends_with(b"\n") => {
            tracing::debug!("a client closed the connection mid-request; nothing run");
            return Ok(());
        }
        Ok(Ok(_)) => match serde_json::from_slice::<Request>(&line) {
            Ok(r) if r.protocol == PROTOCOL => dispatch(&host, r).await,
            Ok(_) if host.owner().kind == super::OwnerKind::Daemon && host.leave().is_ok() => {
                tracing::info!("a shark of another version asked: leaving for a daemon of its own");
                Reply {
                    retry: true,
                    ..Reply::default()
                }
            }
            Ok(r) => Reply::error(
                false,
                &anyhow::anyhow!(
                    "this shark CLI speaks protocol {} but the process that holds the database speaks {PROTOCOL}; use the shark binary of the same version (or restart it: shark daemon stop, or quit the app)",
                    r.protocol
                ),
            ),
            Err(e) => Reply::error(false, &anyhow::anyhow!("unreadable request: {e}")),
        },
    };
    // A caller that stops reading does not hold its slot for ever.
    let sent = async {
        write.write_all(&reply.to_wire()?).await?;
        write.flush().await
    };
    match tokio::time::timeout(REPLY_WRITE, sent).await {
        Ok(r) => Ok(r?),
        Err(_) => anyhow::bail!(
            "the caller did not read its reply within {} s",
            REPLY_WRITE.as_secs()
        ),
    }
}

/// Longest time a reply may take to be read by its caller.
const REPLY_WRITE: std::time::Duration = std::time::Duration::from_secs(60);

fn text(stdout: String) -> Reply {
    Reply {
        stdout,
        ..Reply::default()
    }
}

async fn dispatch(host: &Arc<dyn Host>, request: Request) -> Reply {
    match request.op {
        Op::Status => text(serde_json::to_string(&host.owner()).unwrap_or_default()),
        Op::Leave => match host.leave() {
            Ok(()) => text(serde_json::to_string(&host.owner()).unwrap_or_default()),
            Err(why) => Reply::error(false, &anyhow::anyhow!("{why}")),
        },
        Op::Run if host.leaving() => Reply {
            retry: true,
            ..text(String::new())
        },
        Op::Run => {
            host.touch();
            execute(host, request).await
        }
    }
}

/// Runs one handed-over command against the owner's store.
#[tracing::instrument(skip_all)]
async fn execute(host: &Arc<dyn Host>, request: Request) -> Reply {
    let cli = match Cli::try_parse_from(std::iter::once("shark".to_string()).chain(request.args)) {
        Ok(c) => c,
        Err(e) => {
            let code = u8::try_from(e.exit_code()).unwrap_or(2);
            let text = e.render().to_string();
            return if code == 0 {
                Reply {
                    code,
                    ..self::text(text)
                }
            } else {
                Reply {
                    stderr: text,
                    code,
                    ..Reply::default()
                }
            };
        }
    };
    // A batch travels with the request (the caller read its file or
    // stdin); the owner never reads one from its own folder or stdin.
    if matches!(
        &cli.command,
        Command::Task(TaskCmd::Create { batch: Some(_), .. })
    ) && request.caller.input.is_none()
    {
        return Reply::error(
            cli.json,
            &anyhow::anyhow!(
                "the batch did not come with the handed-over command; nothing was run (run it again with this shark)"
            ),
        );
    }
    let owner = host.owner();
    if let (Some(theirs), Some(mine)) = (&request.database, &owner.database)
        && theirs != mine
    {
        return Reply::error(
            cli.json,
            &anyhow::anyhow!(
                "this command's settings name the database {theirs}, but {} holds this Shark home with {mine}; nothing was run. Run it with the same database settings (SHARK_DB_URL, TURSO_DATABASE_URL, DATABASE_URL, or none), stop the owner first (shark daemon stop, or quit the desktop app), or give this command its own home with SHARK_HOME=FOLDER",
                owner.describe()
            ),
        );
    }
    let store = match host.store() {
        Ok(store) => store,
        Err(NoStore::Opening) => {
            return Reply::error(
                cli.json,
                &anyhow::anyhow!(
                    "the Shark desktop app is opening its database (a start or a settings change); try again in a moment"
                ),
            );
        }
        // Nothing is open, so the caller can look for itself.
        Err(NoStore::Failed(_)) if matches!(cli.command, Command::Doctor { .. }) => {
            return Reply {
                run_here: true,
                ..Reply::default()
            };
        }
        Err(NoStore::Failed(why)) => {
            return Reply::error(
                cli.json,
                &anyhow::anyhow!(
                    "the Shark desktop app could not open its database: {why}. Fix it in the app (Settings), or quit the app and run shark doctor"
                ),
            );
        }
    };
    let (out, buf) = Out::buffered(cli.json, request.caller);
    // Not connected yet (Turso was unreachable when this owner started):
    // a daemon leaves, so the caller's own `cloud sync` connects now and
    // carries the local work over.
    if matches!(cli.command, Command::Cloud(CloudCmd::Sync))
        && host
            .connection()
            .is_some_and(|i| i.mode == shark_core::cloud::Mode::LocalFallback)
        && host.leave().is_ok()
    {
        return Reply {
            retry: true,
            ..Reply::default()
        };
    }
    let result = match (cli.command, host.connection()) {
        (Command::Cloud(CloudCmd::Sync), Some(info)) => match host.sync_now() {
            Some(sync) => crate::cloud::report_sync(&info, sync.await, &out),
            None => Err(anyhow::anyhow!(
                "this machine is not connected to Turso (local only, or not reachable when its owner started)"
            )),
        },
        (Command::Cloud(cmd), Some(info)) => match crate::Ctx::at(store.home().clone()) {
            Ok(ctx) => crate::cloud::run_hosted(&ctx, &store, &info, &owner, cmd, &out).await,
            Err(e) => Err(e),
        },
        (Command::Doctor { repair }, Some(info)) => {
            crate::doctor::hosted(&store, &info, &owner, repair, &out).await
        }
        (command, _) => crate::run_on(&store, command, &out).await,
    };
    let stdout = buf
        .lock()
        .map(|mut b| {
            String::from_utf8(std::mem::take(&mut *b))
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
        })
        .unwrap_or_default();
    let warnings = out.take_warnings();
    match result {
        Ok(()) => Reply {
            stderr: warnings,
            ..text(stdout)
        },
        Err(e) => {
            let mut reply = Reply::error_in(cli.json, out.caller.colours.stderr, &e);
            reply.stdout = stdout;
            reply.stderr.insert_str(0, &warnings);
            reply
        }
    }
}
