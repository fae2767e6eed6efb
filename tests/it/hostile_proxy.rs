//! A hostile SOCKS5 proxy, through the whole command: one that answers with bytes that
//! are not SOCKS5, and one that accepts the connection and never says a word. Each is
//! a failure said in words with its exit code, within the time limit; nothing is sent.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;

use crate::support::*;

/// A proxy on loopback that reads the client's greeting, answers `reply` (nothing
/// when empty, then holds the connection until the client gives up), and reports what
/// it was sent.
fn proxy(reply: &'static [u8]) -> (u16, thread::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut greeting = [0u8; 3];
        conn.read_exact(&mut greeting).unwrap();
        if !reply.is_empty() {
            conn.write_all(reply).unwrap();
        }
        // Whatever else comes until the client closes.
        let mut rest = Vec::new();
        let _ = conn.read_to_end(&mut rest);
        [&greeting[..], &rest].concat()
    });
    (port, handle)
}

fn send_through(port: u16, extra: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    posta(home.path())
        .args([
            "send",
            "--server",
            "mx.example.org:587",
            "--security",
            "plain",
        ])
        .args(["--proxy", &format!("socks5h://127.0.0.1:{port}")])
        .args([
            "--from",
            "a@example.org",
            "--to",
            "b@example.org",
            "-s",
            "x",
            "--body",
            "y",
        ])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn an_answer_that_is_not_socks5_is_a_protocol_error_in_words() {
    let (port, server) = proxy(b"HTTP/1.1 400 Bad Request\r\n\r\n");
    let out = send_through(port, &[]);
    assert_eq!(out.status.code(), Some(76), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "cannot connect to mx.example.org:587 through socks5h://127.0.0.1:{port}: \
             the proxy's answer is not SOCKS5 (it began with 48 54)"
        )),
        "{err}"
    );
    // Only the greeting went out: no CONNECT, no mail.
    assert_eq!(server.join().unwrap(), [5, 1, 0]);
}

#[test]
fn a_proxy_that_never_answers_is_given_up_at_the_time_limit() {
    let (port, server) = proxy(b"");
    let out = send_through(port, &["--timeout", "1"]);
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("did not answer in time"),
        "{}",
        stderr(&out)
    );
    assert_eq!(server.join().unwrap(), [5, 1, 0]);
}

#[test]
fn the_proxys_refusal_is_said_with_its_reply_code() {
    // "No login needed", then "connection not allowed by its rules" to the CONNECT.
    let (port, _server) = proxy(&[5, 0, 5, 2, 0, 1, 0, 0, 0, 0, 0, 0]);
    let out = send_through(port, &[]);
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the proxy said connection not allowed by its rules (2)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_password_in_the_proxys_url_is_refused_before_anything_happens() {
    let home = tempfile::tempdir().unwrap();
    let out = posta(home.path())
        .args([
            "send",
            "--server",
            "mx.example.org",
            "--proxy",
            "socks5://me:hunter2@127.0.0.1:1",
        ])
        .args([
            "--from",
            "a@example.org",
            "--to",
            "b@example.org",
            "-s",
            "x",
            "--body",
            "y",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("a password does not go in the proxy's URL"),
        "{err}"
    );
    // Not quoted back either (clap would show the value it refuses).
    assert!(!err.contains("hunter2"), "{err}");
}
