//! `cid:` references between the HTML body and the `--inline` files. A reference that
//! no file answers shows as a broken image; a file that nothing refers to is shown by
//! many readers as an attachment. Both are worth a warning, never a refusal: the HTML
//! may be meant that way.

use std::collections::BTreeSet;
use std::io::{self, BufRead, BufReader};
use std::path::PathBuf;

use super::BodySource;

/// At most this many distinct references are collected (an HTML file is no place for
/// more; what is past it is not checked).
const MAX_REFERENCES: usize = 1000;
/// A Content-ID longer than a header line can hold is no reference posta made.
const MAX_ID: usize = 998;

/// Warnings about the `cid:` references of `html` and the `inline` files (whose
/// Content-ID is their file name). HTML from stdin is not read twice: not checked.
pub fn warnings(html: Option<&BodySource>, inline: &[PathBuf]) -> Vec<String> {
    let refs = match html {
        Some(BodySource::Text(text)) => references(text.as_bytes()),
        // Streamed through a small buffer, as the message itself is.
        Some(BodySource::File(path)) => match crate::regular_file::open(path) {
            Ok(f) => references(BufReader::new(f)),
            Err(_) => return Vec::new(), // prepare says what is wrong with the file
        },
        Some(BodySource::Stdin) | None => return Vec::new(),
    };
    let Ok(refs) = refs else {
        return Vec::new();
    };
    let ids: Vec<(String, &PathBuf)> = inline
        .iter()
        .filter_map(|p| Some((p.file_name()?.to_string_lossy().into_owned(), p)))
        .collect();
    let mut out = Vec::new();
    for r in &refs {
        if !ids.iter().any(|(id, _)| id == r) {
            out.push(format!(
                "the HTML refers to cid:{r}, but no --inline file is named {r}: \
                 readers will show a broken image"
            ));
        }
    }
    for (id, path) in &ids {
        if !refs.contains(id) {
            out.push(format!(
                "--inline {}: the HTML never refers to cid:{id}, so readers may show it \
                 as an attachment",
                path.display()
            ));
        }
    }
    out
}

/// The `cid:` URLs in `html` (case-insensitive scheme, RFC 2392 %-escapes decoded),
/// read a byte at a time through the reader's buffer: memory stays bounded whatever
/// the size of the file.
fn references(html: impl BufRead) -> io::Result<BTreeSet<String>> {
    const SCHEME: &[u8] = b"cid:";
    let mut refs = BTreeSet::new();
    let mut matched = 0;
    let mut current: Option<Vec<u8>> = None;
    for byte in html.bytes() {
        let b = byte?;
        if let Some(id) = &mut current {
            if b.is_ascii_whitespace() || b"\"'<>)(;,".contains(&b) {
                let id = current.take().unwrap_or_default();
                if !id.is_empty() && refs.len() < MAX_REFERENCES {
                    refs.insert(percent_decoded(&id));
                }
            } else if id.len() < MAX_ID {
                id.push(b);
            }
            continue;
        }
        if b.to_ascii_lowercase() == SCHEME[matched] {
            matched += 1;
            if matched == SCHEME.len() {
                current = Some(Vec::new());
                matched = 0;
            }
        } else {
            matched = usize::from(b.to_ascii_lowercase() == SCHEME[0]);
        }
    }
    if let Some(id) = current.filter(|id| !id.is_empty())
        && refs.len() < MAX_REFERENCES
    {
        refs.insert(percent_decoded(&id));
    }
    Ok(refs)
}

pub(crate) fn percent_decoded(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let hex = raw
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (raw[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(html: &str) -> Vec<String> {
        references(html.as_bytes()).unwrap().into_iter().collect()
    }

    #[test]
    fn finds_every_cid_url_however_it_is_quoted() {
        assert_eq!(
            refs(r#"<img src="cid:logo.png"><img src='CID:a%20b.jpg'> url(cid:bg.gif) ccid:x.png"#),
            ["a b.jpg", "bg.gif", "logo.png", "x.png"]
        );
        assert_eq!(refs("no references, cid: alone"), Vec::<String>::new());
        assert_eq!(refs("ends with cid:last.png"), ["last.png"]);
    }

    #[test]
    fn a_reference_without_a_file_and_a_file_without_a_reference_are_said() {
        let html = BodySource::Text(r#"<img src="cid:logo.png"><img src="cid:nope.png">"#.into());
        let inline = [PathBuf::from("img/logo.png"), PathBuf::from("unused.png")];
        let w = warnings(Some(&html), &inline);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(
            w[0].contains("cid:nope.png") && w[0].contains("no --inline"),
            "{w:?}"
        );
        assert!(w[1].starts_with("--inline unused.png:"), "{w:?}");
        let all_good = BodySource::Text(r#"<img src="cid:logo.png">"#.into());
        assert!(warnings(Some(&all_good), &inline[..1]).is_empty());
        assert!(warnings(Some(&BodySource::Stdin), &inline).is_empty());
    }
}
