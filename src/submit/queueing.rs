//! Putting a message into the queue instead of sending it: the policy (which failures
//! queue), and the entry written for it. The spool itself (files, locks, schedule) is
//! [`crate::queue`]; this module decides what goes in and says what happened as a
//! [`Queued`] value, never as an error.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::config::{Account, ConfigError, Overrides};
use crate::envelope::{Dsn, Envelope};
use crate::model::QueuePolicy;
use crate::model::exit_code::{Code, fail};
use crate::queue::{self, Locked, Meta, Place, Queue, QueuedDsn, QueuedEnvelope, QueuedServer};
use crate::smtp::{SmtpError, Stage};

/// The policy in force: the flag, else the profile, else the way in's default.
pub fn policy(flag: Option<QueuePolicy>, account: &Account, default: QueuePolicy) -> QueuePolicy {
    flag.or(account.queue).unwrap_or(default)
}

/// Whether a failed submission goes into the queue, by the policy. A refusal of the
/// message itself (its recipients, its size, its content) is never queued: it would
/// fail again. `on-failure` queues everything else, for the user may fix it (a
/// password, a certificate) and flush.
pub fn should_queue(policy: QueuePolicy, err: &SmtpError) -> bool {
    match policy {
        QueuePolicy::Never => false,
        QueuePolicy::OnTemporaryFailure => err.is_transient(),
        QueuePolicy::OnFailure => !super::flush::refuses_the_message(err),
    }
}

/// A message put in the queue instead of being sent: safe, not sent yet. `send`
/// reports it with exit 75, sendmail mode with exit 0 (sendmail's convention).
#[derive(Debug, Clone)]
pub struct Queued {
    pub id: String,
    pub message_id: String,
    /// The temporary failure that put it there.
    pub reason: String,
    /// Where the transport failed; `None` for a message queued without trying (a
    /// daily limit reached, a secret that could not be had).
    pub stage: Option<Stage>,
    pub queue_dir: PathBuf,
}

impl std::fmt::Display for Queued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "queued as {}: {}", self.id, self.reason)
    }
}

impl Queued {
    /// The `--json` object, with the exit code the way in reports it with.
    pub fn json(&self, exit_code: Code) -> serde_json::Value {
        json!({
            "status": "queued",
            "id": self.id,
            "message_id": self.message_id,
            "reason": self.reason,
            "stage": self.stage,
            "queue_dir": self.queue_dir,
            "exit_code": exit_code.as_i32(),
        })
    }
}

/// Where a message came from, as the queue records it so that `queue flush` resolves
/// the same account again: the config file named at submission and the connection
/// values given for that run (recorded without the password command).
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub config: Option<PathBuf>,
    pub overrides: Overrides,
}

/// What is recorded with a queued message: everything needed to try again, no secret.
pub struct Pending<'a> {
    pub origin: &'a Origin,
    pub account: &'a Account,
    pub envelope: &'a Envelope,
    pub dsn: &'a Dsn,
    pub message_id: &'a str,
    pub eight_bit: bool,
    pub login_hint: Option<String>,
    /// The Bcc fields left out of the message, kept for its copy in Sent.
    pub bcc: &'a [u8],
}

/// Whether a message that was never tried, because its account stopped (its
/// connections could not open, or its login failed), goes into the queue.
pub fn queues_untried(policy: QueuePolicy, transient: bool) -> bool {
    match policy {
        QueuePolicy::Never => false,
        QueuePolicy::OnTemporaryFailure => transient,
        QueuePolicy::OnFailure => true,
    }
}

