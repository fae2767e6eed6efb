//! A message that came in before there was an account to send it with: sendmail mode
//! with no config at all, one that cannot be read or trusted, or no such profile. That
//! is never the message's fault (cron has no say in the machine's config), so it waits
//! in the queue like any message whose account failed, and the account's own rules —
//! its aliases for local names, its sender policy — are applied when `queue flush`
//! finds an account for it, before its first attempt.

use std::io::{self, Write};

use super::queueing::{Message, Queued};
use crate::config::file::{EnvelopeFrom, FromHeader};
use crate::config::{self, Account};
use crate::message::address;
use crate::model::exit_code::{Code, fail};
use crate::queue::{self, HeaderFrom, Meta, Queue};

/// What is known of a message without an account: the message, and the profile named
/// at submission (`-P`, `POSTA_PROFILE`), if any.
pub struct Unresolved<'a> {
    pub message: Message<'a>,
    pub profile: Option<String>,
}

/// Put the message `write` produces into the default queue, waiting for `reason` (the
/// config error) to be fixed. When no queue can be written, it goes to `~/dead.letter`
/// and the error (exit 75) says where; only when that fails too is the message lost,
/// and the error says all three.
pub fn queue(
    message: &Unresolved<'_>,
    reason: String,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<Queued> {
    let mut meta = message.message.meta(queue::now());
    meta.profile = message.profile.clone();
    meta.unresolved = true;
    // Due at once: the next flush (or `sendmail -q`) tries it as soon as it can.
    meta.last_error = Some(reason.clone());
    let Some(dir) = queue::default_dir() else {
        return Err(dead_letter(message, &reason, "no data directory", write));
    };
    match Queue::open(&dir).and_then(|q| q.add(meta, write)) {
        Ok(id) => Ok(Queued {
            id,
            message_id: message.message.message_id.to_string(),
            reason,
            stage: None,
            queue_dir: dir,
        }),
        Err(e) => {
            let why = format!("in {}: {e}", dir.display());
            Err(dead_letter(message, &reason, &why, write))
        }
    }
}

fn dead_letter(
    message: &Unresolved<'_>,
    reason: &str,
    why: &str,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Error {
    match super::dead_letter::save(&message.message.envelope.from, write) {
        Ok(path) => fail(
            Code::TempFail,
            format!(
                "not sent ({reason}), and not queued ({why}): saved in {}",
                path.display()
            ),
        ),
        Err(e) => fail(
            Code::Config,
            format!(
                "not sent ({reason}), and not queued ({why}), and not saved in \
                 ~/dead.letter ({e})"
            ),
        ),
    }
}

/// The account's rules applied to an entry queued without one, as sendmail mode
/// applies them before sending: local names through its aliases, and MAIL FROM made
/// the profile's address when its `envelope_from` says so or the sender is a local
/// user; then the provider's sender rule. The header's From is the account's business
/// too: it is recorded (`Meta::header_from`) and applied to the header block at each
/// attempt (`submit::flush`), since the message file is never rewritten. An error
/// refuses the message: the account says it cannot go (a local name with no alias, a
/// sender the provider refuses).
pub fn apply_account(account: &Account, meta: &mut Meta) -> anyhow::Result<()> {
    let to = config::aliases::expand_for(account, &meta.envelope.to)?;
    // As sendmail mode does: the profile's address when its policy says so, or when
    // the sender is a local user's (`root@<this host>`), whom no provider takes.
    if (account.envelope_from == EnvelopeFrom::Profile
        || crate::message::raw::is_local_sender(&meta.envelope.from))
        && let Some(from) = account.from.as_deref()
    {
        meta.envelope.from = address::bare_address(from);
    }
    super::check_per_message_limit(account, to.len())?;
    meta.envelope.to = to;
    if !meta.envelope.from.is_empty() {
        super::sender::check_provider_rules(account, &meta.envelope.from)?;
    }
    if meta.login_hint.is_none() {
        meta.login_hint = account
            .from
            .clone()
            .or_else(|| Some(meta.envelope.from.clone()));
    }
    meta.header_from = account.from.clone().map(|profile| HeaderFrom {
        profile,
        rewrite: account.from_header == FromHeader::Rewrite,
    });
    meta.unresolved = false;
    Ok(())
}
