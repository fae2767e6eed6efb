//! `posta batch`: many finished messages (a directory of .eml files, a Maildir, an
//! mbox, or a mail merge) each read like `sendmail -t`, sent over one connection or a
//! few (`--connections N`), through one profile or several in turn (`-p a,b,c`) within
//! each profile's daily cap. A refused message does not stop the others; every message
//! gets a result, and the command a summary.
//!
//! The shape: this thread (the dispatcher) reads and spools each message and hands it
//! to a profile's connection threads ([`worker`]) through a channel one message deep,
//! so the next message is read while the last is on the wire. Workers report back
//! through one channel; only the dispatcher writes to the console. With one profile
//! and one connection (the default) no thread is started: the dispatcher sends each
//! message itself, which costs less CPU than two threads taking turns.

mod lanes;
mod source;
mod worker;

use std::cell::RefCell;
use std::fs::File;
use std::io::{BufRead, Write};
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::Context;
use crossbeam_channel::{Receiver, Select, Sender};
use serde_json::json;

use super::{Console, Report, failure_json};
use crate::cli::{BatchArgs, GlobalArgs, QueuePolicy};
use crate::config;
use crate::envelope::Dsn;
use crate::exit::{self, Code, fail};
use crate::message::raw::{self, HeaderBlock, RawOptions, Spooled};
use crate::pace::Pacer;
use crate::progress;
use crate::smtp::{Outcome, SmtpError, Transcript};
use crate::usage::Ledger;
use lanes::{Lane, Lanes, Stopped};
use worker::{Event, Job, Worker};

/// A writer shared by the dispatcher and the transcript of the session it runs.
#[derive(Clone)]
struct Shared<'a>(Rc<RefCell<&'a mut dyn Write>>);

impl Write for Shared<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

pub fn run(
    global: &GlobalArgs,
    args: BatchArgs,
    console: &mut Console<'_>,
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let sources = source::list(&args.sources)?;
    // A merge is checked (template, columns) before anything is sent.
    let merge = match (&args.template, &args.data) {
        (Some(template), Some(data)) => Some(source::Merge::open(template, data)?),
        _ => None,
    };
    let profiles = profile_names(global)?;
    let total = if merge.is_some() {
        None
    } else {
        source::count(&sources)
    };
    let console_is_terminal = console.stderr_is_terminal;
    let (events_tx, events_rx) = crossbeam_channel::bounded(256);
    // stderr is written by the dispatcher and, with one connection, by the transcript
    // of the session it runs itself: never both at once.
    let err = Shared(Rc::new(RefCell::new(&mut *console.err)));
    let mut transcript_out = err.clone();
    let mut transcript = Transcript {
        out: &mut transcript_out,
        level: global.verbose,
    };
    let mut batch = Dispatcher {
        global,
        args: &args,
        out: &mut *console.out,
        err,
        transcript: (global.verbose > 0).then_some(&mut transcript),
        inline: None,
        profiles,
        lanes: None,
        events_tx: Some(events_tx),
        events: events_rx,
        pacer: args.rate.map(Pacer::new),
        pool: Vec::new(),
        tally: Tally::default(),
        capped_said: false,
        progress: progress::Switch::decide(
            console_is_terminal,
            global.quiet,
            global.json,
            global.verbose,
        )
        .count(total),
        retry: Vec::new(),
    };
    let walked = match merge {
        Some(merge) => merge.walk(&mut |name, input| batch.one(name, input)),
        None => source::walk(&sources, &mut |name, input| batch.one(name, input)),
    };
    let finished = batch.finish();
    let report = batch.summary(started.elapsed());
    // The summary takes the bar's place.
    batch.progress.finish();
    walked?;
    finished?;
    Ok(report)
}

/// The profiles of `-p a,b,c`, in order; one `None` (the default profile, or none)
/// without `-p`.
fn profile_names(global: &GlobalArgs) -> anyhow::Result<Vec<Option<String>>> {
    let Some(list) = &global.profile else {
        return Ok(vec![None]);
    };
    let mut names: Vec<Option<String>> = Vec::new();
    for name in list.split(',').map(str::trim) {
        if name.is_empty() {
            return Err(fail(
                Code::Usage,
                format!("-p {list:?}: an empty profile name; write -p a,b,c"),
            ));
        }
        if names.iter().flatten().any(|n| n == name) {
            return Err(fail(
                Code::Usage,
                format!("-p {list:?}: profile {name} is named twice"),
            ));
        }
        names.push(Some(name.to_string()));
    }
    Ok(names)
}

#[derive(Default)]
struct Tally {
    sent: u64,
    failed: u64,
    queued: u64,
    /// Not sent because every profile reached its daily cap (and not queued).
    capped: u64,
    /// Not sent because every profile had stopped (and not queued).
    unsent: u64,
    /// The exit code of the first failure.
    first_code: Option<Code>,
    /// Why the batch stopped before the end, if it did.
    stopped: Option<String>,
}

