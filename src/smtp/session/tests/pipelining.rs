//! RFC 2920 groups that reach DATA: MAIL, RCPT and DATA in one write for one
//! recipient, what a refusal inside the group leaves undelivered, replies out of
//! step, and QUIT sent with the end of data.

use super::*;
use crate::smtp::session::QUIT_GRACE;

fn one_to_bob(steps: &[(&str, &str)]) -> Run<Outcome> {
    send(&server(steps), &settings(Security::Plain))
}

/// The write that carried the first line starting with `prefix`.
fn write_of(record: &Record, prefix: &str) -> usize {
    record
        .line(prefix)
        .unwrap_or_else(|| panic!("no {prefix} in {:?}", record.commands()))
        .write
}

/// Where `needle` first appears in the transcript.
fn at(transcript: &str, needle: &str) -> usize {
    transcript
        .find(needle)
        .unwrap_or_else(|| panic!("no {needle:?} in\n{transcript}"))
}

#[test]
fn one_recipient_sends_mail_rcpt_and_data_in_one_write() {
    let run = one_to_bob(&[EHLO, MAIL, RCPT_BOB, DATA, END, QUIT]);
    let outcome = expect_ok(&run);
    assert_eq!(outcome.final_reply.code, 250);
    assert_eq!(outcome.accepted.len(), 1);
    let mail = write_of(&run.record, "MAIL");
    assert_eq!(write_of(&run.record, "RCPT"), mail);
    assert_eq!(write_of(&run.record, "DATA"), mail);
    assert_eq!(run.record.messages(), [MESSAGE]);
    // The three replies are read in order, each for its own command.
    let stages: Vec<Stage> = run.record.reads.iter().map(|(s, _)| *s).collect();
    let envelope_reads = &stages[2..5];
    assert_eq!(envelope_reads, [Stage::Mail, Stage::Rcpt, Stage::Data]);
}

#[test]
fn without_pipelining_each_command_waits_for_its_reply() {
    let offer = ehlo(&["8BITMIME"]);
    let steps = [
        ("EHLO client.test", offer.as_str()),
        MAIL,
        RCPT_BOB,
        DATA,
        END,
        QUIT,
    ];
    let run = one_to_bob(&steps);
    expect_ok(&run);
    let mail = write_of(&run.record, "MAIL");
    let rcpt = write_of(&run.record, "RCPT");
    assert!(mail < rcpt && rcpt < write_of(&run.record, "DATA"));
    // And QUIT only after the end-of-data reply: no group without PIPELINING.
    let t = &run.transcript;
    assert!(at(t, "<- 250 2.0.0 queued") < at(t, "-> QUIT"), "{t}");
}

#[test]
fn a_refused_recipient_has_its_pipelined_data_refused_and_nothing_is_sent() {
    let steps = [
        EHLO,
        MAIL,
        (RCPT_BOB.0, "550 5.1.1 <bob@example.org>: no such user"),
        (DATA.0, "554 5.5.1 Error: no valid recipients"),
        ("RSET", OK),
        QUIT,
    ];
    let run = one_to_bob(&steps);
    let err = expect_err(&run);
    let SmtpErrorKind::RecipientsRefused { refused, accepted } = &err.kind else {
        panic!("{err:?}");
    };
    assert!(accepted.is_empty());
    assert_eq!(refused[0].address, "bob@example.org");
    assert_eq!(refused[0].reply.code, 550);
    assert_eq!(err.stage, Stage::Rcpt);
    assert_eq!(err.exit_code(), Code::NoUser);
    assert_eq!(write_of(&run.record, "DATA"), write_of(&run.record, "MAIL"));
    assert!(run.record.data.is_empty(), "nothing may be sent");
    assert!(run.record.sent("QUIT"));
}

#[test]
fn a_refused_sender_has_every_reply_of_its_group_read() {
    let steps = [
        EHLO,
        (MAIL.0, "550 5.7.1 sender refused"),
        (RCPT_BOB.0, "503 5.5.1 Error: need MAIL command"),
        (DATA.0, "503 5.5.1 Error: need RCPT command"),
        QUIT,
    ];
    let run = one_to_bob(&steps);
    let err = expect_err(&run);
    assert_eq!(err.stage, Stage::Mail);
    assert!(matches!(&err.kind, SmtpErrorKind::Rejected(r) if r.code == 550));
    assert!(run.record.data.is_empty());
    // The 221 is read, not one of the 503s: the session stayed in step.
    assert_eq!(run.record.reads.last().unwrap().0, Stage::Quit);
    assert!(
        run.transcript.contains("<- 221 2.0.0 bye"),
        "{}",
        run.transcript
    );
}

