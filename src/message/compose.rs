//! Composing an RFC 5322 / MIME message from a [`Draft`]: check everything first
//! ([`prepare`]), then write it as often as needed ([`Composed::write_to`]).

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::address::{self, Mailbox};
use super::body::{self, Encoding};
use super::header::{self, LONG_WORD, Token};
use super::mime::{self, Content, Leaf, Part, Sink};
use super::{BodySource, ComposeError, Draft};
use crate::envelope::Envelope;

/// A checked draft, ready to be written any number of times (files were opened once
/// by [`prepare`] and are rewound and streamed on every write; nothing large is held
/// in memory).
#[derive(Debug)]
pub struct Composed {
    pub envelope: Envelope,
    /// The Message-ID, without angle brackets.
    pub message_id: String,
    /// Every header line above the MIME ones, folded, CRLF-terminated.
    headers: String,
    root: Part,
}

/// Check a draft: parse addresses, validate headers, open every file once.
///
/// A body from stdin ([`BodySource::Stdin`]) is read into memory here: a text body
/// is small, and reading it now means a bad flag never leaves stdin half consumed.
/// Body files and attachments stay on disk and are streamed when written.
pub fn prepare(draft: Draft) -> Result<Composed, ComposeError> {
    let from = parse_from(&draft.from)?;
    let to = parse_lists("--to", &draft.to)?;
    let cc = parse_lists("--cc", &draft.cc)?;
    let bcc = parse_lists("--bcc", &draft.bcc)?;
    let reply_to = parse_lists("--reply-to", &draft.reply_to)?;
    if to.is_empty() && cc.is_empty() && bcc.is_empty() {
        return Err(ComposeError::Usage(
            "no recipients: give --to, --cc, --bcc or a recipient argument".into(),
        ));
    }
    let envelope_from = match draft.envelope_from.as_deref().map(str::trim) {
        None => from.address(),
        Some("" | "<>") => String::new(),
        Some(raw) => address::parse_mailbox(raw)
            .map_err(|e| ComposeError::BadInput(format!("--envelope-from: {e}")))?
            .address(),
    };

    let extra = parse_extra_headers(&draft.headers)?;
    let subject = draft.subject.as_deref().unwrap_or("");
    if subject.contains(['\r', '\n']) {
        return Err(ComposeError::BadInput(
            "--subject: the subject contains a line break".into(),
        ));
    }
    let in_reply_to = draft
        .in_reply_to
        .as_deref()
        .map(|id| msg_ids("--in-reply-to", id))
        .transpose()?;
    let mut references = Vec::new();
    for r in &draft.references {
        references.extend(msg_ids("--references", r)?);
    }

    let root = build_tree(&draft)?;

    let message_id = match &extra.message_id {
        Some(id) => id.clone(),
        None => new_message_id(&from.domain)?,
    };
    let date = extra
        .date
        .clone()
        .unwrap_or_else(|| chrono::Local::now().to_rfc2822());

    let mut h = String::new();
    h += &header::fold("Date", &header::unstructured(&date, header::HARD_LIMIT));
    h += &header::fold("Message-ID", &[Token::Word(format!("<{message_id}>"))]);
    h += "MIME-Version: 1.0\r\n";
    h += &header::fold("From", &mailbox_tokens(std::slice::from_ref(&from)));
    if !reply_to.is_empty() {
        h += &header::fold("Reply-To", &mailbox_tokens(&reply_to));
    }
    if !to.is_empty() {
        h += &header::fold("To", &mailbox_tokens(&to));
    } else if cc.is_empty() {
        // Only Bcc: say so rather than leave readers guessing (RFC 5322 §3.6.3).
        h += "To: undisclosed-recipients:;\r\n";
    }
    if !cc.is_empty() {
        h += &header::fold("Cc", &mailbox_tokens(&cc));
    }
    if !subject.trim().is_empty() {
        h += &header::fold("Subject", &header::unstructured(subject, LONG_WORD));
    }
    if let Some(ids) = &in_reply_to {
        h += &header::fold(
            "In-Reply-To",
            &ids.iter()
                .map(|i| Token::Word(i.clone()))
                .collect::<Vec<_>>(),
        );
    }
    if !references.is_empty() {
        h += &header::fold(
            "References",
            &references.into_iter().map(Token::Word).collect::<Vec<_>>(),
        );
    }
    for (name, value) in &extra.others {
        // Encode only what must be: many extra headers are structured (URLs, ids),
        // and encoded words would change their meaning.
        h += &header::fold(
            name,
            &header::unstructured(value, header::HARD_LIMIT.saturating_sub(name.len() + 2)),
        );
    }

    let mut rcpt: Vec<String> = Vec::new();
    for m in to.iter().chain(&cc).chain(&bcc) {
        let a = m.address();
        if !rcpt.iter().any(|r| r.to_lowercase() == a.to_lowercase()) {
            rcpt.push(a);
        }
    }
    let smtputf8 = !envelope_from.is_ascii()
        || [&from]
            .into_iter()
            .chain(&to)
            .chain(&cc)
            .chain(&bcc)
            .chain(&reply_to)
            .any(Mailbox::needs_smtputf8);

    Ok(Composed {
        envelope: Envelope {
            from: envelope_from,
            to: rcpt,
            smtputf8,
        },
        message_id,
        headers: h,
        root,
    })
}

