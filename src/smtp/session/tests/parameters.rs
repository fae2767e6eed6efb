//! The parameters MAIL and RCPT declare (DSN, SMTPUTF8, SIZE), and the message itself:
//! a payload that fails, multi-line replies, dot-stuffing and the end-of-data time limit.

use super::*;

#[test]
fn dsn_parameters_when_offered_and_a_warning_otherwise() {
    let dsn = Dsn {
        notify: Some("SUCCESS,FAILURE".into()),
        ret: Some("HDRS".into()),
        envid: Some("id+1=x".into()),
    };
    let offer = ehlo(&["DSN"]);
    let steps = [
        ("EHLO client.test", offer.as_str()),
        ("MAIL FROM:<jane@example.org> RET=HDRS ENVID=id+2B1+3Dx", OK),
        ("RCPT TO:<bob@example.org> NOTIFY=SUCCESS,FAILURE", OK),
        DATA,
        END,
        QUIT,
    ];
    let run = run_full(
        &server(&steps),
        &settings(Security::Plain),
        &envelope(&["bob@example.org"]),
        &dsn,
        &mut Bytes(MESSAGE.to_vec()),
    );
    let outcome = expect_ok(&run);
    assert!(outcome.warnings.is_empty());
    assert_eq!(
        run.record.line("MAIL").unwrap().text,
        "MAIL FROM:<jane@example.org> RET=HDRS ENVID=id+2B1+3Dx"
    );
    assert_eq!(
        run.record.line("RCPT").unwrap().text,
        "RCPT TO:<bob@example.org> NOTIFY=SUCCESS,FAILURE"
    );

    let steps = [EHLO, MAIL, RCPT_BOB, DATA, END, QUIT];
    let run = run_full(
        &server(&steps),
        &settings(Security::Plain),
        &envelope(&["bob@example.org"]),
        &dsn,
        &mut Bytes(MESSAGE.to_vec()),
    );
    let outcome = expect_ok(&run);
    assert_eq!(outcome.warnings.len(), 1);
    assert!(outcome.warnings[0].contains("DSN"));
    assert_eq!(
        run.record.line("MAIL").unwrap().text,
        "MAIL FROM:<jane@example.org>"
    );
}

#[test]
fn smtputf8_is_required_for_non_ascii_addresses() {
    let mut env = envelope(&["josé@example.org"]);
    env.smtputf8 = true;
    let run = run_full(
        &server(&[EHLO, QUIT]),
        &settings(Security::Plain),
        &env,
        &Dsn::default(),
        &mut Bytes(MESSAGE.to_vec()),
    );
    let err = expect_err(&run);
    assert!(matches!(err.kind, SmtpErrorKind::Smtputf8Unavailable));
    assert_eq!(err.exit_code(), Code::DataErr);
    assert!(!run.record.sent("MAIL"));

    let offer = ehlo(&["PIPELINING", "SMTPUTF8"]);
    let steps = [
        ("EHLO client.test", offer.as_str()),
        ("MAIL FROM:<jane@example.org> SMTPUTF8", OK),
        ("RCPT TO:<josé@example.org>", OK),
        DATA,
        END,
        QUIT,
    ];
    let run = run_full(
        &server(&steps),
        &settings(Security::Plain),
        &env,
        &Dsn::default(),
        &mut Bytes(MESSAGE.to_vec()),
    );
    expect_ok(&run);
    assert_eq!(
        run.record.line("MAIL").unwrap().text,
        "MAIL FROM:<jane@example.org> SMTPUTF8"
    );
    assert_eq!(
        run.record.line("RCPT").unwrap().text,
        "RCPT TO:<josé@example.org>"
    );
}

struct Sized(Vec<u8>);

impl Payload for Sized {
    fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(&self.0)
    }
    fn size_hint(&self) -> Option<u64> {
        Some(self.0.len() as u64)
    }
}

