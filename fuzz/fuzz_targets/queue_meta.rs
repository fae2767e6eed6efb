//! A queue entry's meta.json and its recorded connection values.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(id) = posta::fuzzing::queue_meta(data) {
        // Only the entry's own id is accepted: it names the paths the entry moves to.
        assert_eq!(id, "20260101T000000-00000000");
    }
});
