//! What a connected machine nobody uses costs (issue 31): the daemon's CPU,
//! requests, bytes and storage writes per idle hour against a server with
//! no news (one that answers at once, like the local server, and one that
//! long-polls, like Turso Cloud); and, per long-poll hold (2, 5, 10, 30 s),
//! idle requests and bytes per hour against how long a write waits to
//! leave while the owner's own pull is held.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use shark_core::cloud::{EngineConfig, SyncEngine};
use shark_tests::replica::{replica_at, seed};
use shark_tests::{FaultProxy, Machine, SyncServer};

use crate::Sizes;
use crate::stats::{Figure, ms};
use crate::sync::{bulk, edit};

pub async fn run(sizes: &Sizes, out: &mut Vec<Figure>) {
    daemon_idle(sizes, out);
    for hold in holds(sizes) {
        hold_cost(sizes, hold, out).await;
    }
}

fn holds(sizes: &Sizes) -> Vec<u64> {
    if sizes.quick {
        vec![1, 2]
    } else {
        vec![2, 5, 10, 30]
    }
}

/// CPU ticks, storage bytes written and write calls of `pid` so far.
fn usage_of(pid: u32) -> (u64, u64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, r)| r)
        .split_whitespace()
        .collect();
    let tick = |i: usize| rest.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).unwrap_or_default();
    let field = |name: &str| {
        io.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    (tick(11) + tick(12), field("write_bytes:"), field("syscw:"))
}

fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// A daemon connected through the proxy, idle over a window, twice: the
/// server answering at once, then holding empty pulls as Turso Cloud does.
fn daemon_idle(sizes: &Sizes, out: &mut Vec<Figure>) {
    let server = SyncServer::start();
    let proxy = FaultProxy::start(server.addr());
    let m = Machine::new().with_daemon();
    m.ok(&["cloud", "init", "--url", &proxy.url()]);
    m.ok(&["epic", "create", "Idle"]);
    m.ok(&["feature", "create", "E01", "F"]);
    for i in 0..20 {
        m.ok(&["task", "create", "E01", "F01", &format!("Task {i}")]);
    }
    m.ok(&["cloud", "sync"]);
    let pid = *m.daemon_pids().first().expect("the daemon runs");
    let window = Duration::from_secs(if sizes.quick { 3 } else { 60 });
    let hz = clock_ticks();
    for (id, what, hold_ms) in [
        (
            "at_once",
            "a server that answers at once (the local server)",
            0u64,
        ),
        (
            "long_poll",
            "a server that long-polls (as Turso Cloud does)",
            60_000,
        ),
    ] {
        proxy.faults.long_poll_ms.store(hold_ms, Ordering::SeqCst);
        std::thread::sleep(Duration::from_secs(if sizes.quick { 1 } else { 5 }));
        let seen = &proxy.seen;
        let (r0, b0) = (
            seen.requests.load(Ordering::SeqCst),
            seen.bytes_up.load(Ordering::SeqCst) + seen.bytes_down.load(Ordering::SeqCst),
        );
        let (c0, w0, s0) = usage_of(pid);
        let t = Instant::now();
        std::thread::sleep(window);
        let secs = t.elapsed().as_secs_f64();
        let (c1, w1, s1) = usage_of(pid);
        let per_hour = |n: f64| n * 3600.0 / secs;
        let requests = per_hour((seen.requests.load(Ordering::SeqCst) - r0) as f64);
        let bytes = per_hour(
            (seen.bytes_up.load(Ordering::SeqCst) + seen.bytes_down.load(Ordering::SeqCst) - b0)
                as f64,
        );
        let cpu = (c1 - c0) as f64 / hz / secs * 100.0;
        let mut f = Figure::from(
            format!("daemon_idle_cpu_{id}"),
            "Idle",
            format!(
                "the daemon, connected and idle over {} s, {what}: CPU (% of one core)",
                window.as_secs()
            ),
            "%",
            &[cpu],
        )
        .note(format!(
            "per idle hour: {requests:.0} requests, {:.2} MB on the wire, {:.0} kB written to storage in {:.0} write calls (sockets included)",
            bytes / 1e6,
            per_hour((w1 - w0) as f64) / 1e3,
            per_hour((s1 - s0) as f64)
        ));
        if id == "at_once" {
            f = f.target("median", "<", 0.5, "< 0.5%");
        }
        out.push(f);
    }
    drop(m);
}

/// One hold: idle requests and bytes per hour, and write-to-pushed delay
/// while the owner's pull is held (the relay ends the hold for the push).
async fn hold_cost(sizes: &Sizes, hold_s: u64, out: &mut Vec<Figure>) {
    let hold = Duration::from_secs(hold_s);
    let server = SyncServer::start();
    let proxy = FaultProxy::start(server.addr());
    proxy.faults.long_poll_ms.store(120_000, Ordering::SeqCst);
    let a = replica_at(&proxy.url(), "a", Some(hold)).await;
    seed(&a.store).await;
    bulk(&a, 10, "task").await;
    shark_core::cloud::pipeline::sync_once(&a.store)
        .await
        .expect("sync");
    let config = EngineConfig {
        long_poll: hold,
        ..EngineConfig::default()
    };
    let _engine = SyncEngine::start(a.store.clone(), a.paths.clone(), config);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let seen = &proxy.seen;
    let bytes = || seen.bytes_up.load(Ordering::SeqCst) + seen.bytes_down.load(Ordering::SeqCst);
    let (r0, b0) = (seen.requests.load(Ordering::SeqCst), bytes());
    let window = if sizes.quick {
        hold + Duration::from_secs(1)
    } else {
        2 * hold + Duration::from_secs(10)
    };
    let t = Instant::now();
    tokio::time::sleep(window).await;
    let secs = t.elapsed().as_secs_f64();
    let requests = (seen.requests.load(Ordering::SeqCst) - r0) as f64 * 3600.0 / secs;
    let mb = (bytes() - b0) as f64 * 3600.0 / secs / 1e6;
    let runs = if sizes.quick { 1 } else { 5 };
    let mut delays = Vec::new();
    for i in 0..runs {
        // Writes fall anywhere in the hold in real use: spread them over it.
        tokio::time::sleep(
            hold.mul_f64(f64::from(i) / f64::from(runs)) + Duration::from_millis(300),
        )
        .await;
        let pushes = seen.pushes.load(Ordering::SeqCst);
        let t = Instant::now();
        edit(&a, "T-E01-F01-003", &format!("held {hold_s} {i}")).await;
        while seen.pushes.load(Ordering::SeqCst) == pushes || a.store.pending_changes().await > 0 {
            assert!(
                t.elapsed() < Duration::from_secs(180),
                "the push never left"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        delays.push(ms(t.elapsed()));
    }
    out.push(
        Figure::from(
            format!("hold_{hold_s}s_push"),
            "Idle",
            format!(
                "long-poll hold {hold_s} s: a write on the owner to its push passing, while the owner's own pull is held (includes the {} ms debounce)",
                config.debounce.as_millis()
            ),
            "ms",
            &delays,
        )
        .note(format!(
            "idle: {requests:.0} requests and {mb:.2} MB on the wire per hour ({:.0} s measured)",
            secs
        )),
    );
}
