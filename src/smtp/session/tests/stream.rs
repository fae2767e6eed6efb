//! Messages streamed over one session (`batch`): each message's commands go out before
//! the replies of the ones before it are read, and each gets the outcome of its own
//! replies — a refusal in the middle of the stream included; a connection lost in the
//! middle leaves the messages whose data went out whole unknown (never "sent") and
//! gives the others back to be sent again.

use super::*;
use crate::smtp::Finished;

const CAROL: &str = "carol@example.org";
const DAVE: &str = "dave@example.org";

fn msg(n: usize) -> Vec<u8> {
    format!("Subject: m{n}\r\n\r\nbody {n}\r\n").into_bytes()
}

fn rcpt(to: &str) -> String {
    format!("RCPT TO:<{to}>")
}

/// Greet, EHLO, then start one message to each of `to` in turn (tokens 1, 2, 3…),
/// then read what is owed: every outcome, in the order they came.
fn stream(steps: &[(&str, &str)], to: &[&str], chunking: bool) -> Run<Vec<(u64, Finished)>> {
    let mut s = settings(Security::Plain);
    s.chunking = chunking;
    over(&server(steps), 1, |wire| {
        let mut session = Session::greet(wire, &s)?;
        session.hello(&s)?;
        let mut known = Vec::new();
        for (i, address) in to.iter().enumerate() {
            let token = i as u64 + 1;
            let envelope = envelope(&[address]);
            let mut payload = Bytes(msg(token as usize));
            if let Err(e) = session.start(token, &s, &envelope, &Dsn::default(), &mut payload) {
                known.push((token, Finished::Done(Err(e))));
            }
            known.extend(session.take_finished());
        }
        session.drain_flights();
        known.extend(session.take_finished());
        Ok(known)
    })
}

/// The outcomes by token: "sent", "again" or the error's stage and code.
fn outcomes(run: &Run<Vec<(u64, Finished)>>) -> Vec<(u64, String)> {
    expect_ok(run)
        .iter()
        .map(|(token, f)| {
            let what = match f {
                Finished::Done(Ok(o)) => format!("sent {}", o.final_reply.code),
                Finished::Done(Err(e)) => format!("{:?} {}", e.stage, e.exit_code() as u8),
                Finished::Again(_) => "again".to_owned(),
            };
            (*token, what)
        })
        .collect()
}

fn chunking_offer() -> String {
    ehlo(&["PIPELINING", "8BITMIME", "CHUNKING"])
}

#[test]
fn bdat_messages_go_out_before_any_reply_and_a_refusal_in_the_middle_is_its_own() {
    let offer = chunking_offer();
    let bdat = format!("BDAT {} LAST", msg(1).len());
    let (r1, r2, r3) = (rcpt("bob@example.org"), rcpt(CAROL), rcpt(DAVE));
    let steps = [
        ("EHLO client.test", offer.as_str()),
        MAIL,
        (r1.as_str(), OK),
        (bdat.as_str(), "250 2.0.0 queued as 1"),
        ("RSET", OK),
        MAIL,
        (r2.as_str(), "550 5.1.1 <carol@example.org>: no such user"),
        (bdat.as_str(), "554 5.5.1 Error: no valid recipients"),
        ("RSET", OK),
        MAIL,
        (r3.as_str(), OK),
        (bdat.as_str(), "250 2.0.0 queued as 3"),
    ];
    let run = stream(&steps, &["bob@example.org", CAROL, DAVE], true);
    assert_eq!(
        outcomes(&run),
        [
            (1, "sent 250".to_owned()),
            (2, format!("Rcpt {}", Code::NoUser as u8)),
            (3, "sent 250".to_owned()),
        ]
    );
    // All three were written before the first reply was read.
    let t = &run.transcript;
    let last_write = t.rfind("-> BDAT").unwrap();
    assert!(last_write < t.find("<- 250 2.0.0 ok").unwrap(), "{t}");
    assert_eq!(run.record.chunked_messages(), [msg(1), msg(2), msg(3)]);
}

