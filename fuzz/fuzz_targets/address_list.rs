//! Address lists (--to/--cc/--bcc, -H values).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(list) = posta::message::address::parse_list(text) {
        for m in &list {
            let a = m.address();
            assert!(!a.contains(['\r', '\n']), "line break in address {a:?}");
            let _ = m.needs_smtputf8();
        }
    }
    let _ = posta::message::address::parse_mailbox(text);
    let _ = posta::message::address::parse_addr_spec(text);
});
