//! `posta serve` with real clients (Python's smtplib, swaks) on TCP and a Unix socket,
//! delivering through the local Postfix; its stop on SIGTERM; and hostile clients
//! (an endless line, 10,000 RCPTs, a stalled DATA, 500 connections at once) that stay
//! bounded while others are served.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::e2e::*;
use crate::interop::{sendmail_env, sendmail_home};
use crate::support::{config_path, parse};

const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";
const CAROL: &str = "carol@example.test";

/// A running `posta serve` on 127.0.0.1:0 and a Unix socket, with its stderr collected.
struct Serve {
    child: Child,
    port: u16,
    socket: PathBuf,
    log_file: PathBuf,
    stderr: Arc<Mutex<Vec<String>>>,
    home: tempfile::TempDir,
}

impl Serve {
    fn start(extra: &[&str]) -> Serve {
        let (home, _link) = sendmail_home();
        let log_file = home.path().join("submissions.log");
        let mut config = std::fs::read_to_string(config_path(home.path())).unwrap();
        config.push_str(&format!("log_file = \"{}\"\n", log_file.display()));
        std::fs::write(config_path(home.path()), config).unwrap();
        let socket = home.path().join("smtp.sock");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_posta"));
        sendmail_env(&mut cmd, home.path());
        let mut child = cmd
            .args(["serve", "--listen", "127.0.0.1:0", "--listen"])
            .arg(format!("unix:{}", socket.display()))
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let (lines, pipe) = (stderr.clone(), child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("posta serve: listening on 127.0.0.1:") {
                    let _ = tx.send(addr.parse::<u16>().unwrap());
                }
                lines.lock().unwrap().push(line);
            }
        });
        let port = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("serve did not start: {:?}", stderr.lock().unwrap()));
        let unix = format!("posta serve: listening on unix:{}", socket.display());
        wait_until(|| stderr.lock().unwrap().contains(&unix));
        Serve {
            child,
            port,
            socket,
            log_file,
            stderr,
            home,
        }
    }

    fn tcp(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn unix(&self) -> String {
        format!("unix:{}", self.socket.display())
    }

    /// SIGTERM, and its exit (within 60 s).
    fn terminate(&mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < until, "serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stderr(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_until(mut done: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < until, "not within 20 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn tag(what: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{what}-{}-{nanos}", std::process::id())
}

/// smtplib_serve.py: `count` messages over one connection; the replies to their data.
fn smtplib(
    serve: &Serve,
    address: &str,
    tag: &str,
    count: u32,
    rcpts: &[&str],
) -> Vec<(u16, String)> {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/clients/smtplib_serve.py");
    let mut cmd = Command::new("python3");
    sendmail_env(&mut cmd, serve.home.path());
    let out = cmd
        .arg(script)
        .args([address, tag, &count.to_string(), ALICE])
        .args(rcpts)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json["replies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[0].as_u64().unwrap() as u16,
                r[1].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn swaks(args: &[&str]) -> std::process::Output {
    Command::new("swaks")
        .args(["--from", ALICE, "--to", BOB, "--timeout", "60"])
        .args(args)
        .output()
        .expect("swaks")
}

#[test]
fn smtplib_and_swaks_through_serve_on_tcp_and_a_unix_socket() {
    let mut serve = Serve::start(&[]);
    let (tcp, unix) = (serve.tcp(), serve.unix());
    let tag_tcp = tag("serve-tcp");
    for (code, reply) in smtplib(&serve, &tcp, &tag_tcp, 3, &[BOB, CAROL]) {
        assert_eq!(code, 250, "{reply}");
        assert!(
            reply.contains("queued as"),
            "the server's own reply: {reply}"
        );
    }
    let tag_unix = tag("serve-unix");
    let replies = smtplib(&serve, &unix, &tag_unix, 1, &[BOB]);
    assert_eq!(replies[0].0, 250, "{replies:?}");
    let tag_swaks = tag("serve-swaks");
    let subject = format!("Subject: {tag_swaks}");
    let port = serve.port.to_string();
    let out = swaks(&[
        "--server",
        "127.0.0.1",
        "--port",
        &port,
        "--header",
        &subject,
    ]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    let socket = serve.socket.display().to_string();
    let out = swaks(&["--socket", &socket, "--header", &subject]);
    assert!(out.status.success(), "{}", text(&out.stdout));

    for m in wait_for_messages(BOB, &tag_tcp, 3) {
        let p = parse(&m);
        assert_eq!(p["from"][0]["addr"], ALICE);
        assert_eq!(p["bcc_present"], false);
        let body = p["body"]["text"].as_str().unwrap();
        assert!(body.contains("\n.starts with a dot\n"), "{body:?}");
    }
    // The Bcc recipient of the envelope got each one too.
    wait_for_messages(CAROL, &tag_tcp, 3);
    wait_for_message(BOB, &tag_unix);
    wait_for_messages(BOB, &tag_swaks, 2);

    // The submission log names the local user of each Unix socket message.
    let log = std::fs::read_to_string(&serve.log_file).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 6, "{log}");
    assert_eq!(
        lines.iter().filter(|l| l.contains(" user=")).count(),
        2,
        "{log}"
    );
    assert!(lines.iter().all(|l| l.contains("status=sent")), "{log}");
    assert!(serve.terminate().success(), "{:?}", serve.stderr());
    assert!(!serve.socket.exists(), "the socket file is removed");
}

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
