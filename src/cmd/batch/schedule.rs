//! Where a batch's next message goes: the profile (lane) that takes its recipients,
//! has room under its daily cap and its pace, and has a free connection; and the
//! messages a connection gave back, handed to another.

use anyhow::Context;
use crossbeam_channel::Select;

use super::dispatch::Dispatcher;
use super::lanes::Stopped;

use crate::model::exit_code::{Code, fail};

/// Where a message can go now.
pub(super) enum Pick {
    Lane(usize),
    /// Every profile that takes this many recipients reached its daily cap.
    Full,
    /// No profile takes this many recipients in one message.
    TooMany,
    /// Every profile stopped (connection or login failure).
    NoneAlive,
}

impl Dispatcher<'_, '_, '_> {
    /// Wait until a profile that can take `need` recipients has a free connection,
    /// handling what the workers report meanwhile.
    pub(super) fn pick(&mut self, need: u64) -> anyhow::Result<Pick> {
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
                // Sent from this thread: what is in flight is read here, not reported.
                if self.flush_inline()? {
                    continue;
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
    pub(super) fn send_retries(&mut self) -> anyhow::Result<()> {
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
                    self.stopped_unsent(job, e, stopped)?;
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
    pub(super) fn tally_in_flight(&self) -> u64 {
        self.lanes().iter().map(|l| l.in_flight).sum()
    }
}
