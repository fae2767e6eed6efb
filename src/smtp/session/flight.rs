//! Replies owed, across messages: what lets `batch` send the next message before the
//! last one's reply came back (RFC 2920 §3.1: the end of data may share a group
//! with the next MAIL; RFC 3030: BDAT needs no 354 at all).
//!
//! Every command sent is recorded with the message it belongs to; replies come back
//! in the same order, and each is filed with its message. A message is judged (sent,
//! or refused and why) from its own replies only, once all of them are in: "sent"
//! means its own 250 to the end of its data. When the connection fails, a message
//! whose data went out whole has an unknown fate (an error, never "sent"); one whose
//! data did not is given back to be sent again on a new connection.

use std::collections::VecDeque;

use super::{Session, unexpected};
use crate::smtp::error::{SmtpError, SmtpErrorKind, Stage};
use crate::smtp::wire::Wire;
use crate::smtp::{Outcome, RecipientReply, Reply};

/// The caller's name for a message in flight.
pub(crate) type Token = u64;

/// A command whose reply has not been read yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Owed {
    /// The RSET that starts a streamed message (the one before may have left a
    /// transaction open: a refused recipient).
    Rset,
    Mail,
    Rcpt,
    /// The DATA command (354 wanted).
    Data,
    Chunk {
        last: bool,
    },
    /// The "." that ends DATA.
    EndOfData,
}

impl Owed {
    pub(super) fn stage(self) -> Stage {
        match self {
            Owed::Rset | Owed::Mail => Stage::Mail,
            Owed::Rcpt => Stage::Rcpt,
            Owed::Data | Owed::Chunk { last: false } => Stage::Data,
            Owed::Chunk { last: true } | Owed::EndOfData => Stage::EndOfData,
        }
    }

    /// The reply to the end of the message: it may take the long time limit.
    pub(super) fn is_final(self) -> bool {
        matches!(self, Owed::Chunk { last: true } | Owed::EndOfData)
    }
}

/// What became of a message sent in a stream.
#[derive(Debug)]
pub enum Finished {
    Done(Result<Outcome, SmtpError>),
    /// Not delivered: the connection ended before the message's data went out whole.
    /// It may be sent again on a new connection.
    Again(SmtpError),
}

/// A message whose replies are not all in.
pub(super) struct Flight {
    pub(super) token: Token,
    /// The recipients, in the order of their RCPTs.
    pub(super) to: Vec<String>,
    /// MAIL and RCPT went with the message (one recipient, PIPELINING): their
    /// replies are among `answers`. Else they were judged before and `accepted` holds
    /// the recipients.
    pub(super) grouped: bool,
    pub(super) accepted: Vec<RecipientReply>,
    pub(super) warnings: Vec<String>,
    pub(super) answers: Vec<(Owed, Reply)>,
    pub(super) owed: usize,
    /// The whole message went out (its LAST chunk, or its "."): should the connection
    /// fail now, whether it was delivered is unknown.
    pub(super) complete: bool,
    /// Still being written: judged only once it is not.
    pub(super) writing: bool,
}

impl Flight {
    /// Its envelope was accepted and its data went out whole: its transaction ends
    /// with the reply still owed.
    fn ends_itself(&self) -> bool {
        let taken = |want: Owed| {
            self.answers
                .iter()
                .any(|(owed, reply)| *owed == want && reply.is_positive())
        };
        self.complete && (!self.grouped || (taken(Owed::Mail) && taken(Owed::Rcpt)))
    }

    pub(super) fn new(token: Token, to: &[String], warnings: Vec<String>) -> Flight {
        Flight {
            token,
            to: to.to_vec(),
            grouped: true,
            accepted: Vec::new(),
            warnings,
            answers: Vec::new(),
            owed: 0,
            complete: false,
            writing: true,
        }
    }
}

/// The messages in flight on one session and the replies they are owed.
#[derive(Default)]
pub(super) struct Flights {
    pub(super) owed: VecDeque<(Token, Owed)>,
    pub(super) flying: VecDeque<Flight>,
    pub(super) finished: Vec<(Token, Finished)>,
    /// The connection failed or the server is closing: nothing more can be read.
    pub(super) broken: bool,
    /// A streamed message may have left its transaction open (a refused recipient,
    /// a payload that failed between chunks): the next one starts with RSET.
    pub(super) open: bool,
}

impl<W: Wire> Session<W> {
    /// Record that `commands` of message `token` were sent.
    pub(super) fn owe(&mut self, token: Token, commands: &[Owed]) {
        for &owed in commands {
            self.flights.owed.push_back((token, owed));
        }
        if let Some(f) = self.flight_mut(token) {
            f.owed += commands.len();
        }
    }

    /// The next streamed message must start with RSET: the one before may not have
    /// ended its transaction, or may not yet be known to have. A message whose
    /// envelope was taken and whose data went out whole ends its transaction with the
    /// reply to its end, whatever that says (RFC 5321 §4.1.1.4): no RSET behind it.
    pub(super) fn needs_rset(&mut self) -> bool {
        let unsure = self.flights.flying.iter().any(|f| !f.ends_itself());
        let needed = self.streaming && (unsure || self.flights.open);
        self.flights.open &= !needed;
        needed
    }

    /// A transaction may be open after a stream: false once RSET was answered.
    pub(crate) fn transaction_left_open(&self) -> bool {
        self.flights.open
    }

    pub(super) fn flight_mut(&mut self, token: Token) -> Option<&mut Flight> {
        self.flights.flying.iter_mut().find(|f| f.token == token)
    }

