//! TLS failures: a certificate for another host, an untrusted CA, pins, bytes
//! injected before TLS.

use super::*;

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
