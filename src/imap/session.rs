//! The IMAP dialogue posta needs to save a copy (RFC 3501, RFC 9051 where they agree):
//! greeting, CAPABILITY, STARTTLS, the login, LIST to find the folder, APPEND with
//! the message as a literal. Over a [`Wire`], so that it runs without a socket in the
//! unit tests (`session/tests.rs`). The login is in `session/auth.rs`; one command's
//! exchange (tag, line, responses) in `session/exchange.rs`.

use std::io::{self, Write};
use std::time::Duration;

use super::error::{ImapError, ImapErrorKind};
use super::list::{self, quote};
use super::response::{Response, Status};
use super::utf7;
use super::wire::Wire;
use crate::secret::Secret;

/// Untagged responses taken for one command: a LIST of an account with this many
/// folders is not one posta should walk.
const MAX_UNTAGGED: usize = 100_000;
/// RFC 7888 §4: LITERAL- lets a client send literals up to 4096 octets unasked.
const LITERAL_MINUS_MAX: u64 = 4096;

/// A session past the greeting.
pub(crate) struct Session<W: Wire> {
    wire: W,
    next_tag: u32,
    /// Upper-cased, as the server last listed them.
    caps: Vec<String>,
    limit: Duration,
    /// What must never be shown, should the server echo it: the secret and the
    /// encoded forms posta sent.
    hidden: Vec<Secret>,
    /// A write failed half way through a literal: the dialogue is out of step.
    broken: bool,
    /// `-v`: the dialogue, secrets taken out, for the caller to show.
    trace: Option<Trace>,
}

/// Where a session writes its transcript: shared with the caller, who shows it once the
/// copy is saved or not (the session may be gone by then, with its error).
pub type Trace = std::rc::Rc<std::cell::RefCell<Vec<String>>>;

/// Transcript lines kept for one copy: a LIST of many folders is cut short.
const MAX_TRACE: usize = 200;

/// A folder name as the server spells it (modified UTF-7) and for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderName {
    pub wire: String,
    pub shown: String,
}

impl<W: Wire> Session<W> {
    /// Read the greeting; `preauth` when the server logged us in already.
    pub(crate) fn start(
        wire: W,
        limit: Duration,
        trace: Option<Trace>,
    ) -> Result<(Session<W>, bool), ImapError> {
        let mut session = Session {
            wire,
            next_tag: 1,
            caps: Vec::new(),
            limit,
            hidden: Vec::new(),
            broken: false,
            trace,
        };
        let greeting = match session.read()? {
            Response::Untagged(u) => u,
            other => {
                return Err(ImapError::protocol(format!(
                    "the IMAP server's greeting is not one: {}",
                    session.clean(&format!("{other:?}"))
                )));
            }
        };
        let preauth = match greeting.keyword().as_str() {
            "OK" => false,
            "PREAUTH" => true,
            _ => {
                return Err(ImapError::new(
                    ImapErrorKind::Connect,
                    format!(
                        "the IMAP server turned the connection away: {}",
                        session.clean(&greeting.text)
                    ),
                ));
            }
        };
        session.take_code_capabilities(&greeting.text);
        if session.caps.is_empty() {
            session.capability()?;
        }
        Ok((session, preauth))
    }

    pub(crate) fn has(&self, cap: &str) -> bool {
        self.caps.iter().any(|c| c.eq_ignore_ascii_case(cap))
    }

    pub(crate) fn is_broken(&self) -> bool {
        self.broken
    }

    /// STARTTLS (RFC 3501 §6.2.1), required: a server that does not offer it is an
    /// error, never a reason to go on in clear text. The capabilities are asked again
    /// inside TLS: those said before may have been forged.
    pub(crate) fn start_tls(&mut self, host: &str) -> Result<(), ImapError> {
        if !self.has("STARTTLS") {
            return Err(ImapError::new(
                ImapErrorKind::Connect,
                "the IMAP server does not offer STARTTLS, and posta does not log in \
                 without TLS: set imap_security = \"tls\" (port 993) if it speaks TLS \
                 from the start",
            ));
        }
        self.run("STARTTLS", "STARTTLS")?;
        self.wire.start_tls(host)?;
        self.caps.clear();
        self.capability()
    }

    pub(crate) fn capability(&mut self) -> Result<(), ImapError> {
        self.run("CAPABILITY", "CAPABILITY")?;
        Ok(())
    }

