//! One process per database: a second `shark` waits for the first, then runs;
//! if the first never lets go it fails with a clear message, never hangs.

use std::fs::OpenOptions;
use std::time::{Duration, Instant};

use shark_tests::{Machine, keys};

#[test]
fn concurrent_processes_all_succeed_with_distinct_keys() {
    let m = Machine::new();
    m.seed(0);
    let children: Vec<_> = (0..8)
        .map(|i| {
            m.command(&[
                "task",
                "create",
                "E01",
                "F01",
                &format!("parallel {i}"),
                "--json",
            ])
            .spawn()
            .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut k = keys(&m.json(&["task", "list"]));
    assert_eq!(k.len(), 8);
    k.dedup();
    assert_eq!(k.len(), 8, "keys are unique");
}

#[test]
fn a_held_database_gives_a_clear_error_after_the_timeout() {
    let m = Machine::new();
    m.seed(1);
    let lock = OpenOptions::new()
        .read(true)
        .write(true)
        .open(m.path().join("shark.lock"))
        .unwrap();
    lock.lock().unwrap();
    let start = Instant::now();
    let r = m
        .command(&["task", "list"])
        .env("SHARK_LOCK_TIMEOUT_MS", "400")
        .output()
        .unwrap();
    let waited = start.elapsed();
    assert_eq!(r.status.code(), Some(2));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("in use by another shark process or the Shark app"),
        "{err}"
    );
    assert!(err.contains("SHARK_LOCK_TIMEOUT_MS"), "{err}");
    assert!(waited >= Duration::from_millis(400), "it waited {waited:?}");
    assert!(
        waited < Duration::from_secs(10),
        "it must not hang: {waited:?}"
    );

    // A waiting process proceeds as soon as the holder lets go.
    let child = m
        .command(&["task", "create", "E01", "F01", "after the wait"])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    lock.unlock().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(keys(&m.json(&["task", "list"])).len(), 2);
}

#[test]
fn a_bad_lock_timeout_is_explained() {
    let m = Machine::new();
    let r = m
        .command(&["epic", "list"])
        .env("SHARK_LOCK_TIMEOUT_MS", "soon")
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(4));
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("SHARK_LOCK_TIMEOUT_MS='soon' is not a number")
    );
}
