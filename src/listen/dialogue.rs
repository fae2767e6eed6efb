//! The server side of one SMTP dialogue (RFC 5321 §4.1, §4.3.2), over any reader and
//! writer: stdin/stdout for `sendmail -bs`, a socket for `posta serve`, a byte slice in
//! the tests. Every line is bounded, every command has a time limit (armed through
//! [`Timer`]), every transaction a most of recipients and bytes; each message is
//! handed to a [`Handler`] whose answer is the reply to the end of data.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::command::{self, Command, Mail, Rcpt};
use super::data::{DotReader, Stopped};
use super::reply::Answer;

/// What one connection may take.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The biggest message, in bytes (advertised as SIZE, RFC 1870).
    pub max_size: u64,
    /// Recipients in one transaction (RFC 5321 §4.5.3.1.8 asks for at least 100).
    pub max_recipients: usize,
    /// Time for each command line, and for the reply to be taken.
    pub command_time: Duration,
    /// Time for the whole of a message's data.
    pub data_time: Duration,
    /// Refused commands before the connection is closed (Postfix's
    /// smtpd_hard_error_limit): a client that only errs is not served for ever.
    pub max_errors: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            // What Postfix takes by default (message_size_limit).
            max_size: 50 * 1024 * 1024,
            max_recipients: 1000,
            // RFC 5321 §4.5.3.2.7: a server should wait 5 minutes for a command.
            command_time: Duration::from_secs(300),
            data_time: Duration::from_secs(600),
            max_errors: 100,
        }
    }
}

/// The longest command line read (RFC 5321 §4.5.3.1.4 says 512 octets, extensions
/// add to it); a longer one ends the connection.
pub const MAX_COMMAND: usize = 2048;

/// Sets the time limit for what is read and written next: a socket's deadline, nothing
/// for stdin (the parent process holds that pipe).
pub trait Timer {
    fn arm(&self, within: Duration);
}

/// No time limit.
pub struct NoTimer;

impl Timer for NoTimer {
    fn arm(&self, _: Duration) {}
}

/// Takes each message the client sends.
pub trait Handler {
    /// `data` is the message, read to its end by the dialogue if the handler did not.
    /// The answer is the reply to the end of data.
    fn message(&mut self, transaction: &Transaction, data: &mut dyn BufRead) -> Answer;
}

/// One MAIL, its RCPTs.
#[derive(Debug, Default)]
pub struct Transaction {
    pub mail: Mail,
    pub rcpts: Vec<Rcpt>,
}

/// The dialogue's setting.
pub struct Setup<'a> {
    /// The name in the greeting and in EHLO's reply.
    pub hostname: &'a str,
    pub limits: &'a Limits,
    pub timer: &'a dyn Timer,
    /// Set when the service stops: the next command gets 421.
    pub stop: &'a AtomicBool,
    /// Set while a message's data is read and handed on (then a stop waits for it).
    pub in_data: &'a AtomicBool,
}

/// How the dialogue ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Quit,
    /// The client closed the connection.
    Closed,
    /// The service is stopping: 421 was sent.
    Stopped,
    /// A command or the data took too long: 421 was sent, if the client still listened.
    TimedOut,
    /// A line longer than [`MAX_COMMAND`], or too many refused commands: the
    /// connection was closed with a reply that says so.
    Refused,
}