#[test]
fn size_is_declared_and_checked() {
    let offer = ehlo(&["PIPELINING", "SIZE 1000"]);
    let mail = format!("MAIL FROM:<jane@example.org> SIZE={}", MESSAGE.len());
    let steps = [
        ("EHLO client.test", offer.as_str()),
        (mail.as_str(), OK),
        RCPT_BOB,
        DATA,
        END,
        QUIT,
    ];
    let run = run_full(
        &server(&steps),
        &settings(Security::Plain),
        &envelope(&["bob@example.org"]),
        &Dsn::default(),
        &mut Sized(MESSAGE.to_vec()),
    );
    expect_ok(&run);
    assert_eq!(run.record.line("MAIL").unwrap().text, mail);

    let steps = [("EHLO client.test", offer.as_str()), QUIT];
    let run = run_full(
        &server(&steps),
        &settings(Security::Plain),
        &envelope(&["bob@example.org"]),
        &Dsn::default(),
        &mut Sized(vec![b'x'; 5000]),
    );
    let err = expect_err(&run);
    assert!(matches!(
        err.kind,
        SmtpErrorKind::TooBig {
            size: 5000,
            limit: 1000
        }
    ));
    assert_eq!(err.exit_code(), Code::Unavailable);
    assert!(!run.record.sent("MAIL"));
}

struct Unreadable;

impl Payload for Unreadable {
    fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"Subject: half\r\n\r\nfirst line\r\n")?;
        Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "attachment unreadable",
        ))
    }
}

#[test]
fn a_payload_error_abandons_the_message() {
    // No end of data and no QUIT: the server, left in the middle of DATA, discards.
    let steps = [EHLO, MAIL, RCPT_BOB, DATA];
    let run = run_full(
        &server(&steps),
        &settings(Security::Plain),
        &envelope(&["bob@example.org"]),
        &Dsn::default(),
        &mut Unreadable,
    );
    let err = expect_err(&run);
    assert!(matches!(err.kind, SmtpErrorKind::Payload(_)), "{err:?}");
    assert_eq!(err.exit_code(), Code::IoErr);
    assert!(err.to_string().contains("attachment unreadable"));
    // The server never saw an end of data, so it delivers nothing.
    assert_eq!(run.record.data.len(), 1);
    assert!(run.record.messages().is_empty());
}

#[test]
fn multi_line_replies_keep_every_line() {
    let end = (
        ".",
        "550-5.7.1 Message rejected as spam\r\n550 5.7.1 see https://example.org/spam",
    );
    let steps = [EHLO, MAIL, RCPT_BOB, DATA, end, QUIT];
    let run = send(&server(&steps), &settings(Security::Plain));
    let err = expect_err(&run);
    let reply = err.reply().expect("a reply");
    assert_eq!(reply.enhanced.as_deref(), Some("5.7.1"));
    assert_eq!(
        reply.lines,
        ["Message rejected as spam", "see https://example.org/spam"]
    );
    assert_eq!(err.exit_code(), Code::Unavailable);
}

#[test]
fn the_message_goes_dot_stuffed_and_the_end_of_data_reply_waits_longer() {
    let steps = [EHLO, MAIL, RCPT_BOB, DATA, END, QUIT];
    let s = settings(Security::Plain);
    let run = run_full(
        &server(&steps),
        &s,
        &envelope(&["bob@example.org"]),
        &Dsn::default(),
        &mut Bytes(b"Subject: x\n\n.hidden\n.\nend".to_vec()),
    );
    let outcome = expect_ok(&run);
    assert_eq!(outcome.final_reply.code, 250);
    assert_eq!(
        run.record.data,
        [b"Subject: x\r\n\r\n..hidden\r\n..\r\nend\r\n.\r\n".to_vec()]
    );
    assert_eq!(
        run.record.messages(),
        [b"Subject: x\r\n\r\n.hidden\r\n.\r\nend\r\n".to_vec()]
    );
    assert!(run.transcript.contains("-> (message: 33 bytes)\n-> .\n"));
    // Servers scan the message before they answer: the data timeout for that reply
    // only; the 221 after it is awaited for a short grace.
    let limit = |stage| {
        run.record
            .reads
            .iter()
            .find(|(s, _)| *s == stage)
            .map(|(_, limit)| *limit)
    };
    assert_eq!(limit(Stage::EndOfData), Some(Some(s.data_timeout)));
    assert_eq!(
        limit(Stage::Quit),
        Some(Some(crate::smtp::session::QUIT_GRACE))
    );
}
