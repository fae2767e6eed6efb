//! Mailboxes as people type them (`Jane <j@x>`, `"Doe, Jane" <j@x>`, `j@x`, lists
//! of those) and as headers hold them (RFC 5322 groups too): parsing, checking, and
//! their wire form (IDN domains as punycode). posta's one address parser: compose, the
//! config and raw messages (sendmail -t, batch) all read addresses here.
//!
//! This file reads one mailbox; `list.rs` splits lists into mailboxes.
//!
//! Written here rather than taken from lettre because lettre never converts
//! internationalised domains to punycode and we need to know, per address, whether
//! the local part is UTF-8 (which makes the envelope need SMTPUTF8).

// A quoted local part is an RFC 5322 quoted-string with only `"` and `\` escaped,
// which is also RFC 5321's form: the header's quoting serves the envelope too.
use super::header::quote;

mod list;
#[cfg(test)]
mod tests;

use list::strip_comments;
pub use list::{backslash_outside_quotes, parse_address_list, parse_list, split_address_list};

/// One checked mailbox. `domain` is already in ASCII (punycode) form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// The display name, unquoted, or `None`.
    pub name: Option<String>,
    /// The local part in its wire form, the same in the header and the envelope: a
    /// dot-atom (may be UTF-8), or a quoted string with only `"` and `\` escaped when
    /// a dot-atom cannot say it (`"a b"`).
    pub local: String,
    /// ASCII domain (IDN converted with IDNA) or a domain literal `[…]`.
    pub domain: String,
}

impl Mailbox {
    /// `local@domain`, as it goes into headers and the envelope.
    pub fn address(&self) -> String {
        format!("{}@{}", self.local, self.domain)
    }

    /// A UTF-8 local part can only travel with SMTPUTF8 (RFC 6531).
    pub fn needs_smtputf8(&self) -> bool {
        !self.local.is_ascii()
    }
}

/// The address inside a mailbox, without parsing it: "Jane <jane@x.org>" → "jane@x.org";
/// a bare address stays as it is. For matching and envelope defaults, where a full
/// parse would refuse inputs (e.g. "root") that sendmail users rely on.
/// Comments (`jane@x.org (home)`) are left out.
pub fn bare_address(mailbox: &str) -> String {
    let without_comments = strip_comments(mailbox);
    let s = without_comments.trim();
    match (s.rfind('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => s[a + 1..b].trim().to_string(),
        _ => s.to_string(),
    }
}

/// Parse one mailbox (RFC 5322 §3.4): `addr`, `<addr>`, `Name <addr>`,
/// `"Quoted, Name" <addr>`, a name mixing words and quoted strings
/// (`Dave "the man" <d@x>`), a quoted local part (`"a b"@x`), with comments
/// (`b@x (work)`, `Bob (work) <b@x>`) and whitespace anywhere between the parts.
///
/// A comment in the display name stays in it, parentheses and all (`Bob (work)`: what
/// the user wants readers to see). A comment in or after the address is dropped: it
/// means nothing (RFC 5322 §3.2.2), and the header is written from the same parsed
/// parts as the envelope, which has no room for it. The display name is unquoted; the
/// local part is in its wire form (see [`Mailbox`]).
pub fn parse_mailbox(input: &str) -> Result<Mailbox, String> {
    let s = input.trim();
    if s.chars().any(|c| c.is_control() && c != '\t') {
        return Err(format!("control character in address {s:?}"));
    }
    let bad = |e: String| format!("malformed address {s:?}: {e}");
    let lexemes = lex(s).map_err(bad)?;
    let angle = |l: &Lexeme| matches!(l, Lexeme::Open | Lexeme::Close);
    let Some(open) = lexemes.iter().rposition(|l| *l == Lexeme::Open) else {
        if lexemes.contains(&Lexeme::Close) {
            return Err(bad("'>' without '<'".into()));
        }
        let (local, domain) = addr_spec(&lexemes, true).map_err(bad)?;
        return Ok(Mailbox {
            name: None,
            local,
            domain,
        });
    };
    let close = open
        + lexemes[open..]
            .iter()
            .position(|l| *l == Lexeme::Close)
            .ok_or_else(|| bad("'<' without '>'".into()))?;
    if lexemes[..open].iter().any(angle) {
        return Err(bad("'<' or '>' in display name (quote the name)".into()));
    }
    if lexemes[close + 1..].iter().any(|l| !l.is_space()) {
        return Err(bad(format!(
            "{:?} after the closing '>'",
            spell(&lexemes[close + 1..])
        )));
    }
    let (local, domain) = addr_spec(&lexemes[open + 1..close], false).map_err(bad)?;
    Ok(Mailbox {
        name: display_name(&lexemes[..open]),
        local,
        domain,
    })
}

/// The pieces of a mailbox (RFC 5322 §3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Lexeme {
    /// Whitespace.
    Gap,
    /// A comment, parentheses included, escapes undone, whitespace runs made one space.
    Comment(String),
    /// A run of anything but whitespace, quotes, parentheses, angle brackets and '@'.
    Text(String),
    /// A quoted string, its escapes undone.
    Quoted(String),
    At,
    Open,
    Close,
}

