//! A fault-injecting proxy in front of the sync server, for tests and
//! benchmarks: latency per direction, a bandwidth cap on answers, a black
//! hole (connections accepted, never answered), answers cut mid-way (the
//! server did the work, the client never hears it), bursts of 503s, and a
//! long-poll emulation (an empty pull is held until a push passes through
//! or the long-poll time passes, as Turso Cloud does; the local server
//! answers at once), and what a laptop sees when it sleeps and wakes on
//! another network: every connection open at one moment goes silent for
//! good (no data, no FIN, no RST), and the network is down for a while
//! (new connections refused, or accepted and never answered). Every
//! setting can change while a test runs.
//!
//! Each request is read whole, sent upstream on a fresh connection with
//! `Connection: close` (the local server serves one connection at a time)
//! and answered with `Connection: close`. Loopback only; stops on drop.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The faults in force; change them at any time.
#[derive(Debug, Default)]
pub struct Faults {
    /// Delay before a request goes upstream, in ms.
    pub latency_up_ms: AtomicU64,
    /// Delay before an answer goes back, in ms.
    pub latency_down_ms: AtomicU64,
    /// Answer bandwidth in bytes per second (0: unlimited).
    pub bandwidth_down: AtomicU64,
    /// Accept connections and never answer while set.
    pub black_hole: AtomicBool,
    /// The next N pushes reach the server, but their answers are cut after
    /// a few bytes.
    pub cut_push_answers: AtomicUsize,
    /// The next N requests get `503 Service Unavailable`.
    pub errors_503: AtomicUsize,
    /// Emulate long-poll: hold an empty pull that asks for it (its
    /// `long_poll_timeout_ms`), at most this long, until a push passes (0: off).
    pub long_poll_ms: AtomicU64,
    /// Bumped by [`FaultProxy::silence_open_connections`]: a connection
    /// that started before the bump never hears anything again.
    pub silence_epoch: AtomicU64,
    /// The network: [`NET_UP`], [`NET_REFUSED`] or [`NET_HUNG`].
    pub network: AtomicU8,
    /// Status and `Retry-After` seconds of the 503/429 answers
    /// ([`Faults::errors_503`] counts them; 0: 503 without a hint).
    pub error_status: AtomicU64,
    pub retry_after_secs: AtomicU64,
}

/// The network works.
pub const NET_UP: u8 = 0;
/// New connections are refused (closed at once).
pub const NET_REFUSED: u8 = 1;
/// New connections are accepted and never answered.
pub const NET_HUNG: u8 = 2;

/// What passed through.
#[derive(Debug, Default)]
pub struct Seen {
    pub requests: AtomicUsize,
    pub pulls: AtomicUsize,
    pub pushes: AtomicUsize,
    pub bytes_up: AtomicU64,
    pub bytes_down: AtomicU64,
}

/// A running proxy.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    pub faults: Arc<Faults>,
    pub seen: Arc<Seen>,
}

