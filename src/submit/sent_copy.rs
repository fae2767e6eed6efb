//! The copy in Sent (issue 20): once the server has accepted a message, the same
//! bytes — with the Bcc field the recipients' copy left out, as mail clients keep it,
//! so that the sender sees who got it — are appended over IMAP to the account's Sent
//! folder, `\Seen`, dated by the message's Date. Failing to save is not failing to
//! send: the outcome is a [`SentCopy`] value beside the sent message, never an error.
//!
//! Saved only after the server accepted the message, and only once for each
//! acceptance: a queued message is copied when a flush finally sends it (the attempts
//! that failed saved nothing), and the entry is gone once that attempt returns, so no
//! later flush can copy it again. A copy that could not be saved is not retried: the
//! message is sent, and resending it to save a copy would be worse than the warning.

use std::io::{self, BufWriter, Write};

use crate::config::{Account, SaveSent};
use crate::imap::{self, Connection};
use crate::smtp::{Credentials, Payload};

/// What became of the copy of a sent message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SentCopy {
    /// Not asked for (`save_sent` off).
    Off,
    /// Appended to this folder (its name for people).
    Saved {
        folder: String,
        /// With `-v`: the IMAP dialogue, secrets taken out.
        transcript: Vec<String>,
    },
    /// Asked for but not saved: why, in words.
    NotSaved {
        reason: String,
        transcript: Vec<String>,
    },
}

impl SentCopy {
    /// The warning to print, when the copy was asked for and not saved.
    pub fn warning(&self) -> Option<String> {
        match self {
            SentCopy::NotSaved { reason, .. } => {
                Some(format!("sent, but no copy saved in Sent: {reason}"))
            }
            _ => None,
        }
    }

    /// The fields a `--json` object gets: `saved` (true or false) with `saved_to` or
    /// `save_error`; none when the copy was not asked for.
    pub fn add_json(&self, object: &mut serde_json::Value) {
        match self {
            SentCopy::Off => {}
            SentCopy::Saved { folder, .. } => {
                object["saved"] = true.into();
                object["saved_to"] = folder.clone().into();
            }
            SentCopy::NotSaved { reason, .. } => {
                object["saved"] = false.into();
                object["save_error"] = reason.clone().into();
            }
        }
    }
}

impl SentCopy {
    /// The IMAP dialogue of this copy, kept with `-v` (else empty).
    pub fn transcript(&self) -> &[String] {
        match self {
            SentCopy::Off => &[],
            SentCopy::Saved { transcript, .. } | SentCopy::NotSaved { transcript, .. } => {
                transcript
            }
        }
    }
}

/// The IMAP sessions opened so far, one per server and login, kept for the next
/// message: a batch saves all its copies over one connection per profile. Logged out
/// when dropped.
#[derive(Default)]
pub struct Copies {
    open: Vec<(String, Connection)>,
    /// With `-v`: where the sessions write their dialogue.
    trace: Option<imap::Trace>,
}

impl Copies {
    /// `trace`: keep each copy's IMAP dialogue (`-v`).
    pub fn new(trace: bool) -> Copies {
        Copies {
            open: Vec::new(),
            trace: trace.then(Default::default),
        }
    }

    /// Save the copy of a message `account` has just sent: `bcc` (the Bcc fields left
    /// out of it, CRLF-terminated) then `payload`, exactly as it went to the server.
    pub fn save(&mut self, account: &Account, bcc: &[u8], payload: &mut dyn Payload) -> SentCopy {
        let Some(save) = &account.save_sent else {
            return SentCopy::Off;
        };
        let result = self.try_save(account, save, bcc, payload);
        let transcript = match &self.trace {
            Some(trace) => std::mem::take(&mut *trace.borrow_mut()),
            None => Vec::new(),
        };
        match result {
            Ok(folder) => SentCopy::Saved { folder, transcript },
            Err(reason) => SentCopy::NotSaved { reason, transcript },
        }
    }

