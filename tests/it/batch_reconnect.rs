//! `posta batch` when the server drops the connection between two messages: posta opens
//! a new session and sends the message again, which the server never got, and no
//! message twice. A small in-process server, since no real one drops on demand.

use std::net::TcpStream;

use crate::support::scripted_server::{Action, Config, Record, Server, TlsMode};
use crate::support::{closed_port, json_lines, posta, text};
use std::time::Duration;

/// A plain session with no ESMTP extensions.
fn plain() -> Config {
    Config {
        extensions: Vec::new(),
        ..Config::default()
    }
}

/// The subjects received, per session; a session that failed on the server's side
/// (an I/O error, a timeout) fails the test.
fn subjects(sessions: Vec<Record>) -> Vec<Vec<String>> {
    sessions
        .iter()
        .map(|r| {
            assert_eq!(r.error, None, "{:?}", r.commands());
            r.messages
                .iter()
                .map(|m| {
                    let m = text(m);
                    let subject = m.lines().find_map(|l| l.strip_prefix("Subject: "));
                    subject.expect("a Subject").trim_end().to_owned()
                })
                .collect()
        })
        .collect()
}

#[test]
fn a_drop_between_messages_reconnects_and_sends_each_message_once() {
    let dir = tempfile::tempdir().unwrap();
    for i in 1..=3 {
        std::fs::write(
            dir.path().join(format!("{i}.eml")),
            format!("From: a@example.org\nTo: b@example.org\nSubject: m{i}\n\nbody\n"),
        )
        .unwrap();
    }
    // Two sessions in turn; the first closes, without a word, when a second MAIL arrives.
    let server = Server::start_sessions(vec![plain().on("MAIL", Action::DropAfter(1)), plain()]);
    let port = server.port();

    let home = tempfile::tempdir().unwrap();
    let out = posta(home.path())
        .args(["--json", "-v", "batch", "--security", "plain", "--server"])
        .arg(format!("127.0.0.1:{port}"))
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let received = subjects(server.finish_sessions());
    assert_eq!(received, [vec!["m1"], vec!["m2", "m3"]], "{stderr}");
    assert!(stderr.contains("reconnecting"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(summary["sent"], 3, "{stdout}");
    assert_eq!(summary["connections"], 2, "{stdout}");
}

#[test]
fn a_reconnect_resumes_the_tls_session_of_the_connection_before() {
    let dir = tempfile::tempdir().unwrap();
    for i in 1..=2 {
        std::fs::write(
            dir.path().join(format!("{i}.eml")),
            format!("From: a@example.org\nTo: b@example.org\nSubject: m{i}\n\nbody\n"),
        )
        .unwrap();
    }
    // Implicit TLS; the two sessions share the server's TLS configuration (and so its
    // session store), as one server's connections do.
    let tls = || Config {
        tls: TlsMode::Implicit,
        ..plain()
    };
    let server = Server::start_sessions(vec![tls().on("MAIL", Action::DropAfter(1)), tls()]);
    let home = tempfile::tempdir().unwrap();
    let out = posta(home.path())
        .args(["-v", "batch", "--security", "tls", "--ca-file"])
        .arg(&server.ca_file)
        .arg("--server")
        .arg(format!("127.0.0.1:{}", server.port()))
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        subjects(server.finish_sessions()),
        [vec!["m1"], vec!["m2"]],
        "{stderr}"
    );
    let started: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("TLS started"))
        .collect();
    assert_eq!(started.len(), 2, "{stderr}");
    assert!(!started[0].contains("resumed"), "{stderr}");
    assert!(started[1].ends_with("(session resumed)"), "{stderr}");
}

