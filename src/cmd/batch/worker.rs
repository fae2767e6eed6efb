//! One connection of a batch, in a thread of its own: it takes spooled messages from its
//! profile's channel, sends them over one SMTP session (opened on the first message) and
//! reports each outcome — and its transcript lines — back to the dispatcher, which alone
//! writes to the console.

use std::io::{self, Write};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};

use crate::envelope::Dsn;
use crate::message::raw::Spooled;
use crate::smtp::{Outcome, ReusedSession, Settings, SmtpError, Stage, Transcript};
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
    /// The worker's thread panicked (a bug), holding the message named, if any: its
    /// outcome is unknown. `Closed` follows.
    Lost { lane: usize, held: Option<Held> },
}

/// The message a connection is working on: its name and recipient count.
pub struct Held {
    pub name: String,
    pub recipients: u64,
}

/// The outcome of one message; the job comes back (its spool file is reused).
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
        let mut held = None;
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
    held: &mut Option<Held>,
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
    for job in jobs.iter() {
        *held = Some(Held {
            name: job.name.clone(),
            recipients: job.spooled.envelope.to.len() as u64,
        });
        let done = worker.send(job);
        *held = None;
        let fatal = done.fatal;
        // The dispatcher is gone only when it failed itself; nothing to report to then.
        if events.send(Event::Done(Box::new(done))).is_err() || fatal {
            break;
        }
    }
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
}

impl<'a, 'b> Worker<'a, 'b> {
    pub fn new(settings: Settings, transcript: Option<&'a mut Transcript<'b>>) -> Self {
        Worker {
            settings,
            transcript,
            connection: None,
            failed_first: false,
        }
    }

    /// Send one message; when the outcome is `fatal`, this connection is finished.
    pub fn send(&mut self, mut job: Job) -> Done {
        let open = match self.connection.as_mut() {
            Some(c) => Ok(c),
            None => ReusedSession::open(&self.settings, self.transcript.take())
                .map(|c| self.connection.insert(c)),
        };
        self.failed_first = open.is_err();
        let (result, fatal) = match open {
            Ok(c) => {
                let envelope = job.spooled.envelope.clone();
                let result = c.send(&envelope, &job.dsn, &mut SpooledPayload(&mut job.spooled));
                let fatal = matches!(&result, Err(e) if is_session_failure(e));
                (result, fatal)
            }
            Err(e) => (Err(e), true),
        };
        Done { job, result, fatal }
    }

    /// QUIT when a session is open; the number of sessions opened.
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
