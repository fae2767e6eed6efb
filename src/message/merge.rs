//! Mail merge: a template message with `{{field}}` placeholders, filled from one CSV
//! record at a time. The template is a finished message (headers, body, MIME parts and
//! all), so each filled copy is read like `sendmail -t`.

use std::collections::HashMap;

use super::ComposeError;
use super::header::{self, LONG_WORD};

mod context;
use context::{Lookahead, Role, Scanner};

/// The largest template held in memory (templates are small; attachments in them are
/// already encoded text).
pub const MAX_TEMPLATE: usize = 16 << 20;

/// A template split into literal text and placeholders.
#[derive(Debug, Clone)]
pub struct Template {
    pieces: Vec<Piece>,
    /// The byte offset where the header block ends: values placed before it must not
    /// carry a line break (header injection).
    header_end: usize,
}

#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    /// A placeholder: in the header block with its role and the name of its field
    /// there, or in the body (`None`).
    Field {
        name: String,
        role: Option<(Role, String)>,
    },
}

impl Template {
    /// Parse `{{name}}` placeholders (spaces inside the braces allowed).
    pub fn parse(text: &str) -> Result<Template, ComposeError> {
        let header_end = header_end(text);
        let mut pieces = Vec::new();
        let mut rest = text;
        let mut offset = 0;
        while let Some(open) = rest.find("{{") {
            let Some(close) = rest[open + 2..].find("}}") else {
                return Err(ComposeError::BadInput(format!(
                    "template: \"{{{{\" at byte {} is never closed with \"}}}}\"",
                    offset + open
                )));
            };
            let name = rest[open + 2..open + 2 + close].trim();
            if name.is_empty() || name.contains(['{', '}', '\n', '\r']) {
                return Err(ComposeError::BadInput(format!(
                    "template: bad placeholder {:?} at byte {}",
                    &rest[open..open + 4 + close],
                    offset + open
                )));
            }
            pieces.push(Piece::Text(rest[..open].to_string()));
            pieces.push(Piece::Field {
                name: name.to_string(),
                role: (offset + open < header_end).then(|| (Role::Text, String::new())),
            });
            let consumed = open + 4 + close;
            offset += consumed;
            rest = &rest[consumed..];
        }
        pieces.push(Piece::Text(rest.to_string()));
        assign_roles(&mut pieces)?;
        Ok(Template { pieces, header_end })
    }

    /// Every placeholder name, in order of first use.
    pub fn fields(&self) -> Vec<&str> {
        let mut seen = Vec::new();
        for p in &self.pieces {
            if let Piece::Field { name, .. } = p
                && !seen.contains(&name.as_str())
            {
                seen.push(name.as_str());
            }
        }
        seen
    }

    /// Fill the template from one record. In the header block a value goes in as what
    /// its place says it is ([`Role`]): a display name as one quoted phrase, an address
    /// as exactly one addr-spec, any value on one line without control characters; what
    /// cannot is refused, so a CSV cell can never add a header or a recipient.
    pub fn render(&self, values: &HashMap<&str, &str>) -> Result<String, ComposeError> {
        let mut out = String::with_capacity(self.header_end + 256);
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Field { name, role } => {
                    let value = values.get(name.as_str()).ok_or_else(|| {
                        ComposeError::BadInput(format!("no column \"{name}\" in the data"))
                    })?;
                    match role {
                        Some((role, field)) => {
                            context::insert((*role, field), name, value, &mut out)?
                        }
                        None => out.push_str(value),
                    }
                }
            }
        }
        let any_non_ascii_value = self.pieces.iter().any(|p| match p {
            Piece::Field {
                name,
                role: Some(_),
            } => values.get(name.as_str()).is_some_and(|v| !v.is_ascii()),
            _ => false,
        });
        if any_non_ascii_value {
            out = encode_header_block(&out);
        }
        Ok(out)
    }
}

