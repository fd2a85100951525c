//! What the window and the tray say about sync, as pure functions of the
//! engine's status and the clock: the phase, the one-line text ("Synced 2 min
//! ago - 0 pending"; Linux trays show no tooltip, so it is the menu's first
//! line), the tray state, and when to raise a desktop notification.

use serde::Serialize;
use shark_core::cloud::state::Failure;
use shark_core::cloud::{Mode, Problem, SyncPhase, SyncStatus};
use shark_core::time::Timestamp;
use shark_core::usage::{Level, UsageReport};

/// Everything the UI shows about the connection.
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
pub struct AppStatus {
    /// `opening`, `failed`, `local`, `not_connected`, or a [`SyncPhase`] name.
    pub phase: String,
    pub mode: Option<Mode>,
    pub pending_changes: i64,
    pub last_success: Option<Timestamp>,
    pub last_error: Option<Failure>,
    pub paused: bool,
    pub url: Option<String>,
    pub token_source: Option<String>,
    /// Seconds between pulls set in Settings; 0: live pulls (the default).
    pub interval_secs: u64,
    pub device_name: String,
    /// The status line, also the tray menu's first item.
    pub line: String,
    /// Whether the work is safe locally but cannot reach the cloud now.
    pub offline: bool,
    /// The worst usage warning, when a quota is past the threshold.
    pub usage: Option<UsageSummary>,
    /// The core's clock when this status was made: the window words "synced
    /// 2 min ago" against it, so the app and its tests see one clock.
    pub now: Timestamp,
}

/// The worst usage warning in one line, for the status and the tray.
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
pub struct UsageSummary {
    /// `warning` or `over`.
    pub level: Level,
    pub text: String,
}

impl UsageSummary {
    /// The quota closest to (or furthest past) its limit, if any warns.
    pub fn of(report: &UsageReport) -> Option<UsageSummary> {
        let w = report
            .warnings
            .iter()
            .max_by(|a, b| a.percent.total_cmp(&b.percent))?;
        let mut label = w.quota.label().to_string();
        if let Some(first) = label.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        let text = if w.level == Level::Over {
            format!("{label} over the {} plan's limit", report.plan.name)
        } else {
            format!(
                "{label} at {:.0}% of the {} plan",
                w.percent.floor(),
                report.plan.name
            )
        };
        Some(UsageSummary {
            level: w.level,
            text,
        })
    }
}

/// The tray state: the sync phase's, except that a usage warning shows
/// while sync itself is fine (a sync problem is the more urgent news).
pub fn tray_state(s: &AppStatus) -> TrayState {
    let base = TrayState::of(&s.phase);
    match (&s.usage, base) {
        (Some(_), TrayState::UpToDate | TrayState::Pending | TrayState::Local) => {
            TrayState::UsageWarning
        }
        _ => base,
    }
}

/// The tray's first line: the status line, and the usage warning if any.
pub fn tray_line(s: &AppStatus) -> String {
    match &s.usage {
        Some(u) => format!("{} - {}", s.line, u.text),
        None => s.line.clone(),
    }
}

/// The tray's states; each has its own icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrayState {
    Local,
    UpToDate,
    Syncing,
    Pending,
    Offline,
    Problem,
    Paused,
    UsageWarning,
}

impl TrayState {
    pub const ALL: [TrayState; 8] = [
        TrayState::Local,
        TrayState::UpToDate,
        TrayState::Syncing,
        TrayState::Pending,
        TrayState::Offline,
        TrayState::Problem,
        TrayState::Paused,
        TrayState::UsageWarning,
    ];

    pub fn of(phase: &str) -> TrayState {
        match phase {
            "local" | "opening" => TrayState::Local,
            "up_to_date" => TrayState::UpToDate,
            "syncing" => TrayState::Syncing,
            "pending" => TrayState::Pending,
            "offline" | "not_connected" => TrayState::Offline,
            "paused" => TrayState::Paused,
            _ => TrayState::Problem,
        }
    }
}

