//! Composing an RFC 5322 / MIME message from a [`Draft`].

use std::io::{self, Write};

use super::{ComposeError, Draft};
use crate::envelope::Envelope;

/// A checked draft, ready to be written any number of times (files are re-opened
/// and streamed on every write; nothing large is held in memory).
#[derive(Debug)]
pub struct Composed {
    pub envelope: Envelope,
    /// The Message-ID, without angle brackets.
    pub message_id: String,
}

/// Check a draft: parse addresses, validate headers, open every file once.
pub fn prepare(_draft: Draft) -> Result<Composed, ComposeError> {
    Err(ComposeError::Usage("composing is not implemented yet".into()))
}

impl Composed {
    /// Write the whole message (CRLF line endings) to `out`.
    pub fn write_to(&self, _out: &mut dyn Write) -> io::Result<()> {
        Err(io::Error::other("not implemented yet"))
    }
}
