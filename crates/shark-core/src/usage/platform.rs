//! A small client for Turso's Platform API (usage and plan), with every
//! failure sorted into a state a person can act on: token refused, names not
//! found, server error, timeout, offline, unreadable answer. Never panics on
//! what a server sends. Shapes: docs/turso.md, "Stats and usage".

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::Request;
use hyper::header::{AUTHORIZATION, HeaderValue};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::{Client, connect::HttpConnector};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::secret::SecretToken;
use crate::time::Timestamp;

/// The Platform API's address.
pub const DEFAULT_API_URL: &str = "https://api.turso.tech";

/// Turso's dashboard, where plans and usage are managed.
pub const DASHBOARD_URL: &str = "https://app.turso.tech/";

/// Longest answer read (usage answers are a few kilobytes).
const MAX_BODY: usize = 1 << 20;

/// Usage figures as Turso reports them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ApiFigures {
    pub rows_read: u64,
    pub rows_written: u64,
    pub storage_bytes: u64,
    pub bytes_synced: u64,
}

/// One successful fetch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiUsage {
    /// The organization's figures for the current period (what quotas count).
    pub organization: ApiFigures,
    /// The database's own figures, when a database name is set.
    pub database: Option<ApiFigures>,
    /// The subscription's plan, when Turso says.
    pub plan: Option<String>,
}

/// Why a fetch gave no figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApiError {
    #[error(
        "no Platform API token: add one in the usage settings (create it with: turso auth api-tokens mint shark)"
    )]
    NoToken,
    #[error(
        "Turso refused the Platform API token (HTTP 401): it is invalid or revoked; create a new one with: turso auth api-tokens mint shark"
    )]
    Unauthorized,
    #[error("Turso does not know {what} (HTTP 404): check the names in the usage settings")]
    NotFound { what: String },
    #[error("the Turso Platform API had an error (HTTP {status}); Shark will try again later")]
    Server { status: u16 },
    #[error("the Turso Platform API did not answer within {secs} s; Shark will try again later")]
    Timeout { secs: u64 },
    #[error("cannot reach the Turso Platform API ({detail}); the local figures still stand")]
    Offline { detail: String },
    #[error("the Turso Platform API sent an answer Shark cannot read: {detail}")]
    Malformed { detail: String },
    #[error("{detail}")]
    Invalid { detail: String },
}

impl ApiError {
    /// A short machine-readable name.
    pub fn kind(&self) -> &'static str {
        match self {
            ApiError::NoToken => "no_token",
            ApiError::Unauthorized => "unauthorized",
            ApiError::NotFound { .. } => "not_found",
            ApiError::Server { .. } => "server",
            ApiError::Timeout { .. } => "timeout",
            ApiError::Offline { .. } => "offline",
            ApiError::Malformed { .. } => "malformed",
            ApiError::Invalid { .. } => "invalid",
        }
    }
}

/// Checks an organization or database name: Turso's names are letters,
/// digits and dashes, which also keeps them safe inside a URL path.
pub fn check_name(what: &str, name: &str) -> crate::Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(crate::Error::invalid(format!(
            "'{name}' is not a Turso {what} name (letters, digits and dashes)"
        )))
    }
}

/// Checks the API's base URL: https, or http only to this machine.
pub fn check_base(url: &str) -> Result<hyper::Uri, ApiError> {
    let bad = |why: &str| ApiError::Invalid {
        detail: format!("the Platform API URL '{url}' {why}"),
    };
    let uri: hyper::Uri = url
        .trim_end_matches('/')
        .parse()
        .map_err(|_| bad("is not a URL"))?;
    let host = uri.host().unwrap_or_default();
    let loopback = matches!(host, "127.0.0.1" | "localhost" | "[::1]" | "::1");
    match uri.scheme_str() {
        Some("https") => Ok(uri),
        Some("http") if loopback => Ok(uri),
        Some("http") => Err(bad("uses http to another machine; use https")),
        _ => Err(bad("must start with https://")),
    }
}

/// Fetches the organization's usage, the database's (when named) and the plan.
/// The whole fetch is bounded by `timeout`.
#[tracing::instrument(skip_all)]
pub async fn fetch(
    base: &str,
    organization: &str,
    database: Option<&str>,
    token: &SecretToken,
    timeout: Duration,
    now: Timestamp,
) -> Result<ApiUsage, ApiError> {
    check_base(base)?;
    for (what, name) in [("organization", Some(organization)), ("database", database)] {
        if let Some(n) = name {
            check_name(what, n).map_err(|e| ApiError::Invalid {
                detail: e.to_string(),
            })?;
        }
    }
    let base = base.trim_end_matches('/').to_string();
    let work = async {
        let client = client();
        let org_path = format!("{base}/v1/organizations/{organization}");
        let org = get(&client, &format!("{org_path}/usage"), token, || {
            format!("the organization '{organization}'")
        })
        .await?;
        let organization_figures = figures(&org, "organization")?;
        let database_figures = match database {
            Some(db) => {
                let (from, _) = super::period::period(now);
                let url = format!(
                    "{org_path}/databases/{db}/usage?from={}&to={}",
                    from.format("%Y-%m-%dT%H:%M:%SZ"),
                    now.format("%Y-%m-%dT%H:%M:%SZ")
                );
                let v = get(&client, &url, token, || {
                    format!("the database '{db}' in '{organization}'")
                })
                .await?;
                Some(figures(&v, "database")?)
            }
            None => None,
        };
        // The plan is a nicety: a failure here keeps the figures.
        let plan = match get(&client, &format!("{org_path}/subscription"), token, || {
            "the subscription".into()
        })
        .await
        {
            Ok(v) => plan_of(&v),
            Err(e) => {
                tracing::info!("no plan from Turso: {e}");
                None
            }
        };
        Ok(ApiUsage {
            organization: organization_figures,
            database: database_figures,
            plan,
        })
    };
    tokio::time::timeout(timeout, work)
        .await
        .unwrap_or(Err(ApiError::Timeout {
            secs: timeout.as_secs().max(1),
        }))
}