impl Composed {
    /// Write the whole message (CRLF line endings) to `out`.
    pub fn write_to(&self, out: &mut dyn Write) -> io::Result<()> {
        self.emit(&mut Sink::Write(out))
    }

    /// The exact number of octets [`Composed::write_to`] writes, for SMTP SIZE.
    /// Attachments are counted from their length on disk, not read; text bodies are
    /// encoded into a counter.
    pub fn size(&self) -> io::Result<u64> {
        let mut sink = Sink::Count(0);
        self.emit(&mut sink)?;
        match sink {
            Sink::Count(n) => Ok(n),
            Sink::Write(_) => unreachable!("counting sink"),
        }
    }

    fn emit(&self, sink: &mut Sink<'_>) -> io::Result<()> {
        sink.put(self.headers.as_bytes())?;
        sink.put(self.root.headers().as_bytes())?;
        sink.put(b"\r\n")?;
        self.root.write_body(sink)
    }
}

fn parse_from(raw: &str) -> Result<Mailbox, ComposeError> {
    if raw.trim().is_empty() {
        return Err(ComposeError::Usage(
            "no From address: give --from (or set `from` in the profile)".into(),
        ));
    }
    let mut list =
        address::parse_list(raw).map_err(|e| ComposeError::BadInput(format!("--from: {e}")))?;
    if list.len() != 1 {
        return Err(ComposeError::BadInput(format!(
            "--from: give exactly one address, not {:?}",
            raw
        )));
    }
    Ok(list.remove(0))
}

fn parse_lists(flag: &str, entries: &[String]) -> Result<Vec<Mailbox>, ComposeError> {
    let mut all = Vec::new();
    for entry in entries {
        all.extend(
            address::parse_list(entry)
                .map_err(|e| ComposeError::BadInput(format!("{flag}: {e}")))?,
        );
    }
    Ok(all)
}

/// A new unique Message-ID (without angle brackets) in `domain`.
pub(crate) fn new_message_id(domain: &str) -> Result<String, ComposeError> {
    let random =
        mime::random_hex(16).map_err(|e| ComposeError::BadInput(format!("no randomness: {e}")))?;
    Ok(format!("{random}@{domain}"))
}

/// A whole header field holding one mailbox, encoded and folded.
pub(crate) fn mailbox_field(name: &str, mailbox: &Mailbox) -> String {
    header::fold(name, &mailbox_tokens(std::slice::from_ref(mailbox)))
}

pub(crate) fn mailbox_tokens(list: &[Mailbox]) -> Vec<Token> {
    let mut tokens = Vec::new();
    for (i, m) in list.iter().enumerate() {
        let comma = if i + 1 < list.len() { "," } else { "" };
        match &m.name {
            Some(name) => {
                tokens.extend(header::phrase(name));
                tokens.push(Token::Word(format!("<{}>{comma}", m.address())));
            }
            None => tokens.push(Token::Word(format!("{}{comma}", m.address()))),
        }
    }
    tokens
}

/// One or more message ids (`<a@b>` or `a@b`, separated by spaces or commas), each
/// returned with its angle brackets.
fn msg_ids(flag: &str, raw: &str) -> Result<Vec<String>, ComposeError> {
    let ids: Vec<String> = raw
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(|s| check_msg_id(s).map(|id| format!("<{id}>")))
        .collect::<Result<_, _>>()
        .map_err(|e| ComposeError::BadInput(format!("{flag}: {e}")))?;
    if ids.is_empty() {
        return Err(ComposeError::BadInput(format!("{flag}: empty message id")));
    }
    Ok(ids)
}

