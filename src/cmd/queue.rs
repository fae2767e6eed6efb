//! `posta queue list | show ID | flush | drop ID`. Glue: the spool itself (files,
//! locks, schedule) is [`crate::queue`]; queueing a message and one attempt at an
//! entry are [`crate::submit`]'s; this file walks the entries and reports.

use std::io;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::{Console, Report};
use crate::cli::{GlobalArgs, QueueCommand, QueueFlushArgs};
use crate::config::{self, Account, ConfigError, Overrides};
use crate::model::exit_code::{Code, fail};
use crate::queue::{self, Listing, Meta, Place, Queue};
use crate::smtp::Transcript;
use crate::submit::Origin;
use crate::submit::flush::{self, Attempt};

pub fn run(
    global: &GlobalArgs,
    command: QueueCommand,
    console: &mut Console<'_>,
) -> anyhow::Result<Report> {
    match command {
        QueueCommand::List => list(global),
        QueueCommand::Show { id } => show(global, &id),
        QueueCommand::Flush(args) => flush(global, &args, console),
        QueueCommand::Drop { id } => drop_entry(global, &id),
    }
}

// ------------------------------------------------------------------ the queue commands

/// The spool directory: the config file's `queue_dir`, else `$XDG_DATA_HOME/posta/queue`.
fn queue_dir(config_path: Option<&Path>) -> anyhow::Result<PathBuf> {
    let configured = config::file::load(config_path)?.and_then(|l| l.file.queue_dir);
    match configured.or_else(queue::default_dir) {
        Some(d) => Ok(d),
        None => {
            Err(ConfigError::new(None, "no data directory: set queue_dir in the config").into())
        }
    }
}

fn existing(global: &GlobalArgs) -> anyhow::Result<(PathBuf, Option<Queue>)> {
    let dir = queue_dir(global.config.as_deref())?;
    let q = Queue::existing(&dir).map_err(|e| {
        let code = match e.kind() {
            io::ErrorKind::PermissionDenied => Code::NoPerm,
            _ => Code::IoErr,
        };
        // A refusal names the directory itself.
        let text = e.to_string();
        match text.starts_with(&dir.display().to_string()) {
            true => fail(code, format!("queue {text}")),
            false => fail(code, format!("queue {}: {text}", dir.display())),
        }
    })?;
    Ok((dir, q))
}

/// An entry that cannot be used, as `list` and `flush` report it.
fn unusable_json(place: Place, u: &queue::Unusable) -> serde_json::Value {
    json!({"id": u.id, "place": place, "reason": u.reason})
}

/// What to do about an entry posta cannot use: it is left where it is.
fn unusable_advice(dir: &Path, place: Place, id: &str) -> String {
    let path = match place {
        Place::Queued => dir.join(id),
        Place::Failed => dir.join("failed").join(id),
    };
    format!(
        "left as it is in {}: look at it, then remove it by hand",
        path.display()
    )
}

/// An entry refused for good, this attempt counted: moved to `failed/` with `why`; the
/// line that says so.
fn move_aside(mut locked: queue::Locked, dir: &Path, why: &str) -> anyhow::Result<String> {
    let id = locked.meta.id.clone();
    locked.meta.attempts += 1;
    locked.meta.last_error = Some(why.to_string());
    locked
        .move_aside(why.to_string())
        .map_err(|e| io_fail(dir, e))?;
    Ok(format!(
        "failed {id}: moved to {}: {why}",
        dir.join("failed").join(&id).display()
    ))
}

fn io_fail(dir: &Path, e: io::Error) -> anyhow::Error {
    fail(Code::IoErr, format!("queue {}: {e}", dir.display()))
}

fn entry_json(place: Place, m: &Meta, now: i64) -> serde_json::Value {
    let mut v = serde_json::to_value(m).unwrap_or_default();
    v["place"] = json!(place);
    v["age_seconds"] = json!(now - m.created);
    v
}

/// "42s", "5m", "3h", "2d".
fn duration(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}

