//! The database URL: taken from, in order, the saved setting, `SHARK_DB_URL`,
//! `TURSO_DATABASE_URL`, `DATABASE_URL`; `libsql://`, `turso://`, `https://`
//! and `http://` mean a synced Turso replica; nothing, a path, `file:` or
//! `sqlite:` mean local only; anything else is refused. URLs shown to people
//! are redacted (no query string, no user info).

use std::path::PathBuf;

use serde::Serialize;

use crate::error::{Error, Result};

/// Environment variables consulted, in order, after the saved setting.
pub const URL_ENV_VARS: [&str; 3] = ["SHARK_DB_URL", "TURSO_DATABASE_URL", "DATABASE_URL"];

/// What a URL points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    /// Local only: the default file, or the file a path names.
    Local(Option<PathBuf>),
    /// A Turso database to replicate (the URL as the sync engine takes it).
    Remote(String),
}

/// Where the URL came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UrlSource {
    /// `shark cloud init --url` or the app's settings.
    Setting,
    /// An environment variable (named).
    Env(&'static str),
    /// Nothing configured.
    Default,
}

impl std::fmt::Display for UrlSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UrlSource::Setting => f.write_str("saved setting (shark cloud init)"),
            UrlSource::Env(v) => write!(f, "environment variable {v}"),
            UrlSource::Default => f.write_str("default (local only)"),
        }
    }
}

/// A URL with its meaning and origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedUrl {
    pub target: DbTarget,
    pub source: UrlSource,
    /// Generic variables passed over because their value is not a Turso
    /// URL (said under `-v` and by `shark doctor`), e.g. a Prisma
    /// `DATABASE_URL=file:./dev.db`.
    pub ignored: Vec<String>,
}

/// Whether `var`'s `value` is for Shark. `DATABASE_URL` is every
/// framework's variable: only a Turso URL there (`libsql://`, `turso://`)
/// can be meant for Shark; anything else belongs to another program.
fn meant_for_shark(var: &str, value: &str) -> bool {
    if var != "DATABASE_URL" {
        return true;
    }
    let lower = value.trim().to_ascii_lowercase();
    lower.starts_with("libsql://") || lower.starts_with("turso://")
}

const ACCEPTED: &str = "libsql://NAME.turso.io, turso://..., https://..., http://127.0.0.1:PORT (a local sync server), \
or for local only: nothing, a file path, file:PATH or sqlite:PATH";

/// The HTTP(S) address the sync engine talks to for `url`, as the engine
/// itself derives it: `libsql://` and `turso://` as `https://`, the scheme in
/// lower case, no trailing slash (a path prefix is kept). The sync relay
/// forwards there, and the doctor's ping asks there.
pub fn http_base(url: &str) -> String {
    let trimmed = url.trim().trim_end_matches('/');
    let Some((scheme, rest)) = trimmed.split_once("://") else {
        return trimmed.to_string();
    };
    match scheme.to_ascii_lowercase().as_str() {
        "libsql" | "turso" => format!("https://{rest}"),
        lower => format!("{lower}://{rest}"),
    }
}

/// Classifies one URL.
pub fn parse(raw: &str) -> Result<DbTarget> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(DbTarget::Local(None));
    }
    let lower = s.to_ascii_lowercase();
    for scheme in ["libsql://", "turso://", "https://", "http://"] {
        if lower.starts_with(scheme) {
            let rest = &s[scheme.len()..];
            let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
            let host = authority.rsplit('@').next().unwrap_or("");
            if authority.contains('@') {
                return Err(Error::invalid(format!(
                    "the database URL '{}' carries credentials (user@ or user:password@); Shark keeps secrets out of URLs and settings. \
                     Give the URL without them and store the token with shark cloud login",
                    redact(s)
                )));
            }
            if host.is_empty() {
                return Err(Error::invalid(format!(
                    "the database URL '{}' has no host; use {ACCEPTED}",
                    redact(s)
                )));
            }
            let query = s
                .split_once('?')
                .map_or("", |(_, q)| q)
                .to_ascii_lowercase();
            if query
                .split('&')
                .any(|kv| kv.contains("token") || kv.starts_with("jwt"))
            {
                return Err(Error::invalid(format!(
                    "the database URL '{}' carries a token; Shark keeps tokens out of URLs and settings. \
                     Give the URL without it and store the token with shark cloud login",
                    redact(s)
                )));
            }
            return Ok(DbTarget::Remote(s.to_string()));
        }
    }
    for scheme in ["sqlite://", "sqlite:", "file://", "file:"] {
        if lower.starts_with(scheme) {
            let path = &s[scheme.len()..];
            return Ok(DbTarget::Local(
                (!path.is_empty()).then(|| PathBuf::from(path)),
            ));
        }
    }
    if lower.contains("://") || lower.starts_with("postgres") || lower.starts_with("mysql") {
        return Err(Error::invalid(format!(
            "'{}' is not a database URL Shark understands; use {ACCEPTED}",
            redact(s)
        )));
    }
    Ok(DbTarget::Local(Some(PathBuf::from(s))))
}