/// Why a message handed to a connection was not sent.
enum Unsent {
    /// The server refused it or the session failed while sending it.
    Smtp(SmtpError),
    /// Its profile's connections all stopped before it was tried.
    Stopped(anyhow::Error, Stopped),
}

/// Why a message goes into the queue.
enum Queueing {
    /// A temporary failure of the transport; retried by the queue's schedule.
    After(SmtpError),
    /// Not tried (a daily limit, a profile stopped): the reason, and not before when.
    Until(String, i64),
}

/// Where a message can go now.
enum Pick {
    Lane(usize),
    /// Every profile that takes this many recipients reached its daily cap.
    Full,
    /// No profile takes this many recipients in one message.
    TooMany,
    /// Every profile stopped (connection or login failure).
    NoneAlive,
}

struct Dispatcher<'a, 't, 'x> {
    global: &'a GlobalArgs,
    args: &'a BatchArgs,
    out: &'a mut dyn Write,
    err: Shared<'a>,
    /// The transcript, for the session this thread runs itself (one connection).
    transcript: Option<&'t mut Transcript<'x>>,
    /// That session: with one profile and one connection, no thread is started.
    inline: Option<Worker<'t, 'x>>,
    profiles: Vec<Option<String>>,
    /// Opened with the first message (its From may choose the account).
    lanes: Option<Lanes>,
    /// Dropped once the workers are started, so that the channel closes with them.
    events_tx: Option<Sender<Event>>,
    events: Receiver<Event>,
    pacer: Option<Pacer>,
    /// Spool files of messages already sent, for the next ones.
    pool: Vec<File>,
    tally: Tally,
    /// The "every cap reached" line was written to stderr (once is enough).
    capped_said: bool,
    /// Counts and rate on a terminal (hidden otherwise, and with -q, -v or --json).
    progress: progress::Count,
    /// Messages a connection gave back unsent because it could not open.
    retry: Vec<Job>,
}

