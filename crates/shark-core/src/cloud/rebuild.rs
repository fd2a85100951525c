//! Re-creating a damaged replica from the cloud. Nothing is thrown away:
//! first it says how many local changes were not pushed, exports everything
//! still readable to a Shark file (which `shark import` reads back), and
//! moves the old replica's files aside; only then does it download a fresh
//! copy. The server is asked first, so an unreachable one changes nothing.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use super::connect::{Attempt, Opened, replica_engine_files};
use super::url::{DbTarget, redact, resolve_url};
use crate::config::{Config, Device};
use crate::doctor::ping::{Ping, ping};
use crate::error::{Error, Result};
use crate::paths::{SharkPaths, create_private_dir};
use crate::store::{Backend, Remote, Store};
use crate::time;

/// What the old replica held, found before anything changes.
#[derive(Debug, Clone, Serialize)]
pub struct Survey {
    /// Redacted.
    pub url: String,
    /// Whether the replica could be opened at all.
    pub readable: bool,
    /// Change records not pushed yet (`None` when the replica cannot be opened).
    pub unpushed: Option<i64>,
    /// Why it could not be opened or checked, if so.
    pub problem: Option<String>,
}

/// What a rebuild did.
#[derive(Debug, Clone, Serialize)]
pub struct Rebuilt {
    pub survey: Survey,
    /// The export of everything readable (`shark import` reads it back).
    pub export: Option<PathBuf>,
    /// Where the old replica's files were moved.
    pub kept: PathBuf,
    /// Tasks in the fresh replica.
    pub tasks: usize,
}

fn remote_url(config: &Config) -> Result<String> {
    match resolve_url(config.cloud.url.as_deref())?.target {
        DbTarget::Remote(url) => {
            // Before anything is sent: the token never travels in clear text.
            super::transport::check(&url, config.cloud.allow_insecure_http == Some(true))?;
            Ok(url)
        }
        DbTarget::Local(_) => Err(Error::invalid(
            "this machine is local only: there is no replica to rebuild (shark doctor checks the local database)",
        )),
    }
}

/// Opens the old replica (without the network) to count what was not pushed.
pub async fn survey(
    paths: &SharkPaths,
    device: Device,
    config: &Config,
) -> Result<(Survey, Option<Store>)> {
    let url = remote_url(config)?;
    if !paths.replica_file().exists() {
        return Err(Error::invalid(
            "this machine has no replica yet; shark cloud sync creates one",
        ));
    }
    let backend = Backend::Replica(Remote {
        url: url.clone(),
        token: None,
        long_poll: None,
        deadlines: Default::default(),
    });
    let opened = Store::open_with(paths, device, Duration::from_secs(2), &backend).await;
    Ok(match opened {
        Ok(store) => {
            let problems = store.integrity_check().await;
            let unpushed = store.pending_changes().await;
            let problem = match problems {
                Ok(p) if p.is_empty() => None,
                Ok(p) => Some(p.join("; ")),
                Err(e) => Some(e.to_string()),
            };
            (
                Survey {
                    url: redact(&url),
                    readable: true,
                    unpushed: Some(unpushed),
                    problem,
                },
                Some(store),
            )
        }
        Err(e) if matches!(e, Error::Locked { .. }) => return Err(e),
        Err(e) => (
            Survey {
                url: redact(&url),
                readable: false,
                unpushed: None,
                problem: Some(e.to_string()),
            },
            None,
        ),
    })
}

/// Rebuilds: the survey's store (if any) is exported, then closed.
pub async fn rebuild(
    paths: &SharkPaths,
    device: Device,
    config: &Config,
    survey: Survey,
    old: Option<Store>,
    lock_timeout: Duration,
) -> Result<(Rebuilt, Opened)> {
    let url = remote_url(config)?;
    let token = super::token::load_token(paths)?.map(|(t, _)| t);
    let answer = ping(
        &url,
        token.as_ref(),
        config.cloud.allow_insecure_http == Some(true),
    )
    .await;
    if !matches!(answer, Ping::Reachable { .. }) {
        return Err(Error::invalid(format!(
            "Turso at {} cannot give a fresh copy now ({answer}); nothing was changed. Try again when shark doctor shows the server reachable",
            redact(&url)
        )));
    }
    let stamp = time::now().format("%Y%m%dT%H%M%SZ").to_string();
    let rescue = paths
        .data_dir
        .join("rescue")
        .join(format!("rebuild-{stamp}"));
    create_private_dir(&rescue)?;
    let mut export = None;
    // The lock stays held while the old files are moved aside: no other
    // process may open a half-moved replica.
    let mut held = None;
    if let Some(store) = old {
        let file = rescue.join("readable-data.sqlite");
        match crate::export::to_sqlite(&store, &file, false).await {
            Ok(_) => export = Some(file),
            Err(e) if survey.unpushed.unwrap_or(0) > 0 => {
                return Err(Error::invalid(format!(
                    "{} changes were not pushed and exporting them failed ({e}); nothing was changed. \
                     Export by hand first (shark export --format json FILE) or copy {} somewhere safe",
                    survey.unpushed.unwrap_or(0),
                    paths.data_dir.display()
                )));
            }
            Err(e) => tracing::warn!("export before rebuild failed (nothing unpushed): {e}"),
        }
        held = Some(store.close_keeping_lock());
    }
    if held.is_none() {
        // The old replica could not be opened: take its lock all the same.
        held = Some(crate::store::ProcessLock::acquire(&paths.lock_file(), lock_timeout).await?);
    }
    for f in replica_engine_files(paths) {
        if f.exists() {
            let to = rescue.join(f.file_name().unwrap_or_default());
            std::fs::rename(&f, &to).map_err(|e| Error::io("cannot move aside", &f, e))?;
        }
    }
    // Handed on to the fresh open: never released in between.
    let held = held.ok_or_else(|| Error::invalid("the database lock was not held"))?;
    let opened = super::connect::open_holding(paths, device, config, held, Attempt::Now).await?;
    if opened.info.mode != super::Mode::Replica {
        return Err(Error::invalid(format!(
            "the fresh copy could not be downloaded; the old replica's files are in {} (work continues on the local database)",
            rescue.display()
        )));
    }
    let tasks = opened
        .store
        .list_tasks(&crate::store::TaskFilter {
            include_archived: true,
            ..Default::default()
        })
        .await?
        .items
        .len();
    Ok((
        Rebuilt {
            survey,
            export,
            kept: rescue,
            tasks,
        },
        opened,
    ))
}
