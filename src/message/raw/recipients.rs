//! The addresses of a finished message: `-t` recipients from To, Cc and Bcc (or the
//! Resent-* fields), the From that may become MAIL FROM, and their wire form.
//!
//! Read with posta's own RFC 5322 parser ([`address::split_address_list`] and
//! [`address::parse_mailbox`], groups included), the one compose and the config use:
//! the envelope carries each address exactly as the header holds it, by construction.
//! A second parser here once read quoted local parts and backslashes differently from
//! the header, and needed a cross-check.

use super::header_block::{Field, HeaderBlock, has};
use super::{ComposeError, RawOptions};
use crate::message::address;

impl HeaderBlock {
    /// The address in the From header, if there is one that reads.
    pub fn from_address(&self) -> Option<String> {
        header_from(&self.fields()).ok().flatten()
    }

    /// The envelope recipients the message will have under `opts`, before spooling it:
    /// `posta batch` picks a profile by their number.
    pub fn recipients(&self, opts: &RawOptions) -> Result<Vec<String>, ComposeError> {
        recipients(&self.fields(), opts, &mut false)
    }
}

/// The envelope recipients: those given as arguments, and with `-t` those of To, Cc and
/// Bcc (or of the Resent-* fields when the message is being resent); each once.
pub(super) fn recipients(
    fields: &[Field<'_>],
    opts: &RawOptions,
    smtputf8: &mut bool,
) -> Result<Vec<String>, ComposeError> {
    let mut recipients: Vec<String> = Vec::new();
    for r in &opts.recipients {
        for one in r.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            recipients.push(address::bare_address(one));
        }
    }
    if opts.extract_recipients {
        // RFC 5322 §3.6.6: when a message is resent, the Resent-* fields name its recipients.
        let resent = ["Resent-To", "Resent-Cc", "Resent-Bcc"];
        let wanted = if resent.iter().any(|n| has(fields, n)) {
            resent
        } else {
            ["To", "Cc", "Bcc"]
        };
        for f in fields {
            if let Some(name) = wanted.iter().find(|n| f.name.eq_ignore_ascii_case(n)) {
                recipients.extend(addresses(f, name)?);
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for r in recipients {
        let wire = to_wire(&r, smtputf8)?;
        if seen.insert(wire.to_ascii_lowercase()) {
            out.push(wire);
        }
    }
    if out.is_empty() {
        return Err(ComposeError::Usage(if opts.extract_recipients {
            "no recipients: the message has no To, Cc or Bcc and none was given as an argument"
                .into()
        } else {
            "no recipients: give them as arguments, or use -t to read them from the headers".into()
        }));
    }
    Ok(out)
}

/// The address of the first From field: `Ok(None)` when there is none, or it does not
/// read as a mailbox (then the local user sends, as before posta read it itself).
pub(super) fn header_from(fields: &[Field<'_>]) -> Result<Option<String>, ComposeError> {
    let Some(f) = fields.iter().find(|f| f.name.eq_ignore_ascii_case("From")) else {
        return Ok(None);
    };
    let value = f.value();
    refuse_backslash("From", &value)?;
    Ok(address::parse_address_list(&value)
        .ok()
        .and_then(|list| list.first().map(address::Mailbox::address)))
}

/// The addresses of an address field `name`, groups replaced by their members, each in
/// its wire form but for the domain (see [`to_wire`]). A word without '@' (`root`) is a
/// local user, as sendmail reads it and as posta takes one given as an argument; `<>`
/// names nobody.
fn addresses(field: &Field<'_>, name: &str) -> Result<Vec<String>, ComposeError> {
    let value = field.value();
    refuse_backslash(name, &value)?;
    // A mailbox's error quotes the mailbox; a list's may not, so it gets the field's value.
    let bad = |e: String| ComposeError::BadInput(format!("{name}: {e}"));
    let unsplit = |e: String| bad(format!("{}: {e}", value.trim()));
    let mut out = Vec::new();
    for item in address::split_address_list(&value).map_err(unsplit)? {
        let bare = address::bare_address(&item);
        if bare.is_empty() {
            continue;
        }
        match address::parse_mailbox(&item) {
            Ok(mailbox) => out.push(mailbox.address()),
            Err(_) if is_local_user(&bare) && bare == item.trim() => out.push(bare),
            Err(e) => return Err(bad(e)),
        }
    }
    Ok(out)
}

/// A user name without a domain: one word, nothing an address would need quoted.
fn is_local_user(s: &str) -> bool {
    !s.is_empty()
        && !s
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || "@<>\"(),;:\\[]".contains(c))
}

/// Refuse an address field with a backslash outside quotes and comments (obsolete
/// syntax): `<b\ad@exam\ple.org>` would mean `bad@example.org` to some readers and
/// something else to others, so the envelope cannot carry it as written.
fn refuse_backslash(name: &str, value: &str) -> Result<(), ComposeError> {
    match address::backslash_outside_quotes(value) {
        Some(item) => Err(ComposeError::BadInput(format!(
            "{name}: {item}: a backslash outside quotes, which the envelope cannot carry as written; remove it"
        ))),
        None => Ok(()),
    }
}

/// An address as it goes on the wire: IDN domain as punycode; a non-ASCII local
/// part needs SMTPUTF8. An address without a domain (e.g. "root") passes through,
/// for the server to qualify or refuse, as sendmail users expect.
pub(super) fn to_wire(addr: &str, smtputf8: &mut bool) -> Result<String, ComposeError> {
    let addr = addr.trim();
    if addr.is_empty() {
        return Ok(String::new());
    }
    let bad = |why: String| ComposeError::BadInput(format!("malformed address {addr:?}: {why}"));
    if !addr.contains('@') {
        if addr
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || "<>\"".contains(c))
        {
            return Err(bad("not an address".into()));
        }
        *smtputf8 |= !addr.is_ascii();
        return Ok(addr.to_string());
    }
    let (local, domain) = address::parse_addr_spec(addr).map_err(bad)?;
    *smtputf8 |= !local.is_ascii();
    Ok(format!("{local}@{domain}"))
}

#[cfg(test)]
mod tests {
    use super::super::{extract, spool_for_test as run};
    use super::*;

    fn read(to: &str) -> Result<Vec<String>, ComposeError> {
        let message = format!("From: f@x.org\nTo: {to}\n\nbody\n");
        let block = super::super::read_header_block(&mut message.as_bytes()).unwrap();
        block.recipients(&extract())
    }

    #[test]
    fn extracts_every_recipient_header_and_drops_bcc() {
        let input = b"From: a@x.org\nTo: b@x.org, \"Smith, J\" <j@x.org>\nCc: Team: c@x.org, d@x.org;\n\
                      To: e@x.org (comment)\nBcc: hidden@x.org,\n  hidden2@x.org\nSubject: hi\n\nbody\n";
        let (text, s) = run(input, &extract()).unwrap();
        assert_eq!(
            s.envelope.to,
            [
                "b@x.org",
                "j@x.org",
                "c@x.org",
                "d@x.org",
                "e@x.org",
                "hidden@x.org",
                "hidden2@x.org"
            ]
        );
        assert_eq!(s.envelope.from, "a@x.org");
        // A header line, not the letters: a random Message-ID may hold "bcc".
        assert!(!text.to_ascii_lowercase().contains("\nbcc:"), "{text}");
        assert!(!text.contains("hidden"), "{text}");
        assert!(text.contains("Subject: hi\r\n\r\nbody\r\n"), "{text}");
    }

    #[test]
    fn resent_headers_win_when_present() {
        let input = b"To: old@x.org\nResent-To: new@x.org\nResent-Bcc: secret@x.org\n\nx\n";
        let (text, s) = run(input, &extract()).unwrap();
        assert_eq!(s.envelope.to, ["new@x.org", "secret@x.org"]);
        assert!(!text.contains("secret"));
    }

    #[test]
    fn an_empty_group_names_nobody_and_arguments_still_count() {
        let opts = RawOptions {
            recipients: vec!["arg@x.org".into()],
            ..extract()
        };
        let input = b"From: a@x.org\nTo: undisclosed-recipients:;\nSubject: s\n\nx\n";
        let (text, s) = run(input, &opts).unwrap();
        assert_eq!(s.envelope.to, ["arg@x.org"]);
        assert!(text.contains("To: undisclosed-recipients:;\r\n"), "{text}");
        // Alone, it leaves no recipient at all.
        assert!(matches!(
            run(input, &extract()).unwrap_err(),
            ComposeError::Usage(_)
        ));
    }

    #[test]
    fn a_group_gives_its_members_to_the_envelope() {
        let input = b"From: a@x.org\nCc: Team: a@x.org, b@x.org;\n\nx\n";
        let (text, s) = run(input, &extract()).unwrap();
        assert_eq!(s.envelope.to, ["a@x.org", "b@x.org"]);
        assert!(text.contains("Cc: Team: a@x.org, b@x.org;\r\n"), "{text}");
        assert_eq!(
            read("\"The Team\": Ann <a@x.org>,\r\n (x) \"B, C\" <b@x.org>;, d@x.org").unwrap(),
            ["a@x.org", "b@x.org", "d@x.org"]
        );
    }

    #[test]
    fn the_envelope_carries_what_the_header_says() {
        for (to, want) in [
            (r#""a b"@x.org"#, vec![r#""a b"@x.org"#]),
            (r#"<"a\"b"@x.org>"#, vec![r#""a\"b"@x.org"#]),
            ("=?utf-8?q?J=C3=B6rg?= <j@x.org>", vec!["j@x.org"]),
            (
                "(c) j@x.org, J <k@[127.0.0.1]>",
                vec!["j@x.org", "k@[127.0.0.1]"],
            ),
            ("a@x.org; b@x.org", vec!["a@x.org", "b@x.org"]),
            ("root, <>, b@x.org", vec!["root", "b@x.org"]),
            ("", vec![]),
        ] {
            let want: Vec<String> = want.into_iter().map(String::from).collect();
            if want.is_empty() {
                assert!(matches!(read(to), Err(ComposeError::Usage(_))), "{to}");
                continue;
            }
            assert_eq!(read(to).unwrap(), want, "{to}");
        }
    }

    #[test]
    fn a_malformed_address_field_is_refused_naming_the_field() {
        for to in [
            r"<b\ad@exam\ple.org>",
            "Jane jane@x.org",
            "@x.org",
            "A: B: c@x.org;;",
        ] {
            match read(to) {
                Err(ComposeError::BadInput(m)) => assert!(m.starts_with("To: "), "{to}: {m}"),
                other => panic!("{to}: {other:?}"),
            }
        }
    }

    #[test]
    fn from_reads_the_first_mailbox_and_refuses_a_backslash() {
        let fields = |s: &'static str| super::super::read_header_block(&mut s.as_bytes()).unwrap();
        let b = fields("From: Ann <\"a b\"@x.org>\n\n");
        assert_eq!(b.from_address().as_deref(), Some(r#""a b"@x.org"#));
        assert_eq!(fields("From: root\n\n").from_address(), None);
        let b = fields("From: <a\\b@x.org>\n\n");
        assert!(header_from(&b.fields()).is_err());
    }

    #[test]
    fn idn_domains_become_punycode_and_utf8_local_parts_need_smtputf8() {
        let (_, s) = run(b"To: b@b\xc3\xbccher.example\n\nx\n", &extract()).unwrap();
        assert_eq!(s.envelope.to, ["b@xn--bcher-kva.example"]);
        assert!(!s.envelope.smtputf8);
        let (_, s) = run("To: jos\u{e9}@x.org\n\nx\n".as_bytes(), &extract()).unwrap();
        assert!(s.envelope.smtputf8);
    }

    #[test]
    fn no_recipients_is_a_usage_error() {
        let err = run(b"Subject: x\n\n", &extract()).unwrap_err();
        assert!(matches!(err, ComposeError::Usage(_)));
    }
}
