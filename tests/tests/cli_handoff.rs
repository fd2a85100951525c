//! The CLI beside the desktop app: while a process holds the database and
//! serves the hand-off socket (as the app does), `shark` commands run in that
//! process, with the caller's identity, input, output and exit codes.

// Test helpers may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use shark_cli::handoff::{self, Host};
use shark_core::config::{Config, Device};
use shark_core::paths::SharkPaths;
use shark_core::store::{Store, TaskFilter};
use shark_tests::Machine;

struct Held(Arc<Store>);

impl Host for Held {
    fn store(&self) -> Result<Arc<Store>, handoff::NoStore> {
        Ok(self.0.clone())
    }
}

/// A host that also says how it is connected, as the app does.
struct HeldConnected(Arc<Store>);

/// Opens the machine's database in this process and serves the socket with
/// the host `make` builds.
async fn hold_with(
    m: &Machine,
    make: impl FnOnce(Arc<Store>) -> Arc<dyn Host>,
) -> (Arc<Store>, tokio::task::JoinHandle<()>) {
    let paths = SharkPaths::under(m.path());
    let device = Device::load_or_create(&paths, &Config::default()).unwrap();
    let store = Arc::new(
        Store::open(&paths, device, Duration::from_secs(2))
            .await
            .unwrap(),
    );
    let listener = handoff::bind(&paths).unwrap();
    let server = tokio::spawn(handoff::serve(listener, make(store.clone())));
    (store, server)
}

impl Host for HeldConnected {
    fn store(&self) -> Result<Arc<Store>, handoff::NoStore> {
        Ok(self.0.clone())
    }

