//! Mail merge: a template (up to the first NUL) filled with values (the NUL-separated
//! rest, given to the placeholders in turn), then read as `sendmail -t` reads it.
#![no_main]
use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use posta::message::merge::Template;
use posta::message::raw::{RawOptions, spool};

/// The names of the header fields (the lines before the first empty one that do not
/// start with white space), as written before the colon.
fn field_names(message: &str) -> Vec<String> {
    message
        .split("\n\n")
        .next()
        .unwrap_or("")
        .lines()
        .filter(|l| !l.starts_with([' ', '\t']))
        .map(|l| l.split(':').next().unwrap_or("").trim().to_string())
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.split('\0');
    let template = parts.next().unwrap_or("").replace('\r', "");
    let cells: Vec<&str> = parts.collect();
    let Ok(t) = Template::parse(&template) else {
        return;
    };
    let fields = t.fields();
    let values: HashMap<&str, &str> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| (*f, cells.get(i).copied().unwrap_or("")))
        .collect();
    let Ok(filled) = t.render(&values) else {
        return;
    };
    // A value never makes a header field of its own (nor a line of the header block):
    // the fields are the template's, by name and number.
    let header_end = filled.find("\n\n").unwrap_or(filled.len());
    assert!(
        !filled[..header_end].contains('\r'),
        "a line break from a value in the header block"
    );
    if filled.is_ascii() {
        assert_eq!(field_names(&template), field_names(&filled), "{filled:?}");
    }
    let opts = RawOptions {
        extract_recipients: true,
        default_from: Some("fuzz@example.org".into()),
        ..RawOptions::default()
    };
    let _ = spool(&mut filled.as_bytes(), &opts);
});
