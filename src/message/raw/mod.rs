//! Reading a finished message (sendmail mode, `posta batch`): the header block, `-t`
//! recipients, Bcc removal, missing Date/Message-ID/From, and line endings.
//!
//! The input is copied once into a spool (memory while small, else an anonymous
//! file) with every line ending made CRLF, so memory stays bounded whatever the
//! message size, the exact size is known before sending, and a bare CR or LF can
//! never end DATA early (SMTP smuggling).
//!
//! - `header_block.rs`: reading the header block into fields, leaving the body unread.
//! - `recipients.rs`: the envelope's addresses, read from the fields with posta's own
//!   address parser (the same one compose uses), so the envelope is what the header says.
//! - `spool.rs`: the copy into the spool file, with the fields posta adds or removes.
//! - `body.rs`: the body's lines, and what is done to one over 998 octets.
//! - `store.rs`: where the spooled bytes wait, memory or file.

use std::io::{self, BufRead, Write};

use super::ComposeError;
use crate::envelope::Envelope;

mod body;
mod header_block;
mod local;
mod recipients;
mod spool;
mod store;

pub use body::LongLines;
pub use header_block::{HeaderBlock, read_header_block};
pub use local::is_local_sender;
pub use store::Space;

/// RFC 5322 §2.1.1: a line is at most 998 octets without its CRLF.
pub const MAX_LINE: usize = 998;
/// The header block is held in memory to find recipients; this bounds it.
pub const MAX_HEADER_BYTES: usize = 1 << 20;

/// What sendmail's flags say about the message.
#[derive(Debug, Clone, Default)]
pub struct RawOptions {
    /// `-t`: take recipients from To, Cc and Bcc (or Resent-* when present) too.
    pub extract_recipients: bool,
    /// `-f`: the envelope sender.
    pub envelope_from: Option<String>,
    /// `-F`: display name for a From header that posta adds.
    pub full_name: Option<String>,
    /// The profile's From, used for MAIL FROM and a missing From header.
    pub default_from: Option<String>,
    /// Replace a From header whose address is not `default_from`'s with it.
    pub rewrite_from: bool,
    /// Recipients given as arguments.
    pub recipients: Vec<String>,
}

/// A message read and checked, waiting in its spool (see [`store`]).
#[derive(Debug)]
pub struct Spooled {
    stored: store::Stored,
    /// Exact bytes of the message as it will be sent (before dot-stuffing).
    pub size: u64,
    pub envelope: Envelope,
    /// The Message-ID (given or added), without angle brackets.
    pub message_id: String,
    /// Some byte is not 7-bit ASCII.
    pub eight_bit: bool,
    /// Lines over 998 octets were made to fit (see [`LongLines`]), if any.
    pub long_lines: Option<LongLines>,
    /// The Bcc and Resent-Bcc fields left out of the message, as they were written
    /// (CRLF-terminated): the copy in Sent keeps them.
    pub bcc: Vec<u8>,
}

impl Spooled {
    /// The spool's space, for [`HeaderBlock::spool_reusing`].
    pub fn into_space(self) -> Space {
        self.stored.into_space()
    }

    /// Write the spooled message to `out` from its start; can be called again.
    pub fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.stored.write_from(0, out)
    }
}

/// Read a message from `input`, check it, and spool it with the envelope.
pub fn spool(input: &mut dyn BufRead, opts: &RawOptions) -> Result<Spooled, ComposeError> {
    read_header_block(input)?.spool(input, opts)
}

fn bad_io(what: &str, e: io::Error) -> ComposeError {
    ComposeError::BadInput(format!("{what}: {e}"))
}

/// Spool `input` through a reader with a tiny buffer (to exercise line boundaries) and
/// give back the text as it will be sent.
#[cfg(test)]
fn spool_for_test(input: &[u8], opts: &RawOptions) -> Result<(String, Spooled), ComposeError> {
    let mut reader = io::BufReader::with_capacity(7, input);
    let mut s = spool(&mut reader, opts)?;
    let mut out = Vec::new();
    s.write_to(&mut out).unwrap();
    assert_eq!(out.len() as u64, s.size);
    Ok((String::from_utf8_lossy(&out).into_owned(), s))
}

/// `-t`, nothing else.
#[cfg(test)]
fn extract() -> RawOptions {
    RawOptions {
        extract_recipients: true,
        ..RawOptions::default()
    }
}
