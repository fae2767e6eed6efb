//! Composing an RFC 5322 / MIME message from a [`Draft`]: check everything first
//! ([`prepare`]), then write it as often as needed ([`Composed::write_to`]).
//!
//! This file owns the header fields (addresses, ids, `-H`); `compose/tree.rs` builds
//! the MIME body parts and opens the files they stream from.

use std::io::{self, Write};

use super::address::{self, Mailbox};
use super::header::{self, LONG_WORD, Token};
use super::mime::{self, Part, Sink};
use super::{ComposeError, Draft};
use crate::envelope::Envelope;

mod pipe;
#[cfg(test)]
mod tests;
mod tree;

use tree::build_tree;

/// A checked draft, ready to be written any number of times (files were opened once
/// by [`prepare`] and are rewound and streamed on every write; nothing large is held
/// in memory).
#[derive(Debug)]
pub struct Composed {
    pub envelope: Envelope,
    /// The Message-ID, without angle brackets.
    pub message_id: String,
    /// The Bcc field (folded, CRLF-terminated; empty without --bcc): never in the
    /// message, but in the copy saved in Sent.
    pub bcc_field: String,
    /// Every header line above the MIME ones, folded, CRLF-terminated.
    headers: String,
    root: Part,
    /// What was done that the user may want to know at -v (an attachment spooled
    /// from a pipe).
    pub notes: Vec<String>,
}

/// Check a draft: parse addresses, validate headers, open every file once.
///
/// A body from stdin ([`BodySource::Stdin`](super::BodySource::Stdin)) is read into
/// memory here: a text body is small, and reading it now means a bad flag never leaves
/// stdin half consumed. Body files and attachments stay on disk and are streamed when
/// written.
pub fn prepare(draft: Draft) -> Result<Composed, ComposeError> {
    let from = parse_from(&draft.from)?;
    let to = parse_lists("--to", &draft.to)?;
    let cc = parse_lists("--cc", &draft.cc)?;
    let bcc = parse_lists("--bcc", &draft.bcc)?;
    let reply_to = parse_lists("--reply-to", &draft.reply_to)?;
    if to.is_empty() && cc.is_empty() && bcc.is_empty() {
        return Err(ComposeError::Usage(
            "no recipients: give --to, --cc, --bcc or a recipient argument".into(),
        ));
    }
    let envelope_from = match draft.envelope_from.as_deref().map(str::trim) {
        None => from.address(),
        Some("" | "<>") => String::new(),
        Some(raw) => address::parse_mailbox(raw)
            .map_err(|e| ComposeError::BadInput(format!("--envelope-from: {e}")))?
            .address(),
    };

    let extra = parse_extra_headers(&draft.headers)?;
    let subject = draft.subject.as_deref().unwrap_or("");
    if subject.contains(['\r', '\n']) {
        return Err(ComposeError::BadInput(
            "--subject: the subject contains a line break".into(),
        ));
    }
    let in_reply_to = draft
        .in_reply_to
        .as_deref()
        .map(|id| msg_ids("--in-reply-to", id))
        .transpose()?;
    let mut references = Vec::new();
    for r in &draft.references {
        references.extend(msg_ids("--references", r)?);
    }

    let mut notes = Vec::new();
    let root = build_tree(&draft, &mut notes)?;

    let message_id = match &extra.message_id {
        Some(id) => id.clone(),
        None => new_message_id(&from.domain)?,
    };
    let date = extra
        .date
        .clone()
        .unwrap_or_else(|| chrono::Local::now().to_rfc2822());

    let mut h = String::new();
    h += &header::fold("Date", &header::unstructured(&date, header::HARD_LIMIT));
    h += &header::fold("Message-ID", &[Token::Word(format!("<{message_id}>"))]);
    h += "MIME-Version: 1.0\r\n";
    h += &header::fold("From", &mailbox_tokens(std::slice::from_ref(&from)));
    if !reply_to.is_empty() {
        h += &header::fold("Reply-To", &mailbox_tokens(&reply_to));
    }
    if !to.is_empty() {
        h += &header::fold("To", &mailbox_tokens(&to));
    } else if cc.is_empty() {
        // Only Bcc: say so rather than leave readers guessing (RFC 5322 §3.6.3).
        h += "To: undisclosed-recipients:;\r\n";
    }
    if !cc.is_empty() {
        h += &header::fold("Cc", &mailbox_tokens(&cc));
    }
    if !subject.trim().is_empty() {
        h += &header::fold("Subject", &header::unstructured(subject, LONG_WORD));
    }
    if let Some(ids) = &in_reply_to {
        h += &header::fold(
            "In-Reply-To",
            &ids.iter()
                .map(|i| Token::Word(i.clone()))
                .collect::<Vec<_>>(),
        );
    }
    if !references.is_empty() {
        h += &header::fold(
            "References",
            &references.into_iter().map(Token::Word).collect::<Vec<_>>(),
        );
    }
    for (name, value) in &extra.others {
        // Encode only what must be: many extra headers are structured (URLs, ids),
        // and encoded words would change their meaning.
        h += &header::fold(
            name,
            &header::unstructured(value, header::HARD_LIMIT.saturating_sub(name.len() + 2)),
        );
    }

    let mut rcpt: Vec<String> = Vec::new();
    for m in to.iter().chain(&cc).chain(&bcc) {
        let a = m.address();
        if !rcpt.iter().any(|r| r.to_lowercase() == a.to_lowercase()) {
            rcpt.push(a);
        }
    }
    let smtputf8 = !envelope_from.is_ascii()
        || [&from]
            .into_iter()
            .chain(&to)
            .chain(&cc)
            .chain(&bcc)
            .chain(&reply_to)
            .any(Mailbox::needs_smtputf8);

    Ok(Composed {
        envelope: Envelope {
            from: envelope_from,
            to: rcpt,
            smtputf8,
        },
        message_id,
        bcc_field: if bcc.is_empty() {
            String::new()
        } else {
            header::fold("Bcc", &mailbox_tokens(&bcc))
        },
        headers: h,
        root,
        notes,
    })
}

