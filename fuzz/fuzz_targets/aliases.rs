//! An aliases(5) file (a profile's `aliases`), then the recipients it expands: never a
//! panic, and every address it gives has a domain.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(addresses) = posta::fuzzing::aliases(text, &["root", "www-data", "a@x.org"]) {
        assert!(addresses.iter().all(|a| a.contains('@')), "{addresses:?}");
    }
});
