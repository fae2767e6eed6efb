//! LMTP (RFC 2033): LHLO, and after the message one reply per accepted recipient, each
//! kept in the outcome as the server gave it.

use super::*;
use crate::model::Protocol;

const LHLO_PLAIN: &str = "LHLO client.test";
const RCPT_A: (&str, &str) = ("RCPT TO:<a@example.org>", OK);
const RCPT_B: (&str, &str) = ("RCPT TO:<b@example.org>", OK);

fn lmtp() -> Settings {
    Settings {
        protocol: Protocol::Lmtp,
        ..settings(Security::Plain)
    }
}

fn to_a_and_b(steps: &[(&str, &str)]) -> Run<Outcome> {
    run_full(
        &server(steps),
        &lmtp(),
        &envelope(&["a@example.org", "b@example.org"]),
        &Dsn::default(),
        &mut Bytes(MESSAGE.to_vec()),
    )
}

fn addresses(v: &[RecipientReply]) -> Vec<&str> {
    v.iter().map(|r| r.address.as_str()).collect()
}

#[test]
fn one_reply_per_recipient_after_the_message_each_kept() {
    let lhlo = ehlo(&["ENHANCEDSTATUSCODES"]);
    let steps = [
        (LHLO_PLAIN, lhlo.as_str()),
        MAIL,
        RCPT_A,
        RCPT_B,
        DATA,
        (
            ".",
            "250 2.0.0 <a@example.org> Saved\r\n452 4.2.2 <b@example.org> Quota exceeded",
        ),
        QUIT,
    ];
    let run = to_a_and_b(&steps);
    let outcome = expect_ok(&run);
    assert_eq!(addresses(&outcome.accepted), ["a@example.org"]);
    assert_eq!(addresses(&outcome.refused), ["b@example.org"]);
    assert_eq!(outcome.accepted[0].reply.lines, ["<a@example.org> Saved"]);
    assert_eq!(outcome.refused[0].reply.code, 452);
    assert_eq!(outcome.refused[0].reply.enhanced.as_deref(), Some("4.2.2"));
    assert_eq!(outcome.final_reply.code, 250);
    assert!(run.record.sent("LHLO"));
    assert!(!run.record.sent("EHLO"));
}

#[test]
fn delivered_to_nobody_is_the_refusal_of_them_all() {
    let lhlo = ehlo(&[]);
    let steps = [
        (LHLO_PLAIN, lhlo.as_str()),
        MAIL,
        RCPT_A,
        RCPT_B,
        DATA,
        (".", "452 4.2.2 full\r\n451 4.3.0 try later"),
        QUIT,
    ];
    let run = to_a_and_b(&steps);
    let err = expect_err(&run);
    assert_eq!(err.stage, Stage::EndOfData);
    let SmtpErrorKind::RecipientsRefused { refused, accepted } = &err.kind else {
        panic!("{err:?}");
    };
    assert_eq!(addresses(refused), ["a@example.org", "b@example.org"]);
    assert!(accepted.is_empty());
    // Temporary for all: the usual policy queues it.
    assert!(err.is_transient());
    assert_eq!(err.exit_code(), Code::TempFail);
    assert_eq!(
        err.to_string(),
        "end of data: the LMTP server delivered to nobody: a@example.org (452 4.2.2 full); \
         b@example.org (451 4.3.0 try later)"
    );
}

#[test]
fn a_connection_lost_part_way_leaves_the_rest_in_doubt_and_to_be_tried_again() {
    let lhlo = ehlo(&[]);
    let steps = [
        (LHLO_PLAIN, lhlo.as_str()),
        MAIL,
        RCPT_A,
        RCPT_B,
        DATA,
        (".", "250 2.0.0 <a@example.org> Saved"),
    ];
    let run = to_a_and_b(&steps);
    let outcome = expect_ok(&run);
    assert_eq!(addresses(&outcome.accepted), ["a@example.org"]);
    assert_eq!(addresses(&outcome.refused), ["b@example.org"]);
    let doubt = &outcome.refused[0].reply;
    assert!(doubt.is_transient(), "{doubt}");
    assert!(
        doubt.to_string().contains("no reply for this recipient"),
        "{doubt}"
    );
    // The connection is gone: no QUIT was asked for of the script.
    assert!(!run.record.sent("QUIT"));
}

#[test]
fn lhlo_refused_is_not_followed_by_helo() {
    let run = to_a_and_b(&[(LHLO_PLAIN, "500 5.5.1 unknown command"), QUIT]);
    let err = expect_err(&run);
    assert_eq!(err.stage, Stage::Ehlo);
    assert!(!run.record.sent("HELO"));
}
