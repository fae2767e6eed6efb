//! The dialogue driven without a socket: a client's bytes in, posta's replies out, a
//! handler that records what it was given.

use std::io::{BufRead, BufReader, Read};
use std::sync::atomic::AtomicBool;

use super::*;

/// Records each message and answers with `answers` in turn (250 when they run out).
#[derive(Default)]
struct Recorder {
    got: Vec<(String, Vec<String>, Vec<u8>)>,
    answers: Vec<Answer>,
    /// Read only this many bytes of the message (the rest is the dialogue's to drop).
    read_only: Option<usize>,
}

impl Handler for Recorder {
    fn message(&mut self, t: &Transaction, data: &mut dyn BufRead) -> Answer {
        let mut bytes = Vec::new();
        let read = match self.read_only {
            Some(n) => data.take(n as u64).read_to_end(&mut bytes),
            None => data.read_to_end(&mut bytes),
        };
        if read.is_err() {
            return Answer::new(554, "5.6.0", "unreadable".into());
        }
        let rcpts = t.rcpts.iter().map(|r| r.to.clone()).collect();
        self.got.push((t.mail.from.clone(), rcpts, bytes));
        if self.answers.is_empty() {
            Answer::new(250, "2.0.0", "taken".into())
        } else {
            self.answers.remove(0)
        }
    }
}

fn run_with(input: &[u8], handler: &mut Recorder, limits: &Limits) -> (String, End) {
    let stop = AtomicBool::new(false);
    let in_data = AtomicBool::new(false);
    let setup = Setup {
        hostname: "test.host",
        limits,
        timer: &NoTimer,
        stop: &stop,
        in_data: &in_data,
    };
    let mut reader = BufReader::with_capacity(16, input);
    let mut out = Vec::new();
    let end = converse(&mut reader, &mut out, handler, &setup).unwrap();
    (String::from_utf8(out).unwrap(), end)
}

fn run(input: &[u8], handler: &mut Recorder) -> (String, End) {
    run_with(input, handler, &Limits::default())
}

/// The codes of the replies, in order (a reply of several lines counts once).
fn codes(out: &str) -> Vec<u16> {
    out.lines()
        .filter(|l| l.as_bytes().get(3) == Some(&b' '))
        .map(|l| l[..3].parse().unwrap())
        .collect()
}

#[test]
fn a_pipelined_transaction_goes_to_the_handler_and_gets_its_answer() {
    let mut h = Recorder {
        answers: vec![Answer::new(
            250,
            "2.0.0",
            "sent <id> via s: 250 queued as ABC".into(),
        )],
        ..Recorder::default()
    };
    let input = b"EHLO client\r\nMAIL FROM:<a@x.org> SIZE=30\r\nRCPT TO:<b@x.org>\r\nRCPT TO:<c@x.org> NOTIFY=NEVER\r\nDATA\r\nSubject: hi\r\n\r\n..dot\r\n.\r\nQUIT\r\n";
    let (out, end) = run(input, &mut h);
    assert_eq!(end, End::Quit);
    assert_eq!(codes(&out), [220, 250, 250, 250, 250, 354, 250, 221]);
    assert!(
        out.contains("250-PIPELINING\r\n") && out.contains("250-SIZE "),
        "{out}"
    );
    assert!(out.contains("250 2.0.0 sent <id> via s: 250 queued as ABC\r\n"));
    assert_eq!(h.got.len(), 1);
    let (from, rcpts, bytes) = &h.got[0];
    assert_eq!(from, "a@x.org");
    assert_eq!(rcpts, &["b@x.org", "c@x.org"]);
    assert_eq!(bytes, b"Subject: hi\r\n\r\n.dot\r\n");
}

#[test]
fn a_refused_message_does_not_end_the_dialogue() {
    let mut h = Recorder {
        answers: vec![Answer::new(550, "5.1.1", "<b@x.org>: no such user".into())],
        ..Recorder::default()
    };
    let one = "MAIL FROM:<a@x.org>\r\nRCPT TO:<b@x.org>\r\nDATA\r\nx\r\n.\r\n";
    let input = format!("HELO c\r\n{one}{one}QUIT\r\n");
    let (out, _) = run(input.as_bytes(), &mut h);
    assert_eq!(
        codes(&out),
        [220, 250, 250, 250, 354, 550, 250, 250, 354, 250, 221]
    );
    assert!(
        out.contains("550 5.1.1 <b@x.org>: no such user\r\n"),
        "{out}"
    );
    assert_eq!(h.got.len(), 2);
}

