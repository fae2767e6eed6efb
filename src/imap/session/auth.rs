//! Logging in (RFC 3501 §6.2): AUTHENTICATE with the mechanism that carries the
//! account's secret, else LOGIN, never outside TLS.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::{Session, Wire};
use crate::imap::Login;
use crate::imap::error::{ImapError, ImapErrorKind};
use crate::imap::list::quote;
use crate::imap::response::{Response, Status};
use crate::model::AuthMechanism;
use crate::secret::Secret;

impl<W: Wire> Session<W> {
    /// Log in: AUTHENTICATE with the mechanism that carries the secret (an OAuth2
    /// token: OAUTHBEARER or XOAUTH2; a password: PLAIN), else LOGIN, which is only
    /// ever sent inside TLS.
    pub(crate) fn login(&mut self, login: &Login<'_>) -> Result<(), ImapError> {
        if !self.wire.is_tls() {
            return Err(ImapError::new(
                ImapErrorKind::Auth,
                "refusing to log in to the IMAP server without TLS",
            ));
        }
        let secret = login.secret.expose();
        self.hidden.push(Secret::new(secret));
        let mechanism = self.mechanism(login)?;
        let text = match mechanism {
            "LOGIN" => {
                let (Some(user), Some(password)) = (quote(login.user), quote(secret)) else {
                    return Err(ImapError::new(
                        ImapErrorKind::Auth,
                        "the IMAP server offers only LOGIN, which cannot carry this user \
                         name or password (8-bit or a line break)",
                    ));
                };
                // Quoted, the password may differ from itself (\" for "): hide that too.
                self.hidden.push(Secret::new(password.clone()));
                self.run(&format!("LOGIN {user} {password}"), "LOGIN")
            }
            _ => self.authenticate(mechanism, &initial_response(mechanism, login)),
        };
        match text {
            Ok(text) => {
                self.caps.clear();
                self.take_code_capabilities(&text);
                if self.caps.is_empty() {
                    self.capability()?;
                }
                Ok(())
            }
            Err(e) if e.kind == ImapErrorKind::Refused => {
                // "the IMAP server refused LOGIN: <its words>": only its words again.
                let text = e.to_string();
                let said = text
                    .split_once(": ")
                    .map_or(text.as_str(), |(_, said)| said);
                Err(ImapError::new(
                    ImapErrorKind::Auth,
                    format!(
                        "the IMAP server refused the login of {} ({mechanism}): {said}",
                        crate::model::text::for_terminal(login.user)
                    ),
                ))
            }
            Err(e) => Err(e),
        }
    }

    fn mechanism(&self, login: &Login<'_>) -> Result<&'static str, ImapError> {
        let offers = |m: &str| self.has(&format!("AUTH={m}"));
        let chosen = match (login.token, login.mechanism) {
            (true, AuthMechanism::Xoauth2) => Some("XOAUTH2"),
            (true, AuthMechanism::OauthBearer) => Some("OAUTHBEARER"),
            (true, _) => ["OAUTHBEARER", "XOAUTH2"].into_iter().find(|m| offers(m)),
            (false, AuthMechanism::Login) if !self.has("LOGINDISABLED") => Some("LOGIN"),
            (false, _) if offers("PLAIN") => Some("PLAIN"),
            (false, _) if !self.has("LOGINDISABLED") => Some("LOGIN"),
            (false, _) => None,
        };
        chosen.ok_or_else(|| {
            ImapError::new(
                ImapErrorKind::Auth,
                if login.token {
                    "the IMAP server offers neither OAUTHBEARER nor XOAUTH2 for the OAuth2 token"
                } else {
                    "the IMAP server offers no way to log in with a password (no AUTH=PLAIN, \
                     LOGIN disabled)"
                },
            )
        })
    }

    /// AUTHENTICATE with one initial response (RFC 4959 SASL-IR when offered). A
    /// challenge after it is the server's error report (XOAUTH2, OAUTHBEARER): answered
    /// as each mechanism asks, so that the tagged NO follows.
    fn authenticate(&mut self, mechanism: &str, response: &str) -> Result<String, ImapError> {
        self.hidden.push(Secret::new(response));
        let tag = if self.has("SASL-IR") {
            self.send(&format!("AUTHENTICATE {mechanism} {response}"))?
        } else {
            let tag = self.send(&format!("AUTHENTICATE {mechanism}"))?;
            match self.read()? {
                Response::Continue(_) => self.send_raw(response)?,
                Response::Tagged { status, text, .. } if status != Status::Ok => {
                    return Err(self.refused("AUTHENTICATE", &text));
                }
                other => return Err(self.unexpected(&other)),
            }
            tag
        };
        let mut challenges = 0;
        loop {
            match self.read()? {
                Response::Continue(_) if challenges < 3 => {
                    challenges += 1;
                    // RFC 7628 §3.2.3: OAUTHBEARER's client answers an error with ^A;
                    // Google's XOAUTH2 with an empty line; anything else is cancelled.
                    let answer = match mechanism {
                        "OAUTHBEARER" => "AQ==",
                        "XOAUTH2" => "",
                        _ => "*",
                    };
                    self.send_raw(answer)?;
                }
                Response::Untagged(u) => self.untagged(u)?,
                Response::Tagged {
                    tag: t,
                    status,
                    text,
                } if t == tag => {
                    return match status {
                        Status::Ok => Ok(text),
                        _ => Err(self.refused("AUTHENTICATE", &text)),
                    };
                }
                other => return Err(self.unexpected(&other)),
            }
        }
    }
}

/// The SASL initial response, base64: PLAIN (RFC 4616), XOAUTH2 (Google's),
/// OAUTHBEARER (RFC 7628 §3.1).
fn initial_response(mechanism: &str, login: &Login<'_>) -> String {
    let secret = login.secret.expose();
    let raw = match mechanism {
        "PLAIN" => format!("\0{}\0{secret}", login.user),
        "XOAUTH2" => format!("user={}\x01auth=Bearer {secret}\x01\x01", login.user),
        _ => format!(
            "n,a={},\x01host={}\x01port={}\x01auth=Bearer {secret}\x01\x01",
            login.user.replace('=', "=3D").replace(',', "=2C"),
            login.host,
            login.port
        ),
    };
    let encoded = STANDARD.encode(raw.as_bytes());
    // The raw form held the secret too: wipe it.
    zeroize::Zeroize::zeroize(&mut raw.into_bytes());
    encoded
}