#[test]
fn connections_turned_away_give_their_message_to_the_others() {
    let dir = tempfile::tempdir().unwrap();
    for i in 1..=12 {
        std::fs::write(
            dir.path().join(format!("{i:02}.eml")),
            format!("From: a@example.org\nTo: b@example.org\nSubject: m{i}\n\nbody\n"),
        )
        .unwrap();
    }
    // 4 connections asked for, 2 allowed: the other 2 meet a 421 greeting (as servers
    // with a per-client session limit send) and give back the message each was handed.
    // The 2 allowed are slow enough that every connection is handed a message while
    // they work.
    let allowed = || {
        let queued = Action::Reply("250 2.0.0 Ok: queued".into());
        plain().on(
            ".",
            Action::Delay(Duration::from_millis(50), Box::new(queued)),
        )
    };
    let turned_away = || {
        plain().on(
            "GREETING",
            Action::ReplyAndClose("421 4.7.0 too many sessions from you".into()),
        )
    };
    let server = Server::start_sessions(vec![allowed(), allowed(), turned_away(), turned_away()]);
    let port = server.port();

    let home = tempfile::tempdir().unwrap();
    let out = posta(home.path())
        .args([
            "--json",
            "batch",
            "--connections",
            "4",
            "--security",
            "plain",
        ])
        .arg("--server")
        .arg(format!("127.0.0.1:{port}"))
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Should posta have opened fewer than 4 connections, the server still waits for
    // them: two more let it finish (and the count below says what went wrong).
    for _ in 0..2 {
        let _ = TcpStream::connect(("127.0.0.1", port));
    }
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let mut received = subjects(server.finish_sessions()).concat();
    received.sort();
    let mut expected: Vec<String> = (1..=12).map(|i| format!("m{i}")).collect();
    expected.sort();
    assert_eq!(received, expected, "each message once: {stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(summary["sent"], 12, "{stdout}");
    assert_eq!(summary["failed"], 0, "{stdout}");
    // Four sessions tried: each turned-away one had been handed a message.
    assert_eq!(summary["connections"], 4, "{stdout}");
}

/// Three messages to a server that refuses every connection, with `extra` arguments.
fn batch_to_a_closed_port(extra: &[&str]) -> (std::process::Output, Vec<serde_json::Value>) {
    let dir = tempfile::tempdir().unwrap();
    for i in 1..=3 {
        std::fs::write(
            dir.path().join(format!("{i}.eml")),
            format!("From: a@example.org\nTo: b@example.org\nSubject: m{i}\n\nbody\n"),
        )
        .unwrap();
    }
    let home = tempfile::tempdir().unwrap();
    let out = posta(home.path())
        .args(["--json", "batch", "--security", "plain", "--server"])
        .arg(format!("127.0.0.1:{}", closed_port()))
        .args(extra)
        .arg(dir.path())
        .output()
        .unwrap();
    let lines = json_lines(&out);
    (out, lines)
}

#[test]
fn no_connection_left_reports_every_remaining_message_as_not_sent() {
    let (out, lines) = batch_to_a_closed_port(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(75), "{stderr}");
    assert_eq!(
        lines.len(),
        4,
        "one object per message and a summary: {lines:?}"
    );
    for (line, name) in lines.iter().zip(["1.eml", "2.eml", "3.eml"]) {
        assert!(line["source"].as_str().unwrap().ends_with(name), "{line}");
    }
    assert_eq!(lines[0]["status"], "failed", "{lines:?}");
    assert_eq!(lines[1]["status"], "not-sent", "{lines:?}");
    assert_eq!(lines[2]["status"], "not-sent", "{lines:?}");
    let summary = &lines[3];
    assert_eq!(summary["failed"], 1, "{summary}");
    assert_eq!(summary["not_sent"], 2, "{summary}");
}

#[test]
fn no_connection_left_queues_every_remaining_message_when_asked() {
    let (out, lines) = batch_to_a_closed_port(&["--queue", "on-temporary-failure"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(75), "{stderr}");
    assert_eq!(
        lines.len(),
        4,
        "one object per message and a summary: {lines:?}"
    );
    for line in &lines[..3] {
        assert_eq!(line["status"], "queued", "{line}");
        assert!(line["id"].is_string(), "{line}");
    }
    let summary = &lines[3];
    assert_eq!(summary["queued"], 3, "{summary}");
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_eq!(summary["not_sent"], 0, "{summary}");
}
