//! A finished message from outside posta — sendmail mode's stdin, or a message
//! received over SMTP (`sendmail -bs`, `posta serve`) — into the one path: the profile
//! its sender picks, the profile's sender policy, the spool, aliases, the limits, a
//! [`Submission`] held in the queue before the session, and [`super::deliver`].
//!
//! One function for every way a finished message comes in, so that what sendmail mode
//! checks and decides (and what it queues) holds for an SMTP client too.

use std::io::BufRead;
use std::path::PathBuf;

use super::payload::SpooledPayload;
use super::{Delivery, Origin, Submission};
use crate::config::file::{EnvelopeFrom, FromHeader};
use crate::config::{self, Account};
use crate::envelope::{Dsn, Envelope};
use crate::message::address;
use crate::message::raw::{self, LongLines, RawOptions};
use crate::model::QueuePolicy;
use crate::smtp::{Outcome, Payload, Settings, SmtpError};

/// What the way in says about one finished message besides its bytes.
#[derive(Debug, Clone)]
pub struct Finished {
    /// The config file, profile and flags; `from_hint` is filled here.
    pub request: config::Request,
    /// `-t`: recipients from the header too.
    pub extract_recipients: bool,
    /// `-f`, or MAIL FROM.
    pub envelope_from: Option<String>,
    /// `-F`
    pub full_name: Option<String>,
    /// The arguments, or the RCPTs.
    pub recipients: Vec<String>,
    pub dsn: Dsn,
    /// `--queue`; `None`: the profile's, else queue on any failure that is not the
    /// message's own (the caller cannot fix anything).
    pub queue: Option<QueuePolicy>,
    /// The local user who handed the message over, when posta knows it for sure (the
    /// peer of `posta serve`'s Unix socket): written to the submission log.
    pub local_user: Option<String>,
    /// `posta serve`'s Unix socket: when the account's secret cannot be had and this
    /// socket exists, the message goes through the service (which holds the secret)
    /// instead. `None` for the service itself.
    pub hand_off: Option<PathBuf>,
    /// `-v`: the copy in Sent's IMAP dialogue for the caller's stderr.
    pub trace_copy: bool,
}

/// What happened on the way, for a caller that says more with `-v`.
#[derive(Debug)]
pub enum Note {
    /// Why this profile was chosen.
    Chosen(String),
    /// MAIL FROM is the profile's address (`envelope_from = "profile"`).
    EnvelopeFromProfile(String),
    /// MAIL FROM is the profile's address: the one given was a local user's.
    EnvelopeFromLocalSender(String),
    /// Lines over 998 octets were made to fit.
    LongLines(LongLines),
    /// The secret could not be had (why); the message goes through the service's
    /// socket.
    HandedOff(PathBuf, String),
}

/// A finished message handed on: what became of it, and its Message-ID.
#[derive(Debug)]
pub struct Handed {
    pub delivery: Delivery,
    pub message_id: String,
}

/// The session that carries the message, given the envelope and DSN request this
/// function settled on.
pub type FinishedTransport<'t> =
    dyn FnMut(&Settings, &Envelope, &Dsn, &mut dyn Payload) -> Result<Outcome, SmtpError> + 't;

