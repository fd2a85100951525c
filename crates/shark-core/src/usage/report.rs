//! The usage report the app's usage page, the tray and `shark cloud status`
//! show: a pure function of what was measured, what Turso said and the
//! settings. Figures from Turso's Platform API win over local measurements
//! when present (they count every client, not only Shark's machines).

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use super::api_cache::ApiSnapshot;
use super::counters::{Counters, Unsent};
pub use super::period::period;
use super::platform::DASHBOARD_URL;
use super::quota::{ChosenPlan, DEFAULT_WARN_PERCENT, Quota, choose_plan};
use crate::config::UsageSettings;
use crate::store::UsageDay;
use crate::time::Timestamp;

/// Days in the report's chart.
pub const CHART_DAYS: i64 = 30;

/// Where a figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(rename = "QuotaSource")]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Summed from every machine's measurements of its own syncs.
    Local,
    /// The size of this machine's replica (the cloud copy is about as big).
    LocalEstimate,
    /// Turso's Platform API.
    Turso,
    /// Nobody measured it (rows read are only known to Turso).
    Unknown,
}

/// How close a quota is to its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ts_rs::TS)]
#[ts(rename = "UsageLevel")]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Ok,
    Warning,
    Over,
}

/// One quota's bar.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct QuotaFigure {
    pub quota: Quota,
    pub label: &'static str,
    pub used: Option<u64>,
    pub limit: u64,
    pub percent: Option<f64>,
    /// At the current pace, the figure at the end of the period.
    pub projected: Option<u64>,
    /// At the current pace, the day the limit is reached (within the period).
    pub limit_date: Option<NaiveDate>,
    pub level: Level,
    pub source: Source,
    /// Seconds since the figure was measured or fetched.
    pub age_secs: Option<i64>,
}

/// A quota at or past the warning threshold.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[ts(rename = "UsageWarning")]
pub struct Warning {
    pub quota: Quota,
    pub level: Level,
    pub percent: f64,
    /// The threshold crossed: the warning percentage, or 100.
    pub threshold: u8,
    pub limit_date: Option<NaiveDate>,
    pub message: String,
}

/// One machine's share this month.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct MachineShare {
    pub device_id: String,
    pub name: String,
    pub this_machine: bool,
    pub counters: Counters,
    pub bytes_synced: u64,
}

/// One day of the chart (all machines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DayFigure {
    pub day: NaiveDate,
    pub rows_written: u64,
    pub bytes_synced: u64,
}

/// What the Platform API part of the report says.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ApiState {
    /// Organization set (the database name is optional).
    pub configured: bool,
    pub organization: Option<String>,
    pub database: Option<String>,
    /// When the figures shown were fetched.
    pub fetched_at: Option<Timestamp>,
    /// The last attempt's failure, for people.
    pub error: Option<String>,
    pub error_kind: Option<String>,
    /// The database's own figures (the quotas show the organization's).
    pub database_usage: Option<super::platform::ApiFigures>,
}

/// Everything the usage page shows.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct UsageReport {
    /// `YYYY-MM`: the calendar month (UTC) the figures are for.
    pub month: String,
    pub period_start: Timestamp,
    pub period_end: Timestamp,
    pub generated_at: Timestamp,
    pub plan: ChosenPlan,
    pub warn_percent: u8,
    pub quotas: Vec<QuotaFigure>,
    pub warnings: Vec<Warning>,
    pub machines: Vec<MachineShare>,
    pub days: Vec<DayFigure>,
    pub api: ApiState,
    pub dashboard_url: &'static str,
    /// Whether this machine syncs with Turso (a local-only one uses no quota).
    pub this_machine_syncs: bool,
}

impl UsageReport {
    /// The worst level of any quota.
    pub fn level(&self) -> Level {
        self.quotas
            .iter()
            .map(|q| q.level)
            .max()
            .unwrap_or(Level::Ok)
    }
}

/// What the report is made of.
#[derive(Debug, Clone)]
pub struct Inputs<'a> {
    pub now: Timestamp,
    pub this_device: &'a str,
    pub this_device_name: &'a str,
    /// Rows of the synced table from [`first_day`] on.
    pub days: &'a [UsageDay],
    /// This machine's figures not yet in the table.
    pub unsent: &'a Unsent,
    /// Size of this machine's replica, when connected.
    pub storage_estimate: Option<u64>,
    /// When the local figures were last measured (the latest sync).
    pub measured_at: Option<Timestamp>,
    pub api: Option<&'a ApiSnapshot>,
    pub settings: &'a UsageSettings,
    pub this_machine_syncs: bool,
}

