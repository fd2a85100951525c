//! The usage page's commands and the app's usage upkeep: the report is
//! rebuilt from cached figures every tick and after syncs, Turso's figures
//! are fetched in the background every few minutes (never while a command
//! waits), each warning is announced once per quota, threshold and month,
//! and the tray shows the warning state.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use shark_core::cloud::token::{PLATFORM_TOKEN, load_slot, remove_slot, store_slot};
use shark_core::cloud::{SyncPhase, SyncStatus};
use shark_core::config::{Config, UsageSettings};
use shark_core::secret::SecretToken;
use shark_core::usage::settings::{UsageChange, apply};
use shark_core::usage::{self, AlertLog, ApiMode, UsageReport, alerts};
use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_notification::NotificationExt;

use crate::error::{IpcError, IpcResult};
use crate::session::{Event, Session};
use crate::status::UsageSummary;

/// The usage page: the report, the settings behind it, and where the
/// Platform API token is kept (never the token).
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct UsageView {
    pub report: UsageReport,
    pub settings: UsageSettings,
    pub api_token_stored_in: Option<String>,
}

/// Rebuilds the report (`mode` says whether Turso is asked), announces new
/// warnings, updates the tray and tells the window.
pub async fn refresh(app: &AppHandle, mode: ApiMode) -> IpcResult<UsageReport> {
    let session = app.state::<Arc<Session>>().inner().clone();
    let live = session.live().await?;
    let config = session.settings().unwrap_or_else(|_| live.config.clone());
    let report = usage::gather(&live.store, &config.usage, mode).await?;
    // The announcement log is a file: written off the runtime's threads.
    let (a, s, r) = (app.clone(), session.clone(), report.clone());
    if let Err(e) = tauri::async_runtime::spawn_blocking(move || announce(&a, &s, &r)).await {
        tracing::warn!("usage warnings not announced: {e}");
    }
    if session.set_usage(UsageSummary::of(&report)) {
        session.emit(Event::Status);
    }
    let _ = app.emit("usage", &report);
    Ok(report)
}

/// Desktop notifications for warnings not yet announced this month.
fn announce(app: &AppHandle, session: &Session, report: &UsageReport) {
    let mut log = AlertLog::load(&session.paths);
    let due = alerts::due(report, &log);
    if due.is_empty() {
        return;
    }
    for a in &due {
        let title = if a.threshold >= 100 {
            format!("Shark: Turso {} over the plan's limit", a.quota.label())
        } else {
            format!(
                "Shark: Turso {} at {}% of the plan",
                a.quota.label(),
                a.threshold
            )
        };
        if let Err(e) = app
            .notification()
            .builder()
            .title(title)
            .body(&a.message)
            .show()
        {
            tracing::info!("no desktop notification: {e}");
        }
        tracing::info!(
            quota = a.quota.key(),
            threshold = a.threshold,
            "usage warning announced"
        );
    }
    log.record(&report.month, &due);
    if let Err(e) = log.save(&session.paths) {
        tracing::warn!("cannot record the usage warnings announced: {e}");
    }
}

/// The engine's run count when usage was last refreshed after a sync
/// (`u64::MAX`: none yet on this engine).
#[derive(Debug)]
pub struct RunsSeen(AtomicU64);

impl Default for RunsSeen {
    fn default() -> Self {
        RunsSeen(AtomicU64::new(u64::MAX))
    }
}

/// A sync status changed: refresh once per finished run (its figures moved),
/// not on every transition (each local write reports its pending count).
pub fn after_sync_status(app: &AppHandle, s: &SyncStatus) {
    if s.phase == SyncPhase::Syncing {
        return;
    }
    let seen = app.state::<RunsSeen>();
    if seen.0.swap(s.runs, Ordering::Relaxed) != s.runs {
        refresh_later(app, ApiMode::Cached);
    }
}

/// A database was opened: a new engine counts runs from 0; refresh now.
pub fn opened(app: &AppHandle) {
    app.state::<RunsSeen>().0.store(u64::MAX, Ordering::Relaxed);
    refresh_later(app, ApiMode::RefreshIfDue);
}

