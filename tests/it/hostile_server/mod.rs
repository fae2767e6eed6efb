//! The posta binary against hostile servers: a 10 MB reply line, an endless multi-line
//! reply, a reply trickled a byte at a time that never ends, invalid UTF-8 and
//! terminal escapes, codes outside 2xx–5xx, data that is not a greeting, bytes
//! injected during STARTTLS, and a server that speaks only TLS 1.0. Each must end
//! within a bounded time and memory, with a clear message and the right exit code.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::scripted_server::{Config, Server, TlsMode, raw as raw_server};
use crate::support::{posta, text};

/// Every run must end within this; a hang is a failure, not a stuck test.
const WALL: Duration = Duration::from_secs(20);

pub(crate) struct Run {
    pub(crate) out: Output,
    pub(crate) elapsed: Duration,
    /// Peak resident memory of the child in KiB, as last seen in /proc.
    peak_kib: Option<u64>,
}

impl Run {
    pub(crate) fn code(&self) -> i32 {
        self.out.status.code().unwrap_or(-1)
    }
    pub(crate) fn stderr(&self) -> String {
        text(&self.out.stderr)
    }
    pub(crate) fn all(&self) -> String {
        format!("{}{}", text(&self.out.stdout), text(&self.out.stderr))
    }
}

fn peak_kib(child: &Child) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Run `cmd`, killing it after [`WALL`], watching its peak memory.
pub(crate) fn run(mut cmd: Command) -> Run {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stdout.read_to_end(&mut v);
        v
    });
    let err_thread = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stderr.read_to_end(&mut v);
        v
    });
    let mut peak = None;
    let status = loop {
        if let Some(kib) = peak_kib(&child) {
            peak = Some(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > WALL {
            child.kill().unwrap();
            panic!("posta still running after {WALL:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    Run {
        out: Output {
            status,
            stdout: out_thread.join().unwrap(),
            stderr: err_thread.join().unwrap(),
        },
        elapsed,
        peak_kib: peak,
    }
}

/// `posta send` in clear to 127.0.0.1:`port` with a 2-second limit.
fn send(port: u16, extra: &[&str]) -> (Run, tempfile::TempDir) {
    send_with_security(port, "plain", extra)
}

/// `posta send` to 127.0.0.1:`port` with `--security security` and a 2-second limit.
pub(crate) fn send_with_security(
    port: u16,
    security: &str,
    extra: &[&str],
) -> (Run, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = posta(home.path());
    cmd.args([
        "send",
        "--from",
        "jane@example.org",
        "--to",
        "bob@example.org",
    ])
    .args(["-s", "hi", "--body", "x"])
    .args(["--server", &format!("127.0.0.1:{port}")])
    .args(["--security", security, "--timeout", "2"])
    .args(extra);
    (run(cmd), home)
}

pub(crate) fn assert_bounded(r: &Run, seconds: u64) {
    assert!(
        r.elapsed < Duration::from_secs(seconds),
        "took {:?}: {}",
        r.elapsed,
        r.all()
    );
    if let Some(kib) = r.peak_kib {
        assert!(kib < 64 * 1024, "peak memory {kib} KiB");
    }
}

/// Write, ignoring the error when the client has gone (it is allowed to leave).
pub(crate) fn put(tcp: &mut TcpStream, bytes: &[u8]) -> bool {
    tcp.write_all(bytes).is_ok()
}

#[test]
fn a_ten_megabyte_reply_line_is_refused_at_16_kib() {
    let port = raw_server(|mut tcp| {
        let chunk = vec![b'a'; 64 * 1024];
        if !put(&mut tcp, b"220 ") {
            return;
        }
        for _ in 0..160 {
            if !put(&mut tcp, &chunk) {
                return;
            }
        }
        put(&mut tcp, b"\r\n");
    });
    let (r, _home) = send(port, &[]);
    assert_eq!(r.code(), 76, "{}", r.all());
    assert!(
        r.stderr().contains("longer than 16384 bytes"),
        "{}",
        r.all()
    );
    assert_bounded(&r, 10);
}

#[test]
fn an_endless_multi_line_reply_is_refused_at_1000_lines() {
    let port = raw_server(|mut tcp| {
        loop {
            if !put(&mut tcp, b"220-still greeting you\r\n") {
                return;
            }
        }
    });
    let (r, _home) = send(port, &[]);
    assert_eq!(r.code(), 76, "{}", r.all());
    assert!(r.stderr().contains("more than 1000 lines"), "{}", r.all());
    assert_bounded(&r, 10);
}

#[test]
fn a_reply_trickled_a_byte_at_a_time_that_never_ends_times_out() {
    // Each byte comes well within the 2-second limit, so only a deadline for the whole
    // reply ends this (before, it could take 16 KiB × 1,000 lines × 300 ms).
    let port = raw_server(|mut tcp| {
        let _ = tcp.set_nodelay(true);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(15) {
            if !put(&mut tcp, b"2") {
                return;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    });
    let (r, _home) = send(port, &[]);
    assert_eq!(r.code(), 75, "{}", r.all());
    assert!(r.stderr().contains("in time"), "{}", r.all());
    assert_bounded(&r, 6);
}

#[test]
fn a_multi_line_reply_trickled_line_by_line_times_out() {
    let port = raw_server(|mut tcp| {
        let _ = tcp.set_nodelay(true);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(15) {
            if !put(&mut tcp, b"220-slow\r\n") {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let (r, _home) = send(port, &[]);
    assert_eq!(r.code(), 75, "{}", r.all());
    assert_bounded(&r, 6);
}

/// A server that answers every command, with replies chosen by `answer`.
fn dialog(greeting: &'static [u8], answer: fn(&str) -> Vec<u8>) -> u16 {
    raw_server(move |mut tcp| {
        if !put(&mut tcp, greeting) {
            return;
        }
        let mut reader = BufReader::new(tcp.try_clone().unwrap());
        let mut in_data = false;
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let l = line.trim_end();
            if in_data {
                if l == "." {
                    in_data = false;
                    put(&mut tcp, &answer("."));
                }
                continue;
            }
            let verb = l.split(' ').next().unwrap_or("").to_ascii_uppercase();
            if verb == "DATA" {
                in_data = true;
            }
            if !put(&mut tcp, &answer(&verb)) || verb == "QUIT" {
                return;
            }
        }
    })
}

#[test]
fn invalid_utf8_and_terminal_escapes_in_replies_are_shown_harmlessly() {
    let port = dialog(
        b"220 \xff\xfe mx \x1b[31mred\x1b]0;title\x07 ready\r\n",
        |verb| match verb {
            "EHLO" => b"250-mx.example \xc3\x28\r\n250-8BITMIME\r\n250 PIPELINING\r\n".to_vec(),
            "DATA" => b"354 go \xff\r\n".to_vec(),
            "." => b"250 2.0.0 queued as \x1b[2J\xfe\r\n".to_vec(),
            "QUIT" => b"221 bye\r\n".to_vec(),
            _ => b"250 2.0.0 ok \x9b\r\n".to_vec(),
        },
    );
    let (r, _home) = send(port, &["-vv"]);
    assert_eq!(r.code(), 0, "{}", r.all());
    let all = [r.out.stdout.as_slice(), r.out.stderr.as_slice()].concat();
    assert!(
        !all.contains(&0x1b),
        "an escape reached the terminal: {}",
        r.all()
    );
    assert!(!all.contains(&0x07), "a BEL reached the terminal");
    assert!(r.stderr().contains("ready"), "{}", r.all());
    assert_bounded(&r, 10);
}

#[test]
fn invalid_utf8_in_a_refusal_is_reported_with_its_code() {
    let port = dialog(b"220 mx ready\r\n", |verb| match verb {
        "EHLO" => b"250 mx\r\n".to_vec(),
        "MAIL" => b"550 5.7.1 \xff\xfe\x1b[1m refused\r\n".to_vec(),
        _ => b"250 ok\r\n".to_vec(),
    });
    let (r, _home) = send(port, &[]);
    assert_ne!(r.code(), 0, "{}", r.all());
    assert!(r.stderr().contains("550"), "{}", r.all());
    assert!(!r.out.stderr.contains(&0x1b));
}

#[test]
fn a_reply_code_outside_2xx_to_5xx_is_a_protocol_error() {
    for greeting in [
        &b"199 hello\r\n"[..],
        b"600 hello\r\n",
        b"000 hello\r\n",
        b"2200 hello\r\n",
        b"22 hi\r\n",
    ] {
        let port = raw_server(move |mut tcp| {
            put(&mut tcp, greeting);
            std::thread::sleep(Duration::from_secs(3));
        });
        let (r, _home) = send(port, &[]);
        assert_eq!(r.code(), 76, "{}: {}", text(greeting), r.all());
        assert!(r.stderr().contains("malformed reply"), "{}", r.all());
        assert_bounded(&r, 6);
    }
}

#[test]
fn a_code_outside_2xx_to_5xx_after_ehlo_is_a_protocol_error() {
    let port = dialog(b"220 mx ready\r\n", |verb| match verb {
        "EHLO" => b"250 mx\r\n".to_vec(),
        "MAIL" => b"700 what\r\n".to_vec(),
        _ => b"250 ok\r\n".to_vec(),
    });
    let (r, _home) = send(port, &[]);
    assert_eq!(r.code(), 76, "{}", r.all());
}

#[test]
fn data_that_is_not_a_greeting_is_a_protocol_error() {
    let port = raw_server(|mut tcp| {
        put(
            &mut tcp,
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n220 fake\r\n",
        );
        std::thread::sleep(Duration::from_secs(3));
    });
    let (r, _home) = send(port, &[]);
    assert_eq!(r.code(), 76, "{}", r.all());
    assert!(r.stderr().contains("malformed reply"), "{}", r.all());
    assert_bounded(&r, 6);
}

#[test]
fn a_server_that_closes_before_its_greeting_is_a_temporary_failure() {
    let port = raw_server(drop);
    let (r, _home) = send(port, &[]);
    assert_eq!(r.code(), 75, "{}", r.all());
    assert_bounded(&r, 6);
}

// ------------------------------------------------------------ recipient cap

fn recipients(n: usize) -> String {
    (0..n)
        .map(|i| format!("r{i}@example.org"))
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn a_thousand_recipients_go_in_one_transaction() {
    let server = Server::start(Config::default());
    // 999 here and the one send() always adds.
    let list = recipients(999);
    let (r, _home) = send(server.port(), &["--to", &list]);
    assert_eq!(r.code(), 0, "{}", r.all());
    let record = server.finish();
    assert_eq!(
        record
            .lines
            .iter()
            .filter(|l| l.text.starts_with("RCPT"))
            .count(),
        1000
    );
}

#[test]
fn more_than_a_thousand_recipients_are_refused_before_connecting() {
    let connected = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = connected.clone();
    let port = raw_server(move |_| flag.store(true, std::sync::atomic::Ordering::SeqCst));
    let list = recipients(1001);
    let (r, _home) = send(port, &["--to", &list]);
    assert_eq!(r.code(), 65, "{}", r.all());
    assert!(r.stderr().contains("1002 recipients"), "{}", r.all());
    assert!(r.stderr().contains("at most 1000"), "{}", r.all());
    assert!(!connected.load(std::sync::atomic::Ordering::SeqCst));
}

mod tls;
