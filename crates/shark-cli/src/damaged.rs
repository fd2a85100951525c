//! Saying which rows a command could not read (another machine's, a newer
//! Shark's, a hand edit's), on stderr so `--json` output stays as scripts
//! expect it, without stopping the command.

use shark_core::stored::DamagedRow;

use crate::render::Out;

/// Rows named one by one; past this, a count.
const NAMED: usize = 10;

/// Warns about `damaged` (nothing when there are none).
pub fn report(out: &Out, damaged: &[DamagedRow]) {
    if damaged.is_empty() {
        return;
    }
    let n = damaged.len();
    out.warn(&format!(
        "{n} stored row{} could not be read and {} left out (written by another machine, a newer Shark or a hand edit); shark doctor lists them, shark doctor --repair fixes what it safely can",
        if n == 1 { "" } else { "s" },
        if n == 1 { "is" } else { "are" },
    ));
    for d in damaged.iter().take(NAMED) {
        out.warn(&format!("  {}", d.describe()));
    }
    if n > NAMED {
        out.warn(&format!("  ... and {} more", n - NAMED));
    }
}

/// A status as shown to people: a newer Shark's is marked as such.
pub fn status_text(s: impl std::fmt::Display, known: bool) -> String {
    if known {
        s.to_string()
    } else {
        format!("{s} (from a newer Shark)")
    }
}
