//! Parts beyond the text: inline images (multipart/related, `cid:`), attachments
//! of any bytes and names, and a message of attachments only.

use super::*;

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
