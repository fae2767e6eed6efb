//! ESMTP extensions against the real Postfix of scripts/mailserver.sh: SIZE refused
//! before upload on the small listener, DSN parameters that Postfix acts on, 8BITMIME
//! and SMTPUTF8 declared for raw UTF-8 through sendmail mode, PIPELINING order in the
//! transcript, and the per-profile log file.

use std::path::Path;
use std::process::Command;

use crate::e2e::*;

const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";
const CAROL: &str = "carol@example.test";

/// A home with a profile "t" for alice at `port_name` (STARTTLS, the test CA, password
/// from an environment variable) that logs to `home/log/posta.log`.
fn home_with_profile(port_name: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let config = format!(
        "default = \"t\"\n[profiles.t]\nhost = \"localhost\"\nport = {}\nsecurity = \"starttls\"\n\
         user = \"{ALICE}\"\nfrom = \"Alice <{ALICE}>\"\nca_file = \"{}\"\n\
         password_env = \"E2E_ALICE_PASSWORD\"\nlog_file = \"~/log/posta.log\"\n",
        port(port_name),
        ca()
    );
    write_config(home.path(), &config);
    home
}

fn posta_as_alice(home: &Path, password: &str) -> Command {
    let mut cmd = posta(home);
    cmd.env("E2E_ALICE_PASSWORD", password);
    cmd
}

/// Index of the first transcript line that starts with one of the command arrows
/// ("->" in clear, "~>" in TLS) followed by `command`.
fn sent_at(transcript: &[&str], command: &str) -> Option<usize> {
    transcript
        .iter()
        .position(|l| (l.starts_with("-> ") || l.starts_with("~> ")) && l[3..].starts_with(command))
}

#[test]
fn a_message_over_the_size_limit_is_refused_before_upload_with_69() {
    let home = home_with_profile("SMALL");
    let token = token("size");
    // 200 KB of attachment: base64 makes the message larger still; computed, not read.
    let file = home.path().join("big.bin");
    std::fs::write(&file, vec![0xA5u8; 200 * 1024]).unwrap();
    let mut cmd = posta_as_alice(home.path(), &env("POSTA_E2E_PASS1"));
    cmd.args([
        "-v", "send", "--to", BOB, "-s", &token, "--body", "big", "-a",
    ])
    .arg(&file);
    let out = cmd.output().unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(69), "{err}");
    let limit = env("POSTA_E2E_SMALL_SIZE_LIMIT");
    assert!(
        err.contains(&format!("accepts at most {limit}")),
        "the limit is named: {err}"
    );
    let size: u64 = err
        .split("the message is ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the size is named: {err}"));
    assert!(size > 200 * 1024, "{size}");
    // Refused from the EHLO's SIZE, so not one byte of the message went out.
    let transcript: Vec<&str> = err.lines().collect();
    assert!(
        transcript.iter().any(|l| l.contains("SIZE 100000")),
        "{err}"
    );
    assert_eq!(sent_at(&transcript, "MAIL"), None, "{err}");
    assert_eq!(sent_at(&transcript, "DATA"), None, "{err}");
    assert!(sent_at(&transcript, "QUIT").is_some(), "{err}");
    // The log names the refusal too.
    let log = std::fs::read_to_string(home.path().join("log/posta.log")).unwrap();
    assert!(
        log.contains("status=failed") && log.ends_with("exit=69\n"),
        "{log}"
    );
}

