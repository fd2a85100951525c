//! Bad input never breaks a database (issue 18): each test feeds one kind of
//! bad input through the real binary and checks the clear error or the
//! documented repair, and that every other command keeps working.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use shark_tests::goshark::{self, Schema};
use shark_tests::{Machine, keys};

fn go_shark_file(dir: &Path, changes: &[&str]) -> std::path::PathBuf {
    let path = dir.join("shark-tasks.db");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        goshark::write(&path, Schema::New, 0).await;
        for sql in changes {
            goshark::change(&path, sql).await;
        }
    });
    path
}

/// Key numbers outside 1..=9999 (E00, F00, 000, 12345) are imported under
/// the next free number, each named in the summary, and the database stays
/// readable by every command.
#[test]
fn key_numbers_out_of_range_are_placed_at_the_next_free_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = go_shark_file(
        dir.path(),
        &[
            "UPDATE epics SET key = 'E00' WHERE key = 'E02-mobile-app'",
            "UPDATE features SET key = 'E00-F00' WHERE key = 'E02-F01'",
            "UPDATE tasks SET key = 'T-E00-F00-000' WHERE key = 'T-E02-F01-001'",
            "UPDATE tasks SET key = 'T-E01-F01-12345' WHERE key = 'T-E01-F01-003'",
        ],
    );
    let m = Machine::new();
    let s = m.json(&["import", file.to_str().unwrap()]);
    let remarks = s["remarks"].to_string();
    for r in [
        "E00 is not a valid key (numbers run from 1 to 9999): imported as E02",
        "E02-F00 is not a valid key (numbers run from 1 to 9999): imported as E02-F01",
        "T-E00-F00-000 is not a valid key (numbers run from 1 to 9999): imported as T-E02-F01-001",
        "T-E01-F01-12345 is not a valid key (numbers run from 1 to 9999): imported as T-E01-F01-003",
    ] {
        assert!(remarks.contains(r), "{r}: {remarks}");
    }
    assert_eq!(s["tasks"]["imported"], 5, "{s}");
    // Every read works, and the moved rows are reachable by their new keys.
    assert_eq!(m.json(&["epic", "list"])["count"], 2);
    assert_eq!(keys(&m.json(&["task", "list", "--all"])).len(), 5);
    assert_eq!(m.json(&["epic", "get", "E02"])["title"], "Mobile");
    assert_eq!(
        m.json(&["task", "get", "T-E02-F01-001"])["title"],
        "Sync queue"
    );
    assert_eq!(
        m.json(&["task", "get", "T-E01-F01-003"])["title"],
        "Reset password"
    );
    let out = dir.path().join("out.json");
    m.ok(&["export", "--format", "json", out.to_str().unwrap()]);
    // A second import recognizes its rows: nothing new, nothing moved again.
    let again = m.json(&["import", file.to_str().unwrap()]);
    assert_eq!(again["tasks"]["imported"], 0, "{again}");
    assert_eq!(keys(&m.json(&["task", "list", "--all"])).len(), 5);
}

/// Set in the child that runs inside an empty network namespace.
const NETNS_CHILD: &str = "SHARK_TEST_IN_EMPTY_NETNS";

/// A token never travels over plain http to another machine: Test
/// connection, the server ping (doctor) and `cloud rebuild` refuse before
/// sending anything. The checks run in a child process inside an empty
/// network namespace (`unshare -n`), so even a regression sends nothing.
#[test]
fn a_token_is_never_sent_in_clear_text_to_another_machine() {
    let status = std::process::Command::new("unshare")
        .args(["-n", "--"])
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "clear_text_refusals_in_an_empty_netns",
            "--test-threads=1",
        ])
        .env(NETNS_CHILD, "1")
        .status()
        .expect("unshare (util-linux) runs the check in an empty network namespace");
    assert!(status.success(), "the refusals failed inside the namespace");
}

