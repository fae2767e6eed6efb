//! `posta queue list | show ID | flush | drop ID`, and putting a message into the queue
//! when `send` or sendmail mode meets a temporary failure. Glue: the spool itself
//! (files, locks, schedule) is [`crate::queue`]; what is queued and what a failure
//! means is decided here.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use serde_json::json;

use super::{Console, Report};
use crate::cli::{
    AuthMechanism, ConnectionArgs, GlobalArgs, QueueCommand, QueueFlushArgs, QueuePolicy, Security,
};
use crate::config::{self, Account, ConfigError};
use crate::envelope::{Dsn, Envelope};
use crate::exit::{Code, fail};
use crate::queue::{
    self, Locked, Meta, Place, Queue, QueuedConnection, QueuedDsn, QueuedEnvelope, QueuedServer,
};
use crate::smtp::{self, Credentials, SmtpError, SmtpErrorKind, Stage, Transcript};
use crate::usage::Ledger;

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

// ------------------------------------------------------------------ queueing

/// The policy in force: the flag, else the profile, else the command's default.
pub fn policy(flag: Option<QueuePolicy>, account: &Account, default: QueuePolicy) -> QueuePolicy {
    flag.or(account.queue).unwrap_or(default)
}

/// Whether a failed submission goes into the queue: only temporary failures, and only
/// when the policy says so. A permanent refusal is never queued (it would fail again).
pub fn should_queue(policy: QueuePolicy, err: &SmtpError) -> bool {
    policy == QueuePolicy::OnTemporaryFailure && err.is_transient()
}

/// A secret that could not be had before connecting (a password command that timed
/// out with no terminal): the message is queued when that failure is temporary and the
/// policy queues temporary failures, as [`should_queue`] decides for the transport's;
/// otherwise the error stands. `queue flush` fetches the secret again.
pub fn enqueue_after_credentials(
    policy: QueuePolicy,
    err: ConfigError,
    pending: &Pending<'_>,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<Queued> {
    if !(err.temporary && policy == QueuePolicy::OnTemporaryFailure) {
        return Err(err.into());
    }
    enqueue_deferred(pending, err.to_string(), queue::now(), write)
}

/// A message put in the queue instead of being sent. `send` returns it as its error
/// (exit 75, "queued as ID"); sendmail mode reports it and exits 0.
#[derive(Debug)]
pub struct Queued {
    pub id: String,
    pub message_id: String,
    /// The temporary failure that put it there.
    pub reason: String,
    /// Where the transport failed; `None` for a message queued without trying (a
    /// daily limit reached).
    pub stage: Option<Stage>,
    pub queue_dir: PathBuf,
}

impl fmt::Display for Queued {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "queued as {}: {}", self.id, self.reason)
    }
}

impl std::error::Error for Queued {}

impl Queued {
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

/// What is recorded with a queued message: everything needed to try again, no secret.
pub struct Pending<'a> {
    pub global: &'a GlobalArgs,
    pub connection: &'a ConnectionArgs,
    pub account: &'a Account,
    pub envelope: &'a Envelope,
    pub dsn: &'a Dsn,
    pub message_id: &'a str,
    pub eight_bit: bool,
    pub login_hint: Option<String>,
}

