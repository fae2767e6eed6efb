//! AUTH (RFC 4954): each mechanism's exchange of lines. What goes into the lines is in
//! `smtp/auth.rs` and `smtp/auth/scram.rs`; every line that carries the secret, or
//! anything derived from it, is shown in the transcript as "(redacted)".
//!
//! A session that carries one message sends AUTH PLAIN with its initial response in
//! the same group as the message's MAIL and RCPT (and BDAT, or DATA): RFC 4954 §4
//! allows it for a mechanism that completes in one round trip with no security
//! layer, PLAIN being its example, and it saves a round trip. Its reply is read
//! before the first reply of the transaction; a refused login then gives its own
//! error whatever the rest was answered. Should a server take the message anyway
//! (one that relays for this client without a login), it is delivered, and the
//! outcome says so in a warning: what happened, not what was hoped.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use super::{Session, unexpected};
use crate::model::Protocol;
use crate::smtp::auth::{self, Mechanism, scram};
use crate::smtp::dial;
use crate::smtp::error::{SmtpError, SmtpErrorKind, Stage};
use crate::smtp::redact::Redactor;
use crate::smtp::wire::Wire;
use crate::smtp::{Credentials, Outcome, Reply, Settings};

const STAGE: Stage = Stage::Auth;

impl<W: Wire> Session<W> {
    pub(crate) fn authenticate(
        &mut self,
        settings: &Settings,
        creds: &Credentials,
    ) -> Result<(), SmtpError> {
        let not_possible = |why| SmtpError::new(STAGE, SmtpErrorKind::AuthNotPossible(why));
        let tls = self.wire.is_tls();
        // Through a proxy, "localhost" is the proxy's own, across a network.
        let direct = if settings.proxy.is_some() {
            settings.server()
        } else {
            self.host.clone()
        };
        auth::may_send_credentials(&direct, tls, settings.allow_insecure_auth)
            .map_err(not_possible)?;
        let mechanism =
            auth::choose(settings.mechanism, creds.token, tls, &self.caps).map_err(not_possible)?;
        let user = creds.user.as_str();
        let secret = creds.secret.expose();
        if mechanism == Mechanism::Plain && self.early_login == EarlyLogin::Allowed {
            if self.caps.pipelining && self.protocol == Protocol::Smtp {
                self.send_plain(user, secret)?;
                self.early_login = EarlyLogin::Owed;
                return Ok(());
            }
            self.early_login = EarlyLogin::Off;
        }
        let reply = match mechanism {
            Mechanism::Plain => self.plain(user, secret)?,
            Mechanism::Login => self.login(user, secret)?,
            Mechanism::CramMd5 => self.cram_md5(user, secret)?,
            Mechanism::Scram(hash) => self.scram(hash, user, secret)?,
            Mechanism::External => self.external()?,
            Mechanism::Xoauth2 | Mechanism::OauthBearer => {
                self.bearer(settings, mechanism, user, secret)?
            }
        };
        match reply.code {
            235 => Ok(()),
            400..=599 => Err(SmtpError::new(STAGE, SmtpErrorKind::AuthFailed(reply))),
            _ => Err(unexpected(STAGE, reply)),
        }
    }

    /// Send AUTH PLAIN with the transaction's first group, when the server offers
    /// PIPELINING (this session carries one message).
    pub(crate) fn allow_early_login(&mut self) {
        self.early_login = EarlyLogin::Allowed;
    }

    /// The next reply of the transaction, after the early AUTH's when it is owed.
    pub(super) fn read(&mut self, stage: Stage) -> Result<Reply, SmtpError> {
        if self.early_login == EarlyLogin::Owed {
            let reply = self.wire.read_reply(STAGE)?;
            self.early_login = EarlyLogin::Answered(reply);
        }
        self.wire.read_reply(stage)
    }

