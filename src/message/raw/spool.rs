//! Copying a message into its spool file: the envelope (MAIL FROM and recipients), a
//! Date, Message-ID and From added when missing, Bcc and Resent-Bcc left out, every
//! line ending made CRLF, and the bytes counted as they go.

use std::fs::File;
use std::io::{BufRead, BufWriter, Seek, Write};

use super::header_block::{HeaderBlock, Lines, has, join_fields};
use super::recipients::{header_from, recipients, to_wire};
use super::{ComposeError, RawOptions, Spooled, bad_io};
use crate::envelope::Envelope;
use crate::message::{address, compose};

impl HeaderBlock {
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
        let fields = self.fields();
        let has = |name: &str| has(&fields, name);

        let mut envelope = Envelope::default();
        let mail_from = match opts
            .envelope_from
            .clone()
            .or_else(|| opts.default_from.as_deref().map(address::bare_address))
        {
            Some(from) => from,
            None => header_from(&fields)?.unwrap_or_else(local_user_address),
        };
        envelope.from = to_wire(&mail_from, &mut envelope.smtputf8)?;
        envelope.to = recipients(&fields, opts, &mut envelope.smtputf8)?;

        let mut out = Counting::new(BufWriter::with_capacity(64 * 1024, file));
        let domain = envelope.from.rsplit_once('@').map(|(_, d)| d.to_string());
        let mut message_id = fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case("Message-ID"))
            .map(|f| message_id(&f.value()));
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
            let id = compose::new_message_id(&domain.unwrap_or_else(local_host_name))?;
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
                    compose::mailbox_field("From", &mailbox)
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
        let mut eight_bit = self.lines.iter().any(|l| !l.is_ascii());
        w(&mut out, b"\r\n")?;
        if let Some(l) = &self.first_body {
            eight_bit |= !l.is_ascii();
            w(&mut out, l)?;
            w(&mut out, b"\r\n")?;
        }
        if self.has_body {
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

/// The id in a Message-ID field's value: what is between its angle brackets, or the
/// value trimmed when it has none.
fn message_id(value: &str) -> String {
    let value = value.trim();
    match value.find('<') {
        Some(open) => match value[open..].find('>') {
            Some(close) => value[open + 1..open + close].to_string(),
            None => value[open + 1..].to_string(),
        },
        None => value.to_string(),
    }
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
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{extract, spool_for_test as run};
    use super::*;

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
        let (text, s) = run(input, &extract()).unwrap();
        assert_eq!(text.matches("Date:").count(), 1);
        assert_eq!(s.message_id, "k@x");
        assert!(text.ends_with("\r\n\r\nx\r\n"), "{text:?}");
    }

    #[test]
    fn every_line_ending_becomes_crlf() {
        let input = b"To: b@x.org\r\n\r\nlf\ncrlf\r\ncr\rmixed\n\r.\r\n.\n\r\nend";
        let (text, _) = run(input, &extract()).unwrap();
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
        let err = run(&input, &extract()).unwrap_err();
        assert!(
            matches!(err, ComposeError::BadInput(ref m) if m.contains("line 4")),
            "{err}"
        );
        input.truncate(input.len() - 1);
        assert!(run(&input, &extract()).is_ok());
    }

    #[test]
    fn mbox_from_line_is_skipped() {
        let (text, _) = run(
            b"From someone Mon Jan 1 00:00:00 2024\nTo: b@x.org\n\nx\n",
            &extract(),
        )
        .unwrap();
        assert!(!text.contains("From someone"), "{text}");
    }
    #[test]
    fn the_message_id_is_read_from_its_field() {
        let input = b"Message-ID:\n  <k@x> (comment)\nFrom: a@x.org\nTo: b@x.org\n\nx\n";
        let (text, s) = run(input, &extract()).unwrap();
        assert_eq!(s.message_id, "k@x");
        assert_eq!(text.matches("Message-ID").count(), 1, "{text}");
        assert_eq!(message_id(" bare@x "), "bare@x");
    }
}
