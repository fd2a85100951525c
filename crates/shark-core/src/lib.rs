//! Shark's core: the task model, keys, the status workflow (tasks' and the
//! status rule of epics and features), the local database and its sync with
//! Turso, usage figures, import and export, the doctor's checks, and the config. Both the `shark` CLI and the desktop app are thin shells over
//! this crate, so it knows nothing of terminals or Tauri and never prints.

pub mod cloud;
pub mod config;
pub mod doctor;
pub mod error;
pub mod export;
pub mod import;
mod inspect;
pub mod keys;
pub mod model;
mod offload;
pub mod paths;
pub mod plan_status;
pub mod secret;
pub mod store;
pub mod stored;
pub mod time;
mod tls;
/// Installs the TLS provider the sync engine needs before a program (or a
/// test) drives the `turso` engine directly (see `tls`).
pub use tls::ensure_provider as ensure_tls_provider;
pub mod usage;
pub mod workflow;

pub use error::{Error, Result};
