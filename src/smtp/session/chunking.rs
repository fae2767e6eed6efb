//! BDAT (RFC 3030, CHUNKING): the message in counted chunks of at most
//! [`CHUNK`] bytes instead of DATA. No 354 to wait for and no dot-stuffing pass; the
//! line endings are made CRLF as for DATA (the same writer, without the dots), so the
//! server reads the same message either way.
//!
//! Each BDAT gets its own reply (RFC 3030 §2). With PIPELINING the chunks go out
//! without waiting for them, up to [`OWED_WHILE_PIPELINING`] replies behind; without
//! it, each chunk waits for its reply. For one recipient, MAIL and RCPT go in the
//! write of the first chunk, as with DATA: a refused RCPT leaves no valid recipient,
//! so the server refuses the BDAT and delivers nothing. After a refusal no further
//! chunk is sent (RFC 3030 §2: "the sender-SMTP MUST NOT send any additional BDAT
//! segments"), the replies owed are read, and the error is that first refusal.

use std::io::{self, Write};

use super::super::data::{CHUNK, DotStuffer};
use super::Session;
use super::flight::{Finished, Flight, Owed, Token};
use crate::smtp::error::{SmtpError, SmtpErrorKind, Stage};
use crate::smtp::wire::Wire;
use crate::smtp::{Outcome, Payload};

/// Replies a pipelined BDAT stream may leave unread when it writes the next chunk:
/// 8 chunks of 64 KiB in flight cover a 100 ms round trip at 40 Mbit/s, and the
/// replies owed (a line each) stay far below a socket's receive buffer, so neither
/// side can block the other writing.
pub(super) const OWED_WHILE_PIPELINING: usize = 8;

/// The token of the one message of a transaction that is not streamed.
const ALONE: Token = Token::MAX;

impl<W: Wire> Session<W> {
    /// The transaction with BDAT: MAIL and RCPT (with the first chunk for one
    /// recipient and PIPELINING), the chunks, and the reply to the LAST one.
    pub(super) fn chunked(
        &mut self,
        to: &[String],
        mail: String,
        rcpts: &[String],
        payload: &mut dyn Payload,
        warnings: Vec<String>,
    ) -> Result<Outcome, SmtpError> {
        let quit = self.quit_after_message && self.caps.pipelining;
        let window = if self.caps.pipelining {
            OWED_WHILE_PIPELINING
        } else {
            0
        };
        self.send_chunked(ALONE, to, mail, rcpts, payload, warnings, quit, window)?;
        self.drain_flights();
        let finished = self.take_finished().into_iter();
        match finished.filter(|(t, _)| *t == ALONE).map(|(_, f)| f).next() {
            Some(Finished::Done(result)) => result,
            Some(Finished::Again(e)) => Err(e),
            None => Err(SmtpError::new(
                Stage::EndOfData,
                SmtpErrorKind::Protocol("the message got no reply".into()),
            )),
        }
    }

    /// Send message `token` with BDAT and leave what it is owed to be read as the
    /// window requires (its outcome comes in [`Session::take_finished`]). `Err` only
    /// for a message that failed on its own before it was in flight (its envelope
    /// refused when it waits for the replies, its payload failing).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn send_chunked(
        &mut self,
        token: Token,
        to: &[String],
        mail: String,
        rcpts: &[String],
        payload: &mut dyn Payload,
        warnings: Vec<String>,
        quit: bool,
        window: usize,
    ) -> Result<(), SmtpError> {
        let mut flight = Flight::new(token, to, warnings);
        let grouped = self.caps.pipelining && rcpts.len() == 1;
        let mut commands = Vec::new();
        let mut owed = Vec::new();
        if self.needs_rset() {
            commands.push("RSET".to_owned());
            owed.push(Owed::Rset);
        }
        if grouped {
            commands.extend([mail, rcpts[0].clone()]);
            owed.extend([Owed::Mail, Owed::Rcpt]);
        } else {
            // Several recipients (or no PIPELINING): their replies first, so that a
            // message never goes to some of them only.
            self.drain_flights();
            let (mail_reply, replies) = self.send_envelope(mail, rcpts)?;
            flight.accepted = self.judge_envelope(to, mail_reply, replies, false)?;
            flight.grouped = false;
        }
        self.flights.flying.push_back(flight);
        let mut chunker = Chunker {
            session: self,
            token,
            buf: Vec::with_capacity(CHUNK),
            commands,
            owed,
            window,
            stopped: false,
        };
        let streamed = chunker.stream(payload, quit);
        if let Some(f) = self.flight_mut(token) {
            f.writing = false;
        }
        match streamed {
            Ok(sent_last) => {
                self.quit_sent |= quit && sent_last;
                self.settle_flights();
                Ok(())
            }
            Err(e) => {
                // The payload's own failure, before any LAST chunk: the server holds
                // an unfinished message, which RSET or the connection's end discards.
                self.flights.flying.retain(|f| f.token != token);
                self.flights.open = true;
                Err(SmtpError::new(Stage::Data, SmtpErrorKind::Payload(e)))
            }
        }
    }
}

