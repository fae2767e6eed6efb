//! The DNS answer to an SRV query (service discovery).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = posta::fuzzing::dns_srv(data);
});
