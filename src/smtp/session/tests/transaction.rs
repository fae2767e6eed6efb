//! MAIL, RCPT and DATA: pipelining, refusals at every stage, and what is left
//! undelivered when something goes wrong (their parameters: `parameters.rs`).

use super::*;

/// The dialogue of one message to bob in which the server answers the command
/// `key` ("GREETING", "MAIL", "RCPT", "DATA" or "." for the end of data) with
/// `reply`, a refusal, and what the client must do then: RSET after a refused
/// recipient, and QUIT in every case.
fn refused_at(key: &str, reply: &'static str) -> (&'static str, Vec<(&'static str, &'static str)>) {
    let answer = |command: &str, otherwise| if command == key { reply } else { otherwise };
    if key == "GREETING" {
        return (reply, vec![QUIT]);
    }
    // One recipient and PIPELINING: MAIL, RCPT and DATA go in one group, and the
    // server refuses the DATA when nothing valid came before it.
    let mut steps = vec![
        EHLO,
        (MAIL.0, answer("MAIL", OK)),
        (RCPT_BOB.0, answer("RCPT", OK)),
    ];
    match key {
        "MAIL" => {
            steps[2].1 = "503 5.5.1 Error: need MAIL command";
            steps.push((DATA.0, "503 5.5.1 Error: need RCPT command"));
        }
        "RCPT" => {
            steps.push((DATA.0, "554 5.5.1 Error: no valid recipients"));
            steps.push(("RSET", OK));
        }
        _ => {
            steps.push((DATA.0, answer("DATA", DATA.1)));
            if key == "." {
                steps.push((".", reply));
            }
        }
    }
    steps.push(QUIT);
    (GREETING, steps)
}

#[test]
fn refusals_at_every_stage_map_to_their_exit_codes() {
    for (key, reply, stage, code) in [
        (
            "GREETING",
            "554 5.3.2 go away",
            Stage::Greeting,
            Code::Unavailable,
        ),
        (
            "GREETING",
            "421 4.3.2 busy",
            Stage::Greeting,
            Code::TempFail,
        ),
        ("MAIL", "451 4.3.0 try later", Stage::Mail, Code::TempFail),
        (
            "MAIL",
            "550 5.7.1 sender refused",
            Stage::Mail,
            Code::Unavailable,
        ),
        (
            "RCPT",
            "450 4.2.1 mailbox busy",
            Stage::Rcpt,
            Code::TempFail,
        ),
        ("RCPT", "550 5.1.1 no such user", Stage::Rcpt, Code::NoUser),
        ("DATA", "451 4.3.0 not now", Stage::Data, Code::TempFail),
        (
            "DATA",
            "554 5.5.1 no valid recipients",
            Stage::Data,
            Code::Unavailable,
        ),
        (".", "452 4.3.1 disk full", Stage::EndOfData, Code::TempFail),
        (
            ".",
            "552 5.3.4 message too big",
            Stage::EndOfData,
            Code::Unavailable,
        ),
    ] {
        let (greeting, steps) = refused_at(key, reply);
        let script = Script {
            greeting,
            ..server(&steps)
        };
        let run = send(&script, &settings(Security::Plain));
        let err = expect_err(&run);
        assert_eq!(err.stage, stage, "{reply}");
        assert_eq!(err.exit_code(), code, "{reply}: {err}");
        let reply_text = &reply[10..];
        assert!(err.to_string().contains(reply_text), "{reply}: {err}");
        let sent_reply = match &err.kind {
            SmtpErrorKind::Rejected(r) => r.clone(),
            SmtpErrorKind::RecipientsRefused { refused, accepted } => {
                assert!(accepted.is_empty());
                assert_eq!(refused.len(), 1);
                assert!(run.record.sent("RSET"), "{reply}");
                assert!(run.record.data.is_empty(), "{reply}");
                refused[0].reply.clone()
            }
            other => panic!("{reply}: {other:?}"),
        };
        assert_eq!(sent_reply.code.to_string(), reply[..3], "{reply}");
        assert_eq!(sent_reply.enhanced.as_deref(), Some(&reply[4..9]));
        assert!(run.record.sent("QUIT"), "{reply}");
    }
}

