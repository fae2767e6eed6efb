//! The SMTP transport against the scripted server: happy paths in every security
//! mode, TLS failures, faults and refusals at every stage, and what went on the wire.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use crate::support::scripted_server::{Action, Config, Record, Server, TestCa, TlsMode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use posta::envelope::{Dsn, Envelope};
use posta::model::exit_code::Code;
use posta::smtp::{
    AuthMechanism, Credentials, Outcome, Payload, Security, Settings, SmtpError, SmtpErrorKind,
    Stage, TlsSettings, Transcript,
};

const USER: &str = "jane";
const PASSWORD: &str = "s3cret-Pa55";

struct Bytes(Vec<u8>);

impl Payload for Bytes {
    fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(&self.0)
    }
}

const MESSAGE: &[u8] =
    b"From: jane@example.org\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nHello.\r\n";

fn settings(server: &Server, security: Security) -> Settings {
    Settings {
        tls: TlsSettings {
            ca_file: Some(server.ca_file.clone()),
            ..Default::default()
        },
        helo_name: "client.test".into(),
        timeout: Duration::from_secs(5),
        data_timeout: Duration::from_secs(5),
        ..Settings::new("127.0.0.1", server.port(), security)
    }
}

fn login(mut s: Settings, mechanism: AuthMechanism, password: &str) -> Settings {
    s.credentials = Some(Credentials::password(USER, password));
    s.mechanism = mechanism;
    s
}

fn envelope(to: &[&str]) -> Envelope {
    Envelope {
        from: "jane@example.org".into(),
        to: to.iter().map(|s| s.to_string()).collect(),
        smtputf8: false,
    }
}

struct Run {
    result: Result<Outcome, SmtpError>,
    record: Record,
    transcript: String,
}

fn run_full(
    server: Server,
    settings: &Settings,
    envelope: &Envelope,
    dsn: &Dsn,
    payload: &mut dyn Payload,
    level: u8,
) -> Run {
    let mut out = Vec::new();
    let result = {
        let mut transcript = Transcript {
            out: &mut out,
            level,
        };
        posta::smtp::submit(settings, envelope, dsn, payload, Some(&mut transcript))
    };
    let record = server.finish();
    Run {
        result,
        record,
        transcript: String::from_utf8(out).unwrap(),
    }
}

fn send(server: Server, settings: &Settings) -> Run {
    run_full(
        server,
        settings,
        &envelope(&["bob@example.org"]),
        &Dsn::default(),
        &mut Bytes(MESSAGE.to_vec()),
        1,
    )
}

fn expect_err(run: &Run) -> &SmtpError {
    match &run.result {
        Ok(o) => panic!(
            "expected an error, got {o:?}\ntranscript:\n{}",
            run.transcript
        ),
        Err(e) => e,
    }
}

fn expect_ok(run: &Run) -> &Outcome {
    match &run.result {
        Ok(o) => o,
        Err(e) => panic!(
            "{e}\ntranscript:\n{}\nserver: {:?}",
            run.transcript, run.record
        ),
    }
}

// ---------------------------------------------------------------- happy paths

#[test]
fn plain_with_auth_plain_to_loopback() {
    let server = Server::start(Config::default());
    let s = login(
        settings(&server, Security::Plain),
        AuthMechanism::Auto,
        PASSWORD,
    );
    let run = send(server, &s);
    let outcome = expect_ok(&run);
    assert_eq!(outcome.security, "plain");
    assert_eq!(outcome.accepted.len(), 1);
    assert_eq!(outcome.accepted[0].address, "bob@example.org");
    assert_eq!(outcome.final_reply.code, 250);
    assert_eq!(outcome.final_reply.enhanced.as_deref(), Some("2.0.0"));
    assert_eq!(run.record.authenticated.as_deref(), Some(USER));
    assert_eq!(run.record.messages, vec![MESSAGE.to_vec()]);
    let commands = run.record.commands();
    assert_eq!(commands[0], "EHLO client.test");
    assert!(commands[1].starts_with("AUTH PLAIN "), "{commands:?}");
    assert_eq!(
        &commands[2..],
        [
            "MAIL FROM:<jane@example.org>",
            "RCPT TO:<bob@example.org>",
            "DATA",
            "QUIT"
        ]
    );
    assert!(run.transcript.contains("=== Connected to 127.0.0.1:"));
    assert!(run.transcript.contains("-> AUTH PLAIN (redacted)"));
    assert!(run.transcript.contains("-> (message: "));
}

