//! Header encoding and folding: no line over 998 octets, no bare CR/LF, and an
//! unstructured value decodes back to itself (whitespace runs collapsed).
#![no_main]
use libfuzzer_sys::fuzz_target;
use mail_parser::MessageParser;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    let fields = posta::fuzzing::header_fields("Subject", value);
    for field in &fields {
        assert!(field.ends_with("\r\n"));
        for line in field.split_inclusive('\n') {
            assert!(line.ends_with("\r\n"), "bare LF or no CRLF in {field:?}");
            let body = &line[..line.len() - 2];
            assert!(body.len() <= 998, "line of {} octets", body.len());
            assert!(!body.contains('\r'), "bare CR in {field:?}");
        }
        // A continuation line starts with whitespace (else it would be a new field).
        for line in field.split("\r\n").skip(1).filter(|l| !l.is_empty()) {
            assert!(line.starts_with([' ', '\t']), "unfolded line {line:?}");
        }
    }
    // Round trip for text a reader can give back: no controls.
    if !value.chars().any(char::is_control) {
        let msg = format!("{}\r\n", fields[0]);
        let parsed = MessageParser::default().parse_headers(msg.as_bytes());
        // Subject, because mail-parser leaves unknown (X-) fields undecoded.
        let got = parsed.as_ref().and_then(|m| m.subject()).unwrap_or("");
        let want = value.split_whitespace().collect::<Vec<_>>().join(" ");
        let got_norm = got.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(got_norm, want, "round trip of {:?}", fields[0]);
    }
});
