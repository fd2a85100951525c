//! The IPC surface: small `#[tauri::command]` functions over shark-core. Each
//! one is granted by name in the capability (see build.rs and
//! tauri.conf.json); nothing else is reachable from the web view.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use shark_core::cloud::{self, DbTarget, ProbeOutcome};
use shark_core::model::{
    Epic, Feature, HistoryEntry, Level, Note, NoteType, PlanStatus, Task, TaskPriority,
};
use shark_core::secret::SecretToken;
use shark_core::store::{
    NewEpic, NewFeature, NewTask, PlanPatch, TaskFilter, TaskPatch, TransitionRequest,
};
use shark_core::stored::{DamagedRow, Listing};
use shark_core::workflow::{Action, allowed_actions};
use tauri::State;

use crate::error::{IpcError, IpcResult};
use crate::session::Session;
use crate::status::AppStatus;

type S<'a> = State<'a, Arc<Session>>;

/// Who acts in the app: the logged-in user.
fn me() -> shark_core::model::Actor {
    shark_core::config::current_user()
}

fn parse<T: std::str::FromStr<Err = shark_core::Error>>(v: &str) -> IpcResult<T> {
    v.parse::<T>().map_err(IpcError::from)
}

#[tauri::command]
pub async fn get_status(session: S<'_>) -> IpcResult<AppStatus> {
    Ok(session.status().await)
}

/// Reopens the database after a failure to open it.
#[tauri::command]
pub async fn retry_open(session: S<'_>) -> IpcResult<AppStatus> {
    let session = session.inner().clone();
    session.open().await?;
    Ok(session.status().await)
}

#[tauri::command]
pub async fn list_epics(session: S<'_>) -> IpcResult<Listing<Epic>> {
    let listing = session.live().await?.store.list_epics().await?;
    session.note_damaged(0, listing.damaged.len());
    Ok(listing)
}

#[tauri::command]
pub async fn list_features(session: S<'_>) -> IpcResult<Listing<Feature>> {
    let listing = session.live().await?.store.list_features(None).await?;
    session.note_damaged(1, listing.damaged.len());
    Ok(listing)
}

/// Every task, archived ones included; the UI filters in memory. Rows that
/// cannot be read come back beside them (see [`Listing`]).
#[tauri::command]
pub async fn list_tasks(session: S<'_>) -> IpcResult<Listing<Task>> {
    let listing = session
        .live()
        .await?
        .store
        .list_tasks(&TaskFilter::everything())
        .await?;
    session.note_damaged(2, listing.damaged.len());
    Ok(listing)
}

/// The tasks with these ids (those a data-changed event named); ids with
/// no task are left out, so the window drops them.
#[tauri::command]
pub async fn tasks_by_ids(session: S<'_>, ids: Vec<String>) -> IpcResult<Listing<Task>> {
    Ok(session.live().await?.store.tasks_by_ids(&ids).await?)
}

/// A task with what its detail view shows.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct TaskDetail {
    pub task: Task,
    pub notes: Vec<Note>,
    pub history: Vec<HistoryEntry>,
    /// Notes and history rows of this task that cannot be read.
    pub damaged: Vec<DamagedRow>,
    /// Workflow actions allowed from the current status (none from a newer
    /// Shark's status).
    pub actions: Vec<Action>,
    /// This machine's device id (history rows from others are marked).
    pub device_id: String,
}