/// The name the UI and the tray use for an engine phase.
pub fn phase_name(p: SyncPhase) -> &'static str {
    match p {
        SyncPhase::UpToDate => "up_to_date",
        SyncPhase::Syncing => "syncing",
        SyncPhase::Pending => "pending",
        SyncPhase::Offline => "offline",
        SyncPhase::AuthError => "auth_error",
        SyncPhase::QuotaBlocked => "quota_blocked",
        SyncPhase::Error => "error",
        SyncPhase::Paused => "paused",
    }
}

/// "just now", "2 min ago", "3 h ago", "4 days ago".
pub fn ago(now: Timestamp, then: Timestamp) -> String {
    let secs = (now - then).num_seconds().max(0);
    match secs {
        0..45 => "just now".into(),
        45..3600 => format!("{} min ago", (secs + 30) / 60),
        3600..86_400 => format!("{} h ago", secs / 3600),
        _ => {
            let d = secs / 86_400;
            format!("{d} day{} ago", if d == 1 { "" } else { "s" })
        }
    }
}

/// The one-line status text.
pub fn status_line(
    phase: &str,
    pending: i64,
    last_success: Option<Timestamp>,
    now: Timestamp,
) -> String {
    let synced = last_success.map_or_else(|| "never synced".to_string(), |t| ago(now, t));
    let state = match phase {
        "opening" => return "Opening the database…".into(),
        "failed" => return "Cannot open the database".into(),
        "local" => return "Local only (no cloud connected)".into(),
        "not_connected" => "Offline, not connected yet".to_string(),
        "syncing" => "Syncing…".to_string(),
        "up_to_date" | "pending" => match last_success {
            Some(_) => format!("Synced {synced}"),
            None => "Never synced".to_string(),
        },
        "offline" => format!("Offline (synced {synced})"),
        "auth_error" => "Sign-in problem: new token needed".to_string(),
        "quota_blocked" => "Turso quota reached".to_string(),
        "paused" => format!("Sync paused (synced {synced})"),
        _ => format!("Sync error (synced {synced})"),
    };
    format!("{state} - {pending} pending")
}

/// Whether a status needs a notification the user must act on, once per
/// cause: returns the new "already notified" value and the problem to
/// notify about, if any. A success clears it, so a later failure notifies again.
pub fn notification(
    already: Option<Problem>,
    status: &SyncStatus,
) -> (Option<Problem>, Option<Problem>) {
    let cause = match status.phase {
        SyncPhase::AuthError => Some(Problem::Auth),
        SyncPhase::QuotaBlocked => Some(Problem::Quota),
        _ => None,
    };
    match (status.phase, cause) {
        (SyncPhase::UpToDate, _) => (None, None),
        (_, Some(c)) if already != Some(c) => (Some(c), Some(c)),
        _ => (already, None),
    }
}

