//! A message delivered to some recipients and not to others: what an LMTP server can
//! answer after the end of data (RFC 2033 §4.2), one reply per recipient. Sending it
//! again to everyone would deliver it twice, so the recipients that failed
//! temporarily get a queue entry of their own (when the policy queues), and those
//! refused for good are reported; the exit code says which happened.

use crate::envelope::Envelope;
use crate::model::exit_code::Code;
use crate::smtp::{Outcome, Payload, SmtpError, SmtpErrorKind, Stage};

use super::queueing::{self, Queued};
use super::{Submission, pending};

/// Queue the message for the recipients of `outcome` that failed temporarily, when
/// the policy queues such a failure. What stops the queue from taking it is a
/// warning: the message was delivered to the others and that stays the outcome.
pub(super) fn queue_the_failed(
    account: &crate::config::Account,
    submission: &Submission<'_>,
    payload: &mut dyn Payload,
    outcome: &Outcome,
    warnings: &mut Vec<String>,
) -> Option<Queued> {
    let temporary: Vec<_> = (outcome.refused.iter())
        .filter(|r| r.reply.is_transient())
        .cloned()
        .collect();
    if temporary.is_empty() {
        return None;
    }
    let envelope = Envelope {
        from: submission.envelope.from.clone(),
        to: temporary.iter().map(|r| r.address.clone()).collect(),
        smtputf8: submission.envelope.smtputf8,
    };
    let reason = SmtpError::new(
        Stage::EndOfData,
        SmtpErrorKind::RecipientsRefused {
            refused: temporary,
            accepted: Vec::new(),
        },
    );
    if !queueing::should_queue(submission.policy, &reason) {
        return None;
    }
    // Its copy in Sent was saved with this delivery: the rest goes without another.
    let origin = super::Origin {
        config: submission.origin.config.clone(),
        overrides: crate::config::Overrides {
            save_sent: Some(false),
            ..submission.origin.overrides.clone()
        },
    };
    let only_these = Submission {
        origin: &origin,
        envelope: &envelope,
        login_hint: submission.login_hint.clone(),
        ..*submission
    };
    let pending = pending(account, &only_these, payload);
    match queueing::after_failure(&pending, reason, &mut |out| payload.write_to(out)) {
        Ok(queued) => Some(queued),
        Err(e) => {
            let (why, _) = crate::report::message_and_hints(&e);
            warnings.push(format!(
                "the recipients the server could not deliver to for now were not queued: {why}"
            ));
            None
        }
    }
}

/// The exit code of a partial delivery: 67 when a recipient was refused for good;
/// else 75, or 0 in sendmail mode when the rest is safe in the queue (sendmail's
/// convention: queued is success).
pub fn exit_code(outcome: &Outcome, queued: Option<&Queued>, queued_is_success: bool) -> Code {
    if outcome.refused.iter().any(|r| r.reply.is_permanent()) {
        Code::NoUser
    } else if queued.is_some() && queued_is_success {
        Code::Ok
    } else {
        Code::TempFail
    }
}
