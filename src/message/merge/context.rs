//! What a placeholder in a template's header block stands for, read from the text
//! around it, so that a CSV value is inserted as what it claims to be: a display name
//! as one quoted phrase, an address as exactly one addr-spec. Without this a cell like
//! `Bob", eve@evil.test, "x` in `To: "{{name}}" <{{email}}>` adds a recipient.

use super::ADDRESS_FIELDS;
use crate::message::ComposeError;
use crate::message::address::{is_atext, parse_addr_spec};

/// The role of a placeholder in the header block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// In a field that holds no addresses (Subject, X-…): inserted as written, on one line.
    Text,
    /// Inside a quoted string or a comment of an address field: `\`, `"`, `(`, `)`
    /// escaped, so the value cannot close it.
    Quoted,
    /// A display name standing alone (before `<`): written as one quoted string.
    Phrase,
    /// A whole address (alone, or alone between `<` and `>`): must be one addr-spec.
    Address,
    /// Part of an address written around it (`{{user}}@example.org`): atext and dots only.
    AddressPart,
}

/// Where a scan of the header block stands.
#[derive(Debug, Clone, Default)]
pub struct Scanner {
    /// The field name read so far, until its colon.
    name: String,
    /// Past the colon of the current field, and whether that field holds addresses.
    in_value: bool,
    address_field: bool,
    line_start: bool,
    in_quote: bool,
    escaped: bool,
    comment: u32,
    in_angle: bool,
    /// The last character of the field value (a placeholder counts as an atom).
    last: Option<char>,
}

impl Scanner {
    pub fn new() -> Scanner {
        Scanner {
            line_start: true,
            ..Scanner::default()
        }
    }

    /// Read literal template text.
    pub fn text(&mut self, text: &str) {
        for c in text.chars() {
            self.char(c);
        }
    }

    fn char(&mut self, c: char) {
        if c == '\r' {
            return;
        }
        if c == '\n' {
            self.line_start = true;
            return;
        }
        if std::mem::take(&mut self.line_start) && c != ' ' && c != '\t' {
            // A new field.
            *self = Scanner::default();
        }
        if !self.in_value {
            if c == ':' {
                let name = self.name.trim().to_ascii_lowercase();
                self.address_field = ADDRESS_FIELDS.contains(&name.as_str());
                self.in_value = true;
                self.last = Some(':');
            } else {
                self.name.push(c);
            }
            return;
        }
        self.last = Some(c);
        if std::mem::take(&mut self.escaped) {
            return;
        }
        match c {
            '\\' if self.in_quote || self.comment > 0 => self.escaped = true,
            '"' if self.comment == 0 => self.in_quote = !self.in_quote,
            '(' if !self.in_quote => self.comment += 1,
            ')' if !self.in_quote => self.comment = self.comment.saturating_sub(1),
            '<' if !self.in_quote && self.comment == 0 => self.in_angle = true,
            '>' if !self.in_quote && self.comment == 0 => self.in_angle = false,
            _ => {}
        }
    }

    /// A placeholder may stand here: after the colon of a header field, not in its
    /// name (where a cell could make a field of its own).
    pub fn check_placeholder(&self, name: &str) -> Result<(), ComposeError> {
        if self.line_start || !self.in_value {
            return Err(ComposeError::BadInput(format!(
                "template: {{{{{name}}}}} is in the name of a header field; a value may \
                 only go after the colon (else a cell could add a header)"
            )));
        }
        Ok(())
    }

    /// The name of the field being read, as written (without obsolete white space).
    pub fn field(&self) -> &str {
        self.name.trim()
    }

    /// Past a placeholder: the scan goes on as past an atom.
    pub fn placeholder(&mut self) {
        self.last = Some('x');
    }

    /// The role of a placeholder at this point, given what follows it in its field
    /// ([`Lookahead`], fed up to the end of the field or of the template).
    pub fn role(&self, mut ahead: Lookahead) -> Role {
        ahead.end();
        if !self.address_field {
            return Role::Text;
        }
        if self.in_quote || self.comment > 0 {
            return Role::Quoted;
        }
        let starts_token = matches!(self.last, Some(' ' | '\t' | '<' | ',' | ':' | ';') | None);
        let whole = starts_token && ahead.ends_token;
        if self.in_angle {
            return if whole {
                Role::Address
            } else {
                Role::AddressPart
            };
        }
        if ahead.angle_follows {
            Role::Phrase
        } else if whole {
            Role::Address
        } else {
            Role::AddressPart
        }
    }
}

