//! IMAP, for one thing only: APPEND a copy of a sent message to the account's Sent
//! folder (issue 20). A small blocking client of our own: the IMAP crates either hold
//! the message in memory for APPEND (`imap` 2/3 take `&[u8]`) or are async
//! (`async-imap`), and posta streams every message from its spool, blocking, with a
//! deadline on each answer. It needs a tenth of IMAP: CAPABILITY, STARTTLS, the login,
//! LIST, CREATE, APPEND, LOGOUT.
//!
//! `wire.rs` the socket and TLS (the SMTP side's TLS client), `response.rs` reading
//! bounded responses, `session.rs` the dialogue, `list.rs` choosing the folder,
//! `utf7.rs` folder names on the wire, `error.rs` what can go wrong.

use std::io::{self, Write};
use std::time::Duration;

mod error;
mod list;
mod response;
mod session;
pub mod utf7;
mod wire;

pub use error::{ImapError, ImapErrorKind};
pub use session::{FolderName, Trace};

use crate::model::AuthMechanism;
use crate::secret::Secret;
use crate::smtp::TlsSettings;
use session::Session;
use wire::SocketWire;

/// Where the IMAP server is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub host: String,
    pub port: u16,
    /// TLS from the first byte (993); else STARTTLS, required (143).
    pub implicit_tls: bool,
}

impl Server {
    /// "host:port", as messages name the server.
    pub fn address(&self) -> String {
        crate::smtp::dial::host_port(&self.host, self.port)
    }
}

/// Who logs in, with what.
pub struct Login<'a> {
    pub user: &'a str,
    pub secret: &'a Secret,
    /// The secret is an OAuth2 access token.
    pub token: bool,
    /// The account's SASL choice: `auto`, or the OAuth mechanism to use.
    pub mechanism: AuthMechanism,
    /// For OAUTHBEARER's host and port fields.
    pub host: &'a str,
    pub port: u16,
}

/// A logged-in session, kept for the next message of a batch.
pub struct Connection {
    session: Session<SocketWire>,
    folder: Option<FolderName>,
}

/// Connect, start TLS, log in.
pub fn connect(
    server: &Server,
    tls: &TlsSettings,
    limit: Duration,
    login: &Login<'_>,
    trace: Option<Trace>,
) -> Result<Connection, ImapError> {
    let wire = SocketWire::open(&server.host, server.port, server.implicit_tls, tls, limit)?;
    let (mut session, preauth) = Session::start(wire, limit, trace)?;
    if !server.implicit_tls {
        session.start_tls(&server.host)?;
    }
    if !preauth {
        session.login(login)?;
    }
    Ok(Connection {
        session,
        folder: None,
    })
}

impl Connection {
    /// APPEND the `size` octets `write` produces to the Sent folder (`configured`,
    /// else the one LIST marks `\Sent`, else "Sent", created if missing). The folder's
    /// name for people when done.
    pub fn save(
        &mut self,
        configured: Option<&str>,
        date: Option<&str>,
        size: u64,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<String, ImapError> {
        let folder = self.folder_name(configured)?;
        match self.session.append(&folder, date, size, write) {
            Err(e) if e.kind == ImapErrorKind::NoFolder => {
                self.session.create(&folder)?;
                self.session.append(&folder, date, size, write)?;
            }
            other => other?,
        }
        Ok(folder.shown)
    }

    /// The Sent folder's name for people, found (LIST) once per session.
    pub fn folder(&mut self, configured: Option<&str>) -> Result<String, ImapError> {
        self.folder_name(configured).map(|f| f.shown)
    }

    fn folder_name(&mut self, configured: Option<&str>) -> Result<FolderName, ImapError> {
        if let Some(f) = &self.folder {
            return Ok(f.clone());
        }
        let f = self.session.sent_folder(configured)?;
        self.folder = Some(f.clone());
        Ok(f)
    }

    /// Whether the session can take another message (no literal was cut short).
    pub fn is_usable(&self) -> bool {
        !self.session.is_broken()
    }

    pub fn logout(self) {
        self.session.logout()
    }
}

/// The internal date APPEND gives a message (RFC 3501 §9 `date-time`,
/// "06-Dec-2026 23:48:06 +0000") from its Date field, so that the copy sorts by when
/// it was written; `None` when the header block has no Date posta can read (the
/// server then uses the time of the APPEND).
pub fn internal_date(header: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(header);
    let mut value: Option<String> = None;
    for line in text.split("\r\n") {
        if line.is_empty() {
            break;
        }
        match (&mut value, line.starts_with([' ', '\t'])) {
            (Some(v), true) => v.push_str(line),
            (Some(_), false) => break,
            (None, _) => {
                if let Some((name, rest)) = line.split_once(':')
                    && name.trim().eq_ignore_ascii_case("Date")
                {
                    value = Some(rest.to_string());
                }
            }
        }
    }
    let value = value?;
    // RFC 5322 allows a comment after the zone ("(UTC)"), chrono does not.
    let value = value.split('(').next().unwrap_or("").trim();
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    Some(date.format("%d-%b-%Y %H:%M:%S %z").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_internal_date_comes_from_the_date_field() {
        let header = b"From: a@b\r\nDate: Sun, 6 Dec 2026 23:48:06\r\n +0300 (MSK)\r\nSubject: x\r\n\r\nDate: no\r\n";
        assert_eq!(
            internal_date(header).as_deref(),
            Some("06-Dec-2026 23:48:06 +0300")
        );
        assert_eq!(
            internal_date(b"Subject: x\r\n\r\nDate: Sun, 6 Dec 2026 23:48:06 +0000\r\n"),
            None
        );
        assert_eq!(internal_date(b"Date: yesterday\r\n\r\n"), None);
    }
}
