//! `shark doctor` and the app's Diagnostics panel: one pass over everything
//! that can stop Shark from working (settings, token, keyring, file modes,
//! the database's integrity and file sizes, the server, sync history, the
//! read pool), each line passed or failed with the exact fix. Never prints;
//! callers render.

mod checks;
pub mod ping;
mod rows;
mod storage;

use serde::Serialize;

use crate::cloud::connect::ConnectionInfo;
use crate::config::Config;
use crate::paths::SharkPaths;
use crate::store::Store;

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(rename = "CheckStatus")]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    /// Works, but deserves attention.
    Warn,
    Fail,
    /// A figure, nothing to judge.
    Info,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[ts(rename = "DiagnosticCheck")]
pub struct Check {
    /// Stable name for scripts (`token`, `files`, `server`, ...).
    pub id: &'static str,
    pub title: &'static str,
    pub status: Status,
    /// What was found.
    pub detail: String,
    /// The exact fix, for a warning or a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub fix: Option<String>,
}

impl Check {
    fn new(id: &'static str, title: &'static str, status: Status, detail: String) -> Self {
        Check {
            id,
            title,
            status,
            detail,
            fix: None,
        }
    }

    fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[ts(rename = "DiagnosticsReport")]
pub struct Report {
    pub checks: Vec<Check>,
    /// Checks that failed.
    pub failed: usize,
    pub warnings: usize,
    /// The read pool's figures, when the database is open.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub pool: Option<crate::store::PoolStats>,
    /// Stored rows this build cannot read (table, key or id, column, value).
    pub damaged_rows: Vec<crate::stored::DamagedRow>,
}

impl Report {
    fn new(
        checks: Vec<Check>,
        pool: Option<crate::store::PoolStats>,
        damaged_rows: Vec<crate::stored::DamagedRow>,
    ) -> Self {
        let count = |s| checks.iter().filter(|c| c.status == s).count();
        Report {
            failed: count(Status::Fail),
            warnings: count(Status::Warn),
            checks,
            pool,
            damaged_rows,
        }
    }

    pub fn ok(&self) -> bool {
        self.failed == 0
    }
}

/// What the caller managed to open before the checks run.
#[derive(Debug)]
pub struct Inputs<'a> {
    pub paths: &'a SharkPaths,
    /// The settings, or why they cannot be read.
    pub config: std::result::Result<Config, String>,
    /// The open database and how it is connected, or why it did not open.
    pub opened: std::result::Result<(&'a Store, &'a ConnectionInfo), String>,
    /// The process that holds the database and runs these checks for the
    /// caller ("the desktop app (process 12)"), `None` when this one does.
    pub owner: Option<String>,
}

/// Runs every check. Network checks are bounded (a few seconds at most).
#[tracing::instrument(skip_all)]
pub async fn run(inputs: Inputs<'_>) -> Report {
    let paths = inputs.paths;
    let config = inputs.config.clone().unwrap_or_default();
    let mut list = vec![checks::config(paths, &inputs.config)];
    let url = checks::url(&config, &mut list);
    let token = checks::token(paths, url.as_ref(), &mut list);
    list.push(checks::keyring(paths));
    list.push(checks::files(paths));
    let mut damaged = Vec::new();
    let store = match &inputs.opened {
        Ok((store, info)) => {
            list.push(checks::integrity(store, info).await);
            let (check, rows) = rows::check(store).await;
            list.push(check);
            damaged = rows;
            list.push(rows::versions(store).await);
            list.push(storage::files(store));
            let pending = store.pending_changes().await;
            list.push(checks::state(paths, info, pending));
            list.push(checks::pending(store, info, pending));
            Some(*store)
        }
        Err(why) => {
            list.push(checks::unopened(paths, url.is_some(), why));
            None
        }
    };
    if let Some(url) = &url {
        list.push(checks::server(url, token.as_ref()).await);
    }
    list.extend(checks::history(paths, url.is_some()));
    list.push(checks::owner(inputs.owner.as_deref()));
    if let Some(store) = store {
        list.push(checks::pool(store, inputs.owner.is_some()));
    }
    Report::new(list, store.map(Store::pool_stats), damaged)
}

/// The report as lines for a terminal.
pub fn lines(report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    for c in &report.checks {
        let mark = match c.status {
            Status::Pass => "ok  ",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
            Status::Info => "    ",
        };
        out.push(format!("[{mark}] {:<18} {}", c.title, c.detail));
        if let Some(fix) = &c.fix {
            out.push(format!("       {:<18} fix: {fix}", ""));
        }
        if c.id == "rows" {
            for d in report.damaged_rows.iter().take(rows::LISTED) {
                out.push(format!("       {:<18} {}", "", d.describe()));
            }
            if report.damaged_rows.len() > rows::LISTED {
                let more = report.damaged_rows.len() - rows::LISTED;
                out.push(format!(
                    "       {:<18} ... and {more} more (shark doctor --json lists every one)",
                    ""
                ));
            }
        }
    }
    out.push(match (report.failed, report.warnings) {
        (0, 0) => "All checks passed.".to_string(),
        (0, w) => format!("No failures; {w} warning{}.", plural(w)),
        (f, w) => format!(
            "{f} check{} failed, {w} warning{}: apply the fixes above, then run shark doctor again.",
            plural(f),
            plural(w)
        ),
    });
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
