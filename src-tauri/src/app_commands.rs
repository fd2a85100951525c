//! Commands about the app itself rather than the tasks: version and where
//! things are, start at login, and the update check.

use std::sync::Arc;

use serde::Serialize;
use shark_core::cloud::load_token;
use tauri::{AppHandle, State};
use tauri_plugin_autostart::ManagerExt;
use tauri_plugin_updater::UpdaterExt;

use crate::error::{IpcError, IpcResult};
use crate::session::Session;

/// The About / Diagnostics facts.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub log_dir: String,
    /// Where the database token is kept, if there is one.
    pub token_stored_in: Option<String>,
    pub start_at_login: bool,
}

#[tauri::command]
pub async fn app_info(app: AppHandle, session: State<'_, Arc<Session>>) -> IpcResult<AppInfo> {
    let paths = &session.paths;
    let token_stored_in = load_token(paths)
        .ok()
        .flatten()
        .map(|(_, source)| source.to_string());
    Ok(AppInfo {
        version: app.package_info().version.to_string(),
        data_dir: paths.data_dir.display().to_string(),
        log_dir: paths.log_dir.display().to_string(),
        token_stored_in,
        start_at_login: app.autolaunch().is_enabled().unwrap_or(false),
    })
}

#[tauri::command]
pub async fn set_start_at_login(app: AppHandle, enabled: bool) -> IpcResult<bool> {
    let launcher = app.autolaunch();
    let result = if enabled {
        launcher.enable()
    } else {
        launcher.disable()
    };
    result.map_err(|e| {
        tracing::warn!("start at login: {e}");
        IpcError::new(
            "autostart",
            "Could not change the start-at-login setting on this system.",
        )
    })?;
    Ok(launcher.is_enabled().unwrap_or(enabled))
}

/// The result of "Check for updates"; a failure is reported quietly.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct UpdateCheck {
    pub available: bool,
    pub version: Option<String>,
    pub current: String,
    /// Set when the check could not be made (offline, no release server).
    pub problem: Option<String>,
}

/// What "Check for updates" says in a build made without a signing key.
pub const NOT_CONFIGURED: &str = "Updates are not configured for this build (it was built without a signing key): install a newer package to update.";

#[tauri::command]
pub async fn check_update(app: AppHandle) -> UpdateCheck {
    let current = app.package_info().version.to_string();
    let checked = match app.updater() {
        Ok(u) => u.check().await,
        Err(e) => Err(e),
    };
    match checked {
        Ok(Some(update)) => UpdateCheck {
            available: true,
            version: Some(update.version.clone()),
            current,
            problem: None,
        },
        Ok(None) => UpdateCheck {
            available: false,
            version: None,
            current,
            problem: None,
        },
        // A build without a signing key has no update endpoint (see
        // scripts/package.sh): that is a fact about the build, not a failure.
        Err(tauri_plugin_updater::Error::EmptyEndpoints) => UpdateCheck {
            available: false,
            version: None,
            current,
            problem: Some(NOT_CONFIGURED.into()),
        },
        Err(e) => {
            tracing::info!("update check failed: {e}");
            UpdateCheck {
                available: false,
                version: None,
                current,
                problem: Some(
                    "Could not check for updates (offline, or the release server did not answer)."
                        .into(),
                ),
            }
        }
    }
}

/// A full path from the Settings form (the app has no meaningful working folder).
fn full_path(path: &str) -> IpcResult<std::path::PathBuf> {
    let p = std::path::PathBuf::from(path.trim());
    if p.as_os_str().is_empty() || p.is_relative() {
        return Err(IpcError::invalid(
            "give the file's full path (for example /home/you/shark-tasks.db)",
        ));
    }
    Ok(p)
}

/// Imports a Go Shark database, or a Shark SQLite export (read-only).
#[tauri::command]
pub async fn import_database(
    session: State<'_, Arc<Session>>,
    path: String,
) -> IpcResult<shark_core::import::ImportSummary> {
    let path = full_path(&path)?;
    let live = session.live().await?;
    Ok(shark_core::import::import_file(&live.store, &path).await?)
}

/// "Replace the file" replaces only an earlier export: a page in the web
/// view must not be able to overwrite any file the user can write.
async fn may_replace(path: &std::path::Path, force: bool) -> IpcResult<()> {
    if force && path.exists() && !shark_core::export::written_by_shark(path).await {
        return Err(IpcError::invalid(format!(
            "{} exists and is not a file Shark exported, so the app will not replace it; choose a new name (shark export --force in a terminal replaces any file)",
            path.display()
        )));
    }
    Ok(())
}

