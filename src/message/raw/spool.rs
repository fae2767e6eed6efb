//! Copying a message into its spool file: the envelope (MAIL FROM and recipients), a
//! Date, Message-ID and From added when missing, Bcc and Resent-Bcc left out, every
//! line ending made CRLF, and the bytes counted as they go.

use std::io::{BufRead, Write};

use super::body::{self, Rules, Spool};
use super::header_block::{Field, HeaderBlock, Lines, has, join_fields};
use super::recipients::{header_from, recipients, to_wire};
use super::store::Space;
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
        self.spool_into(input, opts, Space::default())
    }

    /// Like [`HeaderBlock::spool`], into the space of a message spooled before (from
    /// [`Spooled::into_space`]): a batch of thousands of messages needs neither an
    /// allocation nor a file each.
    pub fn spool_reusing(
        self,
        input: &mut dyn BufRead,
        opts: &RawOptions,
        space: Space,
    ) -> Result<Spooled, ComposeError> {
        self.spool_into(input, opts, space)
    }

    fn spool_into(
        self,
        input: &mut dyn BufRead,
        opts: &RawOptions,
        space: Space,
    ) -> Result<Spooled, ComposeError> {
        let mut lines = Lines::new(input);
        lines.number = self.line_number;
        lines.after_cr = self.after_cr;
        let fields = self.fields();
        let has = |name: &str| has(&fields, name);
        let is_bcc = |name: &str| {
            ["Bcc", "Resent-Bcc"]
                .iter()
                .any(|n| name.eq_ignore_ascii_case(n))
        };
        let bcc = join_fields(&fields, is_bcc);

        let mut envelope = Envelope::default();
        let mail_from = match opts
            .envelope_from
            .clone()
            .or_else(|| opts.default_from.as_deref().map(address::bare_address))
        {
            Some(from) => from,
            None => header_from(&fields)?.unwrap_or_else(super::local::user_address),
        };
        envelope.from = to_wire(&mail_from, &mut envelope.smtputf8)?;
        envelope.to = recipients(&fields, opts, &mut envelope.smtputf8)?;

        let domain = envelope.from.rsplit_once('@').map(|(_, d)| d.to_string());
        let mut message_id = fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case("Message-ID"))
            .map(|f| message_id(&f.value()));
        // The fields posta adds, made once: the header block may be written twice.
        let mut added = String::new();
        if !has("Date") {
            added.push_str(&format!("Date: {}\r\n", chrono::Local::now().to_rfc2822()));
        }
        if !has("Message-ID") {
            let id = compose::new_message_id(&domain.unwrap_or_else(super::local::host_name))?;
            added.push_str(&format!("Message-ID: <{id}>\r\n"));
            message_id = Some(id);
        }
        // `from_header = "rewrite"`: a From that is not the profile's address is
        // replaced by the profile's (the provider would refuse it anyway).
        // A local user's From (`root@<this host>`, cron's `root (Cron Daemon)`, which
        // reads as no address at all) is replaced by the profile's address whenever
        // the profile has one: no provider takes it. `from_header = "rewrite"` also
        // replaces any other address that is not the profile's.
        let profile_address = opts.default_from.as_deref().map(address::bare_address);
        let rewrite = match (&profile_address, header_from(&fields)?) {
            (Some(_), None) => has("From"),
            (Some(profile), Some(from)) => {
                super::local::is_local_sender(&from)
                    || (opts.rewrite_from && !from.eq_ignore_ascii_case(profile))
            }
            (None, _) => false,
        };
        if !has("From") || rewrite {
            added.push_str(&from_field(opts, &mail_from));
        }
        let head = |out: &mut dyn Write, qp: bool| -> std::io::Result<()> {
            out.write_all(added.as_bytes())?;
            // Bcc must never reach the recipients; the envelope already holds them.
            out.write_all(&join_fields(&fields, |name| {
                let left_out = is_bcc(name)
                    || (qp && name.eq_ignore_ascii_case("Content-Transfer-Encoding"))
                    || (rewrite && name.eq_ignore_ascii_case("From"));
                !left_out
            }))?;
            if qp {
                if !has("MIME-Version") {
                    out.write_all(b"MIME-Version: 1.0\r\n")?;
                }
                if !has("Content-Type") {
                    // UTF-8 is ASCII's superset, and what a program's output most
                    // likely is; undeclared 8-bit text had no charset at all.
                    out.write_all(b"Content-Type: text/plain; charset=utf-8\r\n")?;
                }
                out.write_all(b"Content-Transfer-Encoding: quoted-printable\r\n")?;
            }
            out.write_all(b"\r\n")
        };
        let mut out = Spool::new(space);
        head(&mut out, false).map_err(|e| bad_io("cannot write the spool file", e))?;
        let head_8bit = self.lines.iter().any(|l| !l.is_ascii());
        let body_start = out.count();
        let head_for_qp = |out: &mut dyn Write| head(out, true);
        let rules = Rules {
            reencodable: reencodable(&fields),
            head_for_qp: &head_for_qp,
        };
        let copied = if self.has_body || self.first_body.is_some() {
            body::copy(
                out,
                body_start,
                &mut lines,
                self.first_body.as_deref(),
                &rules,
            )?
        } else {
            body::Copied {
                spool: out,
                eight_bit: false,
                long_lines: None,
            }
        };
        let stored = copied.spool.finish()?;
        Ok(Spooled {
            size: stored.size,
            stored,
            envelope,
            message_id: message_id
                .unwrap_or_default()
                .trim_matches(|c| c == '<' || c == '>')
                .to_string(),
            eight_bit: head_8bit || copied.eight_bit,
            long_lines: copied.long_lines,
            bcc,
        })
    }
}

