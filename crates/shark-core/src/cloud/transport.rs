//! Where the token may travel. `libsql://`, `turso://` and `https://` use TLS
//! (rustls with the system's roots, inside the sync engine); `http://` sends
//! the token in clear text, so it is accepted only to this machine (a local
//! sync server) unless the user allows it explicitly. Redirects are never
//! followed (the engine's HTTP client does not), so the token only ever goes
//! to the configured host; a redirect answer is reported as such.

use serde::Serialize;

use crate::error::{Error, Result};

/// How a database URL is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    /// TLS.
    Tls,
    /// Clear text to this machine only.
    LoopbackHttp,
    /// Clear text to another machine, allowed with `--allow-insecure-http`.
    InsecureHttp,
}

/// The authority of a URL (`host`, `host:port`, `[::1]:port`), without
/// any user part, if it has one.
pub fn authority_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    authority.rsplit('@').next()
}

/// The host part of a URL (no brackets around IPv6), if it has one.
pub fn host_of(url: &str) -> Option<&str> {
    let authority = authority_of(url)?;
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        authority.split(':').next()?
    };
    (!host.is_empty()).then_some(host)
}

/// Whether `host` names this machine: `localhost`, 127.0.0.0/8 or ::1.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// Checks a remote database URL against the transport rule.
pub fn check(url: &str, allow_insecure_http: bool) -> Result<Transport> {
    let lower = url.trim().to_ascii_lowercase();
    if !lower.starts_with("http://") {
        return Ok(Transport::Tls);
    }
    let host = host_of(url.trim()).unwrap_or_default();
    if is_loopback_host(host) {
        Ok(Transport::LoopbackHttp)
    } else if allow_insecure_http {
        Ok(Transport::InsecureHttp)
    } else {
        Err(Error::invalid(format!(
            "the database URL '{}' uses http:// to another machine ({host}): the token would travel in clear text. \
             Use https:// (or libsql://), or if you really mean it, shark cloud init --url URL --allow-insecure-http",
            super::url::redact(url)
        )))
    }
}

/// The warning shown in status and doctor while clear text is allowed.
pub fn insecure_warning(url: &str) -> String {
    format!(
        "{} uses http:// to another machine: the token and your tasks travel in clear text (allowed by allow_insecure_http); switch to https:// when you can",
        super::url::redact(url)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_loopback() {
        assert_eq!(host_of("http://127.0.0.1:8080/x"), Some("127.0.0.1"));
        assert_eq!(host_of("http://[::1]:8080"), Some("::1"));
        assert_eq!(host_of("https://db.turso.io"), Some("db.turso.io"));
        assert_eq!(host_of("http://"), None);
        for h in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.9.9.9",
            "::1",
            "[::1]",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in [
            "10.0.0.1",
            "192.168.1.2",
            "example.com",
            "127.0.0.1.nip.io",
            "localhost.evil",
            "::2",
        ] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn http_goes_only_to_this_machine_unless_allowed() {
        assert_eq!(
            check("libsql://db.turso.io", false).ok(),
            Some(Transport::Tls)
        );
        assert_eq!(check("https://10.0.0.1", false).ok(), Some(Transport::Tls));
        assert_eq!(
            check("http://127.0.0.1:9000", false).ok(),
            Some(Transport::LoopbackHttp)
        );
        assert_eq!(
            check("HTTP://localhost:9000", false).ok(),
            Some(Transport::LoopbackHttp)
        );
        let err = check("http://10.0.0.5:8080?x=secret", false)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("clear text") && err.contains("--allow-insecure-http"),
            "{err}"
        );
        assert!(!err.contains("secret"), "the URL is redacted: {err}");
        assert_eq!(
            check("http://10.0.0.5:8080", true).ok(),
            Some(Transport::InsecureHttp)
        );
        assert!(check("http://127.0.0.1.evil.example", false).is_err());
    }
}
