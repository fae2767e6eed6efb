//! Reading a finished message (sendmail mode): the header block, `-t` recipients,
//! Bcc removal, missing Date/Message-ID/From, and line endings.
//!
//! The input is copied once into an anonymous spool file with every line ending made
//! CRLF, so memory stays bounded whatever the message size, the exact size is known
//! before sending, and a bare CR or LF can never end DATA early (SMTP smuggling).

use std::fs::File;
use std::io::{self, BufRead, BufWriter, Read, Seek, Write};

use mail_parser::{Address, HeaderName, MessageParser};

use super::{ComposeError, address};
use crate::envelope::Envelope;

/// RFC 5322 §2.1.1: a line is at most 998 octets without its CRLF.
pub const MAX_LINE: usize = 998;
/// The header block is held in memory to find recipients; this bounds it.
pub const MAX_HEADER_BYTES: usize = 1 << 20;

/// What sendmail's flags say about the message.
#[derive(Debug, Clone, Default)]
pub struct RawOptions {
    /// `-t`: take recipients from To, Cc and Bcc (or Resent-* when present) too.
    pub extract_recipients: bool,
    /// `-f`: the envelope sender.
    pub envelope_from: Option<String>,
    /// `-F`: display name for a From header that posta adds.
    pub full_name: Option<String>,
    /// The profile's From, used for MAIL FROM and a missing From header.
    pub default_from: Option<String>,
    /// Recipients given as arguments.
    pub recipients: Vec<String>,
}

/// A message read and checked, waiting in a spool file.
#[derive(Debug)]
pub struct Spooled {
    file: File,
    /// Exact bytes of the message as it will be sent (before dot-stuffing).
    pub size: u64,
    pub envelope: Envelope,
    /// The Message-ID (given or added), without angle brackets.
    pub message_id: String,
    /// Some byte is not 7-bit ASCII.
    pub eight_bit: bool,
}

impl Spooled {
    /// The spool file, for [`HeaderBlock::spool_reusing`].
    pub fn into_file(self) -> File {
        self.file
    }

    /// Write the spooled message to `out` from its start; can be called again.
    pub fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.file.rewind()?;
        io::copy(&mut (&self.file).take(self.size), out)?;
        Ok(())
    }
}

/// Read a message from `input`, check it, and spool it with the envelope.
pub fn spool(input: &mut dyn BufRead, opts: &RawOptions) -> Result<Spooled, ComposeError> {
    read_header_block(input)?.spool(input, opts)
}

/// The header block of a message being read; the body is still in the input.
#[derive(Debug)]
pub struct HeaderBlock {
    lines: Vec<Vec<u8>>,
    /// The first body line, when the header block ended without an empty line.
    first_body: Option<Vec<u8>>,
    /// Whether anything follows the header block.
    has_body: bool,
    /// Line number of the last line read, for error messages.
    line_number: u64,
    after_cr: bool,
}

/// Read the header block (bounded by [`MAX_HEADER_BYTES`]), leaving the body in `input`.
pub fn read_header_block(input: &mut dyn BufRead) -> Result<HeaderBlock, ComposeError> {
    let mut lines = Lines::new(input);
    let mut line = Vec::with_capacity(1024);
    let mut header_lines: Vec<Vec<u8>> = Vec::new();
    let mut header_bytes = 0usize;
    let mut first_body = None;
    let mut has_body = false;
    let mut first = true;

    while lines.next(&mut line)?.is_some() {
        if first && line.starts_with(b"From ") {
            // An mbox separator, as mail(1) and some scripts write: not a header.
            first = false;
            continue;
        }
        first = false;
        if line.is_empty() {
            has_body = true;
            break;
        }
        let continuation = matches!(line[0], b' ' | b'\t') && !header_lines.is_empty();
        if continuation || is_field_start(&line) {
            header_bytes += line.len() + 2;
            if header_bytes > MAX_HEADER_BYTES {
                return Err(ComposeError::BadInput(format!(
                    "the header block is larger than {MAX_HEADER_BYTES} bytes"
                )));
            }
            header_lines.push(line.clone());
        } else {
            // Not a header: the body starts here (Postfix does the same).
            first_body = Some(line.clone());
            has_body = true;
            break;
        }
    }
    Ok(HeaderBlock {
        lines: header_lines,
        first_body,
        has_body,
        line_number: lines.number,
        after_cr: lines.after_cr,
    })
}