/// An HTTP(S) client on the sync engine's own stack (rustls, system roots).
/// It never follows redirects.
pub(crate) fn client<B>() -> Client<HttpsConnector<HttpConnector>, B>
where
    B: hyper::body::Body + Send + 'static + Unpin,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    crate::tls::client_on(HttpConnector::new())
}

async fn get(
    client: &Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
    url: &str,
    token: &SecretToken,
    what: impl Fn() -> String,
) -> Result<Value, ApiError> {
    let auth = HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
        ApiError::Invalid {
            detail: "the Platform API token holds characters a token cannot have".into(),
        }
    })?;
    let request = Request::get(url)
        .header(AUTHORIZATION, auth)
        .header("accept", "application/json")
        .body(Empty::<Bytes>::new())
        .map_err(|e| ApiError::Invalid {
            detail: format!("cannot make a request for {url}: {e}"),
        })?;
    let response = client
        .request(request)
        .await
        .map_err(|e| ApiError::Offline {
            detail: offline_detail(&e),
        })?;
    let status = response.status().as_u16();
    let body = Limited::new(response.into_body(), MAX_BODY)
        .collect()
        .await
        .map_err(|e| ApiError::Malformed {
            detail: format!("the answer could not be read: {e}"),
        })?
        .to_bytes();
    match status {
        200..=299 => serde_json::from_slice(&body).map_err(|e| ApiError::Malformed {
            detail: format!("not JSON ({e})"),
        }),
        401 | 403 => Err(ApiError::Unauthorized),
        404 => Err(ApiError::NotFound { what: what() }),
        s => Err(ApiError::Server { status: s }),
    }
}

pub(crate) fn offline_detail(e: &hyper_util::client::legacy::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text
}

/// Reads `{<key>: {usage|total: {...}}}`: official clients name the
/// aggregate `usage`, the docs `total`; both are accepted.
fn figures(v: &Value, key: &str) -> Result<ApiFigures, ApiError> {
    let outer = v.get(key).ok_or_else(|| ApiError::Malformed {
        detail: format!("no '{key}' object in the answer"),
    })?;
    let agg = outer
        .get("usage")
        .or_else(|| outer.get("total"))
        .ok_or_else(|| ApiError::Malformed {
            detail: format!("no '{key}.usage' or '{key}.total' in the answer"),
        })?;
    let n = |k: &str| -> Result<u64, ApiError> {
        match agg.get(k) {
            None | Some(Value::Null) => Ok(0),
            Some(x) => x.as_u64().ok_or_else(|| ApiError::Malformed {
                detail: format!("'{key}.{k}' is not a whole number: {x}"),
            }),
        }
    };
    let f = ApiFigures {
        rows_read: n("rows_read")?,
        rows_written: n("rows_written")?,
        storage_bytes: n("storage_bytes")?,
        bytes_synced: n("bytes_synced")?,
    };
    if ["rows_read", "rows_written", "storage_bytes", "bytes_synced"]
        .iter()
        .all(|k| agg.get(k).is_none())
    {
        return Err(ApiError::Malformed {
            detail: format!("'{key}' holds none of the usage figures"),
        });
    }
    Ok(f)
}

fn plan_of(v: &Value) -> Option<String> {
    let s = v.get("subscription")?;
    s.get("plan")
        .or_else(|| s.get("name"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_aggregate_spellings_and_bad_shapes() {
        let usage = serde_json::json!({"database": {"usage": {"rows_read": 5, "rows_written": 2}}});
        let total = serde_json::json!({"database": {"total": {"rows_read": 5, "bytes_synced": 7}}});
        assert_eq!(figures(&usage, "database").unwrap().rows_written, 2);
        assert_eq!(figures(&total, "database").unwrap().bytes_synced, 7);
        let wrong = serde_json::json!({"database": {"total": {"rows_read": "many"}}});
        assert_eq!(figures(&wrong, "database").unwrap_err().kind(), "malformed");
        let empty = serde_json::json!({"database": {"total": {}}});
        assert_eq!(figures(&empty, "database").unwrap_err().kind(), "malformed");
        assert_eq!(
            figures(&serde_json::json!([1]), "database")
                .unwrap_err()
                .kind(),
            "malformed"
        );
    }

    #[test]
    fn base_urls_and_names() {
        assert!(check_base("https://api.turso.tech").is_ok());
        assert!(check_base("http://127.0.0.1:9/").is_ok());
        assert!(check_base("http://api.turso.tech").is_err());
        assert!(check_base("ftp://x").is_err());
        assert!(check_name("organization", "my-org").is_ok());
        assert!(check_name("organization", "a/../b").is_err());
        assert!(check_name("database", "").is_err());
    }
}
