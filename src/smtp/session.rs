//! The SMTP dialogue, in order: greeting, EHLO (or HELO), STARTTLS, AUTH,
//! MAIL/RCPT (pipelined when offered, with DATA in the same group for one
//! recipient), DATA (or BDAT chunks, in `session/chunking.rs`; messages streamed
//! for `batch` in `session/streamed.rs` and `session/flight.rs`), QUIT. LMTP (RFC
//! 2033) is the same dialogue with LHLO for EHLO and one reply per recipient after the
//! message (`session/lmtp.rs`), never chunked or streamed. The checks that keep what we
//! were asked to send off the command line when it cannot go there are in
//! `session/checks.rs`; AUTH is in `session/login.rs`; MAIL and RCPT, and what their
//! replies mean, in `session/envelope.rs`.
//!
//! The session talks through a [`Wire`]: a socket in use, a script in the unit tests
//! (`session/tests/`).

use super::capabilities::Capabilities;
use super::dial;
use super::error::{SmtpError, SmtpErrorKind, Stage};
use super::wire::Wire;
use super::{Outcome, Payload, RecipientReply, Reply, Security, Settings};
use crate::envelope::{Dsn, Envelope};
use crate::model::Protocol;
use std::time::Duration;

/// Commands per pipelined write. Bounded because a server answering thousands of
/// RCPTs while we are still writing could fill both socket buffers and deadlock.
const PIPELINE_BATCH: usize = 100;

/// How long the client waits for the 221 after QUIT. The outcome is known by then;
/// RFC 5321 §4.1.1.10 asks the client to wait for the reply, and a bounded wait is
/// that, without holding the user for a slow or distant server's goodbye.
pub(crate) const QUIT_GRACE: Duration = Duration::from_millis(250);

pub(crate) struct Session<W: Wire> {
    wire: W,
    host: String,
    port: u16,
    security: Security,
    protocol: Protocol,
    pub(crate) greeting: Reply,
    pub(crate) caps: Capabilities,
    /// Send QUIT in the same group as the end of data (RFC 2920 §3.1 allows it; its
    /// §4 example does it): set for a session that carries one message.
    quit_after_message: bool,
    /// QUIT was sent; only its reply is left to read.
    quit_sent: bool,
    /// The server's replies and our commands no longer match (a 354 to a DATA we
    /// sent pipelined and then could not follow with the message): the session
    /// can only be abandoned, without RSET or QUIT, which ends the transaction
    /// undelivered (RFC 5321 §4.1.1.4).
    out_of_step: bool,
    /// Messages whose replies are not all in (`batch` streams them).
    flights: flight::Flights,
    /// Messages follow each other without waiting (`batch`): no RSET of its own after
    /// a refused recipient, since the next message's group starts with one.
    streaming: bool,
    /// The limits for an ordinary reply and for the reply to the end of data.
    timeouts: (Duration, Duration),
    /// AUTH PLAIN sent in the transaction's first group (`session/login.rs`).
    early_login: login::EarlyLogin,
}

impl<W: Wire> Session<W> {
    /// Read the greeting on a wire just opened (and already inside TLS for implicit
    /// TLS).
    pub(crate) fn greet(mut wire: W, settings: &Settings) -> Result<Self, SmtpError> {
        let greeting = wire.read_reply(Stage::Greeting)?;
        let session = Session {
            wire,
            host: settings.host.clone(),
            port: settings.port,
            security: settings.security,
            protocol: settings.protocol,
            greeting,
            caps: Capabilities::default(),
            quit_after_message: false,
            quit_sent: false,
            out_of_step: false,
            flights: flight::Flights::default(),
            streaming: false,
            timeouts: (settings.timeout, settings.data_timeout),
            early_login: login::EarlyLogin::Off,
        };
        if session.greeting.code != 220 {
            // RFC 5321 §3.1: after a 554 greeting the server waits for QUIT.
            let refusal = unexpected(Stage::Greeting, session.greeting.clone());
            return session.close(Err(refusal));
        }
        Ok(session)
    }

    /// EHLO, and STARTTLS with a second EHLO when the settings ask for it.
    pub(crate) fn hello(&mut self, settings: &Settings) -> Result<(), SmtpError> {
        self.ehlo(&settings.helo_name)?;
        if settings.security == Security::StartTls {
            if !self.caps.starttls {
                return Err(SmtpError::new(
                    Stage::StartTls,
                    SmtpErrorKind::StartTlsUnavailable,
                ));
            }
            self.wire.send(Stage::StartTls, "STARTTLS")?;
            let reply = self.wire.read_reply(Stage::StartTls)?;
            if reply.code != 220 {
                return Err(unexpected(Stage::StartTls, reply));
            }
            self.wire.start_tls(&settings.host, Stage::StartTls)?;
            // RFC 3207: forget everything learnt before TLS and ask again.
            self.caps = Capabilities::default();
            self.ehlo(&settings.helo_name)?;
        }
        Ok(())
    }

