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

use std::collections::VecDeque;
use std::io::{self, Write};
use std::time::Duration;

use super::super::data::{CHUNK, DotStuffer};
use super::{Session, unexpected};
use crate::envelope::Envelope;
use crate::smtp::error::{SmtpError, SmtpErrorKind, Stage};
use crate::smtp::wire::Wire;
use crate::smtp::{Outcome, Payload, Reply, Settings};

/// Replies a pipelined BDAT stream may leave unread when it writes the next chunk:
/// 8 chunks of 64 KiB in flight cover a 100 ms round trip at 40 Mbit/s, and the
/// replies owed (a line each) stay far below a socket's receive buffer, so neither
/// side can block the other writing.
const OWED_WHILE_PIPELINING: usize = 8;

/// A command whose reply has not been read yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owed {
    Mail,
    Rcpt,
    Chunk { last: bool },
}

impl Owed {
    fn stage(self) -> Stage {
        match self {
            Owed::Mail => Stage::Mail,
            Owed::Rcpt => Stage::Rcpt,
            Owed::Chunk { last: false } => Stage::Data,
            Owed::Chunk { last: true } => Stage::EndOfData,
        }
    }
}

impl<W: Wire> Session<W> {
    /// The transaction with BDAT: MAIL and RCPT (with the first chunk for one
    /// recipient and PIPELINING), the chunks, and the reply to the LAST one.
    pub(super) fn chunked(
        &mut self,
        settings: &Settings,
        envelope: &Envelope,
        mail: String,
        rcpts: &[String],
        payload: &mut dyn Payload,
        warnings: Vec<String>,
    ) -> Result<Outcome, SmtpError> {
        let group_envelope = self.caps.pipelining && rcpts.len() == 1;
        let mut accepted = Vec::new();
        let commands = if group_envelope {
            vec![mail, rcpts[0].clone()]
        } else {
            let (mail_reply, replies) = self.send_envelope(mail, rcpts)?;
            accepted = self.judge_envelope(envelope, mail_reply, replies, false)?;
            Vec::new()
        };
        let quit = self.quit_after_message && self.caps.pipelining;
        let window = if self.caps.pipelining {
            OWED_WHILE_PIPELINING
        } else {
            0
        };
        let mut chunker = Chunker {
            wire: &mut self.wire,
            buf: Vec::with_capacity(CHUNK),
            commands,
            owed: VecDeque::new(),
            window,
            answers: Vec::new(),
            stopped: false,
            closing: false,
            failure: None,
            timeouts: (settings.timeout, settings.data_timeout),
        };
        let streamed = chunker.stream(payload, quit);
        let Chunker {
            answers, failure, ..
        } = chunker;
        self.quit_sent = quit && streamed.as_ref().is_ok_and(|sent_last| *sent_last);
        if let Some(e) = failure {
            return Err(e);
        }
        if let Err(e) = streamed {
            // The payload's own failure, before any LAST chunk: the server holds
            // an unfinished message, which the connection's end discards.
            return Err(SmtpError::new(Stage::Data, SmtpErrorKind::Payload(e)));
        }
        self.judge_chunked(envelope, group_envelope, answers, accepted, warnings)
    }

    /// The replies of a BDAT transaction, in the order of the commands: the first
    /// refusal is the outcome, else the reply to the LAST chunk.
    fn judge_chunked(
        &mut self,
        envelope: &Envelope,
        group_envelope: bool,
        answers: Vec<(Owed, Reply)>,
        mut accepted: Vec<crate::smtp::RecipientReply>,
        warnings: Vec<String>,
    ) -> Result<Outcome, SmtpError> {
        // The server is closing (RFC 5321 §3.8) and answered nothing after this.
        if let Some((owed, reply)) = answers.iter().find(|(_, r)| r.code == 421) {
            return Err(unexpected(owed.stage(), reply.clone()));
        }
        let mut answers = answers.into_iter().peekable();
        if group_envelope {
            let mut next = |want: Owed| {
                answers
                    .next_if(|(owed, _)| *owed == want)
                    .map(|(_, reply)| reply)
            };
            let (Some(mail_reply), Some(rcpt_reply)) = (next(Owed::Mail), next(Owed::Rcpt)) else {
                return Err(missing_reply(Stage::Mail));
            };
            // A chunk taken after the envelope was refused: a server out of step with
            // us (RFC 3030 requires a refusal). Nothing can be delivered without a
            // recipient; the session is ended without RSET or QUIT.
            let envelope_refused = !mail_reply.is_positive() || !rcpt_reply.is_positive();
            let data_taken = envelope_refused && answers.clone().any(|(_, r)| r.is_positive());
            accepted = self.judge_envelope(envelope, mail_reply, vec![rcpt_reply], data_taken)?;
        }
        let mut last = None;
        for (owed, reply) in answers {
            if !reply.is_positive() {
                return Err(unexpected(owed.stage(), reply));
            }
            if owed == (Owed::Chunk { last: true }) {
                last = Some(reply);
            }
        }
        let final_reply = last.ok_or_else(|| missing_reply(Stage::EndOfData))?;
        Ok(self.outcome(accepted, final_reply, warnings))
    }
}