fn list(global: &GlobalArgs) -> anyhow::Result<Report> {
    let (dir, q) = existing(global)?;
    let now = queue::now();
    let (queued, failed) = match &q {
        Some(q) => (
            q.list(Place::Queued).map_err(|e| io_fail(&dir, e))?,
            q.list(Place::Failed).map_err(|e| io_fail(&dir, e))?,
        ),
        None => (Listing::default(), Listing::default()),
    };
    let unusable: Vec<(Place, &queue::Unusable)> = queued
        .unusable
        .iter()
        .map(|u| (Place::Queued, u))
        .chain(failed.unusable.iter().map(|u| (Place::Failed, u)))
        .collect();
    let (queued, failed) = (queued.entries, failed.entries);
    let mut human = String::new();
    for (place, u) in &unusable {
        human.push_str(&format!(
            "{}  UNUSABLE  {}\n    {}\n",
            u.id,
            u.reason,
            unusable_advice(&dir, *place, &u.id)
        ));
    }
    for (place, m) in queued
        .iter()
        .map(|m| (Place::Queued, m))
        .chain(failed.iter().map(|m| (Place::Failed, m)))
    {
        let when = match place {
            Place::Failed => "FAILED".to_string(),
            Place::Queued if m.is_due(now) => "due".to_string(),
            Place::Queued => format!("next in {}", duration(m.next_attempt - now)),
        };
        human.push_str(&format!(
            "{}  {:>4} old  {} attempt{}  {}  to {}\n    {}\n",
            m.id,
            duration(now - m.created),
            m.attempts,
            if m.attempts == 1 { "" } else { "s" },
            when,
            m.envelope.to.join(", "),
            m.failed
                .as_deref()
                .or(m.last_error.as_deref())
                .unwrap_or("-"),
        ));
    }
    if human.is_empty() {
        human = format!("the queue is empty ({})", dir.display());
    } else {
        human.pop();
        human = crate::model::text::for_terminal_lines(&human).into_owned();
    }
    Ok(Report {
        human,
        json: Some(json!({
            "status": "ok",
            "queue_dir": dir,
            "queued": queued.iter().map(|m| entry_json(Place::Queued, m, now)).collect::<Vec<_>>(),
            "failed": failed.iter().map(|m| entry_json(Place::Failed, m, now)).collect::<Vec<_>>(),
            "unusable": unusable.iter().map(|(p, u)| unusable_json(*p, u)).collect::<Vec<_>>(),
        })),
        data: true,
        // An entry that cannot be read is not "nothing to see": the exit code says so.
        exit: (!unusable.is_empty()).then_some(Code::IoErr),
    })
}

fn not_found(id: &str) -> anyhow::Error {
    fail(
        Code::NoInput,
        format!("no queued message {id} (see `posta queue list`)"),
    )
}

fn show(global: &GlobalArgs, id: &str) -> anyhow::Result<Report> {
    let (dir, q) = existing(global)?;
    let q = q.ok_or_else(|| not_found(id))?;
    let (place, m) = q
        .get(id)
        .map_err(|e| io_fail(&dir, e))?
        .ok_or_else(|| not_found(id))?;
    let headers = q.headers(place, id).map_err(|e| io_fail(&dir, e))?;
    let now = queue::now();
    let mut human = format!(
        "id: {}\nplace: {}\nmessage-id: <{}>\nqueued: {} ago\nsize: {} bytes\nmail from: <{}>\nrcpt to: {}\nprofile: {}\nserver: {}:{} ({})\nattempts: {}\n",
        m.id,
        if place == Place::Failed {
            "failed"
        } else {
            "queued"
        },
        m.message_id,
        duration(now - m.created),
        m.size,
        m.envelope.from,
        m.envelope
            .to
            .iter()
            .map(|t| format!("<{t}>"))
            .collect::<Vec<_>>()
            .join(", "),
        m.profile.as_deref().unwrap_or("(none)"),
        m.server.host,
        m.server.port,
        m.server.security,
        m.attempts,
    );
    if let Some(e) = &m.last_error {
        human.push_str(&format!("last error: {e}\n"));
    }
    match (&m.failed, place) {
        (Some(why), _) => human.push_str(&format!("failed: {why}\n")),
        (None, Place::Queued) if m.is_due(now) => human.push_str("next attempt: due\n"),
        (None, _) => human.push_str(&format!(
            "next attempt: in {}\n",
            duration(m.next_attempt - now)
        )),
    }
    if m.attempt_started.is_some() {
        human.push_str(
            "note: an attempt was interrupted; the server may already have the message\n",
        );
    }
    human.push('\n');
    human.push_str(headers.trim_end());
    // The headers are the message's, the errors the server's, and the entry a file:
    // all from outside, so no escape sequence or lone CR reaches the terminal.
    let human = crate::model::text::for_terminal_lines(&human).into_owned();
    let mut json = entry_json(place, &m, now);
    json["status"] = json!("ok");
    json["headers"] = json!(headers);
    Ok(Report {
        human,
        json: Some(json),
        data: true,
        exit: None,
    })
}

fn drop_entry(global: &GlobalArgs, id: &str) -> anyhow::Result<Report> {
    let (dir, q) = existing(global)?;
    let q = q.ok_or_else(|| not_found(id))?;
    let (place, _) = q
        .get(id)
        .map_err(|e| io_fail(&dir, e))?
        .ok_or_else(|| not_found(id))?;
    let Some(locked) = q.lock(place, id).map_err(|e| io_fail(&dir, e))? else {
        return Err(fail(
            Code::TempFail,
            format!("{id} is being sent by another posta right now; try again"),
        ));
    };
    locked.remove().map_err(|e| io_fail(&dir, e))?;
    Ok(Report {
        human: format!("dropped {id}"),
        json: Some(json!({"status": "dropped", "id": id})),
        data: false,
        exit: None,
    })
}

fn flush(
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

#[cfg(test)]
mod tests;

/// What a partial delivery did, for the entry's last error and the flush report.
fn partly_sent(outcome: &crate::smtp::Outcome) -> String {
    let (delivered, refused) = super::recipients_in_words(outcome);
    format!(
        "delivered to {} via {}; not to {}",
        delivered.join(", "),
        outcome.server,
        refused.join("; ")
    )
}