impl Composed {
    /// Write the whole message (CRLF line endings) to `out`.
    pub fn write_to(&self, out: &mut dyn Write) -> io::Result<()> {
        self.emit(&mut Sink::Write(out))
    }

    /// The exact number of octets [`Composed::write_to`] writes, for SMTP SIZE.
    /// Attachments are counted from their length on disk, not read; text bodies are
    /// encoded into a counter.
    pub fn size(&self) -> io::Result<u64> {
        let mut sink = Sink::Count(0);
        self.emit(&mut sink)?;
        match sink {
            Sink::Count(n) => Ok(n),
            Sink::Write(_) => unreachable!("counting sink"),
        }
    }

    fn emit(&self, sink: &mut Sink<'_>) -> io::Result<()> {
        sink.put(self.headers.as_bytes())?;
        sink.put(self.root.headers().as_bytes())?;
        sink.put(b"\r\n")?;
        self.root.write_body(sink)
    }
}

fn parse_from(raw: &str) -> Result<Mailbox, ComposeError> {
    if raw.trim().is_empty() {
        return Err(ComposeError::Usage(
            "no From address: give --from (or set `from` in the profile)".into(),
        ));
    }
    let mut list =
        address::parse_list(raw).map_err(|e| ComposeError::BadInput(format!("--from: {e}")))?;
    if list.len() != 1 {
        return Err(ComposeError::BadInput(format!(
            "--from: give exactly one address, not {:?}",
            raw
        )));
    }
    Ok(list.remove(0))
}

fn parse_lists(flag: &str, entries: &[String]) -> Result<Vec<Mailbox>, ComposeError> {
    let mut all = Vec::new();
    for entry in entries {
        all.extend(
            address::parse_list(entry)
                .map_err(|e| ComposeError::BadInput(format!("{flag}: {e}")))?,
        );
    }
    Ok(all)
}

/// A new unique Message-ID (without angle brackets) in `domain`.
pub(crate) fn new_message_id(domain: &str) -> Result<String, ComposeError> {
    let random =
        mime::random_hex(16).map_err(|e| ComposeError::BadInput(format!("no randomness: {e}")))?;
    Ok(format!("{random}@{domain}"))
}

/// A whole header field holding one mailbox, encoded and folded.
pub(crate) fn mailbox_field(name: &str, mailbox: &Mailbox) -> String {
    header::fold(name, &mailbox_tokens(std::slice::from_ref(mailbox)))
}