#[tauri::command]
pub async fn get_task(session: S<'_>, key: String) -> IpcResult<TaskDetail> {
    let live = session.live().await?;
    let task = live.store.get_task(&key).await?;
    let notes = live.store.task_notes(&key, &[]).await?;
    let history = live.store.task_history(&key).await?;
    let actions = allowed_actions(task.status);
    let mut damaged = notes.damaged;
    damaged.extend(history.damaged);
    Ok(TaskDetail {
        task,
        notes: notes.items,
        history: history.items,
        damaged,
        actions,
        device_id: live.device.id.clone(),
    })
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[ts(optional_fields = nullable)]
pub struct EpicInput {
    pub title: String,
    pub description: Option<String>,
    pub priority: Option<String>,
}

#[tauri::command]
pub async fn create_epic(session: S<'_>, input: EpicInput) -> IpcResult<Epic> {
    let priority = input.priority.as_deref().map(parse::<Level>).transpose()?;
    let new = NewEpic {
        title: input.title,
        description: input.description.filter(|d| !d.trim().is_empty()),
        priority,
        business_value: None,
        status: None,
    };
    Ok(session.live().await?.store.create_epic(new).await?)
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[ts(optional_fields = nullable)]
pub struct FeatureInput {
    pub epic: String,
    pub title: String,
    pub description: Option<String>,
}

#[tauri::command]
pub async fn create_feature(session: S<'_>, input: FeatureInput) -> IpcResult<Feature> {
    let new = NewFeature {
        epic: input.epic,
        title: input.title,
        description: input.description.filter(|d| !d.trim().is_empty()),
        execution_order: None,
        status: None,
    };
    Ok(session.live().await?.store.create_feature(new).await?)
}

/// Sets an epic's (`E01`) or a feature's (`E01-F01`) status by hand;
/// `auto` makes it follow its tasks again.
#[tauri::command]
pub async fn set_plan_status(session: S<'_>, key: String, status: String) -> IpcResult<()> {
    let status = if status == "auto" {
        PlanStatus::Draft
    } else {
        parse::<PlanStatus>(&status)?
    };
    let patch = PlanPatch {
        status: Some(status),
        ..PlanPatch::default()
    };
    let live = session.live().await?;
    if key.contains('-') {
        live.store.update_feature(&key, patch).await?;
    } else {
        live.store.update_epic(&key, patch).await?;
    }
    Ok(())
}

#[derive(Debug, Deserialize, ts_rs::TS)]
#[ts(optional_fields = nullable)]
pub struct TaskInput {
    pub feature: String,
    pub title: String,
    pub description: Option<String>,
    pub priority: Option<i64>,
    pub agent_type: Option<String>,
    #[serde(default)]
    pub depends_on: Vec<String>,
}

#[tauri::command]
pub async fn create_task(session: S<'_>, input: TaskInput) -> IpcResult<Task> {
    let priority = input.priority.map(TaskPriority::new).transpose()?;
    let new = NewTask {
        feature: input.feature,
        title: input.title,
        description: input.description.filter(|d| !d.trim().is_empty()),
        priority,
        agent_type: input.agent_type.filter(|a| !a.trim().is_empty()),
        depends_on: input.depends_on,
    };
    Ok(session.live().await?.store.create_task(new, &me()).await?)
}

/// Field edits; absent fields stay as they are, an empty text clears one.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[ts(optional_fields = nullable)]
pub struct PatchInput {
    pub title: Option<String>,
    pub description: Option<String>,
    pub priority: Option<i64>,
    pub agent_type: Option<String>,
    pub assigned_agent: Option<String>,
    pub depends_on: Option<Vec<String>>,
}

#[tauri::command]
pub async fn update_task(session: S<'_>, key: String, patch: PatchInput) -> IpcResult<Task> {
    let patch = TaskPatch {
        title: patch.title,
        description: patch.description,
        priority: patch.priority.map(TaskPriority::new).transpose()?,
        agent_type: patch.agent_type,
        assigned_agent: patch.assigned_agent,
        depends_on: patch.depends_on,
    };
    let outcome = session
        .live()
        .await?
        .store
        .update_task(&key, patch, &me())
        .await?;
    Ok(outcome.task)
}

#[tauri::command]
pub async fn transition_task(
    session: S<'_>,
    key: String,
    action: String,
    reason: Option<String>,
) -> IpcResult<Task> {
    let action = Action::ALL
        .iter()
        .copied()
        .find(|a| a.as_str() == action)
        .ok_or_else(|| IpcError::invalid(format!("unknown action '{action}'")))?;
    let req = TransitionRequest {
        reason: reason.filter(|r| !r.trim().is_empty()),
        ..TransitionRequest::default()
    };
    Ok(session
        .live()
        .await?
        .store
        .transition(&key, action, req, &me())
        .await?)
}

#[tauri::command]
pub async fn add_note(
    session: S<'_>,
    key: String,
    note_type: String,
    content: String,
) -> IpcResult<Note> {
    let note_type = parse::<NoteType>(&note_type)?;
    Ok(session
        .live()
        .await?
        .store
        .add_note(&key, note_type, &content, &me())
        .await?)
}

/// Puts back the value a history row says a field had before the change.
#[tauri::command]
pub async fn restore_value(session: S<'_>, key: String, history_id: String) -> IpcResult<Task> {
    let live = session.live().await?;
    let history = live.store.task_history(&key).await?;
    let entry = history
        .items
        .into_iter()
        .find(|h| h.id == history_id)
        .ok_or_else(|| IpcError::new("not_found", "that history entry no longer exists"))?;
    let old = entry.old_value.clone().unwrap_or_default();
    let mut patch = TaskPatch::default();
    match entry.field.as_str() {
        "title" => patch.title = Some(old),
        "description" => patch.description = Some(old),
        "priority" => patch.priority = Some(parse::<TaskPriority>(&old)?),
        "agent_type" => patch.agent_type = Some(old),
        "assigned_agent" => patch.assigned_agent = Some(old),
        "depends_on" => {
            patch.depends_on = Some(
                old.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
            );
        }
        other => {
            return Err(IpcError::invalid(format!(
                "the {other} change cannot be restored here; use the status actions"
            )));
        }
    }
    Ok(live.store.update_task(&key, patch, &me()).await?.task)
}

/// What a sync run did, for the UI.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct SyncOutcome {
    /// Whether the server had changes for this machine.
    pub pulled: bool,
    /// Change records sent to the server.
    pub sent: i64,
    pub renumbered: Vec<String>,
}

#[tauri::command]
pub async fn sync_now(session: S<'_>) -> IpcResult<SyncOutcome> {
    let session = session.inner().clone();
    sync_session(&session).await
}

/// Sync now for the window and the tray: a replica syncs; a machine that
/// could not connect at start tries to connect again.
pub async fn sync_session(session: &Arc<Session>) -> IpcResult<SyncOutcome> {
    let live = session.live().await?;
    match (&live.engine, live.info.mode) {
        (Some(engine), _) => {
            let report = engine.sync_now().await.map_err(|e| {
                // The chain is for the log; the window phrases the kind.
                tracing::info!("sync failed: {e}");
                IpcError::new(sync_code(e.problem), crate::error::sync_message(e.problem))
            })?;
            Ok(SyncOutcome {
                pulled: report.pulled,
                sent: report.pushed_changes,
                renumbered: report
                    .renumbered
                    .iter()
                    .map(|r| format!("{} is now {}", r.old_key, r.new_key))
                    .collect(),
            })
        }
        (None, cloud::Mode::LocalFallback) => {
            drop(live);
            let live = session.open().await?;
            if live.info.mode == cloud::Mode::Replica {
                Ok(SyncOutcome {
                    pulled: true,
                    sent: 0,
                    renumbered: Vec::new(),
                })
            } else {
                Err(IpcError::new(
                    "offline",
                    "Turso still cannot be reached; your work is saved on this machine and syncs once it connects.",
                ))
            }
        }
        (None, _) => Err(IpcError::new(
            "local",
            "This machine is local only. Connect a Turso database in Settings > Cloud to sync.",
        )),
    }
}

#[tauri::command]
pub async fn set_paused(session: S<'_>, paused: bool) -> IpcResult<AppStatus> {
    let session = session.inner().clone();
    set_paused_session(&session, paused).await
}

/// Pauses or resumes automatic sync and remembers the choice.
pub async fn set_paused_session(session: &Arc<Session>, paused: bool) -> IpcResult<AppStatus> {
    let mut config = shark_core::config::Config::load(&session.paths)?;
    config.cloud.paused = paused.then_some(true);
    config.save(&session.paths)?;
    let live = session.live().await?;
    if let Some(engine) = &live.engine {
        if paused {
            engine.pause();
        } else {
            engine.resume();
        }
    }
    drop(live);
    Ok(session.status().await)
}

/// Timeout of "Test connection".
const PROBE_TIMEOUT: Duration = Duration::from_secs(15);

#[tauri::command]
pub async fn test_connection(
    session: S<'_>,
    url: String,
    token: Option<String>,
) -> IpcResult<ProbeOutcome> {
    let token = token.map(SecretToken::new).filter(|t| !t.is_empty());
    // Clear text to another machine only where the saved settings allow it
    // (shark cloud init --allow-insecure-http); unreadable settings allow nothing.
    let allow_insecure = shark_core::config::Config::load(&session.paths)
        .is_ok_and(|c| c.cloud.allow_insecure_http == Some(true));
    Ok(cloud::test_connection(&url, token.as_ref(), allow_insecure, PROBE_TIMEOUT).await)
}

/// Where the token went, for the settings page.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Connected {
    pub status: AppStatus,
    pub token_stored_in: Option<String>,
    pub keyring_unavailable: Option<String>,
    pub notices: Vec<String>,
}

