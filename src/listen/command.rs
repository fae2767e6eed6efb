//! One command line of a client's SMTP dialogue, read into a [`Command`]: the verb,
//! the path of MAIL and RCPT, and their parameters (RFC 5321 §4.1.1, SIZE RFC 1870,
//! BODY RFC 6152, SMTPUTF8 RFC 6531, RET/ENVID/NOTIFY/ORCPT RFC 3461). No I/O.

use super::reply::Answer;

/// What a client asked for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Ehlo(String),
    Helo(String),
    Mail(Mail),
    Rcpt(Rcpt),
    Data,
    Rset,
    Noop,
    Quit,
    Vrfy,
    Help,
    /// A verb posta knows but does not offer here (EXPN, STARTTLS, AUTH, BDAT, TURN…).
    NotOffered(String),
}

/// MAIL FROM and its parameters.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Mail {
    /// The reverse path without angle brackets; empty for `<>`.
    pub from: String,
    /// SIZE=: what the client says the message will weigh.
    pub size: Option<u64>,
    /// BODY=8BITMIME.
    pub eight_bit: bool,
    /// SMTPUTF8: addresses may be UTF-8.
    pub smtputf8: bool,
    /// RET=FULL or HDRS.
    pub ret: Option<String>,
    /// ENVID=, decoded from xtext.
    pub envid: Option<String>,
}

/// RCPT TO and its parameters.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rcpt {
    pub to: String,
    /// NOTIFY=, canonical (see [`crate::envelope::Dsn::parse_notify`]).
    pub notify: Option<String>,
    /// ORCPT=, as given (accepted, not passed on).
    pub orcpt: Option<String>,
}

/// Read one command line (without its CRLF). `smtputf8_ok`: whether the MAIL of this
/// transaction asked for SMTPUTF8 (a RCPT's UTF-8 address needs it).
pub fn parse(line: &str, smtputf8_ok: bool) -> Result<Command, Answer> {
    let (verb, rest) = match line.find(' ') {
        Some(i) => (&line[..i], line[i + 1..].trim()),
        None => (line, ""),
    };
    let verb = verb.to_ascii_uppercase();
    Ok(match verb.as_str() {
        "EHLO" | "HELO" => {
            if rest.is_empty() {
                return Err(Answer::new(501, "5.5.4", format!("{verb} needs a domain")));
            }
            let name = rest.split(' ').next().unwrap_or("").to_string();
            if verb == "EHLO" {
                Command::Ehlo(name)
            } else {
                Command::Helo(name)
            }
        }
        "MAIL" => Command::Mail(mail(rest)?),
        "RCPT" => Command::Rcpt(rcpt(rest, smtputf8_ok)?),
        "DATA" => Command::Data,
        "RSET" => Command::Rset,
        "NOOP" => Command::Noop,
        "QUIT" => Command::Quit,
        "VRFY" => Command::Vrfy,
        "HELP" => Command::Help,
        "EXPN" | "STARTTLS" | "AUTH" | "BDAT" | "TURN" | "ETRN" | "ATRN" | "SEND" | "SOML"
        | "SAML" => Command::NotOffered(verb),
        _ => {
            return Err(Answer::new(
                500,
                "5.5.2",
                "command not recognized".to_string(),
            ));
        }
    })
}

fn syntax(what: &str) -> Answer {
    Answer::new(501, "5.5.4", format!("syntax: {what}"))
}

/// `FROM:<path> params…`
fn mail(rest: &str) -> Result<Mail, Answer> {
    let after = strip_keyword(rest, "FROM:").ok_or_else(|| syntax("MAIL FROM:<address>"))?;
    let (path, params) = path_and_params(after).ok_or_else(|| syntax("MAIL FROM:<address>"))?;
    let mut mail = Mail::default();
    let mut path_utf8 = false;
    mail.from = address(path, true, &mut path_utf8)?;
    for param in params {
        let (key, value) = split_param(param);
        match (key.to_ascii_uppercase().as_str(), value) {
            ("SIZE", Some(v)) => {
                mail.size = Some(v.parse().map_err(|_| syntax("SIZE=octets"))?);
            }
            ("BODY", Some(v)) if v.eq_ignore_ascii_case("8BITMIME") => mail.eight_bit = true,
            ("BODY", Some(v)) if v.eq_ignore_ascii_case("7BIT") => {}
            ("SMTPUTF8", None) => mail.smtputf8 = true,
            ("RET", Some(v))
                if v.eq_ignore_ascii_case("FULL") || v.eq_ignore_ascii_case("HDRS") =>
            {
                mail.ret = Some(v.to_ascii_uppercase());
            }
            ("ENVID", Some(v)) => {
                let id = xtext_decode(v).ok_or_else(|| syntax("ENVID=xtext"))?;
                // RFC 3461 §4.4: at most 100 characters.
                if id.len() > 100 {
                    return Err(syntax("ENVID= of at most 100 characters"));
                }
                mail.envid = Some(id);
            }
            _ => return Err(unknown_parameter(param)),
        }
    }
    if path_utf8 && !mail.smtputf8 {
        return Err(needs_smtputf8());
    }
    Ok(mail)
}

