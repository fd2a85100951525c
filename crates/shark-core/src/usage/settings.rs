//! Changing the usage settings, checked the same way for the CLI and the
//! app: names Turso accepts, a known plan, a threshold between 1 and 100.

use serde::Deserialize;

use super::platform::{check_base, check_name};
use super::quota::check_plan;
use crate::config::UsageSettings;
use crate::error::{Error, Result};

/// A change to the usage settings: `None` keeps a value; an empty name,
/// plan `auto` and a limit of 0 remove it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[ts(optional_fields = nullable)]
pub struct UsageChange {
    pub organization: Option<String>,
    pub database: Option<String>,
    pub plan: Option<String>,
    pub rows_read_limit: Option<u64>,
    pub rows_written_limit: Option<u64>,
    pub storage_bytes_limit: Option<u64>,
    pub bytes_synced_limit: Option<u64>,
    pub warn_percent: Option<u8>,
    pub api_url: Option<String>,
}

impl UsageChange {
    pub fn is_empty(&self) -> bool {
        *self == UsageChange::default()
    }
}

fn name(what: &str, v: &str) -> Result<Option<String>> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    check_name(what, v)?;
    Ok(Some(v.to_string()))
}

/// The settings after `change`, or why the change is refused (nothing applied).
pub fn apply(current: &UsageSettings, change: &UsageChange) -> Result<UsageSettings> {
    let mut s = current.clone();
    if let Some(o) = &change.organization {
        s.organization = name("organization", o)?;
    }
    if let Some(d) = &change.database {
        s.database = name("database", d)?;
    }
    if s.database.is_some() && s.organization.is_none() {
        return Err(Error::invalid(
            "a database name needs the organization's name too (--org NAME)",
        ));
    }
    if let Some(p) = &change.plan {
        let p = p.trim().to_ascii_lowercase();
        s.plan = if p.is_empty() || p == "auto" {
            None
        } else {
            check_plan(&p)?;
            Some(p)
        };
    }
    let limit = |v: Option<u64>, old: Option<u64>| match v {
        Some(0) => None,
        Some(n) => Some(n),
        None => old,
    };
    s.rows_read_limit = limit(change.rows_read_limit, s.rows_read_limit);
    s.rows_written_limit = limit(change.rows_written_limit, s.rows_written_limit);
    s.storage_bytes_limit = limit(change.storage_bytes_limit, s.storage_bytes_limit);
    s.bytes_synced_limit = limit(change.bytes_synced_limit, s.bytes_synced_limit);
    if let Some(p) = change.warn_percent {
        if !(1..=100).contains(&p) {
            return Err(Error::invalid(format!(
                "the warning threshold must be a percentage from 1 to 100, not {p}"
            )));
        }
        s.warn_percent = Some(p);
    }
    if let Some(u) = &change.api_url {
        let u = u.trim();
        s.api_url = if u.is_empty() {
            None
        } else {
            check_base(u).map_err(|e| Error::invalid(e.to_string()))?;
            Some(u.to_string())
        };
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_checked_and_partial() {
        let s = apply(
            &UsageSettings::default(),
            &UsageChange {
                organization: Some("acme".into()),
                plan: Some("Developer".into()),
                rows_written_limit: Some(100),
                warn_percent: Some(90),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(s.organization.as_deref(), Some("acme"));
        assert_eq!(s.plan.as_deref(), Some("developer"));
        let s2 = apply(
            &s,
            &UsageChange {
                plan: Some("auto".into()),
                rows_written_limit: Some(0),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            (s2.plan, s2.rows_written_limit, s2.warn_percent),
            (None, None, Some(90))
        );
        let bad = |c: UsageChange| apply(&s, &c).unwrap_err().to_string();
        assert!(
            bad(UsageChange {
                warn_percent: Some(0),
                ..Default::default()
            })
            .contains("1 to 100")
        );
        assert!(
            bad(UsageChange {
                plan: Some("gold".into()),
                ..Default::default()
            })
            .contains("unknown plan")
        );
        assert!(
            bad(UsageChange {
                organization: Some("a b".into()),
                ..Default::default()
            })
            .contains("not a Turso organization name")
        );
        let with_db = apply(
            &s,
            &UsageChange {
                database: Some("tasks".into()),
                ..Default::default()
            },
        )
        .unwrap();
        let err = apply(
            &with_db,
            &UsageChange {
                organization: Some(String::new()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("needs the organization"), "{err}");
    }
}
