//! Finding the Sent folder in a LIST answer: the one marked `\Sent` (RFC 6154
//! SPECIAL-USE, or XLIST's same flag), else one named "Sent" (also under INBOX, as
//! Courier and Cyrus name folders), else "Sent" itself.

use super::response::Untagged;

/// A folder as LIST gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Folder {
    pub flags: Vec<String>,
    pub delimiter: Option<char>,
    /// As on the wire (modified UTF-7), which is what APPEND must name.
    pub wire_name: String,
}

/// One `* LIST` (or `* XLIST`) response; `None` for any other, or one that does not
/// parse (it is skipped: one odd folder must not stop the copy).
pub(crate) fn parse(untagged: &Untagged) -> Option<Folder> {
    let keyword = untagged.keyword();
    if keyword != "LIST" && keyword != "XLIST" {
        return None;
    }
    let rest = untagged.text[keyword.len()..].trim_start();
    let rest = rest.strip_prefix('(')?;
    let close = rest.find(')')?;
    let flags = rest[..close]
        .split_ascii_whitespace()
        .map(str::to_string)
        .collect();
    let rest = rest[close + 1..].trim_start();
    let (delimiter, rest) = if let Some(r) = strip_prefix_ci(rest, "NIL") {
        (None, r)
    } else {
        let (d, r) = quoted(rest)?;
        (d.chars().next(), r)
    };
    let rest = rest.trim_start();
    let wire_name = if rest.starts_with('{') {
        let bytes = untagged.literals.first()?;
        String::from_utf8(bytes.clone()).ok()?
    } else if rest.starts_with('"') {
        quoted(rest)?.0
    } else {
        rest.split(' ').next()?.to_string()
    };
    if wire_name.is_empty() {
        return None;
    }
    Some(Folder {
        flags,
        delimiter,
        wire_name,
    })
}

/// The folder to save into, from a LIST answer: `\Sent`, else "Sent" or
/// "INBOX<delimiter>Sent" by name (any case), else "Sent".
pub(crate) fn choose(folders: &[Folder]) -> String {
    if let Some(f) = folders
        .iter()
        .find(|f| f.flags.iter().any(|fl| fl.eq_ignore_ascii_case("\\Sent")))
    {
        return f.wire_name.clone();
    }
    if let Some(f) = folders
        .iter()
        .find(|f| f.wire_name.eq_ignore_ascii_case("Sent"))
    {
        return f.wire_name.clone();
    }
    let under_inbox = folders.iter().find(|f| {
        f.delimiter
            .is_some_and(|d| f.wire_name.eq_ignore_ascii_case(&format!("INBOX{d}Sent")))
    });
    match under_inbox {
        Some(f) => f.wire_name.clone(),
        None => "Sent".to_string(),
    }
}

fn strip_prefix_ci<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    let head = s.get(..word.len())?;
    head.eq_ignore_ascii_case(word).then(|| &s[word.len()..])
}

/// A quoted string at the start of `s` (RFC 3501 §4.3: `\` escapes `"` and `\`), and
/// what follows it.
pub(crate) fn quoted(s: &str) -> Option<(String, &str)> {
    let mut chars = s.strip_prefix('"')?.char_indices();
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &s[i + 2..])),
            '\\' => out.push(chars.next()?.1),
            c => out.push(c),
        }
    }
    None
}

/// `s` as an IMAP quoted string; `None` when it cannot be one (a line break, NUL, or
/// 8-bit text, which needs a literal).
pub(crate) fn quote(s: &str) -> Option<String> {
    if s.bytes()
        .any(|b| b == b'\r' || b == b'\n' || b == 0 || b >= 0x80)
    {
        return None;
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::utf7;

    fn list(text: &str) -> Untagged {
        Untagged {
            text: text.into(),
            literals: vec![],
        }
    }

    #[test]
    fn list_lines_parse() {
        let f = parse(&list(r#"LIST (\HasNoChildren \Sent) "." "Sent Messages""#)).unwrap();
        assert_eq!(f.flags, vec!["\\HasNoChildren", "\\Sent"]);
        assert_eq!(f.delimiter, Some('.'));
        assert_eq!(f.wire_name, "Sent Messages");
        let f = parse(&list(r#"LIST () NIL INBOX"#)).unwrap();
        assert_eq!((f.delimiter, f.wire_name.as_str()), (None, "INBOX"));
        let f = parse(&list(
            r#"LIST (\Sent) "/" &BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-"#,
        ))
        .unwrap();
        assert_eq!(utf7::decode(&f.wire_name).unwrap(), "Отправленные");
        let f = parse(&list(r#"LIST () "\\" "a \"b\"""#)).unwrap();
        assert_eq!((f.delimiter, f.wire_name.as_str()), (Some('\\'), "a \"b\""));
        let with_literal = Untagged {
            text: r#"LIST (\Sent) "/" {4}"#.into(),
            literals: vec![b"Sent".to_vec()],
        };
        assert_eq!(parse(&with_literal).unwrap().wire_name, "Sent");
        let extended = r#"LIST (\Sent) "/" "Sent" ("CHILDINFO" ("SUBSCRIBED"))"#;
        assert_eq!(parse(&list(extended)).unwrap().wire_name, "Sent");
        assert_eq!(parse(&list("LIST garbage")), None);
        assert_eq!(parse(&list("CAPABILITY IMAP4rev1")), None);
    }

    #[test]
    fn the_sent_flag_wins_then_the_name_then_sent() {
        let f = |flags: &[&str], name: &str| Folder {
            flags: flags.iter().map(|s| s.to_string()).collect(),
            delimiter: Some('.'),
            wire_name: name.into(),
        };
        let marked = [f(&[], "Sent"), f(&["\\Sent"], "Sent Messages")];
        assert_eq!(choose(&marked), "Sent Messages");
        assert_eq!(choose(&[f(&[], "INBOX"), f(&[], "sent")]), "sent");
        assert_eq!(
            choose(&[f(&[], "INBOX"), f(&[], "INBOX.Sent")]),
            "INBOX.Sent"
        );
        assert_eq!(choose(&[f(&[], "INBOX")]), "Sent");
    }

    #[test]
    fn quoting() {
        assert_eq!(quote(r#"a"b\c"#).unwrap(), r#""a\"b\\c""#);
        assert_eq!(quote("a\r\nb"), None);
        assert_eq!(quote("Отправленные"), None);
        assert_eq!(quoted(r#""x\"y" rest"#).unwrap(), ("x\"y".into(), " rest"));
    }
}
