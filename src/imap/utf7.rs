//! Modified UTF-7 (RFC 3501 §5.1.3), the form IMAP gives mailbox names on the wire:
//! printable ASCII stands for itself ("&" is "&-"), anything else is UTF-16BE in
//! base64 with "," for "/", no padding, between "&" and "-". `Отправленные` (Yandex,
//! Mail.ru) travels as `&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;

/// `name` in modified UTF-7.
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut wide: Vec<u16> = Vec::new();
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            shift_out(&mut out, &mut wide);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut units = [0u16; 2];
            wide.extend_from_slice(c.encode_utf16(&mut units));
        }
    }
    shift_out(&mut out, &mut wide);
    out
}

/// The run of non-ASCII characters in `wide`, written as "&…-".
fn shift_out(out: &mut String, wide: &mut Vec<u16>) {
    if wide.is_empty() {
        return;
    }
    let bytes: Vec<u8> = wide.iter().flat_map(|u| u.to_be_bytes()).collect();
    out.push('&');
    out.push_str(&STANDARD_NO_PAD.encode(bytes).replace('/', ","));
    out.push('-');
    wide.clear();
}

/// A modified UTF-7 name read back as text; `None` when it is not well formed (a raw
/// 8-bit byte, a bad base64 run, half a surrogate pair), so that the caller can show
/// it as it came rather than guess.
pub fn decode(wire: &str) -> Option<String> {
    let mut out = String::with_capacity(wire.len());
    let mut rest = wire;
    while let Some(c) = rest.chars().next() {
        if !(' '..='~').contains(&c) {
            return None;
        }
        if c != '&' {
            out.push(c);
            rest = &rest[1..];
            continue;
        }
        let end = rest.find('-')?;
        let run = &rest[1..end];
        rest = &rest[end + 1..];
        if run.is_empty() {
            out.push('&');
            continue;
        }
        let bytes = STANDARD_NO_PAD.decode(run.replace(',', "/")).ok()?;
        if bytes.len() % 2 != 0 {
            return None;
        }
        let units: Vec<u16> = bytes
            .chunks(2)
            .map(|p| u16::from_be_bytes([p[0], p[1]]))
            .collect();
        let text = String::from_utf16(&units).ok()?;
        // A run that decodes to printable ASCII should have been written as itself:
        // RFC 3501 forbids it, and accepting it would give one folder two names.
        if text.chars().any(|c| (' '..='~').contains(&c)) {
            return None;
        }
        out.push_str(&text);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_example_and_cyrillic_go_both_ways() {
        // RFC 3501 §5.1.3's own example.
        let name = "~peter/mail/\u{53f0}\u{5317}/\u{65e5}\u{672c}\u{8a9e}";
        assert_eq!(encode(name), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
        assert_eq!(decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-").unwrap(), name);
        let sent = "Отправленные";
        assert_eq!(encode(sent), "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-");
        assert_eq!(decode(&encode(sent)).unwrap(), sent);
    }

    #[test]
    fn ampersand_ascii_and_astral_characters() {
        assert_eq!(encode("Sent & Drafts"), "Sent &- Drafts");
        assert_eq!(decode("Sent &- Drafts").unwrap(), "Sent & Drafts");
        assert_eq!(encode("Sent"), "Sent");
        // A surrogate pair (U+1F4E8) stays one run.
        let mail = "Post \u{1f4e8} out";
        assert_eq!(decode(&encode(mail)).unwrap(), mail);
        assert_eq!(encode("a\u{e9}\u{e9}b"), "a&AOkA6Q-b");
    }

    #[test]
    fn malformed_names_are_not_guessed() {
        assert_eq!(decode("&BB4"), None, "no closing -");
        assert_eq!(decode("&BB-"), None, "odd number of bytes");
        assert_eq!(decode("&2D0-"), None, "half a surrogate pair");
        assert_eq!(decode("Отправленные"), None, "raw 8-bit");
        assert_eq!(decode("&AGEAYgBj-"), None, "ASCII written shifted");
        assert_eq!(decode("a\u{1b}b"), None, "a control character");
    }
}
