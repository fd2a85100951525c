//! The app's log: a daily-rotated `sync.log` in the platform log folder
//! (0700, so only the user reads it), a week kept. Library code only emits
//! `tracing` events; tokens never reach them (the core has no way to print one).
//! The appender creates its daily files with the default mode, so they are
//! made 0600 at start and on every tick (`restrict`): `shark doctor` checks.

use shark_core::paths::{SharkPaths, create_private_dir};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::EnvFilter;

/// Installs the subscriber; keep the guard alive until exit (it flushes).
pub fn init(paths: &SharkPaths) -> Option<WorkerGuard> {
    let filter = EnvFilter::try_from_env("SHARK_LOG").unwrap_or_else(|_| {
        EnvFilter::new("info,tao=warn,wry=warn,tauri=warn,turso_sync_engine=warn,turso_core=warn")
    });
    let appender = create_private_dir(&paths.log_dir).ok().and_then(|()| {
        Builder::new()
            .rotation(Rotation::DAILY)
            .filename_prefix("sync")
            .filename_suffix("log")
            .max_log_files(7)
            .build(&paths.log_dir)
            .ok()
    });
    match appender {
        Some(a) => {
            restrict(paths);
            let (writer, guard) = tracing_appender::non_blocking(a);
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(writer)
                .with_ansi(false)
                .try_init();
            Some(guard)
        }
        None => {
            // No writable log folder: log to stderr rather than not at all.
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .try_init();
            None
        }
    }
}

/// Makes every log file readable only by the user.
pub fn restrict(paths: &SharkPaths) {
    let Ok(entries) = std::fs::read_dir(&paths.log_dir) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_type().is_ok_and(|t| t.is_file())
            && let Err(err) = shark_core::paths::make_private(&e.path())
        {
            tracing::debug!("cannot restrict a log file: {err}");
        }
    }
}
