//! Addresses as RFC 5322 writes them: phrases, quoted local parts and comments; Bcc
//! in the envelope only; IDN domains as punycode; the envelope sender.

use super::*;

/// RFC 5322 mailboxes beyond `Name <addr>`: a phrase of atoms and quoted strings, a
/// quoted local part (quoted alike in the header and in RCPT TO), comments.
#[test]
fn rfc5322_phrases_quoted_local_parts_and_comments() {
    // Not send(): that gives its own --from.
    let run = posta(
        &[
            "send",
            "--dry-run",
            "--from",
            r#""Jane (home)" <"jane doe"@example.com> (sender)"#,
            "--to",
            r#""a b"@example.org, b@example.org (comment)"#,
            "--cc",
            r#"Dave "the man" <dave@example.org>, Bob (work) <"bob,x"@example.org>"#,
            "--reply-to",
            r#"Ана "Мария" <"ana\"m"@example.org>"#,
            "--body",
            "x",
        ],
        None,
    );
    assert_eq!(run.code, 0, "posta failed: {}", run.stderr);
    let m = parse(&run.stdout);
    check_wire_form(&m);
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(
        !text.contains("(comment)") && !text.contains("(sender)"),
        "{text}"
    );
    assert_eq!(
        addr(&m, "from", 0),
        ("Jane (home)".into(), r#""jane doe"@example.com"#.into())
    );
    assert_eq!(
        addr(&m, "to", 0),
        ("".into(), r#""a b"@example.org"#.into())
    );
    assert_eq!(addr(&m, "to", 1), ("".into(), "b@example.org".into()));
    assert_eq!(
        addr(&m, "cc", 0),
        ("Dave the man".into(), "dave@example.org".into())
    );
    assert_eq!(
        addr(&m, "cc", 1),
        ("Bob (work)".into(), r#""bob,x"@example.org"#.into())
    );
    assert_eq!(
        addr(&m, "reply_to", 0),
        ("Ана Мария".into(), r#""ana\"m"@example.org"#.into())
    );
    assert_eq!(
        envelope(&run.stderr),
        [
            r#"MAIL FROM:<"jane doe"@example.com>"#,
            r#"RCPT TO:<"a b"@example.org>"#,
            "RCPT TO:<b@example.org>",
            "RCPT TO:<dave@example.org>",
            r#"RCPT TO:<"bob,x"@example.org>"#,
        ]
    );
}

#[test]
fn bcc_is_in_the_envelope_only() {
    let (m, run) = send(&[
        "--to",
        "bob@example.org",
        "--cc",
        "carol@example.org, BOB@example.org",
        "--bcc",
        "hidden@example.net",
        "--body",
        "x",
    ]);
    assert!(!String::from_utf8_lossy(&run.stdout).contains("hidden"));
    assert!(
        m["header_names"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| !h.as_str().unwrap().eq_ignore_ascii_case("bcc"))
    );
    assert_eq!(
        envelope(&run.stderr),
        [
            "MAIL FROM:<jane@example.com>",
            "RCPT TO:<bob@example.org>",
            "RCPT TO:<carol@example.org>",
            "RCPT TO:<hidden@example.net>"
        ]
    );
}

#[test]
fn idn_domains_become_punycode() {
    let run = posta(
        &[
            "send",
            "--dry-run",
            "--from",
            "Иван <ivan@пример.рф>",
            "--to",
            "bob@bücher.example",
            "--bcc",
            "δοκιμή@παράδειγμα.δοκιμή",
            "--body",
            "x",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let m = parse(&run.stdout);
    check_wire_form(&m);
    assert_eq!(addr(&m, "from", 0).1, "ivan@xn--e1afmkfd.xn--p1ai");
    assert_eq!(addr(&m, "to", 0).1, "bob@xn--bcher-kva.example");
    assert!(
        m["message_id"]
            .as_str()
            .unwrap()
            .ends_with("@xn--e1afmkfd.xn--p1ai>")
    );
    assert_eq!(
        envelope(&run.stderr),
        [
            "MAIL FROM:<ivan@xn--e1afmkfd.xn--p1ai>",
            "RCPT TO:<bob@xn--bcher-kva.example>",
            "RCPT TO:<δοκιμή@xn--hxajbheg2az3al.xn--jxalpdlp>"
        ]
    );
}

#[test]
fn envelope_from_overrides_mail_from() {
    let (_, run) = send(&[
        "--to",
        "bob@example.org",
        "--envelope-from",
        "bounces@example.com",
        "--body",
        "x",
    ]);
    assert_eq!(envelope(&run.stderr)[0], "MAIL FROM:<bounces@example.com>");
}