impl HeaderBlock {
    /// The address in the From header, if there is one.
    pub fn from_address(&self) -> Option<String> {
        let block = join_fields(&group_fields(&self.lines), |n| {
            n.eq_ignore_ascii_case("From")
        });
        let parsed = MessageParser::default().parse_headers(&block)?;
        parsed
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address.as_deref())
            .map(str::to_string)
    }

    /// The envelope recipients the message will have under `opts`, before spooling it:
    /// `posta batch` picks a profile by their number.
    pub fn recipients(&self, opts: &RawOptions) -> Result<Vec<String>, ComposeError> {
        let fields = group_fields(&self.lines);
        let block = join_fields(&fields, |_| true);
        let headers = parse_headers(&block);
        let has = |name: &str| fields.iter().any(|f| f.name.eq_ignore_ascii_case(name));
        recipients(&block, &headers, &has, opts, &mut false)
    }

    /// Copy the rest of `input` after this header block into a spool file.
    pub fn spool(
        self,
        input: &mut dyn BufRead,
        opts: &RawOptions,
    ) -> Result<Spooled, ComposeError> {
        let file = tempfile::tempfile().map_err(|e| bad_io("cannot create a spool file", e))?;
        self.spool_into(input, opts, file)
    }

    /// Like [`HeaderBlock::spool`], into a spool file used before (from
    /// [`Spooled::into_file`]): a batch of thousands of messages needs no file each.
    pub fn spool_reusing(
        self,
        input: &mut dyn BufRead,
        opts: &RawOptions,
        mut file: File,
    ) -> Result<Spooled, ComposeError> {
        file.set_len(0)
            .and_then(|()| file.rewind())
            .map_err(|e| bad_io("cannot reuse the spool file", e))?;
        self.spool_into(input, opts, file)
    }

    fn spool_into(
        self,
        input: &mut dyn BufRead,
        opts: &RawOptions,
        file: File,
    ) -> Result<Spooled, ComposeError> {
        let mut lines = Lines::new(input);
        lines.number = self.line_number;
        lines.after_cr = self.after_cr;
        let mut line = Vec::with_capacity(1024);
        let header_lines = self.lines;
        let first_body = self.first_body;
        let has_body = self.has_body;
        let fields = group_fields(&header_lines);
        let parsed_block = join_fields(&fields, |_| true);
        let headers = parse_headers(&parsed_block);
        let has = |name: &str| fields.iter().any(|f| f.name.eq_ignore_ascii_case(name));

        let mut envelope = Envelope::default();
        let from_header = headers.iter().find(|h| h.name == HeaderName::From);
        let header_from = from_header
            .and_then(|h| h.value.as_address())
            .and_then(|a| a.first())
            .and_then(|a| a.address.as_deref())
            .map(str::to_string);
        let mail_from = match opts
            .envelope_from
            .clone()
            .or_else(|| opts.default_from.as_deref().map(address::bare_address))
        {
            Some(from) => from,
            None => match (from_header, header_from) {
                (Some(h), Some(from)) => {
                    match as_written(&parsed_block, h, std::slice::from_ref(&from))? {
                        Some(read) => read.into_iter().next().unwrap_or(from),
                        None => from,
                    }
                }
                _ => local_user_address(),
            },
        };
        envelope.from = to_wire(&mail_from, &mut envelope.smtputf8)?;

        envelope.to = recipients(&parsed_block, &headers, &has, opts, &mut envelope.smtputf8)?;

        let mut out = Counting::new(BufWriter::with_capacity(64 * 1024, file));
        let domain = envelope.from.rsplit_once('@').map(|(_, d)| d.to_string());
        let mut message_id = headers
            .iter()
            .find(|h| h.name == HeaderName::MessageId)
            .and_then(|h| h.value.as_text())
            .map(str::to_string);
        let w = |out: &mut Counting<BufWriter<File>>, bytes: &[u8]| {
            out.write_all(bytes)
                .map_err(|e| bad_io("cannot write the spool file", e))
        };
        if !has("Date") {
            w(
                &mut out,
                format!("Date: {}\r\n", chrono::Local::now().to_rfc2822()).as_bytes(),
            )?;
        }
        if !has("Message-ID") {
            let id = super::compose::new_message_id(&domain.unwrap_or_else(local_host_name))?;
            w(&mut out, format!("Message-ID: <{id}>\r\n").as_bytes())?;
            message_id = Some(id);
        }
        if !has("From") {
            // The null sender (`-f '<>'`) is no author: then the local user is.
            let addr = opts
                .default_from
                .as_deref()
                .map(address::bare_address)
                .or_else(|| Some(mail_from.clone()).filter(|a| !a.trim().is_empty()))
                .unwrap_or_else(local_user_address);
            let field = match address::parse_addr_spec(&addr) {
                Ok((local, domain)) => {
                    let mailbox = address::Mailbox {
                        name: opts.full_name.clone(),
                        local,
                        domain,
                    };
                    super::compose::mailbox_field("From", &mailbox)
                }
                // A sender without a domain ("root") goes as it is, like sendmail's.
                Err(_) => format!("From: {addr}\r\n"),
            };
            w(&mut out, field.as_bytes())?;
        }
        // Bcc must never reach the recipients; the envelope already holds those addresses.
        w(
            &mut out,
            &join_fields(&fields, |name| {
                !name.eq_ignore_ascii_case("Bcc") && !name.eq_ignore_ascii_case("Resent-Bcc")
            })[..],
        )?;
        let mut eight_bit = header_lines.iter().any(|l| !l.is_ascii());
        w(&mut out, b"\r\n")?;
        if let Some(l) = &first_body {
            eight_bit |= !l.is_ascii();
            w(&mut out, l)?;
            w(&mut out, b"\r\n")?;
        }
        if has_body {
            while lines.next(&mut line)?.is_some() {
                eight_bit |= !line.is_ascii();
                w(&mut out, &line)?;
                w(&mut out, b"\r\n")?;
            }
        }
        out.flush()
            .map_err(|e| bad_io("cannot write the spool file", e))?;
        let size = out.count;
        let file = out
            .inner
            .into_inner()
            .map_err(|e| bad_io("cannot write the spool file", e.into_error()))?;
        Ok(Spooled {
            file,
            size,
            envelope,
            message_id: message_id
                .unwrap_or_default()
                .trim_matches(|c| c == '<' || c == '>')
                .to_string(),
            eight_bit,
        })
    }
}