#[test]
fn dsn_requests_reach_postfix_and_the_report_carries_the_envelope_id() {
    let home = home_with_profile("SUBMISSION");
    let token = token("dsn");
    let out = posta_as_alice(home.path(), &env("POSTA_E2E_PASS1"))
        .args([
            "-v",
            "--json",
            "send",
            "--to",
            BOB,
            "-s",
            &token,
            "--body",
            "notify me",
            "--dsn-notify",
            "success,failure",
            "--dsn-return",
            "hdrs",
        ])
        .output()
        .unwrap();
    ok(&out);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let message_id = json["message_id"].as_str().unwrap().to_owned();
    let err = text(&out.stderr);
    let mail = err
        .lines()
        .find(|l| l.starts_with("~> MAIL FROM:"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(mail.contains(" RET=HDRS"), "{mail}");
    assert!(mail.contains(&format!(" ENVID={message_id}")), "{mail}");
    assert!(
        err.contains(&format!("~> RCPT TO:<{BOB}> NOTIFY=SUCCESS,FAILURE")),
        "{err}"
    );
    assert_eq!(json["warnings"], serde_json::json!([]));
    wait_for_message(BOB, &token);
    // Postfix acted on NOTIFY=SUCCESS: alice gets a delivery report that names the
    // envelope id, and with RET=HDRS it returns the headers only.
    let report = wait_for_message(ALICE, &format!("Original-Envelope-Id: {message_id}"));
    let report = text(&report);
    assert!(report.contains("Action: delivered"), "{report}");
    assert!(report.contains("text/rfc822-headers"), "{report}");
    assert!(!report.contains("notify me"), "{report}");
}

#[test]
fn a_bad_notify_list_is_a_usage_error() {
    let home = home_with_profile("SUBMISSION");
    for list in ["never,success", "sometimes"] {
        let out = posta_as_alice(home.path(), "unused")
            .args(["send", "--to", BOB, "--body", "x", "--dsn-notify", list])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(64), "{}", text(&out.stderr));
    }
    let out = posta_as_alice(home.path(), "unused")
        .args(["sendmail", "-N", "never,delay", BOB])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64), "{}", text(&out.stderr));
}

#[test]
fn raw_utf8_through_sendmail_declares_8bitmime_and_smtputf8() {
    let home = tempfile::tempdir().unwrap();
    let token = token("utf8");
    // The plain listener takes mail without AUTH; the non-ASCII envelope sender is
    // what needs SMTPUTF8, the 8-bit header and body what need 8BITMIME.
    let message = format!(
        "From: Jürgen <{ALICE}>\nTo: {CAROL}\nSubject: {token} Grüße\n\nÄpfel und Birnen\n"
    );
    let mut cmd = posta(home.path());
    cmd.args([
        "sendmail",
        "-v",
        "--server",
        &format!("localhost:{}", port("PLAIN")),
        "--security",
        "plain",
        "-f",
        "jürgen@example.test",
        CAROL,
    ]);
    let out = run_with_input(cmd, message.as_bytes());
    ok(&out);
    let err = text(&out.stderr);
    let mail = err
        .lines()
        .find(|l| l.starts_with("-> MAIL FROM:"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        mail.starts_with("-> MAIL FROM:<jürgen@example.test>"),
        "{mail}"
    );
    assert!(mail.contains(" BODY=8BITMIME"), "{mail}");
    assert!(mail.contains(" SMTPUTF8"), "{mail}");
    let delivered = wait_for_message(CAROL, &token);
    let delivered = text(&delivered);
    assert!(delivered.contains("Äpfel und Birnen"), "{delivered}");
    assert!(
        delivered.contains("Return-Path: <jürgen@example.test>"),
        "{delivered}"
    );
}

#[test]
fn pipelining_sends_mail_and_every_rcpt_before_reading_a_reply() {
    let home = home_with_profile("SUBMISSION");
    let token = token("pipe");
    let out = posta_as_alice(home.path(), &env("POSTA_E2E_PASS1"))
        .args([
            "-v", "send", "--to", BOB, "--cc", CAROL, "--bcc", ALICE, "-s", &token, "--body", "x",
        ])
        .output()
        .unwrap();
    ok(&out);
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    let mail = sent_at(&lines, "MAIL FROM:").unwrap();
    let first_reply = mail
        + lines[mail..]
            .iter()
            .position(|l| l.starts_with("<~ "))
            .unwrap();
    let rcpts: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("~> RCPT TO:"))
        .collect();
    assert_eq!(rcpts.len(), 3, "{err}");
    assert!(
        rcpts.iter().all(|&i| mail < i && i < first_reply),
        "MAIL and the RCPTs go before the first reply:\n{err}"
    );
    // The login went in the same group (RFC 4954 §4): its 235 is read first. Then one
    // reply each, in order, and the message only after them (in BDAT chunks: Postfix
    // offers CHUNKING).
    let auth = sent_at(&lines, "AUTH PLAIN").unwrap();
    assert_eq!(mail, auth + 1, "AUTH and MAIL in one group:\n{err}");
    assert!(lines[first_reply].starts_with("<~ 235 2.7.0"), "{err}");
    assert!(lines[first_reply + 1].starts_with("<~ 250 2.1.0"), "{err}");
    for k in 2..=4 {
        assert!(lines[first_reply + k].starts_with("<~ 250 2.1.5"), "{err}");
    }
    assert_eq!(sent_at(&lines, "BDAT"), Some(first_reply + 5), "{err}");
    wait_for_messages(CAROL, &token, 1);
}