#[test]
fn auth_plain_goes_with_the_message_and_a_server_that_asks_again_gets_a_second_session() {
    // RFC 4954 §4: AUTH PLAIN with its initial response may share the message's group.
    // A server that ignores the initial response took MAIL as the response: nothing
    // was delivered then, and posta logs in again one step at a time.
    let old_server = || Config {
        plain_asks_again: true,
        ..Config::default()
    };
    let server = Server::start_sessions(vec![old_server(), old_server()]);
    let port = server.port();
    let s = login(
        settings(&server, Security::Plain),
        AuthMechanism::Auto,
        PASSWORD,
    );
    let mut out = Vec::new();
    let result = {
        let mut transcript = Transcript {
            out: &mut out,
            level: 1,
        };
        posta::smtp::submit(
            &s,
            &envelope(&["bob@example.org"]),
            &Dsn::default(),
            &mut Bytes(MESSAGE.to_vec()),
            Some(&mut transcript),
        )
    };
    let records = server.finish_sessions();
    let transcript = String::from_utf8(out).unwrap();
    let outcome = result.unwrap_or_else(|e| panic!("{e}\n{transcript}\n{records:?}"));
    assert_eq!(outcome.final_reply.code, 250);
    assert_eq!(records.len(), 2, "port {port}: {transcript}");
    // First session: AUTH, MAIL, RCPT and DATA in one write; MAIL read as the
    // response; no message.
    let first = &records[0];
    let auth = first.line("AUTH PLAIN ").unwrap().read;
    assert_eq!(first.line("MAIL").unwrap().read, auth, "{:?}", first.lines);
    assert!(first.messages.is_empty() && first.authenticated.is_none());
    // Second: the response on a line of its own, then the message, once.
    let second = &records[1];
    assert_eq!(second.authenticated.as_deref(), Some(USER));
    assert_eq!(second.messages, vec![MESSAGE.to_vec()]);
    assert!(
        transcript.contains("logging in again, one step at a time"),
        "{transcript}"
    );
}

#[test]
fn starttls_with_auth_login() {
    let server = Server::start(Config {
        tls: TlsMode::StartTls,
        ..Default::default()
    });
    let s = login(
        settings(&server, Security::StartTls),
        AuthMechanism::Login,
        PASSWORD,
    );
    let run = send(server, &s);
    let outcome = expect_ok(&run);
    assert!(
        outcome.security.starts_with("starttls "),
        "{}",
        outcome.security
    );
    if posta::smtp::TLS_BACKEND == "rustls" {
        assert!(outcome.security.starts_with("starttls TLSv1."));
        assert!(run.transcript.contains("=== TLS started: TLSv1."));
    }
    assert_eq!(run.record.authenticated.as_deref(), Some(USER));
    let lines = &run.record.lines;
    // Only EHLO and STARTTLS in clear; then EHLO again inside TLS, and the rest.
    let clear: Vec<_> = lines.iter().filter(|l| !l.tls).map(|l| &l.text).collect();
    assert_eq!(clear, ["EHLO client.test", "STARTTLS"]);
    assert_eq!(lines[2].text, "EHLO client.test");
    assert!(lines[2].tls);
    assert_eq!(lines[3].text, "AUTH LOGIN");
    assert_eq!(lines[4].text, B64.encode(USER));
    assert_eq!(lines[5].text, B64.encode(PASSWORD));
    assert!(run.transcript.contains("~> (redacted)"));
    assert_eq!(run.record.messages, vec![MESSAGE.to_vec()]);
}