impl Lexeme {
    /// Whitespace or a comment: nothing, between the parts of an address.
    fn is_space(&self) -> bool {
        matches!(self, Lexeme::Gap | Lexeme::Comment(_))
    }
}

fn lex(s: &str) -> Result<Vec<Lexeme>, String> {
    let mut out: Vec<Lexeme> = Vec::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        let next = match c {
            c if c.is_control() && c != '\t' => return Err("control character".into()),
            c if c.is_whitespace() => Lexeme::Gap,
            '(' => {
                let mut text = String::from("(");
                let mut depth = 1u32;
                while depth > 0 {
                    let c = chars
                        .next()
                        .ok_or("unbalanced '(' (a comment is not closed)")?;
                    match c {
                        // A quoted-pair means the character itself.
                        '\\' => {
                            text.extend(chars.next());
                            continue;
                        }
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    if c.is_whitespace() {
                        if !text.ends_with(' ') {
                            text.push(' ');
                        }
                    } else {
                        text.push(c);
                    }
                }
                Lexeme::Comment(text)
            }
            ')' => return Err("')' without '('".into()),
            '"' => {
                let mut text = String::new();
                loop {
                    match chars.next() {
                        None => return Err("unbalanced quote".into()),
                        Some('"') => break,
                        Some('\\') => text.push(
                            chars
                                .next()
                                .ok_or("a backslash at the end of a quoted string")?,
                        ),
                        Some(c) => text.push(c),
                    }
                }
                Lexeme::Quoted(text)
            }
            '<' => Lexeme::Open,
            '>' => Lexeme::Close,
            '@' => Lexeme::At,
            c => {
                if let Some(Lexeme::Text(t)) = out.last_mut() {
                    t.push(c);
                    continue;
                }
                Lexeme::Text(c.to_string())
            }
        };
        if !(next == Lexeme::Gap && out.last() == Some(&Lexeme::Gap)) {
            out.push(next);
        }
    }
    Ok(out)
}

/// Lexemes written back as text, for error messages.
fn spell(lexemes: &[Lexeme]) -> String {
    let mut s = String::new();
    for l in lexemes {
        match l {
            Lexeme::Gap => s.push(' '),
            Lexeme::Text(t) | Lexeme::Comment(t) => s.push_str(t),
            Lexeme::Quoted(q) => s.push_str(&quote(q)),
            Lexeme::At => s.push('@'),
            Lexeme::Open => s.push('<'),
            Lexeme::Close => s.push('>'),
        }
    }
    s.trim().to_string()
}

/// The display name: words (atoms, quoted strings, comments) one space apart where
/// the input had whitespace between them. Lenient beyond RFC 5322 (a '.', '@' or
/// other special in an unquoted name is kept): the name is re-quoted or encoded when
/// written, so nothing typed here can change the header's structure.
fn display_name(lexemes: &[Lexeme]) -> Option<String> {
    let mut name = String::new();
    let mut gap = false;
    for l in lexemes {
        let word = match l {
            Lexeme::Gap => {
                gap = true;
                continue;
            }
            Lexeme::Text(t) | Lexeme::Quoted(t) | Lexeme::Comment(t) => t.as_str(),
            Lexeme::At => "@",
            Lexeme::Open | Lexeme::Close => unreachable!("angle brackets are refused first"),
        };
        if gap && !name.is_empty() {
            name.push(' ');
        }
        name.push_str(word);
        gap = false;
    }
    (!name.trim().is_empty()).then_some(name)
}

