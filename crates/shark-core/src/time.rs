//! Timestamps: one clock and one text format (RFC 3339, UTC, microseconds,
//! fixed width) so stored times sort as text and print the same everywhere.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};

/// A point in time as stored and shown (`2026-11-22T01:54:19.123456Z`).
pub type Timestamp = DateTime<Utc>;

/// The current time, at the stored precision (microseconds), so a value
/// returned after a write equals the same value read back.
pub fn now() -> Timestamp {
    Utc::now().trunc_subsecs(6)
}

/// The stored text form of a timestamp.
pub fn to_text(t: &Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Parses a stored timestamp (any RFC 3339 form is accepted).
pub fn from_text(s: &str) -> Option<Timestamp> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_sorts_as_text() {
        let a = now();
        let b = a + chrono::Duration::microseconds(1);
        assert_eq!(from_text(&to_text(&a)), Some(a));
        assert!(to_text(&a) < to_text(&b));
        assert_eq!(to_text(&a).len(), "2026-11-22T01:54:19.123456Z".len());
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(from_text("yesterday"), None);
    }
}