    fn ehlo(&mut self, name: &str) -> Result<(), SmtpError> {
        let hello = match self.protocol {
            Protocol::Smtp => "EHLO",
            Protocol::Lmtp => "LHLO",
        };
        self.wire.send(Stage::Ehlo, &format!("{hello} {name}"))?;
        let reply = self.wire.read_reply(Stage::Ehlo)?;
        if reply.code == 250 {
            self.caps = Capabilities::parse(&reply);
            return Ok(());
        }
        // LMTP has no HELO to fall back to (RFC 2033 §4.1).
        if !reply.is_permanent() || self.protocol == Protocol::Lmtp {
            return Err(unexpected(Stage::Ehlo, reply));
        }
        // An old or minimal server: RFC 5321 §3.2 says fall back to HELO, which
        // means no extensions at all.
        self.wire.info("EHLO refused; trying HELO");
        self.wire.send(Stage::Ehlo, &format!("HELO {name}"))?;
        let reply = self.wire.read_reply(Stage::Ehlo)?;
        if reply.code != 250 {
            return Err(unexpected(Stage::Ehlo, reply));
        }
        self.caps = Capabilities::default();
        Ok(())
    }

    /// MAIL, RCPT, DATA, the message, and the final reply.
    pub(crate) fn transaction(
        &mut self,
        settings: &Settings,
        envelope: &Envelope,
        dsn: &Dsn,
        payload: &mut dyn Payload,
    ) -> Result<Outcome, SmtpError> {
        self.streaming = false;
        let mut warnings = Vec::new();
        let mail = self.mail_command(envelope, dsn, &*payload, &mut warnings)?;
        let rcpts = self.rcpt_commands(envelope, dsn);
        // LMTP answers the end of data once per recipient (session/lmtp.rs): DATA.
        if settings.chunking && self.caps.chunking && self.protocol == Protocol::Smtp {
            return self.chunked(&envelope.to, mail, &rcpts, payload, warnings);
        }

        // One recipient: MAIL, RCPT and DATA in one group (RFC 2920 §3.1: DATA ends
        // it). A refused RCPT leaves no valid recipient, so the server must refuse
        // the DATA (RFC 2920 §3.1) and nothing is sent. With several recipients the
        // DATA would be accepted for the others: wait for the RCPT replies instead.
        let group_data = self.caps.pipelining && rcpts.len() == 1;
        let (mail_reply, rcpt_replies, data_reply) = if group_data {
            self.send_envelope_and_data(mail, &rcpts[0])?
        } else {
            let (mail_reply, replies) = self.send_envelope(mail, &rcpts)?;
            (mail_reply, replies, None)
        };
        // A 354 to a DATA pipelined after a refused MAIL or RCPT (a server that does
        // not follow RFC 2920): the server waits for a message we will not send.
        let data_open = data_reply.as_ref().is_some_and(|r| r.code == 354);
        let accepted = self.judge_envelope(&envelope.to, mail_reply, rcpt_replies, data_open)?;

        let reply = match data_reply {
            Some(reply) => reply,
            None => {
                self.wire.send(Stage::Data, "DATA")?;
                self.read(Stage::Data)?
            }
        };
        if reply.code != 354 {
            return Err(unexpected(Stage::Data, reply));
        }
        if self.login_refused() {
            // The login sent with this group failed, yet the server waits for the
            // message: it is not sent without the login. Leaving ends the transaction
            // undelivered (RFC 5321 §4.1.1.4).
            self.out_of_step = true;
            self.wire
                .info("the login was refused; leaving rather than sending the message without it");
            return Err(SmtpError::new(
                Stage::Data,
                SmtpErrorKind::Protocol("the login was refused".into()),
            ));
        }
        self.wire.send_message(payload)?;
        if self.quit_after_message && self.caps.pipelining {
            // The end of data and QUIT in one group, answered together: no round
            // trip of its own for the goodbye. A failure shows in the reply read next.
            self.quit_sent = self.wire.send(Stage::Quit, "QUIT").is_ok();
        }
        // Servers scan the message (spam, viruses) before answering.
        self.wire.set_reply_timeout(settings.data_timeout);
        let answer = self.end_of_data(accepted);
        self.wire.set_reply_timeout(settings.timeout);
        let (accepted, refused, final_reply) = answer?;
        let mut outcome = self.outcome(accepted, final_reply, warnings);
        outcome.refused = refused;
        Ok(outcome)
    }

    fn outcome(
        &self,
        accepted: Vec<RecipientReply>,
        final_reply: Reply,
        warnings: Vec<String>,
    ) -> Outcome {
        Outcome {
            server: dial::host_port(&self.host, self.port),
            security: self.security_label(),
            accepted,
            refused: Vec::new(),
            final_reply,
            warnings,
        }
    }

