//! The docs cannot rot: every shell example in the README and the user guide
//! that invokes `shark` runs, in the order the page gives, with the built
//! binary, in a throwaway home and working folder (local only: no server).
//! A block runs under `bash -e -o pipefail`, so each of its commands must
//! succeed. Blocks that need what a test machine has not (a Turso account,
//! the installed package, root) are fenced ```` ```sh no-run ```` and listed
//! when the test runs; ```` ```text ```` holds output and synopses.

// Test helpers may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use shark_tests::{Machine, path_with_shark};

/// A fenced block: its info string, first line number and text.
#[derive(Debug)]
struct Block {
    info: String,
    line: usize,
    text: String,
}

/// The fenced blocks of a Markdown page (indented fences included, their
/// indentation removed).
fn blocks(page: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<(Block, usize)> = None;
    for (n, raw) in page.lines().enumerate() {
        let indent = raw.len() - raw.trim_start().len();
        let line = raw.trim_start();
        match open.take() {
            None => {
                if let Some(info) = line.strip_prefix("```") {
                    let block = Block {
                        info: info.trim().to_string(),
                        line: n + 1,
                        text: String::new(),
                    };
                    open = Some((block, indent));
                }
            }
            Some((block, _)) if line.starts_with("```") => out.push(block),
            Some((mut block, indent)) => {
                block.text.push_str(raw.get(indent..).unwrap_or(line));
                block.text.push('\n');
                open = Some((block, indent));
            }
        }
    }
    assert!(open.is_none(), "a fenced block is never closed");
    out
}

/// Whether a block invokes `shark`: the word anywhere (`cd d && shark`,
/// `$(shark ...)`, `SHARK_AGENT=x shark`), not inside a longer name
/// (`shark-tasks.db`, `shark.db`).
fn invokes_shark(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || "_-./".contains(c)))
        .any(|word| word == "shark")
}

/// Runs the page's shark examples, at least `at_least` blocks.
#[allow(clippy::print_stdout)]
fn run_page(page: &Path, at_least: usize) {
    let text = std::fs::read_to_string(page).unwrap();
    let m = Machine::new().foreground();
    let cwd = tempfile::tempdir().unwrap();
    let (mut ran, mut skipped) = (0, Vec::new());
    for b in blocks(&text).into_iter().filter(|b| invokes_shark(&b.text)) {
        match b.info.as_str() {
            "sh" => {}
            "sh no-run" => {
                skipped.push(b.line);
                continue;
            }
            // A synopsis or a command's output, not a command to type.
            "text" => continue,
            other => panic!(
                "{}:{}: a block that invokes shark is fenced ```{other}: use ```sh (it is run), ```sh no-run (say why in the text) or ```text (output, a synopsis)",
                page.display(),
                b.line
            ),
        }
        let mut c = Command::new("bash");
        c.args(["-e", "-o", "pipefail", "-c", &b.text]);
        let out = m
            .env_onto(&mut c)
            .env("PATH", path_with_shark())
            .env("HOME", m.path())
            .current_dir(cwd.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}:{}: the example failed (exit {:?}):\n{}\n--- stdout\n{}\n--- stderr\n{}",
            page.display(),
            b.line,
            out.status.code(),
            b.text,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        ran += 1;
    }
    // What ran and what did not, in the test's output (`--nocapture`).
    println!(
        "{}: {ran} example blocks ran; not run (```sh no-run) at lines {skipped:?}",
        page.display()
    );
    assert!(
        ran >= at_least,
        "{}: only {ran} example blocks ran (expected at least {at_least})",
        page.display()
    );
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

#[test]
fn the_readme_examples_run() {
    run_page(&root().join("README.md"), 1);
}

#[test]
fn the_user_guide_examples_run() {
    run_page(&root().join("docs/guide.md"), 4);
}

#[test]
fn the_block_reader_finds_indented_and_tagged_blocks() {
    let page = "text\n```sh\nshark epic list\n```\n- item\n\n  ```sh no-run\n  shark cloud login\n  ```\n```text\nshark task list [E01]\n```\n";
    let b = blocks(page);
    assert_eq!(b.len(), 3);
    assert_eq!(
        (b[0].info.as_str(), b[0].text.as_str()),
        ("sh", "shark epic list\n")
    );
    assert_eq!(
        (b[1].info.as_str(), b[1].text.as_str()),
        ("sh no-run", "shark cloud login\n")
    );
    assert_eq!(b[1].line, 7);
    assert!(invokes_shark(&b[2].text) && b[2].info == "text");
    assert!(invokes_shark("cd d && SHARK_AGENT=x shark task next"));
    assert!(invokes_shark("echo $(shark task list --json)"));
    assert!(!invokes_shark(
        "sqlite3 shark.db .tables; cp shark-tasks.db x"
    ));
}
