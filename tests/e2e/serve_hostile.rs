//! `posta serve` under pressure: SIGTERM with a message in hand, and hostile clients
//! (an endless line, 10,000 RCPTs, a stalled DATA, 500 connections at once) that stay
//! bounded in memory and time while an ordinary client is served.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::e2e::*;
use crate::serve::{Serve, smtplib, tag};

const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";

/// A raw client: its greeting read.
struct Raw {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Raw {
    /// Connect until a slot is free (clients that just left may still hold theirs).
    fn connect(port: u16) -> Raw {
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
            let mut raw = Raw {
                reader: BufReader::new(s.try_clone().unwrap()),
                writer: s,
            };
            let greeting = raw.reply();
            if greeting.starts_with("220 ") {
                return raw;
            }
            assert!(Instant::now() < until, "no free slot: {greeting}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The next reply's last line ("" when the connection is closed).
    fn reply(&mut self) -> String {
        let mut line = String::new();
        loop {
            line.clear();
            match self.reader.read_line(&mut line) {
                Ok(0) | Err(_) => return String::new(),
                Ok(_) if line.as_bytes().get(3) == Some(&b'-') => continue,
                Ok(_) => return line.trim_end().to_string(),
            }
        }
    }

    fn send(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).unwrap();
    }
}

#[test]
fn sigterm_finishes_the_message_in_hand_and_answers_421_to_the_others() {
    let mut serve = Serve::start(&[]);
    let mut idle = Raw::connect(serve.port);
    let mut sending = Raw::connect(serve.port);
    let tag = tag("serve-sigterm");
    sending.send(&format!(
        "EHLO c\r\nMAIL FROM:<{ALICE}>\r\nRCPT TO:<{BOB}>\r\nDATA\r\n"
    ));
    for expected in ["250 ", "250 ", "250 ", "354 "] {
        let r = sending.reply();
        assert!(r.starts_with(expected), "{r}");
    }
    sending.send(&format!("Subject: {tag}\r\n\r\nfirst half\r\n"));
    let pid = serve.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    // The client between commands is told at once.
    let r = idle.reply();
    assert!(r.starts_with("421 4.3.2"), "{r}");
    // The one sending finishes, and gets the real outcome.
    sending.send("second half\r\n.\r\n");
    let r = sending.reply();
    assert!(r.starts_with("250 2.0.0 sent"), "{r}");
    sending.send("NOOP\r\n");
    let r = sending.reply();
    assert!(r.starts_with("421 4.3.2") || r.is_empty(), "{r}");
    let status = serve.terminate();
    assert!(status.success(), "{status:?} {:?}", serve.stderr());
    let got = wait_for_message(BOB, &tag);
    assert!(
        text(&got).contains("first half\nsecond half"),
        "{}",
        text(&got)
    );
    // A new client finds nobody listening.
    assert!(TcpStream::connect(("127.0.0.1", serve.port)).is_err());
}

/// Peak resident memory of a process, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn hostile_clients_stay_bounded_and_others_keep_being_served() {
    let mut serve = Serve::start(&["--client-timeout", "3", "--max-clients", "64"]);
    let port = serve.port;

    // 500 connections at once: every one answered, 220 up to the cap, 421 after it.
    let mut many: Vec<Raw> = Vec::new();
    let mut greetings = Vec::new();
    for _ in 0..500 {
        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        many.push(Raw {
            reader: BufReader::new(s.try_clone().unwrap()),
            writer: s,
        });
    }
    for raw in &mut many {
        greetings.push(raw.reply());
    }
    let served = greetings.iter().filter(|g| g.starts_with("220 ")).count();
    let refused = greetings
        .iter()
        .filter(|g| g.starts_with("421 4.7.0"))
        .count();
    assert_eq!(served + refused, 500, "{greetings:?}");
    assert!(
        served <= 64 && refused >= 436,
        "{served} served, {refused} refused"
    );
    drop(many);

    // An endless line: refused and closed, memory not spent on it.
    let mut endless = Raw::connect(port);
    let writer = endless.writer.try_clone().unwrap();
    let flood = std::thread::spawn(move || {
        let mut w = writer;
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..256 {
            if w.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let r = endless.reply();
    assert!(r.starts_with("500 5.5.2"), "{r}");
    let _ = flood.join();

    // 10,000 RCPTs: 1,000 taken, then 452, then closed for too many errors.
    let mut rcpts = Raw::connect(port);
    let writer = rcpts.writer.try_clone().unwrap();
    let pipeline = std::thread::spawn(move || {
        let mut w = std::io::BufWriter::new(writer);
        let _ = write!(w, "EHLO c\r\nMAIL FROM:<{ALICE}>\r\n");
        for i in 0..10_000 {
            if write!(w, "RCPT TO:<r{i}@example.test>\r\n").is_err() {
                break;
            }
        }
        let _ = w.flush();
    });
    let mut counts = std::collections::BTreeMap::new();
    let mut last = String::new();
    loop {
        let r = rcpts.reply();
        if r.is_empty() {
            break;
        }
        *counts.entry(r[..3].to_string()).or_insert(0) += 1;
        last = r;
    }
    let _ = pipeline.join();
    assert_eq!(counts.get("250"), Some(&1002), "{counts:?}"); // EHLO, MAIL, 1,000 RCPTs
    assert!(counts.get("452").is_some_and(|n| *n >= 99), "{counts:?}");
    assert!(last.starts_with("421 4.7.0"), "{last}");

    // A stalled DATA: the deadline ends it.
    let mut stalled = Raw::connect(port);
    stalled.send(&format!(
        "MAIL FROM:<{ALICE}>\r\nRCPT TO:<{BOB}>\r\nDATA\r\nSubject: stall\r\n"
    ));
    for expected in ["250 ", "250 ", "354 "] {
        let r = stalled.reply();
        assert!(r.starts_with(expected), "{r}");
    }
    let r = stalled.reply();
    assert!(r.starts_with("421 4.4.2"), "{r}");
    let mut rest = Vec::new();
    let _ = stalled.reader.read_to_end(&mut rest);

    // Meanwhile, and after all that, an ordinary client is served.
    let tag = tag("serve-after-hostile");
    let replies = smtplib(&serve, &serve.tcp(), &tag, 1, &[BOB]);
    assert_eq!(replies[0].0, 250, "{replies:?}");
    wait_for_message(BOB, &tag);
    let peak = peak_rss_kib(serve.child.id());
    assert!(peak < 256 * 1024, "peak RSS {peak} KiB");
    assert!(serve.terminate().success(), "{:?}", serve.stderr());
}