/// Refreshes in the background; failures are logged (the page shows them).
pub fn refresh_later(app: &AppHandle, mode: ApiMode) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = refresh(&app, mode).await {
            tracing::debug!("usage not refreshed: {e}");
        }
    });
}

fn view(session: &Session, report: UsageReport) -> UsageView {
    UsageView {
        report,
        settings: Config::load(&session.paths)
            .map(|c| c.usage)
            .unwrap_or_default(),
        api_token_stored_in: load_slot(&session.paths, PLATFORM_TOKEN)
            .ok()
            .flatten()
            .map(|(_, s)| s.describe(PLATFORM_TOKEN)),
    }
}

/// The usage page. `fetch`: ask Turso now (else figures up to a few minutes old).
#[tauri::command]
pub async fn get_usage(
    app: AppHandle,
    session: State<'_, Arc<Session>>,
    fetch: bool,
) -> IpcResult<UsageView> {
    let mode = if fetch {
        ApiMode::Force
    } else {
        ApiMode::Cached
    };
    let report = refresh(&app, mode).await?;
    if !fetch {
        // Bring Turso's figures up to date without making the page wait.
        refresh_later(&app, ApiMode::RefreshIfDue);
    }
    Ok(view(&session, report))
}

/// A change from the usage settings form (no `Debug`: it may hold a token).
#[derive(Deserialize, ts_rs::TS)]
pub struct UsageForm {
    pub change: UsageChange,
    /// A new Platform API token (not the database token).
    pub api_token: Option<String>,
    pub forget_api_token: bool,
}

/// The window never sets where the Platform API token is sent: a page in
/// the web view must not be able to send it to another host. The base URL
/// is set in config.toml only (`[usage] api_url`).
fn window_change(change: &UsageChange) -> IpcResult<()> {
    if change.api_url.is_some() {
        return Err(IpcError::invalid(
            "the Platform API address is not set from the window; set [usage] api_url in config.toml if you need another one",
        ));
    }
    Ok(())
}

/// Saves the usage settings (checked first: nothing is saved on a bad value).
#[tauri::command]
pub async fn save_usage_settings(
    app: AppHandle,
    session: State<'_, Arc<Session>>,
    form: UsageForm,
) -> IpcResult<UsageView> {
    let token = form
        .api_token
        .map(SecretToken::new)
        .filter(|t| !t.is_empty());
    window_change(&form.change)?;
    let mut config = Config::load(&session.paths)?;
    config.usage = apply(&config.usage, &form.change)?;
    config.save(&session.paths)?;
    if let Some(t) = &token {
        store_slot(&session.paths, PLATFORM_TOKEN, t)?;
    }
    if form.forget_api_token {
        remove_slot(&session.paths, PLATFORM_TOKEN)?;
    }
    let report = refresh(&app, ApiMode::Force).await?;
    Ok(view(&session, report))
}

/// Opens Turso's dashboard in the system browser (a fixed address: the web
/// view cannot open arbitrary ones).
#[tauri::command]
pub fn open_dashboard() -> IpcResult<()> {
    let url = usage::platform::DASHBOARD_URL;
    #[cfg(target_os = "linux")]
    let mut cmd = std::process::Command::new("xdg-open");
    #[cfg(target_os = "macos")]
    let mut cmd = std::process::Command::new("open");
    #[cfg(target_os = "windows")]
    let mut cmd = {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    };
    cmd.arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    match cmd.spawn() {
        Ok(mut child) => {
            // Reap it when the opener exits (it hands the URL to the browser).
            std::thread::spawn(move || child.wait());
            Ok(())
        }
        Err(e) => Err(IpcError::new(
            "no_browser",
            format!("Cannot open a browser here ({e}); the dashboard is at {url}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_cannot_move_the_platform_api() {
        let change = UsageChange {
            api_url: Some("https://collector.example".into()),
            ..Default::default()
        };
        let err = window_change(&change).unwrap_err();
        assert!(err.message.contains("config.toml"), "{}", err.message);
        let ok = UsageChange {
            warn_percent: Some(70),
            ..Default::default()
        };
        assert!(window_change(&ok).is_ok());
    }
}