/// Speak SMTP with one client until it quits, goes away or the service stops.
pub fn converse<R: Read>(
    input: &mut BufReader<R>,
    output: &mut dyn Write,
    handler: &mut dyn Handler,
    setup: &Setup<'_>,
) -> io::Result<End> {
    let host = setup.hostname;
    let limits = setup.limits;
    setup.timer.arm(limits.command_time);
    Answer::new(220, "", format!("{host} ESMTP posta")).write_to(output)?;
    let mut transaction: Option<Transaction> = None;
    let mut errors = 0u32;
    let mut line = Vec::with_capacity(512);
    loop {
        // RFC 2920 §3.2: replies to pipelined commands may wait until the input runs dry.
        if input.buffer().is_empty() {
            output.flush()?;
        }
        if setup.stop.load(Ordering::SeqCst) {
            return say_stopping(output, host);
        }
        setup.timer.arm(limits.command_time);
        let read = read_line(input, &mut line, MAX_COMMAND);
        if setup.stop.load(Ordering::SeqCst) {
            return say_stopping(output, host);
        }
        match read {
            Ok(Line::Complete) => {}
            Ok(Line::Closed) => return Ok(End::Closed),
            Ok(Line::TooLong) => {
                let a = Answer::new(
                    500,
                    "5.5.2",
                    format!("line longer than {MAX_COMMAND} octets"),
                );
                a.write_to(output)?;
                output.flush()?;
                return Ok(End::Refused);
            }
            Err(e) if timed_out(&e) => return say_timed_out(output, host),
            Err(e) => return Err(e),
        }
        let answer = match std::str::from_utf8(&line) {
            Err(_) => Answer::new(500, "5.5.2", "a command must be text".into()),
            Ok(text) => {
                let utf8 = transaction.as_ref().is_some_and(|t| t.mail.smtputf8);
                match command::parse(text.trim_end_matches(['\r', '\n']), utf8) {
                    Err(a) => a,
                    Ok(Command::Quit) => {
                        Answer::new(221, "2.0.0", format!("{host} closing")).write_to(output)?;
                        output.flush()?;
                        return Ok(End::Quit);
                    }
                    Ok(Command::Data) => match transaction.take() {
                        None => Answer::new(503, "5.5.1", "MAIL first".into()),
                        Some(t) if t.rcpts.is_empty() => {
                            // RFC 2920 §3.1: every RCPT of a pipeline may have failed.
                            Answer::new(554, "5.5.1", "no valid recipients".into())
                        }
                        Some(t) => match data(input, output, handler, setup, &t)? {
                            Some(answer) => answer,
                            None => return say_timed_out(output, host),
                        },
                    },
                    Ok(c) => other(c, &mut transaction, setup),
                }
            }
        };
        if answer.code >= 400 {
            errors += 1;
        }
        answer.write_to(output)?;
        if errors >= limits.max_errors {
            let a = Answer::new(421, "4.7.0", format!("{host} too many errors, closing"));
            a.write_to(output)?;
            output.flush()?;
            return Ok(End::Refused);
        }
    }
}

/// The commands other than DATA and QUIT.
fn other(c: Command, transaction: &mut Option<Transaction>, setup: &Setup<'_>) -> Answer {
    let host = setup.hostname;
    let limits = setup.limits;
    match c {
        Command::Ehlo(_) => {
            *transaction = None;
            Answer {
                code: 250,
                enhanced: String::new(),
                lines: vec![
                    format!("{host} posta"),
                    "PIPELINING".into(),
                    format!("SIZE {}", limits.max_size),
                    "8BITMIME".into(),
                    "SMTPUTF8".into(),
                    "DSN".into(),
                    "ENHANCEDSTATUSCODES".into(),
                ],
            }
        }
        Command::Helo(_) => {
            *transaction = None;
            Answer::new(250, "", host.to_string())
        }
        Command::Mail(_) if transaction.is_some() => {
            Answer::new(503, "5.5.1", "MAIL already given; RSET first".into())
        }
        Command::Mail(mail) => match mail.size {
            Some(size) if size > limits.max_size => Answer::new(
                552,
                "5.3.4",
                format!("message larger than {} bytes", limits.max_size),
            ),
            _ => {
                *transaction = Some(Transaction {
                    mail,
                    rcpts: Vec::new(),
                });
                Answer::new(250, "2.1.0", "sender ok".into())
            }
        },
        Command::Rcpt(rcpt) => match transaction {
            None => Answer::new(503, "5.5.1", "MAIL first".into()),
            Some(t) if t.rcpts.len() >= limits.max_recipients => Answer::new(
                452,
                "4.5.3",
                format!("at most {} recipients a message", limits.max_recipients),
            ),
            Some(t) => {
                t.rcpts.push(rcpt);
                Answer::new(250, "2.1.5", "recipient ok".into())
            }
        },
        Command::Rset => {
            *transaction = None;
            Answer::new(250, "2.0.0", "ok".into())
        }
        Command::Noop => Answer::new(250, "2.0.0", "ok".into()),
        Command::Vrfy => Answer::new(
            252,
            "2.1.5",
            "cannot verify, but will take the message and try".into(),
        ),
        Command::Help => Answer::new(
            214,
            "2.0.0",
            "EHLO HELO MAIL RCPT DATA RSET NOOP VRFY QUIT".into(),
        ),
        Command::NotOffered(verb) => {
            Answer::new(502, "5.5.1", format!("{verb} is not offered here"))
        }
        Command::Data | Command::Quit => unreachable!("handled by the caller"),
    }
}