#[tauri::command]
pub async fn connect_cloud(
    session: S<'_>,
    url: String,
    token: Option<String>,
) -> IpcResult<Connected> {
    let session = session.inner().clone();
    if !matches!(cloud::url::parse(&url)?, DbTarget::Remote(_)) {
        return Err(IpcError::invalid(
            "give a Turso database URL (libsql://NAME-ORG.turso.io); Shark already works locally without one",
        ));
    }
    let (live, stored, why_not) = session.connect(&url, token).await?;
    Ok(Connected {
        status: session.status().await,
        token_stored_in: stored,
        keyring_unavailable: why_not,
        notices: live.notices.clone(),
    })
}

#[tauri::command]
pub async fn disconnect_cloud(session: S<'_>) -> IpcResult<usize> {
    let session = session.inner().clone();
    session.disconnect().await
}

#[tauri::command]
pub async fn set_sync_interval(session: S<'_>, secs: u64) -> IpcResult<AppStatus> {
    // 0: live pulls again (the setting is removed).
    if secs != 0 {
        check_interval(secs)?;
    }
    let session = session.inner().clone();
    session
        .reconfigure(move |c| {
            c.cloud.sync_interval_secs = (secs != 0).then_some(secs);
            Ok(())
        })
        .await?;
    Ok(session.status().await)
}

