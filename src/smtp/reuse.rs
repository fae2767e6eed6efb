//! Several transactions over one session: what `posta batch` sends with. Connect,
//! EHLO and AUTH once; then MAIL/RCPT/DATA per message, RSET after a failed one, and
//! one reconnection when the server dropped us between messages, which resumes the
//! TLS session of the connection before (rustls).

use super::error::{SmtpError, SmtpErrorKind, Stage};
use super::session::{self, Finished, Session, Token};
use super::tls::TlsClient;
use super::transcript::Log;
use super::wire::{self, SocketWire};
use super::{Outcome, Payload, Settings, Transcript};
use crate::envelope::{Dsn, Envelope};

/// An open, authenticated session that can carry many messages.
pub struct ReusedSession<'a> {
    settings: Settings,
    /// `None` after the session broke; the next message reconnects.
    session: Option<Session<SocketWire<'a>>>,
    /// The transcript, kept here while there is no session to own it.
    spare_log: Option<Log<'a>>,
    /// Set up once, for every session: a reconnect resumes the TLS session.
    tls: Option<TlsClient>,
    /// Sessions opened, the first included.
    pub sessions: u32,
}

impl<'a> ReusedSession<'a> {
    /// Connect, say EHLO (and STARTTLS as the settings ask) and authenticate.
    pub fn open(
        settings: &Settings,
        transcript: Option<&'a mut Transcript<'_>>,
    ) -> Result<Self, SmtpError> {
        session::validate_settings(settings)?;
        let tls = wire::prepare_tls(settings)?;
        let mut reused = ReusedSession {
            settings: settings.clone(),
            session: None,
            spare_log: Some(Log::new(transcript)),
            tls,
            sessions: 0,
        };
        reused.establish()?;
        Ok(reused)
    }

    /// Open a session; when the server refuses an access token that can be renewed
    /// (it expired during a long batch), once more with the new one.
    fn establish(&mut self) -> Result<(), SmtpError> {
        let result = self.establish_once();
        let Err(e) = &result else { return result };
        let renewal = (self.settings.credentials.as_ref())
            .filter(|_| matches!(e.kind, SmtpErrorKind::AuthFailed(_)))
            .and_then(|c| Some((c.renew.clone()?, c.secret.clone())));
        let Some((renew, refused)) = renewal else {
            return result;
        };
        let Some(fresh) = (renew.0)(&refused) else {
            return result;
        };
        if let Some(credentials) = self.settings.credentials.as_mut() {
            credentials.secret = fresh;
        }
        if let Some(log) = self.spare_log.as_mut() {
            log.info("the server refused the access token; logging in again with a new one");
        }
        self.establish_once()
    }

    fn establish_once(&mut self) -> Result<(), SmtpError> {
        let log = self.spare_log.take().unwrap_or_else(|| Log::new(None));
        self.sessions += 1;
        let wire = SocketWire::open_with(&self.settings, log, self.tls.clone())?;
        let mut session = Session::greet(wire, &self.settings)?;
        let settings = &self.settings;
        let ready = session
            .hello(settings)
            .and_then(|()| match &settings.credentials {
                Some(creds) => session.authenticate(settings, creds),
                None => Ok(()),
            });
        match ready {
            Ok(()) => {
                self.session = Some(session);
                Ok(())
            }
            Err(e) => {
                let (result, wire) = session.end(Err(e));
                self.spare_log = Some(wire.into_log());
                result
            }
        }
    }

    /// Send one message. A refused message leaves the connection ready for the next
    /// (RSET); a broken connection is opened again on the next call. When the server
    /// closed the connection before the message was accepted for delivery (a network
    /// error or a 421 at MAIL or RCPT), the message is retried once on a new session:
    /// nothing can have been delivered then.
    pub fn send(
        &mut self,
        envelope: &Envelope,
        dsn: &Dsn,
        payload: &mut dyn Payload,
    ) -> Result<Outcome, SmtpError> {
        session::validate_envelope(envelope, dsn)?;
        let fresh = self.session.is_none();
        if fresh {
            self.establish()?;
        }
        match self.attempt(envelope, dsn, payload) {
            Err(e) if !fresh && dropped_before_data(&e) => {
                if let Some(log) = self.spare_log.as_mut() {
                    log.info(&format!(
                        "the server dropped the connection ({e}); reconnecting"
                    ));
                }
                self.establish()?;
                self.attempt(envelope, dsn, payload)
            }
            other => other,
        }
    }

