//! posta's replies to its SMTP client: a code, an enhanced status code (RFC 3463) and
//! lines of text, written as RFC 5321 §4.2 says. Text from elsewhere (the upstream's
//! reply, an error) is made safe for the wire here: no CR, LF or other control
//! character can end a reply early or forge another.

use std::io::{self, Write};

/// One reply to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub code: u16,
    /// "2.0.0", "5.1.1"…
    pub enhanced: String,
    pub lines: Vec<String>,
}

/// The longest text line written (RFC 5321 §4.5.3.1.5 allows 512 octets a reply line).
const MAX_TEXT: usize = 400;
/// The most lines one reply carries.
const MAX_LINES: usize = 20;

impl Answer {
    pub fn new(code: u16, enhanced: &str, text: String) -> Answer {
        Answer {
            code,
            enhanced: enhanced.to_string(),
            lines: vec![text],
        }
    }

    /// The lines joined, as a person reads them.
    pub fn text(&self) -> String {
        self.lines.join(" / ")
    }

    /// 2xx
    pub fn is_positive(&self) -> bool {
        self.code / 100 == 2
    }

    /// Write the reply: `CODE-x.y.z text` for every line but the last, `CODE x.y.z text`.
    pub fn write_to(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut lines: Vec<String> = self
            .lines
            .iter()
            .flat_map(|l| l.split(['\r', '\n']))
            .filter(|l| !l.trim().is_empty())
            .take(MAX_LINES)
            .map(wire_text)
            .collect();
        if lines.is_empty() {
            lines.push(String::new());
        }
        let last = lines.len() - 1;
        let mut buf = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let sep = if i == last { ' ' } else { '-' };
            let code = self.code;
            let text = match (self.enhanced.is_empty(), line.is_empty()) {
                (true, _) => line.clone(),
                (false, true) => self.enhanced.clone(),
                (false, false) => format!("{} {line}", self.enhanced),
            };
            write!(buf, "{code}{sep}{text}\r\n")?;
        }
        out.write_all(&buf)
    }
}

/// Printable ASCII and UTF-8 text without control characters, cut to [`MAX_TEXT`].
fn wire_text(line: &str) -> String {
    let mut out = String::new();
    for c in line.trim().chars() {
        if out.len() >= MAX_TEXT {
            out.push_str("...");
            break;
        }
        out.push(if c.is_control() { '?' } else { c });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(a: &Answer) -> String {
        let mut out = Vec::new();
        a.write_to(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_reply_of_several_lines_has_its_separators() {
        let a = Answer {
            code: 550,
            enhanced: "5.1.1".into(),
            lines: vec!["<a@x.org>: no such user".into(), "<b@x.org>: gone".into()],
        };
        assert_eq!(
            written(&a),
            "550-5.1.1 <a@x.org>: no such user\r\n550 5.1.1 <b@x.org>: gone\r\n"
        );
    }

    #[test]
    fn outside_text_cannot_forge_a_reply() {
        let a = Answer::new(451, "4.3.0", "oops\r\n250 2.0.0 ok\u{1b}[2J".into());
        let text = written(&a);
        assert_eq!(text, "451-4.3.0 oops\r\n451 4.3.0 250 2.0.0 ok?[2J\r\n");
        let long = Answer::new(250, "2.0.0", "x".repeat(5000));
        assert!(written(&long).len() < 512);
    }
}
