//! Data this build did not write, as it is stored: values a newer Shark (or a
//! person with an SQL shell) put in an enum column are kept by name and never
//! rewritten, and a row that cannot be read whole becomes a [`DamagedRow`]
//! that says which column holds what, so one row never stops a read.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use serde::Serialize;

/// Longest stored enum value taken as "from a newer Shark".
pub const MAX_NEWER_CHARS: usize = 40;
/// How many distinct newer values one process keeps per kind of value
/// (each lives as long as the process); past this, a further one is read as
/// damage, and values already kept stay readable.
const MAX_NEWER_VALUES: usize = 64;

type Interned = BTreeMap<&'static str, BTreeSet<&'static str>>;
static NEWER: Mutex<Interned> = Mutex::new(BTreeMap::new());

/// A stored enum value this build does not know, if it can be one a newer
/// Shark wrote: a short identifier (letters, digits, `_`, `-`, starting with
/// a letter). Values are interned (per `kind`: task status, note type...)
/// so the enums stay `Copy`.
pub(crate) fn newer(kind: &'static str, s: &str) -> Option<&'static str> {
    if !plausible(s) {
        return None;
    }
    let mut all = NEWER.lock().unwrap_or_else(|p| p.into_inner());
    let set = all.entry(kind).or_default();
    if let Some(known) = set.get(s) {
        return Some(known);
    }
    if set.len() >= MAX_NEWER_VALUES {
        return None;
    }
    let kept: &'static str = Box::leak(s.to_string().into_boxed_str());
    set.insert(kept);
    Some(kept)
}

/// Whether `s` can be a value a newer Shark wrote (see [`newer`]); keeps
/// nothing, so checks of data that is not read into the model (an import's
/// source, a row an import would update) never use up the interning cap.
pub(crate) fn plausible(s: &str) -> bool {
    s.len() <= MAX_NEWER_CHARS
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// One column of a row that this build cannot read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Damage {
    pub column: String,
    /// The stored value, shortened and with control characters escaped.
    pub value: String,
    /// Why it cannot be read.
    pub problem: String,
}

/// A stored row that cannot be read whole: what could be read of it, and
/// what could not. Shown by lists and doctor, kept as stored by exports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DamagedRow {
    pub table: String,
    /// The row's id, when it can be read.
    pub id: Option<String>,
    /// Its key (`T-E01-F01-003`), when its numbers can be read.
    pub key: Option<String>,
    pub title: Option<String>,
    pub problems: Vec<Damage>,
}

impl DamagedRow {
    /// How a person finds the row: its key, else its id.
    pub fn label(&self) -> String {
        match (&self.key, &self.id) {
            (Some(k), _) => k.clone(),
            (None, Some(id)) => format!("id {id}"),
            (None, None) => "a row without a readable id".into(),
        }
    }

    /// `tasks T-E01-F01-003 ('Its title')`: the table, the label, the title if read.
    pub fn heading(&self) -> String {
        match &self.title {
            Some(t) => format!("{} {} ({})", self.table, self.label(), quoted(t)),
            None => format!("{} {}", self.table, self.label()),
        }
    }

    /// `created_at holds '...' (not a time); ...`
    pub fn problems_text(&self) -> String {
        let problems: Vec<String> = self
            .problems
            .iter()
            .map(|d| format!("{} holds {} ({})", d.column, d.value, d.problem))
            .collect();
        problems.join("; ")
    }

    /// One line: `tasks T-E01-F01-003: created_at holds '...' (not a time)`.
    pub fn describe(&self) -> String {
        format!("{} {}: {}", self.table, self.label(), self.problems_text())
    }
}

/// Rows as read: those that parse, and those that do not.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub damaged: Vec<DamagedRow>,
}

impl<T> Default for Listing<T> {
    fn default() -> Self {
        Listing {
            items: Vec::new(),
            damaged: Vec::new(),
        }
    }
}

/// A listing reads as its readable rows (`len`, `iter`, indexing); the
/// damaged ones are always at hand in `damaged`.
impl<T> std::ops::Deref for Listing<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.items
    }
}

impl<T> IntoIterator for Listing<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<T> Listing<T> {
    /// Splits mapped rows into those read and those damaged.
    pub(crate) fn of(rows: Vec<Result<T, DamagedRow>>) -> Self {
        let mut out = Listing::default();
        for r in rows {
            match r {
                Ok(v) => out.items.push(v),
                Err(d) => out.damaged.push(d),
            }
        }
        out
    }
}

/// Longest part of a stored value quoted in a message.
const SHOWN_CHARS: usize = 60;

/// A stored value as a message quotes it: `NULL`, a number, `'text'`
/// (shortened, control characters escaped) or `binary data (N bytes)`.
pub(crate) fn shown(v: &turso::Value) -> String {
    match v {
        turso::Value::Null => "NULL".into(),
        turso::Value::Integer(n) => n.to_string(),
        turso::Value::Real(f) => f.to_string(),
        turso::Value::Text(s) => quoted(s),
        turso::Value::Blob(b) => format!("binary data ({} bytes)", b.len()),
    }
}

/// `'text'`, shortened to [`SHOWN_CHARS`] and with control characters escaped.
pub(crate) fn quoted(s: &str) -> String {
    let n = s.chars().count();
    let head: String = s.chars().take(SHOWN_CHARS).collect();
    let head: String = head.chars().flat_map(char::escape_debug).collect();
    if n > SHOWN_CHARS {
        format!("'{head}…' ({n} characters)")
    } else {
        format!("'{head}'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ActorKind, TaskStatus};

    #[test]
    fn a_newer_value_is_kept_by_name_and_a_damaged_one_is_not() {
        let s = TaskStatus::from_stored("cancelled");
        assert_eq!(s.map(|s| s.as_str()), Some("cancelled"));
        assert!(!s.is_some_and(|s| s.is_known()));
        assert_eq!(TaskStatus::from_stored("todo"), Some(TaskStatus::Todo));
        // Another spelling is not what SQL filters match: kept as it is.
        assert!(TaskStatus::from_stored("Archived").is_some_and(|s| !s.is_known()));
        assert_eq!(TaskStatus::from_stored(""), None);
        assert_eq!(TaskStatus::from_stored("a\nb"), None);
        assert_eq!(TaskStatus::from_stored(&"x".repeat(41)), None);
        // Users can never give one.
        assert!("cancelled".parse::<TaskStatus>().is_err());
        assert!("robot".parse::<ActorKind>().is_err());
        assert_eq!(
            serde_json::to_string(&s).unwrap_or_default(),
            "\"cancelled\""
        );
    }

    #[test]
    fn values_are_quoted_short_and_escaped() {
        assert_eq!(quoted("a\u{0}b"), "'a\\0b'");
        let long = quoted(&"é".repeat(100));
        assert!(long.ends_with("(100 characters)"), "{long}");
        assert_eq!(
            shown(&turso::Value::Blob(vec![0; 3])),
            "binary data (3 bytes)"
        );
    }
}