    /// Read the oldest reply owed and file it with its message: the message and the
    /// command it answered, and whether it was a refusal. An error when nothing more
    /// can be read (every message in flight is then finished).
    pub(super) fn read_owed(&mut self) -> Result<(Token, Owed, bool), SmtpError> {
        let Some((token, owed)) = self.flights.owed.pop_front() else {
            return Err(SmtpError::new(
                Stage::Mail,
                SmtpErrorKind::Protocol("no reply is owed".into()),
            ));
        };
        if owed.is_final() {
            // Servers scan the message (spam, viruses) before answering.
            self.wire.set_reply_timeout(self.timeouts.1);
        }
        let reply = self.read(owed.stage());
        if owed.is_final() {
            self.wire.set_reply_timeout(self.timeouts.0);
        }
        let reply = match reply {
            Ok(r) => r,
            Err(e) => {
                self.lose_flights(&e);
                return Err(e);
            }
        };
        let wanted = reply.is_positive() || (owed == Owed::Data && reply.code == 354);
        let refused = !wanted;
        let closing = reply.code == 421;
        if let Some(f) = self.flight_mut(token) {
            f.owed -= 1;
            f.answers.push((owed, reply.clone()));
        }
        if closing {
            // RFC 5321 §3.8: the server answers nothing more and closes.
            let e = unexpected(owed.stage(), reply);
            self.settle_flights();
            self.lose_flights(&e);
            return Ok((token, owed, refused));
        }
        self.settle_flights();
        Ok((token, owed, refused))
    }

    /// Read every reply owed (or until the connection fails).
    pub(crate) fn drain_flights(&mut self) {
        while !self.flights.owed.is_empty() && !self.flights.broken {
            let _ = self.read_owed();
        }
        self.settle_flights();
    }

    /// Messages finished since the last call, in the order they were sent.
    pub(crate) fn take_finished(&mut self) -> Vec<(Token, Finished)> {
        std::mem::take(&mut self.flights.finished)
    }

    /// Judge the oldest messages whose replies are all in.
    pub(super) fn settle_flights(&mut self) {
        while self
            .flights
            .flying
            .front()
            .is_some_and(|f| f.owed == 0 && !f.writing)
        {
            let flight = self.flights.flying.pop_front().expect("checked");
            let token = flight.token;
            let result = self.judge_flight(flight);
            self.flights.finished.push((token, Finished::Done(result)));
        }
    }

    /// The connection failed (`e`): every message in flight ends, sent again later
    /// when its data had not gone out whole, else with the failure.
    pub(super) fn lose_flights(&mut self, e: &SmtpError) {
        self.flights.broken = true;
        self.flights.owed.clear();
        for flight in std::mem::take(&mut self.flights.flying) {
            let copy = SmtpError::new(e.stage, copy_kind(e));
            let finished = if flight.complete {
                // The server may have taken it just before: never "sent", never twice
                // without the user's knowing.
                Finished::Done(Err(SmtpError::new(Stage::EndOfData, copy.kind)))
            } else {
                Finished::Again(SmtpError::new(Stage::Mail, copy.kind))
            };
            self.flights.finished.push((flight.token, finished));
        }
    }

    /// A message from its own replies: the first refusal, else the reply to its end.
    fn judge_flight(&mut self, flight: Flight) -> Result<Outcome, SmtpError> {
        let Flight {
            to,
            grouped,
            mut accepted,
            warnings,
            answers,
            ..
        } = flight;
        let mut answers = answers
            .into_iter()
            .filter(|(owed, _)| *owed != Owed::Rset)
            .peekable();
        if grouped {
            let mut next = |want: Owed| {
                answers
                    .next_if(|(owed, _)| *owed == want)
                    .map(|(_, reply)| reply)
            };
            let (Some(mail), Some(rcpt)) = (next(Owed::Mail), next(Owed::Rcpt)) else {
                return Err(missing_reply(Stage::Mail));
            };
            // A server that takes message data after refusing the envelope is out of
            // step with us (RFC 2920 and RFC 3030 require a refusal).
            let refused = !mail.is_positive() || !rcpt.is_positive();
            let data_taken = refused
                && answers.clone().any(|(owed, r)| match owed {
                    Owed::Data => r.code == 354,
                    _ => r.is_positive(),
                });
            let rcpts = vec![rcpt; to.len().min(1)];
            let envelope_to = to.clone();
            accepted = self.judge_envelope(&envelope_to, mail, rcpts, data_taken)?;
        }
        let mut last = None;
        for (owed, reply) in answers {
            let wanted = if owed == Owed::Data {
                reply.code == 354
            } else {
                reply.is_positive()
            };
            if !wanted {
                return Err(unexpected(owed.stage(), reply));
            }
            if owed.is_final() {
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
        SmtpErrorKind::Protocol("a transaction ended without all its replies".into()),
    )
}

/// The same failure for each message it ended (I/O errors are not `Clone`).
fn copy_kind(e: &SmtpError) -> SmtpErrorKind {
    match &e.kind {
        SmtpErrorKind::Io(e) => SmtpErrorKind::Io(std::io::Error::new(e.kind(), e.to_string())),
        SmtpErrorKind::Timeout => SmtpErrorKind::Timeout,
        SmtpErrorKind::Rejected(r) => SmtpErrorKind::Rejected(r.clone()),
        _ => SmtpErrorKind::Protocol(e.to_string()),
    }
}
