//! TLS for every outgoing connection: the process's crypto provider,
//! picked once before the first connection (the sync engine's, the sync
//! relay's and the Platform API client's), and the one HTTPS client
//! builder the relay and the Platform API client share. rustls
//! chooses one by itself only when exactly one is compiled in; the desktop
//! app also links the updater's (`ring`) beside the sync engine's
//! (`aws-lc-rs`), and then every connection would panic.

/// Installs the sync engine's provider (`aws-lc-rs`) once; if another one
/// was installed first, that one is used.
pub fn ensure_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    });
}

/// An HTTP(S) client on the sync engine's own stack (rustls, the system's
/// roots, HTTP/1) over `http` (its timeouts are the caller's). It never
/// follows redirects.
pub(crate) fn client_on<B>(
    mut http: hyper_util::client::legacy::connect::HttpConnector,
) -> hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    B,
>
where
    B: hyper::body::Body + Send + 'static + Unpin,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    use hyper_rustls::HttpsConnector;
    use hyper_util::client::legacy::connect::HttpConnector;
    ensure_provider();
    http.enforce_http(false);
    let https = match HttpsConnector::<HttpConnector>::builder().with_native_roots() {
        Ok(b) => b.https_or_http().enable_http1().wrap_connector(http),
        // No system certificates: https will fail and say so; http to loopback works.
        Err(_) => HttpsConnector::<HttpConnector>::builder()
            .with_tls_config(
                rustls::ClientConfig::builder()
                    .with_root_certificates(rustls::RootCertStore::empty())
                    .with_no_client_auth(),
            )
            .https_or_http()
            .enable_http1()
            .wrap_connector(http),
    };
    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(https)
}
