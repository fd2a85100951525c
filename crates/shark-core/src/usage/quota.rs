//! Turso's quotas and plans (docs/turso.md, "Stats and usage"), and the pure rule choosing which limits apply: the settings'
//! plan, else the plan Turso reports, else the free plan; limits set in the
//! settings override the plan's.

use serde::Serialize;

use crate::config::UsageSettings;
use crate::error::{Error, Result};

/// One monthly quota of a Turso plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ts_rs::TS)]
#[ts(rename = "QuotaKey")]
#[serde(rename_all = "snake_case")]
pub enum Quota {
    RowsRead,
    RowsWritten,
    Storage,
    BytesSynced,
}

impl Quota {
    pub const ALL: [Quota; 4] = [
        Quota::RowsRead,
        Quota::RowsWritten,
        Quota::Storage,
        Quota::BytesSynced,
    ];

    /// For people: "rows written".
    pub fn label(self) -> &'static str {
        match self {
            Quota::RowsRead => "rows read",
            Quota::RowsWritten => "rows written",
            Quota::Storage => "storage",
            Quota::BytesSynced => "bytes synced",
        }
    }

    /// For keys and JSON: "rows_written".
    pub fn key(self) -> &'static str {
        match self {
            Quota::RowsRead => "rows_read",
            Quota::RowsWritten => "rows_written",
            Quota::Storage => "storage",
            Quota::BytesSynced => "bytes_synced",
        }
    }

    /// Whether the figure is a size in bytes (else a count of rows).
    pub fn is_bytes(self) -> bool {
        matches!(self, Quota::Storage | Quota::BytesSynced)
    }

    /// Whether the quota is a monthly flow (storage is a level).
    pub fn is_monthly(self) -> bool {
        !matches!(self, Quota::Storage)
    }
}

/// A plan's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Limits {
    pub rows_read: u64,
    pub rows_written: u64,
    pub storage_bytes: u64,
    pub bytes_synced: u64,
}

impl Limits {
    pub fn get(&self, q: Quota) -> u64 {
        match q {
            Quota::RowsRead => self.rows_read,
            Quota::RowsWritten => self.rows_written,
            Quota::Storage => self.storage_bytes,
            Quota::BytesSynced => self.bytes_synced,
        }
    }
}

const GB: u64 = 1_000_000_000;

/// A plan Shark knows the limits of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub id: &'static str,
    pub name: &'static str,
    pub limits: Limits,
}

/// The plans with known quotas (as of mid-2026, turso.tech/pricing).
pub const PLANS: [Plan; 2] = [
    Plan {
        id: "free",
        name: "Free",
        limits: Limits {
            rows_read: 500_000_000,
            rows_written: 10_000_000,
            storage_bytes: 5 * GB,
            bytes_synced: 3 * GB,
        },
    },
    Plan {
        id: "developer",
        name: "Developer",
        limits: Limits {
            rows_read: 2_500_000_000,
            rows_written: 25_000_000,
            storage_bytes: 9 * GB,
            bytes_synced: 10 * GB,
        },
    },
];

/// The plan ids the settings accept.
pub const PLAN_CHOICES: &str = "free, developer or custom";

/// Default warning threshold, percent.
pub const DEFAULT_WARN_PERCENT: u8 = 80;

fn known(name: &str) -> Option<&'static Plan> {
    let n = name.trim().to_ascii_lowercase();
    PLANS
        .iter()
        .find(|p| p.id == n || p.name.eq_ignore_ascii_case(&n))
}

/// Where the limits came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum PlanSource {
    /// Nothing said otherwise: the free plan.
    Default,
    /// The plan chosen in the settings.
    Settings,
    /// The plan Turso's Platform API reports.
    Turso,
}

/// The limits in force and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ChosenPlan {
    pub id: String,
    pub name: String,
    pub limits: Limits,
    pub source: PlanSource,
    /// Set when a plan name could not be used.
    pub note: Option<String>,
}

/// Checks a plan name given by a person.
pub fn check_plan(name: &str) -> Result<()> {
    if name.eq_ignore_ascii_case("custom") || known(name).is_some() {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "unknown plan '{name}': use {PLAN_CHOICES} (custom takes the limits you set)"
        )))
    }
}

/// The limits that apply (a pure function of the settings and what Turso said).
pub fn choose_plan(settings: &UsageSettings, turso_plan: Option<&str>) -> ChosenPlan {
    let free = &PLANS[0];
    let mut note = None;
    let (base, id, name, source) = match settings.plan.as_deref() {
        Some(p) if p.eq_ignore_ascii_case("custom") => {
            (free, "custom", "Custom".to_string(), PlanSource::Settings)
        }
        Some(p) => match known(p) {
            Some(plan) => (plan, plan.id, plan.name.to_string(), PlanSource::Settings),
            None => {
                note = Some(format!(
                    "the plan '{p}' in the settings is unknown; using the free plan's limits"
                ));
                (free, free.id, free.name.to_string(), PlanSource::Default)
            }
        },
        None => match turso_plan {
            Some(t) => match known(t) {
                Some(plan) => (plan, plan.id, plan.name.to_string(), PlanSource::Turso),
                None => {
                    note = Some(format!(
                        "Turso reports the plan '{t}', whose limits Shark does not know; set them in the usage settings (plan custom)"
                    ));
                    (free, free.id, free.name.to_string(), PlanSource::Default)
                }
            },
            None => (free, free.id, free.name.to_string(), PlanSource::Default),
        },
    };
    let l = base.limits;
    let limits = Limits {
        rows_read: settings.rows_read_limit.unwrap_or(l.rows_read),
        rows_written: settings.rows_written_limit.unwrap_or(l.rows_written),
        storage_bytes: settings.storage_bytes_limit.unwrap_or(l.storage_bytes),
        bytes_synced: settings.bytes_synced_limit.unwrap_or(l.bytes_synced),
    };
    let custom = limits != l && id != "custom";
    ChosenPlan {
        id: id.to_string(),
        name: if custom {
            format!("{name}, with your limits")
        } else {
            name
        },
        limits,
        source,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_then_turso_then_free() {
        let none = UsageSettings::default();
        let p = choose_plan(&none, None);
        assert_eq!((p.id.as_str(), p.source), ("free", PlanSource::Default));
        assert_eq!(p.limits.rows_written, 10_000_000);
        let p = choose_plan(&none, Some("developer"));
        assert_eq!((p.id.as_str(), p.source), ("developer", PlanSource::Turso));
        assert_eq!(p.limits.bytes_synced, 10 * GB);
        let chosen = UsageSettings {
            plan: Some("free".into()),
            ..Default::default()
        };
        assert_eq!(choose_plan(&chosen, Some("developer")).id, "free");
        let odd = choose_plan(&none, Some("enterprise-2030"));
        assert_eq!(odd.id, "free");
        assert!(odd.note.unwrap().contains("enterprise-2030"));
    }

    #[test]
    fn custom_limits_override() {
        let s = UsageSettings {
            plan: Some("custom".into()),
            rows_written_limit: Some(100),
            ..Default::default()
        };
        let p = choose_plan(&s, None);
        assert_eq!(p.limits.rows_written, 100);
        assert_eq!(p.limits.rows_read, 500_000_000, "the rest from free");
        assert!(check_plan("Developer").is_ok());
        assert!(
            check_plan("gold")
                .unwrap_err()
                .to_string()
                .contains("free, developer or custom")
        );
    }
}
