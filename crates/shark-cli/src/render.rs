//! Output: JSON for scripts and agents, aligned tables and short sentences for
//! people. A closed pipe (`shark task list | head`) ends quietly.

use std::io::{self, BufWriter, Write};
use std::sync::{Arc, Mutex};

use crate::paint::{self, Colours};
use crate::printable::printable;
use crate::progress::Progress;
use serde::Serialize;
use shark_core::config::current_user;
use shark_core::model::Actor;
use shark_core::time::Timestamp;

/// Where and how results are printed, and who asked.
#[derive(Debug, Clone)]
pub struct Out {
    pub json: bool,
    /// Who runs the command (taken from the calling process's environment).
    pub caller: Caller,
    sink: Sink,
    /// Warnings of a handed-over command, for its reply's stderr.
    warnings: Arc<Mutex<String>>,
    /// A spinner on the terminal, cleared before anything is printed.
    progress: Arc<Mutex<Option<Progress>>>,
}

/// The calling process: its `SHARK_AGENT`, its login name, and its input for
/// `--batch -` when the command was handed over by another process.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Caller {
    pub agent: Option<String>,
    pub user: Option<String>,
    pub input: Option<String>,
    /// The working folder relative paths are meant from.
    #[serde(default)]
    pub cwd: Option<std::path::PathBuf>,
    /// Whether the caller's streams are coloured (an older caller: no).
    #[serde(default)]
    pub colours: Colours,
}

impl Caller {
    /// This process's caller identity.
    pub fn from_env() -> Self {
        Caller {
            agent: std::env::var("SHARK_AGENT").ok(),
            user: Some(current_user().name),
            input: None,
            cwd: std::env::current_dir().ok(),
            colours: Colours::default(),
        }
    }
}

#[derive(Debug, Clone)]
enum Sink {
    Stdout,
    Buffer(Arc<Mutex<Vec<u8>>>),
}

/// Appends to a shared buffer (output of a handed-over command).
struct BufferWriter(Arc<Mutex<Vec<u8>>>);

