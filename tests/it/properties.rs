//! Property tests over untrusted input: what the DATA writer puts on the wire, how
//! headers are folded, that address parsing never panics, and that every RFC 5322
//! mailbox is accepted and written so that it reads back the same.

use proptest::prelude::*;

/// Every CRLF, bare CR and bare LF becomes CRLF; a last line without one gets one.
fn normalise(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if input.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            b => out.push(b),
        }
        i += 1;
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// A reference SMTP server reader: lines until the first ".", each un-stuffed.
/// Panics on a bare CR or LF and returns (message, lines after the ".").
fn read_data(wire: &[u8]) -> (Vec<u8>, usize) {
    for (i, &b) in wire.iter().enumerate() {
        if b == b'\r' {
            assert_eq!(wire.get(i + 1), Some(&b'\n'), "bare CR at {i}");
        }
        if b == b'\n' {
            assert!(i > 0 && wire[i - 1] == b'\r', "bare LF at {i}");
        }
    }
    assert!(wire.ends_with(b"\r\n"));
    let lines: Vec<&[u8]> = wire[..wire.len() - 2].split(|&b| b == b'\n').collect();
    let mut message = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line == b"." {
            return (message, lines.len() - 1 - n);
        }
        message.extend_from_slice(line.strip_prefix(b".").unwrap_or(line));
        message.extend_from_slice(b"\r\n");
    }
    panic!("no terminating '.' line");
}

/// Bytes rich in what matters to the writer: CR, LF, '.', and anything else.
fn wire_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            3 => Just(b'\r'),
            3 => Just(b'\n'),
            3 => Just(b'.'),
            1 => Just(b' '),
            2 => any::<u8>(),
        ],
        0..200,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn data_writer_round_trips(input in wire_bytes(), pieces in prop::collection::vec(0usize..8, 1..4)) {
        let wire = posta::fuzzing::data_wire(&input, &pieces);
        let (message, after_end) = read_data(&wire);
        prop_assert_eq!(after_end, 0, "a '.' line before the end");
        prop_assert_eq!(message, normalise(&input));
    }

    #[test]
    fn data_writer_round_trips_any_bytes(input in prop::collection::vec(any::<u8>(), 0..2000)) {
        let wire = posta::fuzzing::data_wire(&input, &[4096]);
        let (message, after_end) = read_data(&wire);
        prop_assert_eq!(after_end, 0);
        prop_assert_eq!(message, normalise(&input));
    }

}

