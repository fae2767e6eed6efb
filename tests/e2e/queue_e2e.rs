//! The queue against the real Postfix of scripts/mailserver.sh: server down → queued;
//! server up → flush delivers exactly once (counted in the Maildir); a 550 is not
//! queued; two flushes at once deliver each message once; kill -9 during flushes loses
//! nothing and duplicates only a message whose attempt was cut after the data went out.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::e2e::*;
use serde_json::Value;

const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";

fn queue_entries(home: &Path) -> Vec<Value> {
    let out = posta(home)
        .args(["queue", "list", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    json(&out)["queued"].as_array().unwrap().clone()
}

/// How many messages in `user`'s Maildir contain `needle` (after the first arrived,
/// wait a little for any second copy).
fn deliveries(user: &str, needle: &str) -> usize {
    wait_for_message(user, needle);
    std::thread::sleep(Duration::from_millis(1500));
    std::fs::read_dir(maildir(user))
        .unwrap()
        .filter_map(|e| std::fs::read(e.unwrap().path()).ok())
        .filter(|b| contains(b, needle.as_bytes()))
        .count()
}

/// A TCP relay from 127.0.0.1:`from` to 127.0.0.1:`to`: "the server is back" at the
/// address the message was queued for.
struct Relay {
    stop: Arc<AtomicBool>,
}

impl Relay {
    fn start(from: u16, to: u16) -> Relay {
        let listener = TcpListener::bind(("127.0.0.1", from)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).unwrap();
                        let server = TcpStream::connect(("127.0.0.1", to)).unwrap();
                        pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                        pipe(server, client);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Relay { stop }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 || to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(std::net::Shutdown::Write);
    });
}

#[test]
fn server_down_then_up_flush_delivers_exactly_once() {
    let home = tempfile::tempdir().unwrap();
    let port = closed_port();
    let server = format!("localhost:{port}");
    let subject_send = token("queue-send");
    let subject_sendmail = token("queue-sendmail");

    let out = posta(home.path())
        .env("POSTA_PASSWORD", env("POSTA_E2E_PASS1"))
        .args([
            "send",
            "--server",
            &server,
            "--ca-file",
            &ca(),
            "--user",
            ALICE,
        ])
        .args([
            "--from",
            ALICE,
            "--to",
            BOB,
            "-s",
            &subject_send,
            "--body",
            "queued",
        ])
        .args(["--queue", "on-temporary-failure"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("queued as"),
        "{}",
        text(&out.stderr)
    );

    let mut sendmail = posta(home.path());
    sendmail
        .env("POSTA_PASSWORD", env("POSTA_E2E_PASS1"))
        .args([
            "sendmail",
            "--server",
            &server,
            "--ca-file",
            &ca(),
            "--user",
            ALICE,
        ])
        .args(["-f", ALICE, BOB]);
    let raw = format!("From: {ALICE}\nTo: {BOB}\nSubject: {subject_sendmail}\n\nqueued too\n");
    let out = run_with_input(sendmail, raw.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).starts_with("sendmail: queued as "));
    assert_eq!(queue_entries(home.path()).len(), 2);
    assert_no_message(BOB, &subject_send);

    // The server comes back at the same address (STARTTLS + AUTH on 587 behind it).
    let _relay = Relay::start(port, port_number("SUBMISSION"));
    let out = posta(home.path())
        .env("POSTA_PASSWORD", env("POSTA_E2E_PASS1"))
        .args(["queue", "flush", "--all", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["sent"].as_array().unwrap().len(), 2, "{v}");
    assert!(queue_entries(home.path()).is_empty());

    // A second flush has nothing to send.
    let out = posta(home.path())
        .args(["queue", "flush", "--all", "--json"])
        .output()
        .unwrap();
    assert_eq!(json(&out)["sent"].as_array().unwrap().len(), 0);

    assert_eq!(deliveries(BOB, &subject_send), 1);
    assert_eq!(deliveries(BOB, &subject_sendmail), 1);
    let parsed = parse(&wait_for_message(BOB, &subject_sendmail));
    assert_eq!(parsed["from"][0]["addr"], ALICE);
}

fn port_number(name: &str) -> u16 {
    port(name).parse().unwrap()
}

#[test]
fn a_550_from_postfix_is_not_queued() {
    let home = tempfile::tempdir().unwrap();
    let out = posta(home.path())
        .args(["send", "--server", &format!("localhost:{}", port("PLAIN"))])
        .args(["--security", "plain", "--from", ALICE])
        .args([
            "--to",
            &env("POSTA_E2E_UNKNOWN_RCPT"),
            "-s",
            "550",
            "--body",
            "x",
        ])
        .args(["--queue", "on-temporary-failure", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(67), "{}", text(&out.stderr));
    assert_eq!(json(&out)["status"], "failed");
    assert!(queue_entries(home.path()).is_empty());
}

/// A profile `t` pointing at `port` on loopback, plain (Postfix's port 10025 takes
/// mail for example.test without AUTH).
fn write_config(home: &Path, port: u16) -> PathBuf {
    crate::support::write_config(
        home,
        &format!(
            "default = \"t\"\n[profiles.t]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"plain\"\ntimeout = 10\n"
        ),
    )
}

/// Queue `n` messages (sendmail mode, server down); returns their Message-IDs.
fn queue_messages(home: &Path, label: &str, n: usize) -> Vec<String> {
    write_config(home, closed_port());
    let mut ids = Vec::new();
    for i in 0..n {
        let mid = format!("{}@example.test", token(&format!("{label}-{i}")));
        let raw = format!(
            "From: {ALICE}\nTo: {BOB}\nSubject: {label} {i}\nMessage-ID: <{mid}>\n\nbody {i}\n"
        );
        let mut cmd = posta(home);
        cmd.args(["sendmail", "-f", ALICE, BOB]);
        let out = run_with_input(cmd, raw.as_bytes());
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        ids.push(mid);
    }
    assert_eq!(queue_entries(home).len(), n);
    write_config(home, port_number("PLAIN"));
    ids
}

fn flush_cmd(home: &Path) -> Command {
    let mut cmd = posta(home);
    cmd.args(["queue", "flush", "--all", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

#[test]
fn two_flushes_at_once_deliver_each_message_once() {
    let home = tempfile::tempdir().unwrap();
    let ids = queue_messages(home.path(), "concurrent", 10);
    let a = flush_cmd(home.path()).spawn().unwrap();
    let b = flush_cmd(home.path()).spawn().unwrap();
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success(), "{}", text(&a.stderr));
    assert!(b.status.success(), "{}", text(&b.stderr));
    let sent = |o: &Output| json(o)["sent"].as_array().unwrap().len();
    assert_eq!(
        sent(&a) + sent(&b),
        10,
        "{}\n{}",
        text(&a.stdout),
        text(&b.stdout)
    );
    assert!(queue_entries(home.path()).is_empty());
    for id in &ids {
        assert_eq!(deliveries(BOB, id), 1, "{id}");
    }
    eprintln!("flush A sent {}, flush B sent {}", sent(&a), sent(&b));
}

#[test]
fn kill_9_during_flushes_loses_nothing_and_duplicates_only_interrupted_attempts() {
    let home = tempfile::tempdir().unwrap();
    let ids = queue_messages(home.path(), "killed", 12);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut x = seed;
    let mut interrupted: HashSet<String> = HashSet::new();
    let mut kills = 0;
    for _ in 0..30 {
        if queue_entries(home.path()).is_empty() {
            break;
        }
        let mut child = flush_cmd(home.path()).spawn().unwrap();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        std::thread::sleep(Duration::from_micros(x % 60_000));
        if child.try_wait().unwrap().is_none() {
            kills += 1;
        }
        let _ = child.kill();
        child.wait().unwrap();
        // An entry left with an attempt in progress may already be at the server.
        for e in queue_entries(home.path()) {
            if !e["attempt_started"].is_null() {
                interrupted.insert(e["message_id"].as_str().unwrap().to_string());
            }
        }
    }
    let out = flush_cmd(home.path()).output().unwrap();
    assert!(out.status.success(), "seed {seed}: {}", text(&out.stderr));
    assert!(queue_entries(home.path()).is_empty(), "seed {seed}");
    let mut duplicated = 0;
    for id in &ids {
        let n = deliveries(BOB, id);
        assert!(n >= 1, "seed {seed}: {id} lost");
        if n > 1 {
            duplicated += 1;
            assert!(
                interrupted.contains(id),
                "seed {seed}: {id} delivered {n} times without an interrupted attempt"
            );
        }
    }
    // No leftovers: every temp and trash directory is gone after the last flush.
    let names: Vec<String> = std::fs::read_dir(home.path().join("data/posta/queue"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.starts_with(".tmp-"))
        .collect();
    assert_eq!(names, ["failed"], "seed {seed}");
    eprintln!(
        "seed {seed}: {kills} flushes killed, {} entries caught mid-attempt, {duplicated} duplicated",
        interrupted.len()
    );
}
