//! `shark cloud usage` and the usage lines of `shark cloud status`, through
//! the real binary, the real sync server and a stand-in Platform API: the
//! warning line names the quota, the percentage and the projected date; bad
//! settings are refused with nothing saved; Turso's figures and failures show.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::Stdio;

use serde_json::json;
use shark_tests::platform::{Answer, PlatformApi};
use shark_tests::{Machine, SyncServer};

/// A connected machine whose clock starts at `at` (`None`: the system clock).
fn connected_at(server: &SyncServer, at: Option<&str>) -> Machine {
    let m = match at {
        Some(at) => Machine::new().at(at),
        None => Machine::new(),
    };
    m.set_sync_interval(1);
    m.seed(3);
    m.ok(&["cloud", "init", "--url", &server.url()]);
    m
}

#[test]
fn status_warns_past_the_threshold_with_a_projected_date() {
    let server = SyncServer::start();
    // Ten days into a month: a few rows a day reach a limit just above them
    // within the month (late in a real month they would not, and the line
    // says so instead; the next test covers that).
    let m = connected_at(&server, Some("2026-11-10T12:00:00Z"));
    let st = m.json(&["cloud", "status"]);
    let rows = &st["usage"]["quotas"][1];
    assert_eq!(
        (rows["quota"].as_str(), rows["source"].as_str()),
        (Some("rows_written"), Some("local"))
    );
    let pushed = rows["used"].as_u64().unwrap();
    assert!(pushed >= 5, "epic, feature, three tasks pushed: {st}");
    assert_eq!(st["usage"]["plan"]["id"], "free");
    assert_eq!(st["usage"]["warnings"], json!([]));

    // A custom limit just above what was pushed: 80% is crossed.
    let limit = pushed + pushed / 5;
    let out = m.ok(&[
        "cloud",
        "usage",
        "--plan",
        "custom",
        "--rows-written-limit",
        &limit.to_string(),
    ]);
    assert!(out.contains("Saved the usage settings."), "{out}");
    let text = m.ok(&["cloud", "status"]);
    let line = text
        .lines()
        .find(|l| l.starts_with("warning: rows written: "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("% of the Custom plan's"), "{line}");
    assert!(
        line.contains("at this pace the limit is reached on 20"),
        "a projected date: {line}"
    );
    let st = m.json(&["cloud", "status"]);
    let w = &st["usage"]["warnings"][0];
    assert_eq!(
        (
            w["quota"].as_str(),
            w["level"].as_str(),
            w["threshold"].as_u64()
        ),
        (Some("rows_written"), Some("warning"), Some(80))
    );
    assert!(w["limit_date"].is_string(), "{w}");

    // Past 100%: an over-limit line.
    m.ok(&[
        "cloud",
        "usage",
        "--rows-written-limit",
        &(pushed / 2).max(1).to_string(),
    ]);
    let text = m.ok(&["cloud", "status"]);
    assert!(
        text.lines()
            .any(|l| l.starts_with("over limit: rows written: ") && l.contains("over the limit")),
        "{text}"
    );
    // The full report: machines and days.
    let full = m.ok(&["cloud", "usage"]);
    assert!(
        full.contains("Machines this month:") && full.contains("(this machine)"),
        "{full}"
    );
    assert!(full.contains("Last 30 days (all machines):"), "{full}");
    assert!(
        full.contains("Dashboard: https://app.turso.tech/"),
        "{full}"
    );
}

/// The same rows written in the last minutes of a year: the pace of a few
/// rows does not reach the limit before the month ends, and the warning says
/// so; the report is December's, and the warning is announced for December.
#[test]
fn late_in_the_last_month_of_a_year_the_limit_is_not_reached() {
    let server = SyncServer::start();
    let m = connected_at(&server, Some("2026-12-31T23:50:00Z"));
    let st = m.json(&["cloud", "status"]);
    assert_eq!(st["usage"]["month"], "2026-12", "{st}");
    let pushed = st["usage"]["quotas"][1]["used"].as_u64().unwrap();
    assert!(pushed >= 5, "{st}");
    let limit = pushed + pushed / 5;
    m.ok(&[
        "cloud",
        "usage",
        "--plan",
        "custom",
        "--rows-written-limit",
        &limit.to_string(),
    ]);
    let text = m.ok(&["cloud", "status"]);
    let line = text
        .lines()
        .find(|l| l.starts_with("warning: rows written: "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.ends_with("; at this pace the limit is not reached this month"),
        "{line}"
    );
    let st = m.json(&["cloud", "status"]);
    assert_eq!(
        st["usage"]["warnings"][0]["limit_date"],
        json!(null),
        "{st}"
    );
    assert_eq!(st["usage"]["period_end"], "2027-01-01T00:00:00Z", "{st}");
}

/// A clock set for tests that cannot be read stops the command before it
/// does anything.
#[test]
fn an_unreadable_test_clock_is_refused() {
    let m = Machine::new().at("tomorrow");
    let err = m.fails(4, &["epic", "list"]);
    assert!(
        err.contains("SHARK_TEST_NOW=tomorrow is not an RFC 3339 instant"),
        "{err}"
    );
    assert!(!m.path().join("shark.db").exists(), "nothing was written");
}

#[test]
fn bad_settings_are_refused_and_nothing_is_saved() {
    let m = Machine::new();
    m.ok(&["cloud", "usage", "--warn-percent", "90"]);
    let before = std::fs::read_to_string(m.path().join("config.toml")).unwrap();
    for (args, words) in [
        (vec!["--warn-percent", "0"], "from 1 to 100"),
        (vec!["--warn-percent", "150"], "from 1 to 100"),
        (vec!["--plan", "gold"], "unknown plan 'gold'"),
        (vec!["--org", "my org"], "not a Turso organization name"),
        (vec!["--database", "tasks"], "needs the organization"),
    ] {
        let mut all = vec!["cloud", "usage"];
        all.extend(&args);
        let err = m.fails(4, &all);
        assert!(err.contains(words), "{args:?}: {err}");
        assert_eq!(
            std::fs::read_to_string(m.path().join("config.toml")).unwrap(),
            before,
            "{args:?} saved something"
        );
    }
    let err = m.fails(4, &["cloud", "usage", "--warn-percent", "many"]);
    assert!(err.contains("invalid value"), "{err}");
    // An empty token is refused.
    let mut c = m.command(&["cloud", "usage", "--org", "acme", "--api-token"]);
    let out = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
        .wait_with_output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("no token given"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turso_figures_and_their_failures_show() {
    let api = PlatformApi::start().await;
    api.answer(
        "/v1/organizations/acme/usage",
        Answer::json(json!({"organization": {"usage": {"rows_read": 450_000_000u64, "rows_written": 1000, "storage_bytes": 1000, "bytes_synced": 1000}}})),
    );
    api.answer(
        "/v1/organizations/acme/subscription",
        Answer::json(json!({"subscription": {"plan": "free"}})),
    );
    let m = Machine::new();
    std::fs::write(
        m.path().join("config.toml"),
        format!("[usage]\napi_url = \"{}\"\n", api.url()),
    )
    .unwrap();
    // The token goes in through standard input and is never printed.
    let mut child = m
        .command(&["cloud", "usage", "--org", "acme", "--api-token", "--json"])
        .env("SHARK_NO_KEYRING", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"secret-platform-token\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout.contains("secret-platform-token"));
    let r: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (
            r["quotas"][0]["source"].as_str(),
            r["quotas"][0]["used"].as_u64()
        ),
        (Some("turso"), Some(450_000_000))
    );
    assert_eq!(
        r["warnings"][0]["quota"], "rows_read",
        "90% of 500M rows read: {r}"
    );
    assert_eq!(r["plan"]["source"], "turso");
    let token_file = m.path().join("turso-platform-token");
    assert!(
        token_file.exists(),
        "kept in its own 0600 file, apart from the database token"
    );
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let seen = api.seen.lock().unwrap().clone();
    assert!(
        seen.iter()
            .all(|(_, a)| a == "Bearer secret-platform-token")
    );

    // Turso now refuses the token: the state says so; the last figures stay.
    api.answer("/v1/organizations/acme/usage", Answer::status(401, "{}"));
    let st = m.run(&["cloud", "usage", "--refresh"]);
    assert_eq!(st.code, 0, "{}", st.stderr);
    assert!(
        st.stdout
            .contains("note: Turso's figures: Turso refused the Platform API token (HTTP 401)"),
        "{}",
        st.stdout
    );
    assert!(
        st.stdout.contains("from Turso"),
        "the last good figures still show: {}",
        st.stdout
    );
}

#[test]
fn over_quota_shows_the_quota_state_and_local_work_waits() {
    use std::sync::atomic::Ordering;
    let server = SyncServer::start();
    let token = shark_core::cloud::token::test_token(&json!({"id": "q"}))
        .expose()
        .to_string();
    let proxy = shark_tests::AuthProxy::start(server.addr(), &token);
    let m = Machine::new();
    m.set_sync_interval(1);
    m.seed(1);
    let run = |args: &[&str]| -> shark_tests::Run {
        m.command(args)
            .env("TURSO_AUTH_TOKEN", &token)
            .output()
            .unwrap()
            .into()
    };
    assert_eq!(run(&["cloud", "init", "--url", &proxy.url()]).code, 0);

    proxy.blocked.store(true, Ordering::SeqCst);
    let r = run(&["task", "create", "E01", "F01", "written while blocked"]);
    assert_eq!(r.code, 0, "local work continues: {}", r.stderr);
    let r = run(&["cloud", "sync"]);
    assert_eq!(r.code, 5);
    assert!(
        r.stderr.contains("quota is used up") && r.stderr.contains("https://app.turso.tech/"),
        "{}",
        r.stderr
    );
    let r = run(&["cloud", "status", "--json"]);
    let st: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(st["state"], "over quota (blocked by Turso)", "{st}");
    assert_eq!(st["last_error"]["problem"], "quota");
    assert!(
        st["pending_changes"].as_i64().unwrap() > 0,
        "the change waits: {st}"
    );

    proxy.blocked.store(false, Ordering::SeqCst);
    let r = run(&["cloud", "sync"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["cloud", "status", "--json"]);
    let st: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        (st["state"].as_str(), st["pending_changes"].as_i64()),
        (Some("up to date"), Some(0)),
        "{st}"
    );
}