#[test]
fn implicit_tls_with_auth_plain() {
    let server = Server::start(Config {
        tls: TlsMode::Implicit,
        ..Default::default()
    });
    let s = login(
        settings(&server, Security::Tls),
        AuthMechanism::Plain,
        PASSWORD,
    );
    let run = send(server, &s);
    let outcome = expect_ok(&run);
    assert!(outcome.security.starts_with("tls "), "{}", outcome.security);
    if posta::smtp::TLS_BACKEND == "rustls" {
        assert!(outcome.security.starts_with("tls TLSv1.3 TLS13_"));
    }
    assert!(run.record.lines.iter().all(|l| l.tls));
    assert_eq!(run.record.authenticated.as_deref(), Some(USER));
    assert!(run.transcript.contains("<~ 220 "));
}

// ------------------------------------------------------------- TLS failures

#[test]
fn certificate_for_another_host_is_refused() {
    let server = Server::start(Config {
        tls: TlsMode::StartTls,
        cert_names: vec!["mail.example.org".into()],
        ..Default::default()
    });
    let s = login(
        settings(&server, Security::StartTls),
        AuthMechanism::Auto,
        PASSWORD,
    );
    let run = send(server, &s);
    let err = expect_err(&run);
    assert!(matches!(err.kind, SmtpErrorKind::Tls(_)), "{err:?}");
    assert_eq!(err.exit_code(), Code::Protocol);
    let text = err.to_string();
    assert!(
        text.contains("certificate is not valid for host 127.0.0.1"),
        "{text}"
    );
    if posta::smtp::TLS_BACKEND == "rustls" {
        assert!(text.contains("mail.example.org"), "{text}");
    }
    assert!(!run.record.sent("AUTH"));
}

#[test]
fn untrusted_ca_is_refused() {
    let server = Server::start(Config {
        tls: TlsMode::Implicit,
        ..Default::default()
    });
    let other = TestCa::new("some other CA");
    let dir = tempfile::tempdir().unwrap();
    let other_file = dir.path().join("other.pem");
    std::fs::write(&other_file, other.pem()).unwrap();
    let mut s = settings(&server, Security::Tls);
    s.tls.ca_file = Some(other_file);
    let run = send(server, &s);
    let err = expect_err(&run);
    assert!(matches!(err.kind, SmtpErrorKind::Tls(_)), "{err:?}");
    assert_eq!(err.exit_code(), Code::Protocol);
    assert!(
        err.to_string()
            .contains("not signed by a CA in the --ca-file"),
        "{err}"
    );
    assert!(run.record.lines.is_empty());
}

#[test]
fn fingerprint_pin_accepts_the_leaf_without_chain_or_name() {
    let server = Server::start(Config {
        tls: TlsMode::Implicit,
        cert_names: vec!["mail.example.org".into()],
        ..Default::default()
    });
    let mut s = settings(&server, Security::Tls);
    s.tls.ca_file = None;
    s.tls.pins = vec![pin(server.leaf_sha256)];
    let run = send(server, &s);
    expect_ok(&run);
}

#[test]
fn fingerprint_mismatch_is_refused() {
    let server = Server::start(Config {
        tls: TlsMode::StartTls,
        ..Default::default()
    });
    let mut s = settings(&server, Security::StartTls);
    let mut wrong = server.leaf_sha256;
    wrong[0] ^= 1;
    let mut also_wrong = server.leaf_sha256;
    also_wrong[1] ^= 1;
    s.tls.pins = vec![pin(wrong), pin(also_wrong)];
    let run = send(server, &s);
    let err = expect_err(&run);
    assert!(matches!(err.kind, SmtpErrorKind::Tls(_)), "{err:?}");
    assert_eq!(err.exit_code(), Code::Protocol);
    assert!(
        err.to_string().contains("matches none of the pins"),
        "{err}"
    );
}

/// A `sha256:` pin of a certificate digest.
fn pin(digest: [u8; 32]) -> posta::model::Fingerprint {
    format!("sha256:{}", posta::smtp::format_fingerprint(&digest))
        .parse()
        .unwrap()
}

