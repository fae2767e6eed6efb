//! What the user reads when something fails before or while connecting: each cause
//! said once, in words, naming where (the server, the file), and a TLS failure that
//! says what to do. Runs the real binary; no mail server needed.

use std::process::Output;

use crate::support::scripted_server::{CertKind, Config, Server, TestCa, TlsMode};
use crate::support::{closed_port, posta, run_with_input, stderr};

/// The error line once, and no errno: "(os error 111)" is noise, twice is a bug.
fn assert_said_once(out: &Output, expected: &str) {
    let err = stderr(out);
    assert_eq!(err.matches(expected).count(), 1, "{err}");
    assert!(!err.contains("os error"), "{err}");
}

#[test]
fn a_missing_attachment_is_named_once() {
    let home = tempfile::tempdir().unwrap();
    let out = posta(home.path())
        .current_dir(home.path())
        .args(["send", "--from", "a@example.org", "--to", "b@example.org"])
        .args(["--body", "x", "-a", "nope.pdf", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(66), "{}", stderr(&out));
    assert_eq!(
        stderr(&out).trim_end(),
        "posta: error: cannot read nope.pdf: no such file or directory"
    );
}

#[test]
fn missing_batch_sources_and_config_files_are_said_in_words() {
    let home = tempfile::tempdir().unwrap();
    let template = home.path().join("t.eml");
    std::fs::write(&template, "To: {{email}}\n\nx\n").unwrap();
    let server = ["--server", "127.0.0.1:1", "--security", "plain"];
    for (args, code) in [
        (vec!["batch", "nodir"], 66),
        (
            vec!["batch", "--template", "nope.eml", "--data", "nope.csv"],
            66,
        ),
        (
            vec!["batch", "--template", "t.eml", "--data", "nope.csv"],
            66,
        ),
        (vec!["-c", "nope.toml", "profile", "list"], 78),
    ] {
        let out = posta(home.path())
            .current_dir(home.path())
            .args(&args)
            .args(if args[0] == "batch" { &server[..] } else { &[] })
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
        assert_said_once(&out, "no such file or directory");
    }
}

#[test]
fn a_refused_connection_names_the_server_once_in_every_command() {
    let port = closed_port();
    let server = format!("127.0.0.1:{port}");
    let expected = format!("cannot connect to {server}: connection refused");
    let home = tempfile::tempdir().unwrap();
    let connection = ["--server", &server, "--security", "plain"];

    let send = posta(home.path())
        .args(["send", "--from", "a@example.org", "--to", "b@example.org"])
        .args(["--body", "x"])
        .args(connection)
        .output()
        .unwrap();
    assert_eq!(send.status.code(), Some(75), "{}", stderr(&send));
    assert_eq!(
        stderr(&send).trim_end(),
        format!("posta: error: {expected}")
    );

    let probe = posta(home.path())
        .arg("probe")
        .args(connection)
        .output()
        .unwrap();
    assert_eq!(probe.status.code(), Some(75), "{}", stderr(&probe));
    assert_said_once(&probe, &expected);

    let mut sendmail = posta(home.path());
    sendmail
        .args(["sendmail", "--queue", "never", "-f", "a@example.org"])
        .args(connection)
        .arg("b@example.org");
    let sendmail = run_with_input(sendmail, b"Subject: hi\n\nx\n");
    assert_eq!(sendmail.status.code(), Some(75), "{}", stderr(&sendmail));
    assert_eq!(
        stderr(&sendmail).trim_end(),
        format!("sendmail: {expected}")
    );

    let outbox = home.path().join("outbox");
    std::fs::create_dir(&outbox).unwrap();
    std::fs::write(
        outbox.join("1.eml"),
        "From: a@example.org\nTo: b@example.org\n\nx\n",
    )
    .unwrap();
    let batch = posta(home.path())
        .arg("batch")
        .arg(&outbox)
        .args(connection)
        .output()
        .unwrap();
    assert_eq!(batch.status.code(), Some(75), "{}", stderr(&batch));
    assert_said_once(&batch, &expected);

    let json = posta(home.path())
        .args(["--json", "probe"])
        .args(connection)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["error"], expected.as_str());
    assert_eq!(v["stage"], "connect");
}

/// A listener that can tell, afterwards, whether anyone connected to it.
struct Untouched(std::net::TcpListener);

impl Untouched {
    fn new() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        Untouched(listener)
    }
    fn server(&self) -> String {
        self.0.local_addr().unwrap().to_string()
    }
    fn assert_untouched(&self) {
        // A connection made and closed still waits in the backlog to be accepted.
        match self.0.accept() {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            other => panic!("posta connected before reading the CA file: {other:?}"),
        }
    }
}

