//! `posta batch` when the server drops the connection between two messages: posta opens
//! a new session and sends the message again, which the server never got, and no
//! message twice. A small in-process server, since no real one drops on demand.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};

use crate::support::{closed_port, json_lines, posta};
use std::time::Duration;

/// Serve `sessions` connections in turn; the first one closes, without a word, when a
/// second MAIL arrives. Returns the subjects received, per session.
fn serve(listener: TcpListener, sessions: usize) -> Vec<Vec<String>> {
    let mut received = Vec::new();
    for n in 0..sessions {
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        received.push(session(tcp, n == 0));
    }
    received
}

fn session(tcp: TcpStream, drop_on_second_mail: bool) -> Vec<String> {
    session_paced(tcp, drop_on_second_mail, Duration::ZERO)
}

/// A session that waits `pause` before accepting each message's data.
fn session_paced(tcp: TcpStream, drop_on_second_mail: bool, pause: Duration) -> Vec<String> {
    let mut out = tcp.try_clone().unwrap();
    let mut reader = BufReader::new(tcp);
    let mut subjects = Vec::new();
    let mut say = |s: &str| out.write_all(format!("{s}\r\n").as_bytes());
    say("220 test ESMTP").unwrap();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return subjects;
        }
        let command = line.trim_end().to_ascii_uppercase();
        if command.starts_with("EHLO") {
            say("250 test").unwrap();
        } else if command.starts_with("MAIL") {
            if drop_on_second_mail && !subjects.is_empty() {
                return subjects; // the socket closes here
            }
            say("250 2.1.0 Ok").unwrap();
        } else if command.starts_with("RCPT") {
            say("250 2.1.5 Ok").unwrap();
        } else if command == "DATA" {
            say("354 go ahead").unwrap();
            loop {
                line.clear();
                reader.read_line(&mut line).unwrap();
                if line == ".\r\n" {
                    break;
                }
                if let Some(s) = line.strip_prefix("Subject: ") {
                    subjects.push(s.trim_end().to_owned());
                }
            }
            std::thread::sleep(pause);
            say("250 2.0.0 Ok: queued").unwrap();
        } else if command == "QUIT" {
            let _ = say("221 bye");
            return subjects;
        } else {
            say("250 Ok").unwrap();
        }
    }
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
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || serve(listener, 2));

    let home = tempfile::tempdir().unwrap();
    let out = posta(home.path())
        .args(["--json", "-v", "batch", "--security", "plain", "--server"])
        .arg(format!("127.0.0.1:{port}"))
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let received = server.join().unwrap();
    assert_eq!(received, [vec!["m1"], vec!["m2", "m3"]], "{stderr}");
    assert!(stderr.contains("reconnecting"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(summary["sent"], 3, "{stdout}");
    assert_eq!(summary["connections"], 2, "{stdout}");
}

/// A server that serves `allowed` sessions at once and turns every other connection
/// away with a 421 greeting, as servers with a per-client session limit do. Stops
/// accepting after `total` connections; returns every subject received.
fn serve_limited(listener: TcpListener, allowed: usize, total: usize) -> Vec<String> {
    let mut served = Vec::new();
    for n in 0..total {
        let (mut tcp, _) = listener.accept().unwrap();
        if n < allowed {
            tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            // Slow enough that every connection is handed a message while these work.
            let pause = Duration::from_millis(50);
            served.push(std::thread::spawn(move || session_paced(tcp, false, pause)));
        } else {
            let _ = tcp.write_all(b"421 4.7.0 too many sessions from you\r\n");
        }
    }
    served.into_iter().flat_map(|t| t.join().unwrap()).collect()
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
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // 4 connections asked for, 2 allowed: the other 2 meet a 421 and give back the
    // message each was handed.
    let server = std::thread::spawn(move || serve_limited(listener, 2, 4));

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
    let mut received = server.join().unwrap();
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