/// `TO:<path> params…`
fn rcpt(rest: &str, smtputf8_ok: bool) -> Result<Rcpt, Answer> {
    let after = strip_keyword(rest, "TO:").ok_or_else(|| syntax("RCPT TO:<address>"))?;
    let (path, params) = path_and_params(after).ok_or_else(|| syntax("RCPT TO:<address>"))?;
    let mut utf8 = false;
    let to = address(path, false, &mut utf8)?;
    if utf8 && !smtputf8_ok {
        return Err(needs_smtputf8());
    }
    let mut rcpt = Rcpt {
        to,
        ..Rcpt::default()
    };
    for param in params {
        let (key, value) = split_param(param);
        match (key.to_ascii_uppercase().as_str(), value) {
            ("NOTIFY", Some(v)) => {
                rcpt.notify = Some(
                    crate::envelope::Dsn::parse_notify(v)
                        .map_err(|why| Answer::new(501, "5.5.4", why))?,
                );
            }
            ("ORCPT", Some(v)) if v.contains(';') => rcpt.orcpt = Some(v.to_string()),
            _ => return Err(unknown_parameter(param)),
        }
    }
    Ok(rcpt)
}

fn unknown_parameter(param: &str) -> Answer {
    Answer::new(
        555,
        "5.5.4",
        format!("parameter not recognized: {}", printable(param)),
    )
}

fn needs_smtputf8() -> Answer {
    // RFC 6531 §3.4
    Answer::new(
        553,
        "5.6.7",
        "a UTF-8 address needs MAIL FROM with SMTPUTF8".to_string(),
    )
}

/// `keyword` (any case), optionally followed by spaces (some clients write
/// `MAIL FROM: <a@x>`).
fn strip_keyword<'a>(rest: &'a str, keyword: &str) -> Option<&'a str> {
    let head = rest.get(..keyword.len())?;
    head.eq_ignore_ascii_case(keyword)
        .then(|| rest[keyword.len()..].trim_start())
}

/// The path (`<…>`, or a bare address as some clients write it) and the parameters
/// after it.
fn path_and_params(s: &str) -> Option<(&str, impl Iterator<Item = &str>)> {
    let (path, rest) = if let Some(inner) = s.strip_prefix('<') {
        let close = inner.find('>')?;
        (&inner[..close], &inner[close + 1..])
    } else {
        match s.find(' ') {
            Some(i) => (&s[..i], &s[i..]),
            None => (s, ""),
        }
    };
    if !rest.is_empty() && !rest.starts_with(' ') {
        return None;
    }
    Some((path, rest.split(' ').filter(|p| !p.is_empty())))
}

/// The mailbox of a path: a source route (`@a,@b:`) dropped (RFC 5321 §4.1.1.3, C.),
/// nothing that would need quoting on a line, `<>` only where allowed.
fn address(path: &str, null_ok: bool, utf8: &mut bool) -> Result<String, Answer> {
    let mailbox = match path.strip_prefix('@') {
        Some(route) => route.split_once(':').map_or("", |(_, m)| m),
        None => path,
    };
    if mailbox.is_empty() {
        return if null_ok {
            Ok(String::new())
        } else {
            Err(Answer::new(501, "5.1.3", "an empty recipient".to_string()))
        };
    }
    let bad = mailbox
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || "<>,;\\".contains(c));
    // RFC 5321 §4.5.3.1.3: a path is at most 256 octets.
    if bad || mailbox.len() > 256 || mailbox.starts_with('@') || mailbox.ends_with('@') {
        return Err(Answer::new(
            553,
            "5.1.3",
            format!("not an address: {}", printable(mailbox)),
        ));
    }
    *utf8 |= !mailbox.is_ascii();
    Ok(mailbox.to_string())
}

