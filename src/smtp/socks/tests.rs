//! The handshake over a scripted proxy (bytes in, bytes out), and a proxy that
//! stalls, over a real loopback socket.

use std::io::Cursor;

use super::*;
use crate::model::exit_code::Code;

/// A proxy that answers with `reply` whatever it is sent, and keeps what it was sent.
struct Script {
    reply: Cursor<Vec<u8>>,
    sent: Vec<u8>,
}

impl Read for Script {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reply.read(buf)
    }
}

impl Write for Script {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sent.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn proxy(user: Option<&str>, password: Option<&str>) -> Proxy {
    Proxy {
        host: "127.0.0.1".into(),
        port: 1080,
        remote_dns: true,
        user: user.map(Into::into),
        password: password.map(Secret::new),
    }
}

fn run(reply: &[u8], target: &Target, proxy: &Proxy) -> (Result<(), Refusal>, Vec<u8>) {
    let mut script = Script {
        reply: Cursor::new(reply.to_vec()),
        sent: Vec::new(),
    };
    let result = handshake(&mut script, target, proxy);
    (result, script.sent)
}

const SUCCEEDED_V4: &[u8] = &[5, 0, 0, 1, 127, 0, 0, 1, 0x04, 0x38];

fn name() -> Target {
    Target::Name("mx.example.org".into(), 587)
}

#[test]
fn connects_by_name_without_a_login() {
    let reply = [&[5, NO_AUTH][..], SUCCEEDED_V4].concat();
    let (result, sent) = run(&reply, &name(), &proxy(None, None));
    result.unwrap();
    let mut expected = vec![5, 1, 0, 5, 1, 0, 3, 14];
    expected.extend_from_slice(b"mx.example.org");
    expected.extend_from_slice(&587u16.to_be_bytes());
    assert_eq!(sent, expected);
}

#[test]
fn connects_to_an_address_and_reads_a_named_bound_address() {
    let target = Target::Ip("[::1]:25".parse().unwrap());
    let mut reply = vec![5, NO_AUTH, 5, 0, 0, 3, 4];
    reply.extend_from_slice(b"host\x00\x19");
    let (result, sent) = run(&reply, &target, &proxy(None, None));
    result.unwrap();
    let mut expected = vec![5, 1, 0, 5, 1, 0, 4];
    expected.extend_from_slice(&std::net::Ipv6Addr::LOCALHOST.octets());
    expected.extend_from_slice(&[0, 25]);
    assert_eq!(sent, expected);
}

#[test]
fn logs_in_with_user_and_password_when_the_proxy_asks() {
    let reply = [&[5, USER_PASSWORD, 1, 0][..], SUCCEEDED_V4].concat();
    let (result, sent) = run(&reply, &name(), &proxy(Some("me"), Some("pw!")));
    result.unwrap();
    assert_eq!(&sent[..4], &[5, 2, NO_AUTH, USER_PASSWORD]);
    assert_eq!(&sent[4..12], b"\x01\x02me\x03pw!");
}

#[test]
fn a_refused_login_is_77_and_never_shows_the_password() {
    let p = proxy(Some("me"), Some("s3cret"));
    let (result, _) = run(&[5, USER_PASSWORD, 1, 1], &name(), &p);
    let err = result.unwrap_err().into_error(&p, "mx.example.org:587");
    assert_eq!(err.exit_code(), Code::NoPerm);
    let text = err.to_string();
    assert_eq!(
        text,
        "cannot connect to mx.example.org:587 through socks5h://127.0.0.1:1080: \
         the proxy refused the user name and password of me"
    );
    assert!(!format!("{err:?}").contains("s3cret"));
}

#[test]
fn a_proxy_that_wants_a_login_we_lack_says_how_to_give_one() {
    let p = proxy(None, None);
    let (result, _) = run(&[5, NO_ACCEPTABLE], &name(), &p);
    let err = result.unwrap_err().into_error(&p, "mx.example.org:587");
    assert_eq!(err.exit_code(), Code::NoPerm);
    assert!(err.to_string().contains("POSTA_PROXY_PASSWORD"), "{err}");
}

#[test]
fn the_proxys_reply_codes_are_said_in_words_with_their_exit_codes() {
    let p = proxy(None, None);
    for (code, words, exit, transient) in [
        (1, "general SOCKS server failure (1)", Code::TempFail, true),
        (
            2,
            "connection not allowed by its rules (2)",
            Code::Unavailable,
            false,
        ),
        (4, "host unreachable (4)", Code::TempFail, true),
        (5, "connection refused (5)", Code::TempFail, true),
        (7, "command not supported (7)", Code::Protocol, false),
        (
            8,
            "address type not supported (8)",
            Code::Unavailable,
            false,
        ),
        (
            42,
            "reply code 42, which SOCKS5 does not define",
            Code::Protocol,
            false,
        ),
    ] {
        let (result, _) = run(&[5, NO_AUTH, 5, code, 0, 1], &name(), &p);
        let err = result.unwrap_err().into_error(&p, "mx.example.org:587");
        assert!(err.to_string().contains(words), "{code}: {err}");
        assert_eq!(
            (err.exit_code(), err.is_transient()),
            (exit, transient),
            "{code}"
        );
    }
}

#[test]
fn garbage_from_the_proxy_is_a_protocol_error() {
    let p = proxy(None, None);
    for reply in [
        &b"HTTP/1.1 400 Bad Request\r\n"[..],
        &[5, NO_AUTH, 4, 0, 0, 1],
        &[5, 9],
    ] {
        let (result, _) = run(reply, &name(), &p);
        let err = result.unwrap_err().into_error(&p, "mx.example.org:587");
        assert_eq!(err.exit_code(), Code::Protocol, "{err}");
    }
    // Cut short: the proxy closed in the middle of its reply.
    let (result, _) = run(&[5, NO_AUTH, 5, 0], &name(), &p);
    let err = result.unwrap_err().into_error(&p, "mx.example.org:587");
    assert!(err.to_string().contains("closed the connection"), "{err}");
}

#[test]
fn a_name_too_long_for_socks5_is_refused_before_sending_it() {
    let target = Target::Name("a".repeat(256), 25);
    let (result, sent) = run(&[5, NO_AUTH], &target, &proxy(None, None));
    assert!(matches!(result, Err(Refusal::Input(_))));
    assert_eq!(sent, [5, 1, 0]);
}

/// A proxy that accepts the connection and never answers: the handshake ends at the
/// time limit (a timeout, worth a retry), not never.
#[test]
fn a_stalling_proxy_is_a_timeout() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let holder = std::thread::spawn(move || {
        let (conn, _) = listener.accept().unwrap();
        // Hold the connection open without a word until the client gives up.
        let mut buf = [0u8; 64];
        let _ = (&conn).read(&mut buf);
        let _ = (&conn).read(&mut buf);
    });
    let p = Proxy {
        port,
        ..proxy(None, None)
    };
    let mut log = Log::new(None);
    let err = connect(&p, "mx.example.org", 25, Duration::from_secs(1), &mut log).unwrap_err();
    assert!(matches!(err.kind, SmtpErrorKind::Timeout), "{err:?}");
    assert_eq!(err.exit_code(), Code::TempFail);
    holder.join().unwrap();
}
