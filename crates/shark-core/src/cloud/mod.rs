//! Everything between this machine and Turso: where the database URL comes
//! from and what it means (`url`, `transport` for the http rule), the token
//! (`token`, `keyring`, the host a saved token may go to: `token_host`), opening the local database or the synced replica
//! (`connect`), a connection test (`probe`), rebuilding a damaged replica
//! (`rebuild`), deadlines on every request the sync engine sends
//! (`relay`), one sync pass (`pipeline`), when to try again after a failure
//! (`policy`, one rule for every caller), the background
//! engine that schedules passes (`engine`), the sync state and success rate
//! (`state`), what kind of failure an engine error is (`classify`), and
//! what a user is told about it all (`machine`: one state, one wording);
//! `replica` is what the engine needs from a database (a trait, so the
//! engine's loop is tested with a fake one).

pub mod classify;
pub mod connect;
pub mod engine;
mod hold;
pub mod keyring;
pub mod machine;
pub mod pipeline;
pub mod policy;
pub mod probe;
pub mod rebuild;
mod recorder;
pub mod relay;
pub mod replica;
pub mod state;
pub mod token;
pub mod token_host;
pub mod transport;
pub mod url;

#[cfg(test)]
mod engine_tests;

pub use classify::{Problem, Remedy};
pub use connect::{Attempt, ConnectionInfo, Mode, Opened, disconnect, open, open_as_owner};
pub use engine::{EngineConfig, SyncEngine, SyncPhase, SyncStatus};
pub use machine::MachineState;
pub use pipeline::{Attempts, RunError, Step, SyncObserver, SyncReport, Trigger};
pub use policy::Retry;
pub use probe::{ProbeOutcome, test_connection};
pub use recorder::Recorder;
pub use replica::Replica;
pub use state::{SyncState, should_sync};
pub use token::{
    TokenInfo, TokenSource, check_token, load_token, remove_token, store_token, store_token_file,
};
pub use transport::Transport;
pub use url::{DbTarget, ResolvedUrl, UrlSource, redact, resolve_url};