#[test]
fn the_log_file_has_a_line_for_a_success_and_a_failure_and_no_password() {
    let home = home_with_profile("SUBMISSION");
    let token = token("log");
    let password = env("POSTA_E2E_PASS1");
    let out = posta_as_alice(home.path(), &password)
        .args(["send", "--to", BOB, "-s", &token, "--body", "logged"])
        .output()
        .unwrap();
    ok(&out);
    let out = posta_as_alice(home.path(), &password)
        .args([
            "send",
            "--to",
            &env("POSTA_E2E_UNKNOWN_RCPT"),
            "-s",
            &token,
            "--body",
            "refused",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(67), "{}", text(&out.stderr));
    let out = posta_as_alice(home.path(), "not-the-password-xyz")
        .args(["send", "--to", BOB, "-s", &token, "--body", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", text(&out.stderr));

    let path = home.path().join("log/posta.log");
    let log = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 3, "{log}");
    let server = format!("server=localhost:{}", port("SUBMISSION"));
    for line in &lines {
        assert!(line.starts_with("time=20"), "{line}");
        for field in ["profile=t", &server, &format!("from={ALICE}"), " size="] {
            assert!(line.contains(field), "{field} in {line}");
        }
    }
    assert!(lines[0].contains("tls=\"starttls TLSv1."), "{}", lines[0]);
    assert!(lines[0].contains(&format!("to={BOB}")), "{}", lines[0]);
    assert!(lines[0].contains("status=sent"), "{}", lines[0]);
    // Postfix names the size in its reply to BDAT LAST ("Ok: 298 bytes queued as").
    assert!(lines[0].contains("reply=\"250 2.0.0 Ok: "), "{}", lines[0]);
    assert!(lines[0].contains(" queued as "), "{}", lines[0]);
    assert!(lines[0].ends_with(" exit=0"), "{}", lines[0]);
    assert!(lines[1].contains("status=failed"), "{}", lines[1]);
    assert!(lines[1].contains("5.1.1"), "{}", lines[1]);
    assert!(lines[1].ends_with(" exit=67"), "{}", lines[1]);
    assert!(lines[2].contains("reply=\"535 5.7.8"), "{}", lines[2]);
    assert!(lines[2].ends_with(" exit=77"), "{}", lines[2]);
    for secret in [password.as_str(), "not-the-password-xyz"] {
        for form in credential_forms(ALICE, secret) {
            assert!(!log.contains(&form), "the log holds {form}:\n{log}");
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

/// The password as is and as AUTH PLAIN/LOGIN would carry it.
fn credential_forms(user: &str, password: &str) -> Vec<String> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    vec![
        password.to_owned(),
        b64.encode(password),
        b64.encode(format!("\0{user}\0{password}")),
    ]
}
