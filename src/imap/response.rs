//! Reading what an IMAP server says (RFC 3501 §7), bounded: a line is at most
//! [`MAX_LINE`] octets, a literal inside a response (a folder name) at most
//! [`MAX_LITERAL`], and a response at most [`MAX_PARTS`] lines and literals. Nothing
//! the server sends can make posta hold more than that.

use std::io::{self, BufRead, Read};

use super::error::ImapError;

/// RFC 7162 §4 asks clients to take lines of at least 8192 octets; a LIST line with a
/// long folder name and its extended data stays far below this.
pub(crate) const MAX_LINE: usize = 64 * 1024;
/// The largest literal taken inside a response: a folder name sent as a literal.
pub(crate) const MAX_LITERAL: usize = 64 * 1024;
/// Lines and literals in one response.
const MAX_PARTS: usize = 64;

/// One response: untagged (`*`), a continuation request (`+`), or the tagged end of
/// a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Response {
    /// `* …`: the text after "* ", with any literals it carried.
    Untagged(Untagged),
    /// `+ …`: the server waits for more from the client.
    Continue(String),
    Tagged {
        tag: String,
        status: Status,
        /// The rest of the line, response code included ("[TRYCREATE] no such folder").
        text: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Ok,
    No,
    Bad,
}

/// An untagged response: its text with each literal's place marked by the "{n}" that
/// announced it, and the literals in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Untagged {
    pub text: String,
    pub literals: Vec<Vec<u8>>,
}

impl Untagged {
    /// The first word, upper-cased ("LIST", "CAPABILITY", "OK", "BYE", or a number).
    pub fn keyword(&self) -> String {
        self.text
            .split(' ')
            .next()
            .unwrap_or("")
            .to_ascii_uppercase()
    }
}

/// Read one response from `input`.
pub(crate) fn read(input: &mut dyn BufRead) -> Result<Response, ImapError> {
    let first = read_line(input)?;
    if let Some(rest) = first.strip_prefix("+") {
        return Ok(Response::Continue(rest.trim_start().to_string()));
    }
    if let Some(rest) = first.strip_prefix("* ") {
        let mut untagged = Untagged {
            text: rest.to_string(),
            literals: Vec::new(),
        };
        let mut last = rest.to_string();
        while let Some(n) = literal_announced(&last) {
            if untagged.literals.len() + 1 >= MAX_PARTS {
                return Err(ImapError::protocol(format!(
                    "a response of more than {MAX_PARTS} parts"
                )));
            }
            if n > MAX_LITERAL {
                return Err(ImapError::protocol(format!(
                    "a literal of {n} octets inside a response (at most {MAX_LITERAL} are taken)"
                )));
            }
            let mut literal = vec![0; n];
            input.read_exact(&mut literal).map_err(ImapError::io)?;
            untagged.literals.push(literal);
            let more = read_line(input)?;
            if untagged.text.len() + more.len() > MAX_LINE {
                return Err(ImapError::protocol(format!(
                    "a response longer than {MAX_LINE} octets"
                )));
            }
            untagged.text.push_str(&more);
            last = more;
        }
        return Ok(Response::Untagged(untagged));
    }
    let (tag, rest) = first.split_once(' ').ok_or_else(|| {
        ImapError::protocol(format!("the server's answer is not IMAP: {first:?}"))
    })?;
    let (word, text) = rest.split_once(' ').unwrap_or((rest, ""));
    let status = match word.to_ascii_uppercase().as_str() {
        "OK" => Status::Ok,
        "NO" => Status::No,
        "BAD" => Status::Bad,
        _ => {
            return Err(ImapError::protocol(format!(
                "the server's answer is not IMAP: {first:?}"
            )));
        }
    };
    Ok(Response::Tagged {
        tag: tag.to_string(),
        status,
        text: text.to_string(),
    })
}

/// The size of the literal a line ends by announcing ("… {12}"), if it does.
pub(crate) fn literal_announced(line: &str) -> Option<usize> {
    let open = line.strip_suffix('}')?.rfind('{')?;
    let digits = &line[open + 1..line.len() - 1];
    if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// One line without its CRLF, at most [`MAX_LINE`] octets. Bytes that are not UTF-8
/// are kept as replacement characters: the text is only ever shown or matched.
fn read_line(input: &mut dyn BufRead) -> Result<String, ImapError> {
    let mut line = Vec::new();
    let read = input
        .take(MAX_LINE as u64 + 2)
        .read_until(b'\n', &mut line)
        .map_err(ImapError::io)?;
    if read == 0 {
        return Err(ImapError::io(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the server closed the connection",
        )));
    }
    if line.last() != Some(&b'\n') {
        return Err(ImapError::protocol(if line.len() > MAX_LINE {
            format!("a line longer than {MAX_LINE} octets")
        } else {
            "the connection ended inside a line".to_string()
        }));
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(String::from_utf8_lossy(&line).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(wire: &str) -> Vec<Response> {
        let mut input = wire.as_bytes();
        let mut out = Vec::new();
        while !input.is_empty() {
            out.push(read(&mut input).unwrap());
        }
        out
    }

    #[test]
    fn the_three_kinds_and_a_literal_in_a_list_line() {
        let got = all("* OK [CAPABILITY IMAP4rev1] hi\r\n+ go ahead\r\n\
             * LIST () \"/\" {5}\r\nSent!\r\na1 NO [TRYCREATE] no folder\r\n");
        assert_eq!(
            got[0],
            Response::Untagged(Untagged {
                text: "OK [CAPABILITY IMAP4rev1] hi".into(),
                literals: vec![]
            })
        );
        assert_eq!(got[1], Response::Continue("go ahead".into()));
        let Response::Untagged(list) = &got[2] else {
            panic!("{got:?}")
        };
        assert_eq!(list.text, "LIST () \"/\" {5}");
        assert_eq!(list.literals, vec![b"Sent!".to_vec()]);
        assert_eq!(
            got[3],
            Response::Tagged {
                tag: "a1".into(),
                status: Status::No,
                text: "[TRYCREATE] no folder".into()
            }
        );
    }

    #[test]
    fn too_long_and_cut_short_are_errors_not_waits() {
        let long = format!("* {}\r\n", "x".repeat(MAX_LINE + 10));
        assert!(read(&mut long.as_bytes()).is_err());
        assert!(read(&mut &b"* OK no end"[..]).is_err());
        assert!(read(&mut &b""[..]).is_err());
        let huge = format!("* LIST () \"/\" {{{}}}\r\n", MAX_LITERAL + 1);
        let e = read(&mut huge.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("literal"), "{e}");
        assert!(read(&mut &b"a1 MAYBE\r\n"[..]).is_err());
    }

    #[test]
    fn literal_sizes() {
        assert_eq!(literal_announced("LIST () \"/\" {12}"), Some(12));
        assert_eq!(literal_announced("OK {x}"), None);
        assert_eq!(literal_announced("OK"), None);
        assert_eq!(literal_announced("OK {99999999999}"), None);
    }
}
