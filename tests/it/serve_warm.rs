//! `posta serve` keeps a client's upstream session warm between its messages: one
//! connection for two messages; a 421 or a refused recipient on the first does not
//! cost the second. The scripted server counts the sessions: it accepts only as many
//! connections as it has scripts, so a connection too many fails the message.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::support::closed_port;
use crate::support::posta;
use crate::support::scripted_server::{Action, Config, Record, Server};

fn plain() -> Config {
    Config {
        extensions: Vec::new(),
        ..Config::default()
    }
}

/// `posta serve` on a free loopback port, sending to `upstream`, and that port.
fn serve(home: &std::path::Path, upstream: u16) -> (Child, u16) {
    let port = closed_port();
    let child = posta(home)
        .args(["serve", "--queue", "never", "--flush-interval", "0"])
        .args(["--security", "plain", "--server"])
        .arg(format!("127.0.0.1:{upstream}"))
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    (child, port)
}

/// One client connection to `port`, a message to each of `rcpts`; the replies to their
/// end of data.
pub(crate) fn messages(port: u16, rcpts: &[&str]) -> Vec<String> {
    let from_to: Vec<_> = rcpts.iter().map(|r| ("a@example.org", *r)).collect();
    messages_from(port, &from_to)
}

/// [`messages`], each with its own sender.
fn messages_from(port: u16, from_to: &[(&str, &str)]) -> Vec<String> {
    let mut stream = None;
    for _ in 0..100 {
        if let Ok(s) = TcpStream::connect(("127.0.0.1", port)) {
            stream = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let stream = stream.expect("posta serve listens");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut w = stream;
    let mut reply = || {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            all.push_str(&line);
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                return all;
            }
        }
    };
    reply();
    let say = |w: &mut TcpStream, s: &str| w.write_all(format!("{s}\r\n").as_bytes()).unwrap();
    say(&mut w, "EHLO app.test");
    reply();
    let mut ends = Vec::new();
    for (i, (from, rcpt)) in from_to.iter().enumerate() {
        say(&mut w, &format!("MAIL FROM:<{from}>"));
        reply();
        say(&mut w, &format!("RCPT TO:<{rcpt}>"));
        reply();
        say(&mut w, "DATA");
        reply();
        say(
            &mut w,
            &format!("From: a@example.org\r\nTo: b@example.org\r\nSubject: m{i}\r\n\r\nbody\r\n."),
        );
        ends.push(reply());
    }
    say(&mut w, "QUIT");
    reply();
    ends
}

/// SIGTERM, as systemd stops the service, and wait for it.
pub(crate) fn stop(mut child: Child) {
    let _ = std::process::Command::new("kill")
        .arg(child.id().to_string())
        .status();
    for _ in 0..200 {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Two messages, over one client connection or two in a row.
fn run(
    sessions: Vec<Config>,
    rcpt_first: &str,
    one_connection: bool,
) -> (Vec<String>, Vec<Record>) {
    let server = Server::start_sessions(sessions);
    let home = tempfile::tempdir().unwrap();
    let (child, port) = serve(home.path(), server.port());
    let ends = if one_connection {
        messages(port, &[rcpt_first, "b@example.org"])
    } else {
        let mut ends = messages(port, &[rcpt_first]);
        ends.extend(messages(port, &["b@example.org"]));
        ends
    };
    stop(child);
    (ends, server.finish_sessions())
}

#[test]
fn two_messages_of_a_client_go_over_one_upstream_connection() {
    let (ends, records) = run(vec![plain()], "b@example.org", true);
    assert!(ends.iter().all(|e| e.starts_with("250")), "{ends:?}");
    assert_eq!(records.len(), 1);
    let commands = records[0].commands();
    assert_eq!(records[0].messages.len(), 2, "{commands:?}");
    // One login, and QUIT when the service stopped.
    assert_eq!(commands.iter().filter(|c| c.starts_with("EHLO")).count(), 1);
    assert_eq!(
        commands.last().map(String::as_str),
        Some("QUIT"),
        "{commands:?}"
    );
}

#[test]
fn a_connection_dropped_after_the_first_message_costs_the_second_nothing() {
    // The first session closes at the second MAIL; the message goes on a new one.
    let first = plain().on("MAIL", Action::DropAfter(1));
    let (ends, records) = run(vec![first, plain()], "b@example.org", true);
    assert!(ends.iter().all(|e| e.starts_with("250")), "{ends:?}");
    let counts: Vec<usize> = records.iter().map(|r| r.messages.len()).collect();
    assert_eq!(counts, [1, 1]);
    // The second message was tried on the warm session first.
    let mails = records[0].commands();
    let mails = mails.iter().filter(|c| c.starts_with("MAIL")).count();
    assert_eq!(mails, 2, "{:?}", records[0].commands());
}

#[test]
fn a_refused_recipient_does_not_poison_the_session() {
    let config = plain().reply("RCPT TO:<nobody@", "550 5.1.1 no such user");
    let (ends, records) = run(vec![config], "nobody@example.org", true);
    assert!(ends[0].starts_with("550"), "{ends:?}");
    assert!(ends[1].starts_with("250"), "{ends:?}");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].messages.len(), 1, "{:?}", records[0].commands());
}

#[test]
fn the_next_client_finds_the_session_warm() {
    let (ends, records) = run(vec![plain()], "b@example.org", false);
    assert!(ends.iter().all(|e| e.starts_with("250")), "{ends:?}");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].messages.len(), 2, "{:?}", records[0].commands());
}

#[test]
fn a_session_idle_too_long_is_closed_with_quit() {
    let server = Server::start(plain());
    let home = tempfile::tempdir().unwrap();
    let (child, port) = serve(home.path(), server.port());
    let ends = messages(port, &["b@example.org"]);
    std::thread::sleep(posta::listen::warm::IDLE_TIME + Duration::from_secs(2));
    // posta serve still runs: the session must have ended on its own (else the
    // scripted server's read times out, an error in the record).
    let record = server.finish();
    stop(child);
    assert!(ends[0].starts_with("250"), "{ends:?}");
    assert_eq!(record.error, None, "{:?}", record.commands());
    assert_eq!(record.commands().last().map(String::as_str), Some("QUIT"));
}

#[test]
fn a_421_on_the_warm_session_sends_the_message_on_a_new_one() {
    // The first session takes one message, then closes with 421 at the next MAIL.
    let first = plain().reply("MAIL FROM:<c@", "421 4.3.2 shutting down");
    let server = Server::start_sessions(vec![first, plain()]);
    let home = tempfile::tempdir().unwrap();
    let (child, port) = serve(home.path(), server.port());
    let ends = messages_from(
        port,
        &[
            ("a@example.org", "b@example.org"),
            ("c@example.org", "b@example.org"),
        ],
    );
    stop(child);
    assert!(ends.iter().all(|e| e.starts_with("250")), "{ends:?}");
    let records = server.finish_sessions();
    let counts: Vec<usize> = records.iter().map(|r| r.messages.len()).collect();
    assert_eq!(counts, [1, 1]);
    assert!(
        records[0].sent("MAIL FROM:<c@"),
        "{:?}",
        records[0].commands()
    );
}