impl Write for BufferWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| io::Error::other("output buffer poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Longest title shown in a table cell; `get` shows it whole.
const TITLE_WIDTH: usize = 60;

impl Out {
    /// Output to this process's stdout.
    pub fn new(json: bool) -> Self {
        Out {
            json,
            caller: Caller::from_env(),
            sink: Sink::Stdout,
            warnings: Arc::default(),
            progress: Arc::default(),
        }
    }

    /// Output collected in a buffer, for a command another process handed over.
    pub fn buffered(json: bool, caller: Caller) -> (Self, Arc<Mutex<Vec<u8>>>) {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let out = Out {
            json,
            caller,
            sink: Sink::Buffer(buf.clone()),
            warnings: Arc::default(),
            progress: Arc::default(),
        };
        (out, buf)
    }

    /// Shows `message` as a spinner until the first output (see [`Progress`]).
    pub fn show_progress(&self, message: Option<String>) {
        if self.json {
            return;
        }
        if let (Some(m), Sink::Stdout, Ok(mut p)) = (message, &self.sink, self.progress.lock()) {
            *p = Some(Progress::start(printable(&m)));
        }
    }

    /// Says what the spinner's work is doing now.
    pub fn progress_step(&self, message: &str) {
        if let Ok(p) = self.progress.lock()
            && let Some(p) = p.as_ref()
        {
            p.step(printable(message));
        }
    }

    /// A `note: ...` line beside the output (see [`Out::warn`]).
    pub fn note(&self, line: &str) {
        self.stderr_line(&format!("note: {}", printable(line)));
    }

    /// Clears the spinner, if one shows.
    pub fn end_progress(&self) {
        if let Ok(mut p) = self.progress.lock() {
            p.take();
        }
    }

    fn writer(&self) -> Box<dyn Write + '_> {
        self.end_progress();
        match &self.sink {
            Sink::Stdout => Box::new(BufWriter::new(io::stdout().lock())),
            // One lock per 64 KiB, not per JSON token.
            Sink::Buffer(b) => {
                Box::new(BufWriter::with_capacity(64 * 1024, BufferWriter(b.clone())))
            }
        }
    }

    /// `path` as the caller meant it: relative to the caller's working folder
    /// (which differs from the app's when the command was handed over).
    pub fn resolve(&self, path: &std::path::Path) -> std::path::PathBuf {
        match &self.caller.cwd {
            Some(cwd) if path.is_relative() => cwd.join(path),
            _ => path.to_path_buf(),
        }
    }

    /// Who is acting: `--agent NAME`, else the caller's `SHARK_AGENT`, else
    /// the caller's login name.
    pub fn actor(&self, agent: Option<&str>) -> Actor {
        match agent
            .or(self.caller.agent.as_deref())
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            Some(a) => Actor::agent(a),
            None => match self.caller.user.as_deref().map(str::trim) {
                Some(u) if !u.is_empty() => Actor::user(u),
                _ => current_user(),
            },
        }
    }

    /// A warning beside the output (stderr, so `--json` output stays as
    /// scripts expect it): `warning: ...`, control characters escaped.
    pub fn warn(&self, line: &str) {
        let prefix = paint::paint(self.caller.colours.stderr, paint::warning(), "warning:");
        self.stderr_line(&format!("{prefix} {}", printable(line)));
    }

    /// A line for the caller's stderr: here, printed out of the spinner's
    /// way; for a handed-over command, kept for its reply.
    fn stderr_line(&self, line: &str) {
        match &self.sink {
            Sink::Stdout => match self.progress.lock().ok().as_deref() {
                Some(Some(p)) => p.note(line),
                _ => {
                    let _ = writeln!(io::stderr().lock(), "{line}");
                }
            },
            Sink::Buffer(_) => {
                if let Ok(mut w) = self.warnings.lock() {
                    w.push_str(line);
                    w.push('\n');
                }
            }
        }
    }

    /// The warnings and notes a handed-over command gave (see [`Out::warn`]).
    pub fn take_warnings(&self) -> String {
        self.warnings
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default()
    }

    /// Prints a value as pretty JSON.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> anyhow::Result<()> {
        let mut w = self.writer();
        serde_json::to_writer_pretty(&mut w, value)?;
        writeln!(w)?;
        w.flush()?;
        Ok(())
    }

    /// Writes bytes as they are (a shell script Shark wrote itself).
    pub fn bytes(&self, bytes: &[u8]) -> anyhow::Result<()> {
        let mut w = self.writer();
        w.write_all(bytes)?;
        w.flush()?;
        Ok(())
    }

    /// Prints lines of text (control characters shown as escapes, see
    /// `printable`).
    pub fn lines<S: AsRef<str>>(&self, lines: &[S]) -> anyhow::Result<()> {
        self.lines_styled(lines, |_| None)
    }

    /// [`Out::lines`], each line (already printable) given to `style`,
    /// which may return it painted (see [`paint`]) when colour is on.
    pub fn lines_styled<S: AsRef<str>>(
        &self,
        lines: &[S],
        style: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<()> {
        let mut w = self.writer();
        for l in lines {
            let plain = printable(l.as_ref());
            match self.caller.colours.stdout.then(|| style(&plain)).flatten() {
                Some(painted) => writeln!(w, "{painted}")?,
                None => writeln!(w, "{plain}")?,
            }
        }
        w.flush()?;
        Ok(())
    }

    /// Prints an aligned table (or `empty` when there are no rows).
    pub fn table(&self, headers: &[&str], rows: &[Vec<String>], empty: &str) -> anyhow::Result<()> {
        if rows.is_empty() {
            return self.lines(&[empty]);
        }
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|r| r.iter().map(|c| printable(c).into_owned()).collect())
            .collect();
        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
        for r in &rows {
            for (i, cell) in r.iter().enumerate() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let on = self.caller.colours.stdout;
        let styles: Vec<_> = headers.iter().map(|h| paint::column(h)).collect();
        let mut w = self.writer();
        let header: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        for (n, r) in std::iter::once(&header).chain(&rows).enumerate() {
            let mut line = String::new();
            for (i, cell) in r.iter().enumerate() {
                let style = if n == 0 {
                    paint::header()
                } else {
                    styles[i](cell)
                };
                // Painted columns (statuses, priorities) never end in spaces,
                // so trimming the line below still trims the plain text.
                line.push_str(&paint::paint(on, style, cell));
                if i + 1 < r.len() {
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
