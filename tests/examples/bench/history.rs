//! What history costs: a database built by many single `shark` commands
//! (creates, edits, status changes, one process each, as people and agents
//! work) against one holding the same rows written in one batch (its
//! export imported in one command). Reads and a write on both, with the
//! database and WAL sizes; for a local database and for a replica of the
//! test sync server.

use std::path::Path;

use shark_core::store::FileSizes;
use shark_tests::{Machine, SyncServer};

use crate::Sizes;
use crate::reads::{label, skeleton};
use crate::stats::{Figure, median_p95, process_runs, time_ms};

/// Single commands over `tasks` tasks until `commands` have run: each task
/// is created, then, round by round, edited (priority, description, a note)
/// and moved through its statuses (start, complete, reopen, complete, ...).
fn build_by_commands(m: &Machine, tasks: usize, commands: usize) {
    let mut done = 0;
    for i in 0..tasks.min(commands) {
        let feature = format!("E01-F{:02}", 1 + i % 10);
        m.ok(&["task", "create", &feature, &format!("Task {i}")]);
        done += 1;
    }
    let mut round = 0usize;
    while done < commands {
        for i in 0..tasks {
            if done >= commands {
                break;
            }
            let key = format!("T-E01-F{:02}-{:03}", 1 + i % 10, 1 + i / 10);
            let status_round = round / 2;
            let priority = (1 + (i + round) % 10).to_string();
            let text = format!("round {round}");
            let args: Vec<&str> = match (round % 2, round % 4, status_round) {
                (0, 0, _) => vec!["task", "update", &key, "--priority", &priority],
                (0, _, _) if round % 8 == 2 => vec!["task", "note", &key, &text],
                (0, _, _) => vec!["task", "update", &key, "--description", &text],
                (_, _, 0) => vec!["task", "start", &key],
                (_, _, s) if s % 2 == 1 => vec!["task", "complete", &key],
                _ => vec!["task", "reopen", &key, "--reason", "again"],
            };
            m.ok(&args);
            done += 1;
        }
        round += 1;
    }
}

/// A machine holding `from`'s rows, written in one command (export, import).
fn same_rows_in_one_batch(from: &Machine) -> Machine {
    let file = from.path().join("export.sqlite");
    let f = file.to_str().expect("utf-8 path");
    from.ok(&["export", "--format", "sqlite", "--force", f]);
    let to = Machine::new();
    to.ok(&["import", f]);
    to
}

fn sizes_note(db: &Path) -> String {
    let s = FileSizes::of(db);
    let mb = |n: u64| n as f64 / 1e6;
    format!(
        "database {:.2} MB, WAL {:.2} MB, revert log {:.2} MB",
        mb(s.database),
        mb(s.wal),
        mb(s.wal_revert)
    )
}

pub fn run(sizes: &Sizes, out: &mut Vec<Figure>) {
    let tasks = sizes.history_tasks;
    let commands = sizes.history_commands;
    // Local.
    let by_commands = skeleton();
    let (secs, _) = time_ms(|| build_by_commands(&by_commands, tasks, commands));
    eprintln!("  built by {commands} commands in {:.0} s", secs / 1000.0);
    let batch = same_rows_in_one_batch(&by_commands);
    compare(
        "local",
        &by_commands,
        &batch,
        "shark.db",
        tasks,
        commands,
        sizes,
        out,
    );

    // A replica: every write command syncs before it exits.
    let server = SyncServer::start();
    let by_commands = skeleton_connected(&server);
    let (secs, _) = time_ms(|| build_by_commands(&by_commands, tasks, commands));
    eprintln!(
        "  replica built by {commands} commands in {:.0} s",
        secs / 1000.0
    );
    let other = SyncServer::start();
    let batch = same_rows_in_one_batch(&by_commands);
    batch.ok(&["cloud", "init", "--url", &other.url()]);
    compare(
        "replica",
        &by_commands,
        &batch,
        "replica.db",
        tasks,
        commands,
        sizes,
        out,
    );
}

fn skeleton_connected(server: &SyncServer) -> Machine {
    let m = skeleton();
    m.ok(&["cloud", "init", "--url", &server.url()]);
    m
}

#[allow(clippy::too_many_arguments)]
fn compare(
    kind: &str,
    history: &Machine,
    batch: &Machine,
    file: &str,
    tasks: usize,
    commands: usize,
    sizes: &Sizes,
    out: &mut Vec<Figure>,
) {
    let note = format!(
        "built by {} single commands: {}; same rows in one batch: {}",
        label(commands),
        sizes_note(&history.path().join(file)),
        sizes_note(&batch.path().join(file))
    );
    for (id, args, what) in [
        (
            "epic_list",
            vec!["epic", "list"],
            "`shark epic list`".to_string(),
        ),
        (
            "task_list",
            vec!["task", "list", "--json"],
            format!("`shark task list --json`, {} tasks", label(tasks)),
        ),
    ] {
        let on_batch = process_runs(|| batch.command(&args), sizes.warmup, sizes.runs);
        let on_history = process_runs(|| history.command(&args), sizes.warmup, sizes.runs);
        let (_, batch_p95) = median_p95(&on_batch);
        let limit = 1.2 * batch_p95 + 2.0;
        out.push(Figure::from(
            format!("history_{kind}_{id}_batch"),
            "History",
            format!("{what}, {kind}, rows written in one batch (whole process)"),
            "ms",
            &on_batch,
        ));
        out.push(
            Figure::from(
                format!("history_{kind}_{id}"),
                "History",
                format!(
                    "{what}, {kind}, after {} single commands (whole process)",
                    label(commands)
                ),
                "ms",
                &on_history,
            )
            .target(
                "p95",
                "<",
                limit,
                &format!("p95 <= 1.2x the batch-built p95 + 2 ms ({limit:.1} ms)"),
            )
            .note(note.clone()),
        );
    }
    // One more write on each (a task that is not there yet, each run).
    let each = |m: &Machine, tag: &str| -> Vec<f64> {
        (0..sizes.warmup + sizes.runs)
            .map(|i| time_ms(|| m.ok(&["task", "create", "E01", "F01", &format!("{tag} {i}")])).0)
            .skip(sizes.warmup)
            .collect()
    };
    let on_batch = each(batch, "extra");
    let on_history = each(history, "extra");
    out.push(Figure::from(
        format!("history_{kind}_create_batch"),
        "History",
        format!("`shark task create`, {kind}, on the batch-built database (whole process)"),
        "ms",
        &on_batch,
    ));
    out.push(Figure::from(
        format!("history_{kind}_create"),
        "History",
        format!(
            "`shark task create`, {kind}, after {} single commands (whole process)",
            label(commands)
        ),
        "ms",
        &on_history,
    ));
}