/// The role of each placeholder in the header block, read from the template text
/// around it; a placeholder in a field's name is refused.
fn assign_roles(pieces: &mut [Piece]) -> Result<(), ComposeError> {
    let mut scan = Scanner::new();
    for i in 0..pieces.len() {
        match &pieces[i] {
            Piece::Text(t) => scan.text(t),
            Piece::Field { role: None, .. } => break,
            Piece::Field { name, .. } => {
                let name = name.clone();
                scan.check_placeholder(&name)?;
                let mut ahead = Lookahead::new(&scan);
                for later in &pieces[i + 1..] {
                    let done = match later {
                        Piece::Text(t) => ahead.feed(t),
                        Piece::Field { role: None, .. } => true,
                        Piece::Field { .. } => ahead.feed("x"),
                    };
                    if done {
                        break;
                    }
                }
                let role = scan.role(ahead);
                let field = scan.field().to_string();
                scan.placeholder();
                pieces[i] = Piece::Field {
                    name,
                    role: Some((role, field)),
                };
            }
        }
    }
    Ok(())
}

/// Where the header block ends: the first empty line, whichever line ending the
/// template uses (a CRLF pair later in the body must not count).
fn header_end(text: &str) -> usize {
    match (text.find("\r\n\r\n"), text.find("\n\n")) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(text.len()),
    }
}

/// Header fields that hold addresses: rewritten through posta's own address parser.
pub(crate) const ADDRESS_FIELDS: &[&str] = &[
    "from",
    "to",
    "cc",
    "bcc",
    "reply-to",
    "sender",
    "resent-from",
    "resent-to",
    "resent-cc",
    "resent-bcc",
    "resent-sender",
];
/// Structured fields whose syntax an encoded word would break: left as they are.
const STRUCTURED_FIELDS: &[&str] = &[
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "resent-date",
    "resent-message-id",
    "return-path",
    "received",
    "mime-version",
    "content-type",
    "content-disposition",
    "content-transfer-encoding",
    "content-id",
];

/// The header fields of a filled template that hold non-ASCII text (a name, a subject
/// from the data), written the way `posta send` writes its own: RFC 2047 encoded
/// words, folded. Raw UTF-8 in a header needs SMTPUTF8 (RFC 6532), which many servers
/// do not offer. ASCII fields, the body, and a field posta cannot read (left for the
/// server to judge) are kept byte for byte.
fn encode_header_block(message: &str) -> String {
    let (head, body) = message.split_at(header_end(message));
    let newline = if head.contains("\r\n") { "\r\n" } else { "\n" };
    let mut out = String::with_capacity(message.len() + 256);
    // One field: its first line and the continuation lines (starting with WSP).
    let mut fields: Vec<Vec<&str>> = Vec::new();
    for line in head.split(newline) {
        match fields.last_mut() {
            Some(field) if line.starts_with([' ', '\t']) => field.push(line),
            _ => fields.push(vec![line]),
        }
    }
    for (i, lines) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str(newline);
        }
        let raw = lines.join(newline);
        match reencoded(lines) {
            Some(field) => out.push_str(
                field
                    .trim_end_matches("\r\n")
                    .replace("\r\n", newline)
                    .as_str(),
            ),
            None => out.push_str(&raw),
        }
    }
    out.push_str(body);
    out
}

/// One non-ASCII field written anew, or `None` to keep it as it is.
fn reencoded(lines: &[&str]) -> Option<String> {
    if lines.iter().all(|l| l.is_ascii()) {
        return None;
    }
    let (name, value) = lines
        .join(" ")
        .split_once(':')
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))?;
    let lower = name.trim().to_ascii_lowercase();
    if lower.is_empty() || lower.contains(' ') || STRUCTURED_FIELDS.contains(&lower.as_str()) {
        return None;
    }
    if ADDRESS_FIELDS.contains(&lower.as_str()) {
        let list = super::address::parse_list(&value)
            .ok()
            .filter(|l| !l.is_empty())?;
        return Some(header::fold(&name, &super::compose::mailbox_tokens(&list)));
    }
    Some(header::fold(
        &name,
        &header::unstructured(&value, LONG_WORD),
    ))
}

#[cfg(test)]
mod tests;
