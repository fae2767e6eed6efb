//! One connection of a batch, in a thread of its own: it takes spooled messages from its
//! profile's channel, sends them over one SMTP session (opened on the first message) and
//! reports each outcome — and its transcript lines — back to the dispatcher, which alone
//! writes to the console. Messages are streamed (`ReusedSession::start`): the next one
//! goes out before the last one's replies are in, while more are waiting in the
//! channel; when none is, the connection reads what it is owed before it waits.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, TryRecvError};

use crate::envelope::Dsn;
use crate::message::raw::Spooled;
use crate::smtp::{Finished, Outcome, ReusedSession, Settings, SmtpError, Stage, Transcript};
use crate::submit::payload::SpooledPayload;

/// A message on its way to a connection.
pub struct Job {
    /// The message's name in reports (path, mbox#n, csv:row).
    pub name: String,
    pub spooled: Spooled,
    pub dsn: Dsn,
    /// The profile (lane) it was spooled for.
    pub lane: usize,
}

/// What a worker tells the dispatcher.
pub enum Event {
    /// Complete transcript lines, already labelled.
    Transcript(Vec<u8>),
    /// A message was tried.
    Done(Box<Done>),
    /// The worker ended (no more jobs, or a fatal error) after this many sessions.
    Closed { lane: usize, sessions: u32 },
    /// The worker's thread panicked (a bug), holding the messages named: their
    /// outcome is unknown. `Closed` follows.
    Lost { lane: usize, held: Vec<Held> },
}

/// The message a connection is working on: its name and recipient count.
pub struct Held {
    pub name: String,
    pub recipients: u64,
}

/// The outcome of one message; the job comes back (its spool space is reused).
pub struct Done {
    pub job: Job,
    pub result: Result<Outcome, SmtpError>,
    /// The session could not be (re)opened or logging in failed: this worker stops.
    pub fatal: bool,
}

/// Start one connection's thread.
pub fn spawn(
    name: String,
    lane: usize,
    settings: Settings,
    level: u8,
    label: Option<String>,
    jobs: Receiver<Job>,
    events: Sender<Event>,
) -> io::Result<JoinHandle<()>> {
    std::thread::Builder::new().name(name).spawn(move || {
        let mut held = Vec::new();
        // A panic must not leave the dispatcher waiting for this connection forever.
        let run = std::panic::AssertUnwindSafe(|| {
            run(lane, &settings, level, label, &jobs, &events, &mut held)
        });
        if std::panic::catch_unwind(run).is_err() {
            let _ = events.send(Event::Lost { lane, held });
            let _ = events.send(Event::Closed { lane, sessions: 0 });
        }
    })
}

fn run(
    lane: usize,
    settings: &Settings,
    level: u8,
    label: Option<String>,
    jobs: &Receiver<Job>,
    events: &Sender<Event>,
    held: &mut Vec<Held>,
) {
    let mut lines = LineWriter {
        events: events.clone(),
        label,
        pending: Vec::new(),
    };
    let mut transcript = Transcript {
        out: &mut lines,
        level,
    };
    let mut worker = Worker::new(settings.clone(), (level > 0).then_some(&mut transcript));
    // The dispatcher is gone only when it failed itself; nothing to report to then.
    let report = |dones: Vec<Done>| {
        let mut go_on = true;
        for done in dones {
            go_on &= !done.fatal;
            go_on &= events.send(Event::Done(Box::new(done))).is_ok();
        }
        go_on
    };
    loop {
        let job = match jobs.try_recv() {
            Ok(job) => job,
            Err(TryRecvError::Empty) => {
                // Nothing to send behind what is in flight: read its replies first.
                let dones = worker.flush();
                *held = worker.holding();
                if !report(dones) {
                    break;
                }
                match jobs.recv() {
                    Ok(job) => job,
                    Err(_) => break,
                }
            }
            Err(TryRecvError::Disconnected) => break,
        };
        held.push(Held {
            name: job.name.clone(),
            recipients: job.spooled.envelope.to.len() as u64,
        });
        let dones = worker.send(job);
        *held = worker.holding();
        if !report(dones) {
            break;
        }
    }
    let dones = worker.flush();
    *held = worker.holding();
    report(dones);
    let sessions = worker.close();
    let _ = events.send(Event::Closed { lane, sessions });
}

/// One connection: opened with its first message, kept for the next ones. In a thread
/// of its own (above), or called by the dispatcher itself when a batch has one
/// connection: handing each message to another thread and back costs more CPU than it
/// saves there (measured: 1.1 against 0.7 ms of CPU a message on a throttled 2-core VM).
pub struct Worker<'a, 'b> {
    settings: Settings,
    /// Taken by the first session.
    transcript: Option<&'a mut Transcript<'b>>,
    connection: Option<ReusedSession<'a>>,
    /// A first session that could not be opened counts as a connection tried.
    failed_first: bool,
    /// Messages sent whose outcome is not known yet, with their token and whether
    /// they were sent again already (once, after a connection that broke).
    in_flight: VecDeque<(u64, Job, bool)>,
    next_token: u64,
}

