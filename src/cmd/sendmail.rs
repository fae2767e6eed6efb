//! `posta sendmail` (and the binary invoked as `sendmail`): read a finished message on
//! stdin and submit it through the one path. The flags are read by
//! [`crate::cli::sendmail`]; sendmail's conventions for the outcome are here: silent on
//! success, a queued message is success said in one line.

use std::io::{self, BufRead};

use super::{Console, Report, submission_report};
use crate::cli::QueuePolicy;
use crate::cli::sendmail::SendmailFlags;
use crate::config;
use crate::config::file::{EnvelopeFrom, FromHeader};
use crate::envelope::Dsn;
use crate::message::address;
use crate::message::raw::{self, LongLines, RawOptions};
use crate::model::exit_code::Code;
use crate::progress;
use crate::smtp::{self, Transcript};
use crate::submit::payload::SpooledPayload;
use crate::submit::{self, Delivery, Origin, Queued, Submission};

/// sendmail's convention for a queued message: success (exit 0), said in one line.
fn queued_report(q: Queued) -> Report {
    Report {
        human: format!("queued as {}: {}", q.id, q.reason),
        json: Some(q.json(Code::Ok)),
        data: false,
        exit: None,
    }
}

/// Run sendmail mode with its raw arguments.
pub fn run(
    flags: SendmailFlags,
    console: &mut Console<'_>,
    stdin: &mut dyn BufRead,
) -> anyhow::Result<Report> {
    // sendmail's own --config and --profile, else the environment.
    let global = flags.global();
    let mut request = config::Request {
        config_path: global.config,
        profile: global.profile,
        from_hint: None,
        overrides: (&flags.connection).into(),
    };
    if console.stdin_is_terminal {
        // sendmail on a terminal would wait for a message typed by hand; say how to end it.
        let _ = writeln_err(
            console,
            "sendmail: reading the message from the terminal; end it with Ctrl-D",
        );
    }

    let block = raw::read_header_block(stdin)?;
    request.from_hint = flags.envelope_from.clone().or_else(|| block.from_address());
    let mut account = match config::resolve(&request) {
        Ok(account) => account,
        // No config, or none that can be used: not the message's fault.
        Err(e) if flags.queue != Some(QueuePolicy::Never) => {
            return queue_without_account(&flags, &request, block, stdin, e);
        }
        Err(e) => return Err(e.into()),
    };
    if flags.verbose > 0
        && let Some(why) = &account.chosen
    {
        let _ = writeln_err(console, &format!("sendmail: {why}"));
    }
    // The profile's sender policy: a provider that checks the sender refuses what is
    // not the login, and cron and mailx send as `root@hostname`.
    let profile_sender = account.from.as_deref().map(address::bare_address);
    let envelope_from = match (&account.envelope_from, &profile_sender) {
        (EnvelopeFrom::Profile, Some(from)) => {
            if flags.verbose > 0 {
                let _ = writeln_err(
                    console,
                    &format!("sendmail: MAIL FROM:<{from}> (envelope_from = \"profile\")"),
                );
            }
            Some(from.clone())
        }
        // `-f root@<this host>` (GNU mailutils' `mail`, cron): a local user, whom no
        // provider takes as sender; the profile's address goes instead.
        (_, Some(from))
            if flags
                .envelope_from
                .as_deref()
                .is_some_and(raw::is_local_sender) =>
        {
            if flags.verbose > 0 {
                let _ = writeln_err(
                    console,
                    &format!("sendmail: MAIL FROM:<{from}> (the local sender's is no provider's)"),
                );
            }
            Some(from.clone())
        }
        _ => flags.envelope_from.clone(),
    };
    let opts = RawOptions {
        extract_recipients: flags.extract_recipients,
        envelope_from,
        full_name: flags.full_name.clone(),
        default_from: account.from.clone(),
        recipients: flags.recipients.clone(),
        rewrite_from: account.from_header == FromHeader::Rewrite,
    };
    let mut spooled = block.spool(stdin, &opts)?;
    if flags.verbose > 0
        && let Some(long) = spooled.long_lines
    {
        let what = match long {
            LongLines::ReEncoded => "the text was re-encoded as quoted-printable",
            LongLines::Folded => "they were folded (CRLF and a space inserted), as Postfix does",
        };
        writeln!(console.err, "sendmail: lines over 998 octets: {what}")?;
    }
    // cron mails `root`, mailx a bare user name: no provider takes those.
    spooled.envelope.to = config::aliases::expand_for(&account, &spooled.envelope.to)?;
    submit::check_per_message_limit(&account, spooled.envelope.to.len())?;
    // What `send` checks before connecting holds here too (the null sender of a
    // bounce is no author).
    if !spooled.envelope.from.is_empty() {
        submit::sender::check_provider_rules(&account, &spooled.envelope.from)?;
    }
    let login_address = account
        .from
        .clone()
        .unwrap_or_else(|| spooled.envelope.from.clone());
    let dsn = Dsn {
        notify: flags.dsn_notify.clone(),
        ret: flags.dsn_return.clone(),
        envid: flags.envid.clone(),
    }
    .with_default_envid(&spooled.message_id);
    let envelope = spooled.envelope.clone();
    let message_id = spooled.message_id.clone();
    // What the queue records with the message.
    let origin = Origin {
        config: request.config_path.clone(),
        overrides: request.overrides.clone(),
    };
    // The caller (cron, a daemon) cannot fix anything: whatever is not the message's
    // own fault waits in the queue — where it is before the session starts, so that a
    // signal (a systemd stop, a cron timeout) cannot lose it either.
    let policy = submit::queueing::policy(flags.queue, &account, QueuePolicy::OnFailure);
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
        bcc: &bcc,
        trace_copy: flags.verbose > 0,
    };
    // sendmail's flags have no -q: a terminal is the whole test (cron and scripts never
    // give one), with --json and -v still turning the bar off.
    let progress =
        progress::Switch::decide(console.stderr_is_terminal, false, flags.json, flags.verbose);
    let err = &mut *console.err;
    let mut warnings = Vec::new();
    let delivered = submit::deliver(
        &mut account,
        &submission,
        &mut SpooledPayload(&mut spooled),
        &mut |settings, payload| {
            let mut upload = progress.upload(payload);
            let mut transcript = Transcript {
                out: &mut *err,
                level: flags.verbose,
            };
            smtp::submit(
                settings,
                &envelope,
                &dsn,
                &mut upload,
                (flags.verbose > 0).then_some(&mut transcript),
            )
        },
        &mut warnings,
    );
    for warning in warnings {
        writeln!(console.err, "sendmail: warning: {warning}")?;
    }
    let (outcome, copy) = match delivered? {
        Delivery::Sent(outcome, copy) => (outcome, copy),
        // sendmail's convention: queued is success (exit 0), said in one line.
        Delivery::Queued(queued) => return Ok(queued_report(queued)),
        // Said even in sendmail mode: some recipients did not get it.
        Delivery::Partly {
            outcome,
            queued,
            copy,
        } => {
            for line in copy.transcript() {
                writeln!(console.err, "{line}")?;
            }
            let mut report = super::partly_report(&outcome, queued.as_ref(), &message_id, true);
            if let Some(json) = &mut report.json {
                copy.add_json(json);
            }
            return Ok(report);
        }
    };
    // Rare, and about this message (its 8-bit bytes, its DSN request): worth a line
    // even in sendmail mode, which is otherwise silent on success.
    for warning in &outcome.warnings {
        writeln!(console.err, "sendmail: warning: {warning}")?;
    }
    for line in copy.transcript() {
        writeln!(console.err, "{line}")?;
    }
    let mut report = submission_report(&outcome, &message_id);
    if let Some(json) = &mut report.json {
        copy.add_json(json);
    }
    // sendmail is silent on success: cron mails whatever it prints.
    report.human.clear();
    Ok(report)
}

