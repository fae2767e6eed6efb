//! `posta queue flush`: every entry that is due, through the account it resolves to
//! now (`entry_account`), one attempt each ([`crate::submit::flush`]); what was sent,
//! deferred, refused for good (moved to `failed/`), busy or unusable, in one report.

use serde_json::json;

use super::{duration, existing, io_fail, move_aside, unusable_advice, unusable_json};
use crate::cli::{GlobalArgs, QueueFlushArgs};
use crate::cmd::{Console, Report};
use crate::config::{self, Account, Overrides};
use crate::model::exit_code::Code;
use crate::queue::{self, Place};
use crate::smtp::Transcript;
use crate::submit::Origin;
use crate::submit::flush::{self, Attempt};

pub(super) fn flush(
    global: &GlobalArgs,
    args: &QueueFlushArgs,
    console: &mut Console<'_>,
) -> anyhow::Result<Report> {
    let (dir, q) = existing(global)?;
    let Some(q) = q else {
        return Ok(Report {
            human: String::new(),
            json: Some(
                json!({"status": "flushed", "sent": [], "deferred": [], "failed": [], "busy": [], "unusable": [], "not_due": 0}),
            ),
            data: false,
            exit: None,
        });
    };
    q.clean().map_err(|e| io_fail(&dir, e))?;
    let listing = q.list(Place::Queued).map_err(|e| io_fail(&dir, e))?;
    let mut secrets = flush::Secrets::default();
    let service = crate::cmd::sendmail::service_socket();
    let (mut sent, mut deferred, mut failed, mut busy) = (vec![], vec![], vec![], vec![]);
    let mut not_due = 0;
    let mut human = Vec::new();
    let mut unusable = Vec::new();
    let mut refuse = |human: &mut Vec<String>, id: &str, reason: String| {
        human.push(format!(
            "unusable {id}: {reason}; {}",
            unusable_advice(&dir, Place::Queued, id)
        ));
        unusable.push(unusable_json(
            Place::Queued,
            &queue::Unusable {
                id: id.to_string(),
                reason,
            },
        ));
    };
    for u in listing.unusable {
        refuse(&mut human, &u.id, u.reason);
    }
    for entry in listing.entries {
        if !args.all && !entry.is_due(queue::now()) {
            not_due += 1;
            continue;
        }
        let locked = match q.lock(Place::Queued, &entry.id) {
            Ok(l) => l,
            // Damaged or replaced since it was listed: reported, the others go on.
            Err(e) => {
                refuse(&mut human, &entry.id, e.to_string());
                continue;
            }
        };
        let Some(mut locked) = locked else {
            // Another flush has it (or just sent it).
            if q.get(&entry.id).ok().flatten().is_some() {
                human.push(format!("busy {}: another posta is sending it", entry.id));
                busy.push(json!({"id": entry.id}));
            }
            continue;
        };
        // Read again under the lock: another flush may have tried it meanwhile.
        if !args.all && !locked.meta.is_due(queue::now()) {
            not_due += 1;
            continue;
        }
        let id = locked.meta.id.clone();
        let interrupted = locked.meta.attempt_started.is_some();
        let result = match entry_account(global, args, &locked.meta) {
            Err(Skip::Refuse(why)) => {
                refuse(&mut human, &id, why);
                continue;
            }
            Ok((account, origin)) => {
                let mut transcript = Transcript {
                    out: &mut *console.err,
                    level: global.verbose,
                };
                let mut warnings = Vec::new();
                let attempt = flush::attempt(
                    account,
                    &origin,
                    &mut locked,
                    &mut secrets,
                    service.as_deref(),
                    (global.verbose > 0).then_some(&mut transcript),
                    &mut warnings,
                );
                for warning in warnings {
                    writeln!(console.err, "posta: warning: {warning}")?;
                }
                attempt.map_err(|e| io_fail(&dir, e))?
            }
            Err(Skip::Defer(why)) => Attempt::Deferred(why),
        };
        let mut base = json!({"id": id, "message_id": locked.meta.message_id, "recipients": locked.meta.envelope.to});
        if interrupted {
            base["after_interrupted_attempt"] = json!(true);
        }
        let (why, over_limit) = match result {
            Attempt::Sent(outcome, copy) => {
                locked.remove().map_err(|e| io_fail(&dir, e))?;
                for line in copy.transcript() {
                    writeln!(console.err, "{line}")?;
                }
                human.push(format!(
                    "sent {id} <{}> via {}: {}",
                    base["message_id"].as_str().unwrap_or(""),
                    outcome.server,
                    outcome.final_reply
                ));
                base["server"] = json!(outcome.server);
                base["accepted"] = json!(outcome.accepted);
                base["final_reply"] = json!(outcome.final_reply);
                copy.add_json(&mut base);
                sent.push(base);
                continue;
            }
            Attempt::Partly(outcome, copy) => {
                for line in copy.transcript() {
                    writeln!(console.err, "{line}")?;
                }
                copy.add_json(&mut base);
                let again: Vec<String> = (outcome.refused.iter())
                    .filter(|r| r.reply.is_transient())
                    .map(|r| r.address.clone())
                    .collect();
                let why = partly_sent(&outcome);
                base["server"] = json!(outcome.server);
                base["accepted"] = json!(outcome.accepted);
                base["refused"] = json!(outcome.refused);
                if again.is_empty() {
                    human.push(move_aside(locked, &dir, &why)?);
                    base["reason"] = json!(why);
                    failed.push(base);
                    continue;
                }
                // Those who have it must not get it twice: the entry waits for the
                // others only.
                locked.meta.envelope.to = again;
                locked.meta.record_failure(queue::now(), why.clone());
                (why, false)
            }
            Attempt::Failed(why) => {
                human.push(move_aside(locked, &dir, &why)?);
                base["reason"] = json!(why);
                failed.push(base);
                continue;
            }
            Attempt::Deferred(why) => {
                locked.meta.record_failure(queue::now(), why.clone());
                (why, false)
            }
            Attempt::OverLimit { until, reason } => {
                locked.meta.last_error = Some(reason.clone());
                locked.meta.attempt_started = None;
                locked.meta.next_attempt = until;
                (reason, true)
            }
        };
        // Held back or failed for now: it waits, unless it has waited too long.
        let now = queue::now();
        if locked.meta.is_expired(now) {
            let reason = format!(
                "expired: not sent in {} ({} attempts); last error: {why}",
                duration(now - locked.meta.created),
                locked.meta.attempts
            );
            locked
                .move_aside(reason.clone())
                .map_err(|e| io_fail(&dir, e))?;
            human.push(format!(
                "failed {id}: moved to {}: {reason}",
                dir.join("failed").join(&id).display()
            ));
            base["reason"] = json!(reason);
            failed.push(base);
        } else {
            locked.save().map_err(|e| io_fail(&dir, e))?;
            let next = duration(locked.meta.next_attempt - now);
            human.push(if over_limit {
                format!("deferred {id} (not tried): {why}; next attempt in {next}")
            } else {
                format!(
                    "deferred {id} (attempt {}): {why}; next attempt in {next}",
                    locked.meta.attempts
                )
            });
            base["reason"] = json!(why);
            base["attempts"] = json!(locked.meta.attempts);
            base["next_attempt"] = json!(locked.meta.next_attempt);
            base["over_daily_limit"] = json!(over_limit);
            deferred.push(base);
        }
    }
    human.push(format!(
        "queue: {} sent, {} deferred, {} failed, {} busy, {} unusable, {not_due} not due yet",
        sent.len(),
        deferred.len(),
        failed.len(),
        busy.len(),
        unusable.len()
    ));
    // An entry that could not be used says so first: it needs a look, not a retry.
    let code = if !unusable.is_empty() {
        Code::IoErr
    } else if !failed.is_empty() {
        Code::Unavailable
    } else {
        Code::Ok
    };
    let report = Report {
        human: human.join("\n"),
        json: Some(json!({
            "status": "flushed",
            "queue_dir": dir,
            "sent": sent,
            "deferred": deferred,
            "failed": failed,
            "busy": busy,
            "unusable": unusable,
            "not_due": not_due,
            "exit_code": code.as_i32(),
        })),
        data: false,
        exit: (code != Code::Ok).then_some(code),
    };
    Ok(report)
}

