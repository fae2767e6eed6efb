//! Address lists (--to/--cc/--bcc, -H values; header address-lists with groups).
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
    // Groups: every mailbox a header's list gives is one parse_mailbox accepts.
    if let Ok(list) = posta::message::address::parse_address_list(text) {
        for m in &list {
            let a = m.address();
            assert!(!a.contains(['\r', '\n']), "line break in address {a:?}");
            assert!(
                posta::message::address::parse_mailbox(&a).is_ok(),
                "{a:?} does not read back"
            );
        }
    }
    let _ = posta::message::address::parse_mailbox(text);
    let _ = posta::message::address::parse_addr_spec(text);
});