    /// What the transaction's `result` means once the early AUTH's reply is known:
    /// a refused login is the error, unless the message was taken all the same.
    pub(crate) fn login_verdict(
        &mut self,
        result: Result<Outcome, SmtpError>,
    ) -> Result<Outcome, SmtpError> {
        let reply = match std::mem::replace(&mut self.early_login, EarlyLogin::Off) {
            EarlyLogin::Answered(reply) if reply.code != 235 => reply,
            _ => return result,
        };
        match result {
            // Whatever the login's reply, a message the server accepted is sent: it
            // is never sent again.
            Ok(mut outcome) => {
                outcome.warnings.push(format!(
                    "the login was not accepted ({reply}), but the server accepted the \
                     message without it"
                ));
                Ok(outcome)
            }
            // A server that does not take the initial response read our MAIL as the
            // response: nothing was delivered. The caller logs in again, one step at
            // a time, on a new connection.
            Err(_) if reply.code == 334 => {
                self.early_login = EarlyLogin::Again;
                Err(SmtpError::new(
                    STAGE,
                    SmtpErrorKind::AuthExchange(
                        "the server asked for the AUTH PLAIN response on a line of its own".into(),
                    ),
                ))
            }
            Err(_) if (400..=599).contains(&reply.code) => {
                Err(SmtpError::new(STAGE, SmtpErrorKind::AuthFailed(reply)))
            }
            Err(_) => Err(unexpected(STAGE, reply)),
        }
    }

    /// The early AUTH was answered, and not with 235.
    pub(super) fn login_refused(&self) -> bool {
        matches!(&self.early_login, EarlyLogin::Answered(r) if r.code != 235)
    }

    /// The early AUTH must be done again the slow way (see [`Session::login_verdict`]).
    pub(crate) fn login_again(&self) -> bool {
        self.early_login == EarlyLogin::Again
    }

    /// `AUTH PLAIN` with its initial response (RFC 4954 §4), shown redacted; the
    /// response, should the server ask for it again.
    fn send_plain(&mut self, user: &str, secret: &str) -> Result<String, SmtpError> {
        let response = auth::plain(user, secret);
        self.wire.send_shown(
            STAGE,
            &format!("AUTH PLAIN {response}"),
            "AUTH PLAIN (redacted)",
        )?;
        Ok(response)
    }

    fn plain(&mut self, user: &str, secret: &str) -> Result<Reply, SmtpError> {
        let response = self.send_plain(user, secret)?;
        let reply = self.wire.read_reply(STAGE)?;
        if reply.code != 334 {
            return Ok(reply);
        }
        // A server that does not take the initial response asks for it.
        self.wire.send_shown(STAGE, &response, "(redacted)")?;
        self.wire.read_reply(STAGE)
    }

    fn login(&mut self, user: &str, secret: &str) -> Result<Reply, SmtpError> {
        self.wire.send(STAGE, "AUTH LOGIN")?;
        let mut reply = self.wire.read_reply(STAGE)?;
        for value in [user, secret] {
            if reply.code != 334 {
                break;
            }
            self.wire
                .send_shown(STAGE, &auth::login_step(value), "(redacted)")?;
            reply = self.wire.read_reply(STAGE)?;
        }
        Ok(reply)
    }

    fn cram_md5(&mut self, user: &str, secret: &str) -> Result<Reply, SmtpError> {
        self.wire.send(STAGE, "AUTH CRAM-MD5")?;
        let reply = self.wire.read_reply(STAGE)?;
        if reply.code != 334 {
            return Ok(reply);
        }
        match auth::cram_md5(user, secret, &reply.lines.join("")) {
            Ok(response) => {
                self.wire.send_shown(STAGE, &response, "(redacted)")?;
                self.wire.read_reply(STAGE)
            }
            Err(why) => self.abandon(why),
        }
    }

