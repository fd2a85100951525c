//! Man pages: shark(1) and one page per subcommand (shark-task-create(1)
//! and so on), written from the command line's own definition by
//! clap_mangen, so they say exactly what `--help` says. The package build
//! runs `shark man-pages DIR` and ships the result.

use std::path::{Path, PathBuf};

use clap::CommandFactory;

use crate::args::Cli;

/// Writes every page into `dir` (created if missing); returns their paths.
pub fn write_all(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    use anyhow::Context as _;
    if dir.exists() && !dir.is_dir() {
        return crate::usage(format!(
            "{} is a file; give a folder for the man pages",
            dir.display()
        ));
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // Without the `help` subcommands: their pages would only repeat these.
    let cmd = Cli::command()
        .disable_help_subcommand(true)
        .mut_subcommands(|c| c.disable_help_subcommand(true));
    clap_mangen::generate_to(cmd, dir)
        .with_context(|| format!("cannot write the man pages into {}", dir.display()))?;
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "1"))
        .collect();
    pages.sort();
    Ok(pages)
}