    fn try_save(
        &mut self,
        account: &Account,
        save: &SaveSent,
        bcc: &[u8],
        payload: &mut dyn Payload,
    ) -> Result<String, String> {
        let (server, credentials, user) = target(account, save)?;
        // The session remembers the folder it found: two profiles of one login with
        // different `sent_folder`s need a session each.
        let key = format!("{}|{user}|{:?}", server.address(), save.folder);
        let size = match payload.size_hint() {
            Some(n) => n,
            None => counted(payload).map_err(|e| format!("cannot read the message: {e}"))?,
        } + bcc.len() as u64;
        let date = imap::internal_date(&header_of(payload));
        loop {
            let reused = self.open.iter().position(|(k, _)| *k == key);
            let at = match reused {
                Some(at) => at,
                None => {
                    let trace = self.trace.clone();
                    let connection = open(account, server, credentials, user, trace)
                        .map_err(|e| at_server(e, server))?;
                    self.open.push((key.clone(), connection));
                    self.open.len() - 1
                }
            };
            let connection = &mut self.open[at].1;
            let result =
                connection.save(save.folder.as_deref(), date.as_deref(), size, &mut |out| {
                    // The payload writes in small pieces; the socket should not see each.
                    let mut out = BufWriter::with_capacity(64 * 1024, out);
                    out.write_all(bcc)?;
                    payload.write_to(&mut out)?;
                    out.flush()
                });
            if result.is_err() || !connection.is_usable() {
                let (_, dropped) = self.open.swap_remove(at);
                dropped.logout();
            }
            match result {
                Ok(folder) => return Ok(folder),
                // A session kept from an earlier message may have been closed by the
                // server meanwhile (an idle batch, RFC 3501's 30-minute autologout):
                // once more on a new one. What the server refused stays refused.
                Err(e) if reused.is_some() && !refused(&e) => continue,
                Err(e) => return Err(at_server(e, server)),
            }
        }
    }
}

/// `posta profile test`: log in to the IMAP server as a copy would, and find the
/// folder, without saving anything: "Sent Messages on imap.example.org:993", or why
/// not; `None` when the profile saves no copy.
pub fn check(account: &Account) -> Option<Result<String, String>> {
    let save = account.save_sent.as_ref()?;
    let found = || {
        let (server, credentials, user) = target(account, save)?;
        let mut connection =
            open(account, server, credentials, user, None).map_err(|e| at_server(e, server))?;
        let folder = connection.folder(save.folder.as_deref());
        connection.logout();
        let folder = folder.map_err(|e| at_server(e, server))?;
        Ok(format!("{folder} on {}", server.address()))
    };
    Some(found())
}

/// The server, the login and the user a copy goes through, or why there is none.
fn target<'a>(
    account: &'a Account,
    save: &'a SaveSent,
) -> Result<(&'a imap::Server, &'a Credentials, &'a str), String> {
    let server = save.server.as_ref().ok_or(
        "no IMAP server is known for this profile: set imap_server (or save_sent = false)",
    )?;
    let Some(credentials) = &account.settings.credentials else {
        return Err("the profile does not log in, and the IMAP server needs a login".to_string());
    };
    let user = save.user.as_deref().unwrap_or(&credentials.user);
    Ok((server, credentials, user))
}

/// A logged-in IMAP session for `account`: its secret, or — when the server refuses
/// an OAuth access token that the built-in login can renew (it may have expired since
/// the SMTP session used it, in a long batch) — a renewed one, once, as SMTP does.
fn open(
    account: &Account,
    server: &imap::Server,
    credentials: &Credentials,
    user: &str,
    trace: Option<imap::Trace>,
) -> Result<Connection, imap::ImapError> {
    let connect = |secret: &crate::secret::Secret| {
        let login = imap::Login {
            user,
            secret,
            token: credentials.token,
            mechanism: account.settings.mechanism,
            host: &server.host,
            port: server.port,
        };
        let tls = imap_tls(account, server);
        imap::connect(
            server,
            &tls,
            account.settings.timeout,
            &login,
            trace.clone(),
        )
    };
    match connect(&credentials.secret) {
        Err(e) if e.kind == imap::ImapErrorKind::Auth && credentials.token => {
            let renew = credentials.renew.as_ref();
            match renew.and_then(|r| (r.0)(&credentials.secret)) {
                Some(fresh) => connect(&fresh),
                None => Err(e),
            }
        }
        other => other,
    }
}

/// A refusal by the server (of the login, of the command), rather than a session
/// that broke.
fn refused(e: &imap::ImapError) -> bool {
    use imap::ImapErrorKind::*;
    matches!(e.kind, Auth | Refused | NoFolder | Payload)
}

/// An IMAP error in words, naming the server unless it does already.
fn at_server(e: imap::ImapError, server: &imap::Server) -> String {
    let text = e.to_string();
    let address = server.address();
    if text.contains(&address) {
        text
    } else {
        format!("{text} (IMAP server {address})")
    }
}