/// Not a test of its own: the child of the test above.
#[tokio::test(flavor = "current_thread")]
async fn clear_text_refusals_in_an_empty_netns() {
    if std::env::var_os(NETNS_CHILD).is_none() {
        return;
    }
    use shark_core::doctor::ping::{Ping, ping};
    use shark_core::secret::SecretToken;
    let url = "http://192.0.2.1:9";
    let token = SecretToken::new("a-secret-token");
    let started = std::time::Instant::now();
    let probe = shark_core::cloud::test_connection(
        url,
        Some(&token),
        false,
        std::time::Duration::from_secs(5),
    )
    .await;
    assert!(!probe.ok);
    assert!(probe.message.contains("clear text"), "{}", probe.message);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(1),
        "refused before any attempt"
    );
    match ping(url, Some(&token), false).await {
        Ping::NotSent { reason } => assert!(reason.contains("clear text"), "{reason}"),
        other => panic!("the ping was attempted: {other:?}"),
    }
    // cloud rebuild checks the URL before it pings the server with the token.
    let m = Machine::new();
    std::fs::write(
        m.path().join("config.toml"),
        format!("[cloud]\nurl = \"{url}\"\n"),
    )
    .unwrap();
    let r = m
        .command(&["cloud", "rebuild", "--yes"])
        .env("TURSO_AUTH_TOKEN", token.expose())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&r.stderr);
    assert_ne!(r.status.code(), Some(0), "{err}");
    assert!(err.contains("clear text"), "{err}");
}

/// An argument that is not UTF-8 (a file name in another encoding) gets a
/// usage error naming it, never a panic, and writes nothing.
#[test]
fn a_non_utf8_argument_is_a_usage_error() {
    use std::os::unix::ffi::OsStrExt;
    let m = Machine::new();
    m.seed(1);
    let before = m.snapshot();
    let bad = std::ffi::OsStr::from_bytes(b"/tmp/\xff.json");
    let out = m
        .command(&["export", "--format", "json"])
        .arg(bad)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("argument 4") && err.contains("not valid UTF-8"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let title = std::ffi::OsStr::from_bytes(b"caf\xe9");
    let out = m
        .command(&["task", "create", "E01", "F01"])
        .arg(title)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(m.snapshot(), before, "nothing was written");
}

/// Terminal escape sequences in a title and an agent name (from an import:
/// the CLI refuses them as input) and in a description and a note are
/// shown escaped in human output, and kept exactly in JSON.
#[test]
fn control_characters_are_escaped_for_people_and_exact_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let file = go_shark_file(
        dir.path(),
        &[
            "UPDATE tasks SET title = 'Fix ' || char(27) || ']0;pwned' || char(7) || 'login' || char(27) || '[2J', \
           agent_type = 'bot' || char(27) || '[31m' WHERE key = 'T-E01-F01-001'",
        ],
    );
    let m = Machine::new();
    m.ok(&["import", file.to_str().unwrap()]);
    let k = "T-E01-F01-001";
    m.ok(&[
        "task",
        "update",
        k,
        "--description",
        "line one\nline \u{9b}two",
    ]);
    m.ok(&["task", "note", k, "see \u{1b}[1mthis"]);
    for args in [
        vec!["task", "list"],
        vec!["task", "get", k],
        vec!["task", "notes", k],
        vec!["task", "history", k],
    ] {
        let out = m.ok(&args);
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{9b}'),
            "{args:?} printed a control character: {out:?}"
        );
    }
    let shown = m.ok(&["task", "get", k]);
    assert!(
        shown.contains("Fix \\x1b]0;pwned\\x07login\\x1b[2J"),
        "{shown}"
    );
    assert!(
        shown.contains("line one\nline \\x9btwo"),
        "line breaks stay: {shown}"
    );
    assert!(shown.contains("bot\\x1b[31m"), "{shown}");
    // JSON is exact.
    let t = m.json(&["task", "get", k]);
    assert_eq!(t["title"], "Fix \u{1b}]0;pwned\u{7}login\u{1b}[2J");
    assert_eq!(t["agent_type"], "bot\u{1b}[31m");
    assert_eq!(t["description"], "line one\nline \u{9b}two");
    // An error that quotes what was typed is escaped too.
    let err = m.fails(4, &["task", "get", "T-E01-F01-\u{1b}[2J"]);
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