fn missing_reply(stage: Stage) -> SmtpError {
    SmtpError::new(
        stage,
        SmtpErrorKind::Protocol("a BDAT transaction ended without all its replies".into()),
    )
}

/// The writer the payload writes into (behind the CRLF normaliser): it cuts the
/// message into chunks, sends each, and reads the replies that fall behind the window.
struct Chunker<'s, W: Wire> {
    wire: &'s mut W,
    /// The chunk being filled; never more than [`CHUNK`] bytes.
    buf: Vec<u8>,
    /// MAIL and RCPT, to go in the write of the first chunk (empty otherwise).
    commands: Vec<String>,
    owed: VecDeque<Owed>,
    /// Most replies left unread after a chunk is written.
    window: usize,
    /// Every reply read, with the command it answers.
    answers: Vec<(Owed, Reply)>,
    /// A refusal was read: no further chunk goes out.
    stopped: bool,
    /// A 421 was read: the server answers nothing more.
    closing: bool,
    /// The connection failed (network, timeout, a malformed reply): the session is
    /// lost.
    failure: Option<SmtpError>,
    /// The limits for an ordinary reply and for the reply to the LAST chunk.
    timeouts: (Duration, Duration),
}

impl<W: Wire> Chunker<'_, W> {
    /// Stream the payload and read every reply owed. `Ok(true)` when the LAST chunk
    /// (and QUIT, when `quit`) went out; `Ok(false)` when a refusal stopped the
    /// stream; `Err` with the payload's own failure.
    fn stream(&mut self, payload: &mut dyn Payload, quit: bool) -> io::Result<bool> {
        let written = {
            let mut lines = DotStuffer::line_ends_only(&mut *self);
            payload
                .write_to(&mut lines)
                .and_then(|()| lines.finish().map(drop))
        };
        let result = match written {
            _ if self.failure.is_some() || self.stopped => Ok(false),
            Err(e) => Err(e),
            Ok(()) => match self.send(true) {
                Ok(()) => Ok(true),
                Err(_) => Ok(false),
            },
        };
        if result.as_ref().is_ok_and(|sent_last| *sent_last) && quit && self.failure.is_none() {
            // QUIT right behind the end of the message: its reply comes with the
            // LAST chunk's, no round trip of its own (RFC 2920 §3.1).
            let _ = self.wire.send(Stage::Quit, "QUIT");
        }
        while !self.owed.is_empty() && self.failure.is_none() && !self.closing {
            let _ = self.read_one();
        }
        result
    }

    /// Send the chunk in `buf` (with the envelope commands, the first time).
    fn send(&mut self, last: bool) -> io::Result<()> {
        let commands = std::mem::take(&mut self.commands);
        if let Err(e) = self.wire.send_chunk(&commands, &self.buf, last) {
            return Err(self.fail(e));
        }
        self.buf.clear();
        if !commands.is_empty() {
            self.owed.extend([Owed::Mail, Owed::Rcpt]);
        }
        self.owed.push_back(Owed::Chunk { last });
        while self.owed.len() > self.window {
            self.read_one()?;
        }
        Ok(())
    }

    /// Read the oldest reply owed; an error once the stream must stop.
    fn read_one(&mut self) -> io::Result<()> {
        let owed = self.owed.pop_front().expect("a reply is owed");
        let (ordinary, after_last) = self.timeouts;
        let last = owed == Owed::Chunk { last: true };
        if last {
            // Servers scan the message (spam, viruses) before answering.
            self.wire.set_reply_timeout(after_last);
        }
        let reply = self.wire.read_reply(owed.stage());
        if last {
            self.wire.set_reply_timeout(ordinary);
        }
        let reply = reply.map_err(|e| self.fail(e))?;
        let refused = !reply.is_positive();
        self.closing |= reply.code == 421;
        self.answers.push((owed, reply));
        if refused {
            self.stopped = true;
            return Err(io::Error::other("the server refused the message"));
        }
        Ok(())
    }

    fn fail(&mut self, e: SmtpError) -> io::Error {
        let text = e.to_string();
        self.failure.get_or_insert(e);
        io::Error::other(text)
    }
}

impl<W: Wire> Write for Chunker<'_, W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.stopped || self.failure.is_some() {
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
