//! The benchmark suite's Rust half (the app's half is bench/app-bench.mjs):
//! reads, writes, what history costs, sync, idle cost, import and export, each figure with median, 95th
//! percentile and the number of runs, written as JSON for bench/report.mjs.
//!
//! Run through `npm run bench` (release build; it writes docs/benchmarks.md) or
//! `npm run bench -- --quick` (tiny sizes; only checks the suite completes).
//! Directly: `cargo run --release -p shark-tests --example bench -- --out FILE [--quick] [--only SECTION]`.

#![allow(clippy::print_stderr)]

mod daemon;
mod heal;
mod history;
mod idle;
mod live;
mod reads;
mod stats;
mod sync;
mod transfer;

/// How much each benchmark does.
#[derive(Debug, Clone)]
pub struct Sizes {
    pub quick: bool,
    /// Task counts for the read benchmarks.
    pub reads: Vec<usize>,
    /// Measured runs of a fast operation, after `warmup` unmeasured ones.
    pub runs: usize,
    pub warmup: usize,
    pub writes_each: usize,
    pub batch: usize,
    pub batch_runs: usize,
    pub catch_up: Vec<usize>,
    /// Runs of slow sync operations (catch-up, bootstrap, pull rounds).
    pub sync_runs: usize,
    pub bootstrap: usize,
    pub transfer: usize,
    pub transfer_runs: usize,
    pub edit_runs: usize,
    pub engine_runs: usize,
    /// Writes timed while a sync is in flight, per server condition.
    pub writes_during_sync: usize,
    /// Tasks listed, and tasks pulled meanwhile.
    pub pull_reads: (usize, usize),
    /// The history-cost databases: tasks, and single commands in all.
    pub history_tasks: usize,
    pub history_commands: usize,
}

impl Sizes {
    fn full() -> Self {
        Sizes {
            quick: false,
            reads: vec![1_000, 10_000],
            runs: 30,
            warmup: 3,
            writes_each: 1_000,
            batch: 1_000,
            batch_runs: 5,
            catch_up: vec![100, 1_000, 10_000],
            sync_runs: 3,
            bootstrap: 10_000,
            transfer: 10_000,
            transfer_runs: 3,
            edit_runs: 30,
            engine_runs: 20,
            writes_during_sync: 200,
            pull_reads: (1_000, 10_000),
            history_tasks: 1_000,
            history_commands: 10_000,
        }
    }

    fn quick() -> Self {
        Sizes {
            quick: true,
            reads: vec![50],
            runs: 3,
            warmup: 1,
            writes_each: 5,
            batch: 20,
            batch_runs: 1,
            catch_up: vec![10],
            sync_runs: 1,
            bootstrap: 20,
            transfer: 20,
            transfer_runs: 1,
            edit_runs: 3,
            engine_runs: 2,
            writes_during_sync: 10,
            pull_reads: (20, 200),
            history_tasks: 10,
            history_commands: 40,
        }
    }
}

fn machine() -> serde_json::Value {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let meminfo = read("/proc/meminfo");
    let mem_kb: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    let cpu = read("/proc/cpuinfo")
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_default();
    serde_json::json!({
        "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "memory_mb": mem_kb / 1024,
        "cpu": cpu,
        "kernel": read("/proc/sys/kernel/osrelease").trim(),
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| "bench-core.json".into());
    // `--only SECTION` (reads, history, sync, daemon, idle, heal, transfer, sizes) runs one section.
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let runs = |section: &str| only.as_deref().is_none_or(|o| o == section);
    let sizes = if quick { Sizes::quick() } else { Sizes::full() };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut figures = Vec::new();
    let started = std::time::Instant::now();
    if runs("reads") {
        eprintln!("# reads and writes");
        reads::run(&sizes, &mut figures);
        report(&figures, 0);
    }
    if runs("history") {
        let done = figures.len();
        eprintln!("# history: databases built by single commands");
        history::run(&sizes, &mut figures);
        report(&figures, done);
    }
    if runs("sync") {
        let done = figures.len();
        eprintln!("# sync");
        rt.block_on(sync::run(&sizes, &mut figures));
        report(&figures, done);
    }
    if runs("daemon") {
        let done = figures.len();
        eprintln!("# the background daemon (CLI-only machines)");
        daemon::run(&sizes, &mut figures);
        report(&figures, done);
    }
    if runs("idle") {
        let done = figures.len();
        eprintln!("# a connected machine nobody uses; what each long-poll hold costs");
        rt.block_on(idle::run(&sizes, &mut figures));
        report(&figures, done);
    }
    if runs("heal") {
        let done = figures.len();
        eprintln!("# sync through sleeps, outages and Sync now (daemons)");
        heal::run(&sizes, &mut figures);
        report(&figures, done);
    }
    if runs("transfer") {
        let done = figures.len();
        eprintln!("# import and export");
        rt.block_on(transfer::run(&sizes, &mut figures));
        report(&figures, done);
    }
    if runs("sizes") {
        let done = figures.len();
        binary_sizes(&mut figures);
        report(&figures, done);
    }
    let doc = serde_json::json!({
        "machine": machine(),
        "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
        "quick": quick,
        "seconds": started.elapsed().as_secs(),
        "figures": figures,
    });
    std::fs::write(&out, serde_json::to_string_pretty(&doc).expect("json"))
        .expect("write the results");
    eprintln!(
        "# {} figures in {} s -> {out}",
        figures.len(),
        started.elapsed().as_secs()
    );
}

/// The sizes of the binaries measured (the CLI, and the app beside it).
fn binary_sizes(figures: &mut Vec<stats::Figure>) {
    let cli = shark_tests::shark_bin();
    for (id, what, path) in [
        ("size_cli", "the `shark` binary", cli.clone()),
        (
            "size_app",
            "the `shark-app` binary",
            cli.with_file_name("shark-app"),
        ),
    ] {
        if let Ok(m) = std::fs::metadata(&path) {
            figures.push(stats::Figure::from(
                id,
                "Sizes",
                format!(
                    "{what} ({} build, as packaged)",
                    if cfg!(debug_assertions) {
                        "debug"
                    } else {
                        "release"
                    }
                ),
                "bytes",
                &[m.len() as f64],
            ));
        }
    }
}

fn report(figures: &[stats::Figure], from: usize) {
    for f in &figures[from..] {
        let met = match f.met {
            Some(true) => " (target met)",
            Some(false) => " (TARGET MISSED)",
            None => "",
        };
        eprintln!(
            "{:<28} median {:>10.1} {u}  p95 {:>10.1} {u}  runs {:>4}{met}",
            f.id,
            f.median,
            f.p95,
            f.runs,
            u = f.unit
        );
    }
}