/// The first day the report reads: the month's start or 30 days back.
pub fn first_day(now: Timestamp) -> NaiveDate {
    let (start, _) = period(now);
    start
        .date_naive()
        .min(now.date_naive() - Duration::days(CHART_DAYS - 1))
}

/// Projection at the current pace: the figure at the period's end, and the
/// day `limit` is reached if that happens before the end.
pub fn project(
    used: u64,
    limit: u64,
    now: Timestamp,
    start: Timestamp,
    end: Timestamp,
) -> (u64, Option<NaiveDate>) {
    // At least an hour, so the first minutes of a month do not explode.
    let elapsed = (now - start).num_seconds().max(3600) as f64;
    let total = (end - start).num_seconds().max(1) as f64;
    let pace = used as f64 / elapsed;
    let projected = (pace * total.max(elapsed)).round() as u64;
    if used >= limit {
        return (projected.max(used), Some(now.date_naive()));
    }
    let secs_to_limit = limit as f64 / pace;
    if pace <= 0.0 || secs_to_limit >= total {
        return (projected, None);
    }
    let at = start + Duration::seconds(secs_to_limit.ceil() as i64);
    (projected, (at < end).then(|| at.date_naive()))
}

fn level_of(percent: f64, warn: u8) -> Level {
    if percent >= 100.0 {
        Level::Over
    } else if percent >= f64::from(warn) {
        Level::Warning
    } else {
        Level::Ok
    }
}

/// A byte count or row count for people ("2.4 GB", "10.0M rows").
pub fn amount(q: Quota, n: u64) -> String {
    let f = n as f64;
    if q.is_bytes() {
        match n {
            0..1_000 => format!("{n} B"),
            1_000..1_000_000 => format!("{:.1} kB", f / 1e3),
            1_000_000..1_000_000_000 => format!("{:.1} MB", f / 1e6),
            _ => format!("{:.2} GB", f / 1e9),
        }
    } else {
        match n {
            0..10_000 => format!("{n} rows"),
            10_000..1_000_000 => format!("{:.1}k rows", f / 1e3),
            1_000_000..1_000_000_000 => format!("{:.1}M rows", f / 1e6),
            _ => format!("{:.2}B rows", f / 1e9),
        }
    }
}