pub(crate) fn is_atext(c: char) -> bool {
    // RFC 5322 atext, widened by RFC 6531 to any non-ASCII character (but for
    // whitespace, which would split the address when read back).
    c.is_ascii_alphanumeric()
        || "!#$%&'*+-/=?^_`{|}~".contains(c)
        || (!c.is_ascii() && !c.is_whitespace())
}

fn is_dot_atom(s: &str) -> bool {
    s.split('.')
        .all(|atom| !atom.is_empty() && atom.chars().all(is_atext))
}

/// Check `local@domain` (comments and whitespace around its parts allowed) and return
/// the local part in its wire form and the ASCII domain.
pub fn parse_addr_spec(spec: &str) -> Result<(String, String), String> {
    addr_spec(&lex(spec.trim())?, false)
}

/// `bare`: the lexemes are the whole mailbox, so several words before the '@' are
/// most likely a display name without its angle brackets.
fn addr_spec(lexemes: &[Lexeme], bare: bool) -> Result<(String, String), String> {
    let words: Vec<&Lexeme> = lexemes.iter().filter(|l| !l.is_space()).collect();
    if words.is_empty() {
        return Err("empty address".into());
    }
    let at = words
        .iter()
        .rposition(|l| **l == Lexeme::At)
        .ok_or("no '@'")?;
    let local = match &words[..at] {
        [] => return Err("empty local part".into()),
        [Lexeme::Text(t)] if is_dot_atom(t) => t.clone(),
        [Lexeme::Quoted(q)] => quoted_local_part(q)?,
        [Lexeme::Text(_), Lexeme::Text(_), ..]
            if bare && words[..at].iter().all(|l| matches!(l, Lexeme::Text(_))) =>
        {
            return Err("write a display name as 'Name <user@domain>'".into());
        }
        [Lexeme::Open | Lexeme::Close, ..] => return Err("'<' or '>' in the address".into()),
        other => {
            let other: Vec<Lexeme> = other.iter().map(|l| (*l).clone()).collect();
            return Err(format!("invalid local part {:?}", spell(&other)));
        }
    };
    if local.len() > 64 {
        return Err("local part longer than 64 octets".into());
    }
    let domain = match &words[at + 1..] {
        [] => return Err("empty domain".into()),
        [Lexeme::Text(d)] => check_domain(d)?,
        other => {
            let other: Vec<Lexeme> = other.iter().map(|l| (*l).clone()).collect();
            return Err(format!("invalid domain {:?}", spell(&other)));
        }
    };
    Ok((local, domain))
}

/// The wire form of a quoted local part: without quotes when it is a plain dot-atom
/// (`"ab"@x` is `ab@x`, RFC 5322 §3.4.1), otherwise quoted with the fewest escapes.
/// SMTP carries only printable characters and spaces in it (RFC 5321 §4.1.2).
fn quoted_local_part(q: &str) -> Result<String, String> {
    if q.is_empty() {
        return Err("empty local part".into());
    }
    if q.chars()
        .any(|c| c.is_control() || (c.is_whitespace() && c != ' '))
    {
        return Err("a tab or control character in the quoted local part".into());
    }
    // RFC 5321 allows them, but the SMTP layer refuses any '<' or '>' inside
    // `RCPT TO:<…>` (a server that reads the first '>' as the end would see another
    // address): say so now, before a password is asked for.
    if q.contains(['<', '>']) {
        return Err("'<' or '>' in the quoted local part (SMTP cannot carry it safely)".into());
    }
    Ok(if is_dot_atom(q) {
        q.to_string()
    } else {
        quote(q)
    })
}

fn check_domain(domain: &str) -> Result<String, String> {
    if domain.is_empty() {
        return Err("empty domain".into());
    }
    if domain.starts_with('[') && domain.ends_with(']') {
        let inner = &domain[1..domain.len() - 1];
        return if !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".:".contains(c))
        {
            Ok(domain.to_string())
        } else {
            Err(format!("invalid domain literal {domain:?}"))
        };
    }
    let ascii = if domain.is_ascii() {
        domain.to_string()
    } else {
        idna::domain_to_ascii_strict(domain)
            .map_err(|_| format!("invalid internationalised domain {domain:?}"))?
    };
    let ok_label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if ascii.len() > 253 || !ascii.split('.').all(ok_label) {
        return Err(format!("invalid domain {domain:?}"));
    }
    Ok(ascii)
}