/// What follows a placeholder in its field, read piece by piece.
#[derive(Debug)]
pub struct Lookahead {
    scan: Scanner,
    first: bool,
    done: bool,
    /// The next character ends a token (white space, `>`, `,`, `;`, the end of the field).
    ends_token: bool,
    /// A `<` follows before the next `,` or `;` outside quotes and comments: the
    /// placeholder is (part of) a display name.
    angle_follows: bool,
}

impl Lookahead {
    /// Start reading after a placeholder met in the state `at`.
    pub fn new(at: &Scanner) -> Lookahead {
        Lookahead {
            scan: at.clone(),
            first: true,
            done: false,
            ends_token: false,
            angle_follows: false,
        }
    }

    /// Read more of the template (a later placeholder as `x`); true once the field ends
    /// or the answer is known.
    pub fn feed(&mut self, text: &str) -> bool {
        for c in text.chars() {
            if self.done {
                break;
            }
            if c == '\r' {
                continue;
            }
            let s = &mut self.scan;
            let ends_field = s.line_start && c != ' ' && c != '\t';
            if std::mem::take(&mut self.first) {
                self.ends_token = ends_field || matches!(c, ' ' | '\t' | '>' | ',' | ';' | '\n');
            }
            let top = !s.in_quote && s.comment == 0 && !s.in_angle;
            if ends_field || (top && matches!(c, ',' | ';')) {
                self.done = true;
            } else if top && c == '<' {
                self.angle_follows = true;
                self.done = true;
            } else {
                s.char(c);
            }
        }
        self.done
    }

    fn end(&mut self) {
        if self.first {
            self.ends_token = true;
        }
    }
}

/// `value` as it goes into the field `field` in `role` (a header value: no control
/// character), or why it cannot; `name` is the placeholder's.
pub fn insert(
    (role, field): (Role, &str),
    name: &str,
    value: &str,
    out: &mut String,
) -> Result<(), ComposeError> {
    let bad = |why: &str| {
        // Quoted with escapes (no control character reaches the terminal), and cut.
        let shown: String = value.chars().take(MAX_SHOWN).collect();
        let more = if shown.len() < value.len() { "…" } else { "" };
        Err(ComposeError::BadInput(format!(
            "{field}: the value of \"{name}\" ({shown:?}{more}) {why}"
        )))
    };
    if value.contains(['\r', '\n']) {
        return bad("has a line break, which a header cannot hold");
    }
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return bad("has a control character, which a header cannot hold");
    }
    match role {
        Role::Text => out.push_str(value),
        Role::Quoted => escape_into(value, out),
        Role::Phrase => {
            out.push('"');
            escape_into(value, out);
            out.push('"');
        }
        // Written as the parser read it, so what goes in is exactly one addr-spec.
        Role::Address => match parse_addr_spec(value) {
            Ok((local, domain)) => {
                out.push_str(&local);
                out.push('@');
                out.push_str(&domain);
            }
            Err(e) => return bad(&format!("is not one address (user@domain): {e}")),
        },
        Role::AddressPart => {
            if value.is_empty() || !value.chars().all(|c| c == '.' || is_atext(c)) {
                return bad(
                    "cannot be part of an address: only letters, digits, dots and \
                     !#$%&'*+-/=?^_`{|}~ may be",
                );
            }
            out.push_str(value);
        }
    }
    Ok(())
}

/// The most characters of a refused value that its error shows.
const MAX_SHOWN: usize = 80;

/// Escape what would end a quoted string or a comment (RFC 5322 quoted-pair).
fn escape_into(value: &str, out: &mut String) {
    for c in value.chars() {
        if matches!(c, '\\' | '"' | '(' | ')') {
            out.push('\\');
        }
        out.push(c);
    }
}
