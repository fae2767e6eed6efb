use super::*;

fn flags() -> Draft {
    Draft {
        from: "Jane <jane@example.org>".into(),
        to: vec!["bob@example.org".into(), "carol@example.org".into()],
        subject: Some("hello".into()),
        ..Draft::default()
    }
}

#[test]
fn a_fresh_draft_holds_the_flags_then_a_blank_line_then_the_comments() {
    let text = render(&flags());
    assert!(text.starts_with(
        "From: Jane <jane@example.org>\nTo: bob@example.org, carol@example.org\nCc:\nBcc:\nReply-To:\nSubject: hello\n\n\n#"
    ), "{text}");
    assert!(text.contains(":cq"), "{text}");
}

#[test]
fn the_saved_text_replaces_the_flags() {
    let mut draft = flags();
    let saved = render(&draft)
        .replace("Subject: hello", "Subject: edited")
        .replace(
            "To: bob@example.org, carol@example.org",
            "To: dan@example.org",
        )
        .replace("Cc:", "Cc: Eve <eve@example.org>")
        .replace(
            "\n\n\n#",
            "\n\nline one\n# not a comment: text follows\nline two\n\n#",
        );
    assert!(parse(&saved, &mut draft).unwrap());
    assert_eq!(draft.subject.as_deref(), Some("edited"));
    assert_eq!(draft.to, ["dan@example.org"]);
    assert_eq!(draft.cc, ["Eve <eve@example.org>"]);
    assert_eq!(draft.from, "Jane <jane@example.org>");
    assert_eq!(
        draft.text,
        Some(BodySource::Text(
            "line one\n# not a comment: text follows\nline two\n".into()
        ))
    );
}

#[test]
fn text_appended_after_the_comment_block_is_the_body_without_the_block() {
    let mut draft = flags();
    let saved = format!("{}hello\n", render(&draft));
    assert!(parse(&saved, &mut draft).unwrap());
    assert_eq!(draft.text, Some(BodySource::Text("hello\n".into())));
}

#[test]
fn an_empty_body_is_an_abort_and_changes_nothing() {
    let mut draft = flags();
    assert!(!parse(&render(&draft), &mut draft).unwrap());
    assert!(!parse("", &mut draft).unwrap());
    assert!(!parse("To: x@example.org\n\n  \n# just comments\n", &mut draft).unwrap());
    assert_eq!(draft.to, flags().to);
    assert_eq!(draft.text, None);
}

#[test]
fn a_deleted_header_empties_its_field() {
    let mut draft = flags();
    assert!(parse("To: bob@example.org\n\nbody\n", &mut draft).unwrap());
    assert_eq!(draft.from, "");
    assert_eq!(draft.subject, None);
}

#[test]
fn continuation_lines_join_their_header() {
    let mut draft = flags();
    assert!(parse("To: a@example.org,\n  b@example.org\n\nbody\n", &mut draft).unwrap());
    assert_eq!(draft.to, ["a@example.org, b@example.org"]);
}

#[test]
fn bad_lines_and_addresses_are_errors_naming_the_line() {
    for (saved, needle) in [
        ("To: bob@example.org\nX-Other: 1\n\nbody\n", "draft line 2"),
        ("To: not an address\n\nbody\n", "draft line 1: To"),
        (
            "From: a@example.org, b@example.org\n\nbody\n",
            "draft line 1: From",
        ),
        (
            "To: a@example.org\nto: b@example.org\n\nbody\n",
            "appears twice",
        ),
        ("  x\n\nbody\n", "continuation"),
    ] {
        let err = parse(saved, &mut flags()).unwrap_err();
        assert_eq!(err.exit_code(), crate::model::exit_code::Code::DataErr);
        assert!(err.to_string().contains(needle), "{saved:?}: {err}");
    }
}

#[test]
fn a_newline_in_a_flag_cannot_add_a_header_line() {
    let draft = Draft {
        subject: Some("a\nBcc: evil@example.org".into()),
        ..flags()
    };
    let text = render(&draft);
    assert!(
        text.contains("Subject: a Bcc: evil@example.org\n"),
        "{text}"
    );
    assert_eq!(text.matches("\nBcc:").count(), 1, "{text}");
}