/// The From field posta adds to a message without one: the profile's address, else the
/// envelope sender, else the local user; `-F`'s name with it, else the profile's.
fn from_field(opts: &RawOptions, mail_from: &str) -> String {
    let profile_name = opts
        .default_from
        .as_deref()
        .and_then(|f| address::parse_mailbox(f).ok())
        .and_then(|m| m.name);
    // The null sender (`-f '<>'`) is no author: then the local user is.
    let addr = opts
        .default_from
        .as_deref()
        .map(address::bare_address)
        .or_else(|| Some(mail_from.to_string()).filter(|a| !a.trim().is_empty()))
        .unwrap_or_else(super::local::user_address);
    match address::parse_addr_spec(&addr) {
        Ok((local, domain)) => {
            let mailbox = address::Mailbox {
                name: opts.full_name.clone().or(profile_name),
                local,
                domain,
            };
            compose::mailbox_field("From", &mailbox)
        }
        // A sender without a domain ("root") goes as it is, like sendmail's.
        Err(_) => format!("From: {addr}\r\n"),
    }
}

/// A body posta may re-encode: plain text with no transfer encoding of its own.
fn reencodable(fields: &[Field]) -> bool {
    let value = |name: &str| {
        fields
            .iter()
            .rfind(|f| f.name.eq_ignore_ascii_case(name))
            .map(|f| f.value().trim().to_ascii_lowercase())
    };
    let text = value("Content-Type").is_none_or(|t| t.starts_with("text/"));
    let plain = value("Content-Transfer-Encoding")
        .is_none_or(|e| e.is_empty() || e == "7bit" || e == "8bit");
    text && plain
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
#[cfg(test)]
mod tests {
    use super::super::{LongLines, extract, spool_for_test as run};
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

    /// `from_header = "rewrite"`: cron's `From: root (Cron Daemon)` has no address at
    /// all, so it is not the profile's either and is replaced.
    #[test]
    fn rewrite_replaces_a_from_that_is_no_address() {
        let opts = RawOptions {
            recipients: vec!["b@x.org".into()],
            default_from: Some("Machine <m@x.org>".into()),
            rewrite_from: true,
            ..RawOptions::default()
        };
        let input = b"From: root (Cron Daemon)\nTo: root\nSubject: Cron\n\nout\n";
        let (text, _) = run(input, &opts).unwrap();
        let head = text.split_once("\r\n\r\n").unwrap().0;
        assert!(head.contains("From: Machine <m@x.org>"), "{head}");
        assert!(!head.contains("Cron Daemon"), "{head}");
        // The profile's own From stays as written.
        let input = b"From: Me Myself <M@x.org>\n\nout\n";
        let (text, _) = run(input, &opts).unwrap();
        assert!(text.contains("From: Me Myself <M@x.org>\r\n"), "{text}");
    }

    /// Every line of `text` fits SMTP's limit.
    fn lines_fit(text: &str) -> bool {
        text.split("\r\n").all(|l| l.len() <= 998)
    }

    #[test]
    fn a_long_line_in_a_text_body_is_reencoded_as_quoted_printable() {
        let mut input = b"To: b@x.org\nContent-Transfer-Encoding: 8bit\n\nshort = x\n".to_vec();
        input.extend(std::iter::repeat_n(b'y', 5000));
        input.extend(b"\nlast\n");
        let (text, s) = run(&input, &extract()).unwrap();
        assert_eq!(s.long_lines, Some(LongLines::ReEncoded));
        assert!(lines_fit(&text), "{text}");
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let head = format!("{head}\r\n");
        assert!(
            head.contains("Content-Transfer-Encoding: quoted-printable\r\n"),
            "{head}"
        );
        assert!(!head.contains("8bit"), "the old encoding is gone: {head}");
        assert!(head.contains("MIME-Version: 1.0\r\n"), "{head}");
        assert!(
            head.contains("Content-Type: text/plain; charset=utf-8\r\n"),
            "{head}"
        );
        // The body so far was encoded too ("=" is "=3D"), and soft breaks join the line.
        assert!(body.starts_with("short =3D x\r\n"), "{body}");
        let joined = body.replace("=\r\n", "");
        assert!(joined.contains(&format!("\r\n{}\r\nlast\r\n", "y".repeat(5000))));
        assert_eq!(s.size, text.len() as u64);
        assert!(!s.eight_bit);
    }

    #[test]
    fn a_long_line_in_a_body_with_its_own_encoding_is_folded_as_postfix_does() {
        let mut input = b"To: b@x.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\n".to_vec();
        input.extend(std::iter::repeat_n(b'z', 2500));
        input.extend(b"\n--b--\n");
        let (text, s) = run(&input, &extract()).unwrap();
        assert_eq!(s.long_lines, Some(LongLines::Folded));
        assert!(lines_fit(&text), "{text}");
        let body = text.split_once("\r\n\r\n").unwrap().1;
        let unfolded = body.replace("\r\n ", "");
        assert_eq!(
            unfolded,
            format!("--b\r\n{}\r\n--b--\r\n", "z".repeat(2500))
        );
        assert!(!text.contains("quoted-printable"));
    }

    #[test]
    fn lines_of_998_octets_are_left_alone_and_a_long_header_line_is_refused() {
        let mut input = b"To: b@x.org\n\nshort\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 998));
        let (text, s) = run(&input, &extract()).unwrap();
        assert_eq!(s.long_lines, None);
        assert!(text.ends_with(&format!("\r\n{}\r\n", "x".repeat(998))));
        let mut input = b"To: b@x.org\nSubject: ".to_vec();
        input.extend(std::iter::repeat_n(b'x', 999));
        input.extend(b"\n\nbody\n");
        let err = run(&input, &extract()).unwrap_err();
        assert!(
            matches!(err, ComposeError::BadInput(ref m) if m.contains("line 2")),
            "{err}"
        );
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
