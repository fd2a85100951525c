//! CLI-only machines with the background daemon (issue 17): whole `shark`
//! commands on a connected machine (server at 0 ms, ~300 ms round trips,
//! black-holed) against the same commands on a local-only machine; a list
//! through the owner against Debian's `sqlite3`; write on A to visible on B
//! with a daemon on each; offline writes leaving once the server returns.
//! The same commands without a daemon (in the foreground) are measured too,
//! as the "before".

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use shark_tests::{FaultProxy, Machine, SyncServer};

use crate::Sizes;
use crate::reads::{fill, label};
use crate::stats::{Figure, median_p95, ms, process_runs};

pub fn run(sizes: &Sizes, out: &mut Vec<Figure>) {
    let n = sizes.reads[0];
    let local = skeleton(Machine::new());
    fill(&local, n);
    let (local_create, local_list) = commands(&local, sizes);
    let create_p95 = median_p95(&local_create).1;
    let list_p95 = median_p95(&local_list).1;
    out.push(Figure::from(
        "local_create",
        "Daemon",
        "`shark task create`, local-only machine (whole process)",
        "ms",
        &local_create,
    ));
    out.push(Figure::from(
        "local_list",
        "Daemon",
        format!(
            "`shark task list --json`, {} tasks, local-only machine (whole process)",
            label(n)
        ),
        "ms",
        &local_list,
    ));

    let server = SyncServer::start();
    let proxy = FaultProxy::start(server.addr());
    let m = connected(Machine::new().with_daemon(), &proxy.url());
    fill(&m, n);
    let conditions = [
        ("0ms", "server at 0 ms", 0, false),
        ("300ms", "~300 ms round trips", 150, false),
        ("black_hole", "server black-holed", 0, true),
    ];
    for (id, what, each_way_ms, black_hole) in conditions {
        proxy.heal();
        proxy.latency(Duration::from_millis(each_way_ms));
        proxy.faults.black_hole.store(black_hole, Ordering::SeqCst);
        let (create, list) = commands(&m, sizes);
        let create_target = 2.0 * create_p95 + 15.0;
        let list_target = 2.0 * list_p95 + 15.0;
        out.push(
            Figure::from(
                format!("daemon_create_{id}"),
                "Daemon",
                format!("`shark task create` through the daemon, {what} (whole process)"),
                "ms",
                &create,
            )
            .target(
                "p95",
                "<",
                create_target,
                &format!("p95 < 2x local + 15 ms = {create_target:.1} ms"),
            ),
        );
        out.push(
            Figure::from(
                format!("daemon_list_{id}"),
                "Daemon",
                format!(
                    "`shark task list --json`, {} tasks, through the daemon, {what} (whole process)",
                    label(n)
                ),
                "ms",
                &list,
            )
            .target("p95", "<", list_target, &format!("p95 < 2x local + 15 ms = {list_target:.1} ms")),
        );
        if id == "0ms" {
            out.push(list_against_sqlite(&m, n, &list, sizes));
        }
    }
    proxy.heal();
    foreground(&proxy, sizes, out);
    drop(m);
    a_to_b(sizes, out);
    offline_pushed(sizes, out);
}

/// Epic E01 and ten features on `m`.
fn skeleton(m: Machine) -> Machine {
    m.ok(&["epic", "create", "Benchmark"]);
    for f in 1..=10 {
        m.ok(&["feature", "create", "E01", &format!("Feature {f}")]);
    }
    m
}

fn connected(m: Machine, url: &str) -> Machine {
    m.ok(&["cloud", "init", "--url", url]);
    skeleton(m)
}

/// `task create` and `task list --json` timed as whole processes.
fn commands(m: &Machine, sizes: &Sizes) -> (Vec<f64>, Vec<f64>) {
    let mut i = 0;
    let create = process_runs(
        || {
            i += 1;
            m.command(&["task", "create", "E01", "F02", &format!("Timed {i}")])
        },
        sizes.warmup,
        sizes.runs,
    );
    let list = process_runs(
        || m.command(&["task", "list", "--json"]),
        sizes.warmup,
        sizes.runs,
    );
    (create, list)
}

