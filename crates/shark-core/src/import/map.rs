//! Pure rules turning a Go Shark file's values into Shark's: keys (a slug
//! after the key is ignored), statuses (an unknown one maps to the closest
//! known one), timestamps in every form the Go driver wrote, dependency
//! lists, and stable ids (the same source row always gets the same UUIDv7,
//! so a re-import finds what it imported before).

use chrono::{DateTime, NaiveDateTime, SubsecRound, TimeZone, Utc};
use libsql::Value;

use crate::model::{Level, NoteType, PlanStatus, TaskStatus};
use crate::time::Timestamp;

/// The number after `prefix` at the start of `s` (`E04` -> 4).
fn num(s: &str, prefix: char) -> Option<u32> {
    let rest = s
        .strip_prefix(prefix)
        .or_else(|| s.strip_prefix(prefix.to_ascii_lowercase()))?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() || digits.len() != rest.len() {
        return None;
    }
    digits.parse().ok()
}

fn parts(key: &str) -> Vec<&str> {
    key.trim().split('-').collect()
}

/// `E04` or `E04-some-slug`.
pub fn epic_number(key: &str) -> Option<u32> {
    num(parts(key).first()?, 'E')
}

/// `E04-F02` or `E04-F02-slug`.
pub fn feature_numbers(key: &str) -> Option<(u32, u32)> {
    let p = parts(key);
    Some((num(p.first()?, 'E')?, num(p.get(1)?, 'F')?))
}

/// `T-E04-F02-003` (or without `T-`, or with a slug after).
pub fn task_numbers(key: &str) -> Option<(u32, u32, u32)> {
    let p = parts(key);
    let p = match p.first() {
        Some(t) if t.eq_ignore_ascii_case("t") => &p[1..],
        _ => &p[..],
    };
    let n: String = p.get(2)?.chars().collect();
    Some((num(p.first()?, 'E')?, num(p.get(1)?, 'F')?, n.parse().ok()?))
}

/// A task status, and whether it had to be mapped.
pub fn task_status(s: Option<&str>) -> (TaskStatus, bool) {
    let raw = s
        .unwrap_or("todo")
        .trim()
        .to_ascii_lowercase()
        .replace(['-', ' '], "_");
    if let Ok(st) = raw.parse::<TaskStatus>() {
        return (st, false);
    }
    let has = |w: &str| raw.contains(w);
    let st = if has("archiv") || has("cancel") || has("wont") || has("obsolete") {
        TaskStatus::Archived
    } else if has("done") || has("complete") || has("closed") || has("approved") || has("finished")
    {
        TaskStatus::Completed
    } else if has("review") || has("approval") || has("ready_for_qa") || has("in_qa") || has("qa") {
        TaskStatus::ReadyForReview
    } else if has("block") || has("hold") || has("wait") {
        TaskStatus::Blocked
    } else if has("progress") || has("develop") || has("doing") || has("active") || has("started") {
        TaskStatus::InProgress
    } else {
        TaskStatus::Todo
    };
    (st, true)
}

/// An epic's or feature's status, and whether it had to be mapped.
pub fn plan_status(s: Option<&str>) -> (PlanStatus, bool) {
    let raw = s
        .unwrap_or("draft")
        .trim()
        .to_ascii_lowercase()
        .replace(['-', ' '], "_");
    if let Ok(st) = raw.parse::<PlanStatus>() {
        return (st, false);
    }
    let has = |w: &str| raw.contains(w);
    let st = if has("archiv") || has("cancel") {
        PlanStatus::Archived
    } else if has("done") || has("complete") || has("closed") {
        PlanStatus::Completed
    } else if has("progress") || has("active") || has("develop") || has("review") || has("block") {
        PlanStatus::Active
    } else {
        PlanStatus::Draft
    };
    (st, true)
}

/// A priority or business value (`None` for an unknown one).
pub fn level(s: Option<&str>) -> Option<Level> {
    s.and_then(|v| v.parse().ok())
}

/// A note type, and whether it had to be mapped (unknown ones are comments).
pub fn note_type(s: Option<&str>) -> (NoteType, bool) {
    match s.map(str::parse::<NoteType>) {
        Some(Ok(t)) => (t, false),
        None => (NoteType::Comment, false),
        Some(Err(_)) => (NoteType::Comment, true),
    }
}

/// A timestamp as SQLite or the Go driver stored it: `2025-12-14 10:00:00`,
/// RFC 3339 (with any offset or fraction), Go's `2006-01-02 15:04:05.999 -0700 MST`,
/// or unix seconds. Times without a zone are UTC (SQLite's CURRENT_TIMESTAMP).
/// Times outside years 1-9999 are `None` (Shark stores RFC 3339, which has
/// four-digit years; the import refuses them first, naming the row).
pub fn time(v: Option<&Value>) -> Option<Timestamp> {
    time_unbounded(v).filter(year_in_range)
}

/// Whether a time can be stored (years 1 to 9999).
pub fn year_in_range(t: &Timestamp) -> bool {
    use chrono::Datelike;
    (1..=9999).contains(&t.year())
}

/// [`time`] without the year bound.
pub fn time_unbounded(v: Option<&Value>) -> Option<Timestamp> {
    match v? {
        Value::Integer(s) => Utc.timestamp_opt(*s, 0).single(),
        Value::Real(s) => Utc.timestamp_opt(*s as i64, 0).single(),
        Value::Text(t) => {
            let t = t.trim();
            if let Ok(d) = DateTime::parse_from_rfc3339(t) {
                return Some(d.with_timezone(&Utc));
            }
            // Go's time.String(): "2006-01-02 15:04:05.999999999 -0700 MST".
            let go = t.split(' ').take(3).collect::<Vec<_>>().join(" ");
            if let Ok(d) = DateTime::parse_from_str(&go, "%Y-%m-%d %H:%M:%S%.f %z") {
                return Some(d.with_timezone(&Utc));
            }
            for f in [
                "%Y-%m-%d %H:%M:%S%.f",
                "%Y-%m-%dT%H:%M:%S%.f",
                "%Y-%m-%d %H:%M",
            ] {
                if let Ok(n) = NaiveDateTime::parse_from_str(t, f) {
                    return Some(Utc.from_utc_datetime(&n));
                }
            }
            chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|n| Utc.from_utc_datetime(&n))
        }
        _ => None,
    }
    .map(|t| t.trunc_subsecs(6))
}

