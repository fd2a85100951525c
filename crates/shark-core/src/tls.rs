//! The process's TLS crypto provider, picked once before the first
//! connection (the sync engine's and the Platform API client's). rustls
//! chooses one by itself only when exactly one is compiled in; the desktop
//! app also links the updater's (`ring`) beside the sync engine's
//! (`aws-lc-rs`), and then every connection would panic.

/// Installs the sync engine's provider (`aws-lc-rs`) once; if another one
/// was installed first, that one is used.
pub(crate) fn ensure_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    });
}
