//! Mailboxes as people type them (`Jane <j@x>`, `"Doe, Jane" <j@x>`, `j@x`, lists
//! of those): parsing, checking, and their wire form (IDN domains as punycode).
//!
//! Written here rather than taken from lettre because lettre never converts
//! internationalised domains to punycode and we need to know, per address, whether
//! the local part is UTF-8 (which makes the envelope need SMTPUTF8).

/// One checked mailbox. `domain` is already in ASCII (punycode) form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// The display name, unquoted, or `None`.
    pub name: Option<String>,
    /// The local part as given (may be UTF-8, may be a quoted string).
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
pub fn bare_address(mailbox: &str) -> String {
    let s = mailbox.trim();
    match (s.rfind('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => s[a + 1..b].trim().to_string(),
        _ => s.to_string(),
    }
}

/// Parse a comma-separated list. Commas inside quotes or angle brackets do not split.
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
    let (mut in_quote, mut escaped, mut in_angle) = (false, false, false);
    for c in input.chars() {
        if escaped {
            escaped = false;
        } else if in_quote {
            match c {
                '\\' => escaped = true,
                '"' => in_quote = false,
                _ => {}
            }
        } else {
            match c {
                '"' => in_quote = true,
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
    if in_quote {
        return Err(format!("unbalanced quote in {input:?}"));
    }
    items.push(cur);
    Ok(items)
}

/// The item of an address list (as written in a header) that has a backslash outside
/// a quoted string and a comment, where RFC 5322 allows it only in obsolete syntax.
pub fn backslash_outside_quotes(list: &str) -> Option<String> {
    let items = split_list(list).unwrap_or_else(|_| vec![list.to_string()]);
    items.into_iter().find_map(|item| {
        let (mut in_quote, mut comment, mut escaped) = (false, 0u32, false);
        for c in item.chars() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                if !in_quote && comment == 0 {
                    return Some(item.trim().to_string());
                }
                escaped = true;
            } else if in_quote {
                in_quote = c != '"';
            } else if c == '(' {
                comment += 1;
            } else if c == ')' {
                comment = comment.saturating_sub(1);
            } else if c == '"' && comment == 0 {
                in_quote = true;
            }
        }
        None
    })
}

/// Parse one mailbox: `addr`, `<addr>`, `Name <addr>` or `"Quoted, Name" <addr>`.
pub fn parse_mailbox(input: &str) -> Result<Mailbox, String> {
    let s = input.trim();
    if s.chars().any(|c| c.is_control() && c != '\t') {
        return Err(format!("control character in address {s:?}"));
    }
    let Some(body) = s.strip_suffix('>') else {
        if s.chars().any(char::is_whitespace) {
            return Err(format!(
                "malformed address {s:?}: write a display name as 'Name <user@domain>'"
            ));
        }
        let (local, domain) =
            parse_addr_spec(s).map_err(|e| format!("malformed address {s:?}: {e}"))?;
        return Ok(Mailbox {
            name: None,
            local,
            domain,
        });
    };
    let open =
        find_open_angle(body).ok_or_else(|| format!("malformed address {s:?}: '>' without '<'"))?;
    let spec = &body[open + 1..];
    let (local, domain) =
        parse_addr_spec(spec).map_err(|e| format!("malformed address {s:?}: {e}"))?;
    let name = parse_display_name(body[..open].trim())
        .map_err(|e| format!("malformed address {s:?}: {e}"))?;
    Ok(Mailbox {
        name,
        local,
        domain,
    })
}

/// The last `<` outside a quoted string.
fn find_open_angle(s: &str) -> Option<usize> {
    let (mut in_quote, mut escaped, mut found) = (false, false, None);
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if in_quote {
            match c {
                '\\' => escaped = true,
                '"' => in_quote = false,
                _ => {}
            }
        } else if c == '"' {
            in_quote = true;
        } else if c == '<' {
            found = Some(i);
        }
    }
    found
}

fn parse_display_name(raw: &str) -> Result<Option<String>, String> {
    if raw.is_empty() {
        return Ok(None);
    }
    let name = if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.push(chars.next().ok_or("display name ends with a backslash")?),
                '"' => return Err("stray quote in display name".into()),
                c => out.push(c),
            }
        }
        out
    } else {
        if raw.contains('"') {
            return Err("stray quote in display name".into());
        }
        if raw.contains(['<', '>']) {
            return Err("'<' or '>' in display name (quote the name)".into());
        }
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    Ok((!name.is_empty()).then_some(name))
}

fn is_atext(c: char) -> bool {
    // RFC 5322 atext, widened by RFC 6531 to any non-ASCII character.
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || !c.is_ascii()
}

/// Check `local@domain` and return the local part and the ASCII domain.
pub fn parse_addr_spec(spec: &str) -> Result<(String, String), String> {
    let spec = spec.trim();
    let at = spec.rfind('@').ok_or("no '@'")?;
    let (local, domain) = (&spec[..at], &spec[at + 1..]);
    if local.is_empty() {
        return Err("empty local part".into());
    }
    if local.len() > 64 {
        return Err("local part longer than 64 octets".into());
    }
    if let Some(inner) = local.strip_prefix('"').and_then(|l| l.strip_suffix('"')) {
        if inner.chars().any(|c| c.is_control()) {
            return Err("control character in quoted local part".into());
        }
    } else if local
        .split('.')
        .any(|atom| atom.is_empty() || !atom.chars().all(is_atext))
    {
        return Err(format!("invalid local part {local:?}"));
    }
    Ok((local.to_string(), check_domain(domain)?))
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
    fn empty_items_are_skipped() {
        assert_eq!(parse_list("a@x.org, ,b@x.org,").unwrap().len(), 2);
    }
}