/// A secret that could not be had before connecting (a password command that timed
/// out with no terminal, or that failed): the message is queued when the policy says
/// so for such a failure, as [`should_queue`] decides for the transport's; otherwise
/// the error stands. `queue flush` fetches the secret again.
pub fn after_credentials(
    policy: QueuePolicy,
    err: ConfigError,
    pending: &Pending<'_>,
    keeping: Keeping,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<Queued> {
    // A password command that failed, a keyring that is locked: never the message's.
    if !queues_untried(policy, err.temporary) {
        if let Keeping::Held(held) = keeping {
            let _ = held.release();
        }
        return Err(err.into());
    }
    match keeping {
        Keeping::New => deferred(pending, err.to_string(), queue::now(), write),
        Keeping::Held(held) => Ok(held.keep(err.to_string(), None)),
    }
}

/// Put the message that `write` produces into the queue after the transport's
/// temporary failure `reason`. When the queue cannot take it, the error says both (and
/// keeps the transport's exit code).
pub fn after_failure(
    pending: &Pending<'_>,
    reason: SmtpError,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<Queued> {
    let Some(dir) = spool_dir(pending.account) else {
        let why = "no data directory ($XDG_DATA_HOME)".to_string();
        return Err(last_resort(pending, anyhow::Error::new(reason), why, write));
    };
    let now = queue::now();
    let mut meta = pending_meta(pending, now);
    meta.record_failure(now, reason.to_string());
    match Queue::open(&dir).and_then(|q| q.add(meta, write)) {
        Ok(id) => Ok(Queued {
            id,
            message_id: pending.message_id.to_string(),
            reason: reason.to_string(),
            stage: Some(reason.stage),
            queue_dir: dir,
        }),
        Err(e) => {
            let why = format!("in {}: {e}", dir.display());
            Err(last_resort(pending, anyhow::Error::new(reason), why, write))
        }
    }
}

/// A message that must wait and cannot be queued (`why`): appended to
/// `~/dead.letter` rather than lost (exit 75, saying where); when even that fails, the
/// error says all three.
fn last_resort(
    pending: &Pending<'_>,
    reason: anyhow::Error,
    why: String,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Error {
    match super::dead_letter::save(&pending.envelope.from, write) {
        Ok(path) => fail(
            Code::TempFail,
            format!(
                "not sent ({}), and not queued ({why}): saved in {}",
                crate::report::message_and_hints(&reason).0,
                path.display()
            ),
        ),
        Err(e) => reason.context(format!(
            "not sent, and not queued ({why}), and not saved in ~/dead.letter ({e})"
        )),
    }
}

/// Put a message into the queue without trying it: not an error of the transport but
/// a choice (e.g. the profile's daily limit is reached). It waits until `not_before`
/// (unix seconds) with `reason` as its last error and no attempt counted; `queue
/// flush` then sends it as any other. Returns the queue id once the entry is durable.
pub fn deferred(
    pending: &Pending<'_>,
    reason: String,
    not_before: i64,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<Queued> {
    let Some(dir) = spool_dir(pending.account) else {
        let why = "no data directory (set XDG_DATA_HOME, or queue_dir in the config)";
        let err = ConfigError::new(None, reason);
        return Err(last_resort(pending, err.into(), why.into(), write));
    };
    let mut meta = pending_meta(pending, queue::now());
    meta.last_error = Some(reason.clone());
    meta.next_attempt = not_before;
    let id = match Queue::open(&dir).and_then(|q| q.add(meta, write)) {
        Ok(id) => id,
        Err(e) => {
            let err = fail(Code::IoErr, reason);
            let why = format!("in {}: {e}", dir.display());
            return Err(last_resort(pending, err, why, write));
        }
    };
    Ok(Queued {
        id,
        message_id: pending.message_id.to_string(),
        reason,
        stage: None,
        queue_dir: dir,
    })
}

/// Where a message that must wait is kept.
pub enum Keeping {
    /// Written to the queue when it must wait (`send`, `batch`).
    New,
    /// In the queue since before the session (sendmail mode): kept there with the
    /// failure recorded, or removed once sent or refused for good. A process killed
    /// mid-session (a systemd stop, a cron timeout) leaves it for `queue flush`.
    Held(Held),
}

/// A message put in the queue before its session, locked by this process.
pub struct Held {
    entry: Box<Locked>,
    queue_dir: PathBuf,
}

/// What [`hold`] did.
pub enum Hold {
    Held(Held),
    /// A `queue flush` took the entry between its writing and its locking: it is that
    /// flush's now, and this process must not send it too.
    Taken(Queued),
    /// No queue could be written (no data directory, a full disk): the message is
    /// sent without a copy, as `send` sends.
    Unavailable,
}

/// Put the message in the queue before its session, marked as being tried (so that an
/// attempt cut short is known) and due after the first retry interval (so that a
/// flush meanwhile leaves it to this process).
pub fn hold(
    pending: &Pending<'_>,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> Hold {
    let Some(dir) = spool_dir(pending.account) else {
        return Hold::Unavailable;
    };
    let now = queue::now();
    let mut meta = pending_meta(pending, now);
    meta.attempt_started = Some(now);
    meta.next_attempt = now + queue::FIRST_RETRY.as_secs() as i64;
    let added = Queue::open(&dir).and_then(|q| {
        let id = q.add(meta, write)?;
        Ok((q.lock(Place::Queued, &id)?, id))
    });
    match added {
        Ok((Some(entry), _)) => Hold::Held(Held {
            entry: Box::new(entry),
            queue_dir: dir,
        }),
        Ok((None, id)) => Hold::Taken(Queued {
            id,
            message_id: pending.message_id.to_string(),
            reason: "a queue flush took it as it was queued".into(),
            stage: None,
            queue_dir: dir,
        }),
        Err(_) => Hold::Unavailable,
    }
}

impl Held {
    /// It must wait: the failure is recorded and the next attempt scheduled.
    pub fn keep(mut self, reason: String, stage: Option<Stage>) -> Queued {
        self.entry.meta.record_failure(queue::now(), reason.clone());
        // A failed save leaves the entry as an interrupted attempt: still queued.
        let _ = self.entry.save();
        Queued {
            id: self.entry.meta.id.clone(),
            message_id: self.entry.meta.message_id.clone(),
            reason,
            stage,
            queue_dir: self.queue_dir,
        }
    }

    /// Sent, or refused for good: out of the queue. What could not be removed is a
    /// warning (a flush would send it again).
    pub fn release(self) -> Option<String> {
        let id = self.entry.meta.id.clone();
        self.entry.remove().err().map(|e| {
            format!(
                "its copy {id} could not be removed from the queue ({e}): drop it with `posta queue drop {id}`"
            )
        })
    }
}

/// The account's spool: the config's `queue_dir`, else `$XDG_DATA_HOME/posta/queue`.
fn spool_dir(account: &Account) -> Option<PathBuf> {
    account.queue_dir.clone().or_else(queue::default_dir)
}

/// The metadata of a new entry for `pending`, due at `now`, no attempt made.
fn pending_meta(pending: &Pending<'_>, now: i64) -> Meta {
    let message = Message {
        origin: pending.origin,
        envelope: pending.envelope,
        dsn: pending.dsn,
        message_id: pending.message_id,
        eight_bit: pending.eight_bit,
        bcc: pending.bcc,
    };
    let mut meta = message.meta(now);
    meta.profile = pending.account.profile.clone();
    let settings = &pending.account.settings;
    meta.server = QueuedServer {
        host: settings.host.clone(),
        port: settings.port,
        security: settings.security.name().into(),
    };
    meta.login_hint = pending.login_hint.clone();
    meta
}

/// A message as every way into the queue records it, account or not.
pub struct Message<'a> {
    pub origin: &'a Origin,
    pub envelope: &'a Envelope,
    pub dsn: &'a Dsn,
    pub message_id: &'a str,
    pub eight_bit: bool,
    /// The Bcc fields the sent message leaves out, for its copy in Sent.
    pub bcc: &'a [u8],
}

impl Message<'_> {
    /// A new entry's metadata for this message, due at `now`, no attempt made, no
    /// account recorded yet.
    pub(super) fn meta(&self, now: i64) -> Meta {
        let mut meta = Meta::new(now, String::new());
        meta.message_id = self.message_id.to_string();
        meta.eight_bit = self.eight_bit;
        meta.envelope = QueuedEnvelope {
            from: self.envelope.from.clone(),
            to: self.envelope.to.clone(),
            smtputf8: self.envelope.smtputf8,
        };
        meta.dsn = QueuedDsn {
            notify: self.dsn.notify.clone(),
            ret: self.dsn.ret.clone(),
            envid: self.dsn.envid.clone(),
        };
        // A flush may run from another directory (cron, a timer): record paths absolute.
        meta.config = self.origin.config.as_deref().map(absolute);
        meta.connection = self.origin.overrides.recorded();
        meta.bcc = String::from_utf8_lossy(self.bcc).into_owned();
        meta
    }
}

/// `path` made absolute against the current directory (as given when that fails).
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::smtp::{Reply, SmtpErrorKind};

    /// A refusal with `code` at `stage` (also used by the flush tests).
    pub(in crate::submit) fn rejected(code: u16, stage: Stage) -> SmtpError {
        SmtpError::new(
            stage,
            SmtpErrorKind::Rejected(Reply {
                code,
                enhanced: None,
                lines: vec!["x".into()],
            }),
        )
    }

    #[test]
    fn only_temporary_failures_are_queued_and_only_when_asked() {
        let t = QueuePolicy::OnTemporaryFailure;
        assert!(should_queue(t, &rejected(451, Stage::Rcpt)));
        assert!(should_queue(t, &rejected(421, Stage::Greeting)));
        assert!(should_queue(
            t,
            &SmtpError::new(Stage::Connect, SmtpErrorKind::Timeout)
        ));
        assert!(!should_queue(t, &rejected(550, Stage::Rcpt)));
        assert!(!should_queue(
            QueuePolicy::Never,
            &rejected(451, Stage::Rcpt)
        ));
    }

    #[test]
    fn on_failure_queues_what_is_not_the_messages_fault() {
        let f = QueuePolicy::OnFailure;
        assert!(should_queue(f, &rejected(451, Stage::Rcpt)));
        assert!(should_queue(f, &rejected(554, Stage::Greeting)));
        assert!(should_queue(
            f,
            &SmtpError::new(
                Stage::Auth,
                SmtpErrorKind::AuthFailed(crate::smtp::Reply {
                    code: 535,
                    enhanced: None,
                    lines: vec![],
                })
            )
        ));
        assert!(!should_queue(f, &rejected(550, Stage::Rcpt)));
        assert!(!should_queue(f, &rejected(554, Stage::EndOfData)));
        assert!(!should_queue(
            QueuePolicy::OnTemporaryFailure,
            &rejected(554, Stage::Greeting)
        ));
    }
}