/// DATA: 354, the message to the handler, its answer. `None` when the client is gone
/// or too slow.
fn data<R: Read>(
    input: &mut BufReader<R>,
    output: &mut dyn Write,
    handler: &mut dyn Handler,
    setup: &Setup<'_>,
    transaction: &Transaction,
) -> io::Result<Option<Answer>> {
    Answer::new(354, "", "end data with <CR><LF>.<CR><LF>".into()).write_to(output)?;
    output.flush()?;
    setup.in_data.store(true, Ordering::SeqCst);
    setup.timer.arm(setup.limits.data_time);
    let mut dot = DotReader::new(input, setup.limits.max_size);
    let answer = handler.message(transaction, &mut dot);
    let drained = dot.drain();
    let stopped = dot.stopped();
    setup.in_data.store(false, Ordering::SeqCst);
    // The reply may take the time a command takes.
    setup.timer.arm(setup.limits.command_time);
    Ok(match (stopped, drained) {
        (Some(Stopped::Broken), _) | (_, Err(_)) => None,
        (Some(Stopped::TooBig), Ok(())) => Some(Answer::new(
            552,
            "5.3.4",
            format!("message larger than {} bytes", setup.limits.max_size),
        )),
        (None, Ok(())) => Some(answer),
    })
}

fn say_stopping(output: &mut dyn Write, host: &str) -> io::Result<End> {
    let a = Answer::new(421, "4.3.2", format!("{host} service shutting down"));
    // The client may be gone already; the dialogue is over either way.
    let _ = a.write_to(output).and_then(|()| output.flush());
    Ok(End::Stopped)
}

fn say_timed_out(output: &mut dyn Write, host: &str) -> io::Result<End> {
    let a = Answer::new(421, "4.4.2", format!("{host} timed out, closing"));
    let _ = a.write_to(output).and_then(|()| output.flush());
    Ok(End::TimedOut)
}

fn timed_out(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// What [`read_line`] read.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    Complete,
    Closed,
    /// Longer than the limit: what was read of it is dropped.
    TooLong,
}

/// One line (with its LF) into `buf`, at most `max` octets.
fn read_line(input: &mut dyn BufRead, buf: &mut Vec<u8>, max: usize) -> io::Result<Line> {
    buf.clear();
    loop {
        let avail = match input.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            // A last line without its ending is no command.
            return Ok(Line::Closed);
        }
        let room = max - buf.len();
        match avail.iter().take(room).position(|&b| b == b'\n') {
            Some(i) => {
                buf.extend_from_slice(&avail[..=i]);
                input.consume(i + 1);
                return Ok(Line::Complete);
            }
            None if avail.len() >= room => return Ok(Line::TooLong),
            None => {
                let n = avail.len();
                buf.extend_from_slice(avail);
                input.consume(n);
            }
        }
    }
}
