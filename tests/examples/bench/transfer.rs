//! Import of a Go Shark database and export of the same data, through the
//! real `shark` binary.

use shark_tests::Machine;
use shark_tests::goshark::{self, Schema};

use crate::Sizes;
use crate::reads::label;
use crate::stats::{Figure, time_ms};

pub async fn run(sizes: &Sizes, out: &mut Vec<Figure>) {
    let n = sizes.transfer;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("shark-tasks.db");
    // The fixture writes five tasks of its own plus `extra`.
    goshark::write(&file, Schema::New, n.saturating_sub(5)).await;
    let f = file.to_str().expect("utf-8 path").to_string();
    let size_kb = std::fs::metadata(&file).map_or(0, |m| m.len() / 1000);
    let mut import = Vec::new();
    let mut last = None;
    for _ in 0..sizes.transfer_runs {
        let m = Machine::new();
        import.push(time_ms(|| m.ok(&["import", &f])).0);
        last = Some(m);
    }
    let m = last.expect("at least one run");
    out.push(
        Figure::from(
            format!("import_goshark_{n}"),
            "Import and export",
            format!("`shark import` of a {}-task Go Shark database", label(n)),
            "ms",
            &import,
        )
        .note(format!("Go Shark file {size_kb} kB")),
    );
    for (format, ext) in [("sqlite", "sqlite"), ("json", "json")] {
        let target = dir.path().join(format!("out.{ext}"));
        let t = target.to_str().expect("utf-8 path").to_string();
        let mut took = Vec::new();
        for _ in 0..sizes.transfer_runs {
            took.push(time_ms(|| m.ok(&["export", "--format", format, "--force", &t])).0);
        }
        let kb = std::fs::metadata(&target).map_or(0, |m| m.len() / 1000);
        out.push(
            Figure::from(
                format!("export_{format}_{n}"),
                "Import and export",
                format!("`shark export --format {format}`, {} tasks", label(n)),
                "ms",
                &took,
            )
            .note(format!("{kb} kB written")),
        );
    }
}
