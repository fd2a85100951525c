//! `shark cloud ...` and automatic sync, through the real binary and the real
//! sync server: connecting, carrying local data over once, offline work,
//! disconnecting, and the token rules.

use std::time::Duration;

use shark_tests::{Machine, SyncServer, keys};

fn connect(m: &Machine, server: &SyncServer) {
    m.set_sync_interval(1);
    m.ok(&["cloud", "init", "--url", &server.url()]);
}

// The foreground path (SHARK_DAEMON=off): each command syncs before it exits.
#[test]
fn local_work_is_carried_over_once_and_machines_share_it() {
    let server = SyncServer::start();
    let a = Machine::new().foreground();
    a.seed(2);
    connect(&a, &server);
    let st = a.json(&["cloud", "status"]);
    assert_eq!(
        (st["mode"].as_str(), st["state"].as_str()),
        (Some("replica"), Some("up to date"))
    );
    assert_eq!(st["pending_changes"], 0);
    // Reconnecting (init again) duplicates nothing.
    a.ok(&["cloud", "init", "--url", &server.url()]);

    let b = Machine::new().foreground();
    connect(&b, &server);
    assert_eq!(
        keys(&b.json(&["task", "list"])),
        ["T-E01-F01-001", "T-E01-F01-002"]
    );

    // A write on B is pushed by the same command; A sees it after a sync.
    b.ok(&["task", "start", "E01-F01-002", "--agent", "laptop-agent"]);
    a.ok(&["cloud", "sync"]);
    assert_eq!(
        a.json(&["task", "get", "E01-F01-002"])["status"],
        "in_progress"
    );
    assert_eq!(
        keys(&a.json(&["task", "list"])).len(),
        2,
        "nothing duplicated"
    );
}

// The foreground path (SHARK_DAEMON=off): each command syncs before it exits.
#[test]
fn offline_writes_queue_and_sync_by_themselves_when_the_server_returns() {
    let mut server = SyncServer::start();
    let a = Machine::new().foreground();
    a.seed(0);
    connect(&a, &server);
    server.stop();
    for i in 0..3 {
        a.ok(&["task", "create", "E01", "F01", &format!("offline {i}")]);
    }
    assert_eq!(
        keys(&a.json(&["task", "list"])).len(),
        3,
        "reads and writes work offline"
    );
    let st = a.json(&["cloud", "status"]);
    assert_eq!(st["state"], "offline");
    assert!(st["pending_changes"].as_i64().unwrap() > 0);
    let err = a.fails(5, &["cloud", "sync"]);
    assert!(err.contains("cannot reach the Turso server"), "{err}");

    server.restart();
    std::thread::sleep(Duration::from_millis(1100)); // the retry pause (the sync interval, 1 s here)
    a.ok(&["task", "list"]); // any command syncs when due, without being asked
    assert_eq!(a.json(&["cloud", "status"])["pending_changes"], 0);
    let b = Machine::new().foreground();
    connect(&b, &server);
    assert_eq!(
        keys(&b.json(&["task", "list"])).len(),
        3,
        "nothing written offline was lost"
    );
}

