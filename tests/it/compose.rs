//! `posta send --dry-run` end to end: the real binary composes, and Python's `email`
//! package (tests/support/parse_message.py) — which shares no code with posta —
//! says what a mail client would see.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::{parse, run_with_input, sha256_hex as sha256};

use serde_json::Value;

const FROM: &str = "Jane Doe <jane@example.com>";

struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

/// Run posta hermetically ([`crate::support::posta`], in a fresh home), stdin as given.
fn posta(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = crate::support::posta(home.path());
    cmd.args(args);
    let Output {
        status,
        stdout,
        stderr,
    } = run_with_input(cmd, stdin.unwrap_or(b""));
    Run {
        code: status.code().expect("exited"),
        stdout,
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

/// Compose with `send --dry-run --from FROM <args>` and expect success.
fn send(args: &[&str]) -> (Value, Run) {
    send_stdin(args, None)
}

fn send_stdin(args: &[&str], stdin: Option<&[u8]>) -> (Value, Run) {
    let mut all = vec!["send", "--dry-run", "--from", FROM];
    all.extend_from_slice(args);
    let run = posta(&all, stdin);
    assert_eq!(run.code, 0, "posta failed: {}", run.stderr);
    let parsed = parse(&run.stdout);
    check_wire_form(&parsed);
    (parsed, run)
}

/// What every message must satisfy: CRLF everywhere, no line over 998 octets, no
/// Bcc header, no parser defects, Date and Message-ID present.
fn check_wire_form(m: &Value) {
    assert_eq!(m["all_crlf"], true, "a line does not end in CRLF");
    let max = m["max_line_len"].as_u64().unwrap();
    assert!(max <= 998, "line of {max} octets");
    assert_eq!(m["bcc_present"], false);
    assert_eq!(m["date_parsed"], true, "no valid Date");
    assert!(
        m["message_id"]
            .as_str()
            .is_some_and(|id| id.starts_with('<') && id.ends_with('>'))
    );
    assert_eq!(m["mime_version"], "1.0");
    let mut stack = vec![&m["body"]];
    while let Some(part) = stack.pop() {
        assert_eq!(part["defects"], Value::Array(vec![]), "defects in {part}");
        if let Some(parts) = part["parts"].as_array() {
            stack.extend(parts);
        }
    }
}

fn leaf<'a>(m: &'a Value, content_type: &str) -> &'a Value {
    let mut stack = vec![&m["body"]];
    while let Some(part) = stack.pop() {
        if part["content_type"] == content_type {
            return part;
        }
        if let Some(parts) = part["parts"].as_array() {
            stack.extend(parts);
        }
    }
    panic!("no {content_type} part in {}", m["shape"]);
}

fn addr(m: &Value, header: &str, i: usize) -> (String, String) {
    let a = &m[header][i];
    (
        a["name"].as_str().unwrap().into(),
        a["addr"].as_str().unwrap().into(),
    )
}

