//! `posta batch` over one connection when MAIL, RCPT and DATA go in one pipelined
//! group: a refusal in the middle of the stream is reported for its own message, with
//! its own source, and the messages around it are delivered once each. The in-process
//! server, because the second case (a server that accepts DATA with no valid
//! recipient) is one no real server gives on demand.

use crate::support::scripted_server::{Config, Record, Server};
use crate::support::{json_lines, posta, text};

/// Three messages: to bob, to nobody@ (refused by the server), to bob.
fn three_messages(dir: &std::path::Path) {
    for (i, to) in [(1, "bob"), (2, "nobody"), (3, "bob")] {
        std::fs::write(
            dir.join(format!("{i}.eml")),
            format!("From: a@example.org\nTo: {to}@example.org\nSubject: m{i}\n\nbody\n"),
        )
        .unwrap();
    }
}

fn refusing_nobody() -> Config {
    Config::default().reply(
        "RCPT TO:<nobody@",
        "550 5.1.1 <nobody@example.org>: Recipient address rejected",
    )
}

fn subjects(record: &Record) -> Vec<String> {
    record
        .messages
        .iter()
        .map(|m| {
            let m = text(m);
            let subject = m.lines().find_map(|l| l.strip_prefix("Subject: "));
            subject.expect("a Subject").trim_end().to_owned()
        })
        .collect()
}

fn batch(port: u16, dir: &std::path::Path) -> (std::process::Output, Vec<serde_json::Value>) {
    let home = tempfile::tempdir().unwrap();
    let out = posta(home.path())
        .args(["--json", "-v", "batch", "--security", "plain", "--server"])
        .arg(format!("127.0.0.1:{port}"))
        .arg(dir)
        .output()
        .unwrap();
    let lines = json_lines(&out);
    (out, lines)
}

/// Each message's source and status, and the refused one's exit code and stage.
fn check_outcomes(lines: &[serde_json::Value], stderr: &str) {
    assert_eq!(
        lines.len(),
        4,
        "three messages and a summary: {lines:?}\n{stderr}"
    );
    for (line, (name, status)) in
        lines
            .iter()
            .zip([("1.eml", "sent"), ("2.eml", "failed"), ("3.eml", "sent")])
    {
        assert!(line["source"].as_str().unwrap().ends_with(name), "{line}");
        assert_eq!(line["status"], status, "{line}\n{stderr}");
    }
    let refused = &lines[1];
    assert_eq!(refused["exit_code"], 67, "{refused}");
    assert_eq!(refused["stage"], "rcpt", "{refused}");
    assert_eq!(
        refused["refused"][0]["address"], "nobody@example.org",
        "{refused}"
    );
    assert_eq!(lines[3]["sent"], 2, "{}", lines[3]);
}

#[test]
fn a_refused_recipient_in_a_pipelined_stream_fails_only_its_own_message() {
    let dir = tempfile::tempdir().unwrap();
    three_messages(dir.path());
    let server = Server::start(refusing_nobody());
    let (out, lines) = batch(server.port(), dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    check_outcomes(&lines, &stderr);
    assert_eq!(lines[3]["connections"], 1, "{}", lines[3]);
    let record = server.finish();
    assert_eq!(record.error, None, "{:?}", record.commands());
    assert_eq!(subjects(&record), ["m1", "m3"]);
    // MAIL, RCPT and DATA of each message came in one write, the refused one's too.
    for prefix in ["MAIL", "RCPT", "DATA"] {
        let count = record
            .lines
            .iter()
            .filter(|l| l.text.starts_with(prefix))
            .count();
        assert_eq!(count, 3, "{prefix}: {:?}", record.commands());
    }
    let groups: Vec<usize> = record
        .lines
        .iter()
        .filter(|l| l.text.starts_with("MAIL") || l.text == "DATA")
        .map(|l| l.read)
        .collect();
    assert!(
        groups.chunks(2).all(|pair| pair[0] == pair[1]),
        "{groups:?} {:?}",
        record.commands()
    );
    // The refused message's transaction was reset before the next one.
    let commands = record.commands();
    let refused_at = commands
        .iter()
        .position(|c| c.starts_with("RCPT TO:<nobody@"))
        .unwrap();
    assert_eq!(commands[refused_at + 1], "DATA");
    assert_eq!(commands[refused_at + 2], "RSET");
}

#[test]
fn a_server_that_accepts_data_after_refusing_the_recipient_gets_no_message() {
    let dir = tempfile::tempdir().unwrap();
    three_messages(dir.path());
    // Two sessions: the first answers 354 to DATA whatever came before (not what RFC
    // 2920 asks); posta must abandon it rather than send m2 or anything the server
    // would take as message text, and go on with m3 on a new connection.
    let lax = || refusing_nobody().reply("DATA", "354 go ahead");
    let server = Server::start_sessions(vec![lax(), lax()]);
    let (out, lines) = batch(server.port(), dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    check_outcomes(&lines, &stderr);
    assert_eq!(lines[3]["connections"], 2, "{}", lines[3]);
    let sessions = server.finish_sessions();
    assert_eq!(sessions.len(), 2);
    assert_eq!(subjects(&sessions[0]), ["m1"]);
    assert_eq!(subjects(&sessions[1]), ["m3"]);
    // Nothing followed the 354 on the abandoned connection: no RSET, no QUIT, and
    // no bytes of message data.
    let first = sessions[0].commands();
    assert_eq!(first.last().unwrap(), "DATA", "{first:?}");
    assert_eq!(sessions[0].raw_data.last().unwrap(), b"", "{first:?}");
}
