//! Addresses in headers that the envelope cannot carry as written (a backslash outside
//! quotes) are refused with 65 in every mode that reads recipients from headers, before
//! anything is sent; a quoted local part is carried quoted. The envelope and the header
//! never disagree.

use crate::support::scripted_server::{Config, Server};
use crate::support::{closed_port, posta, run_with_input, text};

/// `sendmail -t` to a port on loopback where nobody listens: a message that got past
/// the address check would fail with 75 there (or be queued), never 65.
fn sendmail_t(message: &str) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "--queue", "never", "--security", "plain", "-t"])
        .args(["--server", &format!("127.0.0.1:{}", closed_port())]);
    run_with_input(cmd, message.as_bytes())
}

#[test]
fn sendmail_t_refuses_a_backslash_outside_quotes_naming_the_header_and_address() {
    let out = sendmail_t("From: a@example.com\nTo: <b\\ad@exam\\ple.org>\n\nb\n");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(65), "{stderr}");
    assert!(stderr.contains("To:"), "{stderr}");
    assert!(stderr.contains(r"<b\ad@exam\ple.org>"), "{stderr}");

    let out = sendmail_t("From: a@example.com\nCc: ok@example.org, bad@example.org\\r\n\nb\n");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(65), "{stderr}");
    assert!(stderr.contains("Cc:"), "{stderr}");
}

/// A quoted local part in a header (`"a b"@example.org`), which the header parser
/// unquotes, is read by posta's own address parser instead: the envelope carries it
/// quoted, exactly as the header shows it.
#[test]
fn sendmail_t_carries_a_quoted_local_part_as_written() {
    for (to, rcpt) in [
        (r#"<"a\"b"@example.org>"#, r#"RCPT TO:<"a\"b"@example.org>"#),
        (r#""a b"@example.org"#, r#"RCPT TO:<"a b"@example.org>"#),
        (
            r#"Ann <"a b"@example.org>, c@example.org"#,
            r#"RCPT TO:<"a b"@example.org>"#,
        ),
    ] {
        let server = Server::start(Config::default());
        let home = tempfile::tempdir().unwrap();
        let mut cmd = posta(home.path());
        cmd.args(["sendmail", "--queue", "never", "--security", "plain", "-t"])
            .args(["--server", &format!("127.0.0.1:{}", server.port())]);
        let out = run_with_input(
            cmd,
            format!("From: a@example.com\nTo: {to}\n\nb\n").as_bytes(),
        );
        let record = server.finish();
        assert_eq!(out.status.code(), Some(0), "{to}: {}", text(&out.stderr));
        let lines: Vec<&str> = record.lines.iter().map(|l| l.text.as_str()).collect();
        assert!(lines.contains(&rcpt), "{to}: {lines:?}");
        assert_eq!(record.messages.len(), 1);
    }
}

#[test]
fn sendmail_t_refuses_a_from_with_a_backslash_as_the_envelope_sender() {
    let out = sendmail_t("From: <a\\b@example.com>\nTo: b@example.org\n\nb\n");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(65), "{stderr}");
    assert!(stderr.contains("From:"), "{stderr}");
}

#[test]
fn a_merge_cell_with_a_backslash_fails_its_row_with_65() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("t.eml");
    let data = dir.path().join("d.csv");
    std::fs::write(
        &template,
        "From: a@example.com\nTo: <{{email}}>\nSubject: hi\n\nx\n",
    )
    .unwrap();
    std::fs::write(&data, "email\nbad@example.org\\r\n").unwrap();
    let home = tempfile::tempdir().unwrap();
    let out = posta(home.path())
        .args([
            "--json",
            "batch",
            "--security",
            "plain",
            "--server",
            &format!("127.0.0.1:{}", closed_port()),
        ])
        .arg("--template")
        .arg(&template)
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(65), "{stderr}");
    let first: serde_json::Value =
        serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(first["exit_code"], 65, "{first}");
    assert!(first["error"].as_str().unwrap().contains("To:"), "{first}");
}

/// The RCPT TO lines a scripted server saw for `message` sent with `sendmail ARGS`.
fn rcpts_for(args: &[&str], message: &str) -> Vec<String> {
    let server = Server::start(Config::default());
    let home = tempfile::tempdir().unwrap();
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "--queue", "never", "--security", "plain"])
        .args(["--server", &format!("127.0.0.1:{}", server.port())])
        .args(args);
    let out = run_with_input(cmd, message.as_bytes());
    let record = server.finish();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(record.messages.len(), 1);
    record
        .lines
        .iter()
        .filter(|l| l.text.starts_with("RCPT TO:"))
        .map(|l| l.text.clone())
        .collect()
}

/// RFC 5322 group syntax in a header: an empty group names nobody, so the recipients
/// given as arguments are the envelope's; a group's members are recipients with -t.
#[test]
fn sendmail_t_reads_groups_in_recipient_headers() {
    let rcpts = rcpts_for(
        &["-t", "c@example.org"],
        "From: a@example.com\nTo: undisclosed-recipients:;\nSubject: s\n\nb\n",
    );
    assert_eq!(rcpts, ["RCPT TO:<c@example.org>"]);

    let rcpts = rcpts_for(
        &["-t"],
        "From: a@example.com\nTo: d@example.org\nCc: Team: a@x.org, b@x.org;\n\nb\n",
    );
    assert_eq!(
        rcpts,
        [
            "RCPT TO:<d@example.org>",
            "RCPT TO:<a@x.org>",
            "RCPT TO:<b@x.org>"
        ]
    );
}
