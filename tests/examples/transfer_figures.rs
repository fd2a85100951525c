//! Prints how long importing a 10,000-task Go Shark database and exporting
//! it take, through the real `shark` binary (build it first; a release build
//! gives the figures the README quotes):
//! `cargo run -p shark-tests --example transfer_figures [-- TASKS]`.

use std::time::Instant;

use shark_tests::Machine;
use shark_tests::goshark::{self, Schema};

#[allow(clippy::print_stdout, clippy::unwrap_used)]
fn main() {
    let extra: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shark-tasks.db");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(goshark::write(&file, Schema::New, extra.saturating_sub(5)));
    let size = std::fs::metadata(&file).unwrap().len();
    let m = Machine::new();
    let time = |args: &[&str]| {
        let t0 = Instant::now();
        m.ok(args);
        t0.elapsed().as_secs_f64()
    };
    let f = file.to_str().unwrap();
    let first = time(&["import", f]);
    let again = time(&["import", f]);
    let out = dir.path().join("out.db");
    let sqlite = time(&["export", "--format", "sqlite", out.to_str().unwrap()]);
    let json_path = dir.path().join("out.json");
    let json = time(&["export", "--format", "json", json_path.to_str().unwrap()]);
    let n = |p: &std::path::Path| std::fs::metadata(p).unwrap().len() / 1000;
    println!("tasks: {extra} (Go Shark file {} kB)", size / 1000);
    println!("import, first:         {first:.2} s");
    println!("import, again (no-op): {again:.2} s");
    println!("export --format sqlite: {sqlite:.2} s ({} kB)", n(&out));
    println!("export --format json:   {json:.2} s ({} kB)", n(&json_path));
}
