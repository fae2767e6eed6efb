//! The MIME tree of a draft: text and HTML bodies, inline parts (with their Content-IDs)
//! and attachments, nested as multipart/mixed, related and alternative as needed. Every
//! file is opened here once, checked to be a regular file, and streamed when written.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::super::body::{self, Encoding};
use super::super::header::{self, Token};
use super::super::mime::{self, Content, Leaf, Part};
use super::super::{Attachment, BodySource, ComposeError, Draft, markdown};
use super::pipe;

fn open_regular(path: &Path) -> Result<File, ComposeError> {
    let no_input = |source| ComposeError::NoInput {
        path: path.to_path_buf(),
        source,
    };
    // We rewind files to write them again and count their length for SIZE; pipes and
    // directories allow neither, and a FIFO would hang (even at the open).
    crate::regular_file::open(path).map_err(no_input)
}

/// A text or HTML body: its content and the transfer encoding it needs. Bodies are
/// declared charset=utf-8, so anything else is refused rather than mislabelled.
fn text_content(source: &BodySource) -> Result<(Content, Encoding), ComposeError> {
    let not_utf8 = |what: &str| {
        ComposeError::BadInput(format!(
            "{what}: the body is not UTF-8 text (convert it, e.g. with iconv, or attach it with -a)"
        ))
    };
    match source {
        BodySource::Text(t) => {
            let scan = body::scan_text(t.as_bytes()).expect("reading memory");
            Ok((Content::Memory(t.clone().into_bytes()), scan.encoding))
        }
        BodySource::Stdin => {
            let mut bytes = Vec::new();
            io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .map_err(|source| ComposeError::NoInput {
                    path: PathBuf::from("-"),
                    source,
                })?;
            let scan = body::scan_text(&bytes[..]).expect("reading memory");
            if !scan.utf8 {
                return Err(not_utf8("stdin"));
            }
            Ok((Content::Memory(bytes), scan.encoding))
        }
        BodySource::File(path) => {
            let file = open_regular(path)?;
            let scan = body::scan_text(&file).map_err(|source| ComposeError::NoInput {
                path: path.clone(),
                source,
            })?;
            if !scan.utf8 {
                return Err(not_utf8(&path.display().to_string()));
            }
            Ok((Content::File(file), scan.encoding))
        }
    }
}

fn text_leaf(subtype: &str, source: &BodySource) -> Result<Part, ComposeError> {
    let (content, encoding) = text_content(source)?;
    let headers = header::fold(
        "Content-Type",
        &header::with_params(&format!("text/{subtype}"), vec!["charset=utf-8".into()]),
    );
    Ok(Part::Leaf(Leaf {
        headers,
        encoding,
        content,
    }))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "attachment".into())
}

fn file_leaf(
    path: &Path,
    disposition: &str,
    content_id: Option<&str>,
) -> Result<Part, ComposeError> {
    let file = open_regular(path)?;
    let name = file_name(path);
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    Ok(leaf(
        file,
        &name,
        mime.essence_str(),
        disposition,
        content_id,
    ))
}

/// An `-a` attachment: a regular file, or stdin or a pipe spooled to a temporary file.
fn attachment_leaf(att: &Attachment, notes: &mut Vec<String>) -> Result<Part, ComposeError> {
    let bad = |why: String| ComposeError::BadInput(format!("-a {}: {why}", att.path.display()));
    let name = pipe::name(att);
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(bad(format!(
            "--attach-name {name:?}: give a file name without control characters"
        )));
    }
    let mime = pipe::content_type(att, &name);
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    if !matches!(mime.split_once('/'), Some((t, sub)) if token(t) && token(sub)) {
        return Err(bad(format!(
            "--attach-type {mime:?} is not a content type like text/csv or application/pdf"
        )));
    }
    let file = match pipe::source(&att.path) {
        pipe::Source::File => open_regular(&att.path)?,
        _ => pipe::spool(att, notes)?,
    };
    Ok(leaf(file, &name, &mime, "attachment", None))
}

fn leaf(file: File, name: &str, mime: &str, disposition: &str, content_id: Option<&str>) -> Part {
    let mut headers = header::fold(
        "Content-Type",
        &header::with_params(mime, vec![header::legacy_name_param(name)]),
    );
    headers += &header::fold(
        "Content-Disposition",
        &header::with_params(disposition, header::rfc2231_param("filename", name)),
    );
    if let Some(id) = content_id {
        headers += &header::fold("Content-ID", &[Token::Word(format!("<{id}>"))]);
    }
    Part::Leaf(Leaf {
        headers,
        encoding: Encoding::Base64,
        content: Content::File(file),
    })
}

