//! Shark's desktop app: a thin Tauri shell over shark-core. Sets up the
//! session (the database, opened in the background), the tray, the plugins
//! and the CLI hand-off socket, and forwards the core's events to the window.

mod app_commands;
pub mod bindings;
mod commands;
mod config_cache;
pub mod error;
mod forward;
pub mod icons;
mod logging;
pub mod session;
pub mod status;
mod tray;
mod usage;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use shark_core::cloud::Problem;
use shark_core::paths::SharkPaths;
use shark_core::usage::ApiMode;
use tauri::{AppHandle, Emitter, Manager, RunEvent, WindowEvent};
use tauri_plugin_notification::NotificationExt;

use session::{Event, HandoffHost, Session};

/// How often the status line is refreshed ("synced 2 min ago" moves on).
const TICK: Duration = Duration::from_secs(30);
/// How often a machine that could not connect at start tries again.
const RECONNECT: Duration = Duration::from_secs(60);
/// How often Turso's usage figures are asked for (when set up).
const USAGE_FETCH: Duration = Duration::from_secs(300);

/// Problems already notified (once per cause until a success).
#[derive(Debug, Default)]
struct Notified(Mutex<Option<Problem>>);

/// Starts the app; returns when the user quits.
pub fn run() {
    let paths =
        match shark_core::time::test_now().and(SharkPaths::from_env().map_err(|e| e.to_string())) {
            Ok(p) => p,
            Err(e) => {
                #[allow(clippy::print_stderr)]
                {
                    eprintln!("Shark cannot start: {e}");
                }
                std::process::exit(1);
            }
        };
    let _log = logging::init(&paths);
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "Shark app starting");
    let hidden = std::env::args().any(|a| a == "--hidden");
    let app = tauri::Builder::default()
        // First: a second launch focuses this one and exits.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tray::show_window(app);
        }))
        // Size, position and maximized state are remembered; visibility is
        // not (a window closed to the tray must not start hidden next time).
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(
                    tauri_plugin_window_state::StateFlags::all()
                        - tauri_plugin_window_state::StateFlags::VISIBLE,
                )
                .build(),
        )
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec!["--hidden"]),
        ))
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .setup(move |app| {
            setup(app.handle(), paths.clone(), hidden);
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window keeps the app in the tray; Quit exits.
            if let WindowEvent::CloseRequested { api, .. } = event {
                api.prevent_close();
                let _ = window.hide();
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::get_status,
            commands::retry_open,
            commands::list_epics,
            commands::list_features,
            commands::list_tasks,
            commands::tasks_by_ids,
            commands::get_task,
            commands::create_epic,
            commands::create_feature,
            commands::set_plan_status,
            commands::create_task,
            commands::update_task,
            commands::transition_task,
            commands::add_note,
            commands::restore_value,
            commands::sync_now,
            commands::set_paused,
            commands::test_connection,
            commands::connect_cloud,
            commands::disconnect_cloud,
            commands::set_sync_interval,
            app_commands::app_info,
            app_commands::set_start_at_login,
            app_commands::check_update,
            app_commands::import_database,
            app_commands::export_data,
            app_commands::get_diagnostics,
            usage::get_usage,
            usage::save_usage_settings,
            usage::open_dashboard,
        ])
        .build(tauri::generate_context!());
    let app = match app {
        Ok(a) => a,
        Err(e) => {
            tracing::error!("the app could not start: {e}");
            #[allow(clippy::print_stderr)]
            {
                eprintln!("Shark cannot start: {e}");
            }
            std::process::exit(1);
        }
    };
    app.run(|_app, event| {
        if let RunEvent::ExitRequested { api, code, .. } = event
            && code.is_none()
        {
            // The last window closed: stay in the tray.
            api.prevent_exit();
        }
    });
}

fn setup(app: &AppHandle, paths: SharkPaths, hidden: bool) {
    let handle = app.clone();
    let notify: session::Notify = Arc::new(move |event| on_event(&handle, event));
    let session = Session::new(paths, notify);
    app.manage(session.clone());
    app.manage(Notified::default());
    app.manage(usage::RunsSeen::default());
    match tray::build(app) {
        Ok(t) => {
            app.manage(t);
        }
        Err(e) => tracing::warn!("no tray icon: {e}"),
    }
    if hidden && let Some(w) = app.get_webview_window("main") {
        let _ = w.hide();
    }
    let handoff_started = Arc::new(OnceLock::new());
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match session.open().await {
                Ok(live) => {
                    for n in &live.notices {
                        tracing::info!("{n}");
                    }
                    start_handoff(&session, &handoff_started);
                    break;
                }
                Err(e) => {
                    tracing::warn!("cannot open the database: {e}");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
        }
        let mut ticks = 0u64;
        loop {
            tokio::time::sleep(TICK).await;
            ticks += 1;
            logging::restrict(&session.paths);
            // A current handle again: reopen may have replaced the store.
            if ticks.is_multiple_of((RECONNECT.as_secs() / TICK.as_secs()).max(1))
                && session.status().await.phase == shark_core::cloud::MachineState::NotConnected
            {
                let _ = session.open().await;
            }
            let fetch = ticks.is_multiple_of((USAGE_FETCH.as_secs() / TICK.as_secs()).max(1));
            usage::refresh_later(
                &app,
                if fetch {
                    ApiMode::RefreshIfDue
                } else {
                    ApiMode::Cached
                },
            );
            session.emit(Event::Status);
        }
    });
}

/// Listens for `shark` commands handed over by the CLI (once the database is
/// open, so this process holds its lock).
fn start_handoff(session: &Arc<Session>, started: &OnceLock<()>) {
    if started.set(()).is_err() {
        return;
    }
    match shark_cli::handoff::bind(&session.paths) {
        Ok(listener) => {
            let host = Arc::new(HandoffHost(session.clone()));
            tauri::async_runtime::spawn(shark_cli::handoff::serve(listener, host));
            tracing::info!("accepting shark commands from the CLI");
        }
        Err(e) => tracing::error!("the CLI cannot hand commands to the app: {e}"),
    }
}

/// Forwards a session event to the window, the tray and notifications.
fn on_event(app: &AppHandle, event: Event) {
    match event {
        Event::DataChanged(change) => {
            let _ = app.emit("data-changed", change);
        }
        Event::Opened => usage::opened(app),
        Event::Status => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let session = app.state::<Arc<Session>>().inner().clone();
                let status = session.status().await;
                if let Some(tray) = app.try_state::<tray::Tray>() {
                    tray.show(&status);
                }
                let _ = app.emit("sync-status", status);
            });
        }
        Event::Sync(s) => {
            usage::after_sync_status(app, &s);
            let notified = app.state::<Notified>();
            let Ok(mut seen) = notified.0.lock() else {
                return;
            };
            let (now_seen, raise) = status::notification(*seen, &s);
            *seen = now_seen;
            if let Some(problem) = raise {
                let (title, body) = status::notification_text(problem);
                if let Err(e) = app.notification().builder().title(title).body(body).show() {
                    tracing::info!("no desktop notification: {e}");
                }
            }
        }
    }
}
