//! The dialogue over a scripted peer: the server's lines are given up front (IMAP's
//! client speaks only after it has read what it waits for), and what posta wrote is
//! checked afterwards.

use std::io::{self, BufRead, Read, Write};
use std::time::{Duration, Instant};

use super::*;
use crate::imap::Login;
use crate::model::AuthMechanism;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

struct Scripted {
    input: io::Cursor<Vec<u8>>,
    out: Vec<u8>,
    tls: bool,
}

impl Read for Scripted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.input.read(buf)
    }
}
impl BufRead for Scripted {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.input.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        self.input.consume(n)
    }
}
impl Write for Scripted {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
impl Wire for Scripted {
    fn start_tls(&mut self, _host: &str) -> Result<(), ImapError> {
        self.tls = true;
        Ok(())
    }
    fn set_deadline(&mut self, _deadline: Option<Instant>) {}
    fn is_tls(&self) -> bool {
        self.tls
    }
}

fn session(server: &str, tls: bool) -> Session<Scripted> {
    let wire = Scripted {
        input: io::Cursor::new(server.replace('\n', "\r\n").into_bytes()),
        out: Vec::new(),
        tls,
    };
    Session::start(wire, Duration::from_secs(5), None)
        .unwrap()
        .0
}

fn written(s: &Session<Scripted>) -> String {
    String::from_utf8(s.wire.out.clone()).unwrap()
}

fn login<'a>(secret: &'a Secret, token: bool) -> Login<'a> {
    Login {
        user: "jo@example.org",
        secret,
        token,
        mechanism: AuthMechanism::Auto,
        host: "imap.example.org",
        port: 993,
    }
}

const MESSAGE: &[u8] = b"Subject: hi\r\n\r\nbody\r\n";

fn write_message(out: &mut dyn Write) -> io::Result<()> {
    out.write_all(MESSAGE)
}

#[test]
fn starttls_plain_login_special_use_and_append_with_literal_plus() {
    let mut s = session(
        "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\n\
         p1 OK go\n\
         * CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR\n\
         p2 OK done\n\
         p3 OK [CAPABILITY IMAP4rev1 LITERAL+ SPECIAL-USE LIST-EXTENDED] logged in\n\
         * LIST (\\HasNoChildren) \".\" Sent\n\
         * LIST (\\Sent) \".\" \"Sent Messages\"\n\
         p4 OK listed\n\
         p5 OK [APPENDUID 1 2] appended\n",
        false,
    );
    s.start_tls("imap.example.org").unwrap();
    let secret = Secret::new("hunter2");
    s.login(&login(&secret, false)).unwrap();
    let folder = s.sent_folder(None).unwrap();
    assert_eq!(folder.wire, "Sent Messages");
    s.append(
        &folder,
        Some("06-Dec-2026 23:48:06 +0000"),
        MESSAGE.len() as u64,
        &mut write_message,
    )
    .unwrap();
    let plain = STANDARD.encode("\0jo@example.org\0hunter2");
    assert_eq!(
        written(&s),
        format!(
            "p1 STARTTLS\r\np2 CAPABILITY\r\np3 AUTHENTICATE PLAIN {plain}\r\n\
             p4 LIST \"\" \"*\" RETURN (SPECIAL-USE)\r\n\
             p5 APPEND \"Sent Messages\" (\\Seen) \"06-Dec-2026 23:48:06 +0000\" {{21+}}\r\n\
             Subject: hi\r\n\r\nbody\r\n\r\n"
        )
    );
}

#[test]
fn without_literal_plus_the_literal_waits_for_the_go_ahead() {
    let mut s = session(
        "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\n\
         + send it\n\
         p1 OK appended\n",
        true,
    );
    let folder = FolderName {
        wire: utf7::encode("Отправленные"),
        shown: "Отправленные".into(),
    };
    s.append(&folder, None, MESSAGE.len() as u64, &mut write_message)
        .unwrap();
    assert_eq!(
        written(&s),
        "p1 APPEND \"&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-\" (\\Seen) {21}\r\nSubject: hi\r\n\r\nbody\r\n\r\n"
    );
}