fn envelope(stderr: &str) -> Vec<String> {
    stderr.lines().map(str::to_string).collect()
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn plain_ascii_message() {
    let (m, run) = send(&[
        "--to",
        "bob@example.org",
        "-s",
        "Hello there",
        "--body",
        "Hi Bob,\nsee you.\n",
    ]);
    assert_eq!(m["subject"], "Hello there");
    assert_eq!(
        addr(&m, "from", 0),
        ("Jane Doe".into(), "jane@example.com".into())
    );
    assert_eq!(addr(&m, "to", 0), ("".into(), "bob@example.org".into()));
    assert_eq!(m["shape"], "text/plain");
    assert_eq!(m["body"]["cte"], "7bit");
    assert_eq!(m["body"]["text"], "Hi Bob,\nsee you.\n");
    assert_eq!(m["ascii_only"], true);
    let id = m["message_id"].as_str().unwrap();
    assert!(id.ends_with("@example.com>"), "{id}");
    assert_eq!(
        envelope(&run.stderr),
        ["MAIL FROM:<jane@example.com>", "RCPT TO:<bob@example.org>"]
    );
}

#[test]
fn message_ids_are_unique() {
    let (a, _) = send(&["--to", "bob@example.org", "--body", "x"]);
    let (b, _) = send(&["--to", "bob@example.org", "--body", "x"]);
    assert_ne!(a["message_id"], b["message_id"]);
}

#[test]
fn non_ascii_names_and_subjects() {
    for (name, subject) in [
        (
            "Иван Петров",
            "Привет, мир! Отчёт за квартал готов, посмотри пожалуйста вложение сегодня",
        ),
        (
            "Γιώργος Παπαδόπουλος",
            "Καλημέρα κόσμε — συνάντηση αύριο στις δέκα",
        ),
        (
            "山田太郎",
            "会議の議事録を送ります。ご確認のほどよろしくお願いいたします。長い件名のテストです。",
        ),
        (
            "🦀 Crab Fan 🎉",
            "🎉🚀 launch day 👩‍👩‍👧‍👦 family emoji 🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉",
        ),
    ] {
        let to = format!("{name} <bob@example.org>");
        let from = format!("{name} <jane@example.com>");
        let run = posta(
            &[
                "send",
                "--dry-run",
                "--from",
                &from,
                "--to",
                &to,
                "--cc",
                &to.replace("bob", "carol"),
                "-s",
                subject,
                "--body",
                "x",
            ],
            None,
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let m = parse(&run.stdout);
        check_wire_form(&m);
        assert_eq!(m["subject"], subject);
        assert_eq!(
            addr(&m, "from", 0),
            (name.into(), "jane@example.com".into())
        );
        assert_eq!(addr(&m, "to", 0), (name.into(), "bob@example.org".into()));
        assert_eq!(addr(&m, "cc", 0), (name.into(), "carol@example.org".into()));
        assert_eq!(m["ascii_only"], true, "8-bit octets in a 7-bit message");
        for line in m["raw_header_lines"].as_array().unwrap() {
            let line = line.as_str().unwrap();
            assert!(line.len() <= 78, "unfolded header line: {line}");
            for word in line.split(' ').filter(|w| w.starts_with("=?")) {
                assert!(word.len() <= 75, "encoded word of {}: {word}", word.len());
            }
        }
    }
}

#[test]
fn quoted_display_names_with_commas_and_specials() {
    let (m, run) = send(&[
        "--to",
        r#""Doe, John" <john@example.org>, "Dr. Who (TARDIS)" <who@example.org>"#,
        "--reply-to",
        "Replies <replies@example.com>",
        "--body",
        "x",
    ]);
    assert_eq!(
        addr(&m, "to", 0),
        ("Doe, John".into(), "john@example.org".into())
    );
    assert_eq!(
        addr(&m, "to", 1),
        ("Dr. Who (TARDIS)".into(), "who@example.org".into())
    );
    assert_eq!(
        addr(&m, "reply_to", 0),
        ("Replies".into(), "replies@example.com".into())
    );
    assert_eq!(envelope(&run.stderr).len(), 3);
}

#[test]
fn long_display_names_span_several_encoded_words() {
    let name = "Александра Владимировна Константинопольская Преображенская (отдел продаж)";
    let to = format!("{name} <sasha@example.org>");
    let (m, _) = send(&["--to", &to, "--body", "x"]);
    let lines = m["raw_header_lines"].as_array().unwrap();
    let to_line = lines
        .iter()
        .position(|l| l.as_str().unwrap().starts_with("To:"))
        .unwrap();
    assert!(
        lines[to_line + 1].as_str().unwrap().starts_with(' '),
        "not folded"
    );
    // Python 3.11 keeps the space between adjacent encoded words in a display name
    // (CPython gh-128110; RFC 2047 §6.2 says to drop it), so compare words only.
    let got = addr(&m, "to", 0);
    assert_eq!(
        got.0.split_whitespace().collect::<Vec<_>>(),
        name.split_whitespace().collect::<Vec<_>>()
    );
    assert_eq!(got.1, "sasha@example.org");
}

#[test]
fn long_unbroken_subject_is_split() {
    let subject = "x".repeat(1500);
    let (m, _) = send(&["--to", "bob@example.org", "-s", &subject, "--body", "x"]);
    assert_eq!(m["subject"], subject.as_str());
    assert!(m["max_line_len"].as_u64().unwrap() <= 998);
}

#[test]
fn long_body_line_is_quoted_printable() {
    let line = "0123456789".repeat(500);
    let (m, _) = send(&[
        "--to",
        "bob@example.org",
        "--body",
        &format!("{line}\nend\n"),
    ]);
    assert_eq!(m["body"]["cte"], "quoted-printable");
    assert_eq!(m["body"]["text"], format!("{line}\nend\n"));
    assert!(m["max_line_len"].as_u64().unwrap() <= 76);
}

#[test]
fn non_ascii_body_and_bare_line_endings() {
    let (m, _) = send(&[
        "--to",
        "bob@example.org",
        "--body",
        "Привет\r\nмир\rand\nmore ünïcödé 🎉",
    ]);
    assert_eq!(m["body"]["cte"], "quoted-printable");
    assert_eq!(m["body"]["text"], "Привет\nмир\nand\nmore ünïcödé 🎉\n");
    assert_eq!(m["ascii_only"], true);
}

#[test]
fn text_and_html_make_an_alternative() {
    let (m, _) = send(&[
        "--to",
        "bob@example.org",
        "--body",
        "plain",
        "--html",
        "<p>rich</p>",
    ]);
    assert_eq!(m["shape"], "multipart/alternative[text/plain,text/html]");
    assert_eq!(leaf(&m, "text/plain")["text"], "plain\n");
    assert_eq!(leaf(&m, "text/html")["text"], "<p>rich</p>\n");
}

#[test]
fn html_alone() {
    let dir = tempfile::tempdir().unwrap();
    let html = write_file(dir.path(), "page.html", "<h1>Заголовок</h1>\n".as_bytes());
    let (m, _) = send_stdin(
        &[
            "--to",
            "bob@example.org",
            "--html-file",
            html.to_str().unwrap(),
        ],
        Some(b"ignored"),
    );
    assert_eq!(m["shape"], "text/html");
    assert_eq!(m["body"]["text"], "<h1>Заголовок</h1>\n");
}

#[test]
fn body_from_stdin_and_from_a_file() {
    let (m, _) = send_stdin(
        &["--to", "bob@example.org"],
        Some("from stdin ✓\n".as_bytes()),
    );
    assert_eq!(m["body"]["text"], "from stdin ✓\n");
    let dir = tempfile::tempdir().unwrap();
    let body = write_file(dir.path(), "body.txt", b"from a file\n");
    let (m, _) = send(&[
        "--to",
        "bob@example.org",
        "--body-file",
        body.to_str().unwrap(),
    ]);
    assert_eq!(m["body"]["text"], "from a file\n");
}

#[test]
fn inline_image_makes_a_related_part() {
    let dir = tempfile::tempdir().unwrap();
    let png: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 256) as u8).collect();
    let logo = write_file(dir.path(), "logo.png", &png);
    let (m, _) = send(&[
        "--to",
        "bob@example.org",
        "--body",
        "text",
        "--html",
        r#"<img src="cid:logo.png">"#,
        "--inline",
        logo.to_str().unwrap(),
    ]);
    assert_eq!(
        m["shape"],
        "multipart/alternative[text/plain,multipart/related[text/html,image/png]]"
    );
    let img = leaf(&m, "image/png");
    assert_eq!(img["content_id"], "<logo.png>");
    assert_eq!(img["disposition"], "inline");
    assert_eq!(img["sha256"], sha256(&png));
}

