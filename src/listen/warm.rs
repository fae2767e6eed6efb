//! `posta serve`'s warm upstream sessions: after a message, the authenticated session
//! it went over waits, idle, for the next message through the same login (from this
//! client or another), which then costs MAIL/RCPT/DATA only, not connect + EHLO +
//! STARTTLS + EHLO + AUTH.
//!
//! One message per session at a time: a client's thread takes the session out of the
//! cache while its message goes and puts it back after, so concurrent clients open
//! their own. Each session lives in a thread of its own (see [`Upstream`]). A session goes back
//! only when its dialogue is in a known state: the message was accepted, or refused by
//! the server with RSET done ([`ReusedSession`] drops a session on a 421, a closed
//! connection or any reply out of step). A cached session the server dropped while
//! idle fails at MAIL, before any data: [`ReusedSession::send`] reconnects and sends
//! the message then, so nothing is lost or sent twice.

use std::io::{self, Write};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::envelope::{Dsn, Envelope};
use crate::model::{Protocol, Security};
use crate::smtp::{Outcome, Payload, ReusedSession, Settings, SmtpError, SmtpErrorKind, Stage};

/// How long an idle session waits for the next message. Postfix keeps its own cached
/// connections 2 s (`smtp_connection_cache_time_limit`), tuned for a relay's bursts to
/// many destinations; posta serves one submission server per account, for
/// applications whose messages come seconds apart (a web request, a cron job's
/// loop), and servers keep an idle client far longer (Postfix `smtpd_timeout` 300 s,
/// RFC 5321 §4.5.3.2.7 asks for at least 5 minutes). 10 s catches those bursts and
/// holds a server's connection slot briefly.
pub const IDLE_TIME: Duration = Duration::from_secs(10);

/// A session's thread waits this much longer than the cache keeps it: the cache lets
/// it go first, so a session handed out is one whose thread still waits for it.
const THREAD_MARGIN: Duration = Duration::from_secs(5);

/// At most this many idle sessions (one per login): a service used for many accounts
/// keeps the most recent ones, and closes the oldest.
pub const MAX_IDLE: usize = 4;

/// Whose session it is: the same server, reached the same way, logged in as the same
/// user. Sessions are never shared between different logins.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    host: String,
    port: u16,
    security: Security,
    protocol: Protocol,
    proxy: Option<(String, u16, Option<String>)>,
    user: Option<String>,
}

impl Key {
    fn of(settings: &Settings) -> Key {
        Key {
            host: settings.host.clone(),
            port: settings.port,
            security: settings.security,
            protocol: settings.protocol,
            proxy: (settings.proxy.as_ref()).map(|p| (p.host.clone(), p.port, p.user.clone())),
            user: (settings.credentials.as_ref()).map(|c| c.user.clone()),
        }
    }
}

struct Idle {
    key: Key,
    session: Upstream,
    since: Instant,
}

/// A session's thread, as the cache holds it. A [`ReusedSession`] holds its
/// transcript's `&mut dyn Write`, which is not `Send`: the session stays in the thread
/// that opened it, and the client whose message it carries hands it the envelope and
/// streams the message to it in chunks.
struct Upstream {
    jobs: Sender<Job>,
    thread: JoinHandle<()>,
}

impl Upstream {
    /// QUIT (the thread's, when it sees no more jobs can come), and wait for it.
    fn close(self) {
        drop(self.jobs);
        let _ = self.thread.join();
    }

    /// QUIT, without waiting: the service's accept loop must not wait on a server.
    fn let_go(self) {
        drop(self.jobs);
    }
}

/// One message for a session's thread.
struct Job {
    envelope: Envelope,
    dsn: Dsn,
    size: Option<u64>,
    eight_bit: bool,
    back: Sender<Back>,
}