/// No account to send with: the message is read as the caller gave it and waits in
/// the queue, where `queue flush` applies the account's rules once there is one.
fn queue_without_account(
    flags: &SendmailFlags,
    request: &config::Request,
    block: raw::HeaderBlock,
    stdin: &mut dyn BufRead,
    err: config::ConfigError,
) -> anyhow::Result<Report> {
    let opts = RawOptions {
        extract_recipients: flags.extract_recipients,
        envelope_from: flags.envelope_from.clone(),
        full_name: flags.full_name.clone(),
        default_from: None,
        recipients: flags.recipients.clone(),
        rewrite_from: false,
    };
    let mut spooled = block.spool(stdin, &opts)?;
    let dsn = Dsn {
        notify: flags.dsn_notify.clone(),
        ret: flags.dsn_return.clone(),
        envid: flags.envid.clone(),
    }
    .with_default_envid(&spooled.message_id);
    let origin = Origin {
        config: request.config_path.clone(),
        overrides: request.overrides.clone(),
    };
    let envelope = spooled.envelope.clone();
    let message_id = spooled.message_id.clone();
    // Kept with the entry for its copy in Sent, as any queued message's.
    let bcc = std::mem::take(&mut spooled.bcc);
    let unresolved = submit::unresolved::Unresolved {
        message: submit::queueing::Message {
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
    let queued = submit::unresolved::queue(&unresolved, reason, &mut |out| spooled.write_to(out))?;
    Ok(queued_report(queued))
}

fn writeln_err(console: &mut Console<'_>, line: &str) -> io::Result<()> {
    writeln!(console.err, "{line}")
}
