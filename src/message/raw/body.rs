//! The body of a finished message into its spool file: as it is, line by line, when
//! every line fits SMTP's limit of 998 octets (RFC 5321 §4.5.3.1.6). A longer line — a
//! long log line or a minified JSON blob in cron output — is not refused (msmtp and
//! Postfix's sendmail deliver it; refusing lost the message) but made to fit:
//!
//! - a plain text body (no Content-Type, or `text/*`, and no transfer encoding, or
//!   7bit/8bit) is re-encoded as quoted-printable, which reads back to the same text:
//!   the header block is written again with the encoding declared, and what was
//!   already copied is encoded from the spool file;
//! - any other body (multipart, an encoding of its own) is folded as Postfix folds it
//!   (`smtp_line_length_limit`): a CRLF and a space every 998 octets.
//!
//! Either way a line is read in pieces, so memory does not grow with its length.

use std::io::{self, Write};

use super::header_block::{Lines, Piece};
use super::store::{Space, Store, Stored};
use super::{ComposeError, MAX_LINE, bad_io};
use crate::message::body::{Encoding, TextEncoder};

/// What was done about lines over 998 octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LongLines {
    /// The text body was re-encoded as quoted-printable.
    ReEncoded,
    /// The lines were folded (CRLF and a space inserted), as Postfix does.
    Folded,
}

/// The spool being written, counting its bytes.
pub(super) struct Spool {
    pub(super) inner: Store,
}

impl Spool {
    pub(super) fn new(space: Space) -> Spool {
        Spool {
            inner: Store::new(space),
        }
    }

    pub(super) fn count(&self) -> u64 {
        self.inner.count
    }

    pub(super) fn finish(self) -> Result<Stored, ComposeError> {
        self.inner
            .finish()
            .map_err(|e| bad_io("cannot write the spool file", e))
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// How the body may be changed when a line is too long.
pub(super) struct Rules<'a> {
    /// A plain text body: re-encode it (else fold).
    pub(super) reencodable: bool,
    /// Writes the header block again (with its blank line) for a re-encoded body.
    pub(super) head_for_qp: &'a dyn Fn(&mut dyn Write) -> io::Result<()>,
}

/// The body as copied: whether some byte is 8-bit, and what was done to long lines.
pub(super) struct Copied {
    pub(super) spool: Spool,
    pub(super) eight_bit: bool,
    pub(super) long_lines: Option<LongLines>,
}

fn write(out: &mut dyn Write, bytes: &[u8]) -> Result<(), ComposeError> {
    out.write_all(bytes)
        .map_err(|e| bad_io("cannot write the spool file", e))
}

/// Copy the body from `lines` (after `first`, a line already read) into `spool`, which
/// holds the header block and its blank line from `body_start` on.
pub(super) fn copy(
    mut spool: Spool,
    body_start: u64,
    lines: &mut Lines<'_>,
    first: Option<&[u8]>,
    rules: &Rules<'_>,
) -> Result<Copied, ComposeError> {
    let mut eight_bit = false;
    if let Some(l) = first {
        eight_bit |= !l.is_ascii();
        write(&mut spool, l)?;
        write(&mut spool, b"\r\n")?;
    }
    let mut line = Vec::with_capacity(1024);
    let mut folded = false;
    // Within a folded line, after the inserted CRLF and space.
    let mut continuing = false;
    loop {
        line.clear();
        let limit = if continuing { MAX_LINE - 1 } else { MAX_LINE };
        let Some(piece) = lines.read_upto(&mut line, limit)? else {
            break;
        };
        if piece == Piece::Cut && !folded && rules.reencodable {
            let spool = reencode(spool, body_start, rules, lines, &line)?;
            return Ok(Copied {
                spool,
                eight_bit: false,
                long_lines: Some(LongLines::ReEncoded),
            });
        }
        eight_bit |= !line.is_ascii();
        write(&mut spool, &line)?;
        if piece == Piece::Cut {
            write(&mut spool, b"\r\n ")?;
            folded = true;
            continuing = true;
        } else {
            write(&mut spool, b"\r\n")?;
            continuing = false;
        }
    }
    Ok(Copied {
        spool,
        eight_bit,
        long_lines: folded.then_some(LongLines::Folded),
    })
}

/// Start again in a new spool file: the header block for quoted-printable, the body so
/// far (read back from the old file) and the rest of the input, all encoded.
fn reencode(
    old: Spool,
    body_start: u64,
    rules: &Rules<'_>,
    lines: &mut Lines<'_>,
    cut: &[u8],
) -> Result<Spool, ComposeError> {
    let mut old = old.finish()?;
    let mut spool = Spool::new(Space::default());
    let io = |e| bad_io("cannot write the spool file", e);
    (rules.head_for_qp)(&mut spool).map_err(io)?;
    {
        let mut qp = TextEncoder::new(&mut spool, Encoding::QuotedPrintable);
        qp.feed_reader(old.read_from(body_start).map_err(io)?)
            .map_err(io)?;
        qp.feed(cut).map_err(io)?;
        let mut piece = Vec::with_capacity(64 * 1024);
        loop {
            piece.clear();
            match lines.read_upto(&mut piece, 64 * 1024)? {
                None => break,
                Some(Piece::Cut) => qp.feed(&piece).map_err(io)?,
                Some(Piece::Ended | Piece::Last) => {
                    qp.feed(&piece).map_err(io)?;
                    qp.feed(b"\n").map_err(io)?;
                }
            }
        }
        qp.finish().map_err(io)?;
    }
    Ok(spool)
}
