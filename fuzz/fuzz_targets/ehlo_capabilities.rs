//! The EHLO reply and its capability keywords.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(caps) = posta::fuzzing::ehlo(data) {
        for m in &caps.auth {
            assert!(!m.is_empty());
            assert_eq!(m, &m.to_ascii_uppercase());
        }
        let _ = caps.offers_auth("PLAIN");
    }
});
