//! SMTP replies, single and multi-line, as read from a hostile server.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (replies, _why) = posta::fuzzing::smtp_replies(data);
    for r in &replies {
        assert!((200..600).contains(&r.code), "code {} accepted", r.code);
        assert!(!r.lines.is_empty() && r.lines.len() <= 1000);
        for line in &r.lines {
            assert!(
                line.len() <= 3 * 16 * 1024,
                "line of {} bytes kept",
                line.len()
            );
            // No control characters reach a transcript or an error message.
            assert!(!line.chars().any(|c| c.is_control() && c != '\t'));
        }
        let _ = r.to_string();
    }
});
