//! `posta send -H 'Name: value'` arguments, one per input line.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let args: Vec<String> = text.split('\0').map(str::to_string).collect();
    let result = posta::fuzzing::extra_headers(&args);
    if result.is_ok() {
        for a in &args {
            assert!(!a.contains(['\r', '\n']), "line break accepted in {a:?}");
        }
    }
});