/// The sync intervals the settings accept: 5 s to 24 h (the most
/// `config.toml` accepts).
fn check_interval(secs: u64) -> IpcResult<()> {
    if (5..=shark_core::config::SYNC_INTERVAL_SECS.1).contains(&secs) {
        Ok(())
    } else {
        Err(IpcError::invalid(
            "the sync interval must be between 5 seconds and 24 hours",
        ))
    }
}

/// The IPC error code of a failed sync: `sync_` and the kind of failure
/// (`sync_offline`, `sync_auth`, ...); `sync` when it is of no known kind.
fn sync_code(p: cloud::Problem) -> &'static str {
    use cloud::Problem::*;
    match p {
        Offline => "sync_offline",
        Auth => "sync_auth",
        Quota => "sync_quota",
        Server => "sync_server",
        Rejected => "sync_rejected",
        Redirect => "sync_redirect",
        Busy => "sync_busy",
        Local => "sync_local",
        Other => "sync",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_interval_bounds() {
        for ok in [5, 30, 86_400] {
            assert!(check_interval(ok).is_ok(), "{ok}");
        }
        for bad in [0, 4, 86_401] {
            let e = check_interval(bad).unwrap_err();
            assert_eq!(e.code, "invalid");
            assert!(e.message.contains("between 5 seconds and 24 hours"));
        }
    }
}
