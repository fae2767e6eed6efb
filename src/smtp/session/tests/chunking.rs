//! BDAT (RFC 3030): the envelope with the first chunk for one recipient, chunks of
//! bounded size, no dot-stuffing, a refusal at each step, and DATA when CHUNKING is
//! not offered or turned off.

use super::*;
use crate::smtp::data::CHUNK;

/// What a server offering CHUNKING (and PIPELINING, unless `pipelining` is false)
/// answers to EHLO.
fn chunking_ehlo(pipelining: bool) -> String {
    if pipelining {
        ehlo(&["PIPELINING", "8BITMIME", "CHUNKING"])
    } else {
        ehlo(&["8BITMIME", "CHUNKING"])
    }
}

fn last(size: usize) -> String {
    format!("BDAT {size} LAST")
}

fn chunk(size: usize) -> String {
    format!("BDAT {size}")
}

/// A message of `chunks` full chunks and `tail` bytes more, lines of 'x'.
fn big(chunks: usize, tail: usize) -> Vec<u8> {
    let line = [b"x".repeat(98), b"\r\n".to_vec()].concat();
    let size = chunks * CHUNK + tail;
    line.iter().copied().cycle().take(size).collect()
}

fn run_with(steps: &[(&str, &str)], message: &[u8], to: &[&str], chunking: bool) -> Run<Outcome> {
    let mut s = settings(Security::Plain);
    s.chunking = chunking;
    run_full(
        &server(steps),
        &s,
        &envelope(to),
        &Dsn::default(),
        &mut Bytes(message.to_vec()),
    )
}

fn commands(run: &Run<Outcome>) -> Vec<String> {
    run.record.commands()
}

#[test]
fn one_recipient_sends_mail_rcpt_and_bdat_last_in_one_write() {
    let offer = chunking_ehlo(true);
    let bdat = last(MESSAGE.len());
    let steps = [
        ("EHLO client.test", offer.as_str()),
        MAIL,
        RCPT_BOB,
        (bdat.as_str(), "250 2.0.0 queued as 42"),
        QUIT,
    ];
    let run = run_with(&steps, MESSAGE, &["bob@example.org"], true);
    let outcome = expect_ok(&run);
    assert_eq!(outcome.final_reply.code, 250);
    assert_eq!(outcome.accepted.len(), 1);
    let mail = run.record.line("MAIL").unwrap().write;
    assert_eq!(run.record.line("RCPT").unwrap().write, mail);
    assert_eq!(run.record.line("BDAT").unwrap().write, mail);
    assert_eq!(run.record.chunked_messages(), [MESSAGE]);
    assert!(run.record.data.is_empty(), "no DATA stream");
    assert!(!run.record.sent("DATA"));
    // QUIT went out before the LAST chunk's reply was read.
    let t = &run.transcript;
    assert!(t.find("-> QUIT").unwrap() < t.find("<- 250 2.0.0 queued").unwrap());
    let end = run
        .record
        .reads
        .iter()
        .find(|(s, _)| *s == Stage::EndOfData);
    assert_eq!(end, Some(&(Stage::EndOfData, Some(Duration::from_secs(7)))));
}

#[test]
fn no_dot_stuffing_but_the_same_line_endings_as_data() {
    let message = b"Subject: dots\n\n.\n..two\r.\r\nend";
    let wanted = b"Subject: dots\r\n\r\n.\r\n..two\r\n.\r\nend\r\n";
    let offer = chunking_ehlo(true);
    let bdat = last(wanted.len());
    let steps = [
        ("EHLO client.test", offer.as_str()),
        MAIL,
        RCPT_BOB,
        (bdat.as_str(), OK),
        QUIT,
    ];
    let run = run_with(&steps, message, &["bob@example.org"], true);
    expect_ok(&run);
    assert_eq!(run.record.chunked_messages(), [wanted.to_vec()]);
}

#[test]
fn turned_off_or_not_offered_means_data() {
    let chunking = chunking_ehlo(true);
    let plain = ehlo(&["PIPELINING", "8BITMIME"]);
    for (offer, on) in [(chunking.as_str(), false), (plain.as_str(), true)] {
        let steps = [("EHLO client.test", offer), MAIL, RCPT_BOB, DATA, END, QUIT];
        let run = run_with(&steps, MESSAGE, &["bob@example.org"], on);
        expect_ok(&run);
        assert!(run.record.chunks.is_empty());
        assert_eq!(run.record.messages(), [MESSAGE]);
    }
}

