//! The IMAP dialogue posta needs to save a copy (RFC 3501, RFC 9051 where they agree):
//! greeting, CAPABILITY, STARTTLS, the login, LIST to find the folder, APPEND with
//! the message as a literal. Over a [`Wire`], so that it runs without a socket in the
//! unit tests (`session/tests.rs`).

use std::io::{self, Write};
use std::time::{Duration, Instant};

use super::error::{ImapError, ImapErrorKind};
use super::list::{self, quote};
use super::response::{self, Response, Status, Untagged};
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

    /// Send `command` and take its answer: the tagged OK's text, or the NO/BAD as an
    /// error naming `what`.
    fn run(&mut self, command: &str, what: &str) -> Result<String, ImapError> {
        let tag = self.send(command)?;
        self.finish(&tag, what, &mut |_| {})
    }

    /// Read until the tagged answer to `tag`, handing the untagged responses that are
    /// not about the session itself to `each`.
    fn finish(
        &mut self,
        tag: &str,
        what: &str,
        each: &mut dyn FnMut(Untagged),
    ) -> Result<String, ImapError> {
        for _ in 0..MAX_UNTAGGED {
            match self.read()? {
                Response::Tagged {
                    tag: t,
                    status,
                    text,
                } if t == tag => {
                    return match status {
                        Status::Ok => {
                            self.take_code_capabilities(&text);
                            Ok(text)
                        }
                        _ => Err(self.refused(what, &text)),
                    };
                }
                Response::Untagged(u) => match u.keyword().as_str() {
                    "CAPABILITY" | "BYE" => self.untagged(u)?,
                    _ => each(u),
                },
                other => return Err(self.unexpected(&other)),
            }
        }
        Err(ImapError::protocol(format!(
            "more than {MAX_UNTAGGED} responses to {what}"
        )))
    }

    /// An untagged response about the session: new capabilities, or goodbye.
    fn untagged(&mut self, u: Untagged) -> Result<(), ImapError> {
        match u.keyword().as_str() {
            "CAPABILITY" => {
                self.caps = words(&u.text[10..]);
                Ok(())
            }
            "BYE" => Err(ImapError::new(
                ImapErrorKind::Io,
                format!(
                    "the IMAP server closed the session: {}",
                    self.clean(&u.text[3..])
                ),
            )),
            _ => Ok(()),
        }
    }

    /// "[CAPABILITY …]" at the start of a response's text (RFC 3501 §7.1).
    fn take_code_capabilities(&mut self, text: &str) {
        let text =
            text.split_once(' ').map_or(
                text,
                |(first, rest)| {
                    if first.starts_with('[') { text } else { rest }
                },
            );
        let Some(code) = text.strip_prefix('[') else {
            return;
        };
        let Some((code, _)) = code.split_once(']') else {
            return;
        };
        if let Some(list) = code
            .get(..11)
            .filter(|w| w.eq_ignore_ascii_case("CAPABILITY "))
            .map(|_| &code[11..])
        {
            self.caps = words(list);
        }
    }

    fn send(&mut self, command: &str) -> Result<String, ImapError> {
        let tag = format!("p{}", self.next_tag);
        self.next_tag += 1;
        self.send_raw(&format!("{tag} {command}"))?;
        Ok(tag)
    }

    fn send_raw(&mut self, line: &str) -> Result<(), ImapError> {
        if line.bytes().any(|b| b == b'\r' || b == b'\n') {
            return Err(ImapError::protocol(
                "refusing to send a command with a line break in it",
            ));
        }
        self.note(true, line);
        self.wire
            .write_all(line.as_bytes())
            .and_then(|()| self.wire.write_all(b"\r\n"))
            .and_then(|()| self.wire.flush())
            .map_err(ImapError::io)
    }

    /// One response, all of it within the time limit.
    fn read(&mut self) -> Result<Response, ImapError> {
        self.wire.set_deadline(Some(Instant::now() + self.limit));
        let r = response::read(&mut self.wire);
        self.wire.set_deadline(None);
        if let Ok(r) = &r {
            let line = match r {
                Response::Untagged(u) => format!("* {}", u.text),
                Response::Continue(t) => format!("+ {t}"),
                Response::Tagged { tag, status, text } => {
                    let word = match status {
                        Status::Ok => "OK",
                        Status::No => "NO",
                        Status::Bad => "BAD",
                    };
                    format!("{tag} {word} {text}")
                }
            };
            self.note(false, &line);
        }
        r
    }

    /// A transcript line (as SMTP's: `~>` from posta, `<~` from the server, inside TLS;
    /// `->`, `<-` before it), cleaned as errors are.
    fn note(&mut self, ours: bool, line: &str) {
        let Some(trace) = &self.trace else {
            return;
        };
        let prefix = match (ours, self.wire.is_tls()) {
            (true, true) => "~> ",
            (true, false) => "-> ",
            (false, true) => "<~ ",
            (false, false) => "<- ",
        };
        let line = format!("{prefix}{}", self.clean(line));
        let mut lines = trace.borrow_mut();
        match lines.len() {
            n if n < MAX_TRACE => lines.push(line),
            n if n == MAX_TRACE => {
                lines.push("=== (the rest of this IMAP dialogue is not shown)".into())
            }
            _ => {}
        }
    }

    fn refused(&self, what: &str, text: &str) -> ImapError {
        let kind = if text
            .trim_start()
            .to_ascii_uppercase()
            .starts_with("[TRYCREATE]")
        {
            ImapErrorKind::NoFolder
        } else {
            ImapErrorKind::Refused
        };
        ImapError::new(
            kind,
            format!("the IMAP server refused {what}: {}", self.clean(text)),
        )
    }

    fn unexpected(&self, r: &Response) -> ImapError {
        let text = match r {
            Response::Untagged(u) => format!("* {}", u.text),
            Response::Continue(t) => format!("+ {t}"),
            Response::Tagged { tag, text, .. } => format!("{tag} {text}"),
        };
        ImapError::protocol(format!(
            "the IMAP server said what was not asked for: {}",
            self.clean(&text)
        ))
    }

    /// Server text for people: the secret taken out, escapes made visible, cut short.
    fn clean(&self, text: &str) -> String {
        let mut text = text.to_string();
        for hidden in self
            .hidden
            .iter()
            .map(Secret::expose)
            .filter(|h| h.len() >= 3)
        {
            text = text.replace(hidden, "(redacted)");
        }
        let mut shown = crate::model::text::for_terminal(&text).into_owned();
        if shown.len() > 300 {
            let mut cut = 300;
            while !shown.is_char_boundary(cut) {
                cut -= 1;
            }
            shown.truncate(cut);
            shown.push('…');
        }
        shown
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
#[cfg(test)]
#[path = "session/tests.rs"]
mod tests;
