//! The `shark-app` binary: starts the desktop app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    shark_app::run();
}
