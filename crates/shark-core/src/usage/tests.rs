//! The report's arithmetic and the once-per-month warning rule.

use chrono::{Duration, TimeZone, Utc};

use super::alerts::{AlertLog, due};
use super::api_cache::{ApiSnapshot, GoodFetch};
use super::counters::{Counters, Unsent};
use super::platform::{ApiFigures, ApiUsage};
use super::report::{Inputs, Level, Source, build, period, project};
use super::{Quota, UsageReport};
use crate::config::UsageSettings;
use crate::store::UsageDay;
use crate::time::Timestamp;

fn at(y: i32, m: u32, d: u32) -> Timestamp {
    Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
}

fn day(device: &str, day: &str, rows: u64, bytes: u64) -> UsageDay {
    UsageDay {
        device_id: device.into(),
        device_name: format!("{device}-name"),
        day: day.into(),
        counters: Counters {
            rows_written: rows,
            bytes_sent: bytes,
            pushes: 1,
            ..Default::default()
        },
    }
}

fn report(now: Timestamp, days: &[UsageDay], settings: &UsageSettings) -> UsageReport {
    build(&Inputs {
        now,
        this_device: "a",
        this_device_name: "a-name",
        days,
        unsent: &Unsent::default(),
        storage_estimate: Some(1000),
        measured_at: Some(now),
        api: None,
        settings,
        this_machine_syncs: true,
    })
}

fn tiny_limits(rows: u64) -> UsageSettings {
    UsageSettings {
        plan: Some("custom".into()),
        rows_written_limit: Some(rows),
        ..Default::default()
    }
}

#[test]
fn periods_are_calendar_months() {
    let (s, e) = period(at(2026, 12, 31));
    assert_eq!(
        (s, e),
        (
            Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap()
        )
    );
}

#[test]
fn projection_at_the_current_pace() {
    let (s, e) = period(at(2026, 11, 11));
    // 10 days and 12 hours in, 1,050 used: 100 a day.
    let (projected, date) = project(1050, 2000, at(2026, 11, 11), s, e);
    assert_eq!(projected, 3000);
    assert_eq!(date.unwrap().to_string(), "2026-11-21");
    let (_, never) = project(10, 2000, at(2026, 11, 11), s, e);
    assert_eq!(never, None, "not reached this month");
    let (_, now) = project(2500, 2000, at(2026, 11, 11), s, e);
    assert_eq!(now.unwrap().to_string(), "2026-11-11", "already reached");
}

#[test]
fn machines_share_and_local_totals() {
    let now = at(2026, 11, 22);
    let days = [
        day("a", "2026-11-20", 30, 1000),
        day("b", "2026-11-21", 50, 3000),
        day("b", "2026-10-30", 999, 999), // last month: chart only
    ];
    let mut unsent = Unsent::default();
    unsent.days.insert(
        "2026-11-22".into(),
        Counters {
            rows_written: 5,
            ..Default::default()
        },
    );
    let r = build(&Inputs {
        now,
        this_device: "a",
        this_device_name: "a-name",
        days: &days,
        unsent: &unsent,
        storage_estimate: Some(1000),
        measured_at: Some(now),
        api: None,
        settings: &UsageSettings::default(),
        this_machine_syncs: true,
    });
    let rows = r
        .quotas
        .iter()
        .find(|q| q.quota == Quota::RowsWritten)
        .unwrap();
    assert_eq!((rows.used, rows.source), (Some(85), Source::Local));
    let read = r
        .quotas
        .iter()
        .find(|q| q.quota == Quota::RowsRead)
        .unwrap();
    assert_eq!((read.used, read.source), (None, Source::Unknown));
    assert_eq!(r.machines.len(), 2);
    assert!(r.machines[0].this_machine, "this machine first");
    assert_eq!(r.machines[0].counters.rows_written, 35);
    assert_eq!(r.machines[1].bytes_synced, 3000);
    assert_eq!(r.days.len(), 30);
    assert_eq!(
        r.days.iter().map(|d| d.rows_written).sum::<u64>(),
        30 + 50 + 999 + 5
    );
    assert_eq!(r.level(), Level::Ok);
}

