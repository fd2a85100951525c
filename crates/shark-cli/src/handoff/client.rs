//! The calling end of the hand-off: sends a command (or a status or leave
//! request) to the process that owns the database and reads its answer.
//! Failures of the socket are told as such, never mistaken for a closed
//! stdout (which ends a command quietly with exit 0).

use std::time::Duration;

use anyhow::Context;
use shark_core::paths::SharkPaths;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::socket::{self, Stream};
use super::{MAX_REQUEST, Op, OwnerInfo, PROTOCOL, Reply, Request};
use crate::args::{Cli, Command, TaskCmd};
use crate::render::Caller;

/// Time to wait for the owner to accept the connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Time to wait for the owner's answer before giving up with an explanation.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(120);

/// What became of a handed-over command.
#[derive(Debug)]
pub enum Forwarded {
    /// The owner ran it.
    Done(Reply),
    /// Nobody listens: run here (or start an owner).
    NoOwner,
    /// The owner is leaving and ran nothing: ask the next one.
    Retry,
}

/// Connects to the owner's socket; `None` when nobody listens (no file, or
/// a stale one left by a crash).
async fn connect(paths: &SharkPaths) -> anyhow::Result<Option<Stream>> {
    let path = paths.app_socket();
    if !path.exists() {
        return Ok(None);
    }
    match tokio::time::timeout(CONNECT_TIMEOUT, socket::connect(&path)).await {
        Ok(Ok(s)) => Ok(Some(s)),
        Ok(Err(e)) => {
            tracing::debug!("no owner on {}: {e}", path.display());
            Ok(None)
        }
        Err(_) => anyhow::bail!(
            "the Shark process that holds the database did not accept the command within {} s; if it is stuck, run shark daemon stop (or quit the desktop app) and try again",
            CONNECT_TIMEOUT.as_secs()
        ),
    }
}

/// Hands the command to the owner, if one listens.
pub async fn forward(
    paths: &SharkPaths,
    cli: &Cli,
    args: Vec<String>,
    caller: &Caller,
    database: Option<String>,
) -> anyhow::Result<Forwarded> {
    let Some(stream) = connect(paths).await? else {
        return Ok(Forwarded::NoOwner);
    };
    let mut caller = caller.clone();
    caller.input = batch_input(cli)?;
    let request = Request {
        protocol: PROTOCOL,
        op: Op::Run,
        args,
        caller,
        database,
    };
    tracing::debug!("handing the command to the owner");
    let reply = match tokio::time::timeout(REPLY_TIMEOUT, exchange(stream, &request)).await {
        Ok(r) => r?,
        Err(_) => anyhow::bail!(
            "the Shark process that holds the database did not finish the command within {} s; it may still complete: check with shark task list",
            REPLY_TIMEOUT.as_secs()
        ),
    };
    Ok(if reply.retry {
        Forwarded::Retry
    } else if reply.run_here {
        Forwarded::NoOwner
    } else {
        Forwarded::Done(reply)
    })
}

/// Asks the owner who it is ([`Op::Status`]) or to leave ([`Op::Leave`]);
/// `None` when nobody listens. A refusal to leave is an error with the reason.
pub async fn ask(paths: &SharkPaths, op: Op) -> anyhow::Result<Option<OwnerInfo>> {
    let Some(stream) = connect(paths).await? else {
        return Ok(None);
    };
    let request = Request {
        protocol: PROTOCOL,
        op,
        args: Vec::new(),
        caller: Caller::default(),
        database: None,
    };
    let reply = tokio::time::timeout(Duration::from_secs(10), exchange(stream, &request))
        .await
        .map_err(|_| {
            anyhow::anyhow!("the Shark process that holds the database did not answer within 10 s")
        })??;
    if reply.code != 0 {
        anyhow::bail!("{}", reply.stderr.trim().trim_start_matches("error: "));
    }
    serde_json::from_str(&reply.stdout)
        .map(Some)
        .context("the owner's answer is not readable (is it another Shark version?)")
}

/// Reads the input of `task create --batch FILE|-` here, where the file and
/// stdin are (the owner may run with another working directory).
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

/// One request line out, one answer line back. A request over the limit is
/// refused here, before anything is sent; a connection the owner closes
/// while the request is written is an error (exit 1), not a closed stdout.
async fn exchange(stream: Stream, request: &Request) -> anyhow::Result<Reply> {
    let mut line = serde_json::to_vec(request)?;
    line.push(b'\n');
    if line.len() > MAX_REQUEST {
        return crate::usage(format!(
            "the command is too large to hand to the Shark process that holds the database ({:.1} MiB, at most {} MiB): split the batch into smaller files",
            line.len() as f64 / (1024.0 * 1024.0),
            MAX_REQUEST / (1024 * 1024)
        ));
    }
    let (read, mut write) = stream.into_split();
    let sent = async {
        write.write_all(&line).await?;
        write.flush().await
    }
    .await;
    let mut answer = String::new();
    let mut reader = BufReader::with_capacity(64 * 1024, read);
    let read = reader.read_line(&mut answer).await;
    if answer.is_empty() {
        let why = match (sent, read) {
            (Err(e), _) | (_, Err(e)) => e.to_string(),
            _ => "no answer".to_string(),
        };
        // Not an io::Error in the chain: a broken pipe here is a failure.
        anyhow::bail!(
            "the Shark process that holds the database closed the connection without answering ({why}); it may be quitting: try again"
        );
    }
    let mut reply: Reply = serde_json::from_str(&answer)
        .context("the owner's answer is not readable (is it another Shark version?)")?;
    reply.read_output(&mut reader).await.map_err(|e| {
        anyhow::anyhow!(
            "the Shark process that holds the database stopped in the middle of its answer ({e}); the command may have run: check with shark task list"
        )
    })?;
    Ok(reply)
}