#[test]
fn cid_references_without_a_file_and_files_without_a_reference_are_warned() {
    let dir = tempfile::tempdir().unwrap();
    let logo = write_file(dir.path(), "logo.png", b"png");
    let spare = write_file(dir.path(), "spare.png", b"png");
    let html = write_file(
        dir.path(),
        "mail.html",
        br#"<img src="cid:logo.png"><img src="CID:missing.png">"#,
    );
    let (_, run) = send(&[
        "--to",
        "bob@example.org",
        "--html-file",
        html.to_str().unwrap(),
        "--inline",
        logo.to_str().unwrap(),
        "--inline",
        spare.to_str().unwrap(),
    ]);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("posta: warning: "))
        .collect();
    assert_eq!(warnings.len(), 2, "{}", run.stderr);
    assert!(warnings[0].contains("cid:missing.png"), "{}", run.stderr);
    assert!(warnings[1].contains("spare.png"), "{}", run.stderr);
    assert!(!run.stderr.contains("cid:logo.png"), "{}", run.stderr);
}

#[test]
fn binary_attachment_arrives_intact() {
    let dir = tempfile::tempdir().unwrap();
    let data: Vec<u8> = (0..300_001u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let file = write_file(dir.path(), "data.bin", &data);
    let pdf = write_file(dir.path(), "report.pdf", b"%PDF-1.4 not really");
    let (m, _) = send(&[
        "--to",
        "bob@example.org",
        "--body",
        "see attached",
        "-a",
        file.to_str().unwrap(),
        "-a",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(
        m["shape"],
        "multipart/mixed[text/plain,application/octet-stream,application/pdf]"
    );
    let bin = leaf(&m, "application/octet-stream");
    assert_eq!(bin["sha256"], sha256(&data));
    assert_eq!(bin["filename"], "data.bin");
    assert_eq!(bin["disposition"], "attachment");
    assert_eq!(bin["cte"], "base64");
    assert_eq!(leaf(&m, "application/pdf")["filename"], "report.pdf");
    assert!(m["max_line_len"].as_u64().unwrap() <= 78);
}

#[test]
fn non_ascii_and_long_attachment_names() {
    let dir = tempfile::tempdir().unwrap();
    let names = [
        "отчёт за 2024 год.bin".to_string(),
        format!("{}.bin", "長いファイル名".repeat(10)),
        format!("{}.dat", "a".repeat(200)),
    ];
    for name in &names {
        let file = write_file(dir.path(), name, b"content");
        let (m, _) = send(&[
            "--to",
            "bob@example.org",
            "--body",
            "x",
            "-a",
            file.to_str().unwrap(),
        ]);
        let part = &m["body"]["parts"][1];
        assert_eq!(part["filename"], name.as_str());
        assert_eq!(part["sha256"], sha256(b"content"));
    }
}

#[test]
fn attachments_only() {
    let dir = tempfile::tempdir().unwrap();
    let a = write_file(dir.path(), "a.bin", b"A");
    let b = write_file(dir.path(), "b.bin", b"B");
    let (m, _) = send(&[
        "--to",
        "bob@example.org",
        "-a",
        a.to_str().unwrap(),
        "-a",
        b.to_str().unwrap(),
    ]);
    // Stdin is an empty pipe here, so it is the (empty) text body.
    assert_eq!(
        m["shape"],
        "multipart/mixed[text/plain,application/octet-stream,application/octet-stream]"
    );
}

/// RFC 5322 mailboxes beyond `Name <addr>`: a phrase of atoms and quoted strings, a
/// quoted local part (quoted alike in the header and in RCPT TO), comments.
#[test]
fn rfc5322_phrases_quoted_local_parts_and_comments() {
    // Not send(): that gives its own --from.
    let run = posta(
        &[
            "send",
            "--dry-run",
            "--from",
            r#""Jane (home)" <"jane doe"@example.com> (sender)"#,
            "--to",
            r#""a b"@example.org, b@example.org (comment)"#,
            "--cc",
            r#"Dave "the man" <dave@example.org>, Bob (work) <"bob,x"@example.org>"#,
            "--reply-to",
            r#"Ана "Мария" <"ana\"m"@example.org>"#,
            "--body",
            "x",
        ],
        None,
    );
    assert_eq!(run.code, 0, "posta failed: {}", run.stderr);
    let m = parse(&run.stdout);
    check_wire_form(&m);
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(
        !text.contains("(comment)") && !text.contains("(sender)"),
        "{text}"
    );
    assert_eq!(
        addr(&m, "from", 0),
        ("Jane (home)".into(), r#""jane doe"@example.com"#.into())
    );
    assert_eq!(
        addr(&m, "to", 0),
        ("".into(), r#""a b"@example.org"#.into())
    );
    assert_eq!(addr(&m, "to", 1), ("".into(), "b@example.org".into()));
    assert_eq!(
        addr(&m, "cc", 0),
        ("Dave the man".into(), "dave@example.org".into())
    );
    assert_eq!(
        addr(&m, "cc", 1),
        ("Bob (work)".into(), r#""bob,x"@example.org"#.into())
    );
    assert_eq!(
        addr(&m, "reply_to", 0),
        ("Ана Мария".into(), r#""ana\"m"@example.org"#.into())
    );
    assert_eq!(
        envelope(&run.stderr),
        [
            r#"MAIL FROM:<"jane doe"@example.com>"#,
            r#"RCPT TO:<"a b"@example.org>"#,
            "RCPT TO:<b@example.org>",
            "RCPT TO:<dave@example.org>",
            r#"RCPT TO:<"bob,x"@example.org>"#,
        ]
    );
}

#[test]
fn bcc_is_in_the_envelope_only() {
    let (m, run) = send(&[
        "--to",
        "bob@example.org",
        "--cc",
        "carol@example.org, BOB@example.org",
        "--bcc",
        "hidden@example.net",
        "--body",
        "x",
    ]);
    assert!(!String::from_utf8_lossy(&run.stdout).contains("hidden"));
    assert!(
        m["header_names"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| !h.as_str().unwrap().eq_ignore_ascii_case("bcc"))
    );
    assert_eq!(
        envelope(&run.stderr),
        [
            "MAIL FROM:<jane@example.com>",
            "RCPT TO:<bob@example.org>",
            "RCPT TO:<carol@example.org>",
            "RCPT TO:<hidden@example.net>"
        ]
    );
}

#[test]
fn idn_domains_become_punycode() {
    let run = posta(
        &[
            "send",
            "--dry-run",
            "--from",
            "Иван <ivan@пример.рф>",
            "--to",
            "bob@bücher.example",
            "--bcc",
            "δοκιμή@παράδειγμα.δοκιμή",
            "--body",
            "x",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let m = parse(&run.stdout);
    check_wire_form(&m);
    assert_eq!(addr(&m, "from", 0).1, "ivan@xn--e1afmkfd.xn--p1ai");
    assert_eq!(addr(&m, "to", 0).1, "bob@xn--bcher-kva.example");
    assert!(
        m["message_id"]
            .as_str()
            .unwrap()
            .ends_with("@xn--e1afmkfd.xn--p1ai>")
    );
    assert_eq!(
        envelope(&run.stderr),
        [
            "MAIL FROM:<ivan@xn--e1afmkfd.xn--p1ai>",
            "RCPT TO:<bob@xn--bcher-kva.example>",
            "RCPT TO:<δοκιμή@xn--hxajbheg2az3al.xn--jxalpdlp>"
        ]
    );
}

#[test]
fn envelope_from_overrides_mail_from() {
    let (_, run) = send(&[
        "--to",
        "bob@example.org",
        "--envelope-from",
        "bounces@example.com",
        "--body",
        "x",
    ]);
    assert_eq!(envelope(&run.stderr)[0], "MAIL FROM:<bounces@example.com>");
}

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

/// A refused command: the exit code, one stderr line naming the culprit, nothing on stdout.
fn refused(args: &[&str], stdin: Option<&[u8]>, code: i32, culprit: &str) {
    let run = posta(args, stdin);
    assert_eq!(run.code, code, "{args:?}: {}", run.stderr);
    assert!(run.stdout.is_empty(), "{args:?} wrote to stdout");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{:?}", run.stderr);
    assert!(
        lines[0].contains(culprit),
        "{:?} does not name {culprit:?}",
        lines[0]
    );
}

#[test]
fn bad_input_is_refused_before_any_output() {
    refused(
        &[
            "send",
            "--dry-run",
            "--from",
            FROM,
            "--to",
            "bob@",
            "--body",
            "x",
        ],
        None,
        65,
        "bob@",
    );
    refused(
        &[
            "send",
            "--dry-run",
            "--from",
            "jane at example",
            "--to",
            "b@x.org",
            "--body",
            "x",
        ],
        None,
        65,
        "--from",
    );
    refused(
        &[
            "send",
            "--dry-run",
            "--from",
            FROM,
            "--to",
            "b@x.org",
            "-H",
            "X-A: b\r\nBcc: evil@x",
            "--body",
            "x",
        ],
        None,
        65,
        "X-A",
    );
    refused(
        &[
            "send",
            "--dry-run",
            "--from",
            FROM,
            "--to",
            "b@x.org",
            "-H",
            "Bcc: evil@x",
            "--body",
            "x",
        ],
        None,
        64,
        "--bcc",
    );
    refused(
        &[
            "send",
            "--dry-run",
            "--from",
            FROM,
            "--to",
            "b@x.org",
            "-a",
            "/nonexistent/posta/file.pdf",
            "--body",
            "x",
        ],
        None,
        66,
        "/nonexistent/posta/file.pdf",
    );
    for (to, culprit) in [
        ("b@x.org\r\nBcc: evil@x.org", "control character"),
        ("\"a\tb\"@x.org", "tab or control character"),
        ("\"a b@x.org", "unbalanced quote"),
        ("Bob (work <b@x.org>", "unbalanced '('"),
        ("<b@x.org", "'<' without '>'"),
        ("\"\"@x.org", "empty local part"),
        ("\"a b\"@", "empty domain"),
    ] {
        refused(
            &[
                "send",
                "--dry-run",
                "--from",
                FROM,
                "--to",
                to,
                "--body",
                "x",
            ],
            None,
            65,
            culprit,
        );
    }
    refused(
        &["send", "--dry-run", "--from", FROM, "--body", "x"],
        None,
        64,
        "no recipients",
    );
    refused(
        &["send", "--dry-run", "--to", "b@x.org", "--body", "x"],
        None,
        64,
        "no From address",
    );
    refused(
        &[
            "send",
            "--dry-run",
            "--from",
            FROM,
            "--to",
            "b@x.org",
            "--body-file",
            "-",
            "--html-file",
            "-",
        ],
        Some(b"x"),
        64,
        "stdin",
    );
}