#[test]
fn a_server_that_accepts_data_after_a_refusal_is_abandoned_without_the_message() {
    // RFC 2920 obliges the server to refuse DATA without a valid recipient. One that
    // answers 354 waits for a message: we send none, and neither RSET nor QUIT
    // (which it would read as message text); closing the connection in the middle
    // of DATA ends the transaction undelivered.
    let refused_rcpt = [EHLO, MAIL, (RCPT_BOB.0, "550 5.1.1 no such user"), DATA];
    let refused_mail = [
        EHLO,
        (MAIL.0, "550 5.7.1 sender refused"),
        (RCPT_BOB.0, "503 5.5.1 need MAIL"),
        DATA,
    ];
    for (steps, stage, code) in [
        (&refused_rcpt, Stage::Rcpt, Code::NoUser),
        (&refused_mail, Stage::Mail, Code::Unavailable),
    ] {
        let run = one_to_bob(steps);
        let err = expect_err(&run);
        assert_eq!(err.stage, stage, "{err}");
        assert_eq!(err.exit_code(), code, "{err}");
        assert!(run.record.data.is_empty(), "nothing may be sent");
        assert!(!run.record.sent("RSET"), "{:?}", run.record.commands());
        assert!(!run.record.sent("QUIT"), "{:?}", run.record.commands());
    }
}

#[test]
fn a_group_answered_out_of_step_sends_no_message() {
    // A server that answers MAIL twice shifts the replies by one: the RCPT's 250
    // arrives where DATA's 354 should.
    let steps = [
        EHLO,
        (MAIL.0, "250 2.1.0 ok\r\n250 2.1.5 ok"),
        RCPT_BOB,
        DATA,
    ];
    let run = one_to_bob(&steps);
    let err = expect_err(&run);
    assert!(matches!(err.kind, SmtpErrorKind::Protocol(_)), "{err:?}");
    assert_eq!(err.stage, Stage::Data);
    assert!(run.record.data.is_empty(), "nothing may be delivered");
    assert!(!run.record.sent("QUIT"), "no QUIT to a server out of step");
}

#[test]
fn quit_goes_with_the_end_of_data_and_its_reply_is_awaited_briefly() {
    let run = one_to_bob(&[EHLO, MAIL, RCPT_BOB, DATA, END, QUIT]);
    expect_ok(&run);
    // QUIT was written before the end-of-data reply was read (one group).
    let t = &run.transcript;
    assert!(at(t, "-> QUIT") < at(t, "<- 250 2.0.0 queued"), "{t}");
    assert_eq!(run.record.commands().last().unwrap(), "QUIT");
    assert_eq!(
        run.record.reads.last(),
        Some(&(Stage::Quit, Some(QUIT_GRACE))),
        "the 221 is awaited for the grace only"
    );
    // The end of data still had its own, longer, limit.
    let end = run
        .record
        .reads
        .iter()
        .find(|(s, _)| *s == Stage::EndOfData);
    assert_eq!(end, Some(&(Stage::EndOfData, Some(Duration::from_secs(7)))));
}

#[test]
fn a_refused_message_with_quit_in_its_group_sends_quit_once() {
    let steps = [EHLO, MAIL, RCPT_BOB, DATA, (".", "554 5.7.1 spam"), QUIT];
    let run = one_to_bob(&steps);
    let err = expect_err(&run);
    assert_eq!(err.stage, Stage::EndOfData);
    let quits = run
        .record
        .commands()
        .iter()
        .filter(|c| *c == "QUIT")
        .count();
    assert_eq!(quits, 1);
    assert!(
        run.transcript.contains("<- 221 2.0.0 bye"),
        "{}",
        run.transcript
    );
}

#[test]
fn a_server_closing_inside_the_group_is_reported_with_its_421() {
    // A 421 to MAIL, then the connection closes: the RCPT and DATA sent with it get
    // no reply, and the server's reason, not "connection closed", is the error.
    for (steps, stage) in [
        (
            [
                EHLO,
                (MAIL.0, "421 4.7.0 scripted.test closing: too busy"),
                (RCPT_BOB.0, ""),
                (DATA.0, ""),
                ("QUIT", ""),
            ],
            Stage::Mail,
        ),
        (
            [
                EHLO,
                MAIL,
                (RCPT_BOB.0, "421 4.7.0 scripted.test closing: too busy"),
                (DATA.0, ""),
                ("QUIT", ""),
            ],
            Stage::Rcpt,
        ),
    ] {
        let run = one_to_bob(&steps);
        let err = expect_err(&run);
        assert_eq!(err.stage, stage, "{err}");
        assert!(
            matches!(&err.kind, SmtpErrorKind::Rejected(r) if r.code == 421),
            "{err:?}"
        );
        assert_eq!(err.exit_code(), Code::TempFail);
        assert!(err.to_string().contains("too busy"), "{err}");
        assert!(run.record.data.is_empty());
    }
}