#[test]
fn with_data_the_next_envelope_follows_the_end_of_data_before_its_reply() {
    let (r1, r2, r3) = (rcpt("bob@example.org"), rcpt(CAROL), rcpt(DAVE));
    let steps = [
        EHLO,
        MAIL,
        (r1.as_str(), OK),
        DATA,
        (".", "250 2.0.0 queued as 1"),
        // The first message's envelope was taken and its data sent: its transaction
        // ends with its reply, so no RSET before the second.
        MAIL,
        (r2.as_str(), "550 5.1.1 no such user"),
        (DATA.0, "554 5.5.1 Error: no valid recipients"),
        // The refused recipient left the transaction open: RSET before the next.
        ("RSET", OK),
        MAIL,
        (r3.as_str(), OK),
        DATA,
        (".", "554 5.7.1 spam"),
    ];
    let run = stream(&steps, &["bob@example.org", CAROL, DAVE], false);
    assert_eq!(
        outcomes(&run),
        [
            (1, "sent 250".to_owned()),
            (2, format!("Rcpt {}", Code::NoUser as u8)),
            (3, format!("EndOfData {}", Code::Unavailable as u8)),
        ]
    );
    // The second message's group went out before the first one's end-of-data reply
    // was read: one round trip a message.
    let t = &run.transcript;
    let second_group = t.find("-> RCPT TO:<carol").unwrap();
    assert!(
        second_group < t.find("<- 250 2.0.0 queued as 1").unwrap(),
        "{t}"
    );
    // The third's RSET is in the same write as its MAIL, RCPT and DATA.
    let writes: Vec<usize> = run
        .record
        .lines
        .iter()
        .filter(|l| l.text == "RSET" || l.text.starts_with("MAIL"))
        .map(|l| l.write)
        .collect();
    assert_eq!(writes.len(), 4, "{:?}", run.record.commands());
    assert_eq!(writes[2], writes[3], "{:?}", run.record.commands());
    // Nothing was sent for the refused one; the others' messages were.
    assert_eq!(run.record.messages(), [msg(1), msg(3)]);
}

#[test]
fn a_connection_lost_mid_stream_leaves_the_messages_sent_whole_unknown_never_sent() {
    // The server answers the first message, then is gone: the second and third went
    // out whole: their fate is unknown, an error at the end of data, never "sent".
    let offer = chunking_offer();
    let bdat = format!("BDAT {} LAST", msg(1).len());
    let (r1, r2, r3) = (rcpt("bob@example.org"), rcpt(CAROL), rcpt(DAVE));
    let steps = [
        ("EHLO client.test", offer.as_str()),
        MAIL,
        (r1.as_str(), OK),
        (bdat.as_str(), "250 2.0.0 queued as 1"),
        ("RSET", ""),
        (MAIL.0, ""),
        (r2.as_str(), ""),
        (bdat.as_str(), ""),
        ("RSET", ""),
        (MAIL.0, ""),
        (r3.as_str(), ""),
        (bdat.as_str(), ""),
    ];
    let run = stream(&steps, &["bob@example.org", CAROL, DAVE], true);
    let got = outcomes(&run);
    assert_eq!(got[0], (1, "sent 250".to_owned()));
    for (token, what) in &got[1..] {
        assert!(what.starts_with("EndOfData"), "{token}: {what}");
    }
    assert_eq!(got.len(), 3);
}

#[test]
fn a_421_in_the_middle_gives_back_the_messages_after_it() {
    // With DATA the third message's envelope is not sent before the second's data
    // went: a 421 to the second's MAIL leaves it and everything after undelivered.
    let (r1, r2) = (rcpt("bob@example.org"), rcpt(CAROL));
    let steps = [
        EHLO,
        MAIL,
        (r1.as_str(), OK),
        DATA,
        (".", "250 2.0.0 queued as 1"),
        (MAIL.0, "421 4.7.0 scripted.test closing: too busy"),
        (r2.as_str(), ""),
        (DATA.0, ""),
    ];
    let run = stream(&steps, &["bob@example.org", CAROL], false);
    assert_eq!(
        outcomes(&run),
        [(1, "sent 250".to_owned()), (2, "again".to_owned())]
    );
    assert_eq!(run.record.messages(), [msg(1)]);
}