/// A message id without brackets, checked to be one printable ASCII token of the form
/// left@right (RFC 5322 §3.6.4): "not an id" would otherwise become three ids.
fn check_msg_id(raw: &str) -> Result<String, String> {
    let id = raw.trim();
    let id = id
        .strip_prefix('<')
        .and_then(|i| i.strip_suffix('>'))
        .unwrap_or(id);
    if id.is_empty()
        || id.len() > 900
        || !id
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '<' && c != '>')
    {
        return Err(format!("malformed message id {raw:?}"));
    }
    match id.split_once('@') {
        Some((left, right)) if !left.is_empty() && !right.is_empty() && !right.contains('@') => {
            Ok(id.to_string())
        }
        _ => Err(format!(
            "malformed message id {raw:?}: expected <left@right>, as in the Message-ID \
             header of the message it refers to"
        )),
    }
}

#[derive(Debug, Default)]
pub(crate) struct ExtraHeaders {
    date: Option<String>,
    message_id: Option<String>,
    others: Vec<(String, String)>,
}

pub(crate) fn parse_extra_headers(raw: &[String]) -> Result<ExtraHeaders, ComposeError> {
    let mut extra = ExtraHeaders::default();
    for arg in raw {
        let bad = |why: String| ComposeError::BadInput(format!("-H {arg:?}: {why}"));
        let (name, value) = arg
            .split_once(':')
            .ok_or_else(|| bad("expected 'Name: value'".into()))?;
        // RFC 5322 §2.2: printable ASCII but ':'; the length limit keeps the name and
        // at least one word of its value within one line.
        if name.is_empty() || name.len() > 76 || !name.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(bad(format!("invalid header name {name:?}")));
        }
        if value.contains(['\r', '\n']) {
            return Err(bad(
                "the value contains a line break (header injection refused)".into(),
            ));
        }
        if value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(bad("the value contains a control character".into()));
        }
        let value = value.trim().to_string();
        let lower = name.to_ascii_lowercase();
        let flag = match lower.as_str() {
            "from" => Some("--from"),
            "to" => Some("--to"),
            "cc" => Some("--cc"),
            "bcc" => Some("--bcc"),
            "subject" => Some("-s/--subject"),
            "reply-to" => Some("--reply-to"),
            "in-reply-to" => Some("--in-reply-to"),
            "references" => Some("--references"),
            _ => None,
        };
        if let Some(flag) = flag {
            return Err(ComposeError::Usage(format!(
                "-H {name}: use {flag} instead"
            )));
        }
        if lower == "mime-version" || lower.starts_with("content-") {
            return Err(ComposeError::Usage(format!(
                "-H {name}: posta sets the MIME headers itself; use --body, --html, --attach or --inline"
            )));
        }
        match lower.as_str() {
            "date" => {
                if chrono::DateTime::parse_from_rfc2822(&value).is_err() {
                    return Err(bad(format!("not an RFC 5322 date: {value:?}")));
                }
                extra.date = Some(value);
            }
            "message-id" => extra.message_id = Some(check_msg_id(&value).map_err(bad)?),
            _ => extra.others.push((name.to_string(), value)),
        }
    }
    Ok(extra)
}

