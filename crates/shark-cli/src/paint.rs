//! Colour for people at a terminal (anstyle, the styles clap's own help
//! uses): statuses, priorities, warnings, errors and the doctor's marks.
//! Whether to colour is decided by the calling process for each of its
//! streams (anstream's rules: a terminal, no `NO_COLOR`, no `TERM=dumb`;
//! `CLICOLOR_FORCE` forces it) and never with `--json` or `--no-color`, so a
//! command handed to the owner is coloured for the caller's terminal.
//! Painting is applied to text already made printable: it adds escapes of
//! its own, never passes one through.

use anstyle::{AnsiColor, Style};
use serde::{Deserialize, Serialize};

/// Whether the caller's stdout and stderr are coloured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Colours {
    pub stdout: bool,
    pub stderr: bool,
}

impl Colours {
    /// This process's choice for its own streams.
    pub fn decide(json: bool, no_color: bool) -> Self {
        if json || no_color {
            return Self::default();
        }
        Colours {
            stdout: wanted(&std::io::stdout()),
            stderr: wanted(&std::io::stderr()),
        }
    }
}

fn wanted<S: anstream::stream::RawStream>(stream: &S) -> bool {
    anstream::AutoStream::choice(stream) != anstream::ColorChoice::Never
}

/// `text` in `style` when `on` (and the style is not plain).
pub fn paint(on: bool, style: Style, text: &str) -> String {
    if !on || style == Style::new() {
        return text.to_string();
    }
    format!("{}{text}{}", style.render(), style.render_reset())
}

fn fg(c: AnsiColor) -> Style {
    Style::new().fg_color(Some(c.into()))
}

/// A task's, epic's or feature's status. A value this build does not know
/// (a newer Shark's) stays plain.
pub fn status(s: &str) -> Style {
    match s {
        "in_progress" | "active" => fg(AnsiColor::Yellow),
        "blocked" => fg(AnsiColor::Red).bold(),
        "ready_for_review" => fg(AnsiColor::Magenta),
        "completed" => fg(AnsiColor::Green),
        "archived" | "draft" => Style::new().dimmed(),
        _ => Style::new(),
    }
}

/// A task's priority (1 highest) or an epic's (high, medium, low), in the
/// window's bands (`band` in ui/src/model.ts): high (1-3) stands out, low
/// (7-10) recedes, medium (the default, 5) stays plain.
pub fn priority(p: &str) -> Style {
    match p {
        "1" | "2" | "3" | "high" => fg(AnsiColor::Red).bold(),
        "7" | "8" | "9" | "10" | "low" => Style::new().dimmed(),
        _ => Style::new(),
    }
}

/// How a table column's cells are painted, by its header.
pub fn column(header: &str) -> fn(&str) -> Style {
    match header {
        "STATUS" => status,
        "PRI" | "PRIORITY" => priority,
        _ => |_| Style::new(),
    }
}

/// Column headers.
pub fn header() -> Style {
    Style::new().bold()
}

/// The `error:` prefix.
pub fn error() -> Style {
    fg(AnsiColor::Red).bold()
}

/// The `warning:` prefix.
pub fn warning() -> Style {
    fg(AnsiColor::Yellow).bold()
}

/// A doctor line's mark (`[ok  ]`, `[WARN]`, `[FAIL]`) painted, if it has one.
pub fn doctor_mark(line: &str) -> Option<String> {
    let (mark, style) = [
        ("[ok  ]", fg(AnsiColor::Green)),
        ("[WARN]", warning()),
        ("[FAIL]", error()),
    ]
    .into_iter()
    .find(|(m, _)| line.starts_with(m))?;
    Some(format!(
        "{}{}",
        paint(true, style, mark),
        &line[mark.len()..]
    ))
}

/// A `Label:   value` line whose value is a status or a priority, painted.
pub fn field(line: &str) -> Option<String> {
    let (label, style): (&str, fn(&str) -> Style) = [
        ("Status:", status as fn(&str) -> Style),
        ("Priority:", priority),
    ]
    .into_iter()
    .find(|(l, _)| line.starts_with(l))?;
    let rest = &line[label.len()..];
    let value = rest.trim_start();
    let pad = &rest[..rest.len() - value.len()];
    Some(format!("{label}{pad}{}", paint(true, style(value), value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_when_off_or_unstyled() {
        assert_eq!(paint(false, error(), "error:"), "error:");
        assert_eq!(paint(true, status("todo"), "todo"), "todo");
        assert_eq!(paint(true, status("some_newer_status"), "x"), "x");
        assert_eq!(paint(true, priority("5"), "5"), "5");
        assert_ne!(priority("2"), priority("5"));
        assert_ne!(priority("low"), priority("medium"));
    }

    #[test]
    fn painted_text_is_wrapped_in_its_style_and_a_reset() {
        let p = paint(true, status("completed"), "completed");
        assert!(p.starts_with("\u{1b}[") && p.contains("completed") && p.ends_with("\u{1b}[0m"));
        let line = doctor_mark("[FAIL] database  cannot open").expect("a mark");
        assert!(line.contains("[FAIL]\u{1b}[0m database  cannot open"));
        assert_eq!(doctor_mark("       fix: run it"), None);
        let f = field("Status:      blocked").expect("a field");
        assert!(f.starts_with("Status:      \u{1b}[") && f.contains("blocked"));
        assert_eq!(field("Feature:     E01-F01"), None);
    }
}
