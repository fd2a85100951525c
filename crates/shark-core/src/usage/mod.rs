//! Usage and free-tier warnings: what this machine measures about its syncs
//! (`counters`, kept per machine and day in the synced `usage_days` table),
//! what Turso's Platform API says (`platform`, cached by `api_cache`), the
//! plans' limits (`quota`), the report built from all of it (`report`) and
//! which warnings to announce (`alerts`).

pub mod alerts;
pub mod api_cache;
#[cfg(test)]
mod calendar_tests;
pub mod counters;
pub mod meter;
mod period;
pub mod platform;
pub mod quota;
pub mod report;
pub mod settings;
#[cfg(test)]
mod tests;

pub use alerts::{Alert, AlertLog};
pub use quota::{Quota, check_plan};
pub use report::{Level, UsageReport};

use crate::config::UsageSettings;
use crate::error::Result;
use crate::store::Store;
use crate::time;

/// How the report gets Turso's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiMode {
    /// Only what is cached (never waits on the network).
    Cached,
    /// Fetch when the cache is older than a few minutes.
    RefreshIfDue,
    /// Fetch now.
    Force,
}

/// The usage report for the open store.
#[tracing::instrument(skip_all)]
pub async fn gather(store: &Store, settings: &UsageSettings, api: ApiMode) -> Result<UsageReport> {
    let paths = store.home();
    let now = time::now();
    let from = report::first_day(now).format("%Y-%m-%d").to_string();
    let days = store.usage_days(&from).await?;
    let unsent = counters::Unsent::load(paths);
    let stats = store.sync_stats_for_display().await.ok().flatten();
    let storage_estimate = stats.as_ref().map(|_| replica_size(store.path()));
    let measured_at = stats
        .as_ref()
        .and_then(|s| s.last_pull_unix_time.max(s.last_push_unix_time))
        .and_then(time::from_unix);
    let snapshot = match api {
        ApiMode::Cached => api_cache::load(paths, settings),
        ApiMode::RefreshIfDue => api_cache::refresh(paths, settings, false).await,
        ApiMode::Force => api_cache::refresh(paths, settings, true).await,
    };
    Ok(report::build(&report::Inputs {
        now,
        this_device: &store.device().id,
        this_device_name: &store.device().name,
        days: &days,
        unsent: &unsent,
        storage_estimate,
        measured_at,
        api: snapshot.as_ref(),
        settings,
        this_machine_syncs: store.is_replica(),
    }))
}

fn replica_size(db: &std::path::Path) -> u64 {
    let s = crate::store::FileSizes::of(db);
    s.database + s.wal
}
