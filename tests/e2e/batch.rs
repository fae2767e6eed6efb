//! `posta batch` against the real Postfix of scripts/mailserver.sh: a directory of .eml
//! files with one refused message, an mbox, a Maildir; read back from the Maildirs.

use std::path::Path;
use std::process::Command;

use crate::e2e::*;

const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";
const CAROL: &str = "carol@example.test";

/// `posta [--json] -v batch` submitting as alice on 587 (STARTTLS + AUTH).
fn batch(home: &Path, sources: &[&Path]) -> Command {
    let mut cmd = posta(home);
    cmd.env("POSTA_PASSWORD", env("POSTA_E2E_PASS1"))
        .args(["--json", "-v", "batch", "--server"])
        .arg(format!("localhost:{}", port("SUBMISSION")))
        .args(["--ca-file", &ca(), "--user", ALICE])
        .args(sources);
    cmd
}

fn message(to: &str, subject: &str, body: &str) -> String {
    format!("From: Alice <{ALICE}>\nTo: {to}\nSubject: {subject}\n\n{body}\n")
}

#[test]
fn eml_directory_over_one_session_with_one_refused_message() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let tag = token("batch-eml");
    for i in 1..=20 {
        let text = match i {
            7 => message(
                &env("POSTA_E2E_UNKNOWN_RCPT"),
                &format!("{tag} refused"),
                "x",
            ),
            12 => format!(
                "From: {ALICE}\nTo: {BOB}\nBcc: {CAROL}\nSubject: {tag} bcc\n\nsecret copy\n"
            ),
            _ => message(BOB, &format!("{tag} n{i}"), &format!("body {i}")),
        };
        std::fs::write(dir.path().join(format!("m{i:02}.eml")), text).unwrap();
    }
    std::fs::write(dir.path().join("notes.txt"), "not a message").unwrap();

    let out = batch(home.path(), &[dir.path()]).output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(67), "{stderr}");

    let lines = json_lines(&out);
    assert_eq!(lines.len(), 21, "20 messages and a summary: {lines:?}");
    let summary = &lines[20];
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["status"], "partial");
    assert_eq!(
        (summary["sent"].as_u64(), summary["failed"].as_u64()),
        (Some(19), Some(1))
    );
    assert_eq!(summary["connections"], 1);
    for (i, line) in lines[..20].iter().enumerate() {
        assert_eq!(line["type"], "message");
        let source = line["source"].as_str().unwrap();
        assert!(source.ends_with(&format!("m{:02}.eml", i + 1)), "{source}");
        if i + 1 == 7 {
            assert_eq!(line["status"], "failed", "{line}");
            assert_eq!(line["exit_code"], 67);
            assert_eq!(line["refused"][0]["address"], env("POSTA_E2E_UNKNOWN_RCPT"));
        } else {
            assert_eq!(line["status"], "sent", "{line}");
        }
    }
    assert!(
        stderr.contains("m07.eml: RCPT: the server refused"),
        "{stderr}"
    );

    // One session: one greeting, one login, the EHLO before and after STARTTLS.
    let count = |prefix: &str| stderr.lines().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(count("=== Connected to "), 1, "{stderr}");
    assert_eq!(count("~> AUTH "), 1, "{stderr}");
    assert_eq!(count("-> EHLO ") + count("~> EHLO "), 2, "{stderr}");
    assert_eq!(count("~> MAIL FROM:"), 20, "{stderr}");
    // Streamed (Postfix offers CHUNKING and PIPELINING): a message sent while the one
    // before is in flight starts with RSET, and the second message went out before
    // the first one's reply came back.
    assert!(count("~> RSET") >= 1, "{stderr}");
    let second_mail = stderr.match_indices("~> MAIL FROM:").nth(1).unwrap().0;
    assert!(
        second_mail < stderr.find(" queued as ").unwrap(),
        "{stderr}"
    );
    assert_eq!(count("~> QUIT"), 1, "{stderr}");

    let delivered = wait_for_messages(BOB, &tag, 19);
    assert_eq!(delivered.len(), 19);
    assert!(delivered.iter().all(|m| !contains(m, b"refused")));
    let copy = wait_for_message(CAROL, &format!("{tag} bcc"));
    assert_eq!(parse(&copy)["bcc_present"], false);
    assert_eq!(
        parse(&copy)["body"]["text"].as_str().map(str::trim),
        Some("secret copy")
    );
}

#[test]
fn mbox_is_split_and_from_lines_unescaped() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let tag = token("batch-mbox");
    let mut mbox = String::new();
    for i in 1..=3 {
        mbox.push_str(&format!("From {ALICE} Mon Jan  1 00:00:0{i} 2024\n"));
        mbox.push_str(&message(
            BOB,
            &format!("{tag} m{i}"),
            &format!("line one\n>From the start {i}\n>>From quoted\nlast"),
        ));
        mbox.push('\n');
    }
    let path = dir.path().join("outbox.mbox");
    std::fs::write(&path, mbox).unwrap();

    let out = batch(home.path(), &[&path]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[2]["source"], format!("{}#3", path.display()));
    assert_eq!(lines[3]["sent"], 3);

    for message in wait_for_messages(BOB, &tag, 3) {
        let body = parse(&message)["body"]["text"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(body.contains("\nFrom the start "), "{body:?}");
        assert!(body.contains("\n>From quoted\n"), "{body:?}");
        assert!(body.trim_end().ends_with("last"), "{body:?}");
        // The separator line never becomes part of a message.
        assert!(!contains(&message, b"Mon Jan  1 00:00:0"));
    }
}