/// The notification text for a problem the user must fix.
pub fn notification_text(p: Problem) -> (&'static str, &'static str) {
    match p {
        Problem::Auth => (
            "Shark cannot sync: sign-in needed",
            "Turso refused the token. Open Shark > Settings > Cloud and paste a new token. Your work is saved on this machine.",
        ),
        Problem::Quota => (
            "Shark cannot sync: Turso quota reached",
            "The plan's quota is used up. Local work continues and syncs when the quota allows.",
        ),
        _ => (
            "Shark cannot sync",
            "Open Shark to see why. Your work is saved on this machine.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn status(phase: SyncPhase) -> SyncStatus {
        SyncStatus {
            phase,
            pending_changes: 0,
            last_success: None,
            last_error: None,
            runs: 1,
        }
    }

    #[test]
    fn ago_reads_naturally() {
        let now = shark_core::time::now();
        assert_eq!(ago(now, now), "just now");
        assert_eq!(ago(now, now - Duration::seconds(130)), "2 min ago");
        assert_eq!(ago(now, now - Duration::hours(3)), "3 h ago");
        assert_eq!(ago(now, now - Duration::days(1)), "1 day ago");
        assert_eq!(ago(now, now - Duration::days(4)), "4 days ago");
        // A clock behind the other machine's never says "in the future".
        assert_eq!(ago(now, now + Duration::seconds(5)), "just now");
    }

    #[test]
    fn status_lines() {
        let now = shark_core::time::now();
        let two = Some(now - Duration::minutes(2));
        assert_eq!(
            status_line("up_to_date", 0, two, now),
            "Synced 2 min ago - 0 pending"
        );
        assert_eq!(
            status_line("offline", 3, two, now),
            "Offline (synced 2 min ago) - 3 pending"
        );
        assert_eq!(
            status_line("pending", 1, None, now),
            "Never synced - 1 pending"
        );
        assert_eq!(
            status_line("local", 0, None, now),
            "Local only (no cloud connected)"
        );
    }

    #[test]
    fn every_phase_has_a_tray_state() {
        assert_eq!(TrayState::of("up_to_date"), TrayState::UpToDate);
        assert_eq!(TrayState::of("auth_error"), TrayState::Problem);
        assert_eq!(TrayState::of("quota_blocked"), TrayState::Problem);
        assert_eq!(TrayState::of("not_connected"), TrayState::Offline);
        assert_eq!(TrayState::of("paused"), TrayState::Paused);
    }

    #[test]
    fn a_usage_warning_shows_unless_sync_itself_needs_attention() {
        let mut s = AppStatus {
            phase: "up_to_date".into(),
            mode: Some(Mode::Replica),
            pending_changes: 0,
            last_success: None,
            last_error: None,
            paused: false,
            url: None,
            token_source: None,
            interval_secs: 30,
            device_name: "d".into(),
            line: "Synced just now - 0 pending".into(),
            offline: false,
            usage: None,
            now: chrono::DateTime::UNIX_EPOCH,
        };
        assert_eq!(tray_state(&s), TrayState::UpToDate);
        assert_eq!(tray_line(&s), "Synced just now - 0 pending");
        s.usage = Some(UsageSummary {
            level: Level::Warning,
            text: "Rows written at 85% of the Free plan".into(),
        });
        assert_eq!(tray_state(&s), TrayState::UsageWarning);
        assert_eq!(
            tray_line(&s),
            "Synced just now - 0 pending - Rows written at 85% of the Free plan"
        );
        for (phase, state) in [
            ("pending", TrayState::UsageWarning),
            ("syncing", TrayState::Syncing),
            ("offline", TrayState::Offline),
            ("auth_error", TrayState::Problem),
            ("quota_blocked", TrayState::Problem),
            ("paused", TrayState::Paused),
        ] {
            s.phase = phase.into();
            assert_eq!(tray_state(&s), state, "{phase}");
        }
    }

    #[test]
    fn notifies_once_per_cause_until_a_success() {
        let (seen, n) = notification(None, &status(SyncPhase::AuthError));
        assert_eq!(n, Some(Problem::Auth));
        // Retries with the same cause stay quiet.
        let (seen, n) = notification(seen, &status(SyncPhase::Syncing));
        assert_eq!(n, None);
        let (seen, n) = notification(seen, &status(SyncPhase::AuthError));
        assert_eq!(n, None);
        // Another cause notifies.
        let (seen, n) = notification(seen, &status(SyncPhase::QuotaBlocked));
        assert_eq!(n, Some(Problem::Quota));
        // Offline is not something the user must fix: no notification.
        let (seen, n) = notification(seen, &status(SyncPhase::Offline));
        assert_eq!(n, None);
        // After a success, the same cause notifies again.
        let (seen, _) = notification(seen, &status(SyncPhase::UpToDate));
        assert_eq!(seen, None);
        let (_, n) = notification(seen, &status(SyncPhase::QuotaBlocked));
        assert_eq!(n, Some(Problem::Quota));
    }
}