impl Dispatcher<'_, '_, '_> {
    /// Take one message; false when the batch must stop.
    fn one(&mut self, name: &str, input: anyhow::Result<&mut dyn BufRead>) -> anyhow::Result<bool> {
        if let Some(p) = &mut self.pacer {
            p.wait();
        }
        self.drain()?;
        self.send_retries()?;
        let reader = match input {
            Ok(r) => r,
            Err(e) => {
                self.failed(name, &e)?;
                return Ok(true);
            }
        };
        let block = match raw::read_header_block(reader) {
            Ok(b) => b,
            Err(e) => {
                self.failed(name, &e.into())?;
                return Ok(true);
            }
        };
        if self.lanes.is_none() {
            self.open_lanes(&block)?;
        }
        let need = match block.recipients(&self.options(None)) {
            Ok(r) => r.len() as u64,
            Err(e) => {
                self.failed(name, &e.into())?;
                return Ok(true);
            }
        };
        match self.pick(need)? {
            Pick::Lane(i) => {
                let file = self.spool_file()?;
                match block.spool_reusing(reader, &self.options(Some(i)), file) {
                    Ok(spooled) => {
                        let dsn = Dsn::default().with_default_envid(&spooled.message_id);
                        let lanes = self.lanes.as_mut().expect("opened above");
                        let lane = &mut lanes.lanes[i];
                        lane.reserve(need);
                        lane.in_flight += 1;
                        lane.started();
                        let job = Job {
                            name: name.to_string(),
                            spooled,
                            dsn,
                            lane: i,
                        };
                        if let Some(worker) = &mut self.inline {
                            let done = worker.send(job);
                            self.handle(Event::Done(Box::new(done)))?;
                        } else {
                            // Never blocks: the lane had room, and only this thread sends.
                            let sender = lane.jobs.as_ref().expect("picked lanes are alive");
                            if sender.send(job).is_err() {
                                unreachable!("the lane keeps a receiver of its own");
                            }
                        }
                    }
                    Err(e) => self.failed(name, &e.into())?,
                }
                Ok(true)
            }
            Pick::Full => {
                self.capped(name, block, reader, need)?;
                Ok(true)
            }
            Pick::TooMany => {
                let limits: Vec<String> = self
                    .lanes()
                    .iter()
                    .filter(|l| l.is_alive())
                    .filter_map(Lane::per_message_words)
                    .collect();
                let e = fail(
                    Code::DataErr,
                    format!(
                        "{need} recipients: more than the provider takes in one message ({}); split the message",
                        limits.join(", ")
                    ),
                );
                self.failed(name, &e)?;
                Ok(true)
            }
            Pick::NoneAlive => {
                // Every source still gets its outcome: queued or not sent.
                self.none_alive(name, block, reader)?;
                Ok(true)
            }
        }
    }

    fn lanes(&self) -> &[Lane] {
        self.lanes.as_ref().map(|l| &l.lanes[..]).unwrap_or(&[])
    }

    /// How the message is read for lane `lane` (its From is the default From).
    fn options(&self, lane: Option<usize>) -> RawOptions {
        RawOptions {
            extract_recipients: true,
            envelope_from: self.args.envelope_from.clone(),
            full_name: None,
            default_from: lane.and_then(|i| self.lanes()[i].account.from.clone()),
            recipients: Vec::new(),
        }
    }

    fn spool_file(&mut self) -> anyhow::Result<File> {
        match self.pool.pop() {
            Some(f) => Ok(f),
            None => tempfile::tempfile().context("cannot create a spool file"),
        }
    }

    /// Resolve every profile, fetch its secret, and start its connections (each opens
    /// its session when its first message comes).
    fn open_lanes(&mut self, first: &HeaderBlock) -> anyhow::Result<()> {
        let hint = self
            .args
            .envelope_from
            .clone()
            .or_else(|| first.from_address());
        let mut accounts = Vec::new();
        let mut left_out = Vec::new();
        for profile in &self.profiles.clone() {
            let mut global = self.global.clone();
            global.profile = profile.clone();
            let mut account =
                config::resolve(&global.request(&self.args.connection, hint.as_deref()))?;
            let login = account.from.clone().or_else(|| hint.clone());
            // A profile whose secret cannot be had (a password command that failed or
            // timed out) drops out as one whose login fails would: the others carry on.
            match account.load_credentials(login.as_deref()) {
                Ok(()) => accounts.push(account),
                Err(e) if self.profiles.len() > 1 => {
                    self.say(&format!(
                        "posta: warning: profile {} left out: {e}",
                        profile.as_deref().unwrap_or("(default)")
                    ))?;
                    left_out.push(e);
                }
                Err(e) => return Err(e.into()),
            }
        }
        if accounts.is_empty()
            && let Some(first) = left_out.into_iter().next()
        {
            return Err(first.into());
        }
        let ledger = accounts
            .iter()
            .any(|a| a.daily_limit.is_some())
            .then(Ledger::default_location)
            .flatten();
        let connections = usize::from(self.args.connections.max(1));
        let label = accounts.len() * connections > 1;
        let events = self.events_tx.take().expect("lanes are opened once");
        let mut lanes = Vec::new();
        for (i, account) in accounts.into_iter().enumerate() {
            let name = account
                .profile
                .clone()
                .unwrap_or_else(|| account.settings.server());
            let (jobs_tx, jobs_rx) = crossbeam_channel::bounded(1);
            let mut lane = Lane::new(account, name, jobs_tx, jobs_rx.clone(), ledger.as_ref())
                .context("cannot read the usage ledger")?;
            if !label {
                // One profile, one connection: this thread sends (see `Worker`).
                lane.jobs = None;
                lane.inline = true;
                let settings = lane.account.settings.clone();
                self.inline = Some(Worker::new(settings, self.transcript.take()));
                lanes.push(lane);
                continue;
            }
            for k in 1..=connections {
                let handle = worker::spawn(
                    format!("posta-batch-{i}-{k}"),
                    i,
                    lane.account.settings.clone(),
                    self.global.verbose,
                    label.then(|| format!("[{}#{k}] ", lane.name)),
                    jobs_rx.clone(),
                    events.clone(),
                )
                .context("cannot start a connection thread")?;
                lane.workers.push(handle);
                lane.running += 1;
            }
            lanes.push(lane);
        }
        self.lanes = Some(Lanes::new(lanes, ledger));
        Ok(())
    }

    /// Wait until a profile that can take `need` recipients has a free connection,
    /// handling what the workers report meanwhile.
    fn pick(&mut self, need: u64) -> anyhow::Result<Pick> {
        loop {
            // A message given back holds room and counts as in flight: place it first.
            self.send_retries()?;
            let lanes = self.lanes();
            let alive: Vec<usize> = (0..lanes.len()).filter(|&i| lanes[i].is_alive()).collect();
            if alive.is_empty() {
                return Ok(Pick::NoneAlive);
            }
            let takes: Vec<usize> = alive
                .into_iter()
                .filter(|&i| lanes[i].takes_in_one_message(need))
                .collect();
            if takes.is_empty() {
                return Ok(Pick::TooMany);
            }
            let eligible: Vec<usize> = takes
                .iter()
                .copied()
                .filter(|&i| lanes[i].has_room_for(need))
                .collect();
            if eligible.is_empty() {
                // Messages on their way may yet fail and give their room back.
                if self.tally_in_flight() == 0 {
                    return Ok(Pick::Full);
                }
                let event = self.events.recv().context("the connections stopped")?;
                self.handle(event)?;
                continue;
            }
            // A profile's own pace (its `rate`, e.g. Microsoft 365's 30 a minute).
            let now = std::time::Instant::now();
            let (eligible, paced): (Vec<usize>, Vec<usize>) = eligible
                .into_iter()
                .partition(|&i| lanes[i].pace_ready_at().is_none_or(|t| t <= now));
            if eligible.is_empty() {
                let until = paced
                    .iter()
                    .filter_map(|&i| lanes[i].pace_ready_at())
                    .min()
                    .expect("a lane with room is paced");
                match self
                    .events
                    .recv_timeout(until.saturating_duration_since(now))
                {
                    Ok(event) => self.handle(event)?,
                    Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
                    // No connection threads (one connection, sent from here).
                    Err(crossbeam_channel::RecvTimeoutError::Disconnected) => {
                        std::thread::sleep(until.saturating_duration_since(now))
                    }
                }
                continue;
            }
            if let Some(&i) = eligible.iter().find(|&&i| lanes[i].inline) {
                return Ok(Pick::Lane(i));
            }
            let (ready, events_index) = {
                let mut select = Select::new();
                for &i in &eligible {
                    select.send(lanes[i].jobs.as_ref().expect("alive"));
                }
                let events_index = select.recv(&self.events);
                (select.ready(), events_index)
            };
            if ready != events_index {
                return Ok(Pick::Lane(eligible[ready]));
            }
            if let Ok(event) = self.events.try_recv() {
                self.handle(event)?;
            }
        }
    }

    /// Hand the messages a connection gave back to their profile's other connections;
    /// when the profile stopped meanwhile, they are not sent.
    fn send_retries(&mut self) -> anyhow::Result<()> {
        while let Some(mut job) = self.retry.pop() {
            let i = job.lane;
            loop {
                let lane = &self.lanes()[i];
                let Some(jobs) = lane.jobs.as_ref() else {
                    let lane = &mut self.lanes.as_mut().expect("retries come from lanes").lanes[i];
                    lane.in_flight -= 1;
                    lane.settle(job.spooled.envelope.to.len() as u64, 0);
                    let stopped = lane.stopped.clone().unwrap_or(Stopped {
                        message: "its connections ended".into(),
                        code: Code::Software,
                        transient: false,
                    });
                    let e = fail(
                        stopped.code,
                        format!(
                            "not sent: profile {} stopped: {}",
                            lane.name, stopped.message
                        ),
                    );
                    self.unsent(job, Unsent::Stopped(e, stopped))?;
                    break;
                };
                match jobs.try_send(job) {
                    Ok(()) => break,
                    Err(crossbeam_channel::TrySendError::Full(back)) => {
                        // A connection is busy with the one before: wait for news.
                        job = back;
                        let event = self.events.recv().context("the connections stopped")?;
                        self.handle(event)?;
                    }
                    Err(crossbeam_channel::TrySendError::Disconnected(_)) => {
                        unreachable!("the lane keeps a receiver of its own")
                    }
                }
            }
        }
        Ok(())
    }

    /// Messages handed to connections whose outcome has not come back.
    fn tally_in_flight(&self) -> u64 {
        self.lanes().iter().map(|l| l.in_flight).sum()
    }

    /// Handle whatever the workers reported, without waiting.
    fn drain(&mut self) -> anyhow::Result<()> {
        while let Ok(event) = self.events.try_recv() {
            self.handle(event)?;
        }
        if let Some(lanes) = &mut self.lanes {
            for warning in lanes.sync(false) {
                self.say(&format!("posta: warning: {warning}"))?;
            }
        }
        Ok(())
    }

    fn handle(&mut self, event: Event) -> anyhow::Result<()> {
        match event {
            Event::Transcript(line) => self.err.write_all(&line)?,
            Event::Done(done) => {
                let worker::Done { job, result, fatal } = *done;
                let lane = &mut self.lanes.as_mut().expect("workers run in lanes").lanes[job.lane];
                if fatal && lane.running > 1 && lane.jobs.is_some() {
                    // This connection could not open (a server allowing fewer sessions
                    // than --connections, say): nothing was sent, and the profile's
                    // other connections can take the message. Each connection fails
                    // at most once, so this ends.
                    if let Err(e) = &result {
                        lane.stopped = Some(Stopped {
                            message: e.to_string(),
                            code: e.exit_code(),
                            transient: e.is_transient(),
                        });
                    }
                    self.retry.push(job);
                    return Ok(());
                }
                lane.in_flight -= 1;
                let need = job.spooled.envelope.to.len() as u64;
                match result {
                    Ok(outcome) => {
                        lane.settle(need, outcome.accepted.len() as u64);
                        lane.sent += 1;
                        self.sent(job, outcome)?;
                    }
                    Err(e) => {
                        lane.settle(need, 0);
                        if fatal {
                            lane.stopped = Some(Stopped {
                                message: e.to_string(),
                                code: e.exit_code(),
                                transient: e.is_transient(),
                            });
                        }
                        self.not_sent(job, e)?;
                    }
                }
            }
            Event::Lost { lane, held } => {
                let l = &mut self.lanes.as_mut().expect("workers run in lanes").lanes[lane];
                let why = "a connection thread of posta failed (a bug: please report it)";
                l.stopped = Some(Stopped {
                    message: why.into(),
                    code: Code::Software,
                    transient: false,
                });
                if let Some(held) = held {
                    l.in_flight -= 1;
                    l.settle(held.recipients, 0);
                    let e = fail(
                        Code::Software,
                        format!(
                            "{why} while sending this message: it may or may not have been delivered"
                        ),
                    );
                    self.failed(&held.name, &e)?;
                }
            }
            Event::Closed { lane, sessions } => {
                let l = &mut self.lanes.as_mut().expect("workers run in lanes").lanes[lane];
                l.running -= 1;
                l.sessions += sessions;
                if l.running == 0 {
                    self.lane_stopped(lane)?;
                }
            }
        }
        Ok(())
    }

    /// Every connection of a lane ended: what was left in its channel is not sent.
    fn lane_stopped(&mut self, i: usize) -> anyhow::Result<()> {
        let lane = &mut self.lanes.as_mut().expect("workers run in lanes").lanes[i];
        lane.jobs = None;
        let why = lane.stopped.clone();
        let left: Vec<Job> = lane.leftover.try_iter().collect();
        for job in left {
            let lane = &mut self.lanes.as_mut().expect("workers run in lanes").lanes[i];
            lane.in_flight -= 1;
            lane.settle(job.spooled.envelope.to.len() as u64, 0);
            let name = lane.name.clone();
            let e = match &why {
                Some(s) => fail(
                    s.code,
                    format!("not sent: profile {name} stopped: {}", s.message),
                ),
                None => fail(
                    Code::Software,
                    format!("not sent: the connections of {name} ended"),
                ),
            };
            let stopped = why.clone().unwrap_or(Stopped {
                message: String::new(),
                code: Code::Software,
                transient: false,
            });
            self.unsent(job, Unsent::Stopped(e, stopped))?;
        }
        Ok(())
    }

    fn sent(&mut self, job: Job, outcome: Outcome) -> anyhow::Result<()> {
        self.tally.sent += 1;
        let lane = &self.lanes.as_ref().expect("workers run in lanes").lanes[job.lane];
        let warning = crate::log::submission(
            &lane.account,
            &job.spooled.envelope,
            Some(job.spooled.size),
            Ok(&outcome),
        );
        let object = json!({
            "type": "message",
            "source": job.name,
            "status": "sent",
            "profile": lane.account.profile,
            "message_id": job.spooled.message_id,
            "accepted": outcome.accepted,
            "final_reply": outcome.final_reply,
            "warnings": outcome.warnings,
        });
        self.pool.push(job.spooled.into_file());
        self.progress.sent();
        if let Some(warning) = warning {
            self.say(&format!("posta: warning: {warning}"))?;
        }
        self.emit(&object)
    }

    /// A message the server did not take: queued when it may work later and the
    /// queue policy says so, else failed.
    fn not_sent(&mut self, job: Job, e: SmtpError) -> anyhow::Result<()> {
        let lane = &self.lanes.as_ref().expect("workers run in lanes").lanes[job.lane];
        let logged = anyhow::anyhow!("{e}");
        if let Some(warning) = crate::log::submission(
            &lane.account,
            &job.spooled.envelope,
            Some(job.spooled.size),
            Err(&logged),
        ) {
            self.say(&format!("posta: warning: {warning}"))?;
        }
        self.unsent(job, Unsent::Smtp(e))
    }

    /// A message not sent, queued instead when the failure is temporary and the queue
    /// policy (--queue, else the profile's `queue`) says so.
    fn unsent(&mut self, mut job: Job, why: Unsent) -> anyhow::Result<()> {
        let lane = &self.lanes()[job.lane];
        let queueing = super::queue::policy(self.args.queue, &lane.account, QueuePolicy::Never)
            == QueuePolicy::OnTemporaryFailure;
        let transient = match &why {
            Unsent::Smtp(e) => e.is_transient(),
            Unsent::Stopped(_, stopped) => stopped.transient,
        };
        let e = match why {
            Unsent::Smtp(e) if queueing && transient => {
                self.enqueue(job.lane, &mut job.spooled, &job.dsn, Queueing::After(e))
            }
            Unsent::Stopped(e, _) if queueing && transient => {
                let reason = exit::message_and_hints(&e).0;
                let now = crate::queue::now();
                self.enqueue(
                    job.lane,
                    &mut job.spooled,
                    &job.dsn,
                    Queueing::Until(reason, now),
                )
            }
            Unsent::Smtp(e) => e.into(),
            Unsent::Stopped(e, _) => e,
        };
        let queued = e.chain().any(|c| c.is::<super::queue::Queued>());
        let mut object = self.failure(&job.name, &e, queued)?;
        object["profile"] = json!(self.lanes()[job.lane].account.profile);
        self.pool.push(job.spooled.into_file());
        self.emit(&object)
    }

    /// Put a spooled message into the queue with lane `lane`'s profile. The error to
    /// report: `Queued` when it went in, else why it could not (with the reason).
    fn enqueue(
        &self,
        lane: usize,
        spooled: &mut Spooled,
        dsn: &Dsn,
        how: Queueing,
    ) -> anyhow::Error {
        let account = &self.lanes()[lane].account;
        // The bytes come from the spool file, which the writer below borrows.
        let (envelope, message_id) = (spooled.envelope.clone(), spooled.message_id.clone());
        let pending = super::queue::Pending {
            global: self.global,
            connection: &self.args.connection,
            account,
            envelope: &envelope,
            dsn,
            message_id: &message_id,
            eight_bit: spooled.eight_bit,
            login_hint: account.user.clone(),
        };
        let mut write = |out: &mut dyn Write| spooled.write_to(out);
        match how {
            Queueing::After(e) => super::queue::enqueue(&pending, e, &mut write),
            Queueing::Until(reason, not_before) => {
                match super::queue::enqueue_deferred(&pending, reason, not_before, &mut write) {
                    Ok(queued) => anyhow::Error::new(queued),
                    Err(e) => e,
                }
            }
        }
    }

    /// A message that fits under no profile's daily cap now: queued until one has room
    /// (when queueing is on), else reported as not sent (75: try again later).
    fn capped(
        &mut self,
        name: &str,
        block: HeaderBlock,
        reader: &mut dyn BufRead,
        need: u64,
    ) -> anyhow::Result<()> {
        let lanes = self.lanes.as_mut().expect("opened before picking");
        for warning in lanes.sync(true) {
            self.say(&format!("posta: warning: {warning}"))?;
        }
        let lanes = self.lanes.as_ref().expect("opened before picking");
        // The profile whose cap lets these recipients through first.
        let soonest = lanes
            .lanes
            .iter()
            .enumerate()
            .filter(|(_, l)| l.is_alive() && l.takes_in_one_message(need))
            .filter_map(|(i, l)| Some((i, l.next_room(lanes.ledger.as_ref()?, need)?)))
            .min_by_key(|&(_, t)| t);
        let caps: Vec<String> = lanes.lanes.iter().filter_map(Lane::cap_words).collect();
        let mut why = format!(
            "not sent: every profile reached its daily limit ({})",
            caps.join(", ")
        );
        if let Some((_, at)) = soonest {
            why.push_str(&format!("; room again at {}", local_time(at)));
        }
        let lane_index = soonest.map(|(i, _)| i).unwrap_or(0);
        let lane = &lanes.lanes[lane_index];
        let queueing = super::queue::policy(self.args.queue, &lane.account, QueuePolicy::Never)
            == QueuePolicy::OnTemporaryFailure;
        if !queueing {
            self.tally.capped += 1;
            self.progress.failed();
            if !self.capped_said {
                self.capped_said = true;
                self.say(&format!("posta: batch: {why}"))?;
            }
            let e = fail(Code::TempFail, why);
            self.tally.first_code.get_or_insert(Code::TempFail);
            let mut object = failure_json(&e);
            object["type"] = json!("message");
            object["source"] = json!(name);
            object["status"] = json!("not-sent");
            return self.emit(&object);
        }
        let file = self.spool_file()?;
        let mut spooled = match block.spool_reusing(reader, &self.options(Some(lane_index)), file) {
            Ok(s) => s,
            Err(e) => return self.failed(name, &e.into()),
        };
        let dsn = Dsn::default().with_default_envid(&spooled.message_id);
        let not_before = soonest.map(|(_, t)| t).unwrap_or_else(crate::queue::now);
        let e = self.enqueue(
            lane_index,
            &mut spooled,
            &dsn,
            Queueing::Until(why.clone(), not_before),
        );
        let is_queued = e.chain().any(|c| c.is::<super::queue::Queued>());
        let object = self.failure(name, &e, is_queued)?;
        self.pool.push(spooled.into_file());
        self.emit(&object)
    }

    /// A message read after every profile stopped (connection or login failure):
    /// queued when the reason is temporary and the queue policy says so, else reported
    /// as not sent.
    fn none_alive(
        &mut self,
        name: &str,
        block: HeaderBlock,
        reader: &mut dyn BufRead,
    ) -> anyhow::Result<()> {
        let (lane_index, stopped) = self
            .lanes()
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.stopped.clone().map(|s| (i, s)))
            .next_back()
            .unwrap_or_else(|| {
                let stopped = Stopped {
                    message: "no connection could be opened".into(),
                    code: Code::TempFail,
                    transient: false,
                };
                (0, stopped)
            });
        self.tally
            .stopped
            .get_or_insert_with(|| stopped.message.clone());
        let lane = &self.lanes()[lane_index];
        let e = fail(
            stopped.code,
            format!(
                "not sent: profile {} stopped: {}",
                lane.name, stopped.message
            ),
        );
        let queueing = super::queue::policy(self.args.queue, &lane.account, QueuePolicy::Never)
            == QueuePolicy::OnTemporaryFailure;
        let profile = lane.account.profile.clone();
        if !(queueing && stopped.transient) {
            self.tally.unsent += 1;
            self.progress.failed();
            self.tally.first_code.get_or_insert(stopped.code);
            let mut object = failure_json(&e);
            object["type"] = json!("message");
            object["source"] = json!(name);
            object["status"] = json!("not-sent");
            object["profile"] = json!(profile);
            return self.emit(&object);
        }
        let file = self.spool_file()?;
        let spooled = match block.spool_reusing(reader, &self.options(Some(lane_index)), file) {
            Ok(s) => s,
            Err(e) => return self.failed(name, &e.into()),
        };
        let dsn = Dsn::default().with_default_envid(&spooled.message_id);
        let job = Job {
            name: name.to_string(),
            spooled,
            dsn,
            lane: lane_index,
        };
        self.unsent(job, Unsent::Stopped(e, stopped))
    }

    /// Count a message that was not sent, say why on stderr, and give its JSON object.
    fn failure(
        &mut self,
        name: &str,
        e: &anyhow::Error,
        queued: bool,
    ) -> anyhow::Result<serde_json::Value> {
        self.progress.failed();
        if queued {
            self.tally.queued += 1;
        } else {
            self.tally.failed += 1;
        }
        let code = exit::code_of(e);
        self.tally.first_code.get_or_insert(code);
        let (message, _) = exit::message_and_hints(e);
        self.say(&format!("posta: batch: {name}: {message}"))?;
        let mut object = failure_json(e);
        object["type"] = json!("message");
        object["source"] = json!(name);
        Ok(object)
    }

    fn failed(&mut self, name: &str, e: &anyhow::Error) -> anyhow::Result<()> {
        let object = self.failure(name, e, false)?;
        self.emit(&object)
    }

    /// A line on stderr, above the progress bar when there is one.
    fn say(&mut self, line: &str) -> anyhow::Result<()> {
        Ok(self.progress.writeln(&mut self.err, line)?)
    }

    /// Lines something else wrote for stderr (a log file warning), if any.
    fn emit(&mut self, object: &serde_json::Value) -> anyhow::Result<()> {
        if self.global.json {
            writeln!(self.out, "{object}")?;
        }
        Ok(())
    }

    /// No more messages: let every connection finish its last one and close, then
    /// write the ledger.
    fn finish(&mut self) -> anyhow::Result<()> {
        self.events_tx = None;
        if self.lanes.is_none() {
            return Ok(());
        }
        // Wait for every message handed out, so that one a connection gives back can
        // still go through another.
        loop {
            self.send_retries()?;
            if self.tally_in_flight() == 0 {
                break;
            }
            let Ok(event) = self.events.recv() else {
                break;
            };
            self.handle(event)?;
        }
        let lanes = self.lanes.as_mut().expect("checked above");
        if let Some(worker) = self.inline.take()
            && let Some(lane) = lanes.lanes.iter_mut().find(|l| l.inline)
        {
            lane.sessions += worker.close();
        }
        for lane in &mut lanes.lanes {
            lane.jobs = None;
        }
        while self.lanes().iter().any(|l| l.running > 0) {
            let Ok(event) = self.events.recv() else {
                break;
            };
            self.handle(event)?;
        }
        let lanes = self.lanes.as_mut().expect("checked above");
        for lane in &mut lanes.lanes {
            for handle in lane.workers.drain(..) {
                if handle.join().is_err() {
                    return Err(fail(
                        Code::Software,
                        format!("a connection thread of {} panicked", lane.name),
                    ));
                }
            }
        }
        for warning in lanes.sync(true) {
            self.say(&format!("posta: warning: {warning}"))?;
        }
        Ok(())
    }

    /// The last word: counts, connections, time and rate; the exit code of the first failure.
    fn summary(&self, elapsed: Duration) -> Report {
        let sessions: u32 = self.lanes().iter().map(|l| l.sessions).sum();
        let profiles: Vec<serde_json::Value> = self
            .lanes()
            .iter()
            .map(|l| json!({"name": l.name, "sent": l.sent, "connections": l.sessions}))
            .collect();
        summary(&self.tally, sessions, elapsed, profiles)
    }
}

