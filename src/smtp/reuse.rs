//! Several transactions over one session: what `posta batch` sends with. Connect,
//! EHLO and AUTH once; then MAIL/RCPT/DATA per message, RSET after a failed one, and
//! one reconnection when the server dropped us between messages.

use super::error::{SmtpError, SmtpErrorKind, Stage};
use super::session::{self, Session};
use super::transcript::Log;
use super::wire::SocketWire;
use super::{Outcome, Payload, Settings, Transcript};
use crate::envelope::{Dsn, Envelope};

/// An open, authenticated session that can carry many messages.
pub struct ReusedSession<'a> {
    settings: Settings,
    /// `None` after the session broke; the next message reconnects.
    session: Option<Session<SocketWire<'a>>>,
    /// The transcript, kept here while there is no session to own it.
    spare_log: Option<Log<'a>>,
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
        let mut reused = ReusedSession {
            settings: settings.clone(),
            session: None,
            spare_log: Some(Log::new(transcript)),
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
        let wire = SocketWire::open(&self.settings, log)?;
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

    /// QUIT, when the session is still open.
    pub fn close(mut self) {
        if let Some(session) = self.session.take() {
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
