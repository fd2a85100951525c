//! The relay's HTTP pieces: its answer body (whole, or streamed from
//! upstream and cut with an "offline" mark), which headers and paths it
//! forwards, and how it reads a server's `Retry-After`.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming};
use hyper::{Response, StatusCode};
use tokio::sync::{mpsc, watch};

use super::OFFLINE_MARK;

/// The body of the relay's answers: whole, or streamed from upstream.
#[derive(Debug)]
pub struct RelayBody {
    whole: Option<Bytes>,
    stream: Option<mpsc::Receiver<std::result::Result<Bytes, Cut>>>,
}

impl RelayBody {
    /// `upstream`'s answer, streamed frame by frame: cut (an "offline"
    /// error in the body) after `silence` without a frame, or when `cuts`
    /// moves; `look` runs every so often meanwhile (the clocks' check).
    pub fn relayed(
        mut upstream: Incoming,
        silence: Duration,
        mut cuts: watch::Receiver<u64>,
        look: (Duration, impl Fn() + Send + 'static),
    ) -> Self {
        let (tx, rx) = mpsc::channel(8);
        tokio::spawn(async move {
            loop {
                let frame = tokio::select! {
                    f = tokio::time::timeout(silence, upstream.frame()) => f,
                    _ = cuts.changed() => {
                        let _ = tx.send(Err(Cut("the connection was cut".into()))).await;
                        return;
                    }
                    () = tokio::time::sleep(look.0) => {
                        (look.1)();
                        continue;
                    }
                };
                let sent = match frame {
                    Ok(None) => return,
                    Ok(Some(Ok(f))) => match f.into_data() {
                        Ok(data) => tx.send(Ok(data)).await,
                        Err(_) => continue,
                    },
                    Ok(Some(Err(e))) => {
                        tx.send(Err(Cut(format!("the answer broke off: {e}"))))
                            .await
                    }
                    Err(_) => {
                        tx.send(Err(Cut(format!(
                            "the answer stalled for {} s",
                            silence.as_secs()
                        ))))
                        .await
                    }
                };
                if sent.is_err() {
                    return;
                }
            }
        });
        RelayBody {
            whole: None,
            stream: Some(rx),
        }
    }
}

/// An answer cut mid-way.
#[derive(Debug, thiserror::Error)]
#[error("{OFFLINE_MARK}: {0}")]
pub struct Cut(String);

impl hyper::body::Body for RelayBody {
    type Data = Bytes;
    type Error = Cut;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<Frame<Bytes>, Cut>>> {
        let this = self.get_mut();
        if let Some(b) = this.whole.take() {
            return Poll::Ready(Some(Ok(Frame::data(b))));
        }
        match &mut this.stream {
            None => Poll::Ready(None),
            Some(rx) => rx.poll_recv(cx).map(|f| f.map(|r| r.map(Frame::data))),
        }
    }
}

pub(super) fn answer(status: StatusCode, text: String) -> Response<RelayBody> {
    let mut r = Response::new(RelayBody {
        whole: Some(Bytes::from(text)),
        stream: None,
    });
    *r.status_mut() = status;
    r
}

pub(super) fn offline(detail: &str) -> Response<RelayBody> {
    answer(StatusCode::BAD_GATEWAY, format!("{OFFLINE_MARK}: {detail}"))
}

/// Headers that belong to one connection, not to the request.
pub(super) fn hop_by_hop(name: &str) -> bool {
    matches!(
        name,
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "transfer-encoding"
            | "te"
            | "trailer"
            | "upgrade"
            | "host"
            | "content-length"
    )
}

/// The path after the secret, or `None` when the request does not know it.
pub(super) fn forwarded_path<'a>(secret: &str, path_and_query: &'a str) -> Option<&'a str> {
    let rest = path_and_query.strip_prefix('/')?.strip_prefix(secret)?;
    (rest.is_empty() || rest.starts_with('/') || rest.starts_with('?')).then_some(rest)
}

/// A `Retry-After` value: seconds, or an HTTP date; at most an hour.
pub(super) fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    let wait = match v.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
            let at = SystemTime::from(at.with_timezone(&chrono::Utc));
            at.duration_since(now).unwrap_or_default()
        }
    };
    Some(wait.min(Duration::from_secs(3600)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_requests_that_know_the_secret_pass() {
        let s = "abc123";
        assert_eq!(
            forwarded_path(s, "/abc123/pull-updates"),
            Some("/pull-updates")
        );
        assert_eq!(
            forwarded_path(s, "/abc123/v2/pipeline?x=1"),
            Some("/v2/pipeline?x=1")
        );
        assert_eq!(forwarded_path(s, "/abc123"), Some(""));
        assert_eq!(forwarded_path(s, "/abc1234/pull-updates"), None);
        assert_eq!(forwarded_path(s, "/pull-updates"), None);
        assert_eq!(forwarded_path(s, "/"), None);
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        assert_eq!(retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        // 1445412480 is Wed, 21 Oct 2015 07:28:00 GMT.
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("999999", now), Some(Duration::from_secs(3600)));
        assert_eq!(retry_after("soon", now), None);
    }
}
