//! SCRAM-SHA-256 through the binary against the scripted server, which speaks the
//! server side (tests/support/scram_server.rs): the login goes through when the server
//! proves it knows the password, and a server whose signature is wrong gets exit 77
//! and nothing: no MAIL, no message.

use crate::support::scripted_server::{Config, Server};
use crate::support::*;

const PASSWORD: &str = "s3cret-Pa55";

fn send_through(server: &Server) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    posta(home.path())
        .args(["send", "--server", &format!("127.0.0.1:{}", server.port())])
        .args([
            "--security",
            "plain",
            "--user",
            "jane",
            "--auth",
            "scram-sha-256",
        ])
        .args(["--from", "jane@example.org", "--to", "bob@example.org"])
        .args(["-s", "scram", "--body", "x", "--timeout", "5"])
        .env("POSTA_PASSWORD", PASSWORD)
        .output()
        .unwrap()
}

fn scram_server(forge: bool) -> Server {
    Server::start(Config {
        extensions: vec!["PIPELINING".into(), "AUTH PLAIN SCRAM-SHA-256".into()],
        forge_scram_signature: forge,
        ..Default::default()
    })
}

#[test]
fn a_server_that_proves_the_password_gets_the_message() {
    let server = scram_server(false);
    let out = send_through(&server);
    let record = server.finish();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(record.authenticated.as_deref(), Some("jane"));
    assert_eq!(record.messages.len(), 1);
    // The password itself never crossed: only the SCRAM exchange.
    assert!(!record.lines.iter().any(|l| l.text.contains(PASSWORD)));
}

#[test]
fn a_wrong_server_signature_is_77_and_nothing_is_sent() {
    let server = scram_server(true);
    let out = send_through(&server);
    let record = server.finish();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(77), "{err}");
    assert!(err.contains("does not know the password"), "{err}");
    assert!(err.contains("nothing was sent"), "{err}");
    // The exchange was cancelled (RFC 4954 "*"), then only QUIT.
    let commands = record.commands();
    let cancel = commands.iter().position(|c| c == "*").expect("cancelled");
    assert_eq!(&commands[cancel + 1..], ["QUIT"], "{commands:?}");
    assert!(record.authenticated.is_none());
    assert!(record.messages.is_empty());
}
