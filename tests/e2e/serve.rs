//! `posta serve` with real clients (Python's smtplib, swaks) on TCP and a Unix socket,
//! delivering through the local Postfix. The [`Serve`] fixture is shared with
//! serve_hostile.rs (its stop on SIGTERM, hostile clients).

use std::io::{BufRead, BufReader};
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
pub(crate) struct Serve {
    pub(crate) child: Child,
    pub(crate) port: u16,
    socket: PathBuf,
    log_file: PathBuf,
    stderr: Arc<Mutex<Vec<String>>>,
    home: tempfile::TempDir,
}

impl Serve {
    pub(crate) fn start(extra: &[&str]) -> Serve {
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

    pub(crate) fn tcp(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn unix(&self) -> String {
        format!("unix:{}", self.socket.display())
    }

    /// SIGTERM, and its exit (within 60 s).
    pub(crate) fn terminate(&mut self) -> ExitStatus {
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

    pub(crate) fn stderr(&self) -> Vec<String> {
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

pub(crate) fn tag(what: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{what}-{}-{nanos}", std::process::id())
}

/// smtplib_serve.py: `count` messages over one connection; the replies to their data.
pub(crate) fn smtplib(
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
    // Any local user may connect (the directory decides who reaches it).
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&serve.socket)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o666);
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

#[test]
fn a_user_who_cannot_read_the_secret_sends_through_the_service() {
    let serve = Serve::start(&[]);
    // Another user's home: the same profile, but its password file cannot be read.
    let (user, link) = sendmail_home();
    let config = std::fs::read_to_string(config_path(user.path())).unwrap();
    let config = config.replace(
        "password_env = \"E2E_ALICE_PASSWORD\"",
        "password_file = \"/nonexistent/posta/secret\"",
    );
    std::fs::write(config_path(user.path()), config).unwrap();
    let send = |socket: &std::path::Path, subject: &str| {
        let mut cmd = Command::new(&link);
        sendmail_env(&mut cmd, user.path());
        cmd.env("POSTA_SERVE_SOCKET", socket).arg(BOB);
        crate::support::run_with_input(cmd, format!("Subject: {subject}\n\nhi\n").as_bytes())
    };
    let tag = tag("serve-hand-off");
    let out = send(&serve.socket, &tag);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Sent, not queued: sendmail is silent.
    assert_eq!(text(&out.stderr), "");
    wait_for_message(BOB, &tag);
    let log = std::fs::read_to_string(&serve.log_file).unwrap();
    assert!(
        log.lines()
            .any(|l| l.contains(" user=") && l.contains("status=sent")),
        "{log}"
    );
    // No service: the message waits in the user's queue, as before.
    let out = send(&user.path().join("no.sock"), &format!("{tag} queued"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("queued as"),
        "{}",
        text(&out.stderr)
    );
    // The service is there again: the user's flush sends the waiting message through
    // it, since the user still cannot read the secret (`--all`: its retry is not due).
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_posta"));
    sendmail_env(&mut cmd, user.path());
    let out = cmd
        .env("POSTA_SERVE_SOCKET", &serve.socket)
        .args(["queue", "flush", "--all"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    wait_for_message(BOB, &format!("{tag} queued"));
}
