//! Deadlines for the sync engine's HTTP: the `turso` 0.8.3 engine runs its
//! requests one at a time on a hyper client with no connect or read
//! timeout, and takes no client of ours (docs/turso.md, "Hazards"), so one
//! request on a connection that died silently (a laptop asleep, a wake on
//! another network, a proxy that swallows it) would block every later sync
//! of that engine until the process restarts. The engine therefore talks
//! plain HTTP to this relay on 127.0.0.1, under a path nobody else knows,
//! and the relay forwards each request to the real server with deadlines:
//! the connect, the answer's head (the server's long-poll hold plus a
//! grace), and silence inside an answer. A request past a deadline, or in
//! flight when the clock shows the machine was suspended, is cut and
//! answered "offline", so the engine fails at once and its next request
//! goes out on a fresh connection. The relay also keeps the server's
//! `Retry-After`, which the engine drops, for the retry policy.
//!
//! A held pull (long-poll) is asked again without its hold when a local
//! write wants to push or a user asks to sync ([`Relay::release`]; `hold`):
//! the engine runs one request at a time, so the push would otherwise wait
//! out the hold. Pulls stay unheld until the engine says a pass that
//! started after the release has ended ([`Relay::hold_again`]).
//!
//! The relay never reads or keeps the token: the engine's `Authorization`
//! header is passed through to the configured host only, and redirects are
//! passed back unfollowed.

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::{Client, connect::HttpConnector};
use hyper_util::rt::TokioIo;
use tokio::sync::{oneshot, watch};

use crate::error::{Error, Result};

mod wire;

use wire::{RelayBody, answer, forwarded_path, hop_by_hop, offline, retry_after};

/// The relay's deadlines.
#[derive(Debug, Clone, Copy)]
pub struct Deadlines {
    /// Longest wait for a TCP (and TLS) connection.
    pub connect: Duration,
    /// Added to the server's hold: the longest wait for an answer's head.
    pub answer_grace: Duration,
    /// Longest silence between two pieces of an answer's body.
    pub silence: Duration,
    /// The slowest upload allowed for before the answer's head is due, in
    /// bytes per second (a large push gets more time).
    pub upload_rate: u64,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            connect: Duration::from_secs(5),
            answer_grace: Duration::from_secs(5),
            silence: Duration::from_secs(10),
            upload_rate: 16 * 1024,
        }
    }
}

/// How far the wall clock may run ahead of the monotonic clock between two
/// looks before it counts as a suspend (Linux's monotonic clock stops while
/// the machine sleeps; the wall clock does not).
const SUSPEND_GAP: Duration = Duration::from_secs(3);

/// How often a request in flight looks at the clocks.
const CLOCK_LOOK: Duration = Duration::from_secs(1);

/// The marker the relay's own "offline" answers carry; `classify` reads it.
pub const OFFLINE_MARK: &str = "shark relay: offline";

/// The relay in front of one engine; dropping it stops it.
#[derive(Debug)]
pub struct Relay {
    base: String,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
}

#[derive(Debug)]
struct Shared {
    upstream: String,
    secret: String,
    hold: Duration,
    deadlines: Deadlines,
    /// Bumped to cut every request in flight.
    cuts: watch::Sender<u64>,
    /// Built on the first request (reading the system's certificates), on
    /// the relay's own thread; dropped by a cut.
    client: Mutex<Option<HttpsClient>>,
    retry_after: Mutex<Option<Duration>>,
    clocks: Mutex<(SystemTime, std::time::Instant)>,
    /// Bumped by [`Relay::release`]: a held pull in flight is asked again
    /// without its hold.
    releases: watch::Sender<u64>,
    /// The latest release a finished pass answered ([`Relay::hold_again`]);
    /// while `releases` is ahead of it, pulls go out without their hold.
    settled: AtomicU64,
    /// Said once: a pull's hold could not be found in its body.
    unstrippable_said: AtomicBool,
}

type HttpsClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