/// Put the message that `write` produces into the queue after `reason`. When the
/// queue cannot take it, the error says both (and keeps the transport's exit code).
pub fn enqueue(
    pending: &Pending<'_>,
    reason: SmtpError,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Error {
    let Some(dir) = spool_dir(pending.account) else {
        return anyhow::Error::new(reason)
            .context("not sent, and not queued: no data directory ($XDG_DATA_HOME)");
    };
    let now = queue::now();
    let mut meta = pending_meta(pending, now);
    meta.record_failure(now, reason.to_string());
    let result = Queue::open(&dir).and_then(|q| q.add(meta, write));
    match result {
        Ok(id) => anyhow::Error::new(Queued {
            id,
            message_id: pending.message_id.to_string(),
            reason: reason.to_string(),
            stage: Some(reason.stage),
            queue_dir: dir,
        }),
        Err(e) => anyhow::Error::new(reason).context(format!(
            "not sent, and not queued in {}: {e}",
            dir.display()
        )),
    }
}

/// Put a message into the queue without trying it: not an error of the transport but
/// a choice (e.g. the profile's daily limit is reached). It waits until `not_before`
/// (unix seconds) with `reason` as its last error and no attempt counted; `queue
/// flush` then sends it as any other. Returns the queue id once the entry is durable.
pub fn enqueue_deferred(
    pending: &Pending<'_>,
    reason: String,
    not_before: i64,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<Queued> {
    let dir = spool_dir(pending.account).ok_or_else(|| {
        ConfigError::new(
            None,
            "not queued: no data directory (set XDG_DATA_HOME, or queue_dir in the config)",
        )
    })?;
    let mut meta = pending_meta(pending, queue::now());
    meta.last_error = Some(reason.clone());
    meta.next_attempt = not_before;
    let id = Queue::open(&dir)
        .and_then(|q| q.add(meta, write))
        .map_err(|e| fail(Code::IoErr, format!("not queued in {}: {e}", dir.display())))?;
    Ok(Queued {
        id,
        message_id: pending.message_id.to_string(),
        reason,
        stage: None,
        queue_dir: dir,
    })
}

/// The account's spool: the config's `queue_dir`, else `$XDG_DATA_HOME/posta/queue`.
fn spool_dir(account: &Account) -> Option<PathBuf> {
    account.queue_dir.clone().or_else(queue::default_dir)
}

/// The metadata of a new entry for `pending`, due at `now`, no attempt made.
fn pending_meta(pending: &Pending<'_>, now: i64) -> Meta {
    let mut meta = Meta::new(now, String::new());
    meta.message_id = pending.message_id.to_string();
    meta.eight_bit = pending.eight_bit;
    meta.envelope = QueuedEnvelope {
        from: pending.envelope.from.clone(),
        to: pending.envelope.to.clone(),
        smtputf8: pending.envelope.smtputf8,
    };
    meta.dsn = QueuedDsn {
        notify: pending.dsn.notify.clone(),
        ret: pending.dsn.ret.clone(),
        envid: pending.dsn.envid.clone(),
    };
    meta.profile = pending.account.profile.clone();
    // A flush may run from another directory (cron, a timer): record paths absolute.
    meta.config = pending.global.config.as_deref().map(absolute);
    let settings = &pending.account.settings;
    meta.server = QueuedServer {
        host: settings.host.clone(),
        port: settings.port,
        security: settings.security.name().into(),
    };
    meta.connection = record_connection(pending.connection);
    meta.login_hint = pending.login_hint.clone();
    meta
}

/// `path` made absolute against the current directory (as given when that fails).
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn value_name<T: ValueEnum>(v: T) -> Option<String> {
    v.to_possible_value().map(|p| p.get_name().to_string())
}

/// The connection flags as given; `--password-command` is left out on purpose (a
/// command line may hold a secret).
fn record_connection(c: &ConnectionArgs) -> QueuedConnection {
    QueuedConnection {
        server: c.server.as_ref().map(ToString::to_string),
        port: c.port,
        security: c.security.and_then(value_name),
        user: c.user.clone(),
        auth: c.auth.and_then(value_name),
        ca_file: c.ca_file.as_deref().map(absolute),
        tls_fingerprint: c.tls_fingerprint.as_ref().map(ToString::to_string),
        timeout: c.timeout,
        ehlo: c.ehlo.clone(),
        allow_insecure_auth: c.allow_insecure_auth,
        insecure: c.insecure,
    }
}

fn replay_connection(
    c: &QueuedConnection,
    password_command: Option<&str>,
) -> anyhow::Result<ConnectionArgs> {
    let bad = |what: &str, v: &str| fail(Code::DataErr, format!("queue entry: bad {what} \"{v}\""));
    // A bad server or fingerprint is a config error named as the flag, as it was when
    // config::resolve checked them.
    let flag = |m: String| anyhow::Error::new(ConfigError::new(None, m));
    Ok(ConnectionArgs {
        server: match &c.server {
            Some(s) => Some(s.parse().map_err(|m| flag(format!("--server {s}: {m}")))?),
            None => None,
        },
        port: c.port,
        security: match &c.security {
            Some(s) => Some(Security::from_str(s, true).map_err(|_| bad("security", s))?),
            None => None,
        },
        user: c.user.clone(),
        auth: match &c.auth {
            Some(s) => Some(AuthMechanism::from_str(s, true).map_err(|_| bad("auth", s))?),
            None => None,
        },
        password_command: password_command.map(str::to_string),
        // Like --password-command, never recorded; a profile's oauth_token_command
        // still applies on flush.
        oauth_token_command: None,
        ca_file: c.ca_file.clone(),
        tls_fingerprint: match &c.tls_fingerprint {
            Some(hex) => Some(
                hex.parse()
                    .map_err(|why| flag(format!("--tls-fingerprint \"{hex}\": {why}")))?,
            ),
            None => None,
        },
        timeout: c.timeout,
        ehlo: c.ehlo.clone(),
        allow_insecure_auth: c.allow_insecure_auth,
        insecure: c.insecure,
    })
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
    let q =
        Queue::existing(&dir).map_err(|e| fail(Code::IoErr, format!("{}: {e}", dir.display())))?;
    Ok((dir, q))
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
        None => (Vec::new(), Vec::new()),
    };
    let mut human = String::new();
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
    }
    Ok(Report {
        human,
        json: Some(json!({
            "status": "ok",
            "queue_dir": dir,
            "queued": queued.iter().map(|m| entry_json(Place::Queued, m, now)).collect::<Vec<_>>(),
            "failed": failed.iter().map(|m| entry_json(Place::Failed, m, now)).collect::<Vec<_>>(),
        })),
        data: true,
        exit: None,
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

/// What happened to one entry during a flush.
enum Attempt {
    Sent(smtp::Outcome),
    Deferred(String),
    Failed(String),
    /// Not tried: its recipients do not fit under the profile's daily limit before
    /// `until`. Not a failed attempt.
    OverLimit {
        until: i64,
        reason: String,
    },
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
                json!({"status": "flushed", "sent": [], "deferred": [], "failed": [], "busy": [], "not_due": 0}),
            ),
            data: false,
            exit: None,
        });
    };
    q.clean().map_err(|e| io_fail(&dir, e))?;
    let entries = q.list(Place::Queued).map_err(|e| io_fail(&dir, e))?;
    let mut credentials: HashMap<String, Option<Credentials>> = HashMap::new();
    let (mut sent, mut deferred, mut failed, mut busy) = (vec![], vec![], vec![], vec![]);
    let mut not_due = 0;
    let mut human = Vec::new();
    for entry in entries {
        if !args.all && !entry.is_due(queue::now()) {
            not_due += 1;
            continue;
        }
        let Some(mut locked) = q
            .lock(Place::Queued, &entry.id)
            .map_err(|e| io_fail(&dir, e))?
        else {
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
        let result = attempt(global, args, &mut locked, &mut credentials, console);
        let result = match result {
            Ok(a) => a,
            Err(e) => return Err(io_fail(&dir, e)),
        };
        let mut base = json!({"id": id, "message_id": locked.meta.message_id, "recipients": locked.meta.envelope.to});
        if interrupted {
            base["after_interrupted_attempt"] = json!(true);
        }
        let (why, over_limit) = match result {
            Attempt::Sent(outcome) => {
                locked.remove().map_err(|e| io_fail(&dir, e))?;
                human.push(format!(
                    "sent {id} <{}> via {}: {}",
                    base["message_id"].as_str().unwrap_or(""),
                    outcome.server,
                    outcome.final_reply
                ));
                base["server"] = json!(outcome.server);
                base["accepted"] = json!(outcome.accepted);
                base["final_reply"] = json!(outcome.final_reply);
                sent.push(base);
                continue;
            }
            Attempt::Failed(why) => {
                locked.meta.attempts += 1;
                locked.meta.last_error = Some(why.clone());
                locked
                    .move_aside(why.clone())
                    .map_err(|e| io_fail(&dir, e))?;
                human.push(format!(
                    "failed {id}: moved to {}: {why}",
                    dir.join("failed").join(&id).display()
                ));
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
        "queue: {} sent, {} deferred, {} failed, {} busy, {not_due} not due yet",
        sent.len(),
        deferred.len(),
        failed.len(),
        busy.len()
    ));
    let code = if failed.is_empty() {
        Code::Ok
    } else {
        Code::Unavailable
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
            "not_due": not_due,
            "exit_code": code.as_i32(),
        })),
        data: false,
        exit: (code != Code::Ok).then_some(code),
    };
    Ok(report)
}