#[test]
fn one_refused_recipient_among_several_sends_nothing() {
    let steps = [
        EHLO,
        MAIL,
        ("RCPT TO:<a@example.org>", OK),
        (
            "RCPT TO:<bad@example.org>",
            "550 5.1.1 <bad@example.org>: no such user",
        ),
        ("RCPT TO:<c@example.org>", OK),
        ("RSET", OK),
        QUIT,
    ];
    let run = run_full(
        &server(&steps),
        &settings(Security::Plain),
        &envelope(&["a@example.org", "bad@example.org", "c@example.org"]),
        &Dsn::default(),
        &mut Bytes(MESSAGE.to_vec()),
    );
    let err = expect_err(&run);
    let SmtpErrorKind::RecipientsRefused { refused, accepted } = &err.kind else {
        panic!("{err:?}");
    };
    let addresses =
        |v: &Vec<RecipientReply>| v.iter().map(|r| r.address.clone()).collect::<Vec<_>>();
    assert_eq!(addresses(refused), ["bad@example.org"]);
    assert_eq!(addresses(accepted), ["a@example.org", "c@example.org"]);
    assert_eq!(refused[0].reply.code, 550);
    assert_eq!(err.exit_code(), Code::NoUser);
    assert!(err.to_string().contains("bad@example.org"), "{err}");
    assert!(err.to_string().contains("nothing was sent"), "{err}");
    assert!(run.record.sent("RSET"));
    assert!(!run.record.sent("DATA"));
    assert!(run.record.messages().is_empty());
}

#[test]
fn pipelined_replies_out_of_step_are_caught_before_the_message_goes() {
    // Replies carry no command name, so a server that answers MAIL twice shifts every
    // later reply by one: the last RCPT's 250 then arrives where DATA expects 354.
    let to = ["a@example.org", "b@example.org"];
    let steps = [
        EHLO,
        (MAIL.0, "250 2.1.0 ok\r\n250 2.1.5 ok"),
        ("RCPT TO:<a@example.org>", OK),
        ("RCPT TO:<b@example.org>", OK),
        DATA,
    ];
    let run = run_full(
        &server(&steps),
        &settings(Security::Plain),
        &envelope(&to),
        &Dsn::default(),
        &mut Bytes(MESSAGE.to_vec()),
    );
    let err = expect_err(&run);
    assert!(matches!(err.kind, SmtpErrorKind::Protocol(_)), "{err:?}");
    assert_eq!(err.stage, Stage::Data);
    assert_eq!(err.exit_code(), Code::Protocol);
    assert!(run.record.data.is_empty(), "nothing may be delivered");
    assert!(!run.record.sent("QUIT"), "no QUIT to a server out of step");

    // A reply that cannot answer a RCPT (354) is a protocol error at RCPT.
    let steps = [
        EHLO,
        MAIL,
        ("RCPT TO:<a@example.org>", OK),
        ("RCPT TO:<b@example.org>", "354 go ahead"),
    ];
    let run = run_full(
        &server(&steps),
        &settings(Security::Plain),
        &envelope(&to),
        &Dsn::default(),
        &mut Bytes(MESSAGE.to_vec()),
    );
    let err = expect_err(&run);
    assert!(matches!(err.kind, SmtpErrorKind::Protocol(_)), "{err:?}");
    assert_eq!(err.stage, Stage::Rcpt);
    assert!(!run.record.sent("DATA"));
    assert!(run.record.data.is_empty());
}

/// The writes that carried MAIL and RCPT lines, and how many lines each.
fn envelope_writes(record: &Record) -> Vec<usize> {
    let mut sizes: Vec<(usize, usize)> = Vec::new();
    for line in &record.lines {
        if !(line.text.starts_with("MAIL") || line.text.starts_with("RCPT")) {
            continue;
        }
        match sizes.last_mut() {
            Some((write, n)) if *write == line.write => *n += 1,
            _ => sizes.push((line.write, 1)),
        }
    }
    sizes.into_iter().map(|(_, n)| n).collect()
}

