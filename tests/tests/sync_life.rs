//! Sync as users run it: each machine's replica owned by its background
//! daemon (as on every connected machine), through the faults a laptop
//! meets. "Sync now" right after another machine's push brings that push;
//! a sleep that silences every open connection and a network that is down
//! for a while heal by themselves with no restart; a Turso outage before
//! the first connect never fails a command; a refused token stops the
//! automatic attempts and says so.

// Test helpers may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use serde_json::Value;
use shark_tests::{FaultProxy, Machine, SyncServer};

/// A machine whose commands start the daemon, connected to `url`.
fn connected(url: &str) -> Machine {
    let m = Machine::new().with_daemon();
    m.ok(&["cloud", "init", "--url", url]);
    m
}

/// Waits (up to `secs`) for `ok`, polling; returns how long it took.
fn until(secs: u64, what: &str, mut ok: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    while !ok() {
        assert!(
            Instant::now() < deadline,
            "timed out after {secs} s: {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    start.elapsed()
}

fn has_epic(m: &Machine, title: &str) -> bool {
    m.epic_titles().iter().any(|t| t == title)
}

#[test]
fn sync_now_right_after_another_machines_push_brings_it_every_time() {
    let server = SyncServer::start();
    let a = connected(&server.url());
    let b = connected(&server.url());
    // Both daemons run and pull live.
    a.ok(&["epic", "create", "Start A"]);
    b.ok(&["epic", "create", "Start B"]);
    assert_eq!(a.daemon_pids().len(), 1);
    assert_eq!(b.daemon_pids().len(), 1);
    for i in 0..8 {
        let title = format!("From B {i}");
        b.ok(&["epic", "create", &title]);
        // B's own cloud sync pushes it now (its daemon runs the pass).
        let pushed = b.json(&["cloud", "sync"]);
        assert_eq!(pushed["asked_for_news"], true, "{pushed}");
        let r = a.json(&["cloud", "sync"]);
        assert_eq!(r["asked_for_news"], true, "sync now always pulls: {r}");
        assert!(
            has_epic(&a, &title),
            "round {i}: A's sync now said {r} but A lacks {title}"
        );
    }
    // The words say what happened.
    let text = a.ok(&["cloud", "sync"]);
    assert!(
        text.contains("nothing to send") && text.contains("the server had nothing new"),
        "{text}"
    );
    a.ok(&["epic", "create", "Unsent"]);
    let text = a.ok(&["cloud", "sync"]);
    assert!(
        text.contains("sent ") || text.contains("nothing to send"),
        "{text}"
    );
}

#[test]
fn a_sleeping_laptop_heals_by_itself_when_the_network_returns() {
    let server = SyncServer::start();
    let proxy = FaultProxy::start(server.addr());
    let a = connected(&proxy.url());
    let b = connected(&server.url());
    a.ok(&["epic", "create", "Before sleep"]);
    until(30, "B sees A's first epic", || has_epic(&b, "Before sleep"));
    for round in 0..2 {
        // The lid closes: what is open goes silent; the network is gone.
        proxy.silence_open_connections();
        proxy.network_down(round == 0);
        let asleep = format!("Written asleep {round}");
        a.ok(&["epic", "create", &asleep]);
        let there = format!("Written on B {round}");
        b.ok(&["epic", "create", &there]);
        std::thread::sleep(Duration::from_secs(6));
        // Woken on another network.
        proxy.network_up();
        let took_out = until(20, "A's write made asleep reaches B", || {
            has_epic(&b, &asleep)
        });
        let took_in = until(20, "B's write reaches A", || has_epic(&a, &there));
        eprintln!("round {round}: out {took_out:?}, in {took_in:?} after the network returned");
        let st = a.json(&["cloud", "status"]);
        until(10, "A says it is up to date", || {
            let st = a.json(&["cloud", "status"]);
            st["pending_changes"] == 0
        });
        assert_eq!(a.daemon_pids().len(), 1, "no restart: {st}");
    }
}

#[test]
fn an_outage_before_the_first_connect_never_fails_a_command() {
    let server = SyncServer::start();
    let proxy = FaultProxy::start(server.addr());
    let a = Machine::new().with_daemon();
    a.ok(&["epic", "create", "Local first"]);
    // The server answers 503, then 429 with Retry-After, to everything.
    proxy.errors(1_000_000, 503, None);
    let init = a.run(&["cloud", "init", "--url", &proxy.url()]);
    assert_eq!(init.code, 0, "{}{}", init.stdout, init.stderr);
    let mut failures = Vec::new();
    for i in 0..12 {
        if i == 6 {
            proxy.errors(1_000_000, 429, Some(2));
        }
        let r = a.run(&["epic", "create", &format!("Outage {i}")]);
        if r.code != 0 {
            failures.push(format!("{i}: exit {}: {}", r.code, r.stderr));
        }
        let r = a.run(&["task", "list"]);
        if r.code != 0 {
            failures.push(format!("list {i}: exit {}: {}", r.code, r.stderr));
        }
    }
    assert!(
        failures.is_empty(),
        "commands failed during the outage: {failures:#?}"
    );
    // The server returns: Sync now connects and carries the work over.
    proxy.heal();
    let text = a.ok(&["cloud", "sync"]);
    assert!(text.contains("Synced with"), "{text}");
    let b = connected(&server.url());
    until(60, "B sees the work done during the outage", || {
        let t = b.epic_titles();
        t.contains(&"Local first".to_string()) && t.contains(&"Outage 11".to_string())
    });
}

#[test]
fn a_refused_token_stops_automatic_attempts_and_says_so() {
    let server = SyncServer::start();
    let good = shark_core::cloud::token::test_token(&serde_json::json!({"id": "good"}))
        .expose()
        .to_string();
    let auth = shark_tests::AuthProxy::start(server.addr(), &good);
    let a = Machine::new().with_daemon();
    let mut login = a.command(&["cloud", "login"]);
    login.stdin(std::process::Stdio::piped());
    let mut child = login.spawn().unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), good.as_bytes()).unwrap();
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
    a.ok(&["cloud", "init", "--url", &auth.url()]);
    a.ok(&["epic", "create", "Accepted"]);
    // The token is revoked on the server.
    auth.set_token("a-token-nobody-has");
    a.ok(&["epic", "create", "Refused"]);
    until(20, "A says the token is refused", || {
        let st: Value = a.json(&["cloud", "status"]);
        st["state"] == "auth error"
    });
    let seen = auth.requests();
    std::thread::sleep(Duration::from_secs(5));
    let after = auth.requests();
    assert!(
        after <= seen + 1,
        "automatic attempts went on after a refused token: {seen} then {after} requests"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_connect_waits_for_a_busy_database_as_long_as_asked_and_names_the_holder() {
    let server = SyncServer::start();
    let m = Machine::new().foreground();
    m.ok(&["epic", "create", "Local"]);
    let paths = shark_core::paths::SharkPaths::under(m.path());
    // Another process holds the database (here: this test).
    let held = shark_core::store::ProcessLock::acquire(&paths.lock_file(), Duration::from_secs(1))
        .await
        .unwrap();
    let mut c = m.command(&["cloud", "init", "--url", &server.url()]);
    c.env("SHARK_LOCK_TIMEOUT_MS", "12000");
    let started = Instant::now();
    let waiting = tokio::task::spawn_blocking(move || shark_tests::Run::from(c.output().unwrap()));
    // Longer than the 10 s bootstrap limit: the lock wait is not part of it.
    tokio::time::sleep(Duration::from_millis(10_500)).await;
    drop(held);
    let r = waiting.await.unwrap();
    assert_eq!(
        r.code, 0,
        "it waited for the lock and connected: {}",
        r.stderr
    );
    assert!(started.elapsed() >= Duration::from_secs(10));
    assert!(!r.stderr.contains("damaged"), "{}", r.stderr);
    // A shorter wait names what holds it, and removes nothing.
    let held = shark_core::store::ProcessLock::acquire(&paths.lock_file(), Duration::from_secs(1))
        .await
        .unwrap();
    let replica = paths.replica_file();
    assert!(replica.exists());
    let mut c = m.command(&["cloud", "sync"]);
    c.env("SHARK_LOCK_TIMEOUT_MS", "300");
    let r = tokio::task::spawn_blocking(move || shark_tests::Run::from(c.output().unwrap()))
        .await
        .unwrap();
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("in use by another shark process"),
        "{}",
        r.stderr
    );
    assert!(replica.exists(), "nothing of the held replica was removed");
    drop(held);
}
