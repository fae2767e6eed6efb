//! One attempt at one queued message (`posta queue flush`): the entry's account,
//! resolved again by the caller, goes through [`super::deliver`] like any other
//! message, and the result says what to do with the entry. The loop over entries
//! and its report are `cmd::queue`'s; the spool is [`crate::queue`]'s.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::config::Account;
use crate::envelope::{Dsn, Envelope};
use crate::message::ComposeError;
use crate::message::raw::{self, RawOptions, Spooled};
use crate::model::QueuePolicy;
use crate::queue::{self, HeaderFrom, Locked};
use crate::smtp::{self, Credentials, Outcome, SmtpError, SmtpErrorKind, Stage, Transcript};
use crate::submit::ledger::Ledger;
use crate::submit::payload::SpooledPayload;

use super::{Delivery, Origin, Submission};

/// What happened to one entry.
#[derive(Debug)]
pub enum Attempt {
    /// Sent; and what became of the copy in Sent.
    Sent(Outcome, super::SentCopy),
    /// Delivered to some recipients only (LMTP): `refused` says who did not get it.
    /// The entry waits for those that failed temporarily, and for them alone.
    Partly(Outcome, super::SentCopy),
    /// Not sent, for a reason that may pass: it waits for its next turn.
    Deferred(String),
    /// Refused for good: moved aside.
    Failed(String),
    /// Not tried: its recipients do not fit under the profile's daily limit before
    /// `until`. Not a failed attempt.
    OverLimit { until: i64, reason: String },
}

/// The secrets fetched during one flush, so that an account's password is asked for
/// (or its command run) once per flush, not once per message.
#[derive(Default)]
pub struct Secrets(HashMap<String, Fetched>);

/// What was fetched for an account: its credentials, its proxy with the proxy's
/// password, its client certificate with the key's passphrase; or, when they could not
/// be had, the service socket the account's messages go through instead.
enum Fetched {
    Secrets(
        Option<Credentials>,
        Option<smtp::Proxy>,
        Option<smtp::ClientCert>,
    ),
    Service(PathBuf),
}

/// One attempt at one locked entry through `account`. Account and connection problems
/// (credentials, TLS, AUTH) defer the entry: they are not about this message and the
/// user may fix them; it expires after [`queue::MAX_AGE`] like any other. The entry is
/// marked as being tried before the first byte goes out, so that an attempt cut short
/// is known later. An account whose secret cannot be had here sends through `service`
/// (`posta serve`'s socket) when it is one.
pub fn attempt(
    mut account: Account,
    origin: &Origin,
    locked: &mut Locked,
    secrets: &mut Secrets,
    service: Option<&Path>,
    mut transcript: Option<&mut Transcript<'_>>,
    warnings: &mut Vec<String>,
) -> io::Result<Attempt> {
    // Queued before there was an account (sendmail mode with no config): this
    // account's aliases and sender policy first, once.
    if locked.meta.unresolved {
        if let Err(e) = super::unresolved::apply_account(&account, &mut locked.meta) {
            return Ok(Attempt::Failed(crate::report::message_and_hints(&e).0));
        }
        locked.save()?;
    }
    let meta = locked.meta.clone();
    // Before any password is asked for: a message held back needs none.
    if let Some(held) = over_daily_limit(&account, meta.envelope.to.len(), queue::now()) {
        return Ok(held);
    }
    let key = format!(
        "{:?}|{:?}|{:?}",
        meta.profile, meta.connection, meta.login_hint
    );
    match secrets.0.get(&key) {
        Some(Fetched::Secrets(c, proxy, client_cert)) => {
            account.settings.credentials = c.clone();
            account.settings.proxy = proxy.clone();
            // With the client key's passphrase, asked for once too.
            account.settings.tls.client_cert = client_cert.clone();
        }
        Some(Fetched::Service(socket)) => account.through_service(socket),
        None => match account.load_credentials(meta.login_hint.as_deref()) {
            Ok(()) => {
                let fetched = Fetched::Secrets(
                    account.settings.credentials.clone(),
                    account.settings.proxy.clone(),
                    account.settings.tls.client_cert.clone(),
                );
                secrets.0.insert(key, fetched);
            }
            // On a shared server only the service reads the account's secret: a user's
            // entry (queued while the service was down) goes through it, as sendmail
            // mode's message would have.
            Err(e) => match service.filter(|s| super::is_service_socket(s)) {
                Some(socket) => {
                    account.through_service(socket);
                    secrets
                        .0
                        .insert(key, Fetched::Service(socket.to_path_buf()));
                }
                None => return Ok(Attempt::Deferred(e.to_string())),
            },
        },
    }

    locked.meta.attempt_started = Some(queue::now());
    locked.save()?;
    let envelope = Envelope {
        from: meta.envelope.from.clone(),
        to: meta.envelope.to.clone(),
        smtputf8: meta.envelope.smtputf8,
    };
    let dsn = Dsn {
        notify: meta.dsn.notify.clone(),
        ret: meta.dsn.ret.clone(),
        envid: meta.dsn.envid.clone(),
    };
    let submission = Submission {
        origin,
        envelope: &envelope,
        dsn: &dsn,
        message_id: &meta.message_id,
        login_hint: meta.login_hint.clone(),
        // It is in the queue already: a failure defers this entry, never adds one.
        policy: QueuePolicy::Never,
        hold_first: false,
        local_user: None,
        bcc: meta.bcc.as_bytes(),
        trace_copy: transcript.is_some(),
    };
    // Queued before there was an account: the header's From as the account gives it,
    // the message read again through the one spool (the file stays as it is).
    let mut respooled = match &meta.header_from {
        Some(header_from) => match respool(locked, header_from) {
            Ok(spooled) => Some(spooled),
            Err(e) => return Ok(Attempt::Failed(e.to_string())),
        },
        None => None,
    };
    let mut entry = EntryPayload(locked);
    let mut spooled_payload;
    let payload: &mut dyn smtp::Payload = match &mut respooled {
        Some(spooled) => {
            spooled_payload = SpooledPayload(spooled);
            &mut spooled_payload
        }
        None => &mut entry,
    };
    let delivered = super::deliver(
        &mut account,
        &submission,
        payload,
        &mut |settings, payload| {
            smtp::submit(
                settings,
                &envelope,
                &dsn,
                payload,
                transcript.as_deref_mut(),
            )
        },
        warnings,
    );
    Ok(match delivered {
        Ok(Delivery::Sent(outcome, copy)) => Attempt::Sent(outcome, copy),
        Ok(Delivery::Partly { outcome, copy, .. }) => Attempt::Partly(outcome, copy),
        Ok(Delivery::Queued(q)) => Attempt::Deferred(q.reason),
        Err(e) => match e.downcast_ref::<SmtpError>() {
            Some(e) if refuses_the_message(e) => Attempt::Failed(e.to_string()),
            Some(e) => Attempt::Deferred(e.to_string()),
            None => Attempt::Deferred(crate::report::message_and_hints(&e).0),
        },
    })
}