/// "2026-11-23 09:14" in local time, for when a cap has room again.
fn local_time(unix: i64) -> String {
    use chrono::TimeZone;
    match chrono::Local.timestamp_opt(unix, 0) {
        chrono::LocalResult::Single(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        _ => format!("unix time {unix}"),
    }
}

fn summary(
    tally: &Tally,
    sessions: u32,
    elapsed: Duration,
    profiles: Vec<serde_json::Value>,
) -> Report {
    let seconds = elapsed.as_secs_f64();
    // Messages sent, not attempted: a refused connection fails fast, and a failure
    // counted as throughput would flatter the run.
    let rate = if seconds > 0.0 {
        tally.sent as f64 / seconds
    } else {
        0.0
    };
    let mut human = format!("batch: {} sent, {} failed", tally.sent, tally.failed);
    if tally.queued > 0 {
        human.push_str(&format!(", {} queued", tally.queued));
    }
    if tally.capped > 0 {
        human.push_str(&format!(", {} over the daily limits", tally.capped));
    }
    if tally.unsent > 0 {
        human.push_str(&format!(", {} not sent", tally.unsent));
    }
    human.push_str(&format!(
        ", over {sessions} connection{} in {seconds:.2} s ({rate:.1} sent/s)",
        if sessions == 1 { "" } else { "s" },
    ));
    if let Some(why) = &tally.stopped {
        human.push_str(&format!("; stopped early: {why}"));
    }
    let not_done = tally.failed + tally.queued + tally.capped + tally.unsent;
    let status = match (tally.sent, not_done) {
        (_, 0) if tally.stopped.is_none() => "sent",
        (0, _) => "failed",
        _ => "partial",
    };
    Report {
        human,
        json: Some(json!({
            "type": "summary",
            "status": status,
            "sent": tally.sent,
            "failed": tally.failed,
            "queued": tally.queued,
            "not_sent": tally.capped + tally.unsent,
            "stopped": tally.stopped,
            "connections": sessions,
            "profiles": profiles,
            "seconds": (seconds * 1000.0).round() / 1000.0,
            "messages_per_second": (rate * 10.0).round() / 10.0,
            "exit_code": tally.first_code.unwrap_or(Code::Ok).as_i32(),
        })),
        data: false,
        exit: tally.first_code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_exit_code_is_the_first_failure() {
        let tally = Tally {
            sent: 3,
            failed: 2,
            first_code: Some(Code::NoUser),
            ..Tally::default()
        };
        let report = summary(&tally, 1, Duration::from_secs(1), vec![]);
        assert_eq!(report.exit, Some(Code::NoUser));
        let json = report.json.unwrap();
        assert_eq!(json["status"], "partial");
        assert_eq!(json["exit_code"], 67);
        let all = summary(
            &Tally {
                sent: 2,
                ..Tally::default()
            },
            1,
            Duration::from_secs(1),
            vec![],
        );
        assert_eq!(all.exit, None);
        assert_eq!(all.json.unwrap()["status"], "sent");
    }

    #[test]
    fn capped_messages_make_a_partial_batch() {
        let tally = Tally {
            sent: 5,
            capped: 2,
            first_code: Some(Code::TempFail),
            ..Tally::default()
        };
        let report = summary(&tally, 1, Duration::from_secs(1), vec![]);
        assert!(
            report.human.contains("2 over the daily limits"),
            "{}",
            report.human
        );
        let json = report.json.unwrap();
        assert_eq!(json["status"], "partial");
        assert_eq!(json["not_sent"], 2);
        assert_eq!(json["exit_code"], 75);
    }

    #[test]
    fn profile_lists() {
        let mut g = GlobalArgs::default();
        assert_eq!(profile_names(&g).unwrap(), vec![None]);
        g.profile = Some("a, b,c".into());
        assert_eq!(
            profile_names(&g).unwrap(),
            vec![Some("a".into()), Some("b".into()), Some("c".into())]
        );
        g.profile = Some("a,,b".into());
        assert!(profile_names(&g).is_err());
        g.profile = Some("a,b,a".into());
        assert!(profile_names(&g).is_err());
    }
}
