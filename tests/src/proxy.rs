//! A token-checking proxy in front of the sync server (which checks no auth):
//! requests without `Authorization: Bearer <expected>` get Turso's 401 answer;
//! the others are passed through byte for byte. With `blocked` set, it answers
//! as Turso does over quota (`BLOCKED`, "Operation was blocked"; see
//! docs/turso.md). With `redirect` set, it answers every
//! authorized request with a 307 to that address (which nothing may follow).
//! Loopback only; stops on drop.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

/// A running proxy.
#[derive(Debug)]
pub struct AuthProxy {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    /// Requests refused with 401 so far.
    pub refused: Arc<AtomicUsize>,
    /// When set, every authorized request gets the over-quota answer.
    pub blocked: Arc<AtomicBool>,
    /// When set, every authorized request is redirected there.
    pub redirect: Arc<Mutex<Option<String>>>,
    /// The token it accepts (as `bearer <token>`); changeable (a revoked token).
    expected: Arc<Mutex<String>>,
    /// Requests seen so far.
    pub seen: Arc<AtomicUsize>,
}

impl AuthProxy {
    /// Listens on a free loopback port and forwards to `upstream`.
    pub fn start(upstream: SocketAddr, expected_token: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let addr = listener.local_addr().expect("proxy address");
        let stop = Arc::new(AtomicBool::new(false));
        let refused = Arc::new(AtomicUsize::new(0));
        let expected = Arc::new(Mutex::new(format!("bearer {expected_token}")));
        let seen = Arc::new(AtomicUsize::new(0));
        let (expected2, seen2) = (expected.clone(), seen.clone());
        let blocked = Arc::new(AtomicBool::new(false));
        let redirect: Arc<Mutex<Option<String>>> = Arc::default();
        let (stop2, refused2, blocked2) = (stop.clone(), refused.clone(), blocked.clone());
        let redirect2 = redirect.clone();
        thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = conn else { continue };
                seen2.fetch_add(1, Ordering::SeqCst);
                let expected = expected2.lock().map(|e| e.clone()).unwrap_or_default();
                let refused = refused2.clone();
                let blocked = blocked2.load(Ordering::SeqCst);
                let redirect = redirect2.lock().map(|r| r.clone()).unwrap_or_default();
                thread::spawn(move || {
                    serve(client, upstream, &expected, &refused, blocked, redirect)
                });
            }
        });
        AuthProxy {
            addr,
            stop,
            refused,
            blocked,
            redirect,
            expected,
            seen,
        }
    }

    /// Accepts only `token` from now on (the old one is revoked).
    pub fn set_token(&self, token: &str) {
        if let Ok(mut e) = self.expected.lock() {
            *e = format!("bearer {token}");
        }
    }

    /// Connections made to it so far.
    pub fn requests(&self) -> usize {
        self.seen.load(Ordering::SeqCst)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for AuthProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(
    mut client: TcpStream,
    upstream: SocketAddr,
    expected: &str,
    refused: &AtomicUsize,
    blocked: bool,
    redirect: Option<String>,
) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match client.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let authorized = text
        .lines()
        .filter_map(|l| l.strip_prefix("authorization:"))
        .any(|v| v.trim() == expected.to_ascii_lowercase());
    if !authorized {
        refused.fetch_add(1, Ordering::SeqCst);
        let body = r#"{"error":"Unauthorized: The JWT is invalid"}"#;
        let _ = write!(
            client,
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = client.shutdown(Shutdown::Both);
        return;
    }
    if let Some(to) = redirect {
        let _ = write!(
            client,
            "HTTP/1.1 307 Temporary Redirect\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        let _ = client.shutdown(Shutdown::Both);
        return;
    }
    if blocked {
        let body = r#"{"error":"BLOCKED: Operation was blocked"}"#;
        let _ = write!(
            client,
            "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = client.shutdown(Shutdown::Both);
        return;
    }
    let Ok(mut server) = TcpStream::connect(upstream) else {
        return;
    };
    if server.write_all(&head).is_err() {
        return;
    }
    let (Ok(mut c2), Ok(mut s2)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    let up = thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut s2);
        let _ = s2.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut server, &mut client);
    let _ = client.shutdown(Shutdown::Write);
    let _ = up.join();
}
