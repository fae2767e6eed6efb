//! A body line over 998 octets (a long log line, minified JSON in cron output) through
//! sendmail mode: delivered, not refused; the text reads back the same in Python's
//! `email`, and every line on the wire fits SMTP's limit.

use crate::support::scripted_server::{Config, Server};
use crate::support::{parse, posta, run_with_input, text};

#[test]
fn a_5000_character_log_line_is_delivered_and_reads_back_the_same() {
    let home = tempfile::tempdir().unwrap();
    let server = Server::start(Config::default());
    let long: String = (0..5000).map(|i| (b'a' + (i % 26) as u8) as char).collect();
    let input = format!(
        "From: cron@example.org\nTo: root@example.org\nSubject: job output\n\nstarting = ok\n{long}\ndone \n"
    );
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-t", "-v", "--server"])
        .arg(format!("127.0.0.1:{}", server.port()))
        .args(["--security", "plain", "--timeout", "5"]);
    let out = run_with_input(cmd, input.as_bytes());
    let record = server.finish();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("sendmail: lines over 998 octets: the text was re-encoded"),
        "{stderr}"
    );
    let wire = &record.messages[0];
    for line in wire.split(|&b| b == b'\n') {
        assert!(
            line.len() <= 999,
            "a line of {} octets went out",
            line.len()
        );
    }
    let message = parse(wire);
    assert_eq!(
        message["body"]["text"].as_str().unwrap(),
        format!("starting = ok\n{long}\ndone \n"),
        "{message}"
    );
}