    /// Send message `token` without waiting for the replies of the ones before it
    /// (one recipient and PIPELINING; else it waits, as [`ReusedSession::send`]).
    /// Returns the messages whose outcome is now known, this one or earlier ones, in
    /// the order they were sent. A message given back `Again` was not delivered (the
    /// connection ended before its data went out whole): the caller may send it again.
    pub fn start(
        &mut self,
        token: Token,
        envelope: &Envelope,
        dsn: &Dsn,
        payload: &mut dyn Payload,
    ) -> Vec<(Token, Finished)> {
        if let Err(e) = session::validate_envelope(envelope, dsn) {
            return vec![(token, Finished::Done(Err(e)))];
        }
        if self.session.is_none()
            && let Err(e) = self.establish()
        {
            return vec![(token, Finished::Done(Err(e)))];
        }
        let session = self.session.as_mut().expect("established above");
        if !session.can_stream(envelope) {
            let mut known = self.flush();
            if let Some(session) = self.session.as_mut()
                && session.transaction_left_open()
                && !session.reset()
            {
                self.drop_session();
            }
            known.push((token, Finished::Done(self.send(envelope, dsn, payload))));
            return known;
        }
        let started = session.start(token, &self.settings, envelope, dsn, payload);
        let mut known = session.take_finished();
        if let Err(e) = started {
            known.push((token, Finished::Done(Err(e))));
        }
        self.drop_if_broken();
        known
    }

    /// Wait for every message in flight; their outcomes, in the order they were sent.
    pub fn flush(&mut self) -> Vec<(Token, Finished)> {
        let Some(session) = self.session.as_mut() else {
            return Vec::new();
        };
        session.drain_flights();
        let known = session.take_finished();
        self.drop_if_broken();
        known
    }

    fn drop_if_broken(&mut self) {
        if self.session.as_ref().is_some_and(|s| !s.in_step()) {
            self.drop_session();
            if let Some(log) = self.spare_log.as_mut() {
                log.info("the connection cannot go on; the next message opens a new one");
            }
        }
    }

    fn attempt(
        &mut self,
        envelope: &Envelope,
        dsn: &Dsn,
        payload: &mut dyn Payload,
    ) -> Result<Outcome, SmtpError> {
        let session = self
            .session
            .as_mut()
            .expect("established before an attempt");
        let result = session.transaction(&self.settings, envelope, dsn, payload);
        if let Err(e) = &result {
            let in_step = e.leaves_dialogue_in_step() && !is_closing(e) && session.in_step();
            // A refused recipient already reset the transaction.
            let reset_done = matches!(e.kind, SmtpErrorKind::RecipientsRefused { .. });
            if !in_step || (!reset_done && !session.reset()) {
                self.drop_session();
            }
        }
        result
    }

    fn drop_session(&mut self) {
        if let Some(session) = self.session.take() {
            self.spare_log = Some(session.into_wire().into_log());
        }
    }

    /// The connection is up and its dialogue in a known state (after the last message's
    /// end, or RSET): the next message can go on it without reconnecting.
    pub fn is_open(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.in_step())
    }

    /// QUIT, when the session is still open (after [`ReusedSession::flush`]).
    pub fn close(mut self) {
        if let Some(mut session) = self.session.take() {
            session.drain_flights();
            let _ = session.end(Ok(()));
        }
    }
}

/// 421: the server is closing the connection (RFC 5321 §3.8).
fn is_closing(e: &SmtpError) -> bool {
    e.reply().is_some_and(|r| r.code == 421)
}

/// The session died before DATA was accepted, so nothing was delivered and the
/// message may be sent again on a new session.
fn dropped_before_data(e: &SmtpError) -> bool {
    let broken = matches!(e.kind, SmtpErrorKind::Io(_)) || is_closing(e);
    broken && matches!(e.stage, Stage::Mail | Stage::Rcpt)
}
