//! The header block of a finished message: read line by line (any line ending, each
//! line at most [`MAX_LINE`] octets) until the empty line or the first line that is no
//! header field, held in memory (at most [`MAX_HEADER_BYTES`]) and grouped into fields.
//! The body stays in the input for the spool to copy.

use std::io::{self, BufRead};

use super::{ComposeError, MAX_HEADER_BYTES, MAX_LINE, bad_io};

/// The header block of a message being read; the body is still in the input.
#[derive(Debug)]
pub struct HeaderBlock {
    pub(super) lines: Vec<Vec<u8>>,
    /// The first body line, when the header block ended without an empty line.
    pub(super) first_body: Option<Vec<u8>>,
    /// Whether anything follows the header block.
    pub(super) has_body: bool,
    /// Line number of the last line read, for error messages.
    pub(super) line_number: u64,
    pub(super) after_cr: bool,
}

/// Read the header block (bounded by [`MAX_HEADER_BYTES`]), leaving the body in `input`.
pub fn read_header_block(input: &mut dyn BufRead) -> Result<HeaderBlock, ComposeError> {
    let mut lines = Lines::new(input);
    let mut line = Vec::with_capacity(1024);
    let mut header_lines: Vec<Vec<u8>> = Vec::new();
    let mut header_bytes = 0usize;
    let mut first_body = None;
    let mut has_body = false;
    let mut first = true;

    while lines.next(&mut line)?.is_some() {
        if first && line.starts_with(b"From ") {
            // An mbox separator, as mail(1) and some scripts write: not a header.
            first = false;
            continue;
        }
        first = false;
        if line.is_empty() {
            has_body = true;
            break;
        }
        let continuation = matches!(line[0], b' ' | b'\t') && !header_lines.is_empty();
        if continuation || is_field_start(&line) {
            header_bytes += line.len() + 2;
            if header_bytes > MAX_HEADER_BYTES {
                return Err(ComposeError::BadInput(format!(
                    "the header block is larger than {MAX_HEADER_BYTES} bytes"
                )));
            }
            header_lines.push(line.clone());
        } else {
            // Not a header: the body starts here (Postfix does the same).
            first_body = Some(line.clone());
            has_body = true;
            break;
        }
    }
    Ok(HeaderBlock {
        lines: header_lines,
        first_body,
        has_body,
        line_number: lines.number,
        after_cr: lines.after_cr,
    })
}

impl HeaderBlock {
    /// The header fields, in order.
    pub(super) fn fields(&self) -> Vec<Field<'_>> {
        group_fields(&self.lines)
    }
}

/// One header field: its name and its lines (first line plus continuations).
pub(super) struct Field<'a> {
    pub(super) name: String,
    pub(super) lines: &'a [Vec<u8>],
}

impl Field<'_> {
    /// The value after the colon, unfolded (the line breaks removed, the white space
    /// that started each continuation kept), invalid UTF-8 replaced.
    pub(super) fn value(&self) -> String {
        let mut value = String::new();
        for (i, line) in self.lines.iter().enumerate() {
            let line = String::from_utf8_lossy(line);
            if i == 0 {
                value.push_str(line.split_once(':').map_or("", |(_, rest)| rest));
            } else {
                value.push_str(&line);
            }
        }
        value
    }
}

/// Whether a field named `name` is among `fields`.
pub(super) fn has(fields: &[Field<'_>], name: &str) -> bool {
    fields.iter().any(|f| f.name.eq_ignore_ascii_case(name))
}

fn group_fields(lines: &[Vec<u8>]) -> Vec<Field<'_>> {
    let mut fields = Vec::new();
    let mut start = 0;
    for i in 1..=lines.len() {
        if i == lines.len() || !matches!(lines[i][0], b' ' | b'\t') {
            let first = &lines[start];
            let colon = first.iter().position(|&b| b == b':').unwrap_or(first.len());
            fields.push(Field {
                name: String::from_utf8_lossy(&first[..colon]).trim().to_string(),
                lines: &lines[start..i],
            });
            start = i;
        }
    }
    fields
}

