//! What goes on the wire: no password in a transcript, dot-stuffing and smuggling
//! inputs, envelopes refused before connecting, probe, a large message through TLS.

use super::*;

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
