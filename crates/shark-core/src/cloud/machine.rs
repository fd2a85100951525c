//! What a user can see about a machine's database and its sync, as one
//! enum, and the words for it: `shark cloud status`, the tray, the window
//! (its type is generated from this one) and the app's diagnostics all say
//! a state with these words, defined here once.

use serde::Serialize;

use super::classify::Problem;
use super::connect::Mode;
use super::engine::{SyncPhase, phase_of};
use crate::time::Timestamp;

/// A machine's state as people see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum MachineState {
    /// The desktop app is opening the database.
    Opening,
    /// The database cannot be opened.
    Failed,
    /// No cloud database configured.
    Local,
    /// A cloud database is configured but was never reached: local copy only.
    NotConnected,
    UpToDate,
    Syncing,
    /// Changes wait to be pushed.
    Pending,
    Offline,
    AuthError,
    QuotaBlocked,
    Error,
    Paused,
}

impl MachineState {
    /// Every state, for tests and exhaustive tables.
    pub const ALL: [MachineState; 12] = [
        MachineState::Opening,
        MachineState::Failed,
        MachineState::Local,
        MachineState::NotConnected,
        MachineState::UpToDate,
        MachineState::Syncing,
        MachineState::Pending,
        MachineState::Offline,
        MachineState::AuthError,
        MachineState::QuotaBlocked,
        MachineState::Error,
        MachineState::Paused,
    ];

    /// The state of a running sync engine.
    pub fn of_phase(p: SyncPhase) -> Self {
        match p {
            SyncPhase::UpToDate => MachineState::UpToDate,
            SyncPhase::Syncing => MachineState::Syncing,
            SyncPhase::Pending => MachineState::Pending,
            SyncPhase::Offline => MachineState::Offline,
            SyncPhase::AuthError => MachineState::AuthError,
            SyncPhase::QuotaBlocked => MachineState::QuotaBlocked,
            SyncPhase::Error => MachineState::Error,
            SyncPhase::Paused => MachineState::Paused,
        }
    }

    /// The state as known without a running engine (a `shark` command that
    /// opened the database itself): how it is connected, the last sync
    /// failure on record, and the changes waiting.
    pub fn of_record(mode: Mode, last_failure: Option<Problem>, pending: i64) -> Self {
        match (mode, last_failure) {
            (Mode::Local, _) => MachineState::Local,
            (Mode::LocalFallback, _) => MachineState::NotConnected,
            // The phase the engine would be in after that failure.
            (Mode::Replica, Some(p)) => MachineState::of_phase(phase_of(p)),
            (Mode::Replica, None) if pending > 0 => MachineState::Pending,
            (Mode::Replica, None) => MachineState::UpToDate,
        }
    }

    /// The local work is safe but cannot reach the cloud now.
    pub fn is_offline(self) -> bool {
        matches!(self, MachineState::Offline | MachineState::NotConnected)
    }

    /// A few words, lower case (`shark cloud status`'s `state`, which
    /// scripts read: these do not change).
    pub fn label(self, pending: i64) -> String {
        match self {
            MachineState::Opening => "opening".into(),
            MachineState::Failed => "cannot open the database".into(),
            MachineState::Local => "local only".into(),
            MachineState::NotConnected => "offline (not connected yet)".into(),
            MachineState::UpToDate => "up to date".into(),
            MachineState::Syncing => "syncing".into(),
            MachineState::Pending => format!("{pending} changes pending"),
            MachineState::Offline => "offline".into(),
            MachineState::AuthError => "auth error".into(),
            MachineState::QuotaBlocked => "over quota (blocked by Turso)".into(),
            MachineState::Error => "error".into(),
            MachineState::Paused => "paused".into(),
        }
    }

    /// The one-line status of the window and the tray ("Synced 2 min ago -
    /// 0 pending"), worded against `now`.
    pub fn line(self, pending: i64, last_success: Option<Timestamp>, now: Timestamp) -> String {
        let synced = last_success.map_or_else(|| "never synced".to_string(), |t| ago(now, t));
        let state = match self {
            MachineState::Opening => return "Opening the database…".into(),
            MachineState::Failed => return "Cannot open the database".into(),
            MachineState::Local => return "Local only (no cloud connected)".into(),
            MachineState::NotConnected => "Offline, not connected yet".to_string(),
            MachineState::Syncing => "Syncing…".to_string(),
            MachineState::UpToDate | MachineState::Pending => match last_success {
                Some(_) => format!("Synced {synced}"),
                None => "Never synced".to_string(),
            },
            MachineState::Offline => format!("Offline (synced {synced})"),
            MachineState::AuthError => "Sign-in problem: new token needed".to_string(),
            MachineState::QuotaBlocked => "Turso quota reached".to_string(),
            MachineState::Paused => format!("Sync paused (synced {synced})"),
            MachineState::Error => format!("Sync error (synced {synced})"),
        };
        format!("{state} - {pending} pending")
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn ago_reads_naturally() {
        let now = crate::time::now();
        assert_eq!(ago(now, now), "just now");
        assert_eq!(ago(now, now - Duration::seconds(130)), "2 min ago");
        assert_eq!(ago(now, now - Duration::hours(3)), "3 h ago");
        assert_eq!(ago(now, now - Duration::days(1)), "1 day ago");
        assert_eq!(ago(now, now - Duration::days(4)), "4 days ago");
        // A clock behind the other machine's never says "in the future".
        assert_eq!(ago(now, now + Duration::seconds(5)), "just now");
    }

    #[test]
    fn lines() {
        let now = crate::time::now();
        let two = Some(now - Duration::minutes(2));
        let line = |s: MachineState, p, t| s.line(p, t, now);
        assert_eq!(
            line(MachineState::UpToDate, 0, two),
            "Synced 2 min ago - 0 pending"
        );
        assert_eq!(
            line(MachineState::Offline, 3, two),
            "Offline (synced 2 min ago) - 3 pending"
        );
        assert_eq!(
            line(MachineState::Pending, 1, None),
            "Never synced - 1 pending"
        );
        assert_eq!(
            line(MachineState::Local, 0, None),
            "Local only (no cloud connected)"
        );
    }

    #[test]
    fn a_record_reads_as_the_engine_would_say_it() {
        use MachineState as S;
        let r = MachineState::of_record;
        assert_eq!(r(Mode::Local, Some(Problem::Auth), 3), S::Local);
        assert_eq!(r(Mode::LocalFallback, None, 0), S::NotConnected);
        assert_eq!(r(Mode::Replica, Some(Problem::Auth), 0), S::AuthError);
        assert_eq!(r(Mode::Replica, Some(Problem::Offline), 2), S::Offline);
        assert_eq!(r(Mode::Replica, Some(Problem::Quota), 0), S::QuotaBlocked);
        assert_eq!(r(Mode::Replica, Some(Problem::Server), 0), S::Error);
        assert_eq!(r(Mode::Replica, None, 2), S::Pending);
        assert_eq!(r(Mode::Replica, None, 0), S::UpToDate);
        assert_eq!(S::Pending.label(2), "2 changes pending");
        // Every state has words of its own.
        let labels: std::collections::HashSet<String> =
            MachineState::ALL.iter().map(|s| s.label(1)).collect();
        assert_eq!(labels.len(), MachineState::ALL.len());
    }
}
