//! The Platform API client against a local HTTP server serving the documented
//! JSON (both aggregate spellings), and every failure: 401, 404, 500, a slow
//! reply, malformed JSON, nothing listening. Each is a clear state, never a panic.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use serde_json::json;
use shark_core::secret::SecretToken;
use shark_core::usage::platform::{ApiError, fetch};
use shark_tests::platform::{Answer, PlatformApi};

const ORG: &str = "/v1/organizations/acme/usage";
const DB: &str = "/v1/organizations/acme/databases/tasks/usage";
const SUB: &str = "/v1/organizations/acme/subscription";

fn org_usage(key: &str) -> serde_json::Value {
    json!({"organization": {"uuid": "o-1", key: {
        "rows_read": 1_234_567, "rows_written": 8_500_000, "databases": 3, "locations": 1,
        "storage_bytes": 1_000_000_000u64, "groups": 1, "bytes_synced": 2_000_000_000u64
    }, "databases": []}})
}

fn token() -> SecretToken {
    SecretToken::new("platform-token-123")
}

async fn get(
    api: &PlatformApi,
    db: Option<&str>,
    timeout: Duration,
) -> Result<shark_core::usage::platform::ApiUsage, ApiError> {
    fetch(
        &api.url(),
        "acme",
        db,
        &token(),
        timeout,
        shark_core::time::now(),
    )
    .await
}

#[tokio::test]
async fn documented_answers_in_both_spellings() {
    let api = PlatformApi::start().await;
    api.answer(ORG, Answer::json(org_usage("usage")));
    api.answer(
        DB,
        Answer::json(json!({"database": {"uuid": "d-1", "instances": [{"uuid": "i", "usage": {"rows_read": 1}}],
            "total": {"rows_read": 10, "rows_written": 20, "storage_bytes": 30, "bytes_synced": 40}}})),
    );
    api.answer(SUB, Answer::json(json!({"subscription": {"name": "Free", "plan": "free", "overages": false, "timeline": "monthly"}})));
    let u = get(&api, Some("tasks"), Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(u.organization.rows_written, 8_500_000);
    assert_eq!(u.organization.bytes_synced, 2_000_000_000);
    let db = u.database.unwrap();
    assert_eq!(
        (db.rows_read, db.bytes_synced),
        (10, 40),
        "`total` read for the database"
    );
    assert_eq!(u.plan.as_deref(), Some("free"));
    // `total` for the organization too, and no subscription (the plan is optional).
    api.answer(ORG, Answer::json(org_usage("total")));
    api.answer(SUB, Answer::status(500, "oops"));
    let u = get(&api, None, Duration::from_secs(5)).await.unwrap();
    assert_eq!((u.organization.rows_read, u.plan), (1_234_567, None));
    // The token went as a bearer token on every request.
    let seen = api.seen.lock().unwrap().clone();
    assert!(
        seen.iter()
            .all(|(_, auth)| auth == "Bearer platform-token-123"),
        "{seen:?}"
    );
}

#[tokio::test]
async fn every_failure_is_a_clear_state() {
    let api = PlatformApi::start().await;
    let cases: Vec<(Answer, &str, &str)> = vec![
        (
            Answer::status(401, r#"{"error":"unauthorized"}"#),
            "unauthorized",
            "refused the Platform API token",
        ),
        (
            Answer::status(404, r#"{"error":"organization not found"}"#),
            "not_found",
            "the organization 'acme'",
        ),
        (Answer::status(500, "internal"), "server", "HTTP 500"),
        (Answer::status(200, "{not json"), "malformed", "not JSON"),
        (
            Answer::json(json!({"organization": {"name": "acme"}})),
            "malformed",
            "no 'organization.usage' or 'organization.total'",
        ),
        (
            Answer::json(json!({"organization": {"usage": {"rows_read": -5}}})),
            "malformed",
            "not a whole number",
        ),
    ];
    for (answer, kind, words) in cases {
        api.answer(ORG, answer);
        let e = get(&api, None, Duration::from_secs(5)).await.unwrap_err();
        assert_eq!(e.kind(), kind, "{e}");
        assert!(e.to_string().contains(words), "{kind}: {e}");
        assert!(
            !e.to_string().contains("platform-token-123"),
            "no token in messages"
        );
    }
    // A database that does not exist, with a good organization.
    api.answer(ORG, Answer::json(org_usage("usage")));
    let e = get(&api, Some("nope"), Duration::from_secs(5))
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("the database 'nope' in 'acme'"),
        "{e}"
    );
    // A slow reply: the timeout, not a hang.
    api.answer(
        ORG,
        Answer {
            delay: Duration::from_secs(5),
            ..Answer::json(org_usage("usage"))
        },
    );
    let started = std::time::Instant::now();
    let e = get(&api, None, Duration::from_millis(400))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "timeout", "{e}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn nothing_listening_is_offline_and_bad_names_are_refused() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let tok = token();
    let at = |org: &'static str| {
        fetch(
            &base,
            org,
            None,
            &tok,
            Duration::from_secs(5),
            shark_core::time::now(),
        )
    };
    let e = at("acme").await.unwrap_err();
    assert_eq!(e.kind(), "offline", "{e}");
    assert!(
        e.to_string().contains("the local figures still stand"),
        "{e}"
    );
    // A name that would change the request's path is refused before any
    // request. (Plain http to another machine is refused by a unit test of
    // the URL check, so no test names an address off this machine.)
    let e = at("a/../b").await.unwrap_err();
    assert!(
        e.to_string().contains("not a Turso organization name"),
        "{e}"
    );
}