#[test]
fn turso_figures_win_and_name_the_plan() {
    let now = at(2026, 11, 22);
    let snap = ApiSnapshot {
        key: "org/".into(),
        good: Some(GoodFetch {
            at: now - Duration::minutes(3),
            usage: ApiUsage {
                organization: ApiFigures {
                    rows_read: 2_400_000_000,
                    rows_written: 1,
                    storage_bytes: 2,
                    bytes_synced: 3,
                },
                database: None,
                plan: Some("developer".into()),
            },
        }),
        last_attempt: Some(now),
        error: None,
    };
    let r = build(&Inputs {
        now,
        this_device: "a",
        this_device_name: "a",
        days: &[day("a", "2026-11-20", 30, 1000)],
        unsent: &Unsent::default(),
        storage_estimate: None,
        measured_at: None,
        api: Some(&snap),
        settings: &UsageSettings::default(),
        this_machine_syncs: true,
    });
    assert_eq!(r.plan.id, "developer");
    let read = &r.quotas[0];
    assert_eq!(
        (read.used, read.source, read.age_secs),
        (Some(2_400_000_000), Source::Turso, Some(180))
    );
    assert_eq!(read.level, Level::Warning, "96% of 2.5B");
    assert_eq!(r.warnings.len(), 1);
    assert!(
        r.warnings[0]
            .message
            .starts_with("rows read: 96% of the Developer plan's 2.50B rows"),
        "{}",
        r.warnings[0].message
    );
}

#[test]
fn each_threshold_warns_once_a_month_and_again_next_month() {
    let s = tiny_limits(100);
    let mut log = AlertLog::default();
    let nov = at(2026, 11, 10);
    // 50%: nothing.
    assert!(due(&report(nov, &[day("a", "2026-11-10", 50, 0)], &s), &log).is_empty());
    // 85%: the 80% warning, once.
    let r = report(nov, &[day("a", "2026-11-10", 85, 0)], &s);
    let a = due(&r, &log);
    assert_eq!(
        (a.len(), a[0].quota, a[0].threshold),
        (1, Quota::RowsWritten, 80)
    );
    assert!(
        a[0].message
            .contains("at this pace the limit is reached on"),
        "{}",
        a[0].message
    );
    log.record(&r.month, &a);
    assert!(due(&r, &log).is_empty(), "not twice");
    // 100%: the 100% warning, once.
    let r = report(nov, &[day("a", "2026-11-10", 100, 0)], &s);
    let a = due(&r, &log);
    assert_eq!((a.len(), a[0].threshold), (1, 100));
    assert!(a[0].message.contains("over the limit"), "{}", a[0].message);
    log.record(&r.month, &a);
    assert!(due(&r, &log).is_empty());
    // Next month: again.
    let dec = at(2026, 12, 3);
    let r = report(dec, &[day("a", "2026-12-02", 90, 0)], &s);
    let a = due(&r, &log);
    assert_eq!(
        (a.len(), a[0].threshold, a[0].month.as_str()),
        (1, 80, "2026-12")
    );
    log.record(&r.month, &a);
    assert!(
        log.sent.iter().all(|k| k.starts_with("2026-12/")),
        "old months forgotten"
    );
}

#[test]
fn jumping_straight_past_the_limit_warns_once_at_100() {
    let s = tiny_limits(10);
    let mut log = AlertLog::default();
    let r = report(at(2026, 11, 10), &[day("a", "2026-11-10", 12, 0)], &s);
    let a = due(&r, &log);
    assert_eq!(a.iter().map(|a| a.threshold).collect::<Vec<_>>(), vec![100]);
    log.record(&r.month, &a);
    // Back under 100 (a lower custom limit removed, say): the 80% is not news.
    let r = report(at(2026, 11, 10), &[day("a", "2026-11-10", 9, 0)], &s);
    assert!(due(&r, &log).is_empty());
}

#[test]
fn the_threshold_is_configurable() {
    let mut s = tiny_limits(100);
    s.warn_percent = Some(50);
    let r = report(at(2026, 11, 10), &[day("a", "2026-11-10", 55, 0)], &s);
    assert_eq!(r.warn_percent, 50);
    assert_eq!(r.warnings[0].threshold, 50);
    s.warn_percent = Some(0);
    assert_eq!(
        report(at(2026, 11, 10), &[], &s).warn_percent,
        80,
        "0 is not a threshold"
    );
}
