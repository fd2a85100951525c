//! The task model: epics, features, tasks, notes and history, with the value
//! types and validation rules shared by every way data gets in (CLI, app, import).
//! Field names follow the Go Shark CLI so its users and agents feel at home.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::time::Timestamp;

/// Longest accepted title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest accepted description or note, in characters.
pub const MAX_TEXT_CHARS: usize = 100_000;
/// Longest accepted agent name, agent type or reason, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Declares a set of lowercase string values: the ones this build knows, with
/// parsing of user input that names the accepted values on error, plus
/// `Newer`, a value read from the database that a newer Shark (or a person
/// with an SQL shell) wrote: it is shown and kept as it is, never rewritten,
/// and never accepted from a user (see [`crate::stored`]).
macro_rules! str_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident = $text:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ts_rs::TS)]
        $(#[$meta])*
        pub enum $name {
            $(#[ts(rename = $text)] $variant,)+
            /// A stored value this build does not know (from a newer Shark).
            #[ts(untagged)]
            Newer(&'static str),
        }

        impl $name {
            /// Every value this build knows, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and printed form.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ $name::Newer(s) => s }
            }

            /// The accepted values, comma separated (for messages and help).
            pub fn accepted() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }

            /// Whether this build knows the value (it is not [`Self::Newer`]).
            pub fn is_known(self) -> bool {
                !matches!(self, $name::Newer(_))
            }

            /// A value as stored: a known one (exactly as Shark stores it:
            /// SQL filters compare exact text), a plausible value from a newer
            /// Shark (any other spelling included, shown as it is), or `None`
            /// for a value that cannot be one (empty, long, control characters...).
            pub fn from_stored(s: &str) -> Option<Self> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .or_else(|| crate::stored::newer($what, s).map($name::Newer))
            }

            /// Whether `s` is a value this build knows, exactly as stored
            /// (interns nothing, unlike [`Self::from_stored`]).
            pub fn knows(s: &str) -> bool {
                Self::ALL.iter().any(|v| v.as_str() == s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// User input: only the values this build knows.
        impl std::str::FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == wanted)
                    .ok_or_else(|| Error::invalid(format!(
                        "unknown {} '{}'; use one of: {}", $what, s.trim(), Self::accepted()
                    )))
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

str_enum!(
    /// Lifecycle of an epic or a feature.
    PlanStatus, "status" {
        Draft = "draft",
        Active = "active",
        Completed = "completed",
        Archived = "archived",
    }
);

str_enum!(
    /// Lifecycle of a task (transitions are in `workflow`).
    TaskStatus, "task status" {
        Todo = "todo",
        InProgress = "in_progress",
        Blocked = "blocked",
        ReadyForReview = "ready_for_review",
        Completed = "completed",
        Archived = "archived",
    }
);

str_enum!(
    /// An epic's priority and business value.
    #[ts(rename = "PriorityLevel")]
    Level, "priority" {
        High = "high",
        Medium = "medium",
        Low = "low",
    }
);

str_enum!(
    /// What a task note records.
    NoteType, "note type" {
        Comment = "comment",
        Decision = "decision",
        Blocker = "blocker",
        Solution = "solution",
        Reference = "reference",
        Implementation = "implementation",
        Testing = "testing",
        Future = "future",
        Question = "question",
        Rejection = "rejection",
    }
);

str_enum!(
    /// Whether a change was made by a person or by an AI agent.
    ActorKind, "actor kind" {
        User = "user",
        Agent = "agent",
    }
);

/// Who made a change: recorded on every history row and note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub kind: ActorKind,
    pub name: String,
}

impl Actor {
    pub fn user(name: impl Into<String>) -> Self {
        Actor {
            kind: ActorKind::User,
            name: name.into(),
        }
    }

    pub fn agent(name: impl Into<String>) -> Self {
        Actor {
            kind: ActorKind::Agent,
            name: name.into(),
        }
    }
}

/// A task priority: 1 (highest) to 10 (lowest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ts_rs::TS)]
#[serde(transparent)]
pub struct TaskPriority(u8);

impl TaskPriority {
    pub const HIGHEST: u8 = 1;
    pub const LOWEST: u8 = 10;
    pub const DEFAULT: TaskPriority = TaskPriority(5);

    pub fn new(value: i64) -> Result<Self> {
        if (i64::from(Self::HIGHEST)..=i64::from(Self::LOWEST)).contains(&value) {
            Ok(TaskPriority(value as u8))
        } else {
            Err(Error::invalid(format!(
                "priority {value} is out of range; use a whole number from 1 (highest) to 10 (lowest)"
            )))
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// A stored priority, kept as it is even outside 1-10 (a newer Shark's
    /// or a hand edit's); `None` past what one can be (0-255).
    pub fn from_stored(value: i64) -> Option<Self> {
        u8::try_from(value).ok().map(TaskPriority)
    }

    /// Whether this build gives this priority (1-10).
    pub fn is_known(self) -> bool {
        (Self::HIGHEST..=Self::LOWEST).contains(&self.0)
    }
}

impl std::str::FromStr for TaskPriority {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let n: i64 = s.trim().parse().map_err(|_| {
            Error::invalid(format!(
                "priority '{}' is not a number; use a whole number from 1 (highest) to 10 (lowest)",
                s.trim()
            ))
        })?;
        TaskPriority::new(n)
    }
}

impl Default for TaskPriority {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A trimmed, non-empty title of at most [`MAX_TITLE_CHARS`] characters.
pub fn validate_title(title: &str) -> Result<String> {
    let t = title.trim();
    if t.is_empty() {
        return Err(Error::invalid("the title is empty; give a short title"));
    }
    if t.chars().any(|c| c.is_control()) {
        return Err(Error::invalid(
            "the title contains control characters (such as a newline); put long text in --description",
        ));
    }
    let n = t.chars().count();
    if n > MAX_TITLE_CHARS {
        return Err(Error::invalid(format!(
            "the title is {n} characters long; the limit is {MAX_TITLE_CHARS}. Put the rest in --description"
        )));
    }
    Ok(t.to_string())
}

/// Long free text (description, note): at most [`MAX_TEXT_CHARS`] characters.
/// Returns `None` for text that is empty once trimmed.
pub fn validate_text(what: &str, text: &str) -> Result<Option<String>> {
    let n = text.chars().count();
    if n > MAX_TEXT_CHARS {
        return Err(Error::invalid(format!(
            "the {what} is {n} characters long; the limit is {MAX_TEXT_CHARS}"
        )));
    }
    let t = text.trim();
    Ok((!t.is_empty()).then(|| t.to_string()))
}

/// [`validate_text`] for an optional value (`None` stays `None`).
pub fn validate_opt_text(what: &str, text: Option<&str>) -> Result<Option<String>> {
    Ok(text.map(|t| validate_text(what, t)).transpose()?.flatten())
}

/// [`validate_name`] for an optional value (`None` stays `None`).
pub fn validate_opt_name(what: &str, name: Option<&str>) -> Result<Option<String>> {
    Ok(name.map(|n| validate_name(what, n)).transpose()?.flatten())
}

/// A short single-line name (agent, agent type, reason): trimmed, no control
/// characters, at most [`MAX_NAME_CHARS`]. Empty means "none".
pub fn validate_name(what: &str, name: &str) -> Result<Option<String>> {
    let t = name.trim();
    if t.chars().any(|c| c.is_control()) {
        return Err(Error::invalid(format!(
            "the {what} contains control characters; use a single line"
        )));
    }
    let n = t.chars().count();
    if n > MAX_NAME_CHARS {
        return Err(Error::invalid(format!(
            "the {what} is {n} characters long; the limit is {MAX_NAME_CHARS}"
        )));
    }
    Ok((!t.is_empty()).then(|| t.to_string()))
}

/// Where an epic's or feature's status as shown comes from (see
/// [`crate::plan_status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum StatusSource {
    /// Derived from the tasks (or features) below.
    Calculated,
    /// Set by hand (`update --status`, `complete`, `delete`).
    Manual,
}

/// An epic: the top of the plan (`E01`).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Epic {
    pub id: String,
    pub key: String,
    pub title: String,
    pub description: Option<String>,
    /// As shown: derived from the features unless set by hand (`status_source`).
    pub status: PlanStatus,
    pub status_source: StatusSource,
    pub priority: Level,
    pub business_value: Option<Level>,
    /// Completed tasks as a share of the epic's non-archived tasks, 0-100.
    pub progress_pct: f64,
    pub feature_count: u64,
    pub task_count: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A feature inside an epic (`E01-F01`).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Feature {
    pub id: String,
    pub epic_id: String,
    pub epic_key: String,
    pub key: String,
    pub title: String,
    pub description: Option<String>,
    /// As shown: derived from the tasks unless set by hand (`status_source`).
    pub status: PlanStatus,
    pub status_source: StatusSource,
    pub execution_order: Option<i64>,
    /// Completed tasks as a share of the feature's non-archived tasks, 0-100.
    pub progress_pct: f64,
    pub task_count: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A task inside a feature (`T-E01-F01-001`).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Task {
    pub id: String,
    pub feature_id: String,
    pub epic_key: String,
    pub feature_key: String,
    pub key: String,
    pub title: String,
    pub description: Option<String>,
    pub status: TaskStatus,
    pub priority: TaskPriority,
    pub agent_type: Option<String>,
    pub assigned_agent: Option<String>,
    /// Keys of the tasks this one waits for.
    pub depends_on: Vec<String>,
    pub blocked_reason: Option<String>,
    pub created_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub blocked_at: Option<Timestamp>,
    pub updated_at: Timestamp,
}

/// A typed note on a task.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Note {
    pub id: String,
    pub task_key: String,
    pub note_type: NoteType,
    pub content: String,
    pub actor_kind: ActorKind,
    pub created_by: String,
    pub device_id: String,
    pub device_name: String,
    pub created_at: Timestamp,
}

/// What an agent reports when it completes a task (Go Shark's completion
/// metadata: `task complete --files-created ... --summary ...`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Completion {
    pub files_created: Vec<String>,
    pub files_modified: Vec<String>,
    /// The tests' status, in the agent's words.
    pub tests: Option<String>,
    pub summary: Option<String>,
    pub verified: bool,
    pub time_spent_minutes: Option<i64>,
    /// The agent's execution id, for tracing a run.
    pub agent_id: Option<String>,
}

impl Completion {
    /// Whether nothing was reported (then nothing is stored).
    pub fn is_empty(&self) -> bool {
        *self == Completion::default()
    }
}

/// A stored completion report: which task, who, where and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompletionRecord {
    pub id: String,
    pub task_key: String,
    #[serde(flatten)]
    pub report: Completion,
    pub created_by: String,
    pub actor_kind: ActorKind,
    pub device_id: String,
    pub created_at: Timestamp,
}