fn multi(subtype: &'static str, parts: Vec<Part>) -> Result<Part, ComposeError> {
    let boundary =
        mime::new_boundary().map_err(|e| ComposeError::BadInput(format!("no randomness: {e}")))?;
    Ok(Part::Multi {
        subtype,
        boundary,
        parts,
    })
}

/// mixed[ alternative[ text, related[ html, inline… ] ], attachment… ], with every
/// level that has a single child collapsed into that child.
pub(super) fn build_tree(draft: &Draft, notes: &mut Vec<String>) -> Result<Part, ComposeError> {
    if draft.text == Some(BodySource::Stdin) && draft.html == Some(BodySource::Stdin) {
        return Err(ComposeError::Usage(
            "--body-file - and --html-file - both want stdin: give only one".into(),
        ));
    }
    let stdin_attachments = draft
        .attachments
        .iter()
        .filter(|a| a.path == Path::new("-"))
        .count();
    let stdin_body = [draft.text.as_ref(), draft.html.as_ref()]
        .into_iter()
        .chain([draft.markdown.as_ref().map(|m| &m.source)])
        .any(|s| s == Some(&BodySource::Stdin));
    if stdin_attachments > 1 || (stdin_attachments == 1 && stdin_body) {
        return Err(ComposeError::Usage(
            "stdin can be read once: give -a - once, and the body with --body, --html or \
             --markdown (not from -)"
                .into(),
        ));
    }
    if draft.markdown.is_some() && (draft.text.is_some() || draft.html.is_some()) {
        return Err(ComposeError::Usage(
            "--markdown/--markdown-file make both the text and the HTML body: drop \
             --body/--body-file/--html/--html-file"
                .into(),
        ));
    }
    if !draft.inline.is_empty() && draft.html.is_none() && draft.markdown.is_none() {
        return Err(ComposeError::Usage(
            "--inline needs an HTML body to refer to it: give --html or --html-file".into(),
        ));
    }
    let rendered = draft.markdown.as_ref().map(markdown::render).transpose()?;
    let (text, html) = match &rendered {
        Some(r) => (
            Some(text_leaf("plain", &BodySource::Text(r.source.clone()))?),
            Some(text_leaf("html", &BodySource::Text(r.html.clone()))?),
        ),
        None => (
            draft
                .text
                .as_ref()
                .map(|s| text_leaf("plain", s))
                .transpose()?,
            draft
                .html
                .as_ref()
                .map(|s| text_leaf("html", s))
                .transpose()?,
        ),
    };

    let mut seen_ids: Vec<String> = Vec::new();
    let mut inline = Vec::new();
    for (path, id) in rendered.iter().flat_map(|r| &r.images) {
        inline.push(file_leaf(path, "inline", Some(id))?);
    }
    for path in &draft.inline {
        let id = file_name(path);
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_graphic() && !"<>\"\\()[]".contains(c))
        {
            return Err(ComposeError::BadInput(format!(
                "--inline {}: the file name {id:?} cannot be a Content-ID (use plain ASCII without spaces)",
                path.display()
            )));
        }
        if seen_ids.iter().any(|s| s == &id) {
            return Err(ComposeError::BadInput(format!(
                "--inline {}: another inline file has the same name {id:?}",
                path.display()
            )));
        }
        inline.push(file_leaf(path, "inline", Some(&id))?);
        seen_ids.push(id);
    }
    let attachments = draft
        .attachments
        .iter()
        .map(|a| attachment_leaf(a, notes))
        .collect::<Result<Vec<_>, _>>()?;

    let html = match html {
        Some(h) if !inline.is_empty() => {
            let mut parts = vec![h];
            parts.extend(inline);
            Some(multi("related", parts)?)
        }
        other => other,
    };
    let body = match (text, html) {
        (Some(t), Some(h)) => Some(multi("alternative", vec![t, h])?),
        (t, h) => t.or(h),
    };
    let body = match body {
        Some(b) => Some(b),
        // Nothing to read and nothing attached: still a well-formed, empty text part.
        None if attachments.is_empty() => {
            Some(text_leaf("plain", &BodySource::Text(String::new()))?)
        }
        None => None,
    };
    let mut parts: Vec<Part> = body.into_iter().collect();
    parts.extend(attachments);
    if parts.len() == 1 {
        Ok(parts.remove(0))
    } else {
        multi("mixed", parts)
    }
}