/// What a session's thread asks of the client whose message it sends.
enum Back {
    /// Write the message (again, after a reconnection) in chunks here; the end is the
    /// sender dropped.
    Write(SyncSender<io::Result<Vec<u8>>>),
    /// What became of it, and whether the session can carry another message.
    Done(Result<Outcome, SmtpError>, bool),
}

/// The idle sessions, shared by the service's client threads.
#[derive(Default)]
pub struct Warm {
    idle: Mutex<Vec<Idle>>,
}

impl Warm {
    /// Send one message through `settings`' server, over an idle session of the same
    /// login when there is one, else a new one; the session waits for the next message
    /// afterwards if it can carry one.
    pub fn send(
        &self,
        settings: &Settings,
        envelope: &Envelope,
        dsn: &Dsn,
        payload: &mut dyn Payload,
    ) -> Result<Outcome, SmtpError> {
        self.expire();
        let key = Key::of(settings);
        // A session whose thread ended before it took the message (its idle time ran
        // out as it was handed over): once more on a new one. Nothing of the message
        // had gone to the server then.
        let mut cached = self.take(&key);
        loop {
            let (back, answers) = mpsc::channel();
            let job = Job {
                envelope: envelope.clone(),
                dsn: dsn.clone(),
                size: payload.size_hint(),
                eight_bit: payload.is_8bit(),
                back,
            };
            let was_cached = cached.is_some();
            let upstream = match cached.take() {
                Some(up) => match up.jobs.send(job) {
                    Ok(()) => up,
                    Err(mpsc::SendError(job)) => spawn(settings, job)?,
                },
                None => spawn(settings, job)?,
            };
            let mut wrote = false;
            let ended = loop {
                match answers.recv() {
                    Ok(Back::Write(chunks)) => {
                        wrote = true;
                        write_in_chunks(payload, chunks);
                    }
                    Ok(Back::Done(result, reusable)) => {
                        if reusable {
                            self.put(key, upstream);
                        } else {
                            upstream.let_go();
                        }
                        return result;
                    }
                    Err(_) => break upstream,
                }
            };
            ended.let_go();
            if !was_cached || wrote {
                return Err(SmtpError::new(
                    Stage::Connect,
                    SmtpErrorKind::Io(io::Error::other("the upstream session ended")),
                ));
            }
        }
    }

    fn take(&self, key: &Key) -> Option<Upstream> {
        let mut idle = self.idle.lock().ok()?;
        let now = Instant::now();
        let at = idle
            .iter()
            .position(|i| i.key == *key && now.duration_since(i.since) < IDLE_TIME)?;
        Some(idle.swap_remove(at).session)
    }

    fn put(&self, key: Key, session: Upstream) {
        let oldest = {
            let Ok(mut idle) = self.idle.lock() else {
                return session.close();
            };
            // Another client's session of the same login went back first: one is enough.
            let replaced = idle.iter().position(|i| i.key == key);
            let out = match replaced {
                Some(at) => Some(idle.swap_remove(at)),
                None if idle.len() >= MAX_IDLE => idle
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, i)| i.since)
                    .map(|(at, _)| at)
                    .map(|at| idle.swap_remove(at)),
                None => None,
            };
            idle.push(Idle {
                key,
                session,
                since: Instant::now(),
            });
            out
        };
        // QUIT outside the lock, without waiting: the client waits for its reply.
        if let Some(o) = oldest {
            o.session.let_go();
        }
    }

    /// QUIT the sessions idle for [`IDLE_TIME`] or more (the service calls this twice a
    /// second, and before each message).
    pub fn expire(&self) {
        let expired: Vec<Idle> = match self.idle.lock() {
            Ok(mut idle) => {
                let now = Instant::now();
                let (old, fresh) = std::mem::take(&mut *idle)
                    .into_iter()
                    .partition(|i| now.duration_since(i.since) >= IDLE_TIME);
                *idle = fresh;
                old
            }
            Err(_) => return,
        };
        for i in expired {
            i.session.let_go();
        }
    }

    /// QUIT every idle session: the service stops.
    pub fn close_all(&self) {
        let all = match self.idle.lock() {
            Ok(mut idle) => std::mem::take(&mut *idle),
            Err(_) => return,
        };
        for i in all {
            i.session.close();
        }
    }
}

