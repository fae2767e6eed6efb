//! The address parser's unit tests: mailboxes, lists, groups, and the refusals.

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
