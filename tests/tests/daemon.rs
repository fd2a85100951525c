//! The background daemon on CLI-only machines: started by the first command
//! that needs a connected machine's database (one per home, even when
//! several commands start at once), serving every later command, syncing by
//! itself (changes reach the other machine, offline writes leave when the
//! server returns), surviving SIGKILL, handing the file to the desktop app
//! and back, and stopped by the machine's fixture whatever happens.

// Test helpers may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use serde_json::Value;
use shark_tests::{Machine, SyncServer, keys};

/// A machine whose commands start the daemon, connected to `url`.
fn connected(url: &str) -> Machine {
    let m = Machine::new().with_daemon();
    m.ok(&["cloud", "init", "--url", url]);
    m
}

/// Waits (up to `secs`) for `ok`, polling.
fn until(secs: u64, what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn status(m: &Machine) -> Value {
    m.json(&["daemon", "status"])
}

#[test]
fn commands_started_together_start_one_daemon_that_syncs_by_itself() {
    let server = SyncServer::start();
    let a = connected(&server.url());
    let b = connected(&server.url());
    assert!(a.daemon_pids().is_empty(), "cloud init starts no daemon");
    // Four commands at once on a machine with no owner: one daemon.
    let runs: Vec<_> = (1..=4)
        .map(|i| {
            let mut c = a.command(&["epic", "create", &format!("Epic {i}")]);
            std::thread::spawn(move || shark_tests::Run::from(c.output().unwrap()))
        })
        .collect();
    for r in runs {
        let r = r.join().unwrap();
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    }
    assert_eq!(a.daemon_pids().len(), 1, "one daemon per home");
    let st = status(&a);
    assert_eq!(st["running"], true);
    assert_eq!(st["owner"]["kind"], "daemon");
    assert_eq!(st["owner"]["pid"], a.daemon_pids()[0]);
    // B sees them with no sync command run anywhere.
    until(30, "B sees A's four epics", || b.epic_titles().len() == 4);
    assert_eq!(b.daemon_pids().len(), 1);
    // A later change arrives too; doctor and cloud status name the owner.
    a.ok(&["epic", "create", "Later"]);
    until(30, "B sees A's later epic", || {
        b.epic_titles().contains(&"Later".to_string())
    });
    let doctor = a.ok(&["doctor"]);
    assert!(doctor.contains("background daemon (process"), "{doctor}");
    let cloud = a.json(&["cloud", "status"]);
    assert_eq!(cloud["owner"]["kind"], "daemon");
    // `cloud sync` is run by the daemon and says what happened.
    let synced = a.ok(&["cloud", "sync"]);
    assert!(synced.starts_with("Synced with"), "{synced}");
}

#[test]
fn offline_writes_leave_when_the_server_returns_with_no_command_run() {
    let mut server = SyncServer::start();
    let a = connected(&server.url());
    let b = connected(&server.url());
    a.ok(&["epic", "create", "Before"]);
    until(30, "B sees the first epic", || b.epic_titles().len() == 1);
    server.stop();
    let made = a.json(&["epic", "create", "Offline"]);
    assert_eq!(made["key"], "E02");
    until(10, "the daemon counts the waiting change", || {
        status(&a)["owner"]["pending_changes"].as_u64() > Some(0)
    });
    // `cloud sync` waits for the network, bounded, and says it failed.
    let why = a.fails(5, &["cloud", "sync"]);
    assert!(why.contains("cannot reach the Turso server"), "{why}");
    server.restart();
    // Nothing runs on A: its daemon pushes as soon as the server answers.
    until(30, "B sees the offline epic", || {
        b.epic_titles().contains(&"Offline".to_string())
    });
    assert_eq!(status(&a)["owner"]["pending_changes"], 0);
}

/// Kills A's daemon with SIGKILL and waits until it is gone.
fn kill_daemon(a: &Machine) -> u32 {
    let pids = a.daemon_pids();
    assert_eq!(pids.len(), 1);
    shark_tests::daemons::signal(pids[0], "-KILL");
    until(10, "the daemon is gone", || {
        !shark_tests::daemons::alive(pids[0])
    });
    pids[0]
}

#[test]
fn a_daemon_killed_mid_push_loses_nothing() {
    use std::sync::atomic::Ordering;
    let server = SyncServer::start();
    let proxy = shark_tests::FaultProxy::start(server.addr());
    let a = connected(&proxy.url());
    let b = connected(&server.url());
    a.ok(&["epic", "create", "Platform"]);
    a.ok(&["feature", "create", "E01", "Accounts"]);
    let create = |from: usize| {
        for i in from..from + 3 {
            a.ok(&["task", "create", "E01", "F01", &format!("Task {i}")]);
        }
    };
    // 1. The push cannot get through (a black hole): killed while it waits.
    proxy.faults.black_hole.store(true, Ordering::SeqCst);
    create(1);
    std::thread::sleep(Duration::from_millis(2500));
    let first = kill_daemon(&a);
    // 2. The server commits the push, the answer is held: killed before it
    //    arrives (the server has the changes; the replica does not know).
    proxy.heal();
    proxy.faults.latency_down_ms.store(5_000, Ordering::SeqCst);
    let pushes = proxy.seen.pushes.load(Ordering::SeqCst);
    create(4);
    until(30, "a push reaches the server", || {
        proxy.seen.pushes.load(Ordering::SeqCst) > pushes
    });
    let second = kill_daemon(&a);
    assert_ne!(first, second);
    proxy.heal();
    // The next command finds a stale socket and lock: a new daemon serves it.
    let tasks = a.json(&["task", "list"]);
    assert_eq!(keys(&tasks).len(), 6);
    assert_eq!(a.daemon_pids().len(), 1);
    // Every task reaches B exactly once, keys unchanged.
    until(30, "B has every task", || {
        keys(&b.json(&["task", "list"])).len() >= 6
    });
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        keys(&b.json(&["task", "list"])),
        keys(&a.json(&["task", "list"]))
    );
    assert_eq!(status(&a)["owner"]["pending_changes"], 0);
}