#[test]
fn a_missing_ca_file_is_66_before_connecting_in_every_command() {
    let home = tempfile::tempdir().unwrap();
    let missing = home.path().join("nope.pem");
    let expected = format!(
        "cannot read the CA file {}: no such file or directory",
        missing.display()
    );
    for security in ["tls", "starttls"] {
        let listener = Untouched::new();
        let server = listener.server();
        let connection = [
            "--server",
            &server,
            "--security",
            security,
            "--ca-file",
            missing.to_str().unwrap(),
        ];

        let probe = posta(home.path())
            .arg("probe")
            .args(connection)
            .output()
            .unwrap();
        assert_eq!(probe.status.code(), Some(66), "{}", stderr(&probe));
        assert_eq!(
            stderr(&probe).trim_end(),
            format!("posta: error: {expected}")
        );

        let send = posta(home.path())
            .args(["send", "--from", "a@example.org", "--to", "b@example.org"])
            .args(["--body", "x"])
            .args(connection)
            .output()
            .unwrap();
        assert_eq!(send.status.code(), Some(66), "{}", stderr(&send));

        // Not the message's fault: sendmail mode keeps it in the queue (its default
        // policy, on-failure) and says why in one line; with --queue never it reports it.
        let mut sendmail = posta(home.path());
        sendmail
            .args(["sendmail", "-f", "a@example.org"])
            .args(connection)
            .arg("b@example.org");
        let queued = run_with_input(sendmail, b"Subject: hi\n\nx\n");
        assert_eq!(queued.status.code(), Some(0), "{}", stderr(&queued));
        let line = stderr(&queued);
        assert!(
            line.starts_with("sendmail: queued as ") && line.trim_end().ends_with(&expected),
            "{line}"
        );
        let mut sendmail = posta(home.path());
        sendmail
            .args(["sendmail", "--queue", "never", "-f", "a@example.org"])
            .args(connection)
            .arg("b@example.org");
        let sendmail = run_with_input(sendmail, b"Subject: hi\n\nx\n");
        assert_eq!(sendmail.status.code(), Some(66), "{}", stderr(&sendmail));
        assert_eq!(
            stderr(&sendmail).trim_end(),
            format!("sendmail: {expected}")
        );

        listener.assert_untouched();
    }
}

#[test]
fn a_ca_file_without_a_certificate_is_78_before_connecting() {
    let home = tempfile::tempdir().unwrap();
    let junk = home.path().join("junk.pem");
    std::fs::write(&junk, "this is not a certificate\n").unwrap();
    let listener = Untouched::new();
    let out = posta(home.path())
        .args(["probe", "--server", &listener.server(), "--security", "tls"])
        .arg("--ca-file")
        .arg(&junk)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(78), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "the CA file {}: it holds no certificate",
            junk.display()
        )),
        "{err}"
    );
    listener.assert_untouched();
}

/// `posta probe` over implicit TLS to a scripted server with this certificate;
/// `own_ca_file`: with `--ca-file` of what the server's certificate needs.
fn probe_tls(cert: CertKind, own_ca_file: bool, extra: &[&str]) -> Output {
    let server = Server::start(Config {
        tls: TlsMode::Implicit,
        cert,
        ..Default::default()
    });
    let home = tempfile::tempdir().unwrap();
    let mut cmd = posta(home.path());
    cmd.args(["probe", "--server", &server.addr.to_string()])
        .args(["--security", "tls", "--timeout", "5"])
        .args(extra);
    if own_ca_file {
        cmd.arg("--ca-file").arg(&server.ca_file);
    }
    cmd.output().unwrap()
}

/// A certificate failure: exit 76, the library's own words nowhere, and a way out.
fn assert_certificate_refused(out: &Output, what: &str) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(76), "{err}");
    assert!(err.contains(what), "{err}");
    assert!(err.contains("--tls-fingerprint <SHA-256>"), "{err}");
    for debug in [
        "Other(",
        "OtherError",
        "BadSignature",
        "UnknownIssuer",
        "CaUsedAs",
    ] {
        assert!(!err.contains(debug), "{err}");
    }
    err
}

/// The usual home server: `openssl req -x509`, CA:TRUE, trusted with --ca-file and
/// still refused by rustls. The message says so and offers the pin, and the pin works.
#[test]
fn a_self_signed_ca_certificate_says_to_pin_it() {
    #[cfg(feature = "rustls")]
    for own_ca_file in [false, true] {
        let out = probe_tls(CertKind::SelfSignedCa, own_ca_file, &[]);
        let err = assert_certificate_refused(&out, "is a CA certificate (CA:TRUE");
        assert!(err.contains("even with --ca-file"), "{err}");
    }
    // OpenSSL takes a self-signed CA as its own trust anchor.
    #[cfg(not(feature = "rustls"))]
    {
        let out = probe_tls(CertKind::SelfSignedCa, false, &[]);
        assert_certificate_refused(&out, "not signed by a CA this system trusts");
        let out = probe_tls(CertKind::SelfSignedCa, true, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }

    let server = Server::start(Config {
        tls: TlsMode::Implicit,
        cert: CertKind::SelfSignedCa,
        ..Default::default()
    });
    let fingerprint: Vec<String> = server
        .leaf_sha256
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let home = tempfile::tempdir().unwrap();
    let pinned = posta(home.path())
        .args(["probe", "--server", &server.addr.to_string()])
        .args([
            "--security",
            "tls",
            "--tls-fingerprint",
            &fingerprint.join(":"),
        ])
        .output()
        .unwrap();
    assert_eq!(pinned.status.code(), Some(0), "{}", stderr(&pinned));
}

#[test]
fn a_self_signed_certificate_says_to_pass_its_ca_or_pin_it() {
    let out = probe_tls(CertKind::SelfSigned, false, &[]);
    let err = assert_certificate_refused(&out, "not signed by a CA this system trusts");
    assert!(err.contains("--ca-file"), "{err}");
}

/// A CA file with a CA of the right name but another key (an old or a wrong file).
#[test]
fn a_signature_that_does_not_verify_is_said_in_words() {
    let impostor = TestCa::new("posta test CA");
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("impostor.pem");
    std::fs::write(&ca_file, impostor.pem()).unwrap();
    let out = probe_tls(
        CertKind::SignedByCa,
        false,
        &["--ca-file", ca_file.to_str().unwrap()],
    );
    assert_certificate_refused(&out, "its signature does not verify with that CA's key");
}

#[test]
fn an_expired_certificate_says_when() {
    let out = probe_tls(CertKind::Expired, true, &[]);
    let err = assert_certificate_refused(&out, "the server's certificate expired");
    // OpenSSL's message has no date.
    if cfg!(feature = "rustls") {
        assert!(err.contains("expired on 2020-12-31"), "{err}");
    }
}
