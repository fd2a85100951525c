//! The system tray: an icon per sync state, and a menu whose first, disabled
//! line is the status text (Linux trays show no tooltip). Clicking the icon
//! syncs now where the platform reports clicks (Windows, macOS); on Linux the
//! AppIndicator opens the menu, whose first action is Sync now.

use std::sync::{Arc, Mutex};

use tauri::image::Image;
use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Emitter, Manager, Wry};

use crate::icons;
use crate::session::Session;
use crate::status::{AppStatus, TrayState, tray_line, tray_state};

/// The tray and the menu items it updates.
pub struct Tray {
    icon: TrayIcon,
    status: MenuItem<Wry>,
    pause: MenuItem<Wry>,
    /// What is shown now: state, status line, paused, connected.
    shown: Mutex<Option<(TrayState, String, bool, bool)>>,
}

impl std::fmt::Debug for Tray {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tray").finish_non_exhaustive()
    }
}

fn image(state: TrayState) -> Image<'static> {
    Image::new_owned(icons::rgba(state), icons::SIZE, icons::SIZE)
}

/// Builds the tray (a tray host is not required: without one the icon is
/// still exported on D-Bus, and the app keeps working).
pub fn build(app: &AppHandle) -> tauri::Result<Tray> {
    let status = MenuItem::with_id(app, "status", "Opening…", false, None::<&str>)?;
    let sync = MenuItem::with_id(app, "sync", "Sync now", true, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", "Open Shark", true, None::<&str>)?;
    let pause = MenuItem::with_id(app, "pause", "Pause sync", false, None::<&str>)?;
    let usage = MenuItem::with_id(app, "usage", "Usage...", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &status,
            &PredefinedMenuItem::separator(app)?,
            &sync,
            &open,
            &pause,
            &usage,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let icon = TrayIconBuilder::with_id("shark")
        .icon(image(TrayState::Local))
        .tooltip("Shark")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(on_menu)
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                sync_now(tray.app_handle());
            }
        })
        .build(app)?;
    Ok(Tray {
        icon,
        status,
        pause,
        shown: Mutex::new(None),
    })
}

impl Tray {
    /// Shows a status: icon, first line, Pause/Resume. Only what changed is set.
    pub fn show(&self, s: &AppStatus) {
        let state = tray_state(s);
        let line = tray_line(s);
        let synced = s.mode == Some(shark_core::cloud::Mode::Replica);
        let next = (state, line.clone(), s.paused, synced);
        let Ok(mut shown) = self.shown.lock() else {
            return;
        };
        let before = shown.replace(next.clone());
        let result = (|| -> tauri::Result<()> {
            if before.as_ref().map(|b| b.0) != Some(state) {
                self.icon.set_icon(Some(image(state)))?;
            }
            if before.as_ref().map(|b| &b.1) != Some(&next.1) {
                self.status.set_text(&line)?;
                self.icon.set_tooltip(Some(format!("Shark: {line}")))?;
            }
            self.pause.set_text(if s.paused {
                "Resume sync"
            } else {
                "Pause sync"
            })?;
            self.pause.set_enabled(synced)?;
            Ok(())
        })();
        if let Err(e) = result {
            tracing::warn!("cannot update the tray: {e}");
        }
    }
}

/// Shows and focuses the main window.
pub fn show_window(app: &AppHandle) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

fn sync_now(app: &AppHandle) {
    let session = app.state::<Arc<Session>>().inner().clone();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = crate::commands::sync_session(&session).await {
            tracing::info!("sync from the tray failed: {e}");
            let _ = app.emit("sync-error", e);
        }
    });
}

fn on_menu(app: &AppHandle, event: MenuEvent) {
    match event.id.as_ref() {
        "sync" => sync_now(app),
        "open" => show_window(app),
        "usage" => {
            show_window(app);
            let _ = app.emit("navigate", "usage");
        }
        "pause" => {
            let session = app.state::<Arc<Session>>().inner().clone();
            tauri::async_runtime::spawn(async move {
                let paused = session.status().await.paused;
                if let Err(e) = crate::commands::set_paused_session(&session, !paused).await {
                    tracing::warn!("cannot pause or resume sync: {e}");
                }
            });
        }
        "quit" => app.exit(0),
        _ => {}
    }
}
