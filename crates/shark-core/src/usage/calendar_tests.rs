//! The usage report at the calendar's edges: the last minutes of a month,
//! New Year, February in leap and common years, the first minutes of a
//! month and a month with nothing written. Every test fixes its own `now`.

use chrono::{NaiveDate, TimeZone, Utc};

use super::alerts::{AlertLog, due};
use super::counters::{Counters, Unsent};
use super::report::{Inputs, UsageReport, build, first_day, period, project};
use super::{Level, Quota};
use crate::config::UsageSettings;
use crate::store::UsageDay;
use crate::time::Timestamp;

fn t(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Timestamp {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn rows(day: &str, n: u64) -> UsageDay {
    UsageDay {
        device_id: "a".into(),
        device_name: "laptop".into(),
        day: day.into(),
        counters: Counters {
            rows_written: n,
            ..Default::default()
        },
    }
}

fn limit(rows: u64) -> UsageSettings {
    UsageSettings {
        plan: Some("custom".into()),
        rows_written_limit: Some(rows),
        ..Default::default()
    }
}

fn report_at(now: Timestamp, days: &[UsageDay], s: &UsageSettings) -> UsageReport {
    build(&Inputs {
        now,
        this_device: "a",
        this_device_name: "laptop",
        days,
        unsent: &Unsent::default(),
        storage_estimate: None,
        measured_at: None,
        api: None,
        settings: s,
        this_machine_syncs: true,
    })
}

fn rows_written(r: &UsageReport) -> &super::report::QuotaFigure {
    r.quotas
        .iter()
        .find(|q| q.quota == Quota::RowsWritten)
        .unwrap()
}

#[test]
fn months_of_every_length_end_at_the_next_first() {
    for (now, start, end) in [
        (
            t(2026, 11, 30, 23, 59, 59),
            t(2026, 11, 1, 0, 0, 0),
            t(2026, 12, 1, 0, 0, 0),
        ),
        (
            t(2026, 12, 31, 23, 59, 59),
            t(2026, 12, 1, 0, 0, 0),
            t(2027, 1, 1, 0, 0, 0),
        ),
        (
            t(2027, 1, 1, 0, 0, 0),
            t(2027, 1, 1, 0, 0, 0),
            t(2027, 2, 1, 0, 0, 0),
        ),
        (
            t(2027, 2, 28, 12, 0, 0),
            t(2027, 2, 1, 0, 0, 0),
            t(2027, 3, 1, 0, 0, 0),
        ),
        (
            t(2028, 2, 29, 12, 0, 0),
            t(2028, 2, 1, 0, 0, 0),
            t(2028, 3, 1, 0, 0, 0),
        ),
    ] {
        assert_eq!(period(now), (start, end), "{now}");
    }
    assert_eq!(
        (t(2028, 3, 1, 0, 0, 0) - t(2028, 2, 1, 0, 0, 0)).num_days(),
        29
    );
    // The chart reaches 30 days back, across a year's end.
    assert_eq!(first_day(t(2027, 1, 5, 8, 0, 0)), date("2026-12-07"));
    assert_eq!(first_day(t(2026, 11, 30, 8, 0, 0)), date("2026-11-01"));
}

#[test]
fn in_the_last_minutes_of_a_month_a_limit_not_yet_reached_is_not_reached_this_month() {
    let (s, e) = period(t(2026, 11, 30, 23, 57, 0));
    // 90 of 100 used by the end of the month: the pace ends the month at ~90.
    let (projected, when) = project(90, 100, t(2026, 11, 30, 23, 57, 0), s, e);
    assert_eq!((projected, when), (90, None));
    // Reached: today, even in its last minutes.
    let (_, reached) = project(100, 100, t(2026, 11, 30, 23, 59, 59), s, e);
    assert_eq!(reached, Some(date("2026-11-30")));
    let r = report_at(
        t(2026, 11, 30, 23, 57, 0),
        &[rows("2026-11-30", 90)],
        &limit(100),
    );
    assert_eq!(r.month, "2026-11");
    assert!(
        r.warnings[0]
            .message
            .ends_with("at this pace the limit is not reached this month"),
        "{}",
        r.warnings[0].message
    );
}

#[test]
fn new_year_starts_a_new_month_and_a_new_count() {
    let dec = [rows("2026-12-31", 95)];
    let before = report_at(t(2026, 12, 31, 23, 59, 0), &dec, &limit(100));
    assert_eq!(before.month, "2026-12");
    assert_eq!(rows_written(&before).used, Some(95));
    assert_eq!(rows_written(&before).level, Level::Warning);

    let after = report_at(t(2027, 1, 1, 0, 1, 0), &dec, &limit(100));
    assert_eq!(after.month, "2027-01");
    assert_eq!(
        rows_written(&after).used,
        Some(0),
        "December's rows do not count"
    );
    assert_eq!(rows_written(&after).level, Level::Ok);
    assert!(after.warnings.is_empty());
    // ... but the chart still shows them (30 days back).
    let day = after
        .days
        .iter()
        .find(|d| d.day == date("2026-12-31"))
        .unwrap();
    assert_eq!(day.rows_written, 95);

    // A warning announced in December is announced again in January.
    let mut log = AlertLog::default();
    let a = due(&before, &log);
    assert_eq!((a.len(), a[0].month.as_str()), (1, "2026-12"));
    log.record(&before.month, &a);
    assert!(due(&before, &log).is_empty());
    let jan = report_at(
        t(2027, 1, 2, 12, 0, 0),
        &[rows("2027-01-02", 90)],
        &limit(100),
    );
    let a = due(&jan, &log);
    assert_eq!((a.len(), a[0].month.as_str()), (1, "2027-01"));
    log.record(&jan.month, &a);
    assert!(log.sent.iter().all(|k| k.starts_with("2027-01/")));
}

#[test]
fn february_has_29_days_in_a_leap_year_and_28_otherwise() {
    // Half way through February 2028 (14.5 of 29 days), 10 rows a day.
    let now = t(2028, 2, 15, 12, 0, 0);
    let (s, e) = period(now);
    let (projected, date_) = project(145, 289, now, s, e);
    assert_eq!(projected, 290);
    assert_eq!(date_, Some(date("2028-02-29")), "the leap day");
    // A limit the pace reaches exactly when the month ends: not this month.
    assert_eq!(project(145, 290, now, s, e).1, None);

    // The same pace in 2027 (14.5 of 28 days).
    let now = t(2027, 2, 15, 12, 0, 0);
    let (s, e) = period(now);
    let (projected, date_) = project(145, 280, now, s, e);
    assert_eq!(projected, 280);
    assert_eq!(date_, None, "reached on 1 March: not this month");
    assert_eq!(project(145, 279, now, s, e).1, Some(date("2027-02-28")));

    // On the leap day itself the report is February's.
    let r = report_at(
        t(2028, 2, 29, 23, 0, 0),
        &[rows("2028-02-29", 10)],
        &limit(100),
    );
    assert_eq!(r.month, "2028-02");
    assert_eq!(r.period_end, t(2028, 3, 1, 0, 0, 0));
}

#[test]
fn the_first_minutes_of_a_month_have_no_pace_yet() {
    let now = t(2026, 12, 1, 0, 0, 30);
    let (s, e) = period(now);
    assert_eq!(project(0, 100, now, s, e), (0, None), "nothing written");
    // A few rows in the first minute do not project a month of thousands:
    // the pace is taken over at least an hour.
    let (projected, _) = project(2, 10_000, now, s, e);
    assert_eq!(projected, 2 * 24 * 31);
    // Yesterday's rows (November) are not this month's.
    let r = report_at(now, &[rows("2026-11-30", 99)], &limit(100));
    assert_eq!(rows_written(&r).used, Some(0));
    assert_eq!(rows_written(&r).projected, Some(0));
    assert!(r.warnings.is_empty());
}

#[test]
fn a_month_with_nothing_written() {
    let r = report_at(t(2026, 11, 28, 9, 0, 0), &[], &limit(100));
    let q = rows_written(&r);
    assert_eq!(
        (q.used, q.projected, q.limit_date),
        (Some(0), Some(0), None)
    );
    assert_eq!(q.level, Level::Ok);
    assert!(r.warnings.is_empty());
    assert_eq!(r.days.len(), 30);
    assert!(r.days.iter().all(|d| d.rows_written == 0));
    assert!(r.machines.is_empty());
}
