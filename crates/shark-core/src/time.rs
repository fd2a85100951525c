//! Timestamps: one clock and one text format (RFC 3339, UTC, microseconds,
//! fixed width) so stored times sort as text and print the same everywhere.
//!
//! Every date-sensitive rule in the core (usage periods and projections,
//! alert months, token expiry, success rates, "synced 2 min ago") takes its
//! `now` as a parameter; the clock is read only at the edges, through
//! [`now`]. For tests that drive the real binaries, [`TEST_NOW_VAR`] moves
//! this process's clock to a chosen instant (it then runs on from there).

use std::sync::OnceLock;

use chrono::{DateTime, Duration, SecondsFormat, SubsecRound, Utc};

/// A point in time as stored and shown (`2026-11-22T01:54:19.123456Z`).
pub type Timestamp = DateTime<Utc>;

/// For tests only: an RFC 3339 instant (`2026-12-31T23:57:00Z`) that this
/// process's clock starts at; it then advances in real time. Every clock
/// reading in Shark (what is stored, usage months, expiry) follows it, and
/// times reported by the sync engine are moved by the same offset.
pub const TEST_NOW_VAR: &str = "SHARK_TEST_NOW";

/// How far this process's clock is moved from the system clock.
fn offset() -> Duration {
    static OFFSET: OnceLock<Duration> = OnceLock::new();
    *OFFSET.get_or_init(|| match test_now() {
        Ok(Some(at)) => at - Utc::now(),
        _ => Duration::zero(),
    })
}

/// The instant [`TEST_NOW_VAR`] asks for: `Ok(None)` when it is not set, an
/// error naming the variable when it cannot be read (binaries refuse to
/// start with it, so a typo never runs with the real clock unnoticed).
pub fn test_now() -> Result<Option<Timestamp>, String> {
    match std::env::var(TEST_NOW_VAR) {
        Err(std::env::VarError::NotPresent) => Ok(None),
        Ok(s) if s.is_empty() => Ok(None),
        Ok(s) => from_text(&s).map(Some).ok_or_else(|| {
            format!(
                "{TEST_NOW_VAR}={s} is not an RFC 3339 instant such as 2026-12-31T23:57:00Z \
                 (it is for tests only: unset it to use the system clock)"
            )
        }),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!(
            "{TEST_NOW_VAR} is not valid UTF-8 (it is for tests only: unset it)"
        )),
    }
}

/// The current time, at the stored precision (microseconds), so a value
/// returned after a write equals the same value read back.
pub fn now() -> Timestamp {
    (Utc::now() + offset()).trunc_subsecs(6)
}

/// A time the sync engine reports (Unix seconds of the system clock), on
/// Shark's clock, so it compares with [`now`].
pub fn from_unix(secs: i64) -> Option<Timestamp> {
    DateTime::from_timestamp(secs, 0).map(|t| t + offset())
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
