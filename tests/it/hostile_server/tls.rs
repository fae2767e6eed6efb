//! Hostile TLS: bytes injected around STARTTLS, and a server that speaks only TLS 1.0.

use super::*;

// ------------------------------------------------------- STARTTLS injection

fn send_starttls(server: &Server, extra: &[&str]) -> (Run, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = posta(home.path());
    cmd.args([
        "send",
        "--from",
        "jane@example.org",
        "--to",
        "bob@example.org",
    ])
    .args(["-s", "hi", "--body", "x"])
    .args(["--server", &format!("127.0.0.1:{}", server.port())])
    .args(["--security", "starttls", "--timeout", "3"])
    .args(["--ca-file", server.ca_file.to_str().unwrap()])
    .args(extra);
    (run(cmd), home)
}

#[test]
fn an_injected_ehlo_reply_during_starttls_is_discarded() {
    // Had the client kept these, it would take the fake EHLO reply (no STARTTLS, a
    // weaker AUTH) and the fake refusals as the answers from inside TLS.
    let server = Server::start(Config {
        tls: TlsMode::StartTls,
        extensions: vec!["8BITMIME".into()],
        inject_after_starttls: Some(
            "250-injected\r\n250 AUTH PLAIN\r\n550 5.7.0 injected\r\n550 5.7.0 injected\r\n".into(),
        ),
        ..Default::default()
    });
    let (r, _home) = send_starttls(&server, &["-v"]);
    assert_eq!(r.code(), 0, "{}", r.all());
    assert!(r.stderr().contains("Discarded 70 bytes"), "{}", r.all());
    let record = server.finish();
    assert_eq!(record.messages.len(), 1);
    assert!(
        record
            .lines
            .iter()
            .filter(|l| l.text.starts_with("MAIL"))
            .all(|l| l.tls)
    );
}

#[test]
fn a_large_injection_during_starttls_fails_the_handshake_not_the_user() {
    // More than one read's worth: the rest reaches the TLS handshake as garbage, which
    // must fail cleanly — never be read as SMTP.
    let big = "250-injected\r\n".repeat(8 * 1024);
    let server = Server::start(Config {
        tls: TlsMode::StartTls,
        inject_after_starttls: Some(big),
        ..Default::default()
    });
    let (r, _home) = send_starttls(&server, &[]);
    assert_eq!(r.code(), 76, "{}", r.all());
    assert!(
        r.stderr().to_ascii_lowercase().contains("tls"),
        "{}",
        r.all()
    );
    assert_bounded(&r, 10);
    let record = server.finish();
    assert!(record.messages.is_empty());
}

// ------------------------------------------------------------- TLS 1.0 only

/// `openssl s_server` offering only TLS 1.0 (and another run with 1.1): rustls speaks
/// 1.2 and 1.3 only, so the handshake must fail with a clear message and exit 76.
#[test]
fn a_server_offering_only_tls_1_0_or_1_1_is_refused() {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("skipped: no openssl binary");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ca = crate::support::scripted_server::TestCa::new("posta old-TLS CA");
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    let leaf = params.signed_by(&key, &ca.cert, &ca.key).unwrap();
    std::fs::write(dir.path().join("cert.pem"), leaf.pem()).unwrap();
    std::fs::write(dir.path().join("key.pem"), key.serialize_pem()).unwrap();
    std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();

    for version in ["-tls1", "-tls1_1"] {
        let port = crate::support::closed_port();
        let mut server = Command::new("openssl")
            .args(["s_server", "-accept", &format!("127.0.0.1:{port}")])
            .args(["-cert", "cert.pem", "-key", "key.pem", version])
            .args(["-cipher", "DEFAULT:@SECLEVEL=0", "-naccept", "1"])
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // It prints ACCEPT once listening.
        let mut out = BufReader::new(server.stdout.take().unwrap());
        let mut line = String::new();
        while out.read_line(&mut line).unwrap_or(0) > 0 && !line.contains("ACCEPT") {
            line.clear();
        }
        let home = tempfile::tempdir().unwrap();
        let mut cmd = posta(home.path());
        cmd.args([
            "send",
            "--from",
            "jane@example.org",
            "--to",
            "bob@example.org",
        ])
        .args(["-s", "hi", "--body", "x"])
        .args(["--server", &format!("127.0.0.1:{port}")])
        .args(["--security", "tls", "--timeout", "3"])
        .args(["--ca-file", dir.path().join("ca.pem").to_str().unwrap()]);
        let r = run(cmd);
        let _ = server.kill();
        let _ = server.wait();
        assert_eq!(r.code(), 76, "{version}: {}", r.all());
        let err = r.stderr().to_ascii_lowercase();
        assert!(err.contains("tls"), "{version}: {}", r.all());
        assert!(err.contains("version"), "{version}: {}", r.all());
        assert_bounded(&r, 10);
    }
}