/// Start a session's thread with its first job.
fn spawn(settings: &Settings, job: Job) -> Result<Upstream, SmtpError> {
    let (jobs, taken) = mpsc::channel();
    let settings = settings.clone();
    let _ = jobs.send(job);
    let thread = std::thread::Builder::new()
        .name("upstream".into())
        .spawn(move || carry(&settings, &taken))
        .map_err(|e| SmtpError::new(Stage::Connect, SmtpErrorKind::Io(e)))?;
    Ok(Upstream { jobs, thread })
}

/// A session's thread: open it, send each job's message, QUIT when no job comes within
/// [`IDLE_TIME`] (the cache let it go) or the session cannot go on.
fn carry(settings: &Settings, jobs: &Receiver<Job>) {
    let Ok(mut job) = jobs.recv() else { return };
    let mut session = match ReusedSession::open(settings, None) {
        Ok(s) => s,
        Err(e) => {
            let _ = job.back.send(Back::Done(Err(e), false));
            return;
        }
    };
    loop {
        let mut remote = Remote {
            back: &job.back,
            size: job.size,
            eight_bit: job.eight_bit,
        };
        let result = session.send(&job.envelope, &job.dsn, &mut remote);
        let reusable = reusable(&result) && session.is_open();
        let _ = job.back.send(Back::Done(result, reusable));
        if !reusable {
            break;
        }
        match jobs.recv_timeout(IDLE_TIME + THREAD_MARGIN) {
            Ok(next) => job = next,
            Err(_) => break,
        }
    }
    session.close();
}

/// Whether the session can carry another message after this result: accepted, or the
/// server's refusal of this message with the dialogue reset (RSET).
fn reusable(result: &Result<Outcome, SmtpError>) -> bool {
    match result {
        Ok(_) => true,
        Err(e) => {
            matches!(
                e.kind,
                SmtpErrorKind::Rejected(_) | SmtpErrorKind::RecipientsRefused { .. }
            ) && e.reply().is_none_or(|r| r.code != 421)
        }
    }
}

/// The message as the session's thread sees it: asked of the client's thread.
struct Remote<'b> {
    back: &'b Sender<Back>,
    size: Option<u64>,
    eight_bit: bool,
}

impl Payload for Remote<'_> {
    fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        // Two chunks in flight: the client reads ahead while the server takes one.
        let (chunks, received) = mpsc::sync_channel(2);
        self.back
            .send(Back::Write(chunks))
            .map_err(|_| io::Error::other("the client went away"))?;
        for chunk in received {
            out.write_all(&chunk?)?;
        }
        Ok(())
    }

    fn size_hint(&self) -> Option<u64> {
        self.size
    }

    fn is_8bit(&self) -> bool {
        self.eight_bit
    }
}

/// The client's side of [`Remote::write_to`]: the payload in chunks of [`CHUNK`].
fn write_in_chunks(payload: &mut dyn Payload, chunks: SyncSender<io::Result<Vec<u8>>>) {
    let mut w = Chunks {
        chunks: &chunks,
        buf: Vec::with_capacity(CHUNK),
    };
    let written = payload.write_to(&mut w).and_then(|()| w.flush());
    if let Err(e) = written {
        // The session's thread stops the message there (or already has).
        let _ = chunks.send(Err(e));
    }
}

/// 64 KiB: the size of a TLS record's worth of writes, few hand-offs per message.
const CHUNK: usize = 64 * 1024;

struct Chunks<'c> {
    chunks: &'c SyncSender<io::Result<Vec<u8>>>,
    buf: Vec<u8>,
}

impl Write for Chunks<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.chunks
            .send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the session stopped reading"))
    }
}