#[test]
fn a_local_only_machine_starts_no_daemon() {
    let m = Machine::new().with_daemon();
    m.ok(&["epic", "create", "Local"]);
    assert!(m.daemon_pids().is_empty());
    assert!(!m.path().join("app.sock").exists());
    let st = status(&m);
    assert_eq!(st["running"], false);
    let why = m.fails(5, &["daemon", "start"]);
    assert!(why.contains("local only"), "{why}");
}

#[test]
fn an_idle_daemon_exits_and_stop_stops_one() {
    let server = SyncServer::start();
    let a = connected(&server.url());
    let config = a.path().join("config.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[daemon]\nidle_secs = 1\n");
    std::fs::write(&config, text).unwrap();
    a.ok(&["epic", "create", "Once"]);
    assert_eq!(status(&a)["owner"]["idle_exit_secs"], 1);
    until(30, "the idle daemon exits", || a.daemon_pids().is_empty());
    assert!(
        !a.path().join("app.sock").exists(),
        "its socket went with it"
    );
    // Started again by the next command; `daemon stop` ends it at once.
    assert_eq!(a.epic_titles(), ["Once"]);
    let pid = a.daemon_pids();
    assert_eq!(pid.len(), 1);
    let said = a.ok(&["daemon", "stop"]);
    assert!(said.contains(&format!("process {}", pid[0])), "{said}");
    assert!(a.daemon_pids().is_empty());
    assert!(a.ok(&["daemon", "stop"]).contains("No Shark daemon"));
}

#[test]
fn commands_that_change_the_connection_stop_the_daemon_first() {
    let server = SyncServer::start();
    let a = connected(&server.url());
    a.ok(&["epic", "create", "Kept"]);
    assert_eq!(a.daemon_pids().len(), 1);
    // The token is read here; the next daemon starts with the new one.
    a.ok(&["cloud", "logout"]);
    assert!(a.daemon_pids().is_empty());
    assert_eq!(a.epic_titles(), ["Kept"]);
    // Going local only: the data stays, and no daemon is needed any more.
    a.ok(&["cloud", "disconnect"]);
    assert!(a.daemon_pids().is_empty());
    assert_eq!(a.epic_titles(), ["Kept"]);
    assert!(a.daemon_pids().is_empty());
}

