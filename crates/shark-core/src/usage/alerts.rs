//! Which usage warnings to announce (desktop notification): each quota,
//! threshold and month once. The record of what was announced is a small
//! per-machine file; the rule is a pure function.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::quota::Quota;
use super::report::{Level, UsageReport};
use crate::paths::{SharkPaths, read_json_or_default, write_json};

/// One announcement to make.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub quota: Quota,
    /// The warning percentage, or 100.
    pub threshold: u8,
    pub month: String,
    pub message: String,
}

impl Alert {
    fn key(&self) -> String {
        key(&self.month, self.quota, self.threshold)
    }
}

fn key(month: &str, q: Quota, threshold: u8) -> String {
    format!("{month}/{}/{threshold}", q.key())
}

/// What was announced (`usage-alerts.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertLog {
    pub sent: BTreeSet<String>,
}

fn file(paths: &SharkPaths) -> std::path::PathBuf {
    paths.data_dir.join("usage-alerts.json")
}

impl AlertLog {
    pub fn load(paths: &SharkPaths) -> Self {
        read_json_or_default(&file(paths))
    }

    /// Marks `alerts` as announced (and forgets earlier months).
    pub fn record(&mut self, month: &str, alerts: &[Alert]) {
        self.sent.retain(|k| k.starts_with(&format!("{month}/")));
        self.sent.extend(alerts.iter().map(Alert::key));
    }

    pub fn save(&self, paths: &SharkPaths) -> crate::Result<()> {
        write_json(&file(paths), self)
    }
}

/// The announcements due for `report`: a quota over its limit announces the
/// 100% threshold; one past the warning percentage announces that one. A
/// quota already announced at 100% this month is not announced at the lower
/// threshold afterwards.
pub fn due(report: &UsageReport, log: &AlertLog) -> Vec<Alert> {
    report
        .warnings
        .iter()
        .filter(|w| w.level != Level::Ok)
        .filter(|w| {
            let announced = log.sent.contains(&key(&report.month, w.quota, w.threshold));
            let over_announced = log.sent.contains(&key(&report.month, w.quota, 100));
            let superseded = w.threshold < 100 && over_announced;
            !(announced || superseded)
        })
        .map(|w| Alert {
            quota: w.quota,
            threshold: w.threshold,
            month: report.month.clone(),
            message: w.message.clone(),
        })
        .collect()
}
