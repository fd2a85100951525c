//! Text made safe for a terminal. Titles, descriptions, notes and agent
//! names come from anyone (an import, another machine through sync), and a
//! control character in them could move the cursor, clear the screen or
//! retitle the terminal (`ESC ] 0 ;`). Human output shows each such
//! character as a visible escape (`\x1b`); line breaks and tabs stay, and
//! JSON output is never changed (it escapes control characters itself).

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as is: C0 controls but tab and
/// line feed, DEL, C1 controls, and the bidirectional overrides and
/// isolates that make text display in another order than it is stored.
fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every unsafe character shown as an escape.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !unsafe_char(c) {
            out.push(c);
        } else if (c as u32) < 0x100 {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn escapes_what_a_terminal_would_act_on() {
        assert_eq!(printable("Plain title"), "Plain title");
        assert_eq!(printable("two\nlines\tand a tab"), "two\nlines\tand a tab");
        assert_eq!(printable("\u{1b}]0;pwned\u{7}x"), "\\x1b]0;pwned\\x07x");
        assert_eq!(printable("\u{1b}[2J"), "\\x1b[2J");
        assert_eq!(printable("back\rspace\u{8}"), "back\\x0dspace\\x08");
        assert_eq!(printable("c1 \u{9b}31m"), "c1 \\x9b31m");
        assert_eq!(printable("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(printable("café ✓"), "café ✓");
    }
}