fn open_regular(path: &Path) -> Result<File, ComposeError> {
    let no_input = |source| ComposeError::NoInput {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(no_input)?;
    let meta = file.metadata().map_err(no_input)?;
    if !meta.is_file() {
        // We rewind files to write them again and count their length for SIZE;
        // pipes and directories allow neither.
        return Err(no_input(io::Error::other("not a regular file")));
    }
    Ok(file)
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
    let mut headers = header::fold(
        "Content-Type",
        &header::with_params(mime.essence_str(), vec![header::legacy_name_param(&name)]),
    );
    headers += &header::fold(
        "Content-Disposition",
        &header::with_params(disposition, header::rfc2231_param("filename", &name)),
    );
    if let Some(id) = content_id {
        headers += &header::fold("Content-ID", &[Token::Word(format!("<{id}>"))]);
    }
    Ok(Part::Leaf(Leaf {
        headers,
        encoding: Encoding::Base64,
        content: Content::File(file),
    }))
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
fn build_tree(draft: &Draft) -> Result<Part, ComposeError> {
    if draft.text == Some(BodySource::Stdin) && draft.html == Some(BodySource::Stdin) {
        return Err(ComposeError::Usage(
            "--body-file - and --html-file - both want stdin: give only one".into(),
        ));
    }
    if !draft.inline.is_empty() && draft.html.is_none() {
        return Err(ComposeError::Usage(
            "--inline needs an HTML body to refer to it: give --html or --html-file".into(),
        ));
    }
    let text = draft
        .text
        .as_ref()
        .map(|s| text_leaf("plain", s))
        .transpose()?;
    let html = draft
        .html
        .as_ref()
        .map(|s| text_leaf("html", s))
        .transpose()?;

    let mut seen_ids: Vec<String> = Vec::new();
    let mut inline = Vec::new();
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
        .map(|p| file_leaf(p, "attachment", None))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_left_at_right_each_in_brackets() {
        assert_eq!(
            msg_ids("--references", "<a@x.org> b@y.org,<c.d@[1.2.3.4]>").unwrap(),
            ["<a@x.org>", "<b@y.org>", "<c.d@[1.2.3.4]>"]
        );
        for bad in [
            "not an id",
            "<a@b> Bcc: <e@x.org>",
            "@x.org",
            "a@",
            "a@b@c",
            "<>",
        ] {
            let err = msg_ids("--in-reply-to", bad).unwrap_err().to_string();
            assert!(
                err.contains("--in-reply-to: malformed message id"),
                "{bad}: {err}"
            );
        }
    }

    fn draft() -> Draft {
        Draft {
            from: "Jane Doe <jane@example.com>".into(),
            to: vec!["bob@example.org".into()],
            subject: Some("Hi".into()),
            text: Some(BodySource::Text("hello\n".into())),
            ..Draft::default()
        }
    }

    fn written(c: &Composed) -> Vec<u8> {
        let mut out = Vec::new();
        c.write_to(&mut out).unwrap();
        out
    }

    #[test]
    fn size_equals_written_length() {
        let dir = tempfile::tempdir().unwrap();
        let att = dir.path().join("data.bin");
        std::fs::write(
            &att,
            (0..100_003u32).map(|i| (i % 253) as u8).collect::<Vec<_>>(),
        )
        .unwrap();
        let body = dir.path().join("body.txt");
        std::fs::write(&body, format!("{}\nünï\r\n", "y".repeat(3000))).unwrap();
        let mut d = draft();
        d.text = Some(BodySource::File(body));
        d.html = Some(BodySource::Text("<p>hi</p>".into()));
        d.attachments = vec![att];
        let c = prepare(d).unwrap();
        let bytes = written(&c);
        assert_eq!(c.size().unwrap(), bytes.len() as u64);
        // Written twice, the same bytes: files are rewound.
        assert_eq!(written(&c), bytes);
    }

    #[test]
    fn envelope_dedups_and_keeps_bcc() {
        let mut d = draft();
        d.to = vec!["bob@example.org, Carol <carol@example.org>".into()];
        d.cc = vec!["BOB@example.org".into()];
        d.bcc = vec!["secret@example.net".into()];
        let c = prepare(d).unwrap();
        assert_eq!(c.envelope.from, "jane@example.com");
        assert_eq!(
            c.envelope.to,
            ["bob@example.org", "carol@example.org", "secret@example.net"]
        );
        let text = String::from_utf8(written(&c)).unwrap();
        assert!(!text.contains("secret@example.net"));
        assert!(!text.to_ascii_lowercase().contains("\r\nbcc:"));
    }

    #[test]
    fn header_overrides_and_refusals() {
        let mut d = draft();
        d.headers = vec!["Message-ID: <fixed@here>".into(), "X-Tag: a b".into()];
        let c = prepare(d).unwrap();
        assert_eq!(c.message_id, "fixed@here");
        let text = String::from_utf8(written(&c)).unwrap();
        assert!(text.contains("\r\nMessage-ID: <fixed@here>\r\n"));
        assert!(text.contains("\r\nX-Tag: a b\r\n"));

        for (h, code) in [
            ("Bcc: x@y.z", 64),
            ("Content-Type: text/x", 64),
            ("X-A: b\r\nBcc: e@x", 65),
            ("Bad Name: x", 65),
        ] {
            let mut d = draft();
            d.headers = vec![h.into()];
            let err = prepare(d).unwrap_err();
            assert_eq!(err.exit_code() as i32, code, "{h}: {err}");
        }
    }

    #[test]
    fn missing_pieces_are_usage_errors() {
        let mut d = draft();
        d.to.clear();
        assert!(matches!(prepare(d), Err(ComposeError::Usage(_))));
        let mut d = draft();
        d.from.clear();
        assert!(matches!(prepare(d), Err(ComposeError::Usage(_))));
        let mut d = draft();
        d.text = Some(BodySource::Stdin);
        d.html = Some(BodySource::Stdin);
        assert!(matches!(prepare(d), Err(ComposeError::Usage(_))));
        let mut d = draft();
        d.attachments = vec!["/nonexistent/posta-test".into()];
        assert!(matches!(prepare(d), Err(ComposeError::NoInput { .. })));
    }
}