/// The keys in a `depends_on` column: a JSON array, or a comma- or
/// space-separated list.
pub fn dependency_keys(s: Option<&str>) -> Vec<String> {
    let Some(t) = s.map(str::trim).filter(|t| !t.is_empty()) else {
        return Vec::new();
    };
    if let Ok(list) = serde_json::from_str::<Vec<String>>(t) {
        return list
            .into_iter()
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .collect();
    }
    t.split([',', ' ', ';'])
        .map(|k| {
            k.trim()
                .trim_matches(|c| c == '"' || c == '[' || c == ']')
                .to_string()
        })
        .filter(|k| !k.is_empty())
        .collect()
}

fn fnv(seed: u64, s: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A UUIDv7 that is the same every time for the same source row: its time
/// part is the row's creation time, its random part a hash of `identity`.
pub fn stable_id(identity: &str, created: Option<Timestamp>) -> String {
    let ms = created.map_or(0, |t| t.timestamp_millis().max(0) as u64);
    let a = fnv(1, identity).to_le_bytes();
    let b = fnv(2, identity).to_le_bytes();
    let mut rand = [0u8; 10];
    rand[..8].copy_from_slice(&a);
    rand[8..].copy_from_slice(&b[..2]);
    uuid::Builder::from_unix_timestamp_millis(ms, &rand)
        .into_uuid()
        .to_string()
}

/// A UUID given in the file (an export of ours), if it is one.
pub fn given_id(s: Option<&str>) -> Option<String> {
    s.and_then(|v| uuid::Uuid::parse_str(v.trim()).ok())
        .map(|u| u.to_string())
}

/// Epoch start for rows without a time (never shown as "now").
pub fn or_epoch(t: Option<Timestamp>) -> Timestamp {
    t.unwrap_or_else(|| Utc.timestamp_opt(0, 0).single().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_with_and_without_slugs() {
        assert_eq!(epic_number("E04"), Some(4));
        assert_eq!(epic_number("E04-task-mgmt-cli"), Some(4));
        assert_eq!(feature_numbers("E04-F02-database-schema"), Some((4, 2)));
        assert_eq!(task_numbers("T-E04-F02-003"), Some((4, 2, 3)));
        assert_eq!(task_numbers("e4-f2-3"), Some((4, 2, 3)));
        assert_eq!(task_numbers("T-E04-F02-003-fix-it"), Some((4, 2, 3)));
        assert_eq!(epic_number("Epic 4"), None);
        assert_eq!(task_numbers("T-E04-F02"), None);
    }

    #[test]
    fn statuses_map_to_the_closest_known_one() {
        assert_eq!(
            task_status(Some("in_progress")),
            (TaskStatus::InProgress, false)
        );
        assert_eq!(
            task_status(Some("In Development")),
            (TaskStatus::InProgress, true)
        );
        assert_eq!(
            task_status(Some("ready_for_qa")),
            (TaskStatus::ReadyForReview, true)
        );
        assert_eq!(task_status(Some("on_hold")), (TaskStatus::Blocked, true));
        assert_eq!(task_status(Some("done")), (TaskStatus::Completed, true));
        assert_eq!(task_status(Some("cancelled")), (TaskStatus::Archived, true));
        assert_eq!(task_status(Some("backlog")), (TaskStatus::Todo, true));
        assert_eq!(plan_status(Some("planning")), (PlanStatus::Draft, true));
        assert_eq!(plan_status(Some("in_progress")), (PlanStatus::Active, true));
        assert_eq!(note_type(Some("idea")), (NoteType::Comment, true));
    }

    #[test]
    fn every_time_form() {
        let want = "2025-12-14T10:00:00.000000Z";
        for v in [
            Value::Text("2025-12-14 10:00:00".into()),
            Value::Text("2025-12-14T10:00:00Z".into()),
            Value::Text("2025-12-14T11:00:00+01:00".into()),
            Value::Text("2025-12-14 10:00:00 +0000 UTC".into()),
            Value::Integer(1_765_706_400),
        ] {
            let t = time(Some(&v)).unwrap_or_else(|| panic!("{v:?}"));
            assert_eq!(crate::time::to_text(&t), want, "{v:?}");
        }
        assert_eq!(time(Some(&Value::Text("yesterday".into()))), None);
    }

    #[test]
    fn dependency_lists_and_stable_ids() {
        assert_eq!(
            dependency_keys(Some(r#"["T-E01-F01-001", "T-E01-F01-002"]"#)).len(),
            2
        );
        assert_eq!(
            dependency_keys(Some("T-E01-F01-001, T-E01-F01-002")).len(),
            2
        );
        assert!(dependency_keys(Some("")).is_empty());
        let t = time(Some(&Value::Integer(1_765_706_400)));
        let a = stable_id("tasks/1/T-E01-F01-001", t);
        assert_eq!(
            a,
            stable_id("tasks/1/T-E01-F01-001", t),
            "the same row, the same id"
        );
        assert_ne!(a, stable_id("tasks/2/T-E01-F01-002", t));
        assert_eq!(uuid::Uuid::parse_str(&a).unwrap().get_version_num(), 7);
    }
}
