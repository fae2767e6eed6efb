//! The one sanitiser for text that came from outside (a server's reply, a decoded SASL
//! challenge, a certificate's names, a DNS answer, a queued message's headers, a
//! command's error output) before it is shown on a terminal or written into a
//! line-oriented file.
//!
//! Such text may hold terminal escape sequences (ESC, the C1 CSI), line breaks that
//! would forge a line of posta's own (`posta: hint: …`), NUL, or Unicode bidi
//! overrides that make text read in an order other than the bytes'. Each of these
//! becomes a visible escape (`\x1b`, `\n`, `\u{202e}`), so the text stays one line
//! and shows what was there. Tab is kept: it moves the cursor, but can neither
//! forge a line nor change the terminal's state.

use std::borrow::Cow;
use std::fmt::Write;

/// `s` made safe to show on one line of a terminal or a log file.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// Like [`for_terminal`], but line breaks (LF) are kept: for text of several lines
/// that posta itself made (an error chain, a report), as a last guard before it is
/// printed. A CR, and every other control character, is still escaped.
pub fn for_terminal_lines(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && needs_escape(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c == '\n' {
            out.push(c);
        } else {
            push_escaped(&mut out, c);
        }
    }
    Cow::Owned(out)
}

/// Bytes from outside (invalid UTF-8 tolerated: each bad sequence becomes U+FFFD),
/// made safe as by [`for_terminal`].
pub fn bytes_for_terminal(raw: &[u8]) -> String {
    for_terminal(&String::from_utf8_lossy(raw)).into_owned()
}

fn push_escaped(out: &mut String, c: char) {
    if !needs_escape(c) {
        out.push(c);
        return;
    }
    let _ = match c {
        '\n' => write!(out, "\\n"),
        '\r' => write!(out, "\\r"),
        '\0' => write!(out, "\\0"),
        c if (c as u32) < 0x80 => write!(out, "\\x{:02x}", c as u32),
        c => write!(out, "\\u{{{:x}}}", c as u32),
    };
}

/// C0 controls but tab, DEL, C1 controls, the bidi embeddings, overrides, isolates
/// and marks, and the Unicode line and paragraph separators.
fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(
            for_terminal("250 2.0.0 Ok: queued\tas ABC ünïcödé"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn controls_and_bidi_become_visible_escapes() {
        let hostile = "a\x1b[31mred\x07\r\nposta: hint: x\0\u{9b}2J\u{202e}gnp.exe\u{2066}\x7f";
        let shown = for_terminal(hostile);
        assert_eq!(
            shown,
            "a\\x1b[31mred\\x07\\r\\nposta: hint: x\\0\\u{9b}2J\\u{202e}gnp.exe\\u{2066}\\x7f"
        );
        assert!(!shown.chars().any(needs_escape));
    }

    #[test]
    fn the_lines_form_keeps_line_feeds_only() {
        assert_eq!(for_terminal_lines("a\nb\r\x1bc"), "a\nb\\r\\x1bc");
        assert!(matches!(for_terminal_lines("a\nb"), Cow::Borrowed(_)));
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        assert_eq!(bytes_for_terminal(b"\xff\x1bx"), "\u{fffd}\\x1bx");
    }
}
