//! What can go wrong in an IMAP session, as one type with the kind of failure and
//! words for people. The server's own words in it have been through
//! `model::text::for_terminal` and had the secret taken out (see `session.rs`).

use std::io;

/// Why a copy could not be saved.
#[derive(Debug, thiserror::Error)]
#[error("{text}")]
pub struct ImapError {
    pub kind: ImapErrorKind,
    text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImapErrorKind {
    /// No connection, or TLS could not be set up.
    Connect,
    /// The server refused the login.
    Auth,
    /// The server said NO or BAD to a command.
    Refused,
    /// APPEND was answered `[TRYCREATE]`: the folder does not exist.
    NoFolder,
    /// No answer in time.
    Timeout,
    /// The server said something that is not IMAP, or too much of it.
    Protocol,
    /// The connection broke.
    Io,
    /// The message's own bytes could not be read.
    Payload,
}

impl ImapError {
    pub fn new(kind: ImapErrorKind, text: impl Into<String>) -> ImapError {
        ImapError {
            kind,
            text: text.into(),
        }
    }

    pub(crate) fn protocol(text: impl Into<String>) -> ImapError {
        ImapError::new(ImapErrorKind::Protocol, text)
    }

    /// A failed read or write: a time limit reached (blocking sockets say WouldBlock)
    /// or the connection gone.
    pub(crate) fn io(e: io::Error) -> ImapError {
        match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => ImapError::new(
                ImapErrorKind::Timeout,
                "the IMAP server did not answer in time",
            ),
            _ => ImapError::new(
                ImapErrorKind::Io,
                format!(
                    "the connection to the IMAP server failed: {}",
                    crate::model::exit_code::io_text(&e)
                ),
            ),
        }
    }
}