/// Picks the URL from the saved setting, then the environment variables.
pub fn resolve_url(setting: Option<&str>) -> Result<ResolvedUrl> {
    resolve_with(setting, |v| std::env::var(v).ok())
}

/// Which database a process with this setting and environment uses, as one
/// comparable line (a path made absolute, a URL redacted): two processes
/// sharing a Shark home compare it before one runs the other's command.
pub fn database_identity(
    paths: &crate::paths::SharkPaths,
    setting: Option<&str>,
) -> Result<String> {
    Ok(match resolve_url(setting)?.target {
        DbTarget::Local(None) => format!("local {}", paths.database_file().display()),
        DbTarget::Local(Some(p)) => {
            format!("file {}", std::path::absolute(&p).unwrap_or(p).display())
        }
        DbTarget::Remote(url) => format!("turso {}", redact(&url)),
    })
}

/// [`resolve_url`] with the environment given (for tests).
pub fn resolve_with(
    setting: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<ResolvedUrl> {
    if let Some(s) = setting.filter(|s| !s.trim().is_empty()) {
        return Ok(ResolvedUrl {
            target: parse(s)?,
            source: UrlSource::Setting,
            ignored: Vec::new(),
        });
    }
    let mut ignored = Vec::new();
    for var in URL_ENV_VARS {
        if let Some(v) = env(var).filter(|v| !v.trim().is_empty()) {
            if !meant_for_shark(var, &v) {
                let scheme = v.split(':').next().unwrap_or_default();
                tracing::info!(
                    var,
                    scheme,
                    "ignored: not a Turso URL, so another program's"
                );
                ignored.push(format!(
                    "{var} ({scheme}:...) ignored: not a Turso URL (libsql:// or turso://), so another program's"
                ));
                continue;
            }
            let target = parse(&v).map_err(|e| Error::invalid(format!("{var}: {e}")))?;
            return Ok(ResolvedUrl {
                target,
                source: UrlSource::Env(var),
                ignored,
            });
        }
    }
    Ok(ResolvedUrl {
        target: DbTarget::Local(None),
        source: UrlSource::Default,
        ignored,
    })
}

/// A URL safe to show: no query string, fragment or user info.
pub fn redact(url: &str) -> String {
    let cut = url.find(['?', '#']).map_or(url, |i| &url[..i]);
    let redacted_query = cut.len() < url.len();
    let out = match cut.find("://") {
        Some(i) => {
            let (scheme, rest) = cut.split_at(i + 3);
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            match authority.rfind('@') {
                Some(at) => format!("{scheme}***@{}{path}", &authority[at + 1..]),
                None => cut.to_string(),
            }
        }
        None => cut.to_string(),
    };
    if redacted_query {
        format!("{out}?***")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_addresses() {
        assert_eq!(
            http_base("libsql://db-org.turso.io"),
            "https://db-org.turso.io"
        );
        assert_eq!(
            http_base("libsql://db-org.turso.io/"),
            "https://db-org.turso.io"
        );
        assert_eq!(http_base("TURSO://x.io/"), "https://x.io");
        assert_eq!(http_base("LIBSQL://db.x"), "https://db.x");
        assert_eq!(http_base("turso://db.x"), "https://db.x");
        assert_eq!(http_base("http://127.0.0.1:9/p"), "http://127.0.0.1:9/p");
        assert_eq!(http_base("HTTP://127.0.0.1:1"), "http://127.0.0.1:1");
    }

    #[test]
    fn remote_schemes() {
        for u in [
            "libsql://db-org.turso.io",
            "turso://x.turso.io",
            "https://x.turso.io/p",
            "HTTP://127.0.0.1:8080",
        ] {
            assert_eq!(parse(u).ok(), Some(DbTarget::Remote(u.to_string())), "{u}");
        }
        assert!(
            parse("libsql://")
                .unwrap_err()
                .to_string()
                .contains("has no host")
        );
    }

    #[test]
    fn a_token_in_the_url_is_refused_without_echoing_it() {
        for u in [
            "libsql://db.turso.io?authToken=eyJsecret",
            "https://h.io/?x=1&auth_token=eyJsecret",
        ] {
            let err = parse(u).unwrap_err().to_string();
            assert!(
                err.contains("carries a token") && err.contains("shark cloud login"),
                "{err}"
            );
            assert!(!err.contains("eyJsecret"), "{err}");
        }
        assert!(parse("https://h.io/db?tls=1").is_ok());
    }

    #[test]
    fn credentials_in_the_url_are_refused_without_echoing_them() {
        for u in [
            "libsql://user:s3cret@db.turso.io",
            "https://eyJs3cret@h.io/db",
        ] {
            let err = parse(u).unwrap_err().to_string();
            assert!(err.contains("carries credentials"), "{err}");
            assert!(!err.contains("s3cret"), "{err}");
        }
    }

    #[test]
    fn local_forms() {
        assert_eq!(parse("").ok(), Some(DbTarget::Local(None)));
        assert_eq!(
            parse("file:/tmp/a.db").ok(),
            Some(DbTarget::Local(Some("/tmp/a.db".into())))
        );
        assert_eq!(
            parse("sqlite:///tmp/a.db").ok(),
            Some(DbTarget::Local(Some("/tmp/a.db".into())))
        );
        assert_eq!(
            parse("./tasks.db").ok(),
            Some(DbTarget::Local(Some("./tasks.db".into())))
        );
    }

    #[test]
    fn other_schemes_are_refused_listing_the_accepted_forms() {
        let err = parse("postgres://u:pw@host/db").unwrap_err().to_string();
        assert!(
            err.contains("not a database URL Shark understands"),
            "{err}"
        );
        assert!(
            err.contains("libsql://") && err.contains("file:PATH"),
            "{err}"
        );
        assert!(!err.contains("pw"), "credentials are redacted: {err}");
        assert!(parse("ftp://x").is_err());
    }

    #[test]
    fn precedence_setting_then_env_in_order() {
        let env = |v: &str| match v {
            "TURSO_DATABASE_URL" => Some("libsql://turso.example".to_string()),
            "DATABASE_URL" => Some("libsql://database.example".to_string()),
            _ => None,
        };
        let r = resolve_with(Some("https://setting.example"), env).unwrap();
        assert_eq!(r.source, UrlSource::Setting);
        let r = resolve_with(None, env).unwrap();
        assert_eq!(r.source, UrlSource::Env("TURSO_DATABASE_URL"));
        assert_eq!(r.target, DbTarget::Remote("libsql://turso.example".into()));
        let r = resolve_with(None, |v| {
            (v == "SHARK_DB_URL").then(|| "libsql://s.example".to_string())
        })
        .unwrap();
        assert_eq!(r.source, UrlSource::Env("SHARK_DB_URL"));
        let r = resolve_with(None, |_| None).unwrap();
        assert_eq!(
            (r.target, r.source),
            (DbTarget::Local(None), UrlSource::Default)
        );
        // DATABASE_URL is every framework's: only a Turso URL there is Shark's.
        for other in [
            "mysql://x",
            "postgres://u@h/db",
            "file:/srv/app.db",
            "./dev.db",
            "https://api.example",
        ] {
            let r =
                resolve_with(None, |v| (v == "DATABASE_URL").then(|| other.to_string())).unwrap();
            assert_eq!(
                (&r.target, &r.source),
                (&DbTarget::Local(None), &UrlSource::Default),
                "{other}"
            );
            assert_eq!(r.ignored.len(), 1, "{other}");
            assert!(
                r.ignored[0].starts_with("DATABASE_URL ("),
                "{:?}",
                r.ignored
            );
        }
        // A bad value in a variable meant for Shark is still an error.
        let err = resolve_with(None, |v| {
            (v == "SHARK_DB_URL").then(|| "mysql://x".to_string())
        })
        .unwrap_err();
        assert!(err.to_string().starts_with("SHARK_DB_URL: "), "{err}");
    }

    #[test]
    fn redaction_drops_query_and_user_info() {
        assert_eq!(
            redact("libsql://db.turso.io?authToken=abc"),
            "libsql://db.turso.io?***"
        );
        assert_eq!(
            redact("https://user:pw@h.io/p?x=1#f"),
            "https://***@h.io/p?***"
        );
        assert_eq!(redact("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }
}
