//! Faults: a drop at every stage, silence, the end-of-data time limit, malformed
//! replies, a drop in the middle of a pipelined batch.

use super::*;

#[test]
fn a_drop_at_every_stage_is_a_temporary_io_error() {
    for (key, stage) in [
        ("GREETING", Stage::Greeting),
        ("EHLO", Stage::Ehlo),
        ("MAIL", Stage::Mail),
        ("RCPT", Stage::Rcpt),
        ("DATA", Stage::Data),
        (".", Stage::EndOfData),
    ] {
        let server = Server::start(Config::default().on(key, Action::Drop));
        let s = settings(&server, Security::Plain);
        let run = send(server, &s);
        let err = expect_err(&run);
        assert!(matches!(err.kind, SmtpErrorKind::Io(_)), "{key}: {err:?}");
        assert_eq!(err.stage, stage, "{key}");
        assert_eq!(err.exit_code(), Code::TempFail, "{key}");
        assert!(err.is_transient());
    }
}

#[test]
fn a_silent_server_times_out() {
    let server = Server::start(Config::default().on("GREETING", Action::Hang));
    let mut s = settings(&server, Security::Plain);
    s.timeout = Duration::from_secs(1);
    let started = Instant::now();
    let run = send(server, &s);
    let err = expect_err(&run);
    assert!(matches!(err.kind, SmtpErrorKind::Timeout), "{err:?}");
    assert_eq!(err.stage, Stage::Greeting);
    assert_eq!(err.exit_code(), Code::TempFail);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn the_end_of_data_reply_uses_data_timeout() {
    let server = Server::start(Config::default().on(".", Action::Hang));
    let mut s = settings(&server, Security::Plain);
    s.timeout = Duration::from_secs(30);
    s.data_timeout = Duration::from_secs(1);
    let started = Instant::now();
    let run = send(server, &s);
    let err = expect_err(&run);
    assert!(matches!(err.kind, SmtpErrorKind::Timeout), "{err:?}");
    assert_eq!(err.stage, Stage::EndOfData);
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn malformed_reply_is_a_protocol_error() {
    let server = Server::start(Config::default().reply("GREETING", "hello there"));
    let s = settings(&server, Security::Plain);
    let run = send(server, &s);
    let err = expect_err(&run);
    assert!(matches!(err.kind, SmtpErrorKind::Protocol(_)), "{err:?}");
    assert_eq!(err.exit_code(), Code::Protocol);
    assert!(err.to_string().contains("malformed reply"), "{err}");
}

#[test]
fn a_server_that_drops_in_the_middle_of_a_pipelined_batch_is_a_temporary_failure() {
    let to = ["a@example.org", "b@example.org", "c@example.org"];
    let server = Server::start(Config::default().on("RCPT TO:<b@", Action::Drop));
    let s = settings(&server, Security::Plain);
    let run = run_full(
        server,
        &s,
        &envelope(&to),
        &Dsn::default(),
        &mut Bytes(MESSAGE.to_vec()),
        1,
    );
    let err = expect_err(&run);
    assert!(matches!(err.kind, SmtpErrorKind::Io(_)), "{err:?}");
    assert_eq!(err.stage, Stage::Rcpt);
    assert!(err.is_transient());
    assert_eq!(err.exit_code(), Code::TempFail);
    // All three RCPTs went in the one write; the server read up to b and left.
    let reads: Vec<usize> = run
        .record
        .lines
        .iter()
        .filter(|l| l.text.starts_with("MAIL") || l.text.starts_with("RCPT"))
        .map(|l| l.read)
        .collect();
    assert!(
        reads.len() >= 3 && reads.iter().all(|&r| r == reads[0]),
        "{reads:?}"
    );
    assert!(!run.record.sent("DATA"));
    assert!(run.record.messages.is_empty());
}
