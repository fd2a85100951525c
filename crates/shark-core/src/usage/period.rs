//! The period every quota counts in: the calendar month in UTC, as Turso
//! bills. Its own module because the report and the Platform API client
//! both need it (and the client must not depend on the report).

use chrono::{Datelike, TimeZone, Utc};

use crate::time::Timestamp;

/// The calendar month (UTC) holding `now`: its start and end.
pub fn period(now: Timestamp) -> (Timestamp, Timestamp) {
    let start = Utc
        .with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
        .single()
        .unwrap_or(now);
    let (y, m) = if now.month() == 12 {
        (now.year() + 1, 1)
    } else {
        (now.year(), now.month() + 1)
    };
    let end = Utc
        .with_ymd_and_hms(y, m, 1, 0, 0, 0)
        .single()
        .unwrap_or(now);
    (start, end)
}
