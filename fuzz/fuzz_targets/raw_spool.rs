//! sendmail -t: the header block, recipients, Bcc removal and line endings.
#![no_main]
use libfuzzer_sys::fuzz_target;
use posta::message::raw::{RawOptions, spool};

fuzz_target!(|data: &[u8]| {
    let opts = RawOptions {
        extract_recipients: true,
        default_from: Some("fuzz@example.org".into()),
        ..RawOptions::default()
    };
    let Ok(mut spooled) = spool(&mut &data[..], &opts) else {
        return;
    };
    let mut out = Vec::new();
    spooled.write_to(&mut out).unwrap();
    assert_eq!(out.len() as u64, spooled.size);
    assert!(!spooled.envelope.to.is_empty());
    // Every line ends in CRLF and none is longer than 998 octets.
    for line in out.split_inclusive(|&b| b == b'\n') {
        assert!(line.ends_with(b"\r\n"), "line without CRLF: {line:?}");
        assert!(line.len() <= 1000, "line of {} octets", line.len());
        assert!(!line[..line.len() - 2].contains(&b'\r'), "bare CR");
    }
    // Bcc never goes out (RFC 5322 §3.6.3; sendmail -t removes it).
    let head_end = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(out.len());
    // Nor in the obsolete spelling with white space before the colon (RFC 5322 §4.5.3),
    // which is written without it.
    for line in out[..head_end].split(|&b| b == b'\n') {
        let name = line.split(|&b| b == b':').next().unwrap_or(b"");
        assert!(
            !(line.contains(&b':') && name.trim_ascii().eq_ignore_ascii_case(b"bcc")),
            "Bcc kept: {line:?}"
        );
        assert!(
            !(line.contains(&b':') && !line.starts_with(b" ") && !line.starts_with(b"\t")
                && name.ends_with(b" ")),
            "obsolete white space before the colon written: {line:?}"
        );
    }
});
