//! `shark doctor` against a real sync server: healthy, stopped, a token file
//! others can read, an expired token, a truncated replica (and `shark cloud
//! rebuild` bringing it back, exporting unpushed work first), a redirecting
//! server, and `http://` to another machine refused without the flag.

use serde_json::Value;
use shark_tests::{AuthProxy, Machine, SyncServer};

fn token(claims: Value) -> String {
    shark_core::cloud::token::test_token(&claims)
        .expose()
        .to_string()
}

/// `shark doctor --json` with its exit code.
fn doctor(m: &Machine) -> (i32, Value) {
    let r = m.run(&["doctor", "--json"]);
    let v = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("doctor --json: not JSON ({e}): {}{}", r.stdout, r.stderr));
    (r.code, v)
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no {id} check in {report:#}"))
}

fn status(report: &Value, id: &str) -> String {
    check(report, id)["status"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A connected machine on the foreground path (no daemon holds the
/// replica, so the doctor's and rebuild's own checks see its files).
fn connected(server: &SyncServer) -> Machine {
    let m = Machine::new().foreground();
    m.ok(&["cloud", "init", "--url", &server.url()]);
    m.seed(2);
    m.ok(&["cloud", "sync"]);
    m
}

#[test]
fn healthy_then_stopped_server() {
    let mut server = SyncServer::start();
    let m = connected(&server);
    let (code, r) = doctor(&m);
    assert_eq!(code, 0, "{r:#}");
    for id in [
        "config",
        "url",
        "files",
        "integrity",
        "storage",
        "pending",
        "server",
        "last_sync",
        "last_error",
        "success_rate",
    ] {
        assert_eq!(status(&r, id), "pass", "{id}: {r:#}");
    }
    assert!(
        check(&r, "server")["detail"]
            .as_str()
            .unwrap()
            .contains("median round trip")
    );
    assert_eq!(r["pool"]["size"], 10, "default pool size: {r:#}");
    assert_eq!(r["failed"], 0);
    let text = m.ok(&["doctor"]);
    assert!(text.contains("All checks passed."), "{text}");

    server.stop();
    let (code, r) = doctor(&m);
    assert_eq!(code, 5, "a failed check fails the command: {r:#}");
    let server_check = check(&r, "server");
    assert_eq!(server_check["status"], "fail");
    assert!(
        server_check["detail"]
            .as_str()
            .unwrap()
            .contains("cannot reach"),
        "{r:#}"
    );
    assert!(
        server_check["fix"]
            .as_str()
            .unwrap()
            .contains("saved locally"),
        "{r:#}"
    );
    assert_eq!(
        status(&r, "integrity"),
        "pass",
        "the local side is still fine"
    );
    let r = m.run(&["doctor"]);
    assert!(
        r.stdout.contains("[FAIL] Server") && r.stdout.contains("fix: "),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("1 check failed"), "{}", r.stderr);
}

#[test]
fn token_file_readable_by_others_and_expired_token() {
    let server = SyncServer::start();
    let good = token(serde_json::json!({"id": "t"}));
    let proxy = AuthProxy::start(server.addr(), &good);
    let m = Machine::new();
    let file = m.path().join("turso-token");
    std::fs::write(&file, &good).unwrap();
    set_mode(&file, 0o600);
    m.ok(&["cloud", "init", "--url", &proxy.url()]);
    set_mode(&file, 0o644);
    let (code, r) = doctor(&m);
    assert_eq!(code, 5);
    let t = check(&r, "token");
    assert_eq!(t["status"], "fail", "{r:#}");
    assert!(t["detail"].as_str().unwrap().contains("mode 0644"), "{r:#}");
    assert_eq!(t["fix"], format!("chmod 600 {}", file.display()));
    assert_eq!(
        status(&r, "files"),
        "fail",
        "the file check names it too: {r:#}"
    );
    assert!(!r.to_string().contains(&good), "the token is never shown");

    set_mode(&file, 0o600);
    let (code, r) = doctor(&m);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(status(&r, "token"), "pass");
    assert_eq!(
        status(&r, "server"),
        "pass",
        "the proxy accepted the token: {r:#}"
    );

    let expired = token(serde_json::json!({"id": "t", "exp": 1_600_000_000}));
    std::fs::write(&file, &expired).unwrap();
    let (code, r) = doctor(&m);
    assert_eq!(code, 5);
    let t = check(&r, "token");
    assert_eq!(t["status"], "fail");
    assert!(
        t["detail"]
            .as_str()
            .unwrap()
            .contains("expired on 2020-09-13"),
        "{r:#}"
    );
    assert!(
        t["fix"].as_str().unwrap().contains("shark cloud login"),
        "{r:#}"
    );
    assert!(!r.to_string().contains(&expired));
}

fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn a_truncated_replica_is_explained_and_rebuilt_from_the_cloud() {
    let server = SyncServer::start();
    let m = connected(&server);
    let replica = m.path().join("replica.db");
    let len = std::fs::metadata(&replica).unwrap().len();
    assert!(len > 8192, "the replica has pages: {len}");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&replica)
        .unwrap()
        .set_len(len / 2 + 100)
        .unwrap();

    let err = m.fails(2, &["task", "list"]);
    assert!(
        err.contains("is damaged") && err.contains("shark cloud rebuild"),
        "{err}"
    );
    let (code, r) = doctor(&m);
    assert_eq!(code, 5);
    let db = check(&r, "integrity");
    assert_eq!(db["status"], "fail");
    assert!(
        db["detail"].as_str().unwrap().contains("cut short"),
        "{r:#}"
    );
    assert!(
        db["fix"]
            .as_str()
            .unwrap()
            .starts_with("shark cloud rebuild"),
        "{r:#}"
    );

    // Another problem stopping the open (a token file others can read) does
    // not hide the damage.
    let token_file = m.path().join("turso-token");
    std::fs::write(&token_file, token(serde_json::json!({"id": "t"}))).unwrap();
    set_mode(&token_file, 0o644);
    let (_, r) = doctor(&m);
    assert_eq!(status(&r, "token"), "fail");
    let detail = check(&r, "integrity")["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(detail.contains("is damaged"), "{r:#}");
    std::fs::remove_file(&token_file).unwrap();

    let err = m.fails(4, &["cloud", "rebuild"]);
    assert!(
        err.contains("cannot be opened") && err.contains("--yes"),
        "{err}"
    );
    let done = m.json(&["cloud", "rebuild", "--yes"]);
    assert_eq!(done["tasks"], 2, "{done:#}");
    assert_eq!(done["survey"]["readable"], false);
    let kept = std::path::PathBuf::from(done["kept"].as_str().unwrap());
    assert!(
        kept.join("replica.db").exists(),
        "the damaged file is kept aside"
    );
    assert_eq!(shark_tests::keys(&m.json(&["task", "list"])).len(), 2);
    let (code, r) = doctor(&m);
    assert_eq!(code, 0, "{r:#}");
}

#[test]
fn rebuild_exports_unpushed_work_first_and_changes_nothing_while_offline() {
    let mut server = SyncServer::start();
    let m = connected(&server);
    server.stop();
    m.ok(&["task", "create", "E01", "F01", "Written offline"]);
    let err = m.fails(4, &["cloud", "rebuild"]);
    assert!(err.contains("NOT pushed"), "{err}");
    let before = m.snapshot();
    let err = m.fails(4, &["cloud", "rebuild", "--yes"]);
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(
        m.snapshot(),
        before,
        "an unreachable server changes nothing"
    );

    server.restart();
    let done = m.json(&["cloud", "rebuild", "--yes"]);
    assert!(done["survey"]["unpushed"].as_i64().unwrap() > 0, "{done:#}");
    let export = done["export"].as_str().expect("an export").to_string();
    // The fresh copy has what the cloud had: the offline task was never pushed.
    let titles = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(!titles(&m.json(&["task", "list"])).contains(&"Written offline".to_string()));
    m.ok(&["import", &export]);
    assert!(titles(&m.json(&["task", "list"])).contains(&"Written offline".to_string()));
    m.ok(&["cloud", "sync"]);
}

#[test]
fn a_redirect_is_refused_and_never_followed() {
    let server = SyncServer::start();
    let good = token(serde_json::json!({"id": "t"}));
    let proxy = AuthProxy::start(server.addr(), &good);
    let m = Machine::new();
    let mut login = m.command(&["cloud", "login"]);
    login
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null());
    let mut child = login.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), good.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    m.ok(&["cloud", "init", "--url", &proxy.url()]);
    m.seed(1);
    // The redirect points at another loopback port where nothing listens:
    // following it would fail differently (connection refused).
    *proxy.redirect.lock().unwrap() = Some("http://127.0.0.1:9/elsewhere".into());
    let err = m.fails(5, &["cloud", "sync"]);
    assert!(err.contains("redirect"), "{err}");
    let (code, r) = doctor(&m);
    assert_eq!(code, 5);
    let s = check(&r, "server");
    assert!(
        s["detail"]
            .as_str()
            .unwrap()
            .contains("HTTP 307, a redirect to http://127.0.0.1:9/elsewhere"),
        "{r:#}"
    );
    assert_eq!(check(&r, "last_error")["status"], "fail", "{r:#}");
}

#[test]
fn http_to_another_machine_is_refused_without_the_flag() {
    // The address is never reached: the commands run with no network at all.
    let m = Machine::new();
    let run = |args: &[&str]| -> shark_tests::Run {
        let mut c = std::process::Command::new("unshare");
        c.arg("-n")
            .arg("--")
            .arg(shark_tests::shark_bin())
            .args(args);
        c.env("SHARK_HOME", m.path())
            .env("SHARK_NO_KEYRING", "1")
            .env("SHARK_DAEMON", "off");
        c.output().expect("unshare -n (root in CI)").into()
    };
    let r = run(&["cloud", "init", "--url", "http://10.11.12.13:8080"]);
    assert_eq!(r.code, 4, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("clear text") && r.stderr.contains("--allow-insecure-http"),
        "{}",
        r.stderr
    );
    assert!(
        !m.path().join("config.toml").exists()
            || !std::fs::read_to_string(m.path().join("config.toml"))
                .unwrap()
                .contains("10.11.12.13")
    );

    let r = run(&[
        "cloud",
        "init",
        "--url",
        "http://10.11.12.13:8080",
        "--allow-insecure-http",
    ]);
    assert_eq!(
        r.code, 0,
        "allowed (it cannot connect here, so it works locally): {}{}",
        r.stdout, r.stderr
    );
    assert!(
        r.stdout.contains("clear text"),
        "status warns: {}",
        r.stdout
    );
    let r = run(&["cloud", "status"]);
    assert!(
        r.stdout
            .contains("warning: http://10.11.12.13:8080 uses http:// to another machine"),
        "{}",
        r.stdout
    );
    let r = run(&["doctor", "--json"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(check(&v, "url")["status"], "warn", "{v:#}");
    assert!(
        check(&v, "url")["fix"]
            .as_str()
            .unwrap()
            .contains("https://10.11.12.13:8080")
    );
}