impl<'a, 'b> Worker<'a, 'b> {
    pub fn new(settings: Settings, transcript: Option<&'a mut Transcript<'b>>) -> Self {
        Worker {
            settings,
            transcript,
            connection: None,
            failed_first: false,
            in_flight: VecDeque::new(),
            next_token: 0,
        }
    }

    /// Send one message without waiting for the ones before it: the outcomes now
    /// known (of this message or earlier ones). When an outcome is `fatal`, this
    /// connection is finished.
    pub fn send(&mut self, job: Job) -> Vec<Done> {
        let token = self.next_token;
        self.next_token += 1;
        self.in_flight.push_back((token, job, false));
        self.push(token)
    }

    /// Wait for every message in flight: their outcomes.
    pub fn flush(&mut self) -> Vec<Done> {
        let known = match self.connection.as_mut() {
            Some(c) => c.flush(),
            None => Vec::new(),
        };
        self.resolve(known)
    }

    /// The messages whose outcome is not known yet.
    pub fn holding(&self) -> Vec<Held> {
        self.in_flight
            .iter()
            .map(|(_, job, _)| Held {
                name: job.name.clone(),
                recipients: job.spooled.envelope.to.len() as u64,
            })
            .collect()
    }

    fn push(&mut self, token: u64) -> Vec<Done> {
        let open = match self.connection.as_mut() {
            Some(c) => Ok(c),
            None => ReusedSession::open(&self.settings, self.transcript.take())
                .map(|c| self.connection.insert(c)),
        };
        self.failed_first = open.is_err();
        let at = self.in_flight.iter().position(|(t, _, _)| *t == token);
        let (_, job, _) = &mut self.in_flight[at.expect("the message is held")];
        let known = match open {
            Ok(c) => {
                let envelope = job.spooled.envelope.clone();
                let payload = &mut SpooledPayload(&mut job.spooled);
                c.start(token, &envelope, &job.dsn, payload)
            }
            Err(e) => vec![(token, Finished::Done(Err(e)))],
        };
        self.resolve(known)
    }

    /// Outcomes for the messages held; one given back unsent goes again, once.
    fn resolve(&mut self, known: Vec<(u64, Finished)>) -> Vec<Done> {
        let mut dones = Vec::new();
        for (token, finished) in known {
            let Some(at) = self.in_flight.iter().position(|(t, _, _)| *t == token) else {
                continue;
            };
            let result = match finished {
                Finished::Again(_) if !self.in_flight[at].2 => {
                    // Nothing of it was delivered: the connection ended first.
                    self.in_flight[at].2 = true;
                    dones.extend(self.push(token));
                    continue;
                }
                Finished::Again(e) => Err(e),
                Finished::Done(result) => result,
            };
            let (_, job, _) = self.in_flight.remove(at).expect("found above");
            let fatal = matches!(&result, Err(e) if is_session_failure(e));
            dones.push(Done { job, result, fatal });
        }
        dones
    }

    /// QUIT when a session is open (after [`Worker::flush`]); the number of sessions
    /// opened.
    pub fn close(self) -> u32 {
        match self.connection {
            Some(c) => {
                let n = c.sessions;
                c.close();
                n
            }
            None => u32::from(self.failed_first),
        }
    }
}

/// The connection could not be (re)opened, or logging in failed: no later message
/// would fare better on this connection.
fn is_session_failure(e: &SmtpError) -> bool {
    matches!(
        e.stage,
        Stage::Connect | Stage::Greeting | Stage::Ehlo | Stage::StartTls | Stage::Auth
    )
}

/// The transcript's writer: whole lines go to the dispatcher, each with the
/// connection's label when several connections run (else they could not be told apart).
struct LineWriter {
    events: Sender<Event>,
    label: Option<String>,
    pending: Vec<u8>,
}

impl Write for LineWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for &b in buf {
            if self.pending.is_empty()
                && let Some(label) = &self.label
            {
                self.pending.extend_from_slice(label.as_bytes());
            }
            self.pending.push(b);
            if b == b'\n' {
                self.flush()?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let line = std::mem::take(&mut self.pending);
            // Closed only when the dispatcher stopped; the lines have nowhere to go then.
            let _ = self.events.send(Event::Transcript(line));
        }
        Ok(())
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transcript_lines_are_whole_and_labelled() {
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut w = LineWriter {
            events: tx,
            label: Some("[a#2] ".into()),
            pending: Vec::new(),
        };
        w.write_all(b"C: EHLO x\r\nS: 250").unwrap();
        w.write_all(b"-ok\r\n").unwrap();
        drop(w);
        let lines: Vec<String> = rx
            .iter()
            .map(|e| match e {
                Event::Transcript(l) => String::from_utf8(l).unwrap(),
                _ => panic!("only transcript events"),
            })
            .collect();
        assert_eq!(lines, ["[a#2] C: EHLO x\r\n", "[a#2] S: 250-ok\r\n"]);
    }
}
