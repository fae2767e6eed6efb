//! Property tests over untrusted input: what the DATA writer puts on the wire, how
//! headers are folded, and that address parsing never panics.

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

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

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