#[test]
fn a_large_message_goes_in_bounded_chunks_and_arrives_whole() {
    // The message ends inside a line: the CRLF that ends it goes in the LAST chunk.
    let message = big(2, 1000);
    let offer = chunking_ehlo(true);
    let (c, l) = (chunk(CHUNK), last(1002));
    let steps = [
        ("EHLO client.test", offer.as_str()),
        MAIL,
        RCPT_BOB,
        (c.as_str(), OK),
        (c.as_str(), OK),
        (l.as_str(), "250 2.0.0 queued"),
        QUIT,
    ];
    let run = run_with(&steps, &message, &["bob@example.org"], true);
    expect_ok(&run);
    assert!(run.record.chunks.iter().all(|(c, _)| c.len() <= CHUNK));
    assert_eq!(
        run.record.chunked_messages(),
        [[message, b"\r\n".to_vec()].concat()]
    );
    // Pipelined: no reply was read before the last chunk went out.
    let t = &run.transcript;
    assert!(t.find("-> BDAT 1002 LAST").unwrap() < t.find("<- 250 2.0.0 ok").unwrap());
}

#[test]
fn a_refused_recipient_has_its_bdat_refused_and_the_transaction_reset() {
    let offer = chunking_ehlo(true);
    let bdat = last(MESSAGE.len());
    let steps = [
        ("EHLO client.test", offer.as_str()),
        MAIL,
        (RCPT_BOB.0, "550 5.1.1 <bob@example.org>: no such user"),
        (bdat.as_str(), "554 5.5.1 Error: no valid recipients"),
        // QUIT went behind the LAST chunk; it ends the transaction, no RSET needed.
        QUIT,
    ];
    let run = run_with(&steps, MESSAGE, &["bob@example.org"], true);
    let err = expect_err(&run);
    let SmtpErrorKind::RecipientsRefused { refused, accepted } = &err.kind else {
        panic!("{err:?}");
    };
    assert!(accepted.is_empty());
    assert_eq!(refused[0].reply.code, 550);
    assert_eq!(err.exit_code(), Code::NoUser);
}

#[test]
fn a_refused_sender_is_the_error_and_every_reply_is_read() {
    let offer = chunking_ehlo(true);
    let bdat = last(MESSAGE.len());
    let steps = [
        ("EHLO client.test", offer.as_str()),
        (MAIL.0, "550 5.7.1 sender refused"),
        (RCPT_BOB.0, "503 5.5.1 Error: need MAIL command"),
        (bdat.as_str(), "503 5.5.1 Error: need RCPT command"),
        QUIT,
    ];
    let run = run_with(&steps, MESSAGE, &["bob@example.org"], true);
    let err = expect_err(&run);
    assert_eq!(err.stage, Stage::Mail);
    assert!(matches!(&err.kind, SmtpErrorKind::Rejected(r) if r.code == 550));
    assert!(run.transcript.contains("<- 221 2.0.0 bye"));
}

#[test]
fn a_refused_last_chunk_is_the_error_of_the_end_of_data() {
    let offer = chunking_ehlo(true);
    let bdat = last(MESSAGE.len());
    let steps = [
        ("EHLO client.test", offer.as_str()),
        MAIL,
        RCPT_BOB,
        (bdat.as_str(), "554 5.7.1 spam"),
        QUIT,
    ];
    let run = run_with(&steps, MESSAGE, &["bob@example.org"], true);
    let err = expect_err(&run);
    assert_eq!(err.stage, Stage::EndOfData);
    assert!(matches!(&err.kind, SmtpErrorKind::Rejected(r) if r.code == 554));
    assert_eq!(err.exit_code(), Code::Unavailable);
}