fn parse_headers(block: &[u8]) -> Vec<mail_parser::Header<'_>> {
    MessageParser::default()
        .parse_headers(block)
        .map(|m| {
            m.parts
                .into_iter()
                .next()
                .map(|p| p.headers)
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

/// One header field: its name and its lines (first line plus continuations).
struct Field<'a> {
    name: String,
    lines: &'a [Vec<u8>],
}

fn group_fields(lines: &[Vec<u8>]) -> Vec<Field<'_>> {
    let mut fields = Vec::new();
    let mut start = 0;
    for i in 1..=lines.len() {
        if i == lines.len() || !matches!(lines[i][0], b' ' | b'\t') {
            let first = &lines[start];
            let colon = first.iter().position(|&b| b == b':').unwrap_or(first.len());
            fields.push(Field {
                name: String::from_utf8_lossy(&first[..colon]).trim().to_string(),
                lines: &lines[start..i],
            });
            start = i;
        }
    }
    fields
}

fn join_fields(fields: &[Field<'_>], keep: impl Fn(&str) -> bool) -> Vec<u8> {
    let mut out = Vec::new();
    for f in fields.iter().filter(|f| keep(&f.name)) {
        for l in f.lines {
            out.extend_from_slice(l);
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

/// "Name: …" with a field name of printable ASCII other than ':' (RFC 5322 §2.2).
fn is_field_start(line: &[u8]) -> bool {
    match line.iter().position(|&b| b == b':') {
        Some(0) | None => false,
        Some(i) => line[..i].iter().all(|&b| (33..=126).contains(&b)),
    }
}

/// The envelope recipients: those given as arguments, and with `-t` those of To, Cc and
/// Bcc (or of the Resent-* fields when the message is being resent); each once.
fn recipients(
    block: &[u8],
    headers: &[mail_parser::Header<'_>],
    has: &dyn Fn(&str) -> bool,
    opts: &RawOptions,
    smtputf8: &mut bool,
) -> Result<Vec<String>, ComposeError> {
    let mut recipients: Vec<String> = Vec::new();
    for r in &opts.recipients {
        for one in r.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            recipients.push(address::bare_address(one));
        }
    }
    if opts.extract_recipients {
        // RFC 5322 §3.6.6: when a message is resent, the Resent-* fields name its recipients.
        let resent = has("Resent-To") || has("Resent-Cc") || has("Resent-Bcc");
        let wanted: [HeaderName; 3] = if resent {
            [
                HeaderName::ResentTo,
                HeaderName::ResentCc,
                HeaderName::ResentBcc,
            ]
        } else {
            [HeaderName::To, HeaderName::Cc, HeaderName::Bcc]
        };
        for h in headers.iter().filter(|h| wanted.contains(&h.name)) {
            if let Some(addresses) = h.value.as_address() {
                let start = recipients.len();
                collect(addresses, &mut recipients);
                if let Some(read) = as_written(block, h, &recipients[start..])? {
                    recipients.truncate(start);
                    recipients.extend(read);
                }
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for r in recipients {
        let wire = to_wire(&r, smtputf8)?;
        if seen.insert(wire.to_ascii_lowercase()) {
            out.push(wire);
        }
    }
    if out.is_empty() {
        return Err(ComposeError::Usage(if opts.extract_recipients {
            "no recipients: the message has no To, Cc or Bcc and none was given as an argument"
                .into()
        } else {
            "no recipients: give them as arguments, or use -t to read them from the headers".into()
        }));
    }
    Ok(out)
}

fn collect(addresses: &Address<'_>, into: &mut Vec<String>) {
    let mut push = |a: &mail_parser::Addr<'_>| {
        if let Some(addr) = a.address.as_deref().filter(|s| !s.is_empty()) {
            into.push(addr.to_string());
        }
    };
    match addresses {
        Address::List(list) => list.iter().for_each(&mut push),
        Address::Group(groups) => groups
            .iter()
            .flat_map(|g| g.addresses.iter())
            .for_each(push),
    }
}

/// Refuse a header whose addresses the envelope would not carry as written. The parser
/// reads a backslash outside quotes and comments (obsolete syntax) as nothing, so
/// `<b\ad@exam\ple.org>` would go to `bad@example.org` while the header keeps the
/// backslashes; and it unquotes a quoted local part (`"a\"b"@x.org`), which the
/// envelope would then carry differently or not at all. `parsed` are the addresses
/// read from header `h` of `block`. A header posta's own parser reads as written (a
/// quoted local part, `"a b"@x.org`) gives its addresses back, to use instead.
fn as_written(
    block: &[u8],
    h: &mail_parser::Header<'_>,
    parsed: &[String],
) -> Result<Option<Vec<String>>, ComposeError> {
    let raw = block
        .get(h.offset_start as usize..h.offset_end as usize)
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    let name = h.name.as_str();
    if let Some(item) = address::backslash_outside_quotes(&raw) {
        return Err(ComposeError::BadInput(format!(
            "{name}: {item}: a backslash outside quotes, which the envelope cannot carry as written; remove it"
        )));
    }
    // "@x.org" is what is left of a quoted local part the parser took for a name.
    if let Some(addr) = parsed
        .iter()
        .find(|a| !raw.contains(a.as_str()) || a.starts_with('@'))
    {
        let unfolded = raw.replace(['\r', '\n'], " ");
        if let Ok(list) = address::parse_list(&unfolded)
            && !list.is_empty()
            && list.iter().all(|m| raw.contains(m.address().as_str()))
        {
            return Ok(Some(list.iter().map(address::Mailbox::address).collect()));
        }
        return Err(ComposeError::BadInput(format!(
            "{name}: {}: the envelope cannot carry this address as written (it would read {addr}); write it as plain local@domain",
            raw.trim()
        )));
    }
    Ok(None)
}

/// An address as it goes on the wire: IDN domain as punycode; a non-ASCII local
/// part needs SMTPUTF8. An address without a domain (e.g. "root") passes through,
/// for the server to qualify or refuse, as sendmail users expect.
fn to_wire(addr: &str, smtputf8: &mut bool) -> Result<String, ComposeError> {
    let addr = addr.trim();
    if addr.is_empty() {
        return Ok(String::new());
    }
    let bad = |why: String| ComposeError::BadInput(format!("malformed address {addr:?}: {why}"));
    if !addr.contains('@') {
        if addr
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || "<>\"".contains(c))
        {
            return Err(bad("not an address".into()));
        }
        *smtputf8 |= !addr.is_ascii();
        return Ok(addr.to_string());
    }
    let (local, domain) = address::parse_addr_spec(addr).map_err(bad)?;
    *smtputf8 |= !local.is_ascii();
    Ok(format!("{local}@{domain}"))
}

/// `$USER@hostname`, sendmail's sender when nothing else names one.
fn local_user_address() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "root".into());
    format!("{user}@{}", local_host_name())
}

fn local_host_name() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

fn bad_io(what: &str, e: io::Error) -> ComposeError {
    ComposeError::BadInput(format!("{what}: {e}"))
}

/// Logical lines ending in CRLF, LF or a lone CR, each at most [`MAX_LINE`] octets.
struct Lines<'a> {
    input: &'a mut dyn BufRead,
    number: u64,
    /// The last line ended in CR: a LF that follows belongs to it.
    after_cr: bool,
}

impl<'a> Lines<'a> {
    fn new(input: &'a mut dyn BufRead) -> Self {
        Lines {
            input,
            number: 0,
            after_cr: false,
        }
    }

    /// The next line into `buf` (without its ending); `Some(false)` for a last line
    /// without an ending, `None` at the end of input.
    fn next(&mut self, buf: &mut Vec<u8>) -> Result<Option<bool>, ComposeError> {
        buf.clear();
        loop {
            let avail = match self.input.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(bad_io("cannot read the message", e)),
            };
            if avail.is_empty() {
                if buf.is_empty() {
                    return Ok(None);
                }
                self.number += 1;
                return Ok(Some(false));
            }
            if std::mem::take(&mut self.after_cr) && avail[0] == b'\n' {
                self.input.consume(1);
                continue;
            }
            let end = avail.iter().position(|&b| b == b'\n' || b == b'\r');
            let take = end.unwrap_or(avail.len());
            if buf.len() + take > MAX_LINE {
                return Err(ComposeError::BadInput(format!(
                    "line {} is longer than {MAX_LINE} octets, which SMTP does not allow; \
                     encode the message (quoted-printable or base64) or wrap its lines",
                    self.number + 1
                )));
            }
            buf.extend_from_slice(&avail[..take]);
            match end {
                Some(i) => {
                    self.after_cr = avail[i] == b'\r';
                    self.input.consume(i + 1);
                    self.number += 1;
                    return Ok(Some(true));
                }
                None => self.input.consume(take),
            }
        }
    }
}

/// Counts the bytes written through it.
struct Counting<W> {
    inner: W,
    count: u64,
}

impl<W> Counting<W> {
    fn new(inner: W) -> Self {
        Counting { inner, count: 0 }
    }
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8], opts: &RawOptions) -> Result<(String, Spooled), ComposeError> {
        let mut reader = io::BufReader::with_capacity(7, input); // tiny: exercise boundaries
        let mut s = spool(&mut reader, opts)?;
        let mut out = Vec::new();
        s.write_to(&mut out).unwrap();
        assert_eq!(out.len() as u64, s.size);
        Ok((String::from_utf8_lossy(&out).into_owned(), s))
    }

    fn t() -> RawOptions {
        RawOptions {
            extract_recipients: true,
            ..RawOptions::default()
        }
    }

    #[test]
    fn extracts_every_recipient_header_and_drops_bcc() {
        let input = b"From: a@x.org\nTo: b@x.org, \"Smith, J\" <j@x.org>\nCc: Team: c@x.org, d@x.org;\n\
                      To: e@x.org (comment)\nBcc: hidden@x.org,\n  hidden2@x.org\nSubject: hi\n\nbody\n";
        let (text, s) = run(input, &t()).unwrap();
        assert_eq!(
            s.envelope.to,
            [
                "b@x.org",
                "j@x.org",
                "c@x.org",
                "d@x.org",
                "e@x.org",
                "hidden@x.org",
                "hidden2@x.org"
            ]
        );
        assert_eq!(s.envelope.from, "a@x.org");
        // A header line, not the letters: a random Message-ID may hold "bcc".
        assert!(!text.to_ascii_lowercase().contains("\nbcc:"), "{text}");
        assert!(!text.contains("hidden"), "{text}");
        assert!(text.contains("Subject: hi\r\n\r\nbody\r\n"), "{text}");
    }

    #[test]
    fn resent_headers_win_when_present() {
        let input = b"To: old@x.org\nResent-To: new@x.org\nResent-Bcc: secret@x.org\n\nx\n";
        let (text, s) = run(input, &t()).unwrap();
        assert_eq!(s.envelope.to, ["new@x.org", "secret@x.org"]);
        assert!(!text.contains("secret"));
    }

    #[test]
    fn adds_date_message_id_and_from_when_missing() {
        let opts = RawOptions {
            full_name: Some("Cron Daemon".into()),
            default_from: Some("cron@host.example".into()),
            recipients: vec!["root@x.org".into()],
            ..RawOptions::default()
        };
        let (text, s) = run(b"Subject: s\n\nb\n", &opts).unwrap();
        assert!(
            text.contains("\r\nFrom: \"Cron Daemon\" <cron@host.example>\r\n")
                || text.contains("From: Cron Daemon <cron@host.example>\r\n"),
            "{text}"
        );
        assert!(text.starts_with("Date: "), "{text}");
        assert!(
            text.contains(&format!("Message-ID: <{}>", s.message_id)),
            "{text}"
        );
        assert!(s.message_id.ends_with("@host.example"), "{}", s.message_id);
    }

    #[test]
    fn the_null_sender_goes_as_is_and_the_added_from_is_the_local_user() {
        let opts = RawOptions {
            envelope_from: Some(String::new()),
            recipients: vec!["root@x.org".into()],
            ..RawOptions::default()
        };
        let (text, s) = run(b"Subject: bounce\n\nb\n", &opts).unwrap();
        assert_eq!(s.envelope.from, "");
        let from = text
            .lines()
            .find(|l| l.starts_with("From: "))
            .unwrap_or_else(|| panic!("no From: {text}"));
        assert!(from.contains('@') && from.len() > "From: @".len(), "{text}");
    }

    #[test]
    fn keeps_given_date_and_message_id() {
        let input = b"Date: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <k@x>\nFrom: a@x.org\nTo: b@x.org\n\nx";
        let (text, s) = run(input, &t()).unwrap();
        assert_eq!(text.matches("Date:").count(), 1);
        assert_eq!(s.message_id, "k@x");
        assert!(text.ends_with("\r\n\r\nx\r\n"), "{text:?}");
    }

    #[test]
    fn every_line_ending_becomes_crlf() {
        let input = b"To: b@x.org\r\n\r\nlf\ncrlf\r\ncr\rmixed\n\r.\r\n.\n\r\nend";
        let (text, _) = run(input, &t()).unwrap();
        let body = text.split_once("\r\n\r\n").unwrap().1;
        assert_eq!(
            body,
            "lf\r\ncrlf\r\ncr\r\nmixed\r\n\r\n.\r\n.\r\n\r\nend\r\n"
        );
        let stray = text.replace("\r\n", "");
        assert!(!stray.contains('\r') && !stray.contains('\n'));
    }

    #[test]
    fn no_headers_at_all_is_a_body() {
        let opts = RawOptions {
            recipients: vec!["b@x.org".into()],
            default_from: Some("a@x.org".into()),
            ..RawOptions::default()
        };
        let (text, _) = run(b"just text\nmore\n", &opts).unwrap();
        assert!(text.contains("\r\n\r\njust text\r\nmore\r\n"), "{text}");
    }

    #[test]
    fn empty_input_still_makes_a_message() {
        let opts = RawOptions {
            recipients: vec!["b@x.org".into()],
            default_from: Some("a@x.org".into()),
            ..RawOptions::default()
        };
        let (text, _) = run(b"", &opts).unwrap();
        assert!(
            text.contains("From: a@x.org\r\n") && text.ends_with("\r\n\r\n"),
            "{text:?}"
        );
    }

    #[test]
    fn a_line_over_998_octets_is_refused_with_its_number() {
        let mut input = b"To: b@x.org\n\nshort\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 999));
        let err = run(&input, &t()).unwrap_err();
        assert!(
            matches!(err, ComposeError::BadInput(ref m) if m.contains("line 4")),
            "{err}"
        );
        input.truncate(input.len() - 1);
        assert!(run(&input, &t()).is_ok());
    }

    #[test]
    fn no_recipients_is_a_usage_error() {
        let err = run(b"Subject: x\n\n", &t()).unwrap_err();
        assert!(matches!(err, ComposeError::Usage(_)));
    }

    #[test]
    fn idn_domains_become_punycode_and_utf8_local_parts_need_smtputf8() {
        let (_, s) = run(b"To: b@b\xc3\xbccher.example\n\nx\n", &t()).unwrap();
        assert_eq!(s.envelope.to, ["b@xn--bcher-kva.example"]);
        assert!(!s.envelope.smtputf8);
        let (_, s) = run("To: jos\u{e9}@x.org\n\nx\n".as_bytes(), &t()).unwrap();
        assert!(s.envelope.smtputf8);
    }

    #[test]
    fn mbox_from_line_is_skipped() {
        let (text, _) = run(
            b"From someone Mon Jan 1 00:00:00 2024\nTo: b@x.org\n\nx\n",
            &t(),
        )
        .unwrap();
        assert!(!text.contains("From someone"), "{text}");
    }
}
