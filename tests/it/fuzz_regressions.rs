//! Inputs the fuzzers in `fuzz/` once crashed on, kept as plain tests (no fuzzer
//! needed). Each names its target and what was wrong.

use mail_parser::MessageParser;

/// The header_encode check: the value folded as a Subject decodes back to itself.
fn subject_round_trips(value: &str) {
    let fields = posta::fuzzing::header_fields("Subject", value);
    for field in &fields {
        for line in field.split_inclusive('\n') {
            assert!(line.ends_with("\r\n") && line.len() <= 1000, "{field:?}");
        }
    }
    let msg = format!("{}\r\n", fields[0]);
    let parsed = MessageParser::default()
        .parse_headers(msg.as_bytes())
        .unwrap();
    let got = parsed.subject().unwrap_or("");
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(norm(got), norm(value), "{:?}", fields[0]);
}

/// fuzz/header_encode, crash-3813cb21 (second run): "=?utf-8?q?x" and "?=…" were
/// each sent as plain words, and readers that accept an encoded word spanning a space
/// (mail-parser, Python's email) decoded "=?utf-8?q?x ?=" as "x", changing the
/// subject. Every word holding "=?" is now itself encoded.
#[test]
fn header_encode_look_alike_encoded_word_across_words() {
    subject_round_trips(
        "Grüße aus KÖln =?utf-8?q?x ?=bbbbbbbbbbbGbbbbbbbbbbbbbbbbbb\"bbbbbbbbbebbbbbbbbbbbb-8?q?x ?=bbbbbbbbbbbGbbbbbbbbbbbbbbbbbb\"bbbbbbbbbebbbbbbbbbbbbbbbbbbGrüße aus Köln =?utf-8?bbbbbbbbbbbbbbbb",
    );
    subject_round_trips("=?utf-8?q?x ?=");
    subject_round_trips("a =?utf-8?q?x?= b");
    subject_round_trips("=?utf-8?B?eA== ?=");
}
