//! Entry points for the fuzz targets in `fuzz/` and the property tests: thin wrappers
//! around crate-private parsers and writers. Not an API; hidden from the docs and
//! free to change with them.

use std::io::Write;

use crate::message::header::{self, Token};
use crate::smtp::Reply;

/// Read replies from `bytes` as the session does, until the input ends or a reply is
/// refused. Returns the replies read and the error that stopped reading.
pub fn smtp_replies(bytes: &[u8]) -> (Vec<Reply>, String) {
    let mut reader = crate::smtp::reply::LineReader::new(bytes);
    let mut replies = Vec::new();
    loop {
        match crate::smtp::reply::read_reply(&mut reader, &mut |_| {}) {
            Ok(r) => replies.push(r),
            Err(crate::smtp::reply::ReadError::Io(e)) => return (replies, e.to_string()),
            Err(crate::smtp::reply::ReadError::Malformed(m)) => return (replies, m),
        }
    }
}

/// One reply read from `bytes`, parsed as an EHLO answer.
pub fn ehlo(bytes: &[u8]) -> Option<crate::smtp::Capabilities> {
    let mut reader = crate::smtp::reply::LineReader::new(bytes);
    let reply = crate::smtp::reply::read_reply(&mut reader, &mut |_| {}).ok()?;
    Some(crate::smtp::Capabilities::parse(&reply))
}

/// What the DATA writer puts on the wire for `input` handed to it in pieces of the
/// given sizes (cycled; 0 counts as 1), terminator included.
pub fn data_wire(input: &[u8], pieces: &[usize]) -> Vec<u8> {
    let mut stuffer = crate::smtp::data::DotStuffer::new(Vec::new());
    let mut rest = input;
    let mut sizes = pieces.iter().copied().cycle();
    while !rest.is_empty() {
        let n = sizes.next().unwrap_or(usize::MAX).clamp(1, rest.len());
        stuffer.write_all(&rest[..n]).expect("a Vec never fails");
        rest = &rest[n..];
    }
    stuffer.finish().expect("a Vec never fails").0
}

/// `-H` arguments as `posta send` checks them.
pub fn extra_headers(args: &[String]) -> Result<(), String> {
    crate::message::compose::parse_extra_headers(args)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// A DNS answer to an SRV query, checked against the id it carries (so that the
/// fuzzer reaches past the id check).
pub fn dns_srv(msg: &[u8]) -> Result<Vec<crate::dns::Srv>, String> {
    let id = match msg {
        [a, b, ..] => u16::from_be_bytes([*a, *b]),
        _ => 0,
    };
    crate::dns::parse_reply(msg, id)
}

/// Header fields built from untrusted text the way posta builds them: the value as
/// unstructured text, as a display name, and as a file-name parameter.
pub fn header_fields(name: &str, value: &str) -> Vec<String> {
    let mut fields = vec![
        header::fold(name, &header::unstructured(value, header::LONG_WORD)),
        header::fold("To", &header::phrase(value)),
        header::fold(
            "Content-Disposition",
            &header::with_params("attachment", header::rfc2231_param("filename", value)),
        ),
    ];
    if let Ok(list) = crate::message::address::parse_list(value) {
        fields.push(header::fold(
            "To",
            &crate::message::compose::mailbox_tokens(&list),
        ));
    }
    fields
}

/// Re-exported so that targets can build tokens directly.
pub fn fold(name: &str, tokens: &[Token]) -> String {
    header::fold(name, tokens)
}

/// A queue entry's `meta.json` (hostile when the spool is not private) as `queue flush`
/// reads it for the entry `20260101T000000-00000000`: the metadata, then its recorded
/// connection values as overrides. `Ok` holds the id it accepted.
pub fn queue_meta(bytes: &[u8]) -> Result<String, String> {
    let entry = std::path::Path::new("/q/20260101T000000-00000000");
    let meta = crate::queue::files::parse_meta(entry, bytes).map_err(|e| e.to_string())?;
    crate::config::Overrides::from_recorded(&meta.connection)?;
    Ok(meta.id)
}

/// A server's text as posta shows it after logging in as `user` with `secret` to
/// 127.0.0.1:587: the secret and its AUTH forms redacted.
pub fn redacted(user: &str, secret: &str, text: &str) -> String {
    let creds = crate::smtp::Credentials {
        user: user.to_owned(),
        secret: crate::secret::Secret::new(secret),
        token: false,
        renew: None,
    };
    crate::smtp::redact::Redactor::for_credentials(&creds, "127.0.0.1", 587)
        .apply(text)
        .into_owned()
}

/// An aliases(5) text, and what it makes of `recipients` (see `config::aliases`).
pub fn aliases(text: &str, recipients: &[&str]) -> Result<Vec<String>, String> {
    let recipients: Vec<String> = recipients.iter().map(|r| r.to_string()).collect();
    crate::config::aliases::Aliases::parse(text)?.expand(&recipients)
}
