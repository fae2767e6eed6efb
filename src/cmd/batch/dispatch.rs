//! The dispatcher of a batch: it reads each message, picks the profile and
//! connection for it, hands it over, and takes back what the connections report
//! ([`super::events`]). Its scheduling (which lane, when) is in [`super::schedule`];
//! what becomes of each message, and the counts, in [`super::outcome`].

use std::io::{BufRead, Write};

use anyhow::Context;
use crossbeam_channel::{Receiver, Sender};

use super::Shared;
use super::lanes::{Lane, Lanes};
use super::schedule::Pick;
use super::tally::Tally;
use super::worker::{self, Event, Job, Worker};
use crate::cli::{BatchArgs, GlobalArgs};
use crate::config;
use crate::envelope::Dsn;
use crate::message::raw::{self, HeaderBlock, RawOptions, Space};
use crate::model::exit_code::{Code, fail};
use crate::pace::Pacer;
use crate::progress;
use crate::smtp::Transcript;
use crate::submit::ledger::Ledger;
use crate::submit::{self, Origin};

pub(super) struct Dispatcher<'a, 't, 'x> {
    pub(super) global: &'a GlobalArgs,
    /// What the queue records of where the messages came from.
    pub(super) origin: Origin,
    pub(super) args: &'a BatchArgs,
    pub(super) out: &'a mut dyn Write,
    pub(super) err: Shared<'a>,
    /// The transcript, for the session this thread runs itself (one connection).
    pub(super) transcript: Option<&'t mut Transcript<'x>>,
    /// That session: with one profile and one connection, no thread is started.
    pub(super) inline: Option<Worker<'t, 'x>>,
    pub(super) profiles: Vec<Option<String>>,
    /// Opened with the first message (its From may choose the account).
    pub(super) lanes: Option<Lanes>,
    /// Dropped once the workers are started, so that the channel closes with them.
    pub(super) events_tx: Option<Sender<Event>>,
    pub(super) events: Receiver<Event>,
    pub(super) pacer: Option<Pacer>,
    /// The spool space of messages already sent, for the next ones.
    pub(super) pool: Vec<Space>,
    pub(super) tally: Tally,
    /// The "every cap reached" line was written to stderr (once is enough).
    pub(super) capped_said: bool,
    /// Counts and rate on a terminal (hidden otherwise, and with -q, -v or --json).
    pub(super) progress: progress::Count,
    /// Messages a connection gave back unsent because it could not open.
    pub(super) retry: Vec<Job>,
    /// `--dry-run`: each message is written out instead of sent.
    pub(super) dry_run: Option<super::dry_run::DryRun>,
    /// `--save-sent`: the IMAP sessions the copies go through, one per profile, kept
    /// for the whole batch.
    pub(super) copies: crate::submit::Copies,
}

impl Dispatcher<'_, '_, '_> {
    /// Take one message; false when the batch must stop.
    pub(super) fn one(
        &mut self,
        name: &str,
        input: anyhow::Result<&mut dyn BufRead>,
    ) -> anyhow::Result<bool> {
        if let Some(p) = &mut self.pacer {
            p.wait();
        }
        if let Some(dry) = &mut self.dry_run {
            dry.seen += 1;
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
                let space = self.spool_space();
                let spooled = block
                    .spool_reusing(reader, &self.options(Some(i)), space)
                    .map_err(anyhow::Error::from)
                    .and_then(|spooled| {
                        // What `send` checks before connecting holds here too.
                        let from = &spooled.envelope.from;
                        if !from.is_empty() {
                            let account = &self.lanes()[i].account;
                            submit::sender::check_provider_rules(account, from)?;
                        }
                        Ok(spooled)
                    });
                match spooled {
                    Ok(spooled) if self.dry_run.is_some() => {
                        self.dry_run_one(name, i, spooled)?;
                    }
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
                            for done in worker.send(job) {
                                self.handle(Event::Done(Box::new(done)))?;
                            }
                        } else {
                            // Never blocks: the lane had room, and only this thread sends.
                            let sender = lane.jobs.as_ref().expect("picked lanes are alive");
                            if sender.send(job).is_err() {
                                unreachable!("the lane keeps a receiver of its own");
                            }
                        }
                    }
                    Err(e) => self.failed(name, &e)?,
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

    pub(super) fn lanes(&self) -> &[Lane] {
        self.lanes.as_ref().map(|l| &l.lanes[..]).unwrap_or(&[])
    }

    /// How the message is read for lane `lane` (its From is the default From).
    pub(super) fn options(&self, lane: Option<usize>) -> RawOptions {
        RawOptions {
            extract_recipients: true,
            envelope_from: self.args.envelope_from.clone(),
            full_name: None,
            default_from: lane.and_then(|i| self.lanes()[i].account.from.clone()),
            recipients: Vec::new(),
            rewrite_from: false,
        }
    }

    pub(super) fn spool_space(&mut self) -> Space {
        self.pool.pop().unwrap_or_default()
    }

    /// Resolve every profile, fetch its secret, and start its connections (each opens
    /// its session when its first message comes).
    pub(super) fn open_lanes(&mut self, first: &HeaderBlock) -> anyhow::Result<()> {
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
            let mut request = global.request(&self.args.connection, hint.as_deref());
            // A batch saves copies in Sent only when asked (--save-sent).
            request.overrides.save_sent = Some(self.args.save_sent);
            let mut account = config::resolve(&request)?;
            if self.dry_run.is_some() {
                accounts.push(account); // a dry run needs no secret
                continue;
            }
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
            if self.dry_run.is_some() {
                // No connection: the dispatcher writes each message out itself.
                lane.jobs = None;
                lane.inline = true;
                lanes.push(lane);
                continue;
            }
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
}