    fn connection(&self) -> Option<shark_core::cloud::ConnectionInfo> {
        Some(shark_core::cloud::ConnectionInfo {
            mode: shark_core::cloud::Mode::Local,
            url: None,
            url_source: shark_core::cloud::UrlSource::Default,
            token_source: None,
            token_expires_at: None,
            transport: None,
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_status_and_usage_are_answered_by_the_app() {
    let m = Machine::new();
    let paths = SharkPaths::under(m.path());
    let (_store, server) = hold_with(&m, |s| Arc::new(HeldConnected(s))).await;
    let r = cli(&m, &["cloud", "status", "--json"], None, None).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let st: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(st["mode"], "local");
    // Usage settings change through the app too (saved in the same home).
    let r = cli(&m, &["cloud", "usage", "--warn-percent", "70"], None, None).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("warn at 70%"), "{}", r.stdout);
    assert!(
        std::fs::read_to_string(paths.config_file())
            .unwrap()
            .contains("warn_percent = 70")
    );
    // The token is read from the terminal, which the app does not have: refused.
    let r = cli(&m, &["cloud", "usage", "--api-token"], None, Some("tok")).await;
    assert_eq!(r.code, 5);
    assert!(
        r.stderr
            .contains("add the Platform API token in its Settings"),
        "{}",
        r.stderr
    );
    // `cloud sync` is the owner's to run; a local-only one says so.
    let r = cli(&m, &["cloud", "sync"], None, None).await;
    assert_eq!(r.code, 5);
    assert!(r.stderr.contains("not connected to Turso"), "{}", r.stderr);
    // Connection changes stay with the app's Settings.
    let r = cli(
        &m,
        &["cloud", "init", "--url", "http://127.0.0.1:9"],
        None,
        None,
    )
    .await;
    assert_eq!(r.code, 5);
    assert!(r.stderr.contains("desktop app is running"), "{}", r.stderr);
    assert!(Config::load(&paths).unwrap().cloud.url.is_none());
    server.abort();
}

/// Opens the machine's database in this process and serves the socket.
async fn hold(m: &Machine) -> (Arc<Store>, tokio::task::JoinHandle<()>) {
    hold_with(m, |s| Arc::new(Held(s))).await
}

/// Runs the CLI off the async threads; a run that did not hand over would
/// wait for the lock, so the lock wait is cut to 300 ms to fail fast.
async fn cli(
    m: &Machine,
    args: &[&str],
    agent: Option<&str>,
    stdin: Option<&str>,
) -> shark_tests::Run {
    let mut c = m.command(args);
    c.env("SHARK_LOCK_TIMEOUT_MS", "300");
    if let Some(a) = agent {
        c.env("SHARK_AGENT", a);
    }
    let input = stdin.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        if input.is_some() {
            c.stdin(Stdio::piped());
        }
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        if let Some(text) = input {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        child.wait_with_output().unwrap().into()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_run_in_the_process_holding_the_database() {
    let m = Machine::new();
    let (store, server) = hold(&m).await;
    let mut changes = store.changes();

    let started = Instant::now();
    let r = cli(&m, &["epic", "create", "Auth", "--json"], None, None).await;
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let epic: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(epic["key"], "E01");
    // The holder saw the write at once (the app refreshes its views on this).
    assert!(changes.has_changed().unwrap());
    changes.borrow_and_update();
    assert_eq!(store.list_epics().await.unwrap()[0].title, "Auth");
    let r = cli(&m, &["feature", "create", "E01", "Login"], None, None).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("E01-F01"), "{}", r.stdout);

    // Agents keep their identity; the batch is read on the CLI's side.
    let batch = r#"[{"feature":"E01-F01","title":"One"},{"feature":"E01-F01","title":"Two"}]"#;
    let r = cli(
        &m,
        &["task", "create", "--batch", "-", "--json"],
        Some("claude"),
        Some(batch),
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = cli(
        &m,
        &["task", "start", "T-E01-F01-001"],
        Some("claude"),
        None,
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let history = store.task_history("T-E01-F01-001").await.unwrap();
    assert!(
        history
            .iter()
            .any(|h| h.actor == "claude" && h.field == "status"),
        "{history:?}"
    );
    let tasks = store.list_tasks(&TaskFilter::everything()).await.unwrap();
    assert_eq!(tasks.len(), 2);

    // Output and exit codes are those of a local run.
    let r = cli(&m, &["task", "get", "T-E01-F09-001", "--json"], None, None).await;
    assert_eq!(r.code, 1, "{}", r.stdout);
    let err: serde_json::Value = serde_json::from_str(r.stderr.trim()).unwrap();
    assert_eq!(err["error"]["code"], "not_found");
    let r = cli(
        &m,
        &["task", "create", "E01", "F01", "x", "--priority", "99"],
        None,
        None,
    )
    .await;
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("priority"), "{}", r.stderr);
    let r = cli(&m, &["task", "list"], None, None).await;
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("T-E01-F01-002"), "{}", r.stdout);

    // Cloud settings belong to the app while it runs: a clear refusal.
    let r = cli(&m, &["cloud", "status"], None, None).await;
    assert_eq!(r.code, 5);
    assert!(r.stderr.contains("desktop app is running"), "{}", r.stderr);

    // No command waited for the lock (each would have taken 300 ms and failed).
    assert!(started.elapsed() < Duration::from_secs(20));
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_socket_is_ignored() {
    let m = Machine::new();
    m.ok(&["epic", "create", "Auth"]);
    let paths = SharkPaths::under(m.path());
    // A socket file nobody listens on (an app that crashed).
    drop(handoff::bind(&paths).unwrap());
    assert!(paths.app_socket().exists());
    let r = cli(&m, &["epic", "list", "--json"], None, None).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Auth"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_socket_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let m = Machine::new();
    let (_store, server) = hold(&m).await;
    let mode = std::fs::metadata(SharkPaths::under(m.path()).app_socket())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreadable_or_foreign_requests_get_a_clear_error() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let m = Machine::new();
    let (store, server) = hold(&m).await;
    let socket = SharkPaths::under(m.path()).app_socket();
    for (request, expected) in [
        ("not json\n", "unreadable request"),
        (
            "{\"protocol\":99,\"args\":[\"epic\",\"list\"],\"caller\":{}}\n",
            "protocol 99",
        ),
    ] {
        let stream = tokio::net::UnixStream::connect(&socket).await.unwrap();
        let (read, mut write) = stream.into_split();
        write.write_all(request.as_bytes()).await.unwrap();
        let mut line = String::new();
        BufReader::new(read).read_line(&mut line).await.unwrap();
        let reply: handoff::Reply = serde_json::from_str(&line).unwrap();
        assert_eq!(reply.code, 5);
        assert!(reply.stderr.contains(expected), "{}", reply.stderr);
    }
    // Nothing was written, and the app still serves real commands.
    assert!(store.list_epics().await.unwrap().is_empty());
    let r = cli(&m, &["epic", "list", "--json"], None, None).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_and_export_paths_are_the_callers() {
    let m = Machine::new();
    let (store, server) = hold(&m).await;
    let work = tempfile::tempdir().unwrap();
    shark_tests::goshark::write(
        &work.path().join("old.db"),
        shark_tests::goshark::Schema::New,
        0,
    )
    .await;
    let run = |args: &'static [&'static str]| {
        let mut c = m.command(args);
        c.current_dir(work.path())
            .env("SHARK_LOCK_TIMEOUT_MS", "300");
        tokio::task::spawn_blocking(move || shark_tests::Run::from(c.output().unwrap()))
    };
    // Relative paths mean the caller's folder, not the app's.
    let r = run(&["import", "old.db"]).await.unwrap();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("5 imported"), "{}", r.stdout);
    let all = TaskFilter {
        include_archived: true,
        ..Default::default()
    };
    assert_eq!(
        store.list_tasks(&all).await.unwrap().len(),
        5,
        "written by the app's store"
    );
    let r = run(&["export", "--format", "json", "out.json"])
        .await
        .unwrap();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(work.path().join("out.json").exists());
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_goes_away_ends_a_handed_over_command_quietly() {
    let m = Machine::new();
    m.ok(&["epic", "create", "E"]);
    m.ok(&["feature", "create", "E01", "F"]);
    let (store, server) = hold(&m).await;
    // Far more output than a pipe holds.
    let news = (0..2000)
        .map(|i| {
            shark_core::store::NewTask::new(
                "E01-F01",
                format!("a task with a long enough title to fill the pipe {i}"),
            )
        })
        .collect();
    store
        .create_tasks(news, &shark_core::model::Actor::user("t"))
        .await
        .unwrap();
    let mut c = m.command(&["task", "list", "--json"]);
    c.env("SHARK_LOCK_TIMEOUT_MS", "300");
    let run = tokio::task::spawn_blocking(move || {
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        // `| head -c 10`: read a little, then close the pipe.
        let mut first = [0u8; 10];
        std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
        drop(child.stdout.take());
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    server.abort();
}

/// A host that says which database it serves, as the app and the daemon do.
struct HeldFor(Arc<Store>, &'static str);

impl Host for HeldFor {
    fn store(&self) -> Result<Arc<Store>, handoff::NoStore> {
        Ok(self.0.clone())
    }

    fn owner(&self) -> handoff::OwnerInfo {
        handoff::OwnerInfo {
            kind: handoff::OwnerKind::App,
            pid: std::process::id(),
            since: None,
            database: Some(self.1.to_string()),
            idle_exit_secs: None,
            pending_changes: 0,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_meant_for_another_database_is_refused_and_writes_nothing() {
    let m = Machine::new();
    let (store, server) = hold_with(&m, |s| Arc::new(HeldFor(s, "turso http://elsewhere"))).await;
    let r = cli(&m, &["epic", "create", "Lost?"], None, None).await;
    assert_eq!(r.code, 5, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("nothing was run"), "{}", r.stderr);
    assert!(
        r.stderr.contains("local "),
        "names the caller's database: {}",
        r.stderr
    );
    assert!(store.list_epics().await.unwrap().is_empty());
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_over_the_limit_fails_and_writes_nothing() {
    let m = Machine::new();
    m.seed(0);
    let (store, server) = hold(&m).await;
    // 65 MiB of tasks: refused before anything is sent (exit 1, not 0).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    let title = "x".repeat(1000);
    let one = format!(r#"{{"feature":"E01-F01","title":"{title}"}}"#);
    let count = 65 * 1024 * 1024 / one.len() + 1;
    let mut text = String::with_capacity(count * (one.len() + 1) + 2);
    text.push('[');
    for i in 0..count {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&one);
    }
    text.push(']');
    std::fs::write(&path, text).unwrap();
    let r = cli(
        &m,
        &["task", "create", "--batch", path.to_str().unwrap()],
        None,
        None,
    )
    .await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("too large"), "{}", r.stderr);
    assert!(
        store
            .list_tasks(&TaskFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    // A client that sends more than the limit anyway gets an answer, not a hang.
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let stream = tokio::net::UnixStream::connect(SharkPaths::under(m.path()).app_socket())
        .await
        .unwrap();
    let (read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        let chunk = vec![b'x'; 1024 * 1024];
        for _ in 0..70 {
            if write.write_all(&chunk).await.is_err() {
                break;
            }
        }
    });
    let mut line = String::new();
    BufReader::new(read).read_line(&mut line).await.unwrap();
    let reply: handoff::Reply = serde_json::from_str(&line).unwrap();
    assert_eq!(reply.code, 4);
    assert!(
        reply.stderr.contains("larger than 64 MiB"),
        "{}",
        reply.stderr
    );
    let _ = writer.await;
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_that_hangs_up_mid_command_is_a_failure() {
    let m = Machine::new();
    let paths = SharkPaths::under(m.path());
    paths.ensure_dirs().unwrap();
    // Reads a little of each request, then closes without answering.
    let listener = handoff::bind(&paths).unwrap();
    let rude = tokio::spawn(async move {
        loop {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 8];
            let _ = tokio::io::AsyncReadExt::read(&mut s, &mut buf).await;
            drop(s);
        }
    });
    let r = cli(&m, &["epic", "create", "Maybe"], None, None).await;
    assert_eq!(r.code, 5, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("closed the connection"), "{}", r.stderr);
    rude.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_do_not_lock_out_later_commands() {
    let m = Machine::new();
    let (_store, server) = hold(&m).await;
    let socket = SharkPaths::under(m.path()).app_socket();
    // More silent clients than the server serves at once.
    let mut idle = Vec::new();
    for _ in 0..100 {
        idle.push(tokio::net::UnixStream::connect(&socket).await.unwrap());
    }
    // Each is dropped after the read timeout; the command is served after them.
    let r = cli(&m, &["epic", "create", "Still served"], None, None).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    drop(idle);
    let r = cli(&m, &["epic", "list", "--json"], None, None).await;
    assert!(r.stdout.contains("Still served"), "{}", r.stdout);
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handed_over_batch_without_its_input_is_refused_and_the_owner_reads_nothing() {
    let m = Machine::new();
    m.seed(0);
    let (store, server) = hold(&m).await;
    // A batch file in the owner's reach that the caller names but does not send.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("owner-side.json");
    std::fs::write(
        &path,
        r#"[{"feature":"E01-F01","title":"read by the owner"}]"#,
    )
    .unwrap();
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let stream = tokio::net::UnixStream::connect(SharkPaths::under(m.path()).app_socket())
        .await
        .unwrap();
    let (read, mut write) = stream.into_split();
    let request = serde_json::json!({
        "protocol": handoff::PROTOCOL,
        "op": "run",
        "args": ["task", "create", "--batch", path.to_str().unwrap()],
        "caller": {"user": "x", "cwd": "/", "input": null},
    });
    let mut line = serde_json::to_vec(&request).unwrap();
    line.push(b'\n');
    write.write_all(&line).await.unwrap();
    let mut answer = String::new();
    BufReader::new(read).read_line(&mut answer).await.unwrap();
    let reply: handoff::Reply = serde_json::from_str(&answer).unwrap();
    assert_ne!(reply.code, 0, "{answer}");
    assert!(reply.stderr.contains("nothing was run"), "{}", reply.stderr);
    assert!(
        store
            .list_tasks(&TaskFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    server.abort();
}
