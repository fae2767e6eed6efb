//! The one path from an account and a message to what became of it: credentials →
//! the SMTP submission → the queue when the failure is temporary and the policy says
//! so → the usage ledger → the submission log → a [`Delivery`] value, or an error.
//!
//! Every way a message comes in goes through here: `send` and sendmail mode call
//! [`deliver`]; `queue flush` calls it once per entry through [`flush::attempt`];
//! `batch`, whose sessions live in connection threads and whose daily-limit
//! accounting reserves room ahead, runs the transport itself and hands each result to
//! [`settle`], the shared tail of [`deliver`]. A queued message is an outcome
//! (`Delivery::Queued`), never an error.

pub mod dead_letter;
pub mod finished;
pub mod flush;
pub mod ledger;
pub mod partly;
pub mod payload;
pub mod queueing;
pub mod sender;
pub mod sent_copy;
pub mod submission_log;
pub mod unresolved;

use crate::config::Account;
use crate::envelope::{Dsn, Envelope};
use crate::model::QueuePolicy;
use crate::model::exit_code::{Code, fail};
use crate::smtp::{Outcome, Payload, Settings, SmtpError};

use queueing::{Hold, Keeping};
pub use queueing::{Origin, Queued};
pub use sent_copy::{Copies, SentCopy};

/// What became of a message handed to posta.
#[derive(Debug)]
pub enum Delivery {
    /// The server accepted it; and what became of the copy in Sent.
    Sent(Outcome, SentCopy),
    /// Delivered to some recipients only (an LMTP server's answer): `outcome.refused`
    /// names the others; those that failed temporarily are in the queue as `queued`
    /// when the policy queues (see [`partly`]). Its copy in Sent is saved once, now:
    /// the queued rest goes without another.
    Partly {
        outcome: Outcome,
        queued: Option<Queued>,
        copy: SentCopy,
    },
    /// Safe in the queue, not sent yet.
    Queued(Queued),
}

/// One message's facts besides its bytes: what the queue records and the log says.
pub struct Submission<'a> {
    pub origin: &'a Origin,
    pub envelope: &'a Envelope,
    pub dsn: &'a Dsn,
    pub message_id: &'a str,
    /// The address the login is derived from when the account names no user.
    pub login_hint: Option<String>,
    /// Which failures queue the message (see [`queueing::policy`]).
    pub policy: QueuePolicy,
    /// Put the message in the queue before the session (sendmail mode), rather than
    /// only after a failure: nothing is lost to a signal or a crash meanwhile.
    pub hold_first: bool,
    /// Who handed the message over, when known for sure (`posta serve`'s Unix socket).
    pub local_user: Option<&'a str>,
    /// The Bcc fields the message as sent left out (CRLF-terminated, empty when none):
    /// the copy in Sent keeps them, as mail clients do.
    pub bcc: &'a [u8],
    /// `-v`: keep the IMAP dialogue of the copy in Sent for the caller to show.
    pub trace_copy: bool,
}

/// Who counts accepted recipients against the profile's daily limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    /// [`settle`] records them in the ledger.
    Here,
    /// The caller keeps its own account of them (`batch` reserves room before sending).
    ByCaller,
}

/// The session that carries one message: `smtp::submit` with its own connection (and
/// the caller's transcript and progress bar), or a session reused across messages.
pub type Transport<'t> = dyn FnMut(&Settings, &mut dyn Payload) -> Result<Outcome, SmtpError> + 't;

/// Submit one message through `account`. Credentials are fetched unless the caller
/// already set them (a flush fetches each account's secret once). With
/// `hold_first`, the message is in the queue before anything else happens, so that
/// neither a signal nor a hung password command can lose it. What could not be
/// written to the ledger or the log is pushed to `warnings`: it does not change the
/// outcome, and the caller prints it under its own name (`posta:` or `sendmail:`).
pub fn deliver(
    account: &mut Account,
    submission: &Submission<'_>,
    payload: &mut dyn Payload,
    transport: &mut Transport<'_>,
    warnings: &mut Vec<String>,
) -> anyhow::Result<Delivery> {
    let keeping = if submission.hold_first {
        let pending = pending(account, submission, payload);
        match queueing::hold(&pending, &mut |out| payload.write_to(out)) {
            Hold::Held(held) => Keeping::Held(held),
            Hold::Taken(queued) => return Ok(Delivery::Queued(queued)),
            // Sent without a copy, as before; should it fail, queueing it is tried
            // again and what stands in the way is said then.
            Hold::Unavailable => Keeping::New,
        }
    } else {
        Keeping::New
    };
    if account.settings.credentials.is_none()
        && let Err(e) = account.load_credentials(submission.login_hint.as_deref())
    {
        // The message waits in the queue rather than being lost with this process.
        let pending = pending(account, submission, payload);
        let queued =
            queueing::after_credentials(submission.policy, e, &pending, keeping, &mut |out| {
                payload.write_to(out)
            })?;
        return Ok(Delivery::Queued(queued));
    }
    let mut result = transport(&account.settings, payload);
    if let Err(e) = &result
        && matches!(e.kind, crate::smtp::SmtpErrorKind::AuthFailed(_))
    {
        // A cached OAuth access token the server refused (revoked, or expired before its
        // time): once more with a new one. A refresh that fails is the account's
        // trouble, like a password command's: the message waits when the policy says so.
        match account.renew_oauth_token() {
            Ok(true) => result = transport(&account.settings, payload),
            Ok(false) => {}
            Err(e) => {
                let pending = pending(account, submission, payload);
                let queued = queueing::after_credentials(
                    submission.policy,
                    e,
                    &pending,
                    keeping,
                    &mut |out| payload.write_to(out),
                )?;
                return Ok(Delivery::Queued(queued));
            }
        }
    }
    settle_kept(
        account,
        submission,
        payload,
        result,
        Counting::Here,
        keeping,
        &mut Copies::new(submission.trace_copy),
        warnings,
    )
}

