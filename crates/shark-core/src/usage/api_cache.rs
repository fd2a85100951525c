//! Turso's figures, fetched at most every few minutes and cached in a 0600
//! file so the app, the tray and the CLI show them without waiting on the
//! network. A failed fetch keeps the last good figures beside the error.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::platform::{self, ApiError, ApiUsage, DEFAULT_API_URL};
use crate::cloud::token::{PLATFORM_TOKEN, load_slot};
use crate::config::UsageSettings;
use crate::paths::{SharkPaths, read_json_or_default, write_json};
use crate::time::{self, Timestamp};

/// A fetch is not repeated within this time (unless asked for).
pub const MIN_AGE: Duration = Duration::from_secs(300);

/// Timeout of one fetch.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// Figures Turso gave, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoodFetch {
    pub at: Timestamp,
    pub usage: ApiUsage,
}

/// The cache file's contents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiSnapshot {
    /// The organization/database the figures are for: other names invalidate them.
    pub key: String,
    pub good: Option<GoodFetch>,
    pub last_attempt: Option<Timestamp>,
    /// The last attempt's failure (cleared by a success).
    pub error: Option<ApiError>,
}

fn file(paths: &SharkPaths) -> std::path::PathBuf {
    paths.data_dir.join("usage-api.json")
}

fn key_of(s: &UsageSettings) -> Option<String> {
    let org = s.organization.as_deref()?;
    Some(format!("{org}/{}", s.database.as_deref().unwrap_or("")))
}

/// The cached snapshot for the current settings (`None` when no
/// organization is set).
pub fn load(paths: &SharkPaths, settings: &UsageSettings) -> Option<ApiSnapshot> {
    let key = key_of(settings)?;
    let cached: ApiSnapshot = read_json_or_default(&file(paths));
    Some(if cached.key == key {
        cached
    } else {
        ApiSnapshot {
            key,
            ..Default::default()
        }
    })
}

/// Whether a fetch is due: never tried, or the last try is older than [`MIN_AGE`].
pub fn due(snapshot: &ApiSnapshot, now: Timestamp) -> bool {
    snapshot
        .last_attempt
        .is_none_or(|t| (now - t).to_std().map_or(true, |a| a >= MIN_AGE))
}

/// Fetches when due (or when `force`), saves and returns the snapshot.
/// `None` when no organization is set.
pub async fn refresh(
    paths: &SharkPaths,
    settings: &UsageSettings,
    force: bool,
) -> Option<ApiSnapshot> {
    let mut snap = load(paths, settings)?;
    let now = time::now();
    if !force && !due(&snap, now) {
        return Some(snap);
    }
    let org = settings.organization.clone().unwrap_or_default();
    let result = match load_slot(paths, PLATFORM_TOKEN) {
        Ok(Some((token, _))) => {
            let base = settings.api_url.as_deref().unwrap_or(DEFAULT_API_URL);
            platform::fetch(
                base,
                &org,
                settings.database.as_deref(),
                &token,
                FETCH_TIMEOUT,
                now,
            )
            .await
        }
        Ok(None) => Err(ApiError::NoToken),
        Err(e) => Err(ApiError::Invalid {
            detail: e.to_string(),
        }),
    };
    snap.last_attempt = Some(now);
    match result {
        Ok(usage) => {
            snap.good = Some(GoodFetch { at: now, usage });
            snap.error = None;
        }
        Err(e) => {
            tracing::info!(kind = e.kind(), "usage figures from Turso unavailable");
            snap.error = Some(e);
        }
    }
    if let Err(e) = write_json(&file(paths), &snap) {
        tracing::warn!("cannot cache Turso's usage figures: {e}");
    }
    Some(snap)
}