/// Builds the report (pure).
pub fn build(i: &Inputs) -> UsageReport {
    let (start, end) = period(i.now);
    let month = i.now.format("%Y-%m").to_string();
    let good = i.api.and_then(|a| a.good.as_ref());
    let plan = choose_plan(i.settings, good.and_then(|g| g.usage.plan.as_deref()));
    let warn = i
        .settings
        .warn_percent
        .filter(|p| (1..=100).contains(p))
        .unwrap_or(DEFAULT_WARN_PERCENT);

    // Every machine's days, this machine's unsent figures added.
    let mut per_day: BTreeMap<(String, String), (String, Counters)> = BTreeMap::new();
    for d in i.days {
        let e = per_day
            .entry((d.day.clone(), d.device_id.clone()))
            .or_insert_with(|| (d.device_name.clone(), Counters::default()));
        e.1.add(&d.counters);
    }
    for (day, c) in &i.unsent.days {
        let e = per_day
            .entry((day.clone(), i.this_device.to_string()))
            .or_insert_with(|| (i.this_device_name.to_string(), Counters::default()));
        e.1.add(c);
    }
    let month_prefix = format!("{month}-");
    let mut machines: BTreeMap<String, MachineShare> = BTreeMap::new();
    let mut chart: BTreeMap<NaiveDate, (u64, u64)> = BTreeMap::new();
    let today = i.now.date_naive();
    for n in 0..CHART_DAYS {
        chart.insert(today - Duration::days(n), (0, 0));
    }
    for ((day, device), (name, c)) in &per_day {
        if let Some(slot) = NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .ok()
            .and_then(|d| chart.get_mut(&d))
        {
            slot.0 += c.rows_written;
            slot.1 += c.bytes_synced();
        }
        if day.starts_with(&month_prefix) {
            let m = machines
                .entry(device.clone())
                .or_insert_with(|| MachineShare {
                    device_id: device.clone(),
                    name: name.clone(),
                    this_machine: device == i.this_device,
                    counters: Counters::default(),
                    bytes_synced: 0,
                });
            m.counters.add(c);
            m.bytes_synced = m.counters.bytes_synced();
        }
    }
    let mut machines: Vec<MachineShare> = machines.into_values().collect();
    machines.sort_by(|a, b| {
        b.this_machine
            .cmp(&a.this_machine)
            .then(a.name.cmp(&b.name))
    });
    let local_rows: u64 = machines.iter().map(|m| m.counters.rows_written).sum();
    let local_bytes: u64 = machines.iter().map(|m| m.bytes_synced).sum();
    let local_age = i.measured_at.map(|t| (i.now - t).num_seconds().max(0));

    let mut quotas = Vec::new();
    let mut warnings = Vec::new();
    for q in Quota::ALL {
        let limit = plan.limits.get(q);
        let (used, source, age) = match good {
            Some(g) => {
                let f = &g.usage.organization;
                let v = match q {
                    Quota::RowsRead => f.rows_read,
                    Quota::RowsWritten => f.rows_written,
                    Quota::Storage => f.storage_bytes,
                    Quota::BytesSynced => f.bytes_synced,
                };
                (
                    Some(v),
                    Source::Turso,
                    Some((i.now - g.at).num_seconds().max(0)),
                )
            }
            None => match q {
                Quota::RowsRead => (None, Source::Unknown, None),
                Quota::RowsWritten => (Some(local_rows), Source::Local, local_age),
                Quota::BytesSynced => (Some(local_bytes), Source::Local, local_age),
                Quota::Storage => match i.storage_estimate {
                    Some(s) => (Some(s), Source::LocalEstimate, Some(0)),
                    None => (None, Source::Unknown, None),
                },
            },
        };
        let percent = used.map(|u| {
            if limit == 0 {
                100.0
            } else {
                u as f64 * 100.0 / limit as f64
            }
        });
        let (projected, limit_date) = match used {
            Some(u) if q.is_monthly() => {
                let (p, d) = project(u, limit, i.now, start, end);
                (Some(p), d)
            }
            Some(u) if u >= limit => (None, Some(today)),
            _ => (None, None),
        };
        // A local-only machine with no figures from Turso uses no quota.
        let relevant = i.this_machine_syncs || good.is_some();
        let level = percent
            .filter(|_| relevant)
            .map_or(Level::Ok, |p| level_of(p, warn));
        if let (Some(p), Some(u)) = (percent, used)
            && level != Level::Ok
        {
            warnings.push(warning(q, level, p, u, limit, warn, limit_date, &plan.name));
        }
        quotas.push(QuotaFigure {
            quota: q,
            label: q.label(),
            used,
            limit,
            percent,
            projected,
            limit_date,
            level,
            source,
            age_secs: age,
        });
    }
    let days = chart
        .into_iter()
        .map(|(day, (rows_written, bytes_synced))| DayFigure {
            day,
            rows_written,
            bytes_synced,
        })
        .collect();
    let api = ApiState {
        configured: i.settings.organization.is_some(),
        organization: i.settings.organization.clone(),
        database: i.settings.database.clone(),
        fetched_at: good.map(|g| g.at),
        error: i
            .api
            .and_then(|a| a.error.as_ref())
            .map(ToString::to_string),
        error_kind: i
            .api
            .and_then(|a| a.error.as_ref())
            .map(|e| e.kind().to_string()),
        database_usage: good.and_then(|g| g.usage.database.clone()),
    };
    UsageReport {
        month,
        period_start: start,
        period_end: end,
        generated_at: i.now,
        plan,
        warn_percent: warn,
        quotas,
        warnings,
        machines,
        days,
        api,
        dashboard_url: DASHBOARD_URL,
        this_machine_syncs: i.this_machine_syncs,
    }
}

#[allow(clippy::too_many_arguments)]
fn warning(
    q: Quota,
    level: Level,
    percent: f64,
    used: u64,
    limit: u64,
    warn: u8,
    limit_date: Option<NaiveDate>,
    plan: &str,
) -> Warning {
    let head = format!(
        "{}: {:.0}% of the {} plan's {} ({} used)",
        q.label(),
        percent.floor(),
        plan,
        amount(q, limit),
        amount(q, used)
    );
    let tail = match (level, limit_date, q.is_monthly()) {
        (Level::Over, _, true) => {
            "; over the limit: Turso may block syncing until the month ends (local work continues)"
                .to_string()
        }
        (Level::Over, _, false) => "; over the limit: Turso may block syncing".to_string(),
        (_, Some(d), _) => format!("; at this pace the limit is reached on {d}"),
        (_, None, true) => "; at this pace the limit is not reached this month".to_string(),
        (_, None, false) => String::new(),
    };
    Warning {
        quota: q,
        level,
        percent,
        threshold: if level == Level::Over { 100 } else { warn },
        limit_date,
        message: format!("{head}{tail}"),
    }
}