impl Drop for Copies {
    fn drop(&mut self) {
        for (_, connection) in self.open.drain(..) {
            connection.logout();
        }
    }
}

/// The SMTP side's certificate checks for the IMAP server: its CA file and
/// `--insecure`; its pins and its client certificate only when both are the same host
/// (a pin is of one server's certificate; a client certificate is not shown to a
/// server it was not given for).
fn imap_tls(account: &Account, server: &imap::Server) -> crate::smtp::TlsSettings {
    let mut tls = account.settings.tls.clone();
    if !server.host.eq_ignore_ascii_case(&account.settings.host) {
        tls.pins.clear();
        tls.client_cert = None;
    }
    tls
}

/// The message's size, counted by writing it to nowhere.
fn counted(payload: &mut dyn Payload) -> io::Result<u64> {
    let mut counter = Counter(0);
    payload.write_to(&mut counter)?;
    Ok(counter.0)
}

struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The most of a header block read for its Date.
const MAX_HEADER: usize = 64 * 1024;

/// The message's header block (at most [`MAX_HEADER`] octets): the payload is written
/// into a sink that stops it once the blank line has come.
fn header_of(payload: &mut dyn Payload) -> Vec<u8> {
    struct Head(Vec<u8>);
    impl Write for Head {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let take = buf.len().min(MAX_HEADER - self.0.len());
            let from = self.0.len().saturating_sub(3);
            self.0.extend_from_slice(&buf[..take]);
            let ended = self.0[from..].windows(4).any(|w| w == b"\r\n\r\n");
            if ended || self.0.len() >= MAX_HEADER {
                // Enough: the rest of the message is not needed.
                return Err(io::Error::other("header read"));
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut head = Head(Vec::new());
    let _ = payload.write_to(&mut head);
    head.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message written in pieces of `chunk` bytes; counts what it was asked to write.
    struct Pieces {
        bytes: Vec<u8>,
        chunk: usize,
        written: usize,
    }

    impl Payload for Pieces {
        fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
            for piece in self.bytes.chunks(self.chunk) {
                out.write_all(piece)?;
                self.written += piece.len();
            }
            Ok(())
        }
    }

    #[test]
    fn the_header_is_read_without_the_body_and_the_size_counted() {
        let body = "x".repeat(1 << 20);
        let message = format!("Date: Sun, 6 Dec 2026 23:48:06 +0000\r\nSubject: s\r\n\r\n{body}");
        for chunk in [1, 7, 4096] {
            let mut payload = Pieces {
                bytes: message.clone().into_bytes(),
                chunk,
                written: 0,
            };
            let head = header_of(&mut payload);
            assert!(head.windows(4).any(|w| w == b"\r\n\r\n"), "{chunk}");
            assert!(
                payload.written < 60 + chunk,
                "the body was not read: {chunk}"
            );
            assert_eq!(
                imap::internal_date(&head).as_deref(),
                Some("06-Dec-2026 23:48:06 +0000")
            );
            assert_eq!(counted(&mut payload).unwrap(), message.len() as u64);
        }
    }

    #[test]
    fn no_copy_without_save_sent_and_a_reason_without_a_server() {
        // An empty config file of its own: nothing from this machine's.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "").unwrap();
        let request = crate::config::Request {
            config_path: Some(path),
            ..Default::default()
        };
        let mut overrides = crate::config::Overrides {
            server: Some("localhost:2525".parse().unwrap()),
            ..Default::default()
        };
        let mut payload = Pieces {
            bytes: b"Subject: s\r\n\r\nx\r\n".to_vec(),
            chunk: 4,
            written: 0,
        };
        let account = crate::config::resolve(&crate::config::Request {
            overrides: overrides.clone(),
            ..request.clone()
        })
        .unwrap();
        assert_eq!(
            Copies::default().save(&account, b"", &mut payload),
            SentCopy::Off
        );
        overrides.save_sent = Some(true);
        let account = crate::config::resolve(&crate::config::Request {
            overrides,
            ..request
        })
        .unwrap();
        let copy = Copies::default().save(&account, b"", &mut payload);
        let warning = copy.warning().unwrap();
        assert!(warning.contains("set imap_server"), "{warning}");
        let mut json = serde_json::json!({});
        copy.add_json(&mut json);
        assert_eq!(json["saved"], false);
    }
}