    /// The answer to the end of data: SMTP's one reply for the whole message, or
    /// LMTP's one per recipient.
    fn end_of_data(&mut self, accepted: Vec<RecipientReply>) -> Result<Answer, SmtpError> {
        if self.protocol == Protocol::Lmtp {
            let lmtp::Deliveries {
                delivered,
                failed,
                lost,
            } = lmtp::read_deliveries(&mut self.wire, accepted)?;
            self.out_of_step |= lost;
            let last = delivered.last().expect("at least one was delivered");
            let final_reply = last.reply.clone();
            return Ok((delivered, failed, final_reply));
        }
        let final_reply = self.read(Stage::EndOfData)?;
        if !final_reply.is_positive() {
            return Err(unexpected(Stage::EndOfData, final_reply));
        }
        Ok((accepted, Vec::new(), final_reply))
    }

    /// End the session after `result`: with QUIT when the dialogue is still in
    /// step (success, or a refusal), silently after a network, TLS or protocol
    /// failure or in the middle of DATA.
    pub(crate) fn close<T>(self, result: Result<T, SmtpError>) -> Result<T, SmtpError> {
        self.end(result).0
    }

    /// Like [`Session::close`], and give the wire back (its transcript serves a next
    /// session).
    pub(crate) fn end<T>(mut self, result: Result<T, SmtpError>) -> (Result<T, SmtpError>, W) {
        if self.in_step()
            && result
                .as_ref()
                .err()
                .is_none_or(SmtpError::leaves_dialogue_in_step)
        {
            self.quit();
        }
        (result, self.wire)
    }

    /// The session carries one message: QUIT goes with its end of data.
    pub(crate) fn quit_after_message(&mut self) {
        self.quit_after_message = true;
    }

    /// False once the server's replies and our commands no longer match: the
    /// session must then be abandoned, without RSET or QUIT.
    pub(crate) fn in_step(&self) -> bool {
        !self.out_of_step && !self.flights.broken
    }

    /// The wire, taken back from a session that is being abandoned (without QUIT).
    pub(crate) fn into_wire(self) -> W {
        self.wire
    }

    /// RSET after a failed transaction, so the next one starts clean. False when the
    /// server did not answer 250: the session is then not worth keeping.
    pub(crate) fn reset(&mut self) -> bool {
        self.wire.send(Stage::Mail, "RSET").is_ok()
            && self
                .wire
                .read_reply(Stage::Mail)
                .is_ok_and(|r| r.code == 250)
    }

    /// Say goodbye (unless QUIT went with the end of data) and wait a short grace
    /// for the 221; failures no longer matter.
    fn quit(&mut self) {
        if !self.quit_sent {
            self.quit_sent = self.wire.send(Stage::Quit, "QUIT").is_ok();
        }
        if self.quit_sent {
            self.wire.set_reply_timeout(QUIT_GRACE);
            let _ = self.wire.read_reply(Stage::Quit);
        }
    }

    pub(crate) fn security_label(&self) -> String {
        let tls = self.wire.tls_description().unwrap_or("");
        match self.security {
            // STARTTLS asked for but not (yet) done: the dialogue is in clear.
            Security::StartTls if !self.wire.is_tls() => "plain".to_owned(),
            Security::Plain => "plain".to_owned(),
            Security::StartTls => format!("starttls {tls}"),
            Security::Tls => format!("tls {tls}"),
        }
    }

    pub(crate) fn peer_certificate(&self) -> Option<Vec<u8>> {
        self.wire.peer_certificate()
    }

    pub(crate) fn client_certificate_requested(&self) -> Option<bool> {
        self.wire.client_certificate_requested()
    }
}

/// Who got the message, who did not (LMTP only), and the reply that ends it.
type Answer = (Vec<RecipientReply>, Vec<RecipientReply>, Reply);

/// An error for a reply we did not want: the server's refusal for 4xx/5xx, a
/// protocol error for anything else (a 354 to MAIL, a 250 greeting…).
fn unexpected(stage: Stage, reply: Reply) -> SmtpError {
    let kind = if reply.code >= 400 {
        SmtpErrorKind::Rejected(reply)
    } else {
        SmtpErrorKind::Protocol(format!("unexpected reply {reply}"))
    };
    SmtpError::new(stage, kind)
}

mod checks;
mod chunking;
mod envelope;
mod flight;
mod lmtp;
mod login;
mod streamed;
pub use checks::MAX_RECIPIENTS;
#[cfg(test)]
use checks::{check_address, check_dsn_value, check_word, xtext};
pub(crate) use checks::{validate_envelope, validate_settings};
pub use flight::Finished;
pub(crate) use flight::Token;

#[cfg(test)]
mod tests;