/// A refusal of this message (not of the account or the connection): trying again
/// would get the same answer, so the entry is moved aside at once.
fn refuses_the_message(e: &SmtpError) -> bool {
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

/// One attempt at one locked entry. Account and connection problems (configuration,
/// credentials, TLS, AUTH) defer the entry: they are not about this message and the
/// user may fix them; it expires after [`queue::MAX_AGE`] like any other.
fn attempt(
    global: &GlobalArgs,
    args: &QueueFlushArgs,
    locked: &mut Locked,
    credentials: &mut HashMap<String, Option<Credentials>>,
    console: &mut Console<'_>,
) -> io::Result<Attempt> {
    let meta = locked.meta.clone();
    let conn = match replay_connection(&meta.connection, args.password_command.as_deref()) {
        Ok(c) => c,
        Err(e) => return Ok(Attempt::Deferred(crate::exit::message_and_hints(&e).0)),
    };
    let config_path = global.config.clone().or(meta.config.clone());
    let mut account = match config::resolve_recorded(
        config_path.as_deref(),
        meta.profile.as_deref(),
        &(&conn).into(),
    ) {
        Ok(a) => a,
        Err(e) => return Ok(Attempt::Deferred(e.to_string())),
    };
    // Before any password is asked for: a message held back needs none.
    if let Some(held) = over_daily_limit(&account, meta.envelope.to.len(), queue::now()) {
        return Ok(held);
    }
    // One password prompt (or command run) per account per flush, not per message.
    let key = format!(
        "{:?}|{:?}|{:?}",
        meta.profile, meta.connection, meta.login_hint
    );
    match credentials.get(&key) {
        Some(c) => account.settings.credentials = c.clone(),
        None => {
            if let Err(e) = account.load_credentials(meta.login_hint.as_deref()) {
                return Ok(Attempt::Deferred(e.to_string()));
            }
            credentials.insert(key, account.settings.credentials.clone());
        }
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
    let mut transcript = Transcript {
        out: &mut *console.err,
        level: global.verbose,
    };
    let mut payload = EntryPayload(locked);
    let result = smtp::submit(
        &account.settings,
        &envelope,
        &dsn,
        &mut payload,
        (global.verbose > 0).then_some(&mut transcript),
    );
    Ok(match result {
        Ok(outcome) => {
            if let Some(warning) =
                crate::usage::record_submission(&account, queue::now(), outcome.accepted.len())
            {
                writeln!(console.err, "posta: warning: {warning}")?;
            }
            Attempt::Sent(outcome)
        }
        Err(e) if refuses_the_message(&e) => Attempt::Failed(e.to_string()),
        Err(e) => Attempt::Deferred(e.to_string()),
    })
}

/// `Some` when the entry must not be tried now because its recipients do not fit under
/// the profile's daily limit (see [`crate::usage`]). `--all` does not override this: the
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
            reason: crate::usage::limit_reached(profile, limit, at),
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

    fn rejected(code: u16, stage: Stage) -> SmtpError {
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

    #[test]
    fn a_deferred_entry_waits_with_its_reason_and_no_attempt_counted() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        let spool = dir.path().join("spool");
        std::fs::write(
            &config,
            format!(
                "queue_dir = \"{}\"\ndefault = \"w\"\n[profiles.w]\nhost = \"h\"\ndaily_limit = 5\n",
                spool.display()
            ),
        )
        .unwrap();
        let global = GlobalArgs {
            config: Some(config),
            ..GlobalArgs::default()
        };
        let connection = ConnectionArgs::default();
        let account = config::resolve(&global.request(&connection, None)).unwrap();
        let envelope = Envelope {
            from: "a@x.org".into(),
            to: vec!["b@x.org".into(), "c@x.org".into()],
            smtputf8: false,
        };
        let pending = Pending {
            global: &global,
            connection: &connection,
            account: &account,
            envelope: &envelope,
            dsn: &Dsn::default(),
            message_id: "m@x.org",
            eight_bit: false,
            login_hint: Some("a@x.org".into()),
        };
        let queued = enqueue_deferred(&pending, "over the cap".into(), 4_000_000_000, &mut |out| {
            out.write_all(b"Subject: x\r\n\r\nx\r\n")
        })
        .unwrap();
        assert_eq!(queued.stage, None);
        let id = queued.id;
        let q = Queue::existing(&spool).unwrap().unwrap();
        let (place, meta) = q.get(&id).unwrap().unwrap();
        assert_eq!(place, Place::Queued);
        assert_eq!(meta.attempts, 0);
        assert_eq!(meta.last_error.as_deref(), Some("over the cap"));
        assert_eq!(meta.next_attempt, 4_000_000_000);
        assert!(!meta.is_due(queue::now()));
        assert_eq!(meta.profile.as_deref(), Some("w"));
        assert_eq!(meta.envelope.to, envelope.to);
        assert_eq!(meta.login_hint.as_deref(), Some("a@x.org"));
        assert_eq!((meta.message_id.as_str(), meta.size), ("m@x.org", 17));
    }

    #[test]
    fn connection_flags_round_trip_without_the_password_command() {
        let c = ConnectionArgs {
            server: Some("h:2525".parse().unwrap()),
            security: Some(Security::Plain),
            auth: Some(AuthMechanism::Xoauth2),
            password_command: Some("echo hunter2".into()),
            timeout: Some(7),
            insecure: true,
            ..ConnectionArgs::default()
        };
        let recorded = record_connection(&c);
        let text = serde_json::to_string(&recorded).unwrap();
        assert!(!text.contains("hunter2"), "{text}");
        let back = replay_connection(&recorded, None).unwrap();
        assert_eq!(back.server, c.server);
        assert_eq!(back.security, Some(Security::Plain));
        assert_eq!(back.auth, Some(AuthMechanism::Xoauth2));
        assert_eq!((back.timeout, back.insecure), (Some(7), true));
        assert!(back.password_command.is_none());
    }
}