    /// The folder to save into: `configured` (a name for people, encoded here), else
    /// what LIST says (see [`list::choose`]).
    pub(crate) fn sent_folder(
        &mut self,
        configured: Option<&str>,
    ) -> Result<FolderName, ImapError> {
        if let Some(name) = configured {
            return Ok(FolderName {
                wire: utf7::encode(name),
                shown: name.to_string(),
            });
        }
        // RFC 6154 §2: with LIST-EXTENDED, only the special-use folders are asked for.
        let command = if self.has("SPECIAL-USE") && self.has("LIST-EXTENDED") {
            "LIST \"\" \"*\" RETURN (SPECIAL-USE)"
        } else if self.has("XLIST") && !self.has("SPECIAL-USE") {
            "XLIST \"\" \"*\""
        } else {
            "LIST \"\" \"*\""
        };
        let mut folders = Vec::new();
        let tag = self.send(command)?;
        self.finish(&tag, "LIST", &mut |u| {
            folders.extend(list::parse(&u));
        })?;
        let wire = list::choose(&folders);
        let shown = utf7::decode(&wire).unwrap_or_else(|| wire.clone());
        Ok(FolderName { wire, shown })
    }

    /// CREATE, after an APPEND answered `[TRYCREATE]`.
    pub(crate) fn create(&mut self, folder: &FolderName) -> Result<(), ImapError> {
        let name = self.folder_arg(folder)?;
        self.run(&format!("CREATE {name}"), "CREATE").map(|_| ())
    }

    /// APPEND (RFC 3501 §6.3.11) the `size` octets `write` produces to `folder`,
    /// `\Seen`, with `date` as the internal date. The literal is streamed: sent at once
    /// with LITERAL+ (RFC 7888), or after the server's go-ahead. `Err` with
    /// [`ImapError::tries_create`] true when the folder does not exist.
    pub(crate) fn append(
        &mut self,
        folder: &FolderName,
        date: Option<&str>,
        size: u64,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), ImapError> {
        let name = self.folder_arg(folder)?;
        let unasked = self.has("LITERAL+") || (self.has("LITERAL-") && size <= LITERAL_MINUS_MAX);
        let date = date.map(|d| format!(" \"{d}\"")).unwrap_or_default();
        let plus = if unasked { "+" } else { "" };
        let tag = self.send(&format!("APPEND {name} (\\Seen){date} {{{size}{plus}}}"))?;
        if !unasked {
            match self.read()? {
                Response::Continue(_) => {}
                Response::Tagged {
                    tag: t,
                    status,
                    text,
                } if t == tag && status != Status::Ok => {
                    return Err(self.refused("APPEND", &text));
                }
                other => return Err(self.unexpected(&other)),
            }
        }
        self.broken = true;
        let mut literal = Literal {
            out: &mut self.wire,
            left: size,
        };
        let written = write(&mut literal);
        let left = literal.left;
        written.map_err(|e| match e.kind() {
            io::ErrorKind::Other if e.to_string() == LONGER => ImapError::new(
                ImapErrorKind::Payload,
                "the message came out longer than its size",
            ),
            _ => ImapError::io(e),
        })?;
        if left != 0 {
            return Err(ImapError::new(
                ImapErrorKind::Payload,
                "the message came out shorter than its size",
            ));
        }
        self.wire
            .write_all(b"\r\n")
            .and_then(|()| self.wire.flush())
            .map_err(ImapError::io)?;
        self.broken = false;
        self.finish(&tag, "APPEND", &mut |_| {}).map(|_| ())
    }

    /// LOGOUT, as a courtesy: its answer is not waited for long, nor needed.
    pub(crate) fn logout(mut self) {
        if !self.broken && self.send("LOGOUT").is_ok() {
            // As SMTP's QUIT: a bounded wait for the goodbye (`smtp::session::QUIT_GRACE`).
            self.limit = self.limit.min(Duration::from_millis(250));
            let _ = self.read();
        }
    }

    fn folder_arg(&self, folder: &FolderName) -> Result<String, ImapError> {
        quote(&folder.wire).ok_or_else(|| {
            ImapError::protocol(format!(
                "the folder name {} cannot be sent (8-bit, not modified UTF-7)",
                self.clean(&folder.shown)
            ))
        })
    }
}

/// What `write` produced too much of: the literal's size was announced.
const LONGER: &str = "the message is longer than the literal announced";

/// The literal on its way out: exactly `left` more octets may pass.
struct Literal<'a, W: Write> {
    out: &'a mut W,
    left: u64,
}

impl<W: Write> Write for Literal<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.len() as u64 > self.left {
            return Err(io::Error::other(LONGER));
        }
        let n = self.out.write(buf)?;
        self.left -= n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

fn words(list: &str) -> Vec<String> {
    list.split_ascii_whitespace()
        .map(str::to_ascii_uppercase)
        .collect()
}

mod auth;
mod exchange;
#[cfg(test)]
#[path = "session/tests.rs"]
mod tests;
