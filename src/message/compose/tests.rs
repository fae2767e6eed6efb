//! compose's unit tests: message ids, -H headers, and whole drafts written out.

use super::*;
use crate::message::BodySource;

#[test]
fn message_ids_are_left_at_right_each_in_brackets() {
    assert_eq!(
        msg_ids("--references", "<a@x.org> b@y.org,<c.d@[1.2.3.4]>").unwrap(),
        ["<a@x.org>", "<b@y.org>", "<c.d@[1.2.3.4]>"]
    );
    for bad in [
        "not an id",
        "<a@b> Bcc: <e@x.org>",
        "@x.org",
        "a@",
        "a@b@c",
        "<>",
    ] {
        let err = msg_ids("--in-reply-to", bad).unwrap_err().to_string();
        assert!(
            err.contains("--in-reply-to: malformed message id"),
            "{bad}: {err}"
        );
    }
}

fn draft() -> Draft {
    Draft {
        from: "Jane Doe <jane@example.com>".into(),
        to: vec!["bob@example.org".into()],
        subject: Some("Hi".into()),
        text: Some(BodySource::Text("hello\n".into())),
        ..Draft::default()
    }
}

fn written(c: &Composed) -> Vec<u8> {
    let mut out = Vec::new();
    c.write_to(&mut out).unwrap();
    out
}

#[test]
fn size_equals_written_length() {
    let dir = tempfile::tempdir().unwrap();
    let att = dir.path().join("data.bin");
    std::fs::write(
        &att,
        (0..100_003u32).map(|i| (i % 253) as u8).collect::<Vec<_>>(),
    )
    .unwrap();
    let body = dir.path().join("body.txt");
    std::fs::write(&body, format!("{}\nünï\r\n", "y".repeat(3000))).unwrap();
    let mut d = draft();
    d.text = Some(BodySource::File(body));
    d.html = Some(BodySource::Text("<p>hi</p>".into()));
    d.attachments = vec![att.into()];
    let c = prepare(d).unwrap();
    let bytes = written(&c);
    assert_eq!(c.size().unwrap(), bytes.len() as u64);
    // Written twice, the same bytes: files are rewound.
    assert_eq!(written(&c), bytes);
}

#[test]
fn envelope_dedups_and_keeps_bcc() {
    let mut d = draft();
    d.to = vec!["bob@example.org, Carol <carol@example.org>".into()];
    d.cc = vec!["BOB@example.org".into()];
    d.bcc = vec!["secret@example.net".into()];
    let c = prepare(d).unwrap();
    assert_eq!(c.envelope.from, "jane@example.com");
    assert_eq!(
        c.envelope.to,
        ["bob@example.org", "carol@example.org", "secret@example.net"]
    );
    let text = String::from_utf8(written(&c)).unwrap();
    assert!(!text.contains("secret@example.net"));
    assert!(!text.to_ascii_lowercase().contains("\r\nbcc:"));
}

#[test]
fn header_overrides_and_refusals() {
    let mut d = draft();
    d.headers = vec!["Message-ID: <fixed@here>".into(), "X-Tag: a b".into()];
    let c = prepare(d).unwrap();
    assert_eq!(c.message_id, "fixed@here");
    let text = String::from_utf8(written(&c)).unwrap();
    assert!(text.contains("\r\nMessage-ID: <fixed@here>\r\n"));
    assert!(text.contains("\r\nX-Tag: a b\r\n"));

    for (h, code) in [
        ("Bcc: x@y.z", 64),
        ("Content-Type: text/x", 64),
        ("X-A: b\r\nBcc: e@x", 65),
        ("Bad Name: x", 65),
    ] {
        let mut d = draft();
        d.headers = vec![h.into()];
        let err = prepare(d).unwrap_err();
        assert_eq!(err.exit_code() as i32, code, "{h}: {err}");
    }
}

#[test]
fn missing_pieces_are_usage_errors() {
    let mut d = draft();
    d.to.clear();
    assert!(matches!(prepare(d), Err(ComposeError::Usage(_))));
    let mut d = draft();
    d.from.clear();
    assert!(matches!(prepare(d), Err(ComposeError::Usage(_))));
    let mut d = draft();
    d.text = Some(BodySource::Stdin);
    d.html = Some(BodySource::Stdin);
    assert!(matches!(prepare(d), Err(ComposeError::Usage(_))));
    let mut d = draft();
    d.attachments = vec!["/nonexistent/posta-test".into()];
    assert!(matches!(prepare(d), Err(ComposeError::NoInput { .. })));
}
