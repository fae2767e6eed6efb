//! What the connections report, taken back by the dispatcher: each message's outcome
//! (settled in [`super::outcome`]), transcript lines, a connection that stopped (its
//! messages go to another lane, the queue, or are reported unsent), and the end of the
//! batch, when every connection has said all it owes.

use std::io::Write;

use super::dispatch::Dispatcher;
use super::lanes::Stopped;
use super::worker::{self, Event, Job};
use crate::model::exit_code::{Code, fail};

impl Dispatcher<'_, '_, '_> {
    /// Read what the session this thread sends over (one connection) is owed, and
    /// settle those messages; false when none was in flight.
    pub(super) fn flush_inline(&mut self) -> anyhow::Result<bool> {
        let dones = match &mut self.inline {
            Some(worker) => worker.flush(),
            None => return Ok(false),
        };
        let any = !dones.is_empty();
        for done in dones {
            self.handle(Event::Done(Box::new(done)))?;
        }
        Ok(any)
    }

    /// Handle whatever the workers reported, without waiting.
    pub(super) fn drain(&mut self) -> anyhow::Result<()> {
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

    pub(super) fn handle(&mut self, event: Event) -> anyhow::Result<()> {
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
                match &result {
                    Ok(outcome) => {
                        lane.settle(need, outcome.accepted.len() as u64);
                        lane.sent += 1;
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
                    }
                }
                self.settled(job, result)?;
            }
            Event::Lost { lane, held } => {
                let l = &mut self.lanes.as_mut().expect("workers run in lanes").lanes[lane];
                let why = "a connection thread of posta failed (a bug: please report it)";
                l.stopped = Some(Stopped {
                    message: why.into(),
                    code: Code::Software,
                    transient: false,
                });
                for held in held {
                    let l = &mut self.lanes.as_mut().expect("workers run in lanes").lanes[lane];
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
    pub(super) fn lane_stopped(&mut self, i: usize) -> anyhow::Result<()> {
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
            self.stopped_unsent(job, e, stopped)?;
        }
        Ok(())
    }

    pub(super) fn finish(&mut self) -> anyhow::Result<()> {
        self.events_tx = None;
        if self.lanes.is_none() {
            return Ok(());
        }
        // Wait for every message handed out, so that one a connection gives back can
        // still go through another.
        self.flush_inline()?;
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
}
