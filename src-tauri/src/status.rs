//! What the window and the tray show about sync, as pure functions: the
//! status the window gets (its state and line are the core's
//! `MachineState`, worded there once), the tray state and its first line
//! (Linux trays show no tooltip, so the line is the menu's first item), and
//! when to raise a desktop notification.

use serde::Serialize;
use shark_core::cloud::state::Failure;
use shark_core::cloud::{MachineState, Mode, Problem, SyncPhase, SyncStatus};
use shark_core::time::Timestamp;
use shark_core::usage::{Level, UsageReport};

/// Everything the UI shows about the connection.
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
pub struct AppStatus {
    /// What the user is told about this machine's database and sync.
    pub phase: MachineState,
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
    /// Stored rows the window's lists could not read (shown as a banner).
    pub damaged_rows: usize,
    /// "This database is used by Shark X on <machine>; update this machine".
    pub newer_shark: Option<String>,
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
    let base = TrayState::of(s.phase);
    match (&s.usage, base) {
        (Some(_), TrayState::UpToDate | TrayState::Pending | TrayState::Local) => {
            TrayState::UsageWarning
        }
        _ => base,
    }
}

/// The tray's first line: the status line, and the usage warning if any.
pub fn tray_line(s: &AppStatus) -> String {
    let mut line = match &s.usage {
        Some(u) => format!("{} - {}", s.line, u.text),
        None => s.line.clone(),
    };
    if s.newer_shark.is_some() {
        line.push_str(" - update Shark on this machine");
    }
    match s.damaged_rows {
        0 => {}
        1 => line.push_str(" - 1 row cannot be read"),
        n => line.push_str(&format!(" - {n} rows cannot be read")),
    }
    line
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

    pub fn of(state: MachineState) -> TrayState {
        match state {
            MachineState::Local | MachineState::Opening => TrayState::Local,
            MachineState::UpToDate => TrayState::UpToDate,
            MachineState::Syncing => TrayState::Syncing,
            MachineState::Pending => TrayState::Pending,
            MachineState::Offline | MachineState::NotConnected => TrayState::Offline,
            MachineState::Paused => TrayState::Paused,
            MachineState::Failed
            | MachineState::AuthError
            | MachineState::QuotaBlocked
            | MachineState::Error => TrayState::Problem,
        }
    }
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
        // Any other failure that stopped automatic attempts needs the user too.
        _ if status.stopped => status.last_error.as_ref().map(|f| f.problem),
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

    fn status(phase: SyncPhase) -> SyncStatus {
        SyncStatus {
            phase,
            pending_changes: 0,
            last_success: None,
            last_error: None,
            runs: 1,
            stopped: false,
        }
    }

    #[test]
    fn every_phase_has_a_tray_state() {
        use MachineState as M;
        assert_eq!(TrayState::of(M::UpToDate), TrayState::UpToDate);
        assert_eq!(TrayState::of(M::AuthError), TrayState::Problem);
        assert_eq!(TrayState::of(M::QuotaBlocked), TrayState::Problem);
        assert_eq!(TrayState::of(M::NotConnected), TrayState::Offline);
        assert_eq!(TrayState::of(M::Paused), TrayState::Paused);
        assert_eq!(TrayState::of(M::Failed), TrayState::Problem);
    }

    #[test]
    fn a_usage_warning_shows_unless_sync_itself_needs_attention() {
        let mut s = AppStatus {
            phase: MachineState::UpToDate,
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
            damaged_rows: 0,
            newer_shark: None,
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
            (MachineState::Pending, TrayState::UsageWarning),
            (MachineState::Syncing, TrayState::Syncing),
            (MachineState::Offline, TrayState::Offline),
            (MachineState::AuthError, TrayState::Problem),
            (MachineState::QuotaBlocked, TrayState::Problem),
            (MachineState::Paused, TrayState::Paused),
        ] {
            s.phase = phase;
            assert_eq!(tray_state(&s), state, "{phase:?}");
        }
        // Data this build did not write, and a newer Shark elsewhere, are said too.
        s.usage = None;
        s.phase = MachineState::UpToDate;
        s.damaged_rows = 2;
        s.newer_shark = Some("this database is used by Shark 9.0.0 on laptop".into());
        assert_eq!(
            tray_line(&s),
            "Synced just now - 0 pending - update Shark on this machine - 2 rows cannot be read"
        );
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
