//! The JSON shapes Go Shark's users and agents read, built from Shark's
//! model: `task get` (the task, also under `.task`, with its dependencies'
//! statuses and dependents), `task next` (one task, or `{message}` when none
//! is ready), and `task history --format json|csv`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use shark_core::model::{CompletionRecord, HistoryEntry, Note, Task, TaskStatus};
use shark_core::store::TaskLinks;

/// `task get --json`: the task's fields at the top (Shark's shape) and under
/// `task` (Go Shark's), with notes, completion reports and links.
#[derive(Serialize)]
pub struct TaskGet<'a> {
    #[serde(flatten)]
    pub task: &'a Task,
    #[serde(rename = "task")]
    pub nested: &'a Task,
    pub notes: &'a [Note],
    pub completions: &'a [CompletionRecord],
    #[serde(flatten)]
    pub links: &'a TaskLinks,
}

/// `task next --json` with a task: its fields, `dependencies` (Go Shark's
/// name for `depends_on`) and `dependency_status`.
#[derive(Serialize)]
pub struct Next<'a> {
    #[serde(flatten)]
    pub task: &'a Task,
    pub dependencies: &'a [String],
    pub dependency_status: &'a BTreeMap<String, TaskStatus>,
}

/// `task next --json` with no task ready.
#[derive(Serialize)]
pub struct NoneReady {
    pub message: &'static str,
}

pub const NONE_READY: &str =
    "No tasks available: every todo task waits for a dependency, or there are none";

/// One status change as Go Shark's `task history --format json` shows it.
#[derive(Serialize)]
pub struct GoHistoryEntry<'a> {
    pub timestamp: String,
    pub relative_age: String,
    pub old_status: Option<&'a str>,
    pub new_status: Option<&'a str>,
    pub agent: &'a str,
    pub notes: Option<&'a str>,
    pub rejection_reason: Option<&'a str>,
    pub forced: bool,
}

/// Go Shark's history document.
#[derive(Serialize)]
pub struct GoHistory<'a> {
    pub task_key: &'a str,
    pub history: Vec<GoHistoryEntry<'a>>,
}

/// "3 hours ago", as Go Shark words a timestamp's age.
pub fn relative_age(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds().max(0);
    let (n, unit) = match secs {
        0..60 => return "just now".into(),
        60..3600 => (secs / 60, "minute"),
        3600..86_400 => (secs / 3600, "hour"),
        _ => (secs / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// Whether a status change sent work back (its reason is a rejection).
fn is_rejection(h: &HistoryEntry) -> bool {
    matches!(
        (h.old_value.as_deref(), h.new_value.as_deref()),
        (
            Some("ready_for_review" | "completed"),
            Some("in_progress" | "todo")
        )
    )
}

/// The status changes of `entries` in Go Shark's shape.
pub fn go_history<'a>(
    key: &'a str,
    entries: &'a [HistoryEntry],
    now: DateTime<Utc>,
) -> GoHistory<'a> {
    GoHistory {
        task_key: key,
        history: entries
            .iter()
            .filter(|h| h.field == "status")
            .map(|h| {
                let rejected = is_rejection(h);
                GoHistoryEntry {
                    timestamp: shark_core::time::to_text(&h.created_at),
                    relative_age: relative_age(h.created_at, now),
                    old_status: h.old_value.as_deref(),
                    new_status: h.new_value.as_deref(),
                    agent: &h.actor,
                    notes: h.reason.as_deref().filter(|_| !rejected),
                    rejection_reason: h.reason.as_deref().filter(|_| rejected),
                    forced: h.forced,
                }
            })
            .collect(),
    }
}

/// The same as CSV (RFC 4180 quoting), with a header row.
pub fn history_csv(h: &GoHistory<'_>) -> String {
    fn cell(v: &str) -> String {
        if v.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", v.replace('"', "\"\""))
        } else {
            v.to_string()
        }
    }
    let mut s = String::from(
        "task_key,timestamp,relative_age,old_status,new_status,agent,notes,rejection_reason,forced\n",
    );
    for e in &h.history {
        let row = [
            h.task_key,
            &e.timestamp,
            &e.relative_age,
            e.old_status.unwrap_or(""),
            e.new_status.unwrap_or(""),
            e.agent,
            e.notes.unwrap_or(""),
            e.rejection_reason.unwrap_or(""),
            if e.forced { "true" } else { "false" },
        ];
        s.push_str(&row.iter().map(|v| cell(v)).collect::<Vec<_>>().join(","));
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_like_go_sharks() {
        let now = DateTime::parse_from_rfc3339("2026-01-02T12:00:00Z")
            .unwrap()
            .to_utc();
        let ago = |s: i64| relative_age(now - chrono::Duration::seconds(s), now);
        assert_eq!(ago(5), "just now");
        assert_eq!(ago(60), "1 minute ago");
        assert_eq!(ago(7200), "2 hours ago");
        assert_eq!(ago(3 * 86_400), "3 days ago");
        assert_eq!(ago(-30), "just now", "a clock behind is not the future");
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let h = GoHistory {
            task_key: "T-E01-F01-001",
            history: vec![GoHistoryEntry {
                timestamp: "t".into(),
                relative_age: "just now".into(),
                old_status: Some("todo"),
                new_status: Some("in_progress"),
                agent: "a",
                notes: Some("said \"ok\", then left"),
                rejection_reason: None,
                forced: false,
            }],
        };
        let csv = history_csv(&h);
        assert!(csv.starts_with("task_key,timestamp,"), "{csv}");
        assert!(
            csv.contains("a,\"said \"\"ok\"\", then left\",,false\n"),
            "{csv}"
        );
    }
}