#[test]
fn pipelining_when_offered_and_not_otherwise() {
    let to = ["a@example.org", "b@example.org", "c@example.org"];
    let rcpts = [
        ("RCPT TO:<a@example.org>", OK),
        ("RCPT TO:<b@example.org>", OK),
        ("RCPT TO:<c@example.org>", OK),
    ];
    let offer = ehlo(&["8BITMIME"]);
    for (ehlo_step, writes) in [
        (EHLO, vec![4]),
        (("EHLO client.test", offer.as_str()), vec![1; 4]),
    ] {
        let steps: Vec<_> = [ehlo_step, MAIL]
            .into_iter()
            .chain(rcpts)
            .chain([DATA, END, QUIT])
            .collect();
        let run = run_full(
            &server(&steps),
            &settings(Security::Plain),
            &envelope(&to),
            &Dsn::default(),
            &mut Bytes(MESSAGE.to_vec()),
        );
        expect_ok(&run);
        assert_eq!(envelope_writes(&run.record), writes, "{}", ehlo_step.1);
        // DATA waits for the RCPT replies.
        let last_rcpt = run.record.line("RCPT TO:<c@").unwrap().write;
        assert_ne!(run.record.line("DATA").unwrap().write, last_rcpt);
    }
}

#[test]
fn many_recipients_are_pipelined_in_batches() {
    let to: Vec<String> = (0..250).map(|i| format!("r{i}@example.org")).collect();
    let refs: Vec<&str> = to.iter().map(String::as_str).collect();
    let rcpts: Vec<String> = to.iter().map(|a| format!("RCPT TO:<{a}>")).collect();
    let steps: Vec<_> = [EHLO, MAIL]
        .into_iter()
        .chain(rcpts.iter().map(|r| (r.as_str(), OK)))
        .chain([DATA, END, QUIT])
        .collect();
    let run = run_full(
        &server(&steps),
        &settings(Security::Plain),
        &envelope(&refs),
        &Dsn::default(),
        &mut Bytes(MESSAGE.to_vec()),
    );
    let outcome = expect_ok(&run);
    assert_eq!(outcome.accepted.len(), 250);
    assert_eq!(
        outcome
            .accepted
            .iter()
            .map(|r| r.address.clone())
            .collect::<Vec<_>>(),
        to
    );
    // MAIL and the first PIPELINE_BATCH recipients, then the rest batch by batch.
    assert_eq!(envelope_writes(&run.record), [101, 100, 50]);
}

#[test]
fn a_refused_mail_stops_the_pipelined_batches() {
    // The first batch is answered in full (the RCPTs with 503s) and read, so the
    // session stays in step for QUIT; the next batch is not sent.
    let to: Vec<String> = (0..150).map(|i| format!("r{i}@example.org")).collect();
    let refs: Vec<&str> = to.iter().map(String::as_str).collect();
    let rcpts: Vec<String> = to.iter().map(|a| format!("RCPT TO:<{a}>")).collect();
    let steps: Vec<_> = [EHLO, (MAIL.0, "550 5.7.1 sender refused")]
        .into_iter()
        .chain(
            rcpts[..100]
                .iter()
                .map(|r| (r.as_str(), "503 5.5.1 no MAIL")),
        )
        .chain([QUIT])
        .collect();
    let run = run_full(
        &server(&steps),
        &settings(Security::Plain),
        &envelope(&refs),
        &Dsn::default(),
        &mut Bytes(MESSAGE.to_vec()),
    );
    let err = expect_err(&run);
    assert_eq!(err.stage, Stage::Mail);
    assert!(matches!(&err.kind, SmtpErrorKind::Rejected(r) if r.code == 550));
    assert_eq!(envelope_writes(&run.record), [101]);
}