/// Read the message from `input`, spool it, and hand it to [`super::deliver`]. What
/// could not be logged or counted goes to `warnings`.
pub fn deliver(
    what: &Finished,
    input: &mut dyn BufRead,
    notes: &mut dyn FnMut(Note),
    transport: &mut FinishedTransport<'_>,
    warnings: &mut Vec<String>,
) -> anyhow::Result<Handed> {
    let mut request = what.request.clone();
    let block = raw::read_header_block(input)?;
    request.from_hint = what.envelope_from.clone().or_else(|| block.from_address());
    let mut account = match config::resolve(&request) {
        Ok(account) => account,
        // No config, or none that can be used: not the message's fault.
        Err(e) if what.queue != Some(QueuePolicy::Never) => {
            return queue_without_account(what, &request, block, input, e);
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(why) = &account.chosen {
        notes(Note::Chosen(why.clone()));
    }
    // The profile's sender policy: a provider that checks the sender refuses what is
    // not the login, and cron and mailx send as `root@hostname`.
    let profile_sender = account.from.as_deref().map(address::bare_address);
    let envelope_from = match (&account.envelope_from, &profile_sender) {
        (EnvelopeFrom::Profile, Some(from)) => {
            notes(Note::EnvelopeFromProfile(from.clone()));
            Some(from.clone())
        }
        // `-f root@<this host>` (GNU mailutils' `mail`, cron): a local user, whom no
        // provider takes as sender; the profile's address goes instead.
        (_, Some(from))
            if what
                .envelope_from
                .as_deref()
                .is_some_and(raw::is_local_sender) =>
        {
            notes(Note::EnvelopeFromLocalSender(from.clone()));
            Some(from.clone())
        }
        _ => what.envelope_from.clone(),
    };
    let opts = RawOptions {
        extract_recipients: what.extract_recipients,
        envelope_from,
        full_name: what.full_name.clone(),
        default_from: account.from.clone(),
        recipients: what.recipients.clone(),
        rewrite_from: account.from_header == FromHeader::Rewrite,
    };
    let mut spooled = block.spool(input, &opts)?;
    if let Some(long) = spooled.long_lines {
        notes(Note::LongLines(long));
    }
    // cron mails `root`, mailx a bare user name: no provider takes those.
    spooled.envelope.to = config::aliases::expand_for(&account, &spooled.envelope.to)?;
    super::check_per_message_limit(&account, spooled.envelope.to.len())?;
    // What `send` checks before connecting holds here too (the null sender of a
    // bounce is no author).
    if !spooled.envelope.from.is_empty() {
        super::sender::check_provider_rules(&account, &spooled.envelope.from)?;
    }
    let login_address = login_address(&account, &spooled.envelope);
    let dsn = what.dsn.clone().with_default_envid(&spooled.message_id);
    let envelope = spooled.envelope.clone();
    let message_id = spooled.message_id.clone();
    // What the queue records with the message.
    let origin = Origin {
        config: request.config_path.clone(),
        overrides: request.overrides.clone(),
    };
    // The caller (cron, a daemon, an application) cannot fix anything: whatever is not
    // the message's own fault waits in the queue — where it is before the session
    // starts, so that a signal (a systemd stop, a cron timeout) cannot lose it either.
    let policy = super::queueing::policy(what.queue, &account, QueuePolicy::OnFailure);
    // The Bcc the message as sent left out, for the copy in Sent.
    let bcc = std::mem::take(&mut spooled.bcc);
    let submission = Submission {
        origin: &origin,
        envelope: &envelope,
        dsn: &dsn,
        message_id: &message_id,
        login_hint: Some(login_address),
        policy,
        hold_first: policy != QueuePolicy::Never,
        local_user: what.local_user.as_deref(),
        bcc: &bcc,
        trace_copy: what.trace_copy,
    };
    // On a shared server only the service reads the account's secret: a user who
    // cannot hands the message to it rather than failing or queueing it for ever.
    if let Some(socket) = what
        .hand_off
        .as_deref()
        .filter(|p| super::is_service_socket(p))
        && account.settings.credentials.is_none()
        && let Err(e) = account.load_credentials(submission.login_hint.as_deref())
    {
        notes(Note::HandedOff(socket.to_path_buf(), e.to_string()));
        account.through_service(socket);
    }
    let delivery = super::deliver(
        &mut account,
        &submission,
        &mut SpooledPayload(&mut spooled),
        &mut |settings, payload| transport(settings, &envelope, &dsn, payload),
        warnings,
    )?;
    Ok(Handed {
        delivery,
        message_id,
    })
}

/// No account to send with: the message is read as the caller gave it and waits in
/// the queue, where `queue flush` applies the account's rules once there is one.
fn queue_without_account(
    what: &Finished,
    request: &config::Request,
    block: raw::HeaderBlock,
    input: &mut dyn BufRead,
    err: config::ConfigError,
) -> anyhow::Result<Handed> {
    let opts = RawOptions {
        extract_recipients: what.extract_recipients,
        envelope_from: what.envelope_from.clone(),
        full_name: what.full_name.clone(),
        default_from: None,
        recipients: what.recipients.clone(),
        rewrite_from: false,
    };
    let mut spooled = block.spool(input, &opts)?;
    let dsn = what.dsn.clone().with_default_envid(&spooled.message_id);
    let origin = Origin {
        config: request.config_path.clone(),
        overrides: request.overrides.clone(),
    };
    let envelope = spooled.envelope.clone();
    let message_id = spooled.message_id.clone();
    // Kept with the entry for its copy in Sent, as any queued message's.
    let bcc = std::mem::take(&mut spooled.bcc);
    let unresolved = super::unresolved::Unresolved {
        message: super::queueing::Message {
            origin: &origin,
            envelope: &envelope,
            dsn: &dsn,
            message_id: &message_id,
            eight_bit: spooled.eight_bit,
            bcc: &bcc,
        },
        profile: request.profile.clone(),
    };
    let reason = format!("{err} (it is sent by `posta queue flush` once that is fixed)");
    let queued = super::unresolved::queue(&unresolved, reason, &mut |out| spooled.write_to(out))?;
    Ok(Handed {
        delivery: Delivery::Queued(queued),
        message_id,
    })
}

/// Whether `path` is a Unix socket (the service's, when it runs).
/// The address the login is derived from when the account names no user.
fn login_address(account: &Account, envelope: &Envelope) -> String {
    account
        .from
        .clone()
        .unwrap_or_else(|| envelope.from.clone())
}