#[test]
fn maildir_new_and_cur_are_sent() {
    let home = tempfile::tempdir().unwrap();
    let maildir = tempfile::tempdir().unwrap();
    let tag = token("batch-maildir");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir(maildir.path().join(sub)).unwrap();
    }
    let write = |p: &str, i: u32| {
        std::fs::write(
            maildir.path().join(p),
            message(CAROL, &format!("{tag} {i}"), "from a maildir"),
        )
        .unwrap()
    };
    write("new/1700000000.1.host", 1);
    write("cur/1700000000.2.host:2,S", 2);
    write("tmp/1700000000.3.host", 3); // being written: not a message yet

    let out = batch(home.path(), &[maildir.path()]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines = json_lines(&out);
    assert_eq!(lines.last().unwrap()["sent"], 2, "{lines:?}");
    assert_eq!(wait_for_messages(CAROL, &tag, 2).len(), 2);
    assert_no_message(CAROL, &format!("{tag} 3"));
}

#[test]
fn a_missing_source_is_refused_before_anything_is_sent() {
    let home = tempfile::tempdir().unwrap();
    let out = batch(home.path(), &[Path::new("/nonexistent/outbox")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(66), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("Connected"));
}

#[test]
fn mail_merge_personalises_each_row_and_refuses_header_injection() {
    let home = tempfile::tempdir().unwrap();
    let tag = token("merge");
    let template = home.path().join("template.eml");
    std::fs::write(
        &template,
        format!(
            "From: Alice <{ALICE}>\nTo: \"{{{{ name }}}}\" <{{{{email}}}}>\nSubject: {tag} for {{{{name}}}}\n\n\
             Dear {{{{name}}}},\nyour code is {{{{code}}}}.\n"
        ),
    )
    .unwrap();
    let data = home.path().join("people.csv");
    std::fs::write(
        &data,
        format!(
            "name,email,code\nBob,{BOB},B-1\n\"Carol, Jr.\",{CAROL},\"C-2\nsecond line\"\n\
             \"Eve\nBcc: {BOB}\",{CAROL},E-3\nZoë Ünal,{CAROL},{tag}-Z4\n"
        ),
    )
    .unwrap();
    let out = batch(home.path(), &[])
        .args([
            "--template",
            template.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    // Eve's row tries to add a Bcc header through a value: refused (65), others sent.
    assert_eq!(out.status.code(), Some(65), "{}", text(&out.stderr));
    let mut lines = json_lines(&out);
    // Outcomes come as they happen (a row refused at once passes rows on the wire):
    // each names its source, here `people.csv:ROW`.
    let summary = lines.pop().unwrap();
    assert_eq!(summary["type"], "summary");
    lines.sort_by_key(|l| l["source"].as_str().unwrap_or("").to_string());
    let statuses: Vec<&str> = lines
        .iter()
        .map(|l| l["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(statuses, ["sent", "sent", "failed", "sent"], "{lines:?}");
    assert!(
        text(&out.stderr).contains("line break"),
        "{}",
        text(&out.stderr)
    );

    let bob = parse(&wait_for_message(BOB, &format!("{tag} for Bob")));
    assert_eq!(bob["to"][0]["name"], "Bob");
    assert!(
        bob["body"]["text"]
            .as_str()
            .unwrap()
            .contains("your code is B-1.")
    );
    // A non-ASCII value goes into the headers as RFC 2047 encoded words (no SMTPUTF8
    // needed), and an independent reader gets it back as written.
    let zoe = parse(&wait_for_message(CAROL, &format!("{tag}-Z4")));
    assert_eq!(zoe["to"][0]["name"], "Zoë Ünal", "{zoe}");
    assert_eq!(zoe["subject"], format!("{tag} for Zoë Ünal"), "{zoe}");
    let header_lines = zoe["raw_header_lines"].as_array().unwrap();
    for line in header_lines {
        let line = line.as_str().unwrap();
        if line.starts_with("To:") || line.starts_with("Subject:") {
            assert!(line.is_ascii(), "{line}");
        }
    }
    let carol = parse(&wait_for_message(CAROL, &format!("{tag} for Carol, Jr.")));
    assert_eq!(carol["to"][0]["name"], "Carol, Jr.");
    assert!(
        carol["body"]["text"]
            .as_str()
            .unwrap()
            .contains("C-2\nsecond line.")
    );
    // Bob got exactly one message of this merge: Eve's row did not Bcc him.
    assert_eq!(wait_for_messages(BOB, &tag, 1).len(), 1);
}

#[test]
fn mail_merge_with_an_unknown_column_sends_nothing() {
    let home = tempfile::tempdir().unwrap();
    let template = home.path().join("t.eml");
    std::fs::write(
        &template,
        format!("From: {ALICE}\nTo: {{{{email}}}}\nSubject: {{{{nmae}}}}\n\nx\n"),
    )
    .unwrap();
    let data = home.path().join("d.csv");
    std::fs::write(&data, format!("email,name\n{BOB},Bob\n")).unwrap();
    let out = batch(home.path(), &[])
        .args([
            "--template",
            template.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("nmae") && err.contains("email, name"), "{err}");
    assert!(
        !err.contains("Connected"),
        "connected before checking the template: {err}"
    );
}