/// One RFC 5322 mailbox as a person might type it: a phrase of atoms (with '.', as
/// names like "John Q. Public" have), quoted strings with escapes and comments; a
/// dot-atom or quoted local part (without '<' or '>', which posta refuses there); an
/// IDN, ASCII or literal domain; a comment after.
fn mailbox_text() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        "[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]{1,8}",
        r#""([ !#-\[\]-~]|\\[ -~]|[^"\\\p{C}]){0,8}""#,
        r"\(([ -'*-\[\]-~]|\\[ -~]){0,8}\)",
    ];
    let name = prop::collection::vec(word, 0..4).prop_map(|w| w.join(" "));
    let local = prop_oneof![
        "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,8}(\\.[a-z0-9]{1,4}){0,2}",
        r#""([ !#-;=?-\[\]-~]|\\[ -;=?-~]){1,10}""#,
    ];
    let domain = prop_oneof![Just("example.org"), Just("пример.рф"), Just("[192.0.2.1]")];
    let comment = prop_oneof![Just(""), Just(" (a comment, with \\) in it)")];
    (name, local, domain, comment, any::<bool>()).prop_map(
        |(name, local, domain, comment, angle)| {
            if angle || !name.is_empty() {
                format!("{name} <{local}@{domain}>{comment}")
            } else {
                format!("{local}@{domain}{comment}")
            }
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// What the header says is what the envelope carries: the To field posta writes
    /// for a list reads back as the same addresses (and names, when not encoded).
    #[test]
    fn rfc5322_mailboxes_are_accepted_and_read_back_the_same(
        items in prop::collection::vec(mailbox_text(), 1..4)
    ) {
        let input = items.join(", ");
        let list = posta::message::address::parse_list(&input);
        prop_assert!(list.is_ok(), "{:?} refused: {:?}", input, list);
        let list = list.unwrap();
        prop_assert_eq!(list.len(), items.len());
        let fields = posta::fuzzing::header_fields("X-Test", &input);
        let field = fields.last().unwrap();
        prop_assert!(field.starts_with("To: "));
        let unfolded = field.trim_end().replace("\r\n ", " ");
        let back = posta::message::address::parse_list(&unfolded["To: ".len()..]);
        prop_assert!(back.is_ok(), "{:?} does not read back: {:?}", field, back);
        let back = back.unwrap();
        prop_assert_eq!(back.len(), list.len());
        let words = |n: &Option<String>| {
            n.as_deref()
                .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
        };
        for (m, b) in list.iter().zip(&back) {
            prop_assert_eq!(m.address(), b.address(), "in {:?}", field);
            prop_assert!(!m.address().contains(['\r', '\n', '\t']));
            if !field.contains("=?") {
                prop_assert_eq!(words(&m.name), words(&b.name), "in {:?}", field);
            }
        }
    }

    #[test]
    fn folded_headers_keep_lines_within_998(value in "(\\PC{0,40}|[a-zA-Z0-9=?_.@<>\", ]{0,40}|[a-z]{900,3000}| ){0,6}") {
        for field in posta::fuzzing::header_fields("X-Test", &value) {
            prop_assert!(field.ends_with("\r\n"));
            for line in field.split_inclusive('\n') {
                prop_assert!(line.ends_with("\r\n"), "bare LF in {:?}", field);
                let body = &line[..line.len() - 2];
                prop_assert!(body.len() <= 998, "line of {} octets", body.len());
                prop_assert!(!body.contains('\r'), "bare CR in {:?}", field);
            }
        }
    }

    #[test]
    fn address_lists_never_panic(input in "(\\PC|[\"<>,@\\\\ ()\\[\\]])*") {
        if let Ok(list) = posta::message::address::parse_list(&input) {
            for m in list {
                prop_assert!(!m.address().contains(['\r', '\n']));
            }
        }
    }

    #[test]
    fn address_lists_of_any_text_never_panic(input in any::<String>()) {
        let _ = posta::message::address::parse_list(&input);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Mail merge (issue 18, item 1): whatever the cells hold, a filled To of the
    /// README's template names one mailbox, the one in the email cell — or the row is
    /// refused. Never a second recipient.
    #[test]
    fn merge_cells_never_add_a_recipient(
        name in "[\"<>,;:()\\\\@ a-zé]{0,24}",
        email in "([\"<>,;:()\\\\@ a-z.]{0,24}|[a-z]{1,8}@[a-z]{1,8}\\.org)",
        template in prop::sample::select(vec![
            "To: \"{{name}}\" <{{email}}>\n\nx\n",
            "To : {{name}} <{{email}}>\n\nx\n",
            "To: Dr {{name}} (via {{name}}) <{{email}}>, {{email}}\n\nx\n",
            "To: {{email}}\n\nx\n",
        ]),
    ) {
        use std::collections::HashMap;
        let t = posta::message::merge::Template::parse(template).unwrap();
        let values: HashMap<&str, &str> =
            [("name", name.as_str()), ("email", email.as_str())].into_iter().collect();
        if let Ok(filled) = t.render(&values) {
            let unfolded = filled.replace("\n ", " ");
            let to = unfolded.lines().next().unwrap().split_once(':').unwrap().1;
            let mailboxes = posta::message::address::parse_list(to)
                .unwrap_or_else(|e| panic!("{filled:?}: {e}"));
            let expected = template.matches("{{email}}").count();
            prop_assert_eq!(mailboxes.len(), expected, "{:?}", filled);
            // The cell's address as posta's parser reads it alone: a comment in it
            // (`"("()@a`) is no part of the address, so the two are compared read.
            let cell = posta::message::address::parse_list(email.trim())
                .ok()
                .filter(|l| l.len() == 1)
                .map(|l| l[0].address());
            for m in &mailboxes {
                let want = cell.clone().unwrap_or_else(|| email.trim().to_string());
                prop_assert_eq!(m.address(), want, "{:?}", filled);
            }
        }
    }
}

proptest! {
    /// Whatever a server wraps around it, the secret it echoes (as it is, or in the
    /// base64 of LOGIN) is not in what posta shows.
    #[test]
    fn an_echoed_secret_is_never_shown(
        secret in "[^()\\s]{4,16}",
        before in "\\PC{0,20}",
        after in "\\PC{0,20}",
    ) {
        use base64::Engine;
        prop_assume!(!"(redacted)".contains(secret.as_str()));
        let login = base64::engine::general_purpose::STANDARD.encode(&secret);
        let text = format!("535 {before}{secret}{after} you said {login}");
        let shown = posta::fuzzing::redacted("jane", &secret, &text);
        prop_assert!(!shown.contains(&secret), "{:?}", shown);
        prop_assert!(!shown.contains(&login), "{:?}", shown);
    }

    /// Whatever comes in, nothing that steers a terminal comes out of the sanitiser.
    #[test]
    fn the_sanitiser_leaves_nothing_that_steers_a_terminal(text in "\\PC*|[\\x00-\\x1f\\x7f-\\u{9f}\\u{202a}-\\u{202e}a]{0,40}") {
        let shown = posta::model::text::for_terminal(&text);
        prop_assert!(
            !shown.chars().any(|c| (c.is_control() && c != '\t') || ('\u{202a}'..='\u{202e}').contains(&c)),
            "{:?}", shown
        );
    }
}

proptest! {
    /// An aliases file of any text: never a panic, and what it expands local names to
    /// are full addresses (a local name never reaches RCPT TO through it).
    #[test]
    fn aliases_of_any_text_expand_only_to_full_addresses(
        text in "(\\PC{0,30}\n?|[a-z]{1,6}: ?[a-z@.,]{0,20}\n|  [a-z@.]{0,12}\n){0,6}"
    ) {
        if let Ok(addresses) = posta::fuzzing::aliases(&text, &["root", "www-data", "a@x.org"]) {
            prop_assert!(addresses.iter().all(|a| a.contains('@')), "{:?}", addresses);
        }
    }
}

/// A case the property above once found: a comment after a quoted local part in the
/// email cell. One recipient, the cell's address as read.
#[test]
fn a_comment_in_a_merged_address_is_not_a_second_recipient() {
    use std::collections::HashMap;
    let t = posta::message::merge::Template::parse("To: \"{{name}}\" <{{email}}>\n\nx\n").unwrap();
    let values: HashMap<&str, &str> = [("name", ""), ("email", "\"(\"()@a")].into_iter().collect();
    if let Ok(filled) = t.render(&values) {
        let to = filled.lines().next().unwrap().split_once(':').unwrap().1;
        let mailboxes = posta::message::address::parse_list(to).unwrap();
        assert_eq!(mailboxes.len(), 1, "{filled:?}");
        assert_eq!(mailboxes[0].address(), "\"(\"@a", "{filled:?}");
    }
}