// The foreground path (SHARK_DAEMON=off): each command syncs before it exits.
#[test]
fn an_unreachable_cloud_on_first_connect_falls_back_to_local_then_connects() {
    let mut server = SyncServer::start();
    server.stop();
    let a = Machine::new().foreground();
    a.seed(1);
    a.set_sync_interval(1);
    let r = a.run(&["cloud", "init", "--url", &server.url()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("cannot be reached yet; working on the local database"),
        "{}",
        r.stderr
    );
    a.ok(&["task", "create", "E01", "F01", "while not connected"]);
    assert_eq!(a.json(&["cloud", "status"])["mode"], "local_fallback");

    server.restart();
    std::thread::sleep(Duration::from_millis(1100));
    let r = a.run(&["task", "list"]);
    assert!(
        r.stderr.contains("carried"),
        "the next run connects and carries the data over: {}",
        r.stderr
    );
    assert_eq!(a.json(&["cloud", "status"])["mode"], "replica");
    let b = Machine::new().foreground();
    connect(&b, &server);
    assert_eq!(
        keys(&b.json(&["task", "list"])),
        ["T-E01-F01-001", "T-E01-F01-002"]
    );
}

#[test]
fn disconnect_keeps_every_task_locally() {
    let server = SyncServer::start();
    let a = Machine::new();
    a.seed(1);
    connect(&a, &server);
    a.ok(&["task", "create", "E01", "F01", "made while connected"]);
    let out = a.ok(&["cloud", "disconnect"]);
    assert!(out.contains("local only now"), "{out}");
    assert_eq!(a.json(&["cloud", "status"])["mode"], "local");
    assert_eq!(
        keys(&a.json(&["task", "list"])),
        ["T-E01-F01-001", "T-E01-F01-002"]
    );
    assert!(!a.path().join("replica.db").exists());
    a.ok(&["task", "create", "E01", "F01", "local again"]);
}

#[test]
fn local_only_sync_and_bad_urls_are_explained() {
    let m = Machine::new();
    let err = m.fails(5, &["cloud", "sync"]);
    assert!(
        err.contains("local only; connect it with shark cloud init --url"),
        "{err}"
    );
    let err = m.fails(4, &["cloud", "init", "--url", "postgres://me:secret@db/x"]);
    assert!(
        err.contains("not a database URL Shark understands") && !err.contains("secret"),
        "{err}"
    );
    m.fails(4, &["cloud", "init", "--url", "file:/tmp/x.db"]);
    let err = m.fails(
        4,
        &[
            "cloud",
            "init",
            "--url",
            "libsql://db.example?authToken=eyJtopsecret",
        ],
    );
    assert!(
        err.contains("carries a token") && !err.contains("eyJtopsecret"),
        "{err}"
    );
    let config = std::fs::read_to_string(m.path().join("config.toml")).unwrap_or_default();
    assert!(
        !config.contains("eyJtopsecret"),
        "the token never reaches the settings"
    );
    assert_eq!(m.json(&["cloud", "status"])["mode"], "local");
}

#[cfg(unix)]
#[test]
fn a_token_file_others_can_read_is_refused_with_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    let server = SyncServer::start();
    let m = Machine::new();
    let tok = shark_core::cloud::token::test_token(&serde_json::json!({"a": "rw"}));
    let mut login = m.command(&["cloud", "login"]);
    login
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = login.spawn().unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), tok.expose().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = m.path().join("turso-token");
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = m.fails(4, &["cloud", "init", "--url", &server.url()]);
    assert!(
        err.contains(&format!("chmod 600 {}", file.display())),
        "{err}"
    );
    m.ok(&["cloud", "logout"]);
    assert!(!file.exists());
}

#[test]
fn an_expired_token_is_caught_before_any_request() {
    let mut server = SyncServer::start();
    server.stop(); // nothing listens: any request would fail as "offline", not "expired"
    let m = Machine::new();
    let expired = shark_core::cloud::token::test_token(&serde_json::json!({"exp": 1_600_000_000}));
    let r = m
        .command(&["cloud", "init", "--url", &server.url()])
        .env("TURSO_AUTH_TOKEN", expired.expose())
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(4));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("the Turso token expired on 2020-09-13"),
        "{err}"
    );
    assert!(!err.contains(expired.expose()));
}

#[test]
fn the_token_never_appears_in_output_logs_or_files() {
    let server = SyncServer::start();
    let m = Machine::new();
    m.seed(1);
    m.set_sync_interval(1);
    let token =
        shark_core::cloud::token::test_token(&serde_json::json!({"id": "LEAKCANARY-7f3a9c"}));
    let mut seen = String::new();
    for args in [
        vec!["cloud", "init", "--url", server.url().as_str()],
        vec!["cloud", "status"],
        vec!["cloud", "status", "--json"],
        vec!["cloud", "sync"],
        vec!["task", "create", "E01", "F01", "x"],
        vec!["cloud", "disconnect"],
    ] {
        let mut a = args.clone();
        a.push("-vv");
        let r = m
            .command(&a)
            .env("TURSO_AUTH_TOKEN", token.expose())
            .env("SHARK_LOG", "trace")
            .output()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&r.stdout));
        seen.push_str(&String::from_utf8_lossy(&r.stderr));
    }
    assert!(
        !seen.contains(token.expose()),
        "the token leaked into output"
    );
    assert!(
        seen.len() > 1000,
        "verbose logging was on ({} bytes)",
        seen.len()
    );
    for entry in walk(m.path()) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        let needle = token.expose().as_bytes();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "the token is in {}",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p))
        } else {
            out.push(p)
        }
    }
    out
}
