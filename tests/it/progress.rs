//! The upload progress bar, seen from the binary: drawn when stderr is a terminal (a
//! pseudo-terminal made by tests/support/pty_stderr.py), never in a pipe, never with
//! `-q` or `--json`. The messages (8 MiB) go to the scripted server, which checks they
//! arrive whole.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::support::scripted_server::{Config, Server, TlsMode};
use crate::support::{posta, run_with_input, text};

const SIZE: usize = 8 * 1024 * 1024;

/// `size` bytes of 76-column lines, as a base64 attachment would be.
fn lines(size: usize) -> Vec<u8> {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(size);
    let mut i = 0usize;
    while out.len() < size {
        if out.len() % 77 == 76 {
            out.push(b'\n');
        } else {
            out.push(alphabet[i % alphabet.len()]);
            i = i.wrapping_mul(31).wrapping_add(7);
        }
    }
    out
}

fn plain_server() -> Server {
    Server::start(Config {
        tls: TlsMode::Off,
        extensions: vec!["PIPELINING".into(), "SIZE 50000000".into()],
        ..Default::default()
    })
}

/// `posta send` of an 8 MiB attachment to `server`.
fn send(home: &Path, server: &Server, attachment: &Path, global: &[&str]) -> Command {
    let mut cmd = posta(home);
    cmd.args(global)
        .args([
            "send",
            "--from",
            "jane@example.org",
            "--to",
            "bob@example.org",
        ])
        .args(["-s", "big", "--body", "see attached", "-a"])
        .arg(attachment)
        .args(["--server", &format!("127.0.0.1:{}", server.port())])
        .args(["--security", "plain"]);
    cmd
}

/// Run `cmd` with stderr on a terminal (TERM=xterm: indicatif draws nothing for an
/// unset or dumb TERM); returns the exit code and what the terminal received.
fn on_terminal(cmd: &Command, stdin: &[u8]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let screen = dir.path().join("screen");
    let helper = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/pty_stderr.py");
    let mut python = Command::new("python3");
    python
        .arg(helper)
        .arg(&screen)
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .env_clear()
        .envs(
            cmd.get_envs()
                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))),
        )
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm")
        .stdout(Stdio::piped());
    let out: Output = run_with_input(python, stdin);
    let drawn = std::fs::read(&screen).unwrap_or_default();
    (out.status.code(), text(&drawn))
}

fn attachment(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("big.bin");
    std::fs::write(&path, lines(SIZE)).unwrap();
    path
}

#[test]
fn a_terminal_shows_the_bar_of_a_big_send() {
    let home = tempfile::tempdir().unwrap();
    let file = attachment(home.path());
    let server = plain_server();
    let (code, drawn) = on_terminal(&send(home.path(), &server, &file, &[]), b"");
    let record = server.finish();
    assert_eq!(code, Some(0), "{drawn}");
    // The first frame (bytes of the total, rate, time left) and the last.
    assert!(drawn.contains("sending ["), "{drawn}");
    assert!(
        drawn.contains(" MiB/s") || drawn.contains(" B/s"),
        "{drawn}"
    );
    assert!(drawn.contains(" left"), "{drawn}");
    assert!(drawn.contains("waiting for the server's reply"), "{drawn}");
    // Then erased, and the report line follows.
    assert!(drawn.contains("\u{1b}[2K"), "{drawn:?}");
    assert!(drawn.contains("sent <"), "{drawn}");
    assert_eq!(record.messages.len(), 1);
    assert!(
        record.messages[0].len() > SIZE,
        "{}",
        record.messages[0].len()
    );
}

#[test]
fn q_and_json_keep_the_terminal_free_of_the_bar() {
    let home = tempfile::tempdir().unwrap();
    let file = attachment(home.path());
    for global in [&["-q"][..], &["--json"], &["-v"]] {
        let server = plain_server();
        let cmd = send(home.path(), &server, &file, global);
        let (code, drawn) = on_terminal(&cmd, b"");
        let record = server.finish();
        assert_eq!(code, Some(0), "{global:?}: {drawn}");
        assert_eq!(record.messages.len(), 1, "{global:?}");
        assert!(!drawn.contains("sending ["), "{global:?}: {drawn}");
        assert!(!drawn.contains("MiB"), "{global:?}: {drawn}");
        assert!(!drawn.contains('\u{1b}'), "{global:?}: {drawn:?}");
        if global == ["-q"] {
            assert_eq!(drawn, "", "-q: nothing at all on success");
        }
    }
}