/// A batch past 64 MiB (standard input) and an import file past 256 MiB are
/// refused whole with the limit named; nothing is written.
#[test]
fn oversized_batches_and_imports_are_refused_whole() {
    use std::io::Write;
    let m = Machine::new();
    m.seed(1);
    let before = m.snapshot();
    let mut child = m
        .command(&["task", "create", "--batch", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let item = br#"{"feature":"E01-F01","title":"padding padding padding padding padding"},"#;
        let _ = stdin.write_all(b"[");
        for _ in 0..(65 * 1024 * 1024 / item.len()) {
            if stdin.write_all(item).is_err() {
                return; // the reader stopped at the limit
            }
        }
        let _ = stdin.write_all(br#"{"feature":"E01-F01","title":"last"}]"#);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(err.contains("larger than 64 MiB"), "{err}");
    assert_eq!(m.snapshot(), before, "nothing was created");

    let big = tempfile::NamedTempFile::new().unwrap();
    big.as_file().set_len(257 * 1024 * 1024).unwrap(); // sparse: no disk used
    let err = m.fails(4, &["import", big.path().to_str().unwrap()]);
    assert!(
        err.contains("up to 256 MiB") && err.contains("Nothing was imported"),
        "{err}"
    );
    assert_eq!(m.snapshot(), before);
}

/// Another program's SQLite file: a Prisma-style `User` table.
fn app_database(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("app.db");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = libsql::Builder::new_local(&path).build().await.unwrap();
        let c = db.connect().unwrap();
        c.execute_batch(
            "CREATE TABLE User (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO User (email) VALUES ('a@b.c');",
        )
        .await
        .unwrap();
    });
    path
}

/// A generic `DATABASE_URL` that is not a Turso URL is another program's:
/// Shark ignores it (doctor says so) and never touches that file; a URL
/// meant for Shark that points at another program's database is refused,
/// naming the variable, and the file is left byte for byte as it was.
#[test]
fn other_programs_databases_are_never_written() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_database(dir.path());
    let before = std::fs::read(&app).unwrap();
    let m = Machine::new();
    let url = format!("file:{}", app.display());
    let out = m
        .command(&["epic", "create", "Mine"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&app).unwrap(),
        before,
        "the app's file is untouched"
    );
    assert!(
        m.path().join("shark.db").exists(),
        "Shark used its own database"
    );
    let doctor = m
        .command(&["doctor", "--json"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&doctor.stdout).unwrap();
    let ignored = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "url_ignored")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert!(
        ignored["detail"]
            .as_str()
            .unwrap()
            .starts_with("DATABASE_URL (file:...) ignored"),
        "{ignored}"
    );
    // postgres:// is not Shark's either: ignored, not an error.
    let out = m
        .command(&["epic", "list"])
        .env("DATABASE_URL", "postgres://u@h/db")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    for var in ["SHARK_DB_URL", "TURSO_DATABASE_URL"] {
        let out = m
            .command(&["epic", "create", "Into the app"])
            .env(var, app.to_str().unwrap())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{var}: {err}");
        assert!(
            err.contains("is not a Shark database")
                && err.contains("User")
                && err.contains(&format!("env -u {var}")),
            "{var}: {err}"
        );
        assert_eq!(
            std::fs::read(&app).unwrap(),
            before,
            "{var}: the app's file is untouched"
        );
    }
}

/// The other project's client: one SQL statement sent to the sync server as
/// a Hrana pipeline (the endpoint Turso's clients push through), over a
/// plain HTTP connection that closes after the answer. Returns the answer.
fn their_sql(addr: std::net::SocketAddr, sql: &str) -> String {
    use std::io::{Read, Write};
    let body = serde_json::json!({
        "baton": null,
        "requests": [{"type": "execute", "stmt": {"sql": sql}}],
    })
    .to_string();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    write!(
        s,
        "POST /v2/pipeline HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{sql}: {answer}");
    answer
}

/// `TURSO_DATABASE_URL` from another project's shell: its Turso database
/// holds that project's tables, so Shark refuses it right after the
/// download, pushes nothing into it and leaves no replica behind.
#[test]
fn another_project_s_turso_database_is_refused() {
    let server = shark_tests::SyncServer::start();
    their_sql(
        server.addr(),
        "CREATE TABLE orders (id TEXT PRIMARY KEY, total INTEGER)",
    );
    their_sql(server.addr(), "INSERT INTO orders VALUES ('o1', 42)");

    let m = Machine::new();
    m.seed(1);
    let out = m
        .command(&["task", "list"])
        .env("TURSO_DATABASE_URL", server.url())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("is not a Shark database") && err.contains("orders"),
        "{err}"
    );
    assert!(err.contains("env -u TURSO_DATABASE_URL"), "{err}");
    assert!(
        !m.path().join("replica.db").exists(),
        "no replica of their database is kept"
    );
    // Their database gained nothing: only their table is there.
    let tables = their_sql(
        server.addr(),
        "SELECT group_concat(name) FROM sqlite_master WHERE type = 'table' AND name IN ('epics', 'tasks', 'devices', 'orders')",
    );
    assert!(tables.contains("\"orders\""), "{tables}");
    for shark in ["epics", "tasks", "devices"] {
        assert!(
            !tables.contains(shark),
            "{shark} reached their database: {tables}"
        );
    }
    // Without the variable, Shark works on its own database as before.
    assert_eq!(keys(&m.json(&["task", "list"])).len(), 1);
}