    /// RFC 5802 §5: our nonce, the server's salted challenge, our proof, and the
    /// server's signature, which must prove that it knows the password before the
    /// login is taken: a server that cannot is not the one the password is for, and
    /// nothing is sent to it.
    fn scram(&mut self, hash: scram::Hash, user: &str, secret: &str) -> Result<Reply, SmtpError> {
        let name = Mechanism::Scram(hash).name();
        let client = scram::Client::new(hash, user, secret);
        let first = B64.encode(client.first_message());
        // The user name alone, but hidden like every SASL line.
        self.wire.send_shown(
            STAGE,
            &format!("AUTH {name} {first}"),
            &format!("AUTH {name} (redacted)"),
        )?;
        let reply = self.wire.read_reply(STAGE)?;
        if reply.code != 334 {
            return Ok(reply);
        }
        let answer = scram_text(&reply).and_then(|challenge| client.answer(&challenge));
        let (answer, verifier) = match answer {
            Ok(answer) => answer,
            Err(why) => return self.abandon(why),
        };
        self.wire
            .send_shown(STAGE, &B64.encode(answer), "(redacted)")?;
        let reply = self.wire.read_reply(STAGE)?;
        match reply.code {
            // RFC 4954 §4: the server's final message comes as a challenge, answered
            // with an empty line; only then does the server say 235.
            334 => match scram_text(&reply).and_then(|last| verifier.check(&last)) {
                Ok(()) => {
                    self.wire.send(STAGE, "")?;
                    self.wire.read_reply(STAGE)
                }
                Err(why) => self.abandon(why),
            },
            // Logged in, but the server never proved itself: nothing goes to it.
            235 => Err(SmtpError::new(
                STAGE,
                SmtpErrorKind::AuthExchange(
                    "the server accepted the login without the SCRAM signature that \
                     proves it knows the password"
                        .into(),
                ),
            )),
            _ => Ok(reply),
        }
    }

    /// RFC 4422 EXTERNAL: the client certificate is the credential; the empty
    /// initial response ("=", RFC 4954 §4) asks for the identity the certificate has.
    fn external(&mut self) -> Result<Reply, SmtpError> {
        self.wire.send(STAGE, "AUTH EXTERNAL =")?;
        let reply = self.wire.read_reply(STAGE)?;
        if reply.code != 334 {
            return Ok(reply);
        }
        self.wire.send(STAGE, "")?;
        self.wire.read_reply(STAGE)
    }

    fn bearer(
        &mut self,
        settings: &Settings,
        mechanism: Mechanism,
        user: &str,
        secret: &str,
    ) -> Result<Reply, SmtpError> {
        let (response, abort) = if mechanism == Mechanism::Xoauth2 {
            (auth::xoauth2(user, secret), "")
        } else {
            let host = dial::bare_host(&self.host);
            // RFC 7628 §3.2.3: a failed exchange is ended with a single ^A.
            (auth::oauthbearer(user, host, self.port, secret), "AQ==")
        };
        let name = mechanism.name();
        self.wire.send_shown(
            STAGE,
            &format!("AUTH {name} {response}"),
            &format!("AUTH {name} (redacted)"),
        )?;
        let reply = self.wire.read_reply(STAGE)?;
        if reply.code != 334 {
            return Ok(reply);
        }
        // The challenge is the provider's error as base64 JSON; keep it for the user,
        // then end the exchange to get the final reply. Decoded, it may hold the token
        // the server was sent.
        let detail = auth::decode_challenge(&reply.lines.join(""));
        let detail = Redactor::new(settings).apply(&detail).into_owned();
        self.wire.send(STAGE, abort)?;
        let mut last = self.wire.read_reply(STAGE)?;
        if !detail.is_empty() {
            last.lines.push(detail);
        }
        Ok(last)
    }

    /// End an exchange the server got wrong: "*" cancels it (RFC 4954 §4; the server
    /// answers 501), and the session stays in step for QUIT.
    fn abandon(&mut self, why: String) -> Result<Reply, SmtpError> {
        self.wire.send(STAGE, "*")?;
        self.wire.read_reply(STAGE)?;
        Err(SmtpError::new(STAGE, SmtpErrorKind::AuthExchange(why)))
    }
}

/// Where an AUTH PLAIN sent early stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EarlyLogin {
    /// Every AUTH waits for its reply.
    Off,
    /// AUTH PLAIN may go with the transaction's first group.
    Allowed,
    /// It went; its reply comes before the transaction's first.
    Owed,
    Answered(Reply),
    /// The server wanted the response on a line of its own: log in again.
    Again,
}

/// A SCRAM message from a 334: base64 of UTF-8 text (RFC 5802 §7).
fn scram_text(reply: &Reply) -> Result<String, String> {
    let bytes = B64
        .decode(reply.lines.join("").trim())
        .map_err(|_| "the server's SCRAM message is not base64".to_string())?;
    String::from_utf8(bytes).map_err(|_| "the server's SCRAM message is not UTF-8".to_string())
}
