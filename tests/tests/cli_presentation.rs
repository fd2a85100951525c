//! How the CLI meets a terminal: shell completion loaded in a real bash
//! (commands, keys from the local database or from a connected machine's
//! daemon, statuses; never a daemon started for it), colour only where a
//! person reads it, and progress only on a terminal (a real pty, through
//! util-linux's `script`).

// Test helpers may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::process::Command;

use shark_tests::{Machine, SyncServer, path_with_shark, shark_bin};

/// What bash's completion offers for `words` (the last one being typed),
/// with the script `shark completion bash` prints loaded as a user's
/// `source <(shark completion bash)` loads it.
fn complete(m: &Machine, words: &[&str]) -> Vec<String> {
    let script = r#"
eval "$(shark completion bash)"
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_TYPE=9
_clap_complete_shark shark "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"#;
    let mut bash = Command::new("bash");
    bash.args(["-c", script, "bash"]).args(words);
    let out = m
        .env_onto(&mut bash)
        .env("PATH", path_with_shark())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bash: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_commands_keys_and_statuses_from_the_local_database() {
    let m = Machine::new();
    m.seed(3);
    m.ok(&["feature", "create", "E01", "Billing"]);
    assert_eq!(complete(&m, &["shark", "ta"]), ["task"]);
    assert_eq!(
        complete(&m, &["shark", "task", "get", "T-E01-F01-00"]),
        ["T-E01-F01-001", "T-E01-F01-002", "T-E01-F01-003"]
    );
    // Keys are typed in any case; Shark accepts them so.
    assert_eq!(
        complete(&m, &["shark", "task", "start", "t-e01-f01-002"]).len(),
        1
    );
    assert_eq!(
        complete(&m, &["shark", "task", "list", "--status", "in"]),
        ["in_progress"]
    );
    assert_eq!(
        complete(&m, &["shark", "feature", "get", "E01-"]),
        ["E01-F01", "E01-F02"]
    );
    assert_eq!(
        complete(&m, &["shark", "task", "create", "E01-F0"]),
        ["E01-F01", "E01-F02"]
    );
    assert_eq!(
        complete(
            &m,
            &[
                "shark",
                "task",
                "update",
                "T-E01-F01-003",
                "--depends-on",
                "T-E01-F01-001,T-E01-F01-00"
            ]
        )
        .len(),
        3
    );
    assert!(complete(&m, &["shark", "task", "list", "--"]).contains(&"--show-all".to_string()));
}

#[test]
fn completion_on_a_new_machine_writes_nothing() {
    let m = Machine::new();
    assert_eq!(
        complete(&m, &["shark", "epic", "get", "E"]),
        Vec::<String>::new()
    );
    assert_eq!(complete(&m, &["shark", "ep"]), ["epic"]);
    let left: Vec<_> = std::fs::read_dir(m.path()).unwrap().collect();
    assert!(left.is_empty(), "completion wrote {left:?}");
}

#[test]
fn completion_never_creates_a_database() {
    // A home where only the device id was made (any command makes it).
    let m = Machine::new();
    m.ok(&["daemon", "status"]);
    assert!(m.path().join("device-id").exists());
    assert_eq!(
        complete(&m, &["shark", "task", "get", "T-"]),
        Vec::<String>::new()
    );
    assert!(
        !m.path().join("shark.db").exists(),
        "a Tab created the database"
    );
    // A relative database path, completed in a folder that has none.
    let folder = tempfile::tempdir().unwrap();
    let script = r#"eval "$(shark completion bash)"
COMP_WORDS=(shark task get T-); COMP_CWORD=3; COMP_TYPE=9
_clap_complete_shark shark T- get; printf '%s\n' "${COMPREPLY[@]}""#;
    let mut bash = Command::new("bash");
    bash.args(["-c", script]);
    let out = m
        .env_onto(&mut bash)
        .env("PATH", path_with_shark())
        .env("SHARK_DB_URL", "./tasks.db")
        .current_dir(folder.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "");
    let left: Vec<_> = std::fs::read_dir(folder.path()).unwrap().collect();
    assert!(left.is_empty(), "a Tab wrote {left:?}");
}

#[test]
fn a_connected_machine_completes_keys_from_its_daemon_and_never_starts_one() {
    let server = SyncServer::start();
    let m = Machine::new().with_daemon();
    m.ok(&["cloud", "init", "--url", &server.url()]);
    m.seed(2);
    assert_eq!(m.daemon_pids().len(), 1, "the commands started the daemon");
    assert_eq!(
        complete(&m, &["shark", "task", "get", "T-"]),
        ["T-E01-F01-001", "T-E01-F01-002"]
    );
    // The daemon renders for the caller's terminal, not its own (a log file).
    let mut c = m.command(&["task", "list"]);
    c.env("CLICOLOR_FORCE", "1").env_remove("NO_COLOR");
    let coloured = shark_tests::Run::from(c.output().unwrap()).stdout;
    assert!(coloured.contains(ESC), "{coloured:?}");
    assert!(!m.ok(&["task", "list"]).contains(ESC));
    m.ok(&["daemon", "stop"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !m.daemon_pids().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the daemon did not stop"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // No owner: commands and flags only, and no daemon started for it.
    assert_eq!(
        complete(&m, &["shark", "task", "get", "T-"]),
        Vec::<String>::new()
    );
    assert_eq!(complete(&m, &["shark", "ta"]), ["task"]);
    assert!(m.daemon_pids().is_empty(), "completion started a daemon");
}

#[test]
fn every_shell_gets_a_script_and_an_unknown_one_a_usage_error() {
    let m = Machine::new();
    for (shell, marker) in [
        ("bash", "complete -o nospace"),
        ("zsh", "#compdef shark"),
        ("fish", "complete"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "set edit:completion:arg-completer[shark]"),
    ] {
        let script = m.ok(&["completion", shell]);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(script.contains("SHARK_COMPLETE"), "{shell}: {script}");
    }
    let e = m.fails(4, &["completion", "tcsh"]);
    assert!(
        e.contains("possible values: bash, zsh, fish, powershell, elvish"),
        "{e}"
    );
}

const ESC: char = '\u{1b}';

#[test]
fn colour_only_where_a_person_reads_it() {
    let m = Machine::new();
    m.seed(1);
    m.ok(&["task", "start", "T-E01-F01-001"]);
    let forced = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args = vec!["task", "list"];
        args.extend_from_slice(extra);
        let mut c = m.command(&args);
        c.env("CLICOLOR_FORCE", "1").env_remove("NO_COLOR");
        for (k, v) in env {
            c.env(k, v);
        }
        shark_tests::Run::from(c.output().unwrap())
    };
    // Piped (as here): plain.
    assert!(!m.ok(&["task", "list"]).contains(ESC));
    // CLICOLOR_FORCE colours the status and the headers...
    let coloured = forced(&[], &[]).stdout;
    assert!(
        coloured.contains(&format!("{ESC}[33min_progress{ESC}[0m")),
        "{coloured:?}"
    );
    // ...and the columns stay aligned on the visible text.
    let plain = m.ok(&["task", "list"]);
    let stripped: String = strip(&coloured);
    assert_eq!(stripped, plain);
    // Never with --no-color, --json or NO_COLOR.
    assert!(!forced(&["--no-color"], &[]).stdout.contains(ESC));
    assert!(!forced(&["--json"], &[]).stdout.contains(ESC));
    assert!(!forced(&[], &[("NO_COLOR", "1")]).stdout.contains(ESC));
    // Errors too, on stderr.
    let mut c = m.command(&["task", "get", "T-E09-F01-001"]);
    c.env("CLICOLOR_FORCE", "1");
    let e = shark_tests::Run::from(c.output().unwrap());
    assert!(
        e.stderr.starts_with(&format!("{ESC}[1m{ESC}[31merror:")),
        "{:?}",
        e.stderr
    );
    assert!(
        !m.run(&["task", "get", "T-E09-F01-001"])
            .stderr
            .contains(ESC)
    );
    // A title's own escape sequences (a hand edit: Shark refuses them) are
    // shown escaped, coloured or not.
    shark_tests::sqlite3(
        &m.path().join("shark.db"),
        "UPDATE tasks SET title = 'evil ' || char(27) || '[2J title';",
    );
    let out = forced(&[], &[]).stdout;
    assert!(out.contains("evil \\x1b[2J title"), "{out:?}");
}

/// `text` without its colour escapes (`ESC [ ... m`).
fn strip(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == ESC {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Runs `shark args` on a pseudo-terminal (util-linux `script`); returns
/// what the terminal showed.
fn on_a_terminal(m: &Machine, args: &str, term: &str) -> String {
    let cmd = format!("{} {args}", shark_bin().display());
    let mut script = Command::new("script");
    script.args(["-qec", &cmd, "/dev/null"]);
    let out = m
        .env_onto(&mut script)
        .env("TERM", term)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn progress_and_colour_on_a_terminal_and_nothing_in_a_pipe() {
    let m = Machine::new();
    m.seed(20);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.db");
    let file = file.to_str().unwrap();
    let shown = on_a_terminal(&m, &format!("export --format sqlite {file}"), "xterm");
    assert!(shown.contains(&format!("Exporting to {file}")), "{shown:?}");
    assert!(shown.contains("Exported 1 epics"), "{shown:?}");
    let other = Machine::new();
    let shown = on_a_terminal(&other, &format!("import {file}"), "xterm");
    assert!(shown.contains(&format!("Importing {file}")), "{shown:?}");
    // A terminal gets colour; TERM=dumb gets none, nor a spinner.
    assert!(on_a_terminal(&other, "task list", "xterm").contains(ESC));
    let dumb = on_a_terminal(&other, &format!("import {file}"), "dumb");
    assert!(
        !dumb.contains(ESC) && !dumb.contains("Importing"),
        "{dumb:?}"
    );
    // --json is a script's run: no spinner, no colour, even on a terminal.
    let json = on_a_terminal(&other, &format!("import --json {file}"), "xterm");
    assert!(
        !json.contains(ESC) && !json.contains("Importing"),
        "{json:?}"
    );
    // In a pipe: the summary only, no spinner on stderr.
    let piped = other.run(&["import", file]);
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    assert!(!piped.stderr.contains("Importing"), "{:?}", piped.stderr);
}