/// One insert-only history row: a status change or a field edit.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct HistoryEntry {
    pub id: String,
    pub task_key: String,
    /// `status` for status changes, otherwise the edited field's name.
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<String>,
    pub forced: bool,
    pub actor_kind: ActorKind,
    pub actor: String,
    pub device_id: String,
    pub device_name: String,
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_case_insensitively_and_with_dashes() {
        assert_eq!(
            "In-Progress".parse::<TaskStatus>().ok(),
            Some(TaskStatus::InProgress)
        );
        assert_eq!(
            "READY_FOR_REVIEW".parse::<TaskStatus>().ok(),
            Some(TaskStatus::ReadyForReview)
        );
        assert_eq!("draft".parse::<PlanStatus>().ok(), Some(PlanStatus::Draft));
    }

    #[test]
    fn unknown_status_names_the_accepted_ones() {
        let err = "doing".parse::<TaskStatus>().unwrap_err().to_string();
        assert!(err.contains("unknown task status 'doing'"), "{err}");
        assert!(
            err.contains("todo, in_progress, blocked, ready_for_review, completed, archived"),
            "{err}"
        );
    }

    #[test]
    fn every_note_type_round_trips() {
        assert_eq!(NoteType::ALL.len(), 10);
        for t in NoteType::ALL {
            assert_eq!(t.as_str().parse::<NoteType>().ok(), Some(*t));
        }
    }

    #[test]
    fn priority_range_is_one_to_ten() {
        assert!(TaskPriority::new(0).is_err());
        assert!(TaskPriority::new(11).is_err());
        assert_eq!(TaskPriority::new(1).map(TaskPriority::get).ok(), Some(1));
        assert_eq!(
            "10".parse::<TaskPriority>().map(TaskPriority::get).ok(),
            Some(10)
        );
        let err = "high".parse::<TaskPriority>().unwrap_err().to_string();
        assert!(err.contains("not a number"), "{err}");
        assert_eq!(TaskPriority::default().get(), 5);
    }

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(
            validate_title("  Ship it  ").ok().as_deref(),
            Some("Ship it")
        );
        assert!(
            validate_title("   ")
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        assert!(validate_title("a\nb").is_err());
        let long = "x".repeat(MAX_TITLE_CHARS + 1);
        assert!(
            validate_title(&long)
                .unwrap_err()
                .to_string()
                .contains("limit is 200")
        );
        let exact = "é".repeat(MAX_TITLE_CHARS);
        assert!(
            validate_title(&exact).is_ok(),
            "counts characters, not bytes"
        );
    }

    #[test]
    fn text_and_names() {
        assert_eq!(validate_text("description", "  ").ok(), Some(None));
        assert!(validate_text("note", &"x".repeat(MAX_TEXT_CHARS + 1)).is_err());
        assert_eq!(
            validate_name("agent", " bot ").ok(),
            Some(Some("bot".into()))
        );
        assert!(validate_name("agent", "a\tb").is_err());
    }

    #[test]
    fn priority_serializes_as_number_and_enums_as_strings() {
        let v = serde_json::json!({"p": TaskPriority::DEFAULT, "s": TaskStatus::ReadyForReview});
        assert_eq!(v.to_string(), r#"{"p":5,"s":"ready_for_review"}"#);
    }
}
