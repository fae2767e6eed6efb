//! One command's exchange: a tag, the line sent (secrets kept out of the transcript),
//! the untagged responses read until the tagged answer, capabilities a server volunteers
//! in a response code, and the server's words made safe to show.

use std::time::Instant;

use super::{MAX_TRACE, MAX_UNTAGGED, Session, Wire, words};
use crate::imap::error::{ImapError, ImapErrorKind};
use crate::imap::response::{self, Response, Status, Untagged};
use crate::secret::Secret;

impl<W: Wire> Session<W> {
    /// Send `command` and take its answer: the tagged OK's text, or the NO/BAD as an
    /// error naming `what`.
    pub(super) fn run(&mut self, command: &str, what: &str) -> Result<String, ImapError> {
        let tag = self.send(command)?;
        self.finish(&tag, what, &mut |_| {})
    }

    /// Read until the tagged answer to `tag`, handing the untagged responses that are
    /// not about the session itself to `each`.
    pub(super) fn finish(
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
    pub(super) fn untagged(&mut self, u: Untagged) -> Result<(), ImapError> {
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
    pub(super) fn take_code_capabilities(&mut self, text: &str) {
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

    pub(super) fn send(&mut self, command: &str) -> Result<String, ImapError> {
        let tag = format!("p{}", self.next_tag);
        self.next_tag += 1;
        self.send_raw(&format!("{tag} {command}"))?;
        Ok(tag)
    }

    pub(super) fn send_raw(&mut self, line: &str) -> Result<(), ImapError> {
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
    pub(super) fn read(&mut self) -> Result<Response, ImapError> {
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
    pub(super) fn note(&mut self, ours: bool, line: &str) {
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

    pub(super) fn refused(&self, what: &str, text: &str) -> ImapError {
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

    pub(super) fn unexpected(&self, r: &Response) -> ImapError {
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
    pub(super) fn clean(&self, text: &str) -> String {
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