/// The list through the owner against `sqlite3 -json` on an exported copy.
fn list_against_sqlite(m: &Machine, n: usize, list: &[f64], sizes: &Sizes) -> Figure {
    let copy = m.path().join("export.sqlite");
    let copy_s = copy.to_str().expect("utf-8 path").to_string();
    m.ok(&["export", "--format", "sqlite", "--force", &copy_s]);
    let sqlite = process_runs(
        || {
            let mut c = std::process::Command::new("sqlite3");
            c.arg("-json").arg(&copy).arg(crate::reads::SQLITE_LIST);
            c
        },
        sizes.warmup,
        sizes.runs,
    );
    let (s_median, s_p95) = median_p95(&sqlite);
    let target = 2.0 * s_p95;
    Figure::from(
        "daemon_list_vs_sqlite3",
        "Daemon",
        format!(
            "`shark task list --json`, {} tasks, through the daemon, against `sqlite3 -json` on the same rows",
            label(n)
        ),
        "ms",
        list,
    )
    .target("p95", "<", target, &format!("p95 < 2x sqlite3 = {target:.1} ms"))
    .note(format!("sqlite3: median {s_median:.1} ms, p95 {s_p95:.1} ms"))
}

/// Before: the same write with no daemon (the command pushes and pulls).
fn foreground(proxy: &FaultProxy, sizes: &Sizes, out: &mut Vec<Figure>) {
    let m = connected(Machine::new(), &proxy.url());
    for (id, what, black_hole, runs) in [
        ("300ms", "~300 ms round trips", false, sizes.runs.min(10)),
        ("black_hole", "server black-holed", true, sizes.sync_runs),
    ] {
        proxy.heal();
        proxy.latency(Duration::from_millis(150));
        proxy.faults.black_hole.store(black_hole, Ordering::SeqCst);
        // Each run waits out the retry pause of the one before.
        let mut i = 0;
        let samples = process_runs(
            || {
                i += 1;
                let mut c = m.command(&["task", "create", "E01", "F02", &format!("Fg {i}")]);
                c.env("SHARK_TEST_NOW", format!("2030-01-01T{:02}:00:00Z", i % 24));
                c
            },
            0,
            runs,
        );
        out.push(Figure::from(
            format!("foreground_create_{id}"),
            "Daemon",
            format!("before: `shark task create` with no daemon (it syncs before exiting), {what}"),
            "ms",
            &samples,
        ));
    }
    proxy.heal();
}

/// Polls B (commands through its daemon) until `title` is listed.
fn until_listed(b: &Machine, title: &str) {
    let t = Instant::now();
    loop {
        let o = b
            .command(&["task", "list", "--json"])
            .output()
            .expect("list on B");
        if String::from_utf8_lossy(&o.stdout).contains(title) {
            return;
        }
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "B never saw {title}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Write on A (a whole command) to visible on B, a daemon on each.
fn a_to_b(sizes: &Sizes, out: &mut Vec<Figure>) {
    let server = SyncServer::start();
    let a = connected(Machine::new().with_daemon(), &server.url());
    let b = Machine::new().with_daemon();
    b.ok(&["cloud", "init", "--url", &server.url()]);
    until_listed(&b, "[]");
    let mut samples = Vec::new();
    for i in 0..sizes.engine_runs {
        let title = format!("A to B {i}");
        let t = Instant::now();
        a.ok(&["task", "create", "E01", "F01", &title]);
        until_listed(&b, &title);
        samples.push(ms(t.elapsed()));
    }
    out.push(
        Figure::from(
            "daemon_a_to_b",
            "Daemon",
            "write on A to visible on B, a daemon on each, no sync command (loopback)",
            "ms",
            &samples,
        )
        .target("p95", "<", 2000.0, "p95 < 2 s"),
    );
}

/// The server is down while A writes; from its return to the write visible
/// on B, with no command on A.
fn offline_pushed(sizes: &Sizes, out: &mut Vec<Figure>) {
    let mut server = SyncServer::start();
    let a = connected(Machine::new().with_daemon(), &server.url());
    let b = Machine::new().with_daemon();
    b.ok(&["cloud", "init", "--url", &server.url()]);
    until_listed(&b, "[]");
    let mut samples = Vec::new();
    for i in 0..sizes.sync_runs {
        server.stop();
        let title = format!("Offline {i}");
        a.ok(&["task", "create", "E01", "F01", &title]);
        // Long enough for the daemons' retry pauses to grow.
        std::thread::sleep(Duration::from_secs(10));
        server.restart();
        let t = Instant::now();
        until_listed(&b, &title);
        samples.push(ms(t.elapsed()));
    }
    out.push(
        Figure::from(
            "daemon_offline_pushed",
            "Daemon",
            "offline write on A visible on B after the server returns (10 s down), no command on A",
            "ms",
            &samples,
        )
        .target("p95", "<", 5000.0, "within 5 s"),
    );
}
