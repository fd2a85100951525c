//! `shark init`: sets Shark up on this machine (Go Shark's first step):
//! the data folder, a settings file, this device's id, and the database with
//! its schema. Idempotent: run again, it changes nothing and says so.

use serde::Serialize;
use shark_core::config::Config;
use shark_core::store::Store;

use crate::render::Out;

#[derive(Serialize)]
struct Initialized {
    /// "initialized" when something was created now, else "already_initialized".
    status: &'static str,
    database: String,
    config_file: String,
    data_dir: String,
    device: String,
    schema_version: i64,
    created: Vec<String>,
}

/// Runs against the open store (so the database and schema exist by now);
/// writes the settings file when there is none.
pub async fn run(store: &Store, out: &Out) -> anyhow::Result<()> {
    let paths = store.home();
    let mut created = Vec::new();
    let config_file = paths.config_file();
    if !config_file.exists() {
        Config::load(paths)?.save(paths)?;
        created.push(config_file.display().to_string());
    }
    let report = Initialized {
        status: if created.is_empty() {
            "already_initialized"
        } else {
            "initialized"
        },
        database: store.path().display().to_string(),
        config_file: config_file.display().to_string(),
        data_dir: paths.data_dir.display().to_string(),
        device: store.device().name.clone(),
        schema_version: shark_core::store::latest_version(),
        created,
    };
    if out.json {
        return out.json(&report);
    }
    out.lines(&[
        if report.created.is_empty() {
            "Shark is set up on this machine (nothing to do).".to_string()
        } else {
            "Shark is set up on this machine.".to_string()
        },
        format!("Database:  {}", report.database),
        format!("Settings:  {}", report.config_file),
        format!("Device:    {}", report.device),
        String::new(),
        "Next: shark epic create \"Title\" (or shark import shark-tasks.db to bring in a Go Shark project)".into(),
    ])
}
