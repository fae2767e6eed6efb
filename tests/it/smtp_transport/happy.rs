//! What works: plain, STARTTLS and implicit TLS with AUTH, the login in the message's
//! group and a server that wants it in two steps.

use super::*;

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
