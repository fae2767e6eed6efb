//! The DNS answer to an SRV query (service discovery), and the check of its targets:
//! a target accepted as a host name is letters, digits, '-' and '.' only.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(records) = posta::fuzzing::dns_srv(data) {
        for r in records {
            if posta::dns::check_host_name(&r.target).is_ok() {
                assert!(
                    r.target
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'),
                    "{:?}",
                    r.target
                );
                assert!(r.target.trim_end_matches('.').len() <= 253);
            }
        }
    }
});