#[test]
fn a_refused_append_sends_no_literal_and_trycreate_is_told_apart() {
    let mut s = session(
        "* OK [CAPABILITY IMAP4rev1] ready\n\
         p1 NO [TRYCREATE] no such folder\n",
        true,
    );
    let folder = FolderName {
        wire: "Sent".into(),
        shown: "Sent".into(),
    };
    let e = s
        .append(&folder, None, MESSAGE.len() as u64, &mut write_message)
        .unwrap_err();
    assert_eq!(e.kind, ImapErrorKind::NoFolder);
    assert!(!written(&s).contains("Subject"), "{}", written(&s));
}

#[test]
fn a_message_of_another_size_than_announced_stops_the_session() {
    let mut s = session("* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\n", true);
    let folder = FolderName {
        wire: "Sent".into(),
        shown: "Sent".into(),
    };
    let e = s.append(&folder, None, 5, &mut write_message).unwrap_err();
    assert_eq!(e.kind, ImapErrorKind::Payload);
    assert!(s.is_broken());
    let e = s.append(&folder, None, 50, &mut write_message).unwrap_err();
    assert_eq!(e.kind, ImapErrorKind::Payload, "{e}");
}

#[test]
fn the_secret_never_shows_in_an_error_even_when_echoed() {
    let mut s = session(
        "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\n\
         + \n\
         p1 NO [AUTHENTICATIONFAILED] bad password hunter2 \x1b[31m\n",
        true,
    );
    let secret = Secret::new("hunter2");
    let e = s.login(&login(&secret, false)).unwrap_err();
    assert_eq!(e.kind, ImapErrorKind::Auth);
    let text = e.to_string();
    assert!(!text.contains("hunter2"), "{text}");
    assert!(
        text.contains("(redacted)") && text.contains("\\x1b"),
        "{text}"
    );
}

#[test]
fn an_oauth_token_uses_oauthbearer_or_xoauth2_and_answers_the_error_challenge() {
    let mut s = session(
        "* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2 SASL-IR] ready\n\
         + eyJzdGF0dXMiOiI0MDEifQ==\n\
         p1 NO [AUTHENTICATIONFAILED] invalid token\n",
        true,
    );
    let token = Secret::new("ya29.token");
    let e = s.login(&login(&token, true)).unwrap_err();
    assert_eq!(e.kind, ImapErrorKind::Auth);
    let xoauth = STANDARD.encode("user=jo@example.org\x01auth=Bearer ya29.token\x01\x01");
    assert_eq!(
        written(&s),
        format!("p1 AUTHENTICATE XOAUTH2 {xoauth}\r\n\r\n")
    );
    let mut s = session(
        "* OK [CAPABILITY IMAP4rev1 AUTH=OAUTHBEARER AUTH=XOAUTH2] ready\n+ \np1 OK [CAPABILITY IMAP4rev1] in\n",
        true,
    );
    s.login(&login(&token, true)).unwrap();
    assert!(
        written(&s).starts_with("p1 AUTHENTICATE OAUTHBEARER\r\n"),
        "{}",
        written(&s)
    );
}

#[test]
fn login_only_inside_tls_and_only_when_not_disabled() {
    let secret = Secret::new("pw\"x");
    let mut s = session("* OK [CAPABILITY IMAP4rev1] ready\n", false);
    let e = s.login(&login(&secret, false)).unwrap_err();
    assert!(e.to_string().contains("without TLS"), "{e}");
    assert_eq!(written(&s), "");
    let mut s = session(
        "* OK [CAPABILITY IMAP4rev1] ready\np1 OK [CAPABILITY IMAP4rev1] in\n",
        true,
    );
    s.login(&login(&secret, false)).unwrap();
    assert_eq!(written(&s), "p1 LOGIN \"jo@example.org\" \"pw\\\"x\"\r\n");
    let mut s = session("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] ready\n", true);
    assert!(s.login(&login(&secret, false)).is_err());
}

#[test]
fn no_starttls_offered_is_an_error_not_clear_text() {
    let mut s = session("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\n", false);
    let e = s.start_tls("imap.example.org").unwrap_err();
    assert!(e.to_string().contains("STARTTLS"), "{e}");
    assert_eq!(written(&s), "");
}

