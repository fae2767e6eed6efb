//! What the user reads when something fails before or while connecting: each cause
//! said once, in words, naming where (the server, the file), and a TLS failure that
//! says what to do. Runs the real binary; no mail server needed.

mod support {
    pub mod scripted_server;
}
#[path = "support/e2e.rs"]
mod e2e;

use std::process::Output;

use e2e::{posta, run_with_input, text};

/// A port on 127.0.0.1 that nobody listens on (bound, then let go).
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn stderr(out: &Output) -> String {
    text(&out.stderr)
}

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

        // Not a temporary failure: sendmail mode reports it rather than queueing.
        let mut sendmail = posta(home.path());
        sendmail
            .args(["sendmail", "-f", "a@example.org"])
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