/// The writer the payload writes into (behind the CRLF normaliser): it cuts the
/// message into chunks, sends each, and reads the replies that fall behind the window.
struct Chunker<'s, W: Wire> {
    session: &'s mut Session<W>,
    token: Token,
    /// The chunk being filled; never more than [`CHUNK`] bytes.
    buf: Vec<u8>,
    /// RSET, MAIL and RCPT, to go in the write of the first chunk (or none).
    commands: Vec<String>,
    /// What those commands are owed.
    owed: Vec<Owed>,
    /// Most replies left unread after a chunk is written.
    window: usize,
    /// A refusal of this message was read: no further chunk goes out (RFC 3030 §2).
    stopped: bool,
}

impl<W: Wire> Chunker<'_, W> {
    fn broken(&self) -> bool {
        self.session.flights.broken
    }

    /// Stream the payload. `Ok(true)` when the LAST chunk (and QUIT, when `quit`)
    /// went out; `Ok(false)` when a refusal or the connection stopped the stream;
    /// `Err` with the payload's own failure.
    fn stream(&mut self, payload: &mut dyn Payload, quit: bool) -> io::Result<bool> {
        let written = {
            let mut lines = DotStuffer::line_ends_only(&mut *self);
            payload
                .write_to(&mut lines)
                .and_then(|()| lines.finish().map(drop))
        };
        match written {
            _ if self.broken() || self.stopped => Ok(false),
            Err(e) => Err(e),
            Ok(()) => {
                if self.send(true).is_err() {
                    return Ok(false);
                }
                if quit && !self.broken() {
                    // QUIT right behind the end of the message: its reply comes with
                    // the LAST chunk's, no round trip of its own (RFC 2920 §3.1).
                    let _ = self.session.wire.send(Stage::Quit, "QUIT");
                }
                Ok(true)
            }
        }
    }

    /// Send the chunk in `buf` (with the commands, the first time).
    fn send(&mut self, last: bool) -> io::Result<()> {
        let commands = std::mem::take(&mut self.commands);
        let session = &mut *self.session;
        if let Err(e) = session.wire.send_chunk(&commands, &self.buf, last) {
            let text = e.to_string();
            session.lose_flights(&e);
            return Err(io::Error::other(text));
        }
        self.buf.clear();
        let mut owed = std::mem::take(&mut self.owed);
        owed.push(Owed::Chunk { last });
        session.owe(self.token, &owed);
        if last && let Some(f) = session.flight_mut(self.token) {
            f.complete = true;
        }
        while session.flights.owed.len() > self.window {
            match session.read_owed() {
                Ok((token, _, refused)) if token == self.token && refused => {
                    self.stopped = true;
                }
                Ok(_) => {}
                Err(e) => return Err(io::Error::other(e.to_string())),
            }
            if session.flights.broken {
                return Err(io::Error::other("the connection ended"));
            }
        }
        if self.stopped {
            return Err(io::Error::other("the server refused the message"));
        }
        Ok(())
    }
}

impl<W: Wire> Write for Chunker<'_, W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.stopped || self.broken() {
            return Err(io::Error::other("the message stream has stopped"));
        }
        let mut rest = data;
        while !rest.is_empty() {
            // A full chunk goes out only when more follows, so the LAST one is never
            // empty unless the message is.
            if self.buf.len() == CHUNK {
                self.send(false)?;
            }
            let n = (CHUNK - self.buf.len()).min(rest.len());
            self.buf.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
