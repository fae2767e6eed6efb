//! The counts of a batch and its last word: sent, failed, queued, not sent; the
//! connections, time and rate; the exit code of the first failure.

use std::time::Duration;

use serde_json::json;

use super::dispatch::Dispatcher;
use crate::cmd::Report;
use crate::model::exit_code::Code;

#[derive(Default)]
pub(super) struct Tally {
    pub(super) sent: u64,
    pub(super) failed: u64,
    pub(super) queued: u64,
    /// Not sent because every profile reached its daily cap (and not queued).
    pub(super) capped: u64,
    /// Not sent because every profile had stopped (and not queued).
    pub(super) unsent: u64,
    /// The exit code of the first failure.
    pub(super) first_code: Option<Code>,
    /// Why the batch stopped before the end, if it did.
    pub(super) stopped: Option<String>,
}

impl Dispatcher<'_, '_, '_> {
    /// The last word: counts, connections, time and rate; the exit code of the first failure.
    pub(super) fn summary(&self, elapsed: Duration) -> Report {
        let sessions: u32 = self.lanes().iter().map(|l| l.sessions).sum();
        let profiles: Vec<serde_json::Value> = self
            .lanes()
            .iter()
            .map(|l| json!({"name": l.name, "sent": l.sent, "connections": l.sessions}))
            .collect();
        summary(&self.tally, sessions, elapsed, profiles)
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
}