/// A refusal of this message (not of the account or the connection): trying again
/// would get the same answer, so the entry is moved aside at once.
pub(super) fn refuses_the_message(e: &SmtpError) -> bool {
    use SmtpErrorKind::*;
    if e.is_transient() {
        return false;
    }
    match &e.kind {
        Rejected(_) => matches!(
            e.stage,
            Stage::Mail | Stage::Rcpt | Stage::Data | Stage::EndOfData
        ),
        RecipientsRefused { .. } | TooBig { .. } | InvalidInput(_) | Smtputf8Unavailable => true,
        _ => false,
    }
}

/// `Some` when the entry must not be tried now because its recipients do not fit under
/// the profile's daily limit (see [`crate::submit::ledger`]). `--all` does not override this: the
/// provider's limit is not ours to lift.
fn over_daily_limit(account: &Account, recipients: usize, now: i64) -> Option<Attempt> {
    let (Some(limit), Some(profile)) = (account.daily_limit, account.profile.as_deref()) else {
        return None;
    };
    // No state directory: nothing is counted (and sending warns that it is not).
    let ledger = Ledger::default_location()?;
    let need = recipients as u64;
    match ledger.next_room(profile, now, u64::from(limit), need) {
        Ok(Some(at)) if at <= now => None,
        Ok(Some(at)) => Some(Attempt::OverLimit {
            until: at,
            reason: crate::submit::ledger::limit_reached(profile, limit, at),
        }),
        Ok(None) => Some(Attempt::Failed(format!(
            "{recipients} recipients are more than the daily limit of {limit} of profile \
             {profile}: it can never be sent through it; send it in parts or raise daily_limit"
        ))),
        Err(e) => Some(Attempt::Deferred(format!(
            "cannot read the usage ledger in {}: {e}",
            ledger.dir().display()
        ))),
    }
}

/// A queued message as the transport's payload, streamed from its file.
/// The entry's message with its header's From made the account's (see
/// [`queue::Meta::header_from`]); everything else as it was queued.
fn respool(locked: &mut Locked, header_from: &HeaderFrom) -> Result<Spooled, ComposeError> {
    let opts = RawOptions {
        extract_recipients: false,
        envelope_from: Some(locked.meta.envelope.from.clone()),
        full_name: None,
        default_from: Some(header_from.profile.clone()),
        recipients: locked.meta.envelope.to.clone(),
        rewrite_from: header_from.rewrite,
    };
    let mut reader = locked
        .message_reader()
        .map_err(|e| ComposeError::BadInput(format!("cannot read the queued message: {e}")))?;
    raw::spool(&mut reader, &opts)
}

struct EntryPayload<'a>(&'a mut Locked);

impl smtp::Payload for EntryPayload<'_> {
    fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.0.write_message(out)
    }

    fn size_hint(&self) -> Option<u64> {
        Some(self.0.meta.size)
    }

    fn is_8bit(&self) -> bool {
        self.0.meta.eight_bit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smtp::Reply;
    use crate::submit::queueing::tests::rejected;

    #[test]
    fn a_flush_moves_aside_only_refusals_of_the_message() {
        assert!(refuses_the_message(&rejected(550, Stage::Rcpt)));
        assert!(refuses_the_message(&rejected(554, Stage::EndOfData)));
        assert!(!refuses_the_message(&rejected(451, Stage::EndOfData)));
        assert!(!refuses_the_message(&rejected(554, Stage::Greeting)));
        assert!(!refuses_the_message(&SmtpError::new(
            Stage::Auth,
            SmtpErrorKind::AuthFailed(Reply {
                code: 535,
                enhanced: None,
                lines: vec![]
            })
        )));
    }
}
