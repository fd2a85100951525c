//! The token's homes in order — environment, system keyring, 0600 file —
//! with a real Secret Service (gnome-keyring in a private D-Bus session, the
//! way a desktop has it), and the fallback to the file when none works.

use std::process::Command;

use shark_tests::{Machine, SyncServer, shark_bin};

fn token(id: &str) -> String {
    shark_core::cloud::token::test_token(&serde_json::json!({"id": id}))
        .expose()
        .to_string()
}

/// Runs `script` in a private D-Bus session with an unlocked gnome-keyring,
/// once the unlocked daemon owns the Secret Service name (else the first
/// call activates a second, locked daemon: a race a loaded machine loses).
fn in_keyring_session(m: &Machine, script: &str) -> String {
    for tool in ["dbus-run-session", "dbus-send", "gnome-keyring-daemon"] {
        let found = Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {tool}"))
            .output()
            .expect("sh");
        assert!(
            found.status.success(),
            "{tool} is needed: apt-get install dbus gnome-keyring (the README test command does)"
        );
    }
    let home = m.path().join("desktop-home");
    std::fs::create_dir_all(&home).expect("a home for the desktop session");
    let out = Command::new("dbus-run-session")
        .arg("--")
        .arg("bash")
        .arg("-c")
        .arg(format!(
            "set -e; export HOME='{h}' XDG_DATA_HOME='{h}/data' XDG_RUNTIME_DIR='{h}'; \
             printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; \
             owned=; for i in $(seq 100); do \
               if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
                 org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
                 | grep -q 'boolean true'; then owned=1; break; fi; sleep 0.1; \
             done; \
             [ -n \"$owned\" ] || {{ echo 'gnome-keyring did not own org.freedesktop.secrets within 10 s' >&2; exit 1; }}; \
             {script}",
            h = home.display()
        ))
        .env("SHARK_HOME", m.path())
        .env("SHARK", shark_bin())
        .env("SHARK_DAEMON", "off")
        .env("USER", "tester")
        .env_remove("TURSO_AUTH_TOKEN")
        .env_remove("SHARK_NO_KEYRING")
        .output()
        .expect("dbus-run-session");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the keyring session failed:\n{text}");
    text
}

#[test]
fn env_beats_keyring_beats_file() {
    let server = SyncServer::start();
    let m = Machine::new();
    let (k, f, e) = (token("keyring"), token("file"), token("env"));
    let out = in_keyring_session(
        &m,
        &format!(
            r#"printf '%s' '{k}' | "$SHARK" cloud login
               printf '%s' '{f}' > "$SHARK_HOME/turso-token"; chmod 600 "$SHARK_HOME/turso-token"
               "$SHARK" cloud init --url '{url}' >/dev/null
               echo "A=$("$SHARK" cloud status --json | tr -d '\n ')"
               echo "B=$(TURSO_AUTH_TOKEN='{e}' "$SHARK" cloud status --json | tr -d '\n ')"
               "$SHARK" cloud logout
               printf '%s' '{f}' > "$SHARK_HOME/turso-token"; chmod 600 "$SHARK_HOME/turso-token"
               echo "C=$("$SHARK" cloud status --json | tr -d '\n ')"
               "$SHARK" cloud logout
               echo "D=$("$SHARK" cloud status --json | tr -d '\n ')""#,
            url = server.url()
        ),
    );
    assert!(
        out.contains("Saved the token in the system keyring."),
        "{out}"
    );
    assert!(
        out.contains(r#"A={"#) && out.contains(r#""token_source":"keyring""#),
        "keyring beats the file:\n{out}"
    );
    let line = |p: &str| {
        out.lines()
            .find(|l| l.starts_with(p))
            .unwrap_or_default()
            .to_string()
    };
    assert!(line("A=").contains(r#""token_source":"keyring""#), "{out}");
    assert!(
        line("B=").contains(r#""token_source":"env""#),
        "env beats the keyring:\n{out}"
    );
    assert!(
        out.contains("Removed the saved token from the system keyring"),
        "{out}"
    );
    assert!(
        line("C=").contains(r#""token_source":{"file":"#),
        "the file when the keyring has none:\n{out}"
    );
    assert!(line("D=").contains(r#""token_source":null"#), "{out}");
    for t in [&k, &f, &e] {
        assert!(!out.contains(t.as_str()), "a token leaked into the output");
    }
}

#[test]
fn without_a_keyring_login_falls_back_to_the_file_and_says_so() {
    let m = Machine::new();
    let mut c = m.command(&["cloud", "login"]);
    // No D-Bus session at all: the keyring cannot work here.
    c.env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("SHARK_NO_KEYRING", "")
        .stdin(std::process::Stdio::piped());
    c.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), token("x").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("No usable system keyring here") && text.contains("turso-token"),
        "{text}"
    );
}

/// `SHARK_NO_KEYRING=1` stops Shark storing and reading tokens in the
/// keyring, not forgetting one: logout still removes a token saved there
/// before (issue 18), and says where it removed it from.
#[test]
fn logout_removes_a_keyring_token_even_with_the_keyring_turned_off() {
    let m = Machine::new();
    let k = token("keyring");
    let out = in_keyring_session(
        &m,
        &format!(
            r#"printf '%s' '{k}' | "$SHARK" cloud login
               echo "OUT=$(SHARK_NO_KEYRING=1 "$SHARK" cloud logout)"
               echo "AGAIN=$("$SHARK" cloud logout)""#
        ),
    );
    assert!(
        out.contains("Saved the token in the system keyring."),
        "{out}"
    );
    let line = |p: &str| {
        out.lines()
            .find(|l| l.starts_with(p))
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        line("OUT="),
        "OUT=Removed the saved token from the system keyring.",
        "{out}"
    );
    assert_eq!(
        line("AGAIN="),
        "AGAIN=No saved token.",
        "really gone:\n{out}"
    );
    assert!(!out.contains(k.as_str()));
}
