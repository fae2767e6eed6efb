//! Mailboxes as people type them (`Jane <j@x>`, `"Doe, Jane" <j@x>`, `j@x`, lists
//! of those): parsing, checking, and their wire form (IDN domains as punycode).
//!
//! Written here rather than taken from lettre because lettre never converts
//! internationalised domains to punycode and we need to know, per address, whether
//! the local part is UTF-8 (which makes the envelope need SMTPUTF8).

// A quoted local part is an RFC 5322 quoted-string with only `"` and `\` escaped,
// which is also RFC 5321's form: the header's quoting serves the envelope too.
use super::header::quote;

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

/// Where a character of a header value stands: RFC 5322 quoted strings and (nested)
/// comments, each with `\\` escapes. One scanner for the three readers below, so that
/// they cannot disagree about where a comment ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Outside quotes and comments (a backslash here is no escape).
    Plain,
    /// In a quoted string, its quotes and escapes included.
    Quoted,
    /// The `(` that opens a comment outside any other.
    CommentOpen,
    /// In a comment, its closing `)` and escapes included.
    Comment,
}

struct Scan<'a> {
    chars: std::str::Chars<'a>,
    quote: bool,
    depth: u32,
    escaped: bool,
}

impl<'a> Scan<'a> {
    fn new(s: &'a str) -> Self {
        Scan {
            chars: s.chars(),
            quote: false,
            depth: 0,
            escaped: false,
        }
    }
}

impl Iterator for Scan<'_> {
    type Item = (char, Part);

    fn next(&mut self) -> Option<(char, Part)> {
        let c = self.chars.next()?;
        let inside = if self.depth > 0 {
            Part::Comment
        } else {
            Part::Quoted
        };
        if self.escaped {
            self.escaped = false;
            return Some((c, inside));
        }
        if self.depth > 0 {
            match c {
                '\\' => self.escaped = true,
                '(' => self.depth += 1,
                ')' => self.depth -= 1,
                _ => {}
            }
            return Some((c, Part::Comment));
        }
        if self.quote {
            match c {
                '\\' => self.escaped = true,
                '"' => self.quote = false,
                _ => {}
            }
            return Some((c, Part::Quoted));
        }
        Some(match c {
            '"' => {
                self.quote = true;
                (c, Part::Quoted)
            }
            '(' => {
                self.depth = 1;
                (c, Part::CommentOpen)
            }
            _ => (c, Part::Plain),
        })
    }
}

/// `s` without its comments (parentheses outside quoted strings), each replaced by a
/// space; an unclosed comment runs to the end.
fn strip_comments(s: &str) -> String {
    Scan::new(s)
        .filter_map(|(c, part)| match part {
            Part::CommentOpen => Some(' '),
            Part::Comment => None,
            Part::Plain | Part::Quoted => Some(c),
        })
        .collect()
}

/// Parse a comma-separated list. Commas inside quotes, comments or angle brackets do
/// not split.
/// Empty items (`a@x,,b@x`, a trailing comma) are skipped.
pub fn parse_list(input: &str) -> Result<Vec<Mailbox>, String> {
    split_list(input)?
        .into_iter()
        .filter(|item| !item.trim().is_empty())
        .map(|item| parse_mailbox(&item))
        .collect()
}

fn split_list(input: &str) -> Result<Vec<String>, String> {
    let mut items = Vec::new();
    let mut cur = String::new();
    let mut in_angle = false;
    let mut scan = Scan::new(input);
    for (c, part) in scan.by_ref() {
        if part == Part::Plain {
            match c {
                '<' => in_angle = true,
                '>' => in_angle = false,
                ',' if !in_angle => {
                    items.push(std::mem::take(&mut cur));
                    continue;
                }
                _ => {}
            }
        }
        cur.push(c);
    }
    if scan.quote {
        return Err(format!("unbalanced quote in {input:?}"));
    }
    if scan.depth > 0 {
        return Err(format!("unbalanced '(' in {input:?}"));
    }
    items.push(cur);
    Ok(items)
}