#[test]
fn commands_out_of_order_are_refused() {
    let mut h = Recorder::default();
    let input = b"RCPT TO:<b@x.org>\r\nDATA\r\nMAIL FROM:<a@x.org>\r\nMAIL FROM:<a@x.org>\r\nDATA\r\nRSET\r\nVRFY root\r\nNOOP\r\nEXPN x\r\nQUIT\r\n";
    let (out, _) = run(input, &mut h);
    assert_eq!(
        codes(&out),
        [220, 503, 503, 250, 503, 554, 250, 252, 250, 502, 221]
    );
    assert!(h.got.is_empty());
}

#[test]
fn recipients_and_size_are_bounded() {
    let limits = Limits {
        max_recipients: 3,
        max_size: 100,
        ..Limits::default()
    };
    let mut input = b"MAIL FROM:<a@x.org> SIZE=101\r\nMAIL FROM:<a@x.org>\r\n".to_vec();
    for i in 0..5 {
        input.extend(format!("RCPT TO:<r{i}@x.org>\r\n").as_bytes());
    }
    input.extend(b"DATA\r\n");
    for _ in 0..20 {
        input.extend(b"0123456789\r\n");
    }
    input.extend(b".\r\nNOOP\r\n");
    let mut h = Recorder::default();
    let (out, end) = run_with(&input, &mut h, &limits);
    assert_eq!(
        codes(&out),
        [220, 552, 250, 250, 250, 250, 452, 452, 354, 552, 250]
    );
    assert_eq!(end, End::Closed);
    assert!(h.got.is_empty(), "an oversized message is not handed on");
}

#[test]
fn an_endless_line_ends_the_connection_and_so_do_many_errors() {
    let mut input = b"NOOP\r\n".to_vec();
    input.extend(vec![b'x'; 100_000]);
    let (out, end) = run(&input, &mut Recorder::default());
    assert_eq!(end, End::Refused);
    assert_eq!(codes(&out), [220, 250, 500]);

    let limits = Limits {
        max_errors: 3,
        ..Limits::default()
    };
    let input = b"BOGUS\r\nBOGUS\r\nBOGUS\r\nBOGUS\r\nNOOP\r\n";
    let (out, end) = run_with(input, &mut Recorder::default(), &limits);
    assert_eq!(end, End::Refused);
    assert_eq!(codes(&out), [220, 500, 500, 500, 421]);
}

#[test]
fn a_handler_that_stops_reading_leaves_the_dialogue_in_step() {
    let mut h = Recorder {
        read_only: Some(3),
        ..Recorder::default()
    };
    let input = b"MAIL FROM:<a@x.org>\r\nRCPT TO:<b@x.org>\r\nDATA\r\nline one\r\nline two\r\n.\r\nNOOP\r\nQUIT\r\n";
    let (out, end) = run(input, &mut h);
    assert_eq!(codes(&out), [220, 250, 250, 354, 250, 250, 221]);
    assert_eq!(end, End::Quit);
}

#[test]
fn a_client_gone_in_the_data_gets_no_answer_and_nothing_is_handed_on() {
    let mut h = Recorder::default();
    let input = b"MAIL FROM:<a@x.org>\r\nRCPT TO:<b@x.org>\r\nDATA\r\nSubject: half";
    let (out, end) = run(input, &mut h);
    assert_eq!(end, End::TimedOut);
    assert_eq!(codes(&out), [220, 250, 250, 354, 421]);
    // The handler did read what came; its answer was never given.
    assert!(!out.contains("250 2.0.0 taken"));
}

#[test]
fn a_stop_is_answered_with_421() {
    let stop = AtomicBool::new(true);
    let in_data = AtomicBool::new(false);
    let limits = Limits::default();
    let setup = Setup {
        hostname: "h",
        limits: &limits,
        timer: &NoTimer,
        stop: &stop,
        in_data: &in_data,
    };
    let mut reader = BufReader::new(&b"NOOP\r\n"[..]);
    let mut out = Vec::new();
    let end = converse(&mut reader, &mut out, &mut Recorder::default(), &setup).unwrap();
    assert_eq!(end, End::Stopped);
    assert!(
        String::from_utf8(out)
            .unwrap()
            .ends_with("421 4.3.2 h service shutting down\r\n")
    );
}
