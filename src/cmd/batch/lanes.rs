//! The profiles a batch sends through (`-p a,b,c`), each a "lane" with its own
//! connections, and what each may still send: a provider caps the recipients an
//! account may reach in 24 hours (`daily_limit`) and in one message
//! (`per_message_limit`). What a profile sent is kept in the usage ledger, shared with
//! `send`, `sendmail` and `queue flush`, so a cap holds across runs.

use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use super::worker::Job;
use crate::config::Account;
use crate::pace::Pacer;
use crate::submit::ledger::Ledger;

/// How often what was sent is written to the ledger (and what others sent read back).
const SYNC_EVERY: Duration = Duration::from_secs(1);

/// One profile and its connections.
pub struct Lane {
    pub account: Account,
    /// The profile's name, or the server's when no profile is used.
    pub name: String,
    /// Jobs for this lane's workers; `None` once every worker stopped.
    pub jobs: Option<Sender<Job>>,
    /// Kept to take back jobs left behind when every worker stopped.
    pub leftover: Receiver<Job>,
    pub workers: Vec<JoinHandle<()>>,
    /// Sent by the dispatcher itself (one profile, one connection): no channel.
    pub inline: bool,
    /// Workers not yet closed.
    pub running: usize,
    pub sessions: u32,
    pub sent: u64,
    /// Messages handed to this lane whose outcome has not come back.
    pub in_flight: u64,
    /// Why the last worker stopped early (a connection or login failure).
    pub stopped: Option<Stopped>,
    room: Option<Room>,
    per_message: Option<u64>,
    /// The profile's pace (`rate`), when it has one.
    pacer: Option<Pacer>,
}

/// Why a lane stopped: the error's words, exit code and whether trying later may work.
#[derive(Clone)]
pub struct Stopped {
    pub message: String,
    pub code: crate::model::exit_code::Code,
    pub transient: bool,
}

/// A daily cap and what counts against it.
struct Room {
    limit: u64,
    /// Recipients in the ledger for the last 24 hours, as last read.
    used: u64,
    /// Handed to a connection, outcome not known yet.
    reserved: u64,
    /// Sent and not yet written to the ledger.
    unrecorded: u64,
}

impl Room {
    fn left(&self) -> u64 {
        self.limit
            .saturating_sub(self.used + self.reserved + self.unrecorded)
    }
}

impl Lane {
    pub fn new(
        account: Account,
        name: String,
        jobs: Sender<Job>,
        leftover: Receiver<Job>,
        ledger: Option<&Ledger>,
    ) -> std::io::Result<Lane> {
        // Without a ledger (no state directory) the cap still holds within this run.
        let room = match (account.daily_limit, account.profile.as_deref()) {
            (Some(limit), Some(profile)) => Some(Room {
                limit: u64::from(limit),
                used: match ledger {
                    Some(l) => l.used(profile, crate::queue::now())?,
                    None => 0,
                },
                reserved: 0,
                unrecorded: 0,
            }),
            _ => None,
        };
        let per_message = account.per_message_limit.map(u64::from);
        let pacer = account.rate.map(Pacer::new);
        Ok(Lane {
            account,
            name,
            jobs: Some(jobs),
            leftover,
            workers: Vec::new(),
            inline: false,
            running: 0,
            sessions: 0,
            sent: 0,
            in_flight: 0,
            stopped: None,
            room,
            per_message,
            pacer,
        })
    }

    pub fn is_alive(&self) -> bool {
        self.jobs.is_some() || (self.inline && self.stopped.is_none())
    }

    /// When this profile's pace lets the next message start; `None`: at once.
    pub fn pace_ready_at(&self) -> Option<Instant> {
        self.pacer.as_ref().and_then(Pacer::ready_at)
    }

    /// A message starts through this profile now.
    pub fn started(&mut self) {
        if let Some(p) = &mut self.pacer {
            p.started();
        }
    }

    pub fn takes_in_one_message(&self, need: u64) -> bool {
        self.per_message.is_none_or(|m| need <= m)
    }

    pub fn has_room_for(&self, need: u64) -> bool {
        self.room.as_ref().is_none_or(|r| r.left() >= need)
    }

    /// `need` recipients are on their way through this lane.
    pub fn reserve(&mut self, need: u64) {
        if let Some(r) = &mut self.room {
            r.reserved += need;
        }
    }

    /// A message through this lane was tried: `accepted` recipients were sent to.
    pub fn settle(&mut self, need: u64, accepted: u64) {
        if let Some(r) = &mut self.room {
            r.reserved = r.reserved.saturating_sub(need);
            r.unrecorded += accepted;
        }
    }

    /// "gmail: 500 a day", for messages about caps.
    pub fn cap_words(&self) -> Option<String> {
        self.room
            .as_ref()
            .map(|r| format!("{}: {} recipients a day", self.name, r.limit))
    }

    pub fn per_message_words(&self) -> Option<String> {
        self.per_message
            .map(|m| format!("{}: {m} recipients a message", self.name))
    }

    /// When `need` recipients fit again, after the ledger is up to date.
    pub fn next_room(&self, ledger: &Ledger, need: u64) -> Option<i64> {
        let (room, profile) = (self.room.as_ref()?, self.account.profile.as_deref()?);
        ledger
            .next_room(profile, crate::queue::now(), room.limit, need)
            .ok()
            .flatten()
    }
}

/// Every lane and the ledger they share.
pub struct Lanes {
    pub lanes: Vec<Lane>,
    pub ledger: Option<Ledger>,
    synced: Instant,
}

impl Lanes {
    pub fn new(lanes: Vec<Lane>, ledger: Option<Ledger>) -> Lanes {
        Lanes {
            lanes,
            ledger,
            synced: Instant::now(),
        }
    }

    /// Write what was sent to the ledger when a second has passed (`force`: now),
    /// and read back what every process sent. A ledger that cannot be written costs a
    /// warning, never a message: the caller gets the words.
    pub fn sync(&mut self, force: bool) -> Vec<String> {
        let mut warnings = Vec::new();
        if !force && self.synced.elapsed() < SYNC_EVERY {
            return warnings;
        }
        self.synced = Instant::now();
        let Some(ledger) = &self.ledger else {
            return warnings;
        };
        let now = crate::queue::now();
        for lane in &mut self.lanes {
            let (Some(room), Some(profile)) = (&mut lane.room, lane.account.profile.as_deref())
            else {
                continue;
            };
            if room.unrecorded > 0 {
                match ledger.record(profile, now, room.unrecorded) {
                    Ok(()) => room.unrecorded = 0,
                    Err(e) => warnings.push(format!(
                        "cannot record what profile {profile} sent in {}: {e}",
                        ledger.dir().display()
                    )),
                }
            }
            if let Ok(used) = ledger.used(profile, now) {
                room.used = used;
            }
        }
        warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_counts_reserved_and_unrecorded() {
        let mut r = Room {
            limit: 10,
            used: 4,
            reserved: 0,
            unrecorded: 0,
        };
        assert_eq!(r.left(), 6);
        r.reserved = 3;
        r.unrecorded = 2;
        assert_eq!(r.left(), 1);
        r.used = 20;
        assert_eq!(r.left(), 0, "never below zero");
    }
}