#[test]
fn a_daemon_that_cannot_start_leaves_the_command_to_run_here() {
    let server = SyncServer::start();
    let a = connected(&server.url());
    // The log folder cannot be created: the daemon cannot start.
    std::fs::write(a.path().join("logs"), "not a folder").unwrap();
    let r = a.run(&["epic", "create", "Anyway"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("note: running in this process"),
        "{}",
        r.stderr
    );
    assert!(a.daemon_pids().is_empty());
    std::fs::remove_file(a.path().join("logs")).unwrap();
    assert_eq!(a.epic_titles(), ["Anyway"]);
}

#[test]
fn a_command_for_another_database_is_refused_by_the_daemon() {
    let server = SyncServer::start();
    // The URL comes from the environment (no saved setting).
    let a = Machine::new().with_daemon();
    let run = |url: &str, args: &[&str]| {
        shark_tests::Run::from(a.command(args).env("SHARK_DB_URL", url).output().unwrap())
    };
    let r = run(&server.url(), &["epic", "create", "Shared"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(a.daemon_pids().len(), 1);
    let scratch = a.path().join("scratch.db");
    let r = run(scratch.to_str().unwrap(), &["epic", "create", "Elsewhere"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(r.stderr.contains("nothing was run"), "{}", r.stderr);
    assert!(!scratch.exists(), "the other database was not created");
    let r = run(&server.url(), &["epic", "list", "--json"]);
    assert!(r.stdout.contains("Shared") && !r.stdout.contains("Elsewhere"));
}

#[test]
fn install_writes_a_user_unit_and_uninstall_removes_it() {
    let server = SyncServer::start();
    let a = connected(&server.url());
    let config = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        shark_tests::Run::from(
            a.command(args)
                .env("XDG_CONFIG_HOME", config.path())
                .output()
                .unwrap(),
        )
    };
    let r = run(&["daemon", "install"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("systemctl --user enable --now shark.service")
    );
    let unit = config.path().join("systemd/user/shark.service");
    let text = std::fs::read_to_string(&unit).unwrap();
    assert!(text.contains("daemon run --idle-secs 0"), "{text}");
    assert!(
        text.contains(&format!("SHARK_HOME={}", a.path().display())),
        "{text}"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&unit).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let r = run(&["daemon", "uninstall"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!unit.exists());
    // A local-only machine has nothing to install.
    let local = Machine::new();
    let r = shark_tests::Run::from(
        local
            .command(&["daemon", "install"])
            .env("XDG_CONFIG_HOME", config.path())
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 5);
    assert!(!unit.exists());
}

#[test]
fn the_unit_keeps_a_home_with_any_character_systemd_treats_specially() {
    let server = SyncServer::start();
    let base = tempfile::tempdir().unwrap();
    let home = base.path().join("a%b\\c d\"e$f");
    std::fs::create_dir(&home).unwrap();
    let config = tempfile::tempdir().unwrap();
    // Nothing here starts a daemon (init and install do not).
    let a = Machine::new().foreground();
    let run = |args: &[&str]| {
        shark_tests::Run::from(
            a.command(args)
                .env("SHARK_HOME", &home)
                .env("XDG_CONFIG_HOME", config.path())
                .output()
                .unwrap(),
        )
    };
    let r = run(&["cloud", "init", "--url", &server.url()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["daemon", "install"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let unit = config.path().join("systemd/user/shark.service");
    let text = std::fs::read_to_string(&unit).unwrap();
    let escaped = home
        .display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('%', "%%");
    assert!(
        text.contains(&format!("Environment=\"SHARK_HOME={escaped}\"\n")),
        "{text}"
    );
    // systemd's own parser finds nothing to complain about (it reports a
    // bad escape or quote on stderr).
    let verify = std::process::Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&unit)
        .output()
        .expect("systemd-analyze (the test command installs systemd)");
    let complaints = String::from_utf8_lossy(&verify.stderr);
    assert!(
        !complaints.contains("shark.service"),
        "systemd-analyze verify: {complaints}"
    );
}

/// The desktop app's side of the hand-over, without a window: a store
/// opened as the owner and the socket served.
struct App(std::sync::Arc<shark_core::store::Store>);

impl shark_cli::handoff::Host for App {
    fn store(
        &self,
    ) -> Result<std::sync::Arc<shark_core::store::Store>, shark_cli::handoff::NoStore> {
        Ok(self.0.clone())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_takes_the_file_over_and_a_daemon_serves_again_after_it() {
    use shark_core::config::{Config, Device};
    use shark_core::paths::SharkPaths;
    use std::sync::Arc;
    let server = SyncServer::start();
    let a = Arc::new(connected(&server.url()));
    let on = |args: &'static [&'static str]| {
        let a = a.clone();
        tokio::task::spawn_blocking(move || a.ok(args))
    };
    on(&["epic", "create", "By the daemon"]).await.unwrap();
    let paths = SharkPaths::under(a.path());
    // What the app does before it opens: the daemon hands the file over.
    let gone = shark_cli::daemon::evict(&paths).await.unwrap().unwrap();
    assert_eq!(gone.kind, shark_cli::handoff::OwnerKind::Daemon);
    assert!(a.daemon_pids().is_empty());
    let config = Config::load(&paths).unwrap();
    let device = Device::load_or_create(&paths, &config).unwrap();
    let opened = shark_core::cloud::open_as_owner(
        &paths,
        device,
        &config,
        Duration::from_secs(2),
        Duration::from_secs(1),
        shark_core::cloud::Attempt::Now,
    )
    .await
    .unwrap();
    let store = Arc::new(opened.store);
    let app = shark_cli::handoff::Server::start(
        shark_cli::handoff::bind(&paths).unwrap(),
        Arc::new(App(store.clone())),
    );
    // Commands now go to the app; none starts a daemon.
    on(&["epic", "create", "By the app"]).await.unwrap();
    let st: Value =
        serde_json::from_str(&on(&["daemon", "status", "--json"]).await.unwrap()).unwrap();
    assert_eq!(st["owner"]["kind"], "app");
    assert!(a.daemon_pids().is_empty());
    // The app quits (its socket file stays behind): the next command starts a daemon.
    app.stop(Duration::from_secs(5)).await;
    drop(store);
    let titles = on(&["epic", "list"]).await.unwrap();
    assert!(
        titles.contains("By the daemon") && titles.contains("By the app"),
        "{titles}"
    );
    assert_eq!(a.daemon_pids().len(), 1);
}

#[test]
fn a_daemon_of_another_version_makes_way_for_the_callers() {
    use std::io::{BufRead, BufReader, Write};
    let server = SyncServer::start();
    let a = connected(&server.url());
    a.ok(&["epic", "create", "Kept"]);
    let old = a.daemon_pids();
    assert_eq!(old.len(), 1);
    // A request as a shark of another version sends it.
    let mut s = std::os::unix::net::UnixStream::connect(a.path().join("app.sock")).unwrap();
    s.write_all(b"{\"protocol\":99,\"args\":[\"epic\",\"list\"],\"caller\":{}}\n")
        .unwrap();
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).unwrap();
    let reply: shark_cli::handoff::Reply = serde_json::from_str(&line).unwrap();
    assert!(reply.retry, "{line}");
    until(30, "the old daemon leaves", || {
        !shark_tests::daemons::alive(old[0])
    });
    // The next command starts one of its own version; nothing was lost.
    assert_eq!(a.epic_titles(), ["Kept"]);
    assert_eq!(a.daemon_pids().len(), 1);
}

#[test]
fn reads_do_not_wait_for_a_pull_stuck_on_a_dead_network() {
    use std::sync::atomic::Ordering;
    let server = SyncServer::start();
    let proxy = shark_tests::FaultProxy::start(server.addr());
    let a = connected(&proxy.url());
    // Idle read connections are closed after 1 s (the daemon keeps two).
    let config = a.path().join("config.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[database]\npool_idle_secs = 1\n");
    std::fs::write(&config, text).unwrap();
    a.ok(&["epic", "create", "Readable"]);
    // The live pull now hangs for the 10 s attempt timeout; the reaper runs.
    proxy.faults.black_hole.store(true, Ordering::SeqCst);
    std::thread::sleep(Duration::from_secs(3));
    for _ in 0..3 {
        let t = Instant::now();
        assert_eq!(a.epic_titles(), ["Readable"]);
        // A read that needed a new connection would wait for the pull (10 s).
        assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    }
    // `cloud status` shows the latest known figures instead of waiting.
    let t = Instant::now();
    let st = a.json(&["cloud", "status"]);
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert_eq!(st["owner"]["kind"], "daemon");
    // Doctor fails the server check (black-holed) but shows the kept readers.
    let doctor: Value = serde_json::from_str(&a.run(&["doctor", "--json"]).stdout).unwrap();
    assert!(doctor["pool"]["open"].as_u64().unwrap() >= 2, "{doctor:#}");
}
