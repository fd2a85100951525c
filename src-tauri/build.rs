//! Generates the Tauri context and a permission per app command: with an app
//! manifest, no command is reachable from the web view unless the capability
//! (capabilities/main.json) grants it by name.

const COMMANDS: &[&str] = &[
    "get_status",
    "retry_open",
    "list_epics",
    "list_features",
    "list_tasks",
    "tasks_by_ids",
    "get_task",
    "create_epic",
    "create_feature",
    "set_plan_status",
    "create_task",
    "update_task",
    "transition_task",
    "add_note",
    "restore_value",
    "sync_now",
    "set_paused",
    "test_connection",
    "connect_cloud",
    "disconnect_cloud",
    "set_sync_interval",
    "app_info",
    "set_start_at_login",
    "check_update",
    "import_database",
    "export_data",
    "get_diagnostics",
    "get_usage",
    "save_usage_settings",
    "open_dashboard",
];

fn main() {
    // The app embeds the built UI; say how to make it rather than fail obscurely.
    println!("cargo:rerun-if-changed=dist/index.html");
    if !std::path::Path::new("dist/index.html").exists() {
        panic!(
            "dist/index.html is missing: build the UI first with `npm install && npm run ui:build` (scripts/run.sh and scripts/test.sh do)"
        );
    }
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        panic!("tauri build script failed: {e:#}");
    }
}