/// What follows the transport, for every way in: a temporary failure goes into the
/// queue when the policy says so; accepted recipients are counted (see [`Counting`]);
/// the copy in Sent is saved (through `copies`, whose IMAP sessions a batch keeps for
/// its next message); the submission log gets its line, whatever the outcome.
pub fn settle(
    account: &Account,
    submission: &Submission<'_>,
    payload: &mut dyn Payload,
    result: Result<Outcome, SmtpError>,
    counting: Counting,
    copies: &mut Copies,
    warnings: &mut Vec<String>,
) -> anyhow::Result<Delivery> {
    settle_kept(
        account,
        submission,
        payload,
        result,
        counting,
        Keeping::New,
        copies,
        warnings,
    )
}

/// [`settle`], with the queued copy where `keeping` says.
#[allow(clippy::too_many_arguments)]
fn settle_kept(
    account: &Account,
    submission: &Submission<'_>,
    payload: &mut dyn Payload,
    result: Result<Outcome, SmtpError>,
    counting: Counting,
    keeping: Keeping,
    copies: &mut Copies,
    warnings: &mut Vec<String>,
) -> anyhow::Result<Delivery> {
    let size = payload.size_hint();
    let settled = match (result, keeping) {
        (Ok(outcome), keeping) => {
            if let Keeping::Held(held) = keeping {
                warnings.extend(held.release());
            }
            if counting == Counting::Here {
                warnings.extend(crate::submit::ledger::record_submission(
                    account,
                    crate::queue::now(),
                    outcome.accepted.len(),
                ));
            }
            // After the held entry is released: a crash while saving cannot make a
            // flush send (and copy) the message again.
            let copy = copies.save(account, submission.bcc, payload);
            warnings.extend(copy.warning());
            if outcome.refused.is_empty() {
                Ok(Delivery::Sent(outcome, copy))
            } else {
                let queued =
                    partly::queue_the_failed(account, submission, payload, &outcome, warnings);
                Ok(Delivery::Partly {
                    outcome,
                    queued,
                    copy,
                })
            }
        }
        (Err(e), Keeping::Held(held)) if queueing::should_queue(submission.policy, &e) => {
            Ok(Delivery::Queued(held.keep(e.to_string(), Some(e.stage))))
        }
        (Err(e), Keeping::New) if queueing::should_queue(submission.policy, &e) => {
            // The same bytes again: Message-ID and Date were fixed when it was read.
            let pending = pending(account, submission, payload);
            queueing::after_failure(&pending, e, &mut |out| payload.write_to(out))
                .map(Delivery::Queued)
        }
        (Err(e), keeping) => {
            if let Keeping::Held(held) = keeping {
                warnings.extend(held.release());
            }
            Err(e.into())
        }
    };
    warnings.extend(submission_log::submission(
        account,
        submission.local_user,
        submission.envelope,
        size,
        settled.as_ref(),
    ));
    settled
}

/// Whether `path` is a socket (`posta serve`'s, which sendmail mode and `queue flush`
/// hand messages to when the account's secret cannot be had).
pub(crate) fn is_service_socket(path: &std::path::Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(path).is_ok_and(|m| m.file_type().is_socket())
}

/// What the queue records for `submission` through `account`.
fn pending<'a>(
    account: &'a Account,
    submission: &'a Submission<'a>,
    payload: &dyn Payload,
) -> queueing::Pending<'a> {
    queueing::Pending {
        origin: submission.origin,
        account,
        envelope: submission.envelope,
        dsn: submission.dsn,
        message_id: submission.message_id,
        eight_bit: payload.is_8bit(),
        login_hint: submission.login_hint.clone(),
        bcc: submission.bcc,
    }
}

/// Refuse, before connecting, a message with more envelope recipients than the account's
/// `per_message_limit` (the provider would refuse it, or worse, flag the account).
pub fn check_per_message_limit(account: &Account, recipients: usize) -> anyhow::Result<()> {
    let Some(limit) = account.per_message_limit else {
        return Ok(());
    };
    if recipients <= limit as usize {
        return Ok(());
    }
    let who = match account.preset {
        Some(p) if p.per_message_limit == Some(limit) => {
            format!(
                "{} takes at most {limit} recipients in one message",
                p.title
            )
        }
        _ => format!(
            "profile {} allows at most {limit} recipients in one message (per_message_limit)",
            account.profile.as_deref().unwrap_or("?")
        ),
    };
    Err(fail(
        Code::DataErr,
        format!(
            "{recipients} recipients, but {who}: split the list into several messages, \
             or send one message per recipient with `posta batch`"
        ),
    ))
}
