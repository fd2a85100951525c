//! Progress for long work (import, export, a large batch, the first
//! download of a replica): a spinner on stderr saying what is happening and
//! for how long, only when stderr is a terminal (never in a pipe, a log or a
//! script's capture), cleared when the work ends. The work may run in the
//! owner (the command was handed over), so the spinner runs in the caller
//! and counts time, not records. None with `--json` (a script's run).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::args::{Command, TaskCmd};

/// A spinner while it lives (nothing when stderr is not a terminal).
#[derive(Debug)]
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// Starts showing `message`.
    pub fn start(message: impl Into<String>) -> Self {
        if !std::io::stderr().is_terminal() || std::env::var("TERM").is_ok_and(|t| t == "dumb") {
            return Progress(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(message.into());
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(Some(bar))
    }

    /// Prints `line` on stderr with the spinner out of its way (it is drawn
    /// again after).
    pub fn note(&self, line: &str) {
        match &self.0 {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    /// Says what is happening now.
    pub fn step(&self, message: impl Into<String>) {
        if let Some(bar) = &self.0 {
            bar.set_message(message.into());
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// What a long command shows while it runs; `None` for quick ones.
pub fn of(command: &Command) -> Option<String> {
    match command {
        Command::Import { path } => Some(format!("Importing {}", path.display())),
        Command::Export { path, .. } => Some(format!("Exporting to {}", path.display())),
        // Not while the batch is typed at the terminal (`--batch -`).
        Command::Task(TaskCmd::Create {
            batch: Some(from), ..
        }) if !(from == "-" && std::io::stdin().is_terminal()) => {
            Some("Creating the batch's tasks".into())
        }
        _ => None,
    }
}