/// Parse an RFC 5322 address-list as headers hold it (§3.4): mailboxes and groups,
/// `display-name ":" [mailbox-list] ";"`, each group giving its members
/// (`undisclosed-recipients:;` gives none, `Team: a@x, b@y;` gives both). Unlike
/// [`parse_list`], which reads what a person typed as `--to` (a group is no mailbox to
/// send to), this reads the To, Cc and Bcc of a finished message.
pub fn parse_address_list(input: &str) -> Result<Vec<Mailbox>, String> {
    split_address_list(input)?
        .iter()
        .map(|item| parse_mailbox(item))
        .collect()
}

/// The mailboxes of an address-list, unparsed, each group replaced by its members.
/// Commas inside quotes, comments, angle brackets or a domain literal do not split;
/// empty items are skipped. Lenient where it costs nothing: a group's closing ';' may
/// be left out at the end, its name may be empty, and a ';' outside a group separates
/// like a comma (as some mail programs write lists).
pub fn split_address_list(input: &str) -> Result<Vec<String>, String> {
    let mut items: Vec<String> = Vec::new();
    let mut cur = String::new();
    let (mut in_angle, mut in_literal, mut in_group) = (false, false, false);
    let mut scan = Scan::new(input);
    for (c, part) in scan.by_ref() {
        if part == Part::Plain && !in_angle && !in_literal {
            match c {
                ',' | ';' => {
                    in_group &= c == ',';
                    items.push(std::mem::take(&mut cur));
                    continue;
                }
                ':' => {
                    let name = std::mem::take(&mut cur);
                    if in_group {
                        return Err(format!(
                            "a group inside a group (a ';' is missing before {:?})",
                            name.trim()
                        ));
                    }
                    check_group_name(&name)
                        .map_err(|e| format!("malformed group {:?}: {e}", name.trim()))?;
                    in_group = true;
                    continue;
                }
                _ => {}
            }
        }
        if part == Part::Plain {
            match c {
                '<' => in_angle = true,
                '>' => in_angle = false,
                '[' if !in_angle => in_literal = true,
                ']' => in_literal = false,
                _ => {}
            }
        }
        cur.push(c);
    }
    if scan.quote {
        return Err(format!("unbalanced quote in {input:?}"));
    }
    if scan.depth > 0 {
        return Err(format!("unbalanced '(' in {input:?}"));
    }
    items.push(cur);
    items.retain(|item| !item.trim().is_empty());
    Ok(items)
}

/// A group's display name: a phrase (words, quoted strings, comments), or nothing.
fn check_group_name(name: &str) -> Result<(), String> {
    if lex(name.trim())?
        .iter()
        .any(|l| matches!(l, Lexeme::At | Lexeme::Open | Lexeme::Close))
    {
        return Err("'@', '<' or '>' in the name before ':'".into());
    }
    Ok(())
}

