//! The draft `posta send` opens in `$VISUAL`/`$EDITOR` when no body was given, like
//! `git commit`: the headers one may edit (From, To, Cc, Bcc, Reply-To, Subject)
//! prefilled from the flags, a blank line, the body, and a trailing block of `#`
//! lines saying how to abort. [`render`] writes it; [`parse`] reads what was saved
//! back into the [`Draft`] (the saved headers replace the flags'), checking every
//! address with posta's own parser ([`super::address`]).

use super::address;
use super::{BodySource, ComposeError, Draft};

/// The comment block at the end of a fresh draft; removed when the draft is read.
const COMMENT: &str = "\
# Write the message above these lines; lines starting with '#' at the end are removed.
# The headers above the first blank line may be edited (separate addresses with ',').
# To abort, leave the body empty, or quit the editor with an error (vim: :cq).
# Nothing is sent then.
";

/// The headers a draft may carry, in the order they are written.
const EDITABLE: [&str; 6] = ["From", "To", "Cc", "Bcc", "Reply-To", "Subject"];

/// The draft's text for `draft`: its editable headers, a blank line, an empty body and
/// the comment block.
pub fn render(draft: &Draft) -> String {
    let one_line = |s: &str| s.replace(['\r', '\n'], " ");
    let list = |entries: &[String]| one_line(&entries.join(", "));
    let mut text = String::new();
    for (name, value) in [
        ("From", one_line(&draft.from)),
        ("To", list(&draft.to)),
        ("Cc", list(&draft.cc)),
        ("Bcc", list(&draft.bcc)),
        ("Reply-To", list(&draft.reply_to)),
        ("Subject", one_line(draft.subject.as_deref().unwrap_or(""))),
    ] {
        if value.is_empty() {
            text.push_str(&format!("{name}:\n"));
        } else {
            text.push_str(&format!("{name}: {value}\n"));
        }
    }
    text.push_str("\n\n");
    text.push_str(COMMENT);
    text
}

/// What was saved, read back into `draft`: the headers replace the flags' (a header
/// deleted from the draft empties that field), the body becomes the text body.
/// `Ok(false)` when the body is empty once the comment block is removed: the user
/// aborted. A header that is not one of the editable ones, or an address posta's
/// parser refuses, is an error naming the line.
pub fn parse(saved: &str, draft: &mut Draft) -> Result<bool, ComposeError> {
    let lines: Vec<&str> = saved.lines().collect();
    let blank = lines.iter().position(|l| l.trim().is_empty());
    let (head, body) = match blank {
        Some(i) => (&lines[..i], &lines[i + 1..]),
        None => (&lines[..], &[][..]),
    };
    let headers = read_headers(head)?;
    let body = without_trailing_comments(body);
    if body.trim().is_empty() {
        return Ok(false);
    }
    draft.from.clear();
    draft.to.clear();
    draft.cc.clear();
    draft.bcc.clear();
    draft.reply_to.clear();
    draft.subject = None;
    for (line, name, value) in headers {
        let value = value.trim().to_string();
        if value.is_empty() {
            continue;
        }
        let bad = |e: String| ComposeError::BadInput(format!("draft line {line}: {name}: {e}"));
        match name.to_ascii_lowercase().as_str() {
            "from" => {
                address::parse_mailbox(&value).map_err(bad)?;
                draft.from = value;
            }
            "subject" => draft.subject = Some(value),
            field => {
                address::parse_list(&value).map_err(bad)?;
                match field {
                    "to" => draft.to.push(value),
                    "cc" => draft.cc.push(value),
                    "bcc" => draft.bcc.push(value),
                    _ => draft.reply_to.push(value),
                }
            }
        }
    }
    draft.text = Some(BodySource::Text(body));
    Ok(true)
}

/// The header lines as (line number, name, value), continuation lines (starting with
/// white space) joined to the header they continue.
fn read_headers(head: &[&str]) -> Result<Vec<(usize, String, String)>, ComposeError> {
    let mut headers: Vec<(usize, String, String)> = Vec::new();
    for (i, line) in head.iter().enumerate() {
        let number = i + 1;
        if line.starts_with(' ') || line.starts_with('\t') {
            let Some(last) = headers.last_mut() else {
                return Err(ComposeError::BadInput(format!(
                    "draft line {number}: a continuation line before any header; the \
                     headers ({}) come first, then a blank line, then the body",
                    EDITABLE.join(", ")
                )));
            };
            last.2.push(' ');
            last.2.push_str(line.trim());
            continue;
        }
        let known = line.split_once(':').and_then(|(name, value)| {
            EDITABLE
                .iter()
                .find(|e| e.eq_ignore_ascii_case(name.trim()))
                .map(|e| (e.to_string(), value.to_string()))
        });
        let Some((name, value)) = known else {
            return Err(ComposeError::BadInput(format!(
                "draft line {number}: {:?} is not one of the headers a draft may set ({}); \
                 the headers come first, then a blank line, then the body (other headers: -H)",
                crate::model::text::for_terminal(line),
                EDITABLE.join(", ")
            )));
        };
        if headers.iter().any(|(_, n, _)| *n == name) {
            return Err(ComposeError::BadInput(format!(
                "draft line {number}: {name} appears twice; write one {name} line \
                 (a list of addresses is separated by commas)"
            )));
        }
        headers.push((number, name, value));
    }
    Ok(headers)
}

/// The body without posta's comment lines, its leading blank lines and its trailing
/// block of `#` lines (and the blank lines around them), lines joined with `\n` and a final newline. A `#` line followed by text is the
/// user's (a Markdown heading, a shell comment) and stays.
fn without_trailing_comments(body: &[&str]) -> String {
    // The block posta wrote is removed wherever it ended up (text appended after it).
    let body: Vec<&str> = body
        .iter()
        .copied()
        .filter(|l| !COMMENT.lines().any(|c| c == l.trim_end()))
        .skip_while(|l| l.trim().is_empty())
        .collect();
    let mut end = body.len();
    while end > 0 {
        let line = body[end - 1];
        if line.trim().is_empty() || line.starts_with('#') {
            end -= 1;
        } else {
            break;
        }
    }
    let mut text = body[..end]
        .iter()
        .map(|l| l.trim_end_matches('\r'))
        .collect::<Vec<_>>()
        .join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests;