#[test]
fn bytes_injected_before_tls_are_discarded() {
    // If the client kept these, it would read them as the reply to its second EHLO.
    let server = Server::start(Config {
        tls: TlsMode::StartTls,
        inject_after_starttls: Some("554 5.7.0 injected\r\n".into()),
        ..Default::default()
    });
    let s = login(
        settings(&server, Security::StartTls),
        AuthMechanism::Auto,
        PASSWORD,
    );
    let run = send(server, &s);
    expect_ok(&run);
    assert!(
        run.transcript.contains("Discarded 20 bytes"),
        "{}",
        run.transcript
    );
    assert_eq!(run.record.authenticated.as_deref(), Some(USER));
}

// ------------------------------------------------------------------- faults

#[test]
fn a_drop_at_every_stage_is_a_temporary_io_error() {
    for (key, stage) in [
        ("GREETING", Stage::Greeting),
        ("EHLO", Stage::Ehlo),
        ("MAIL", Stage::Mail),
        ("RCPT", Stage::Rcpt),
        ("DATA", Stage::Data),
        (".", Stage::EndOfData),
    ] {
        let server = Server::start(Config::default().on(key, Action::Drop));
        let s = settings(&server, Security::Plain);
        let run = send(server, &s);
        let err = expect_err(&run);
        assert!(matches!(err.kind, SmtpErrorKind::Io(_)), "{key}: {err:?}");
        assert_eq!(err.stage, stage, "{key}");
        assert_eq!(err.exit_code(), Code::TempFail, "{key}");
        assert!(err.is_transient());
    }
}