/// Where the window may export: a file named for what it is (`.json` for
/// JSON; `.sqlite`, `.sqlite3` or `.db` for SQLite) in no hidden folder,
/// so a page in the web view cannot create a shell's start file, an SSH
/// key list or any other dotfile with data of its choosing.
fn export_target(path: &std::path::Path, format: &str) -> IpcResult<()> {
    let hidden = path.components().any(|c| match c {
        std::path::Component::Normal(n) => n.to_string_lossy().starts_with('.'),
        _ => false,
    });
    if hidden {
        return Err(IpcError::invalid(format!(
            "{} is (or is in) a hidden file or folder; the app exports only to visible places (shark export in a terminal writes anywhere)",
            path.display()
        )));
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let fits = match format {
        "json" => ext == "json",
        "sqlite" => matches!(ext.as_str(), "sqlite" | "sqlite3" | "db"),
        _ => true,
    };
    if !fits {
        let wanted = if format == "json" {
            ".json"
        } else {
            ".sqlite or .db"
        };
        return Err(IpcError::invalid(format!(
            "name the {format} export with {wanted} at the end (for example {}{wanted})",
            path.with_extension("").display(),
            wanted = wanted.split(' ').next().unwrap_or(wanted)
        )));
    }
    Ok(())
}

/// Exports everything as SQLite or JSON.
#[tauri::command]
pub async fn export_data(
    session: State<'_, Arc<Session>>,
    format: String,
    path: String,
    force: bool,
) -> IpcResult<shark_core::export::ExportSummary> {
    let path = full_path(&path)?;
    export_target(&path, &format)?;
    may_replace(&path, force).await?;
    let live = session.live().await?;
    let store = &live.store;
    Ok(match format.as_str() {
        "json" => shark_core::export::to_json(store, &path, force).await?,
        "sqlite" => shark_core::export::to_sqlite(store, &path, force).await?,
        other => {
            return Err(IpcError::invalid(format!(
                "unknown export format '{other}': use sqlite or json"
            )));
        }
    })
}

/// The Diagnostics panel: `shark doctor`'s checks on the app's own database
/// (or on why it could not be opened).
#[tauri::command]
pub async fn get_diagnostics(
    session: State<'_, Arc<Session>>,
) -> IpcResult<shark_core::doctor::Report> {
    use shark_core::doctor::{Inputs, run};
    let paths = session.paths.clone();
    let config = shark_core::config::Config::load(&paths).map_err(|e| e.to_string());
    let owner = format!("the Shark desktop app (process {})", std::process::id());
    Ok(match session.live().await {
        Ok(live) => {
            run(Inputs {
                paths: &paths,
                config,
                opened: Ok((&live.store, &live.info)),
                owner: Some(owner.clone()),
            })
            .await
        }
        Err(e) => {
            run(Inputs {
                paths: &paths,
                config,
                opened: Err(e.message),
                owner: Some(owner.clone()),
            })
            .await
        }
    })
}

#[cfg(test)]
mod tests {
    use super::may_replace;

    #[tokio::test(flavor = "current_thread")]
    async fn the_window_replaces_only_an_earlier_export() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("notes.txt");
        std::fs::write(&other, "my notes").unwrap();
        let err = may_replace(&other, true).await.unwrap_err();
        assert!(
            err.message.contains("not a file Shark exported"),
            "{}",
            err.message
        );
        assert_eq!(std::fs::read_to_string(&other).unwrap(), "my notes");
        let json = dir.path().join("old.json");
        std::fs::write(
            &json,
            "{\n  \"format\": \"shark-export\",\n  \"version\": 1\n}\n",
        )
        .unwrap();
        assert!(may_replace(&json, true).await.is_ok());
        assert!(
            may_replace(&dir.path().join("new.json"), true)
                .await
                .is_ok()
        );
        // Without force nothing is replaced anyway (the export itself refuses).
        assert!(may_replace(&other, false).await.is_ok());
    }
}

#[cfg(test)]
mod export_tests {
    use super::export_target;
    use std::path::Path;

    #[test]
    fn the_window_exports_only_to_visible_files_named_for_their_format() {
        assert!(export_target(Path::new("/home/u/tasks.json"), "json").is_ok());
        assert!(export_target(Path::new("/home/u/backups/tasks.sqlite"), "sqlite").is_ok());
        assert!(export_target(Path::new("/home/u/tasks.DB"), "sqlite").is_ok());
        for (p, f) in [
            ("/home/u/.bash_profile", "json"),
            ("/home/u/.ssh/authorized_keys", "sqlite"),
            ("/home/u/.config/autostart/x.json", "json"),
            ("/home/u/tasks.sqlite", "json"),
            ("/home/u/tasks.json", "sqlite"),
            ("/home/u/tasks", "json"),
        ] {
            assert!(export_target(Path::new(p), f).is_err(), "{p} as {f}");
        }
    }
}