fn split_param(param: &str) -> (&str, Option<&str>) {
    match param.split_once('=') {
        Some((k, v)) => (k, Some(v)),
        None => (param, None),
    }
}

/// RFC 3461 §4: xtext, `+HH` for what is not printable ASCII or is `+` or `=`.
fn xtext_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'=' => return None,
            b @ 33..=126 => {
                out.push(b);
                i += 1;
            }
            _ => return None,
        }
    }
    String::from_utf8(out).ok()
}

/// Outside text quoted back in a reply: printable ASCII only, at most 100 characters.
pub(super) fn printable(s: &str) -> String {
    s.chars()
        .take(100)
        .map(|c| if (' '..='~').contains(&c) { c } else { '?' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(line: &str) -> Command {
        parse(line, false).unwrap_or_else(|a| panic!("{line}: {a:?}"))
    }

    fn code(line: &str) -> u16 {
        parse(line, false).unwrap_err().code
    }

    #[test]
    fn mail_reads_its_path_and_parameters() {
        let Command::Mail(m) =
            ok("mail FROM:<a@x.org> SIZE=1200 BODY=8BITMIME RET=hdrs ENVID=id+2Bone")
        else {
            panic!()
        };
        assert_eq!(m.from, "a@x.org");
        assert_eq!(m.size, Some(1200));
        assert!(m.eight_bit && !m.smtputf8);
        assert_eq!(m.ret.as_deref(), Some("HDRS"));
        assert_eq!(m.envid.as_deref(), Some("id+one"));
        let Command::Mail(m) = ok("MAIL FROM: <>") else {
            panic!()
        };
        assert_eq!(m.from, "");
        let Command::Mail(m) = ok("MAIL FROM:<@relay.example:a@x.org>") else {
            panic!()
        };
        assert_eq!(m.from, "a@x.org");
        let Command::Mail(m) = ok("MAIL FROM:bare@x.org") else {
            panic!()
        };
        assert_eq!(m.from, "bare@x.org");
    }

    #[test]
    fn rcpt_reads_notify_and_orcpt() {
        let Command::Rcpt(r) = ok("RCPT TO:<b@x.org> NOTIFY=failure,delay ORCPT=rfc822;b@x.org")
        else {
            panic!()
        };
        assert_eq!(r.to, "b@x.org");
        assert_eq!(r.notify.as_deref(), Some("FAILURE,DELAY"));
        assert_eq!(r.orcpt.as_deref(), Some("rfc822;b@x.org"));
        assert_eq!(code("RCPT TO:<b@x.org> NOTIFY=never,success"), 501);
    }

    #[test]
    fn what_is_not_smtp_is_refused_with_the_right_code() {
        assert_eq!(code("MAIL FROM:<a@x.org> FOO=1"), 555);
        assert_eq!(code("MAIL <a@x.org>"), 501);
        assert_eq!(code("MAIL FROM:<a@x.org>junk"), 501);
        assert_eq!(code("RCPT TO:<>"), 501);
        assert_eq!(code("RCPT TO:<a b@x.org>"), 553);
        assert_eq!(code("RCPT TO:<a@x.org>,<c@x.org>"), 501);
        assert_eq!(code("RCPT TO:<a\r@x.org>"), 553);
        assert_eq!(code("EHLO"), 501);
        assert_eq!(code("GET / HTTP/1.1"), 500);
        assert_eq!(code("MAIL FROM:<a@x.org> ENVID=a=b"), 501);
        assert_eq!(ok("expn list"), Command::NotOffered("EXPN".into()));
    }

    #[test]
    fn a_utf8_address_needs_smtputf8() {
        assert_eq!(code("MAIL FROM:<jörg@x.org>"), 553);
        assert!(matches!(
            ok("MAIL FROM:<jörg@x.org> SMTPUTF8"),
            Command::Mail(Mail { smtputf8: true, .. })
        ));
        assert_eq!(code("RCPT TO:<jörg@x.org>"), 553);
        assert!(parse("RCPT TO:<jörg@x.org>", true).is_ok());
    }

    #[test]
    fn replies_quote_outside_text_printably() {
        let a = parse("MAIL FROM:<a@x.org> X=\u{1b}[31m", false).unwrap_err();
        assert!(!a.text().contains('\u{1b}'), "{:?}", a);
    }
}