#[test]
fn a_pipe_gets_no_bar_only_the_report() {
    let home = tempfile::tempdir().unwrap();
    let file = attachment(home.path());
    let server = plain_server();
    let out = send(home.path(), &server, &file, &[]).output().unwrap();
    let record = server.finish();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(record.messages.len(), 1);
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("sent <"), "{stderr}");
    assert!(
        !stderr.contains('\r') && !stderr.contains('\u{1b}'),
        "{stderr:?}"
    );
}

fn sendmail(home: &Path, server: &Server) -> Command {
    let mut cmd = posta(home);
    cmd.args(["sendmail", "-f", "jane@example.org", "bob@example.org"])
        .args(["--server", &format!("127.0.0.1:{}", server.port())])
        .args(["--security", "plain"]);
    cmd
}

fn big_message() -> Vec<u8> {
    let mut message = b"From: jane@example.org\nTo: bob@example.org\nSubject: big\n\n".to_vec();
    message.extend(lines(SIZE));
    message
}

#[test]
fn sendmail_draws_the_bar_on_a_terminal_and_stays_silent_in_a_pipe() {
    let home = tempfile::tempdir().unwrap();
    let message = big_message();

    let server = plain_server();
    let (code, drawn) = on_terminal(&sendmail(home.path(), &server), &message);
    let record = server.finish();
    assert_eq!(code, Some(0), "{drawn}");
    assert_eq!(record.messages.len(), 1);
    assert!(drawn.contains("sending ["), "{drawn}");
    // The spooled size: the message with CRLF line ends and the added headers.
    assert!(drawn.contains(" MiB/8.1"), "{drawn}");
    assert!(drawn.contains("/s"), "{drawn}");

    let server = plain_server();
    let out = run_with_input(sendmail(home.path(), &server), &message);
    let record = server.finish();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(record.messages.len(), 1);
    // sendmail is silent on success: cron would mail anything it printed.
    assert_eq!(text(&out.stderr), "");
}

/// `posta batch` of `count` small messages (one to a refused recipient) to `server`.
fn batch(home: &Path, server: &Server, count: usize, global: &[&str]) -> Command {
    let dir = home.join("outbox");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 1..=count {
        std::fs::write(
            dir.join(format!("m{i:02}.eml")),
            format!("From: jane@example.org\nTo: bob@example.org\nSubject: n{i}\n\nbody {i}\n"),
        )
        .unwrap();
    }
    let mut cmd = posta(home);
    cmd.args(global)
        .arg("batch")
        .arg(&dir)
        .args(["--server", &format!("127.0.0.1:{}", server.port())])
        .args(["--security", "plain"]);
    cmd
}

#[test]
fn batch_counts_on_a_terminal_and_not_in_a_pipe() {
    let home = tempfile::tempdir().unwrap();
    let server = plain_server();
    let (code, drawn) = on_terminal(&batch(home.path(), &server, 6, &[]), b"");
    let record = server.finish();
    assert_eq!(code, Some(0), "{drawn}");
    assert_eq!(record.messages.len(), 6);
    // The bar with the count against the total, erased before the summary.
    assert!(drawn.contains("/6 messages: "), "{drawn}");
    assert!(drawn.contains("6/6 messages: 6 sent, 0 failed"), "{drawn}");
    assert!(drawn.contains("\u{1b}[2K"), "{drawn:?}");
    assert!(drawn.contains("batch: 6 sent, 0 failed"), "{drawn}");

    for global in [&["-q"][..], &["--json"]] {
        let server = plain_server();
        let (code, drawn) = on_terminal(&batch(home.path(), &server, 6, global), b"");
        server.finish();
        assert_eq!(code, Some(0), "{global:?}: {drawn}");
        assert!(!drawn.contains("messages: "), "{global:?}: {drawn}");
        assert!(!drawn.contains('\u{1b}'), "{global:?}: {drawn:?}");
    }

    let server = plain_server();
    let out = batch(home.path(), &server, 6, &[]).output().unwrap();
    server.finish();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "only the summary: {stderr}");
    assert!(stderr.starts_with("batch: 6 sent"), "{stderr}");
}
