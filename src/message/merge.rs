//! Mail merge: a template message with `{{field}}` placeholders, filled from one CSV
//! record at a time. The template is a finished message (headers, body, MIME parts and
//! all), so each filled copy is read like `sendmail -t`.

use std::collections::HashMap;

use super::ComposeError;
use super::header::{self, LONG_WORD};

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
    Field { name: String, in_header: bool },
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
                in_header: offset + open < header_end,
            });
            let consumed = open + 4 + close;
            offset += consumed;
            rest = &rest[consumed..];
        }
        pieces.push(Piece::Text(rest.to_string()));
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

    /// Fill the template from one record. A value with a line break in the header block
    /// would let a CSV cell add headers (or recipients): refused.
    pub fn render(&self, values: &HashMap<&str, &str>) -> Result<String, ComposeError> {
        let mut out = String::with_capacity(self.header_end + 256);
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Field { name, in_header } => {
                    let value = values.get(name.as_str()).ok_or_else(|| {
                        ComposeError::BadInput(format!("no column \"{name}\" in the data"))
                    })?;
                    if *in_header && value.contains(['\r', '\n']) {
                        return Err(ComposeError::BadInput(format!(
                            "the value of \"{name}\" has a line break, which a header cannot hold"
                        )));
                    }
                    out.push_str(value);
                }
            }
        }
        let any_non_ascii_value = self.pieces.iter().any(|p| match p {
            Piece::Field {
                name,
                in_header: true,
            } => values.get(name.as_str()).is_some_and(|v| !v.is_ascii()),
            _ => false,
        });
        if any_non_ascii_value {
            out = encode_header_block(&out);
        }
        Ok(out)
    }
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
const ADDRESS_FIELDS: &[&str] = &[
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
        .map(|(n, v)| (n.to_string(), v.trim().to_string()))?;
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
mod tests {
    use super::*;

    fn values<'a>(pairs: &[(&'a str, &'a str)]) -> HashMap<&'a str, &'a str> {
        pairs.iter().copied().collect()
    }

    #[test]
    fn fills_every_placeholder() {
        let t =
            Template::parse("To: {{ email }}\nSubject: Hi {{name}}\n\nDear {{name}},\n").unwrap();
        assert_eq!(t.fields(), ["email", "name"]);
        let out = t
            .render(&values(&[("email", "a@x.org"), ("name", "Ann")]))
            .unwrap();
        assert_eq!(out, "To: a@x.org\nSubject: Hi Ann\n\nDear Ann,\n");
    }

    #[test]
    fn a_line_break_in_a_header_value_is_refused_but_allowed_in_the_body() {
        let t = Template::parse("Subject: {{s}}\n\n{{b}}\n").unwrap();
        let err = t
            .render(&values(&[("s", "x\nBcc: evil@x.org"), ("b", "ok")]))
            .unwrap_err();
        assert!(err.to_string().contains("line break"), "{err}");
        assert!(
            t.render(&values(&[("s", "x"), ("b", "two\nlines")]))
                .is_ok()
        );
    }

    #[test]
    fn non_ascii_values_in_headers_become_encoded_words_and_the_rest_is_kept() {
        let t = Template::parse(
            "From: Jane <jane@example.com>\r\nTo: \"{{name}}\" <{{email}}>\r\n\
             Subject: Your seat, {{name}}\r\nX-Id: {{id}}\r\n\r\nDear {{name}},\r\n",
        )
        .unwrap();
        let out = t
            .render(&values(&[
                ("name", "Zoë Ünal"),
                ("email", "zoe@x.org"),
                ("id", "7"),
            ]))
            .unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head.is_ascii(), "{head}");
        assert!(
            head.starts_with("From: Jane <jane@example.com>\r\nTo: =?utf-8?B?"),
            "{head}"
        );
        assert!(
            head.contains("<zoe@x.org>\r\nSubject: Your seat, =?utf-8?B?"),
            "{head}"
        );
        assert!(head.ends_with("\r\nX-Id: 7"), "{head}");
        assert_eq!(body, "Dear Zoë Ünal,\r\n");
        // The encoded word holds the name as written.
        let decoded = |word: &str| {
            use base64::Engine;
            let b64 = word.trim_start_matches("=?utf-8?B?").trim_end_matches("?=");
            String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap(),
            )
            .unwrap()
        };
        let to_word = head
            .split("To: ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap();
        assert_eq!(decoded(to_word), "Zoë Ünal");
        // All ASCII: byte for byte as filled.
        let out = t
            .render(&values(&[
                ("name", "Ann"),
                ("email", "a@x.org"),
                ("id", "7"),
            ]))
            .unwrap();
        assert!(out.contains("To: \"Ann\" <a@x.org>\r\n"), "{out}");
    }

    #[test]
    fn the_header_block_ends_at_its_first_empty_line_whatever_the_line_ending() {
        assert_eq!(header_end("To: a\n\nbody\r\n\r\nmore"), 5);
        assert_eq!(header_end("To: a\r\n\r\nbody\n\nmore"), 5);
        assert_eq!(header_end("To: a"), 5);
        // A line break in a body value is fine, even with a CRLF pair later on.
        let t = Template::parse("Subject: s\n\n{{b}}\r\n\r\nend\n").unwrap();
        assert!(t.render(&values(&[("b", "two\nlines")])).is_ok());
    }

    #[test]
    fn unknown_and_unclosed_placeholders_are_named() {
        let t = Template::parse("Subject: {{missing}}\n\nx").unwrap();
        assert!(
            t.render(&values(&[]))
                .unwrap_err()
                .to_string()
                .contains("missing")
        );
        assert!(Template::parse("Subject: {{open\n\nx").is_err());
        assert!(Template::parse("Subject: {{}}\n\nx").is_err());
    }
}
