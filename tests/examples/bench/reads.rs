//! Reads and writes through the real `shark` binary (whole processes), the
//! same list query through the core in-process, and Debian's `sqlite3` on an
//! exported copy of the same data: the floor any SQLite-based tool reaches.

use std::process::Command;
use std::time::Duration;

use shark_core::config::{Config, Device};
use shark_core::paths::SharkPaths;
use shark_core::store::{Store, TaskFilter};
use shark_tests::Machine;

use crate::Sizes;
use crate::stats::{Figure, process_runs, time_ms};

/// What `task list --json` shows, as one SQL query on the export.
pub const SQLITE_LIST: &str = "SELECT t.key, t.title, t.status, t.priority, t.agent_type, t.assigned_agent, \
t.depends_on, t.blocked_reason, f.key AS feature, t.created_at, t.updated_at \
FROM tasks t JOIN features f ON f.id = t.feature_id WHERE t.status <> 'archived' ORDER BY t.key";

/// A task batch for `task create --batch`: `n` tasks over ten features.
pub fn batch(n: usize) -> String {
    let agents = ["backend", "frontend", "testing"];
    let tasks: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "feature": format!("E01-F{:02}", 1 + i % 10),
                "title": format!("Task {i} of the benchmark"),
                "priority": 1 + i % 10,
                "agent": agents[i % 3],
            })
        })
        .collect();
    serde_json::Value::Array(tasks).to_string()
}

/// A machine with epic E01 and features F01..F10, empty.
pub fn skeleton() -> Machine {
    let m = Machine::new();
    m.ok(&["epic", "create", "Benchmark"]);
    for f in 1..=10 {
        m.ok(&["feature", "create", "E01", &format!("Feature {f}")]);
    }
    m
}

/// Creates `n` tasks with one `task create --batch`; returns its wall time.
pub fn fill(m: &Machine, n: usize) -> f64 {
    let file = m.path().join(format!("batch-{n}.json"));
    std::fs::write(&file, batch(n)).expect("write the batch");
    let path = file.to_str().expect("utf-8 path").to_string();
    time_ms(|| m.ok(&["task", "create", "--batch", &path])).0
}

pub fn run(sizes: &Sizes, out: &mut Vec<Figure>) {
    version(sizes, out);
    for &n in &sizes.reads {
        let m = skeleton();
        fill(&m, n);
        let k = label(n);
        let sqlite = sqlite_list(&m, n, sizes);
        let list = process_runs(
            || m.command(&["task", "list", "--json"]),
            sizes.warmup,
            sizes.runs,
        );
        let mut f = Figure::from(
            format!("cli_list_{n}"),
            "Reads",
            format!("`shark task list --json`, {k} tasks (whole process)"),
            "ms",
            &list,
        );
        if n == 1_000 {
            let target = 2.0 * sqlite.p95;
            f = f.target(
                "p95",
                "<",
                target,
                &format!("p95 < 2x sqlite3 = {target:.1} ms"),
            );
        }
        out.push(f);
        let next = process_runs(
            || m.command(&["task", "next", "--json"]),
            sizes.warmup,
            sizes.runs,
        );
        out.push(Figure::from(
            format!("cli_next_{n}"),
            "Reads",
            format!("`shark task next --json`, {k} tasks (whole process)"),
            "ms",
            &next,
        ));
        // What a shell waits for on `shark task get T-E01-F01-00<Tab>`.
        let asking = || {
            let mut c = m.command(&["--", "shark", "task", "get", "T-E01-F01-00"]);
            c.env("SHARK_COMPLETE", "bash")
                .env("_CLAP_COMPLETE_INDEX", "3")
                .env("_CLAP_COMPLETE_COMP_TYPE", "9")
                .env("_CLAP_COMPLETE_SPACE", "false")
                .env("_CLAP_IFS", "\n");
            c
        };
        let answer = asking().output().expect("run the completion");
        assert!(
            String::from_utf8_lossy(&answer.stdout).contains("T-E01-F01-001"),
            "the completion offered no keys: {answer:?}"
        );
        let complete = process_runs(asking, sizes.warmup, sizes.runs);
        let mut f = Figure::from(
            format!("cli_complete_keys_{n}"),
            "Reads",
            format!("completing a task key in bash, {k} tasks (whole process, local-only machine)"),
            "ms",
            &complete,
        );
        if n == 1_000 {
            f = f.target("p95", "<", 100.0, "p95 < 100 ms (feels instant at a Tab)");
        }
        out.push(f);
        out.push(core_list(&m, n, sizes));
        out.push(sqlite);
    }
    writes(sizes, out);
}