/// Why an entry is not tried in this flush.
enum Skip {
    /// A reason that may pass (the config as it is now): it waits for its next turn.
    Defer(String),
    /// posta will not act on it: it is reported and left as it is.
    Refuse(String),
}

/// The account an entry goes through, resolved again from what it recorded (profile,
/// config file, connection flags) and `queue flush`'s own `-c` and
/// `--password-command`; why not, as the entry's reason to wait, or to be refused: a
/// recorded config file someone else could have written (it may name a command to
/// run and where to send the password), or recorded values weaker than the profile's.
fn entry_account(
    global: &GlobalArgs,
    args: &QueueFlushArgs,
    meta: &queue::Meta,
) -> Result<(Account, Origin), Skip> {
    let mut overrides = Overrides::from_recorded(&meta.connection).map_err(Skip::Defer)?;
    // Like --password-command at submission, never recorded: this flush's own.
    overrides.password_command = args.password_command.clone();
    if global.config.is_none()
        && let Some(recorded) = &meta.config
        && let Some(why) = crate::private_fs::foreign_writer(recorded)
    {
        return Err(Skip::Refuse(format!(
            "the config file it was queued with could have been written by someone else \
             ({why}), and posta does not run its commands or send a password where it \
             says; make the file yours and writable only by you, or flush with -c FILE"
        )));
    }
    let config_path = global.config.clone().or(meta.config.clone());
    let account = if meta.unresolved {
        // Queued before there was an account: chosen now as sendmail mode would have.
        config::resolve(&config::Request {
            config_path: config_path.clone(),
            profile: meta.profile.clone(),
            from_hint: Some(meta.envelope.from.clone()),
            overrides: overrides.clone(),
        })
    } else {
        config::resolve_recorded(config_path.as_deref(), meta.profile.as_deref(), &overrides)
    }
    .map_err(|e| Skip::Defer(e.to_string()))?;
    if let Some(why) = config::weakened_by_recorded(
        config_path.as_deref(),
        account.profile.as_deref(),
        &overrides,
        &account,
    ) {
        return Err(Skip::Refuse(why));
    }
    let origin = Origin {
        config: meta.config.clone(),
        overrides,
    };
    Ok((account, origin))
}

/// What a partial delivery did, for the entry's last error and the flush report.
fn partly_sent(outcome: &crate::smtp::Outcome) -> String {
    let (delivered, refused) = crate::cmd::recipients_in_words(outcome);
    format!(
        "delivered to {} via {}; not to {}",
        delivered.join(", "),
        outcome.server,
        refused.join("; ")
    )
}
