//! `shark doctor`: gathers what it can open (settings, the database) without
//! giving up on the first failure, runs the core's checks and prints them.

use shark_core::cloud::{Attempt, ConnectionInfo};
use shark_core::config::{Config, Device};
use shark_core::doctor::{self, Inputs, Report};
use shark_core::paths::SharkPaths;
use shark_core::store::Store;
use shark_core::store::repair::Repair;

use crate::render::Out;

/// Some checks failed (the report is already printed).
#[derive(Debug)]
pub struct Failed(pub usize);

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "shark doctor: {} check{} failed",
            self.0,
            if self.0 == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for Failed {}

/// Runs doctor in this process (no app holds the database).
pub async fn standalone(paths: SharkPaths, repair: bool, out: &Out) -> anyhow::Result<()> {
    let config = Config::load(&paths).map_err(|e| e.to_string());
    let opened = match &config {
        Ok(c) => match Device::load_or_create(&paths, c) {
            Ok(device) => {
                let timeout = std::time::Duration::from_secs(2);
                shark_core::cloud::open(&paths, device, c, timeout, Attempt::Auto)
                    .await
                    .map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        },
        Err(_) => Err("the settings cannot be read (see above)".to_string()),
    };
    let repaired = match (&opened, repair) {
        (Ok(o), true) => Some(repair_rows(&o.store, out).await?),
        (Err(why), true) => anyhow::bail!("shark doctor --repair needs the database open: {why}"),
        _ => None,
    };
    let report = doctor::run(Inputs {
        paths: &paths,
        config,
        opened: opened
            .as_ref()
            .map(|o| (&o.store, &o.info))
            .map_err(Clone::clone),
        owner: None,
    })
    .await;
    show(&report, repaired, out)
}

/// Runs doctor on the desktop app's open database.
pub async fn hosted(
    store: &Store,
    info: &ConnectionInfo,
    owner: &crate::handoff::OwnerInfo,
    repair: bool,
    out: &Out,
) -> anyhow::Result<()> {
    let paths = store.home().clone();
    let repaired = if repair {
        Some(repair_rows(store, out).await?)
    } else {
        None
    };
    let report = doctor::run(Inputs {
        paths: &paths,
        config: Config::load(&paths).map_err(|e| e.to_string()),
        opened: Ok((store, info)),
        owner: Some(owner.describe()),
    })
    .await;
    show(&report, repaired, out)
}

/// Repairs what is safe; the fixes are printed before the report.
async fn repair_rows(store: &Store, out: &Out) -> anyhow::Result<Vec<Repair>> {
    let report = store.repair(&out.actor(None)).await?;
    Ok(report.repaired)
}

/// `--json --repair` prints both.
#[derive(serde::Serialize)]
struct Repaired<'a> {
    repaired: &'a [Repair],
    #[serde(flatten)]
    report: &'a Report,
}

fn show(report: &Report, repaired: Option<Vec<Repair>>, out: &Out) -> anyhow::Result<()> {
    if out.json {
        match &repaired {
            Some(r) => out.json(&Repaired {
                repaired: r,
                report,
            })?,
            None => out.json(report)?,
        }
    } else {
        if let Some(r) = &repaired {
            let mut lines: Vec<String> = if r.is_empty() {
                vec!["Repair: nothing to repair safely.".into()]
            } else {
                vec![format!(
                    "Repaired {} row{}:",
                    r.len(),
                    if r.len() == 1 { "" } else { "s" }
                )]
            };
            lines.extend(
                r.iter()
                    .map(|x| format!("  {} {}: {}", x.table, x.id, x.what)),
            );
            lines.push(String::new());
            out.lines(&lines)?;
        }
        out.lines_styled(&doctor::lines(report), crate::paint::doctor_mark)?;
    }
    if report.ok() {
        Ok(())
    } else {
        Err(Failed(report.failed).into())
    }
}