pub fn label(n: usize) -> String {
    if n >= 1_000 && n.is_multiple_of(1_000) {
        format!("{},000", n / 1_000)
    } else {
        n.to_string()
    }
}

fn core_list(m: &Machine, n: usize, sizes: &Sizes) -> Figure {
    let paths = SharkPaths::under(m.path());
    let config = Config::load(&paths).expect("config");
    let device = Device::load_or_create(&paths, &config).expect("device");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let samples = rt.block_on(async {
        let store = Store::open(&paths, device, Duration::from_secs(5))
            .await
            .expect("open");
        let all = TaskFilter::default();
        let mut v = Vec::new();
        for i in 0..sizes.warmup + sizes.runs {
            let t = std::time::Instant::now();
            let got = store.list_tasks(&all).await.expect("list").len();
            let took = crate::stats::ms(t.elapsed());
            assert_eq!(got, n);
            if i >= sizes.warmup {
                v.push(took);
            }
        }
        v
    });
    Figure::from(
        format!("core_list_{n}"),
        "Reads",
        format!(
            "the same list through the core, in-process, {} tasks",
            label(n)
        ),
        "ms",
        &samples,
    )
}

/// `shark --version` against `sqlite3 --version`: what starting costs.
fn version(sizes: &Sizes, out: &mut Vec<Figure>) {
    let m = Machine::new();
    let sqlite = process_runs(
        || {
            let mut c = Command::new("sqlite3");
            c.arg("--version");
            c
        },
        sizes.warmup,
        sizes.runs,
    );
    let (s_median, s_p95) = crate::stats::median_p95(&sqlite);
    let shark = process_runs(|| m.command(&["--version"]), sizes.warmup, sizes.runs);
    let target = 2.0 * s_p95;
    out.push(
        Figure::from(
            "cli_version",
            "Reads",
            "`shark --version` (whole process: start-up alone)",
            "ms",
            &shark,
        )
        .target(
            "p95",
            "<",
            target,
            &format!("p95 < 2x `sqlite3 --version` = {target:.1} ms"),
        )
        .note(format!(
            "`sqlite3 --version`: median {s_median:.1} ms, p95 {s_p95:.1} ms"
        )),
    );
}

fn sqlite_list(m: &Machine, n: usize, sizes: &Sizes) -> Figure {
    let copy = m.path().join("export.sqlite");
    let copy_s = copy.to_str().expect("utf-8 path").to_string();
    m.ok(&["export", "--format", "sqlite", "--force", &copy_s]);
    let samples = process_runs(
        || {
            let mut c = Command::new("sqlite3");
            c.arg("-json").arg(&copy).arg(SQLITE_LIST);
            c
        },
        sizes.warmup,
        sizes.runs,
    );
    Figure::from(
        format!("sqlite3_list_{n}"),
        "Reads",
        format!(
            "Debian's `sqlite3 -json`, the equivalent query on an exported copy, {} tasks (whole process)",
            label(n)
        ),
        "ms",
        &samples,
    )
}

fn writes(sizes: &Sizes, out: &mut Vec<Figure>) {
    let m = skeleton();
    let mut each = Vec::new();
    for i in 0..sizes.writes_each {
        let title = format!("Task {i} made one at a time");
        each.push(time_ms(|| m.ok(&["task", "create", "E01", "F01", &title])).0);
    }
    let total: f64 = each.iter().sum();
    out.push(
        Figure::from(
            "cli_create_each",
            "Writes",
            format!(
                "`shark task create`, {} tasks one command each (per command)",
                label(sizes.writes_each)
            ),
            "ms",
            &each,
        )
        .note(format!(
            "{:.1} s for all {}",
            total / 1000.0,
            label(sizes.writes_each)
        )),
    );
    let mut batches = Vec::new();
    for _ in 0..sizes.batch_runs {
        batches.push(fill(&skeleton(), sizes.batch));
    }
    let (median, _) = crate::stats::median_p95(&batches);
    out.push(
        Figure::from(
            "cli_create_batch",
            "Writes",
            format!(
                "`shark task create --batch`, {} tasks in one command",
                label(sizes.batch)
            ),
            "ms",
            &batches,
        )
        .note(format!("{:.3} ms per task", median / sizes.batch as f64)),
    );
}
