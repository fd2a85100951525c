//! Runs small file writes (state and usage side files) off the async
//! runtime's threads: a long-lived owner records outcomes while it serves
//! reads, and a slow disk must not stall those.

/// Runs `job` on the runtime's blocking pool when called inside a Tokio
/// runtime (without waiting for it), else right here.
pub(crate) fn write_off_runtime(job: impl FnOnce() + Send + 'static) {
    match tokio::runtime::Handle::try_current() {
        Ok(rt) => {
            rt.spawn_blocking(job);
        }
        Err(_) => job(),
    }
}
