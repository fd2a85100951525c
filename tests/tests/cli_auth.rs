//! Auth through a token-checking proxy in front of the real sync server: a
//! wrong token gives the auth state and an actionable message; the right one
//! works; the saved file and the environment variable are used in that order.

use std::sync::atomic::Ordering;

use shark_tests::{AuthProxy, Machine, SyncServer, keys};

fn token(id: &str) -> String {
    shark_core::cloud::token::test_token(&serde_json::json!({"id": id}))
        .expose()
        .to_string()
}

#[test]
fn a_wrong_token_is_refused_with_the_auth_state_and_the_right_one_works() {
    let server = SyncServer::start();
    let good = token("good");
    let bad = token("bad");
    let proxy = AuthProxy::start(server.addr(), &good);
    let m = Machine::new();
    m.seed(1);
    m.set_sync_interval(1);

    // First connect with the wrong token: an error, not a silent local fallback.
    let r = m
        .command(&["cloud", "init", "--url", &proxy.url()])
        .env("TURSO_AUTH_TOKEN", &bad)
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(4));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("Turso refused the token") && err.contains("shark cloud login"),
        "{err}"
    );
    assert!(
        proxy.refused.load(Ordering::SeqCst) > 0,
        "the request reached the proxy"
    );

    // The right token connects.
    let r = m
        .command(&["cloud", "init", "--url", &proxy.url()])
        .env("TURSO_AUTH_TOKEN", &good)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));

    // Later the token goes bad: sync fails with the auth state; local work continues.
    let r = m
        .command(&["cloud", "sync"])
        .env("TURSO_AUTH_TOKEN", &bad)
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(5));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("Turso refused the token"), "{err}");
    let st = m
        .command(&["cloud", "status", "--json"])
        .env("TURSO_AUTH_TOKEN", &bad)
        .output()
        .unwrap();
    let st: serde_json::Value = serde_json::from_slice(&st.stdout).unwrap();
    assert_eq!(st["state"], "auth error");
    assert_eq!(st["token_source"], "env");
    let r = m
        .command(&["task", "create", "E01", "F01", "still works"])
        .env("TURSO_AUTH_TOKEN", &bad)
        .output()
        .unwrap();
    assert!(r.status.success());

    // The environment beats the saved file: a good file does not help while a bad env is set...
    let mut login = m.command(&["cloud", "login"]);
    login.stdin(std::process::Stdio::piped());
    let mut child = login.spawn().unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), good.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    let r = m
        .command(&["cloud", "sync"])
        .env("TURSO_AUTH_TOKEN", &bad)
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(5), "the env token is used first");
    // ...and without it the saved file is used.
    m.ok(&["cloud", "sync"]);
    let st = m.json(&["cloud", "status"]);
    assert_eq!(
        (st["state"].as_str(), st["token_source"]["file"].is_string()),
        (Some("up to date"), true)
    );

    let other = Machine::new();
    let r = other
        .command(&["cloud", "init", "--url", &proxy.url()])
        .env("TURSO_AUTH_TOKEN", &good)
        .output()
        .unwrap();
    assert!(r.status.success());
    let list = other
        .command(&["task", "list", "--json"])
        .env("TURSO_AUTH_TOKEN", &good)
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(keys(&list), ["T-E01-F01-001", "T-E01-F01-002"]);
}
