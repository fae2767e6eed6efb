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

/// One client connection to `port`, two messages; the replies to their end of data.
fn two_messages(port: u16, rcpt_first: &str) -> Vec<String> {
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
    for (i, rcpt) in [rcpt_first, "b@example.org"].iter().enumerate() {
        say(&mut w, "MAIL FROM:<a@example.org>");
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

fn run(sessions: Vec<Config>, rcpt_first: &str) -> (Vec<String>, Vec<Record>) {
    let server = Server::start_sessions(sessions);
    let home = tempfile::tempdir().unwrap();
    let (mut child, port) = serve(home.path(), server.port());
    let ends = two_messages(port, rcpt_first);
    let _ = child.kill();
    let _ = child.wait();
    (ends, server.finish_sessions())
}

#[test]
fn two_messages_of_a_client_go_over_one_upstream_connection() {
    let (ends, records) = run(vec![plain()], "b@example.org");
    assert!(ends.iter().all(|e| e.starts_with("250")), "{ends:?}");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].messages.len(), 2, "{:?}", records[0].commands());
}

#[test]
fn a_connection_dropped_after_the_first_message_costs_the_second_nothing() {
    // The first session closes at the second MAIL; the message goes on a new one.
    let first = plain().on("MAIL", Action::DropAfter(1));
    let (ends, records) = run(vec![first, plain()], "b@example.org");
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
    let (ends, records) = run(vec![config], "nobody@example.org");
    assert!(ends[0].starts_with("550"), "{ends:?}");
    assert!(ends[1].starts_with("250"), "{ends:?}");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].messages.len(), 1, "{:?}", records[0].commands());
}
