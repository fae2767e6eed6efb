//! What becomes of each message of a batch, through the one submission path's tail
//! ([`crate::submit::settle`]): sent, queued or failed; said on stderr and, with
//! `--json`, as one object a message; counted for the summary (`tally.rs`).

use std::io::BufRead;

use serde_json::json;

use super::dispatch::Dispatcher;
use super::lanes::{Lane, Stopped};
use super::worker::Job;
use crate::cli::QueuePolicy;
use crate::cmd::failure_json;
use crate::envelope::Dsn;
use crate::message::raw::{HeaderBlock, Spooled};
use crate::model::exit_code::{Code, fail};
use crate::report;
use crate::smtp::{Outcome, SmtpError};
use crate::submit::payload::SpooledPayload;
use crate::submit::queueing::Pending;
use crate::submit::{self, Counting, Delivery, Queued, Submission};

impl Dispatcher<'_, '_, '_> {
    /// The queue policy of lane `lane`'s profile (--queue, else the profile's `queue`;
    /// `batch` does not queue unless asked).
    pub(super) fn policy(&self, lane: usize) -> QueuePolicy {
        submit::queueing::policy(
            self.args.queue,
            &self.lanes()[lane].account,
            QueuePolicy::Never,
        )
    }

    /// A message its connection tried: the one path's tail decides (queued when the
    /// failure is temporary and the policy says so) and writes the log line.
    pub(super) fn settled(
        &mut self,
        mut job: Job,
        result: Result<Outcome, SmtpError>,
    ) -> anyhow::Result<()> {
        // Out of `self` while the lane's account is borrowed from it.
        let mut copies = std::mem::take(&mut self.copies);
        let account = &self.lanes()[job.lane].account;
        let (envelope, message_id) = (job.spooled.envelope.clone(), job.spooled.message_id.clone());
        // The Bcc the message as sent left out, for the copy in Sent.
        let bcc = std::mem::take(&mut job.spooled.bcc);
        let submission = Submission {
            origin: &self.origin,
            envelope: &envelope,
            dsn: &job.dsn,
            message_id: &message_id,
            login_hint: account.user.clone(),
            policy: self.policy(job.lane),
            hold_first: false,
            local_user: None,
            bcc: &bcc,
            // The batch's own `copies` decide (see `Dispatcher`).
            trace_copy: false,
        };
        let mut warnings = Vec::new();
        // The lanes count accepted recipients themselves (they reserve room ahead).
        let delivered = submit::settle(
            account,
            &submission,
            &mut SpooledPayload(&mut job.spooled),
            result,
            Counting::ByCaller,
            &mut copies,
            &mut warnings,
        );
        self.copies = copies;
        if let Ok(Delivery::Sent(_, copy) | Delivery::Partly { copy, .. }) = &delivered {
            for line in copy.transcript() {
                self.say(line)?;
            }
        }
        for warning in warnings {
            self.say(&format!("posta: warning: {warning}"))?;
        }
        let profile = self.lanes()[job.lane].account.profile.clone();
        let mut object = match delivered {
            Ok(Delivery::Sent(outcome, copy)) => {
                self.tally.sent += 1;
                self.progress.sent();
                let mut object = json!({
                    "type": "message",
                    "source": job.name,
                    "status": "sent",
                    "profile": profile,
                    "message_id": message_id,
                    "accepted": outcome.accepted,
                    "final_reply": outcome.final_reply,
                    "warnings": outcome.warnings,
                });
                copy.add_json(&mut object);
                object
            }
            Ok(Delivery::Queued(queued)) => self.queued(&job.name, &queued)?,
            // Not sent to everyone: counted as failed, with send's exit code.
            Ok(Delivery::Partly {
                outcome,
                queued,
                copy,
            }) => {
                let report =
                    crate::cmd::partly_report(&outcome, queued.as_ref(), &copy, &message_id, false);
                self.progress.failed();
                self.tally.failed += 1;
                (self.tally.first_code).get_or_insert(report.exit.unwrap_or(Code::TempFail));
                let name = &job.name;
                self.say(&format!("posta: batch: {name}: {}", report.human))?;
                let mut object = report.json.unwrap_or_default();
                object["type"] = json!("message");
                object["source"] = json!(name);
                object
            }
            Err(e) => self.failure(&job.name, &e)?,
        };
        object["profile"] = json!(profile);
        self.pool.push(job.spooled.into_space());
        self.emit(&object)
    }

    /// A message whose profile's connections all stopped before it was tried: queued
    /// (not before now) when the policy says so for that reason, else not sent.
    pub(super) fn stopped_unsent(
        &mut self,
        mut job: Job,
        e: anyhow::Error,
        stopped: Stopped,
    ) -> anyhow::Result<()> {
        let queueing = submit::queueing::queues_untried(self.policy(job.lane), stopped.transient);
        let mut object = if queueing {
            let reason = report::message_and_hints(&e).0;
            let now = crate::queue::now();
            match self.enqueue(job.lane, &mut job.spooled, &job.dsn, reason, now) {
                Ok(queued) => self.queued(&job.name, &queued)?,
                Err(e) => self.failure(&job.name, &e)?,
            }
        } else {
            self.failure(&job.name, &e)?
        };
        object["profile"] = json!(self.lanes()[job.lane].account.profile);
        self.pool.push(job.spooled.into_space());
        self.emit(&object)
    }

    /// Put a spooled message into the queue with lane `lane`'s profile, untried, due
    /// from `not_before`, with `reason` as its last error.
    pub(super) fn enqueue(
        &self,
        lane: usize,
        spooled: &mut Spooled,
        dsn: &Dsn,
        reason: String,
        not_before: i64,
    ) -> anyhow::Result<Queued> {
        let account = &self.lanes()[lane].account;
        // The bytes come from the spool, which the writer below borrows.
        let (envelope, message_id) = (spooled.envelope.clone(), spooled.message_id.clone());
        let bcc = spooled.bcc.clone();
        let pending = Pending {
            origin: &self.origin,
            account,
            envelope: &envelope,
            dsn,
            message_id: &message_id,
            eight_bit: spooled.eight_bit,
            login_hint: account.user.clone(),
            bcc: &bcc,
        };
        submit::queueing::deferred(&pending, reason, not_before, &mut |out| {
            spooled.write_to(out)
        })
    }

    /// A message that fits under no profile's daily cap now: queued until one has room
    /// (when queueing is on), else reported as not sent (75: try again later).
    pub(super) fn capped(
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
        // Held back by a limit that will pass: any policy that queues keeps it.
        if self.policy(lane_index) == QueuePolicy::Never {
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
        let space = self.spool_space();
        let mut spooled = match block.spool_reusing(reader, &self.options(Some(lane_index)), space)
        {
            Ok(s) => s,
            Err(e) => return self.failed(name, &e.into()),
        };
        let dsn = Dsn::default().with_default_envid(&spooled.message_id);
        let not_before = soonest.map(|(_, t)| t).unwrap_or_else(crate::queue::now);
        let object = match self.enqueue(lane_index, &mut spooled, &dsn, why, not_before) {
            Ok(queued) => self.queued(name, &queued)?,
            Err(e) => self.failure(name, &e)?,
        };
        self.pool.push(spooled.into_space());
        self.emit(&object)
    }

    /// A message read after every profile stopped (connection or login failure):
    /// queued when the reason is temporary and the queue policy says so, else reported
    /// as not sent.
    pub(super) fn none_alive(
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
        let profile = lane.account.profile.clone();
        if !submit::queueing::queues_untried(self.policy(lane_index), stopped.transient) {
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
        let space = self.spool_space();
        let spooled = match block.spool_reusing(reader, &self.options(Some(lane_index)), space) {
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
        self.stopped_unsent(job, e, stopped)
    }

    /// Count a message put in the queue, say so on stderr, and give its JSON object.
    pub(super) fn queued(
        &mut self,
        name: &str,
        queued: &Queued,
    ) -> anyhow::Result<serde_json::Value> {
        self.progress.failed();
        self.tally.queued += 1;
        // Not sent yet: `send`'s exit code for a queued message.
        self.tally.first_code.get_or_insert(Code::TempFail);
        self.say(&format!("posta: batch: {name}: {queued}"))?;
        let mut object = queued.json(Code::TempFail);
        object["type"] = json!("message");
        object["source"] = json!(name);
        Ok(object)
    }

    /// Count a message that was not sent, say why on stderr, and give its JSON object.
    pub(super) fn failure(
        &mut self,
        name: &str,
        e: &anyhow::Error,
    ) -> anyhow::Result<serde_json::Value> {
        self.progress.failed();
        self.tally.failed += 1;
        let code = report::code_of(e);
        self.tally.first_code.get_or_insert(code);
        let (message, _) = report::message_and_hints(e);
        self.say(&format!("posta: batch: {name}: {message}"))?;
        let mut object = failure_json(e);
        object["type"] = json!("message");
        object["source"] = json!(name);
        Ok(object)
    }

    pub(super) fn failed(&mut self, name: &str, e: &anyhow::Error) -> anyhow::Result<()> {
        let object = self.failure(name, e)?;
        self.emit(&object)
    }

    /// A line on stderr, above the progress bar when there is one.
    pub(super) fn say(&mut self, line: &str) -> anyhow::Result<()> {
        Ok(self.progress.writeln(&mut self.err, line)?)
    }

    /// The message's JSON object on stdout, with `--json`.
    pub(super) fn emit(&mut self, object: &serde_json::Value) -> anyhow::Result<()> {
        if self.global.json {
            writeln!(self.out, "{object}")?;
        }
        Ok(())
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
