//! The one sanitiser for outside text shown on a terminal or written in a line-oriented
//! file (`model::text`): whatever comes in, nothing that steers a terminal or breaks
//! a line comes out.
#![no_main]
use libfuzzer_sys::fuzz_target;
use posta::model::text::{for_terminal, for_terminal_lines};

fn steers(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let shown = for_terminal(&text);
    assert!(!shown.chars().any(steers), "{shown:?}");
    // Clean text is shown as it is.
    if !text.chars().any(steers) {
        assert_eq!(shown, text);
    }
    let lines = for_terminal_lines(&text);
    assert!(!lines.chars().any(|c| c != '\n' && steers(c)), "{lines:?}");
    assert_eq!(lines.matches('\n').count(), text.matches('\n').count());
});