/// The item of an address list (as written in a header) that has a backslash outside
/// a quoted string and a comment, where RFC 5322 allows it only in obsolete syntax.
pub fn backslash_outside_quotes(list: &str) -> Option<String> {
    let items = split_list(list).unwrap_or_else(|_| vec![list.to_string()]);
    items
        .into_iter()
        .find(|item| Scan::new(item).any(|(c, part)| c == '\\' && part == Part::Plain))
        .map(|item| item.trim().to_string())
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

fn is_atext(c: char) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_name_with_comma_is_one_mailbox() {
        let list = parse_list(r#""Doe, Jane" <jane@example.com>, bob@example.org"#).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].name.as_deref(), Some("Doe, Jane"));
        assert_eq!(list[0].address(), "jane@example.com");
        assert_eq!(list[1].name, None);
        assert_eq!(list[1].address(), "bob@example.org");
    }

    #[test]
    fn escapes_in_quoted_names_are_undone() {
        let m = parse_mailbox(r#""A \"B\" C" <a@x.org>"#).unwrap();
        assert_eq!(m.name.as_deref(), Some(r#"A "B" C"#));
    }

    #[test]
    fn idn_domain_becomes_punycode() {
        let m = parse_mailbox("Иван <ivan@пример.рф>").unwrap();
        assert_eq!(m.domain, "xn--e1afmkfd.xn--p1ai");
        assert!(!m.needs_smtputf8());
    }

    #[test]
    fn utf8_local_part_is_kept_and_flagged() {
        let m = parse_mailbox("δοκιμή@example.com").unwrap();
        assert_eq!(m.local, "δοκιμή");
        assert!(m.needs_smtputf8());
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "bob@",
            "@x.org",
            "bob",
            "a..b@x.org",
            "Jane jane@x.org",
            "a@-x.org",
            "<a@x.org",
            "a@x_y.org",
            "\"x <a@x.org>",
        ] {
            assert!(parse_list(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn backslashes_outside_quotes_and_comments_are_found() {
        assert_eq!(
            backslash_outside_quotes(r"a@x.org, <b\ad@x.org>").as_deref(),
            Some(r"<b\ad@x.org>")
        );
        assert_eq!(
            backslash_outside_quotes(r"bad@example.org\r").as_deref(),
            Some(r"bad@example.org\r")
        );
        for fine in [
            r#""A \"B\"" <a@x.org>"#,
            r#""a\"b"@x.org"#,
            r"a@x.org (Bob \( x)",
            "a@x.org, b@x.org",
        ] {
            assert_eq!(backslash_outside_quotes(fine), None, "{fine}");
        }
    }

    #[test]
    fn a_phrase_may_mix_atoms_and_quoted_strings() {
        let m = parse_mailbox(r#"Dave "the man" <dave@example.org>"#).unwrap();
        assert_eq!(m.name.as_deref(), Some("Dave the man"));
        assert_eq!(m.address(), "dave@example.org");
        let m = parse_mailbox(r#""Doe, J." Jr <j@x.org>"#).unwrap();
        assert_eq!(m.name.as_deref(), Some("Doe, J. Jr"));
        let m = parse_mailbox("John Q. Public <jqp@x.org>").unwrap();
        assert_eq!(m.name.as_deref(), Some("John Q. Public"));
    }

    #[test]
    fn quoted_local_parts_keep_their_quotes_only_when_needed() {
        for (input, wire) in [
            (r#""a b"@example.org"#, r#""a b"@example.org"#),
            (r#"<"a b"@example.org>"#, r#""a b"@example.org"#),
            (r#"Al <"a@b"@example.org>"#, r#""a@b"@example.org"#),
            (r#""a\"b"@example.org"#, r#""a\"b"@example.org"#),
            // Needless quoting and escapes go: the same mailbox (RFC 5322 §3.4.1).
            (r#""ab"@example.org"#, "ab@example.org"),
            (r#""a\b.c"@example.org"#, "ab.c@example.org"),
            (r#""a..b"@example.org"#, r#""a..b"@example.org"#),
        ] {
            let m = parse_mailbox(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(m.address(), wire, "{input}");
            let back = parse_mailbox(&m.address()).unwrap();
            assert_eq!(
                (back.local, back.domain),
                (m.local, m.domain),
                "{input} read back"
            );
        }
        assert_eq!(
            parse_addr_spec(r#""a b"@example.org"#).unwrap().0,
            r#""a b""#
        );
    }

    #[test]
    fn comments_stay_in_the_name_and_leave_the_address() {
        let m = parse_mailbox("b@example.org (comment)").unwrap();
        assert_eq!(
            (m.name.clone(), m.address()),
            (None, "b@example.org".into())
        );
        let m = parse_mailbox("Bob (work) <b@example.org>").unwrap();
        assert_eq!(m.name.as_deref(), Some("Bob (work)"));
        let m = parse_mailbox(r"Bob (a (b) \) c) < b (x) @ example.org (y) > (z)").unwrap();
        assert_eq!(m.name.as_deref(), Some("Bob (a (b) ) c)"));
        assert_eq!(m.address(), "b@example.org");
        // A comma in a comment does not split the list.
        let list = parse_list("b@x.org (Smith, Bob), c@x.org").unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].address(), "c@x.org");
        assert_eq!(bare_address("j@x.org (home)"), "j@x.org");
        assert_eq!(bare_address(r#""a (b)"@x.org"#), r#""a (b)"@x.org"#);
    }

    #[test]
    fn broken_quoting_and_injection_are_refused_with_the_reason() {
        for (bad, why) in [
            ("a@x.org\r\nBcc: e@x.org", "control character"),
            ("\"a\tb\"@x.org", "tab or control character"),
            ("\"a\u{7}b\"@x.org", "control character"),
            ("\"a b@x.org", "unbalanced quote"),
            ("\"a\"b\"@x.org", "unbalanced quote"),
            ("\"a\\", "unbalanced quote"),
            ("a (b@x.org", "unbalanced '('"),
            ("a) b@x.org", "')' without '('"),
            ("<a@x.org", "'<' without '>'"),
            ("a@x.org>", "'>' without '<'"),
            ("a <b> <c@x.org>", "'<' or '>' in display name"),
            ("<a@x.org> junk", "after the closing '>'"),
            ("\"\"@x.org", "empty local part"),
            ("@x.org", "empty local part"),
            ("\"a b\"@", "empty domain"),
            ("Bob <>", "empty address"),
            ("Jane jane@x.org", "'Name <user@domain>'"),
            ("a@b@x.org", "invalid local part \"a@b\""),
            ("\"a\".b@x.org", "invalid local part"),
            ("\"a<b\"@x.org", "'<' or '>' in the quoted local part"),
            ("a\u{a0}b@x.org", "'Name <user@domain>'"),
        ] {
            match parse_list(bad) {
                Ok(m) => panic!("{bad:?} accepted as {m:?}"),
                Err(e) => assert!(e.contains(why), "{bad:?}: {e:?} does not say {why:?}"),
            }
        }
    }

    #[test]
    fn a_group_gives_its_members_and_an_empty_group_none() {
        let addresses = |s: &str| -> Vec<String> {
            parse_address_list(s)
                .unwrap_or_else(|e| panic!("{s}: {e}"))
                .iter()
                .map(Mailbox::address)
                .collect()
        };
        assert_eq!(addresses("undisclosed-recipients:;"), Vec::<String>::new());
        assert_eq!(
            addresses(" undisclosed-recipients : ; "),
            Vec::<String>::new()
        );
        assert_eq!(addresses("Team: a@x.org, b@x.org;"), ["a@x.org", "b@x.org"]);
        // Mailboxes and groups mixed; separators inside quotes, comments, angle
        // brackets and domain literals do not count.
        assert_eq!(
            addresses(
                r#"c@x.org, "A: Team; (x)" (y:z;) : Ann <a@x.org>, "B, C" <b@[IPv6:::1]>; , d@x.org"#
            ),
            ["c@x.org", "a@x.org", "b@[IPv6:::1]", "d@x.org"]
        );
        // Lenient: the last ';' left out, a ';' between mailboxes.
        assert_eq!(addresses("Team: a@x.org"), ["a@x.org"]);
        assert_eq!(addresses("a@x.org; b@x.org"), ["a@x.org", "b@x.org"]);
        let named = parse_address_list("Team: Ann <a@x.org>;").unwrap();
        assert_eq!(named[0].name.as_deref(), Some("Ann"));
    }

    #[test]
    fn malformed_groups_are_refused_with_the_reason() {
        for (bad, why) in [
            ("A: B: c@x.org;;", "a group inside a group"),
            ("a@x.org: b@x.org;", "'@', '<' or '>' in the name"),
            ("Team: a@x.org, bob;", "no '@'"),
            ("Team: \"a@x.org;", "unbalanced quote"),
        ] {
            match parse_address_list(bad) {
                Ok(m) => panic!("{bad:?} accepted as {m:?}"),
                Err(e) => assert!(e.contains(why), "{bad:?}: {e:?} does not say {why:?}"),
            }
        }
    }

    #[test]
    fn a_mailbox_list_still_refuses_a_group() {
        // --to, --from, a profile's from: a group is no mailbox to send to.
        for group in ["undisclosed-recipients:;", "Team: a@x.org, b@x.org;"] {
            assert!(parse_list(group).is_err(), "{group}");
        }
    }

    #[test]
    fn empty_items_are_skipped() {
        assert_eq!(parse_list("a@x.org, ,b@x.org,").unwrap().len(), 2);
    }
}