/// The fields `keep` accepts by name, as they were written, each line ending in CRLF.
pub(super) fn join_fields(fields: &[Field<'_>], keep: impl Fn(&str) -> bool) -> Vec<u8> {
    let mut out = Vec::new();
    for f in fields.iter().filter(|f| keep(&f.name)) {
        for (i, l) in f.lines.iter().enumerate() {
            match field_name_end(l) {
                // The obsolete "Name : value" is written as "Name: value" (RFC 5322
                // §4.5: read the obsolete syntax, never generate it).
                Some((end, colon)) if i == 0 && end < colon => {
                    out.extend_from_slice(&l[..end]);
                    out.extend_from_slice(&l[colon..]);
                }
                _ => out.extend_from_slice(l),
            }
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

/// "Name: …" with a field name of printable ASCII other than ':' (RFC 5322 §2.2), or
/// the obsolete "Name : …" with white space before the colon (RFC 5322 §4.5.3,
/// obs-optional), which readers must accept: treating it as the body would send a
/// `BCC : x` line, and every header after it, as text.
fn is_field_start(line: &[u8]) -> bool {
    field_name_end(line).is_some()
}

/// Where the name of the field that `line` starts ends (before any obsolete white
/// space and the colon), and where its colon is; `None` when `line` starts no field.
fn field_name_end(line: &[u8]) -> Option<(usize, usize)> {
    let colon = line.iter().position(|&b| b == b':')?;
    let name_end = line[..colon]
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |i| i + 1);
    let name = &line[..name_end];
    (!name.is_empty() && name.iter().all(|&b| (33..=126).contains(&b))).then_some((name_end, colon))
}

/// Logical lines ending in CRLF, LF or a lone CR, each at most [`MAX_LINE`] octets.
pub(super) struct Lines<'a> {
    input: &'a mut dyn BufRead,
    pub(super) number: u64,
    /// The last line ended in CR: a LF that follows belongs to it.
    pub(super) after_cr: bool,
}

impl<'a> Lines<'a> {
    pub(super) fn new(input: &'a mut dyn BufRead) -> Self {
        Lines {
            input,
            number: 0,
            after_cr: false,
        }
    }

    /// The next line into `buf` (without its ending); `Some(false)` for a last line
    /// without an ending, `None` at the end of input. A line over [`MAX_LINE`] octets
    /// is an error (a header line, or a body that must not be changed).
    pub(super) fn next(&mut self, buf: &mut Vec<u8>) -> Result<Option<bool>, ComposeError> {
        buf.clear();
        match self.read_upto(buf, MAX_LINE)? {
            None => Ok(None),
            Some(Piece::Ended) => Ok(Some(true)),
            Some(Piece::Last) => Ok(Some(false)),
            Some(Piece::Cut) => Err(ComposeError::BadInput(format!(
                "line {} is longer than {MAX_LINE} octets, which SMTP does not allow; \
                 encode the message (quoted-printable or base64) or wrap its lines",
                self.number + 1
            ))),
        }
    }

    /// Append to `buf` the next piece of the current line, until its ending or until
    /// `buf` holds `limit` octets (then [`Piece::Cut`]: the line goes on, and the next
    /// call continues it). Memory stays bounded whatever the line's length.
    pub(super) fn read_upto(
        &mut self,
        buf: &mut Vec<u8>,
        limit: usize,
    ) -> Result<Option<Piece>, ComposeError> {
        loop {
            let avail = match self.input.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(bad_io("cannot read the message", e)),
            };
            if avail.is_empty() {
                if buf.is_empty() {
                    return Ok(None);
                }
                self.number += 1;
                return Ok(Some(Piece::Last));
            }
            if std::mem::take(&mut self.after_cr) && avail[0] == b'\n' {
                self.input.consume(1);
                continue;
            }
            let end = avail.iter().position(|&b| b == b'\n' || b == b'\r');
            let line_rest = end.unwrap_or(avail.len());
            let take = line_rest.min(limit.saturating_sub(buf.len()));
            buf.extend_from_slice(&avail[..take]);
            if take < line_rest {
                self.input.consume(take);
                return Ok(Some(Piece::Cut));
            }
            match end {
                Some(i) => {
                    self.after_cr = avail[i] == b'\r';
                    self.input.consume(i + 1);
                    self.number += 1;
                    return Ok(Some(Piece::Ended));
                }
                None => self.input.consume(take),
            }
        }
    }
}

/// What [`Lines::read_upto`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Piece {
    /// The line ended (with CRLF, LF or CR).
    Ended,
    /// The input ended after this line, which had no line ending.
    Last,
    /// The limit was reached: the line goes on.
    Cut,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_group_continuations_and_values_unfold() {
        let mut input: &[u8] = b"To: a@x.org,\r\n\tb@x.org\nSubject:  hi\n\nbody\n";
        let block = read_header_block(&mut input).unwrap();
        let fields = block.fields();
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["To", "Subject"]);
        assert_eq!(fields[0].value(), " a@x.org,\tb@x.org");
        assert_eq!(fields[1].value(), "  hi");
        assert!(has(&fields, "subject") && !has(&fields, "Cc"));
        assert_eq!(input, b"body\n", "the body stays in the input");
    }

    #[test]
    fn the_obsolete_white_space_before_the_colon_still_makes_a_field() {
        let mut input: &[u8] = b"To: a@x.org\nBCC \t: b@x.org\nSubject : hi\n\nbody\n";
        let block = read_header_block(&mut input).unwrap();
        let fields = block.fields();
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["To", "BCC", "Subject"]);
        assert_eq!(fields[1].value(), " b@x.org");
        assert_eq!(
            join_fields(&fields, |n| !n.eq_ignore_ascii_case("bcc")),
            b"To: a@x.org\r\nSubject: hi\r\n"
        );
        assert!(!is_field_start(b" : x") && !is_field_start(b"a b: x"));
    }

    #[test]
    fn a_line_that_is_no_field_starts_the_body() {
        let mut input: &[u8] = b"To: a@x.org\nnot a field\nmore\n";
        let block = read_header_block(&mut input).unwrap();
        assert_eq!(block.lines.len(), 1);
        assert_eq!(block.first_body.as_deref(), Some(&b"not a field"[..]));
        assert!(block.has_body);
    }
}
