//! Completion reports (files created and modified, tests, summary, time
//! spent): inserted with the `complete` transition, read with the task.
//! Insert-only, like notes and history, so they merge across machines.

use turso::{Connection, Row, Value};

use super::{Store, new_id, row, tasks};
use crate::error::{DbContext, Error, Result};
use crate::model::{
    Actor, ActorKind, Completion, CompletionRecord, validate_opt_name, validate_opt_text,
};
use crate::stored::Listing;
use crate::time::{self, Timestamp};

/// Most files in one list, and the longest path.
const MAX_FILES: usize = 1_000;
const MAX_PATH_CHARS: usize = 4_096;

/// Checks a report's values (trimmed lists, no empty entries, sane sizes).
pub fn validate(c: &Completion) -> Result<Completion> {
    let files = |what: &str, v: &[String]| -> Result<Vec<String>> {
        if v.len() > MAX_FILES {
            return Err(Error::invalid(format!(
                "--{what} lists {} files; the most is {MAX_FILES}",
                v.len()
            )));
        }
        let mut out = Vec::new();
        for f in v.iter().map(|f| f.trim()).filter(|f| !f.is_empty()) {
            if f.chars().count() > MAX_PATH_CHARS || f.chars().any(char::is_control) {
                return Err(Error::invalid(format!(
                    "--{what}: '{}' is not a file path (too long or holds control characters)",
                    f.chars().take(80).collect::<String>()
                )));
            }
            out.push(f.to_string());
        }
        Ok(out)
    };
    if let Some(m) = c.time_spent_minutes
        && !(0..=1_000_000).contains(&m)
    {
        return Err(Error::invalid(format!(
            "--time-spent is minutes, from 0 to 1000000; got {m}"
        )));
    }
    Ok(Completion {
        files_created: files("files-created", &c.files_created)?,
        files_modified: files("files-modified", &c.files_modified)?,
        tests: validate_opt_text("tests", c.tests.as_deref())?,
        summary: validate_opt_text("summary", c.summary.as_deref())?,
        verified: c.verified,
        time_spent_minutes: c.time_spent_minutes,
        agent_id: validate_opt_name("agent id", c.agent_id.as_deref())?,
    })
}

/// Stores one report for a task, inside the caller's transaction.
pub(crate) async fn insert(
    c: &Connection,
    task_id: &str,
    report: &Completion,
    actor: &Actor,
    device: &str,
    at: &Timestamp,
) -> Result<()> {
    let list = |v: &[String]| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    c.execute(
        "INSERT INTO task_completions (id, task_id, files_created, files_modified, tests, summary,
            verified, time_spent_minutes, agent_id, actor_kind, actor, device_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        Vec::<Value>::from([
            new_id().into(),
            task_id.into(),
            list(&report.files_created).into(),
            list(&report.files_modified).into(),
            report.tests.clone().into(),
            report.summary.clone().into(),
            i64::from(report.verified).into(),
            report.time_spent_minutes.into(),
            report.agent_id.clone().into(),
            actor.kind.as_str().into(),
            actor.name.as_str().into(),
            device.into(),
            time::to_text(at).into(),
        ]),
    )
    .await
    .db("recording a completion")?;
    Ok(())
}

/// The columns [`map`] reads, after the task's id.
const COLS: &str = "id, task_id, files_created, files_modified, tests, summary, verified,
    time_spent_minutes, agent_id, actor_kind, actor, device_id, created_at";

const NAMES: &[&str] = &[
    "id",
    "task_id",
    "files_created",
    "files_modified",
    "tests",
    "summary",
    "verified",
    "time_spent_minutes",
    "agent_id",
    "actor_kind",
    "actor",
    "device_id",
    "created_at",
];

fn map(r: &Row, task_key: impl FnOnce(String) -> String) -> row::Parsed<CompletionRecord> {
    let mut f = row::Fields::new(r, NAMES);
    let c = CompletionRecord {
        id: f.text(0),
        task_key: task_key(f.text(1)),
        report: Completion {
            files_created: f.string_list(2),
            files_modified: f.string_list(3),
            tests: f.opt_text(4),
            summary: f.opt_text(5),
            verified: f.int(6) != 0,
            time_spent_minutes: f.opt_int(7),
            agent_id: f.opt_text(8),
        },
        actor_kind: f.stored(9, ActorKind::from_stored, ActorKind::User),
        created_by: f.text(10),
        device_id: f.text(11),
        created_at: f.ts(12),
    };
    let id = f.ok(0).then(|| c.id.clone());
    f.finish("task_completions", id, None, None, c)
}

impl Store {
    /// A task's completion reports, oldest first.
    pub async fn task_completions(&self, key: &str) -> Result<Listing<CompletionRecord>> {
        let guard = self.reader().await?;
        let c = &*guard;
        let task = tasks::require(c, key).await?;
        row::query_listing(
            c,
            &format!(
                "SELECT {COLS} FROM task_completions WHERE task_id = ?1 ORDER BY created_at, id"
            ),
            vec![task.id.into()],
            |r| map(r, |_| task.key.clone()),
        )
        .await
    }

    /// Every completion report, oldest first (for exports). A report whose
    /// task is gone names the task's id instead of its key.
    pub async fn all_completions(&self) -> Result<Listing<CompletionRecord>> {
        let guard = self.reader().await?;
        let c = &*guard;
        let keys = tasks::key_map(c).await?;
        row::query_listing(
            c,
            &format!("SELECT {COLS} FROM task_completions ORDER BY created_at, id"),
            vec![],
            |r| map(r, |id| keys.get(&id).cloned().unwrap_or(id)),
        )
        .await
    }
}