impl Relay {
    /// Starts a relay to `url` (`libsql://`, `turso://`, `https://` or
    /// `http://`) on a free loopback port, in its own thread. `hold` is how
    /// long the engine asks the server to hold an empty pull.
    pub fn start(url: &str, hold: Duration, deadlines: Deadlines) -> Result<Relay> {
        let upstream = super::url::http_base(url);
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .map_err(|e| Error::io("cannot listen on", "127.0.0.1 (sync relay)", e))?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::io("cannot listen on", "127.0.0.1 (sync relay)", e))?
            .port();
        let secret = uuid::Uuid::new_v4().simple().to_string();
        let shared = Arc::new(Shared {
            upstream,
            secret: secret.clone(),
            hold,
            deadlines,
            cuts: watch::Sender::new(0),
            client: Mutex::new(None),
            retry_after: Mutex::new(None),
            clocks: Mutex::new((SystemTime::now(), std::time::Instant::now())),
            releases: watch::Sender::new(0),
            settled: AtomicU64::new(0),
            unstrippable_said: AtomicBool::new(false),
        });
        let (stop, stopped) = oneshot::channel();
        let (ready_tx, ready) = std::sync::mpsc::channel::<std::result::Result<(), String>>();
        let served = shared.clone();
        std::thread::Builder::new()
            .name("shark-sync-relay".into())
            .spawn(move || {
                let started = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())
                    .and_then(|rt| {
                        let listener = {
                            let _inside = rt.enter();
                            tokio::net::TcpListener::from_std(listener)
                                .map_err(|e| e.to_string())?
                        };
                        Ok((rt, listener))
                    });
                match started {
                    Ok((rt, listener)) => {
                        let _ = ready_tx.send(Ok(()));
                        rt.block_on(serve(listener, served, stopped));
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            })
            .map_err(|e| Error::io("cannot start", "the sync relay thread", e))?;
        // The engine is given the relay's address only once it listens (a
        // port nobody serves could be taken by another local user).
        match ready.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(Error::invalid(format!("the sync relay cannot start: {e}"))),
            Err(_) => return Err(Error::invalid("the sync relay stopped while starting")),
        }
        Ok(Relay {
            base: format!("http://127.0.0.1:{port}/{secret}"),
            shared,
            stop: Some(stop),
        })
    }

    /// The URL the engine is given (loopback, with the secret path).
    pub fn engine_url(&self) -> &str {
        &self.base
    }

    /// Cuts every request in flight and forgets pooled connections (the
    /// network changed, or a user asked to sync while a step was stuck).
    pub fn cut(&self) {
        self.shared.cut("asked");
    }

    /// A local write wants to push, or a user asked to sync: a pull the
    /// server is holding is asked again without the hold (answered at once),
    /// and so is every pull until a pass that started after this release
    /// has ended ([`Relay::hold_again`]). Never blocks (called from the
    /// write hook).
    pub fn release(&self) {
        self.shared.releases.send_modify(|n| *n += 1);
    }

    /// The latest release's mark (0: none yet), read when a pass starts.
    pub fn release_mark(&self) -> u64 {
        *self.shared.releases.borrow()
    }

    /// A pass that started at `mark` has ended: the releases up to it are
    /// answered, and pulls are held again unless a later one came.
    pub fn hold_again(&self, mark: u64) {
        self.shared.settled.fetch_max(mark, Ordering::SeqCst);
    }

    /// The `Retry-After` of the server's latest 429 or 503, taken once.
    pub fn take_retry_after(&self) -> Option<Duration> {
        self.shared
            .retry_after
            .lock()
            .ok()
            .and_then(|mut r| r.take())
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Shared {
    /// A release no finished pass has answered yet.
    fn unheld(&self) -> bool {
        *self.releases.borrow() > self.settled.load(Ordering::SeqCst)
    }

    fn cut(&self, why: &str) {
        tracing::info!(why, "cutting the sync connections");
        if let Ok(mut c) = self.client.lock() {
            *c = None;
        }
        self.cuts.send_modify(|n| *n += 1);
    }

    /// Looks at the clocks; cuts everything when the machine slept since
    /// the last look.
    fn look_at_clocks(&self) {
        let now = (SystemTime::now(), std::time::Instant::now());
        let Ok(mut last) = self.clocks.lock() else {
            return;
        };
        let slept = suspended(*last, now);
        *last = now;
        drop(last);
        if slept {
            self.cut("the machine was suspended");
        }
    }
}

/// Whether the wall clock ran ahead of the monotonic one between `before`
/// and `after` by more than [`SUSPEND_GAP`].
fn suspended(
    before: (SystemTime, std::time::Instant),
    after: (SystemTime, std::time::Instant),
) -> bool {
    let wall = after.0.duration_since(before.0).unwrap_or_default();
    let mono = after.1.saturating_duration_since(before.1);
    wall > mono + SUSPEND_GAP
}

fn client(connect: Duration) -> HttpsClient {
    let mut http = HttpConnector::new();
    http.set_connect_timeout(Some(connect));
    http.set_keepalive(Some(Duration::from_secs(15)));
    crate::tls::client_on(http)
}

/// Connections served at once: the engine uses one or two; a local process
/// that opens more is not served past this.
const MAX_CONNECTIONS: usize = 16;

/// Longest wait for a request's head on a connection.
const HEAD_READ: Duration = Duration::from_secs(10);

async fn serve(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    mut stopped: oneshot::Receiver<()>,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // Out of file descriptors, or the like: do not spin.
                        tracing::warn!("the sync relay cannot accept: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let Ok(slot) = slots.clone().try_acquire_owned() else {
                    drop(stream);
                    continue;
                };
                let shared = shared.clone();
                tokio::spawn(async move {
                    let _slot = slot;
                    let service = hyper::service::service_fn(move |req| {
                        let shared = shared.clone();
                        async move { Ok::<_, Infallible>(handle(&shared, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .timer(hyper_util::rt::TokioTimer::new())
                        .header_read_timeout(HEAD_READ)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    }
}

async fn handle(shared: &Arc<Shared>, req: Request<Incoming>) -> Response<RelayBody> {
    let pq = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let Some(rest) = forwarded_path(&shared.secret, &pq) else {
        return answer(StatusCode::NOT_FOUND, String::new());
    };
    let target = format!("{}{rest}", shared.upstream);
    shared.look_at_clocks();
    let mut cuts = shared.cuts.subscribe();
    let mut releases = shared.releases.subscribe();
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return answer(StatusCode::BAD_REQUEST, format!("unreadable request: {e}")),
    };
    let build = |body: Bytes| {
        let mut up = Request::builder().method(parts.method.clone()).uri(&target);
        for (name, value) in &parts.headers {
            if !hop_by_hop(name.as_str()) {
                up = up.header(name, value);
            }
        }
        up.body(Full::new(body)).ok()
    };
    let upload_time = Duration::from_secs(body.len() as u64 / shared.deadlines.upload_rate.max(1));
    // A pull asking for a hold, and the same pull without it.
    let mut unheld = if shared.hold > Duration::ZERO && rest.starts_with("/pull-updates") {
        match super::hold::without_long_poll(&body) {
            super::hold::Hold::Stripped(quick) => Some(Bytes::from(quick)),
            super::hold::Hold::NotAsked => None,
            super::hold::Hold::Unreadable => {
                if !shared.unstrippable_said.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        "a pull's body cannot be read for its long-poll hold: a push may wait for a held pull"
                    );
                }
                None
            }
        }
    } else {
        None
    };
    let quick_first = unheld.is_some() && shared.unheld();
    let first = match unheld.take_if(|_| quick_first) {
        Some(quick) => quick,
        None => body,
    };
    let Some(up) = build(first) else {
        return answer(StatusCode::BAD_REQUEST, "unforwardable request".into());
    };
    let quick_due = shared.deadlines.answer_grace + upload_time;
    let head_due = shared.hold + quick_due;
    let client = match shared.client.lock() {
        Ok(mut c) => c
            .get_or_insert_with(|| client(shared.deadlines.connect))
            .clone(),
        Err(_) => return offline("the relay failed"),
    };
    // A first send keeps the whole deadline even without its hold (a
    // server waking from idle, a slow link); a re-ask follows a live answer.
    let mut due = head_due;
    let response = tokio::select! {
        r = tokio::time::timeout(due, client.request(up)) => r,
        why = watch_cuts(shared, &mut cuts) => return offline(why),
        Some(quick) = released(&mut releases, &mut unheld) => {
            due = quick_due;
            // A push is waiting behind this pull: drop the held request,
            // ask again without the hold, and answer with that.
            let Some(up) = build(quick) else {
                return answer(StatusCode::BAD_REQUEST, "unforwardable request".into());
            };
            tokio::select! {
                r = tokio::time::timeout(quick_due, client.request(up)) => r,
                why = watch_cuts(shared, &mut cuts) => return offline(why),
            }
        }
    };
    let response = match response {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return offline(&crate::usage::platform::offline_detail(&e)),
        Err(_) => {
            return offline(&format!("no answer within {} s", due.as_secs()));
        }
    };
    let status = response.status();
    if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE {
        let hint = response
            .headers()
            .get(hyper::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry_after(v, SystemTime::now()));
        if let Ok(mut r) = shared.retry_after.lock() {
            *r = hint;
        }
    }
    let (parts, upstream_body) = response.into_parts();
    let body_shared = shared.clone();
    let body = RelayBody::relayed(
        upstream_body,
        shared.deadlines.silence,
        cuts.clone(),
        // A sleep while an answer streams cuts it too.
        (CLOCK_LOOK, move || body_shared.look_at_clocks()),
    );
    let mut out = Response::new(body);
    *out.status_mut() = parts.status;
    for (name, value) in &parts.headers {
        if !hop_by_hop(name.as_str()) {
            out.headers_mut().append(name, value.clone());
        }
    }
    out
}

/// The body to ask again with once a release comes (never, with none).
async fn released(
    releases: &mut watch::Receiver<u64>,
    unheld: &mut Option<Bytes>,
) -> Option<Bytes> {
    if unheld.is_none() {
        return std::future::pending().await;
    }
    releases.changed().await.ok()?;
    unheld.take()
}

/// Waits until the requests in flight are cut (by [`Relay::cut`], or here
/// when the clocks show a suspend); says why.
async fn watch_cuts(shared: &Shared, cuts: &mut watch::Receiver<u64>) -> &'static str {
    loop {
        tokio::select! {
            _ = cuts.changed() => return "the connection was cut",
            () = tokio::time::sleep(CLOCK_LOOK) => shared.look_at_clocks(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suspend_is_the_wall_clock_running_ahead() {
        let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mono = std::time::Instant::now();
        let s = Duration::from_secs;
        // Both clocks moved alike: awake.
        assert!(!suspended((wall, mono), (wall + s(10), mono + s(10))));
        // A small step (NTP): awake.
        assert!(!suspended((wall, mono), (wall + s(12), mono + s(10))));
        // The wall clock ran 60 s while the monotonic clock ran 1 s: slept.
        assert!(suspended((wall, mono), (wall + s(61), mono + s(1))));
        // The wall clock set back: not a suspend.
        assert!(!suspended((wall + s(100), mono), (wall, mono + s(1))));
    }
}