#[test]
fn a_greeting_without_capabilities_asks_and_bye_is_refused() {
    let s = session(
        "* OK ready\n* CAPABILITY IMAP4rev1 XLIST\np1 OK done\n",
        true,
    );
    assert!(s.has("XLIST"));
    let wire = Scripted {
        input: io::Cursor::new(b"* BYE go away\r\n".to_vec()),
        out: Vec::new(),
        tls: true,
    };
    assert!(Session::start(wire, Duration::from_secs(1), None).is_err());
}

#[test]
fn xlist_when_that_is_all_there_is() {
    let mut s = session(
        "* OK [CAPABILITY IMAP4rev1 XLIST] ready\n\
         * XLIST (\\HasNoChildren \\Sent) \"/\" \"[Gmail]/Sent Mail\"\n\
         p1 OK done\n",
        true,
    );
    let f = s.sent_folder(None).unwrap();
    assert_eq!(f.wire, "[Gmail]/Sent Mail");
    assert_eq!(written(&s), "p1 XLIST \"\" \"*\"\r\n");
}

#[test]
fn the_transcript_never_holds_the_secret_in_any_form() {
    let trace = Trace::default();
    let wire = Scripted {
        input: io::Cursor::new(
            b"* OK [CAPABILITY IMAP4rev1] ready\r\np1 OK [CAPABILITY IMAP4rev1] pw\"x in\r\n"
                .to_vec(),
        ),
        out: Vec::new(),
        tls: true,
    };
    let mut s = Session::start(wire, Duration::from_secs(5), Some(trace.clone()))
        .unwrap()
        .0;
    let secret = Secret::new("pw\"x");
    s.login(&login(&secret, false)).unwrap();
    let lines = trace.borrow().join("\n");
    assert!(written(&s).contains("\"pw\\\"x\""), "the real line has it");
    assert!(
        !lines.contains("pw\\\"x") && !lines.contains("pw\"x"),
        "{lines}"
    );
    assert!(
        lines.contains("~> p1 LOGIN \"jo@example.org\" (redacted)"),
        "{lines}"
    );
    let plain = Secret::new("hunter2");
    let trace = Trace::default();
    let wire = Scripted {
        input: io::Cursor::new(
            b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] ready\r\np1 OK [CAPABILITY IMAP4rev1] in\r\n"
                .to_vec(),
        ),
        out: Vec::new(),
        tls: true,
    };
    let mut s = Session::start(wire, Duration::from_secs(5), Some(trace.clone()))
        .unwrap()
        .0;
    s.login(&login(&plain, false)).unwrap();
    let lines = trace.borrow().join("\n");
    let encoded = STANDARD.encode("\0jo@example.org\0hunter2");
    assert!(
        !lines.contains(&encoded) && !lines.contains("hunter2"),
        "{lines}"
    );
    assert!(
        lines.contains("~> p1 AUTHENTICATE PLAIN (redacted)"),
        "{lines}"
    );
}

#[test]
fn literal_minus_sends_small_messages_unasked_and_waits_for_large_ones() {
    let folder = FolderName {
        wire: "Sent".into(),
        shown: "Sent".into(),
    };
    let mut s = session(
        "* OK [CAPABILITY IMAP4rev1 LITERAL-] ready\np1 OK done\n",
        true,
    );
    s.append(&folder, None, MESSAGE.len() as u64, &mut write_message)
        .unwrap();
    assert!(written(&s).starts_with("p1 APPEND \"Sent\" (\\Seen) {21+}\r\n"));
    // Over RFC 7888's 4096 octets: the go-ahead first.
    let big = vec![b'x'; 5000];
    let mut s = session(
        "* OK [CAPABILITY IMAP4rev1 LITERAL-] ready\n+ go\np1 OK done\n",
        true,
    );
    s.append(&folder, None, big.len() as u64, &mut |out| {
        out.write_all(&big)
    })
    .unwrap();
    assert!(written(&s).starts_with("p1 APPEND \"Sent\" (\\Seen) {5000}\r\nxxx"));
}