#[test]
fn without_pipelining_a_refused_chunk_stops_the_stream() {
    // Each chunk waits for its reply: the refusal of the second means no third,
    // and never a LAST (RFC 3030 §2: no further BDAT after a refusal).
    let message = big(3, 10);
    let offer = chunking_ehlo(false);
    let c = chunk(CHUNK);
    let steps = [
        ("EHLO client.test", offer.as_str()),
        MAIL,
        RCPT_BOB,
        (c.as_str(), OK),
        (c.as_str(), "452 4.3.1 insufficient system storage"),
        QUIT,
    ];
    let run = run_with(&steps, &message, &["bob@example.org"], true);
    let err = expect_err(&run);
    assert_eq!(err.stage, Stage::Data);
    assert!(matches!(&err.kind, SmtpErrorKind::Rejected(r) if r.code == 452));
    assert_eq!(err.exit_code(), Code::TempFail);
    assert_eq!(run.record.chunks.len(), 2);
    assert!(run.record.chunks.iter().all(|(_, last)| !last));
    let mail = run.record.line("MAIL").unwrap().write;
    assert!(run.record.line("BDAT").unwrap().write > mail, "no group");
}

#[test]
fn a_pipelined_stream_stops_within_its_window_after_a_refusal() {
    // Twelve chunks; the first is refused. The replies are read once more than the
    // window is owed, so the stream stops after nine chunks, with no LAST.
    let message = big(12, 10);
    let offer = chunking_ehlo(true);
    let c = chunk(CHUNK);
    let mut steps = vec![
        ("EHLO client.test", offer.as_str()),
        MAIL,
        RCPT_BOB,
        (c.as_str(), "554 5.3.4 message too big for system"),
    ];
    steps.extend([(c.as_str(), "554 5.5.1 Error: discarded"); 8]);
    steps.push(QUIT);
    let run = run_with(&steps, &message, &["bob@example.org"], true);
    let err = expect_err(&run);
    assert_eq!(err.stage, Stage::Data);
    assert!(err.to_string().contains("too big"), "{err}");
    assert_eq!(run.record.chunks.len(), 9);
    assert!(run.record.chunked_messages().is_empty(), "no LAST");
}

#[test]
fn several_recipients_wait_for_their_replies_before_the_message() {
    let offer = chunking_ehlo(true);
    let bdat = last(MESSAGE.len());
    let steps = [
        ("EHLO client.test", offer.as_str()),
        MAIL,
        RCPT_BOB,
        ("RCPT TO:<carol@example.org>", OK),
        (bdat.as_str(), "250 2.0.0 queued"),
        QUIT,
    ];
    let run = run_with(
        &steps,
        MESSAGE,
        &["bob@example.org", "carol@example.org"],
        true,
    );
    let outcome = expect_ok(&run);
    assert_eq!(outcome.accepted.len(), 2);
    let rcpt = run.record.line("RCPT").unwrap().write;
    assert!(run.record.line("BDAT").unwrap().write > rcpt);
    let t = &run.transcript;
    let replies_read = t.find("<- 250 2.0.0 ok").unwrap();
    assert!(replies_read < t.find("-> BDAT").unwrap(), "{t}");
}

#[test]
fn a_server_closing_at_the_first_chunk_is_reported_with_its_421() {
    let offer = chunking_ehlo(true);
    let bdat = last(MESSAGE.len());
    let steps = [
        ("EHLO client.test", offer.as_str()),
        MAIL,
        RCPT_BOB,
        (bdat.as_str(), "421 4.4.2 scripted.test closing: timeout"),
        ("QUIT", ""),
    ];
    let run = run_with(&steps, MESSAGE, &["bob@example.org"], true);
    let err = expect_err(&run);
    assert_eq!(err.stage, Stage::EndOfData);
    assert!(matches!(&err.kind, SmtpErrorKind::Rejected(r) if r.code == 421));
    assert_eq!(err.exit_code(), Code::TempFail);
}

#[test]
fn a_payload_failing_mid_stream_sends_no_last_chunk() {
    struct Failing;
    impl Payload for Failing {
        fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
            out.write_all(&big(1, 500))?;
            Err(io::Error::other("disk on fire"))
        }
    }
    let offer = chunking_ehlo(true);
    let c = chunk(CHUNK);
    let steps = [
        ("EHLO client.test", offer.as_str()),
        MAIL,
        RCPT_BOB,
        (c.as_str(), OK),
    ];
    let run = run_full(
        &server(&steps),
        &settings(Security::Plain),
        &envelope(&["bob@example.org"]),
        &Dsn::default(),
        &mut Failing,
    );
    let err = expect_err(&run);
    assert!(matches!(err.kind, SmtpErrorKind::Payload(_)), "{err:?}");
    assert_eq!(run.record.chunks.len(), 1);
    assert!(!commands(&run).iter().any(|c| c.ends_with("LAST")));
}