pub(crate) fn mailbox_tokens(list: &[Mailbox]) -> Vec<Token> {
    let mut tokens = Vec::new();
    for (i, m) in list.iter().enumerate() {
        let comma = if i + 1 < list.len() { "," } else { "" };
        match &m.name {
            Some(name) => {
                tokens.extend(header::phrase(name));
                tokens.push(Token::Word(format!("<{}>{comma}", m.address())));
            }
            None => tokens.push(Token::Word(format!("{}{comma}", m.address()))),
        }
    }
    tokens
}

/// One or more message ids (`<a@b>` or `a@b`, separated by spaces or commas), each
/// returned with its angle brackets.
fn msg_ids(flag: &str, raw: &str) -> Result<Vec<String>, ComposeError> {
    let ids: Vec<String> = raw
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(|s| check_msg_id(s).map(|id| format!("<{id}>")))
        .collect::<Result<_, _>>()
        .map_err(|e| ComposeError::BadInput(format!("{flag}: {e}")))?;
    if ids.is_empty() {
        return Err(ComposeError::BadInput(format!("{flag}: empty message id")));
    }
    Ok(ids)
}

/// A message id without brackets, checked to be one printable ASCII token of the form
/// left@right (RFC 5322 §3.6.4): "not an id" would otherwise become three ids.
fn check_msg_id(raw: &str) -> Result<String, String> {
    let id = raw.trim();
    let id = id
        .strip_prefix('<')
        .and_then(|i| i.strip_suffix('>'))
        .unwrap_or(id);
    if id.is_empty()
        || id.len() > 900
        || !id
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '<' && c != '>')
    {
        return Err(format!("malformed message id {raw:?}"));
    }
    match id.split_once('@') {
        Some((left, right)) if !left.is_empty() && !right.is_empty() && !right.contains('@') => {
            Ok(id.to_string())
        }
        _ => Err(format!(
            "malformed message id {raw:?}: expected <left@right>, as in the Message-ID \
             header of the message it refers to"
        )),
    }
}

#[derive(Debug, Default)]
pub(crate) struct ExtraHeaders {
    date: Option<String>,
    message_id: Option<String>,
    others: Vec<(String, String)>,
}

pub(crate) fn parse_extra_headers(raw: &[String]) -> Result<ExtraHeaders, ComposeError> {
    let mut extra = ExtraHeaders::default();
    for arg in raw {
        let bad = |why: String| ComposeError::BadInput(format!("-H {arg:?}: {why}"));
        let (name, value) = arg
            .split_once(':')
            .ok_or_else(|| bad("expected 'Name: value'".into()))?;
        // RFC 5322 §2.2: printable ASCII but ':'; the length limit keeps the name and
        // at least one word of its value within one line.
        if name.is_empty() || name.len() > 76 || !name.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(bad(format!("invalid header name {name:?}")));
        }
        if value.contains(['\r', '\n']) {
            return Err(bad(
                "the value contains a line break (header injection refused)".into(),
            ));
        }
        if value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(bad("the value contains a control character".into()));
        }
        let value = value.trim().to_string();
        let lower = name.to_ascii_lowercase();
        let flag = match lower.as_str() {
            "from" => Some("--from"),
            "to" => Some("--to"),
            "cc" => Some("--cc"),
            "bcc" => Some("--bcc"),
            "subject" => Some("-s/--subject"),
            "reply-to" => Some("--reply-to"),
            "in-reply-to" => Some("--in-reply-to"),
            "references" => Some("--references"),
            _ => None,
        };
        if let Some(flag) = flag {
            return Err(ComposeError::Usage(format!(
                "-H {name}: use {flag} instead"
            )));
        }
        if lower == "mime-version" || lower.starts_with("content-") {
            return Err(ComposeError::Usage(format!(
                "-H {name}: posta sets the MIME headers itself; use --body, --html, --attach or --inline"
            )));
        }
        match lower.as_str() {
            "date" => {
                if chrono::DateTime::parse_from_rfc2822(&value).is_err() {
                    return Err(bad(format!("not an RFC 5322 date: {value:?}")));
                }
                extra.date = Some(value);
            }
            "message-id" => extra.message_id = Some(check_msg_id(&value).map_err(bad)?),
            _ => extra.others.push((name.to_string(), value)),
        }
    }
    Ok(extra)
}
