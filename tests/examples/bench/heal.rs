//! Sync through a laptop's life, with a daemon owning each machine's
//! replica: how long after the network returns from a sleep (every open
//! connection silenced, the network down) a write made asleep is on the
//! server and another machine's write is here; how often an explicit
//! `shark cloud sync` right after another machine's push brings it; how
//! many commands fail during an outage (503, 429, black hole) on a machine
//! before its first connect.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use shark_tests::{FaultProxy, Machine, SyncServer};

use crate::Sizes;
use crate::stats::{Figure, ms};

fn connected(url: &str) -> Machine {
    let m = Machine::new().with_daemon();
    m.ok(&["cloud", "init", "--url", url]);
    m
}

fn has_epic(m: &Machine, title: &str) -> bool {
    m.json(&["epic", "list"])["results"]
        .as_array()
        .is_some_and(|r| r.iter().any(|e| e["title"] == title))
}

/// Polls `ok` every 25 ms for up to `limit`; the time it took, or `None`.
fn wait(limit: Duration, mut ok: impl FnMut() -> bool) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if ok() {
            return Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    None
}

pub fn run(sizes: &Sizes, out: &mut Vec<Figure>) {
    sleeps(sizes, out);
    sync_now_truth(sizes, out);
    outage(sizes, out);
}

fn sleeps(sizes: &Sizes, out: &mut Vec<Figure>) {
    let server = SyncServer::start();
    let proxy = FaultProxy::start(server.addr());
    let a = connected(&proxy.url());
    let b = connected(&server.url());
    a.ok(&["epic", "create", "Awake"]);
    let rounds = if sizes.quick { 2 } else { 12 };
    let asleep_for = Duration::from_secs(if sizes.quick { 2 } else { 15 });
    let mut samples = Vec::new();
    let mut never = 0;
    for i in 0..rounds {
        proxy.silence_open_connections();
        proxy.network_down(i % 2 == 0);
        let mine = format!("asleep {i}");
        let theirs = format!("elsewhere {i}");
        a.ok(&["epic", "create", &mine]);
        b.ok(&["epic", "create", &theirs]);
        std::thread::sleep(asleep_for);
        proxy.network_up();
        match wait(Duration::from_secs(60), || {
            has_epic(&b, &mine) && has_epic(&a, &theirs)
        }) {
            Some(d) => samples.push(ms(d)),
            None => never += 1,
        }
    }
    let mut f = Figure::from(
        "heal_after_sleep",
        "Heal",
        format!(
            "network back after a sleep ({} s, open connections silenced): A's write on B and B's write on A, {rounds} sleeps",
            asleep_for.as_secs()
        ),
        "ms",
        if samples.is_empty() { &[f64::INFINITY] } else { &samples },
    )
    .target("p95", "<=", 5000.0, "p95 <= 5 s (before: never)");
    if never > 0 {
        f = f.note(format!(
            "{never} of {rounds} sleeps never healed within 60 s"
        ));
    }
    out.push(f);
}

fn sync_now_truth(sizes: &Sizes, out: &mut Vec<Figure>) {
    let server = SyncServer::start();
    let a = connected(&server.url());
    let b = connected(&server.url());
    a.ok(&["epic", "create", "A"]);
    b.ok(&["epic", "create", "B"]);
    let rounds = if sizes.quick { 2 } else { 11 };
    let mut there = 0;
    let mut took = Vec::new();
    for i in 0..rounds {
        let title = format!("pushed by B {i}");
        b.ok(&["epic", "create", &title]);
        b.ok(&["cloud", "sync"]);
        let t = Instant::now();
        a.ok(&["cloud", "sync"]);
        took.push(ms(t.elapsed()));
        if has_epic(&a, &title) {
            there += 1;
        }
    }
    out.push(
        Figure::from(
            "sync_now_brings_news",
            "Heal",
            format!("`shark cloud sync` on A right after B's push: times the change was there ({rounds} tries)"),
            "count",
            &[f64::from(there)],
        )
        .target("median", ">=", rounds as f64, &format!("every time ({rounds} of {rounds}; before: 1 of 11)")),
    );
    out.push(Figure::from(
        "sync_now_time",
        "Heal",
        "`shark cloud sync` through the daemon (whole process)",
        "ms",
        &took,
    ));
}

fn outage(sizes: &Sizes, out: &mut Vec<Figure>) {
    let server = SyncServer::start();
    let proxy = FaultProxy::start(server.addr());
    let a = Machine::new().with_daemon();
    a.ok(&["epic", "create", "Local"]);
    proxy.errors(usize::MAX / 2, 503, None);
    let mut failures = 0;
    let mut commands = 0;
    let mut run = |args: &[&str]| {
        commands += 1;
        if a.run(args).code != 0 {
            failures += 1;
        }
    };
    run(&["cloud", "init", "--url", &proxy.url()]);
    let span = Duration::from_secs(if sizes.quick { 3 } else { 60 });
    let start = Instant::now();
    let mut i = 0;
    while start.elapsed() < span {
        let phase = start.elapsed().as_secs_f64() / span.as_secs_f64();
        if phase > 2.0 / 3.0 {
            proxy.faults.errors_503.store(0, Ordering::SeqCst);
            proxy.faults.black_hole.store(true, Ordering::SeqCst);
        } else if phase > 1.0 / 3.0 {
            proxy.errors(usize::MAX / 2, 429, Some(5));
        }
        run(&["epic", "create", &format!("during the outage {i}")]);
        run(&["task", "list", "--json"]);
        i += 1;
    }
    proxy.heal();
    out.push(
        Figure::from(
            "outage_failures",
            "Heal",
            format!(
                "commands that failed during a {} s outage (503, 429, black hole) before the first connect, of {commands}",
                span.as_secs()
            ),
            "count",
            &[f64::from(failures)],
        )
        .target("median", "<=", 0.0, "0 (before: 10 to 12 of about 24)"),
    );
}
