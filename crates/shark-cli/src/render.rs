//! Output: JSON for scripts and agents, aligned tables and short sentences for
//! people. A closed pipe (`shark task list | head`) ends quietly.

use std::io::{self, BufWriter, Write};

use serde::Serialize;
use shark_core::time::Timestamp;

/// Where and how results are printed.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    pub json: bool,
}

/// Longest title shown in a table cell; `get` shows it whole.
const TITLE_WIDTH: usize = 60;

impl Out {
    pub fn new(json: bool) -> Self {
        Out { json }
    }

    /// Prints a value as pretty JSON.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> anyhow::Result<()> {
        let mut w = BufWriter::new(io::stdout().lock());
        serde_json::to_writer_pretty(&mut w, value)?;
        writeln!(w)?;
        w.flush()?;
        Ok(())
    }

    /// Prints lines of text.
    pub fn lines<S: AsRef<str>>(&self, lines: &[S]) -> anyhow::Result<()> {
        let mut w = BufWriter::new(io::stdout().lock());
        for l in lines {
            writeln!(w, "{}", l.as_ref())?;
        }
        w.flush()?;
        Ok(())
    }

    /// Prints an aligned table (or `empty` when there are no rows).
    pub fn table(&self, headers: &[&str], rows: &[Vec<String>], empty: &str) -> anyhow::Result<()> {
        if rows.is_empty() {
            return self.lines(&[empty]);
        }
        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
        for r in rows {
            for (i, cell) in r.iter().enumerate() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let mut w = BufWriter::new(io::stdout().lock());
        let header: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        for r in std::iter::once(&header).chain(rows) {
            let mut line = String::new();
            for (i, cell) in r.iter().enumerate() {
                if i + 1 == r.len() {
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.extend(std::iter::repeat_n(
                        ' ',
                        widths[i] - cell.chars().count() + 2,
                    ));
                }
            }
            writeln!(w, "{}", line.trim_end())?;
        }
        w.flush()?;
        Ok(())
    }
}

/// Shortens a title for a table cell.
pub fn clip(s: &str) -> String {
    if s.chars().count() <= TITLE_WIDTH {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(TITLE_WIDTH - 1).collect();
        t.push('…');
        t
    }
}

/// A time for people: `2026-11-22 01:54 UTC`.
pub fn when(t: &Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// An optional value for people (`-` when absent).
pub fn or_dash(v: Option<&str>) -> String {
    v.filter(|s| !s.is_empty()).unwrap_or("-").to_string()
}

/// True when the failure is stdout having been closed by the reader.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(io::ErrorKind::BrokenPipe))
    })
}
