//! Mail merge: a template message with `{{field}}` placeholders, filled from one CSV
//! record at a time. The template is a finished message (headers, body, MIME parts and
//! all), so each filled copy is read like `sendmail -t`.

use std::collections::HashMap;

use super::ComposeError;

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
        let header_end = text
            .find("\r\n\r\n")
            .or_else(|| text.find("\n\n"))
            .unwrap_or(text.len());
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
        Ok(out)
    }
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
