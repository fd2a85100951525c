//! The sync server's reachability and round-trip time: a few tiny requests
//! (an empty Hrana pipeline, the endpoint the sync engine pushes to: it
//! reads no rows but checks the token), each
//! with the token, no redirect followed, and a time limit.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::Request;
use hyper::header::{AUTHORIZATION, CONNECTION, CONTENT_TYPE, HeaderValue, LOCATION};

use crate::secret::SecretToken;

/// Requests sent; the median is reported.
pub const PINGS: usize = 3;
/// Longest wait for one answer.
pub const PING_TIMEOUT: Duration = Duration::from_secs(5);

/// What the server answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Ping {
    /// Answered every request; the median and all round trips, in ms.
    Reachable { median_ms: f64, all_ms: Vec<f64> },
    /// The token was refused.
    Unauthorized { status: u16 },
    /// A redirect (not followed); where it pointed, redacted.
    Redirect { status: u16, location: String },
    /// Another HTTP error.
    Status { status: u16 },
    /// No answer: connection refused, DNS, TLS, timeout.
    Unreachable { detail: String },
    /// Nothing was sent: the token would have crossed the network in clear
    /// text (the transport rule, see `cloud::transport`).
    NotSent { reason: String },
}

impl std::fmt::Display for Ping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ping::Reachable { median_ms, .. } => write!(f, "reachable, {median_ms:.1} ms"),
            Ping::Unauthorized { status } => write!(f, "the token was refused (HTTP {status})"),
            Ping::Redirect { status, location } => {
                write!(f, "HTTP {status} redirect to {location}, not followed")
            }
            Ping::Status { status } => write!(f, "HTTP {status}"),
            Ping::Unreachable { detail } => write!(f, "unreachable: {detail}"),
            Ping::NotSent { reason } => write!(f, "not sent: {reason}"),
        }
    }
}

/// Sends [`PINGS`] requests to the server at `url`, after checking the
/// transport rule: a token never goes over plain http to another machine
/// unless `allow_insecure_http` (the saved setting) says so.
#[tracing::instrument(skip_all)]
pub async fn ping(url: &str, token: Option<&SecretToken>, allow_insecure_http: bool) -> Ping {
    if token.is_some()
        && let Err(e) = crate::cloud::transport::check(url, allow_insecure_http)
    {
        return Ping::NotSent {
            reason: e.to_string(),
        };
    }
    let base = crate::cloud::url::http_base(url);
    let base = base.split(['?', '#']).next().unwrap_or_default();
    let endpoint = format!("{base}/v2/pipeline");
    let client = crate::usage::platform::client::<Full<Bytes>>();
    let mut times = Vec::new();
    for _ in 0..PINGS {
        let mut request = Request::post(&endpoint)
            .header(CONTENT_TYPE, "application/json")
            // One request per connection: a local sync server serves one at a time.
            .header(CONNECTION, "close");
        if let Some(t) = token {
            match HeaderValue::from_str(&format!("Bearer {}", t.expose())) {
                Ok(v) => request = request.header(AUTHORIZATION, v),
                Err(_) => {
                    return Ping::Unreachable {
                        detail: "the token holds characters a token cannot have".into(),
                    };
                }
            }
        }
        let body = Bytes::from_static(br#"{"baton":null,"requests":[]}"#);
        let request = match request.body(Full::new(body)) {
            Ok(r) => r,
            Err(e) => {
                return Ping::Unreachable {
                    detail: format!(
                        "cannot make a request for {}: {e}",
                        crate::cloud::redact(&endpoint)
                    ),
                };
            }
        };
        let started = Instant::now();
        let response = match tokio::time::timeout(PING_TIMEOUT, client.request(request)).await {
            Err(_) => {
                return Ping::Unreachable {
                    detail: format!("no answer within {} s", PING_TIMEOUT.as_secs()),
                };
            }
            Ok(Err(e)) => {
                return Ping::Unreachable {
                    detail: crate::usage::platform::offline_detail(&e),
                };
            }
            Ok(Ok(r)) => r,
        };
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(crate::cloud::redact)
            .unwrap_or_default();
        // Read the (small) answer so the time is the whole round trip.
        let _ = tokio::time::timeout(
            PING_TIMEOUT,
            Limited::new(response.into_body(), 64 * 1024).collect(),
        )
        .await;
        let took = started.elapsed().as_secs_f64() * 1000.0;
        match status {
            200..=299 => times.push(took),
            401 | 403 => return Ping::Unauthorized { status },
            300..=399 => return Ping::Redirect { status, location },
            s => return Ping::Status { status: s },
        }
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    Ping::Reachable {
        median_ms: sorted[sorted.len() / 2],
        all_ms: times,
    }
}