/// Pushes so far, for held pulls to wait on.
#[derive(Debug, Default)]
struct PushClock {
    count: Mutex<u64>,
    ticked: Condvar,
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `upstream`.
    pub fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let addr = listener.local_addr().expect("proxy address");
        let stop = Arc::new(AtomicBool::new(false));
        let faults = Arc::new(Faults::default());
        let seen = Arc::new(Seen::default());
        let clock = Arc::new(PushClock::default());
        let (stop2, faults2, seen2) = (stop.clone(), faults.clone(), seen.clone());
        thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = conn else { continue };
                let (f, s, c, st) = (faults2.clone(), seen2.clone(), clock.clone(), stop2.clone());
                thread::spawn(move || serve(client, upstream, &f, &s, &c, &st));
            }
        });
        FaultProxy {
            addr,
            stop,
            faults,
            seen,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Clears every fault.
    pub fn heal(&self) {
        let f = &self.faults;
        f.latency_up_ms.store(0, Ordering::SeqCst);
        f.latency_down_ms.store(0, Ordering::SeqCst);
        f.bandwidth_down.store(0, Ordering::SeqCst);
        f.black_hole.store(false, Ordering::SeqCst);
        f.cut_push_answers.store(0, Ordering::SeqCst);
        f.errors_503.store(0, Ordering::SeqCst);
        f.network.store(NET_UP, Ordering::SeqCst);
    }

    /// A laptop's sleep: every connection open now goes silent for good
    /// (it is held open and never written to or closed).
    pub fn silence_open_connections(&self) {
        self.faults.silence_epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// The network goes down: new connections are refused (`refuse`) or
    /// accepted and never answered.
    pub fn network_down(&self, refuse: bool) {
        let v = if refuse { NET_REFUSED } else { NET_HUNG };
        self.faults.network.store(v, Ordering::SeqCst);
    }

    /// The network is back (connections that went silent stay silent).
    pub fn network_up(&self) {
        self.faults.network.store(NET_UP, Ordering::SeqCst);
    }

    /// The next `n` requests are answered `status` (503 or 429) with
    /// `Retry-After: retry_after` when it is given.
    pub fn errors(&self, n: usize, status: u16, retry_after: Option<u64>) {
        let f = &self.faults;
        f.error_status.store(u64::from(status), Ordering::SeqCst);
        f.retry_after_secs
            .store(retry_after.unwrap_or(0), Ordering::SeqCst);
        f.errors_503.store(n, Ordering::SeqCst);
    }

    /// Sets the same latency both ways (a round trip is twice this).
    pub fn latency(&self, each_way: Duration) {
        let ms = each_way.as_millis() as u64;
        self.faults.latency_up_ms.store(ms, Ordering::SeqCst);
        self.faults.latency_down_ms.store(ms, Ordering::SeqCst);
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

/// Reads one HTTP request (head and body by Content-Length or chunks).
fn read_request(client: &mut TcpStream) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match client.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let chunked = head.contains("transfer-encoding: chunked");
    loop {
        let body = &data[head_end..];
        let done = match length {
            Some(n) => body.len() >= n,
            None if chunked => body.ends_with(b"0\r\n\r\n"),
            None => true,
        };
        if done {
            return Some(data);
        }
        match client.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
}

/// A request or answer with `Connection: close` in place of any connection
/// header.
fn closing(message: &[u8]) -> Vec<u8> {
    let Some(end) = message.windows(4).position(|w| w == b"\r\n\r\n") else {
        return message.to_vec();
    };
    let head = String::from_utf8_lossy(&message[..end]);
    let mut out = String::new();
    for line in head.split("\r\n") {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("Connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&message[end + 4..]);
    bytes
}

/// Sends `request` upstream and reads the whole answer.
fn forward(upstream: SocketAddr, request: &[u8]) -> Option<Vec<u8>> {
    let mut server = TcpStream::connect_timeout(&upstream, Duration::from_secs(5)).ok()?;
    server
        .set_read_timeout(Some(Duration::from_secs(60)))
        .ok()?;
    server.write_all(&closing(request)).ok()?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).ok()?;
    Some(answer)
}

/// The body of an HTTP answer.
fn body(answer: &[u8]) -> &[u8] {
    answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(&[][..], |i| &answer[i + 4..])
}

/// Answers at most this long are taken as "nothing new" by the long-poll
/// emulation (an empty pull is a few dozen bytes of protobuf).
const EMPTY_PULL_MAX: usize = 64;

fn serve(
    mut client: TcpStream,
    upstream: SocketAddr,
    faults: &Faults,
    seen: &Seen,
    clock: &PushClock,
    stop: &AtomicBool,
) {
    let epoch = faults.silence_epoch.load(Ordering::SeqCst);
    match faults.network.load(Ordering::SeqCst) {
        NET_REFUSED => {
            let _ = client.shutdown(Shutdown::Both);
            return;
        }
        NET_HUNG => return hold_silently(client, stop),
        _ => {}
    }
    let Some(request) = read_request(&mut client) else {
        return;
    };
    if faults.silence_epoch.load(Ordering::SeqCst) != epoch {
        return hold_silently(client, stop);
    }
    seen.requests.fetch_add(1, Ordering::SeqCst);
    seen.bytes_up
        .fetch_add(request.len() as u64, Ordering::SeqCst);
    let line = String::from_utf8_lossy(&request[..request.len().min(200)]).to_string();
    let is_pull = line.contains("/pull-updates");
    let is_push = line.contains("/v2/pipeline");
    if faults.black_hole.load(Ordering::SeqCst) {
        // Accepted, never answered: the client's timeout is all it gets.
        while faults.black_hole.load(Ordering::SeqCst) && !stop.load(Ordering::SeqCst) {
            thread::sleep(Duration::from_millis(20));
        }
        return;
    }
    if take_one(&faults.errors_503) {
        let body = "service unavailable (fault proxy)";
        let (status, reason) = match faults.error_status.load(Ordering::SeqCst) {
            429 => (429, "Too Many Requests"),
            _ => (503, "Service Unavailable"),
        };
        let hint = match faults.retry_after_secs.load(Ordering::SeqCst) {
            0 => String::new(),
            s => format!("Retry-After: {s}\r\n"),
        };
        let _ = write!(
            client,
            "HTTP/1.1 {status} {reason}\r\n{hint}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = client.shutdown(Shutdown::Both);
        return;
    }
    sleep_ms(faults.latency_up_ms.load(Ordering::SeqCst));
    let pushes_before = *clock.count.lock().expect("clock");
    let Some(mut answer) = forward(upstream, &request) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    if is_pull {
        seen.pulls.fetch_add(1, Ordering::SeqCst);
        let hold = faults
            .long_poll_ms
            .load(Ordering::SeqCst)
            .min(requested_long_poll(body(&request)));
        if hold > 0 && body(&answer).len() <= EMPTY_PULL_MAX {
            // Nothing new: hold it, asking again after each push that
            // passes (a push is several requests; only some carry rows),
            // until there is news or the time is up: what Turso Cloud's
            // long-poll does server side.
            let deadline = Instant::now() + Duration::from_millis(hold);
            let mut known = pushes_before;
            loop {
                let mut n = clock.count.lock().expect("clock");
                while *n == known && Instant::now() < deadline {
                    let left = deadline.saturating_duration_since(Instant::now());
                    n = clock.ticked.wait_timeout(n, left).expect("clock").0;
                }
                if *n == known {
                    break;
                }
                known = *n;
                drop(n);
                match forward(upstream, &request) {
                    Some(again) => answer = again,
                    None => break,
                }
                if body(&answer).len() > EMPTY_PULL_MAX {
                    break;
                }
            }
        }
    }
    if is_push {
        seen.pushes.fetch_add(1, Ordering::SeqCst);
        *clock.count.lock().expect("clock") += 1;
        clock.ticked.notify_all();
        if take_one(&faults.cut_push_answers) {
            // The server committed it; the client hears half an answer.
            let _ = client.write_all(&answer[..answer.len().min(12)]);
            let _ = client.shutdown(Shutdown::Both);
            return;
        }
    }
    sleep_ms(faults.latency_down_ms.load(Ordering::SeqCst));
    if faults.silence_epoch.load(Ordering::SeqCst) != epoch {
        // Silenced while the server worked: the answer never arrives.
        return hold_silently(client, stop);
    }
    seen.bytes_down
        .fetch_add(answer.len() as u64, Ordering::SeqCst);
    let rate = faults.bandwidth_down.load(Ordering::SeqCst);
    if rate == 0 {
        let _ = client.write_all(&closing(&answer));
    } else {
        for chunk in closing(&answer).chunks(1024) {
            if client.write_all(chunk).is_err() {
                return;
            }
            thread::sleep(Duration::from_secs_f64(chunk.len() as f64 / rate as f64));
        }
    }
    let _ = client.shutdown(Shutdown::Write);
}

/// The `long_poll_timeout_ms` a pull asks for (field 4 of the protobuf
/// request, a varint); 0 when absent or unreadable.
fn requested_long_poll(mut b: &[u8]) -> u64 {
    fn varint(b: &mut &[u8]) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = b.split_first()?;
            *b = rest;
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    while !b.is_empty() {
        let Some(key) = varint(&mut b) else { return 0 };
        let skip = match key & 7 {
            0 => {
                let Some(v) = varint(&mut b) else { return 0 };
                if key >> 3 == 4 {
                    return v;
                }
                0
            }
            1 => 8,
            2 => match varint(&mut b) {
                Some(n) => n as usize,
                None => return 0,
            },
            5 => 4,
            _ => return 0,
        };
        if skip > b.len() {
            return 0;
        }
        b = &b[skip..];
    }
    0
}

/// A connection that went silent: held open, never written to, never
/// closed, until the proxy stops.
fn hold_silently(client: TcpStream, stop: &AtomicBool) {
    while !stop.load(Ordering::SeqCst) {
        thread::sleep(Duration::from_millis(50));
    }
    drop(client);
}

fn take_one(n: &AtomicUsize) -> bool {
    n.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| v.checked_sub(1))
        .is_ok()
}

fn sleep_ms(ms: u64) {
    if ms > 0 {
        thread::sleep(Duration::from_millis(ms));
    }
}
