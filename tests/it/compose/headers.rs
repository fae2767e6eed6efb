//! Header fields given: threading (In-Reply-To, References), extra headers, Date
//! and Message-ID; and the `--json` report of a dry run.

use super::*;

#[test]
fn threading_and_extra_headers() {
    let (m, _) = send(&[
        "--to",
        "bob@example.org",
        "--in-reply-to",
        "<orig@example.org>",
        "--references",
        "<first@example.org>",
        "--references",
        "orig@example.org",
        "-H",
        "X-Mailer-Test: yes please",
        "-H",
        "List-Unsubscribe: <mailto:unsub@example.com>",
        "--body",
        "x",
    ]);
    assert_eq!(m["in_reply_to"], "<orig@example.org>");
    assert_eq!(m["references"], "<first@example.org> <orig@example.org>");
    assert_eq!(m["headers"]["X-Mailer-Test"], "yes please");
    assert_eq!(
        m["headers"]["List-Unsubscribe"],
        "<mailto:unsub@example.com>"
    );
}

#[test]
fn date_and_message_id_can_be_given() {
    let (m, _) = send(&[
        "--to",
        "bob@example.org",
        "-H",
        "Date: Tue, 1 Jul 2003 10:52:37 +0200",
        "-H",
        "Message-ID: <mine@example.com>",
        "--body",
        "x",
    ]);
    assert!(
        m["raw_header_lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l == "Date: Tue, 1 Jul 2003 10:52:37 +0200")
    );
    assert_eq!(m["message_id"], "<mine@example.com>");
    assert_eq!(
        m["header_names"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| *h == "Date")
            .count(),
        1
    );
}

#[test]
fn json_report_describes_the_dry_run() {
    let run = posta(
        &[
            "send",
            "--dry-run",
            "--json",
            "--from",
            FROM,
            "--to",
            "bob@example.org",
            "--bcc",
            "c@example.net",
            "--body",
            "x",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // stdout is the one object; the message is inside it.
    use base64::Engine as _;
    let report: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(report["status"], "dry-run");
    assert_eq!(report["envelope"]["from"], "jane@example.com");
    assert_eq!(
        report["envelope"]["to"],
        serde_json::json!(["bob@example.org", "c@example.net"])
    );
    let id = report["message_id"].as_str().unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(report["message_base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(report["size"], bytes.len());
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains(&format!("Message-ID: <{id}>\r\n")));
}