#[test]
fn a_silent_server_times_out() {
    let server = Server::start(Config::default().on("GREETING", Action::Hang));
    let mut s = settings(&server, Security::Plain);
    s.timeout = Duration::from_secs(1);
    let started = Instant::now();
    let run = send(server, &s);
    let err = expect_err(&run);
    assert!(matches!(err.kind, SmtpErrorKind::Timeout), "{err:?}");
    assert_eq!(err.stage, Stage::Greeting);
    assert_eq!(err.exit_code(), Code::TempFail);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn the_end_of_data_reply_uses_data_timeout() {
    let server = Server::start(Config::default().on(".", Action::Hang));
    let mut s = settings(&server, Security::Plain);
    s.timeout = Duration::from_secs(30);
    s.data_timeout = Duration::from_secs(1);
    let started = Instant::now();
    let run = send(server, &s);
    let err = expect_err(&run);
    assert!(matches!(err.kind, SmtpErrorKind::Timeout), "{err:?}");
    assert_eq!(err.stage, Stage::EndOfData);
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn malformed_reply_is_a_protocol_error() {
    let server = Server::start(Config::default().reply("GREETING", "hello there"));
    let s = settings(&server, Security::Plain);
    let run = send(server, &s);
    let err = expect_err(&run);
    assert!(matches!(err.kind, SmtpErrorKind::Protocol(_)), "{err:?}");
    assert_eq!(err.exit_code(), Code::Protocol);
    assert!(err.to_string().contains("malformed reply"), "{err}");
}

#[test]
fn a_server_that_drops_in_the_middle_of_a_pipelined_batch_is_a_temporary_failure() {
    let to = ["a@example.org", "b@example.org", "c@example.org"];
    let server = Server::start(Config::default().on("RCPT TO:<b@", Action::Drop));
    let s = settings(&server, Security::Plain);
    let run = run_full(
        server,
        &s,
        &envelope(&to),
        &Dsn::default(),
        &mut Bytes(MESSAGE.to_vec()),
        1,
    );
    let err = expect_err(&run);
    assert!(matches!(err.kind, SmtpErrorKind::Io(_)), "{err:?}");
    assert_eq!(err.stage, Stage::Rcpt);
    assert!(err.is_transient());
    assert_eq!(err.exit_code(), Code::TempFail);
    // All three RCPTs went in the one write; the server read up to b and left.
    let reads: Vec<usize> = run
        .record
        .lines
        .iter()
        .filter(|l| l.text.starts_with("MAIL") || l.text.starts_with("RCPT"))
        .map(|l| l.read)
        .collect();
    assert!(
        reads.len() >= 3 && reads.iter().all(|&r| r == reads[0]),
        "{reads:?}"
    );
    assert!(!run.record.sent("DATA"));
    assert!(run.record.messages.is_empty());
}

// ------------------------------------------------------------- the wire

#[test]
fn password_never_appears_in_a_level_2_transcript() {
    for mechanism in [
        AuthMechanism::Plain,
        AuthMechanism::Login,
        AuthMechanism::Xoauth2,
    ] {
        let server = Server::start(Config {
            tls: TlsMode::StartTls,
            ..Default::default()
        });
        let s = login(settings(&server, Security::StartTls), mechanism, PASSWORD);
        let run = run_full(
            server,
            &s,
            &envelope(&["bob@example.org"]),
            &Dsn::default(),
            &mut Bytes(MESSAGE.to_vec()),
            2,
        );
        expect_ok(&run);
        let t = &run.transcript;
        assert!(!t.contains(PASSWORD), "{t}");
        assert!(!t.contains(&B64.encode(PASSWORD)), "{t}");
        assert!(
            !t.contains(&B64.encode(format!("\0{USER}\0{PASSWORD}"))),
            "{t}"
        );
        // Whatever the client sent in AUTH is absent from the transcript.
        let start = run
            .record
            .lines
            .iter()
            .position(|l| l.text.starts_with("AUTH"))
            .unwrap();
        for line in &run.record.lines[start..] {
            if line.text.starts_with("MAIL") {
                break;
            }
            if line.text.len() > 12 {
                assert!(!t.contains(&line.text), "{} in {t}", line.text);
            }
        }
        assert!(t.contains("(redacted)"));
        // Level 2 shows the message itself.
        assert!(t.contains("~> Subject: hi\n"), "{t}");
        assert!(t.contains("~> Hello.\n~> .\n"), "{t}");
    }
}

/// What the server must reconstruct: every line ending CRLF, a final CRLF.
fn normalise(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'\r' if input.get(i + 1) == Some(&b'\n') => {
                out.extend(b"\r\n");
                i += 2;
            }
            b'\r' | b'\n' => {
                out.extend(b"\r\n");
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend(b"\r\n");
    }
    out
}

#[test]
fn dot_stuffing_and_smuggling_inputs_arrive_intact() {
    let evil: &[u8] = b"Subject: x\n\n.\n..\n.leading dot\r\nsmuggle\n.\nMAIL FROM:<evil@x>\n\
        bare cr\r.\rRCPT TO:<victim@x>\r\n.\nDATA\r\n.\r\r\nend without newline.";
    let server = Server::start(Config::default());
    let s = settings(&server, Security::Plain);
    let run = run_full(
        server,
        &s,
        &envelope(&["bob@example.org"]),
        &Dsn::default(),
        &mut Bytes(evil.to_vec()),
        1,
    );
    expect_ok(&run);
    assert_eq!(run.record.messages.len(), 1);
    assert_eq!(
        String::from_utf8_lossy(&run.record.messages[0]),
        String::from_utf8_lossy(&normalise(evil))
    );
    // The server saw exactly one terminator, at the end, and no second transaction.
    let raw = &run.record.raw_data[0];
    assert_eq!(raw.windows(5).filter(|w| w == b"\r\n.\r\n").count(), 1);
    assert!(raw.ends_with(b"\r\n.\r\n"));
    assert_eq!(
        run.record
            .commands()
            .iter()
            .filter(|c| c.starts_with("MAIL"))
            .count(),
        1
    );
}

#[test]
fn unsendable_envelopes_are_refused_before_connecting() {
    // A listener nobody should connect to.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut s = Settings {
        timeout: Duration::from_secs(5),
        ..Settings::new("127.0.0.1", port, Security::Plain)
    };
    let notify = |n: &str| Dsn {
        notify: Some(n.into()),
        ..Default::default()
    };
    let cases = [
        (
            envelope(&["bob@example.org>\r\nRCPT TO:<evil@example.org"]),
            Dsn::default(),
        ),
        (envelope(&[]), Dsn::default()),
        (
            Envelope {
                from: "a@b\nDATA".into(),
                ..envelope(&["bob@example.org"])
            },
            Dsn::default(),
        ),
        (envelope(&["bob@example.org"]), notify("SUCCESS\r\nRSET")),
    ];
    for (env, dsn) in &cases {
        let result = posta::smtp::submit(&s, env, dsn, &mut Bytes(MESSAGE.to_vec()), None);
        let err = result.unwrap_err();
        assert!(
            matches!(err.kind, SmtpErrorKind::InvalidInput(_)),
            "{err:?}"
        );
        assert_eq!(err.exit_code(), Code::DataErr);
    }
    s.helo_name = "bad name\r\nMAIL FROM:<x>".into();
    let err = posta::smtp::submit(
        &s,
        &envelope(&["bob@example.org"]),
        &Dsn::default(),
        &mut Bytes(MESSAGE.to_vec()),
        None,
    )
    .unwrap_err();
    assert!(matches!(err.kind, SmtpErrorKind::InvalidInput(_)));
    assert_eq!(
        listener.accept().unwrap_err().kind(),
        io::ErrorKind::WouldBlock,
        "nothing may connect"
    );
}

#[test]
fn probe_reports_capabilities_and_fingerprint() {
    let server = Server::start(Config {
        tls: TlsMode::StartTls,
        extensions: vec!["SIZE 1000".into(), "AUTH PLAIN".into()],
        ..Default::default()
    });
    let s = settings(&server, Security::StartTls);
    let leaf = server.leaf_sha256;
    let report = posta::smtp::probe(&s, None).unwrap();
    let record = server.finish();
    assert_eq!(report.greeting.code, 220);
    assert_eq!(report.capabilities.size, Some(1000));
    assert_eq!(report.capabilities.auth, ["PLAIN"]);
    // After STARTTLS the capabilities are the ones offered inside TLS.
    assert!(!report.capabilities.starttls);
    assert!(report.security.starts_with("starttls "));
    let cert = report.certificate.expect("a certificate");
    assert_eq!(cert.sha256, posta::smtp::format_fingerprint(&leaf));
    assert_eq!(cert.subject, "CN=scripted server");
    assert_eq!(cert.issuer, "CN=posta test CA");
    assert_eq!(cert.names, ["localhost", "127.0.0.1"]);
    assert!(!cert.not_after.is_empty());
    assert!(!record.sent("AUTH") && !record.sent("MAIL"));
    assert!(record.sent("QUIT"));
}

/// Writes `lines` generated lines in small pieces, never holding the message.
struct Generated {
    lines: usize,
}

impl Payload for Generated {
    fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"Subject: big\n\n")?;
        for i in 0..self.lines {
            // Every tenth line starts with a dot; line endings alternate LF and CRLF.
            if i % 10 == 0 {
                out.write_all(b".")?;
            }
            write!(out, "line {i:08} {}", "x".repeat(60))?;
            out.write_all(if i % 2 == 0 { b"\n" } else { b"\r\n" })?;
        }
        Ok(())
    }
}

#[test]
fn a_large_message_streams_through_tls_intact() {
    let lines = 120_000; // about 9 MB
    let server = Server::start(Config {
        tls: TlsMode::Implicit,
        ..Default::default()
    });
    let s = settings(&server, Security::Tls);
    let run = run_full(
        server,
        &s,
        &envelope(&["bob@example.org"]),
        &Dsn::default(),
        &mut Generated { lines },
        1,
    );
    expect_ok(&run);
    let mut expected = Vec::new();
    Generated { lines }.write_to(&mut expected).unwrap();
    let received = &run.record.messages[0];
    assert_eq!(received.len(), normalise(&expected).len());
    assert!(*received == normalise(&expected));
    assert!(run.transcript.contains(&format!(
        "~> (message: {} bytes)",
        run.record.raw_data[0].len() - 3
    )));
}
