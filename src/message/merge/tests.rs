//! Unit tests of the mail-merge template.

use super::*;

fn values<'a>(pairs: &[(&'a str, &'a str)]) -> HashMap<&'a str, &'a str> {
    pairs.iter().copied().collect()
}

#[test]
fn fills_every_placeholder() {
    let t = Template::parse("To: {{ email }}\nSubject: Hi {{name}}\n\nDear {{name}},\n").unwrap();
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

/// The mailboxes of the `To` field of a filled template (unfolded), as posta reads
/// them back.
fn to_of(filled: &str) -> Vec<crate::message::address::Mailbox> {
    let unfolded = filled.replace("\r\n", "\n").replace("\n ", " ");
    let line = unfolded
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(n, _)| n.trim().eq_ignore_ascii_case("to"))
        })
        .unwrap()
        .1;
    crate::message::address::parse_list(line).unwrap()
}

#[test]
fn a_display_name_cell_stays_one_name_whatever_it_holds() {
    for template in [
        "To: \"{{name}}\" <{{email}}>\n\nx\n",
        "To : \"{{name}}\" <{{email}}>\n\nx\n",
        "To: {{name}} <{{email}}>\n\nx\n",
        "To: Dr {{name}} (guest {{name}}) <{{email}}>\n\nx\n",
    ] {
        let t = Template::parse(template).unwrap();
        for name in [
            "Bob\", eve@evil.test, \"x",
            "Bob\\\", eve@evil.test, \\\"x",
            "a) <eve@evil.test>, (",
            "Zoë\", eve@evil.test, \"",
            "plain",
        ] {
            let out = t
                .render(&values(&[("name", name), ("email", "bob@x.org")]))
                .unwrap();
            let to = to_of(&out);
            assert_eq!(to.len(), 1, "{template:?} {name:?}: {out}");
            assert_eq!(to[0].address(), "bob@x.org", "{out}");
            // (A non-ASCII name is an encoded word by now: its count is what matters.)
            let shown = to[0].name.as_deref().unwrap_or_default();
            assert!(
                !name.is_ascii() || shown.contains(name),
                "{template:?} {name:?}: {shown:?} in {out}"
            );
        }
    }
}

#[test]
fn an_address_cell_must_be_exactly_one_address() {
    for template in [
        "To: \"{{name}}\" <{{email}}>\n\nx\n",
        "To: {{email}}\n\nx\n",
        "Cc: a@x.org, {{email}}\n\nx\n",
        "BCC  : {{email}}\n\nx\n",
    ] {
        let t = Template::parse(template).unwrap();
        for email in [
            "carol@x>, <eve@evil.test",
            "bob@x.org, eve@evil.test",
            "bob@x.org eve@evil.test",
            "Eve <eve@evil.test>",
            "team: eve@evil.test;",
            "",
        ] {
            let err = t
                .render(&values(&[("name", "Bob"), ("email", email)]))
                .unwrap_err();
            assert!(
                err.to_string().contains("\"email\""),
                "{template:?} {email:?}: {err}"
            );
        }
        let ok = t
            .render(&values(&[("name", "Bob"), ("email", "bob@x.org")]))
            .unwrap();
        assert!(ok.contains("bob@x.org"), "{ok}");
    }
}

#[test]
fn a_cell_in_part_of_an_address_may_hold_atext_only() {
    let t = Template::parse("To: <{{user}}@example.org>, {{user}}.x@example.org\n\nx\n").unwrap();
    let out = t.render(&values(&[("user", "bob.b+1")])).unwrap();
    assert_eq!(to_of(&out).len(), 2, "{out}");
    for user in ["bob@evil.test>, <x", "a b", "a,b", "a\"b", ""] {
        assert!(t.render(&values(&[("user", user)])).is_err(), "{user:?}");
    }
}

#[test]
fn other_headers_take_any_one_line_value_and_names_take_none() {
    let t = Template::parse("Subject: Hi {{name}}, \"{{name}}\" <x>\n\n{{name}}\n").unwrap();
    let out = t
        .render(&values(&[("name", "Bob\", <eve@evil.test>")]))
        .unwrap();
    assert!(
        out.starts_with("Subject: Hi Bob\", <eve@evil.test>, "),
        "{out}"
    );
    assert!(
        t.render(&values(&[("name", "a\u{1b}[2J")]))
            .unwrap_err()
            .to_string()
            .contains("control character")
    );
    for template in [
        "{{h}}: x\n\nb\n",
        "To: a@x.org\n{{h}}\n\nb\n",
        "X-{{h}}: 1\n\nb\n",
    ] {
        let err = Template::parse(template).unwrap_err();
        assert!(
            err.to_string().contains("name of a header field"),
            "{template:?}: {err}"
        );
    }
}
