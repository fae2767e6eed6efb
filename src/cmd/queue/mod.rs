//! `posta queue list | show ID | flush | drop ID`. Glue: the spool itself (files,
//! locks, schedule) is [`crate::queue`]; queueing a message and one attempt at an
//! entry are [`crate::submit`]'s; this file walks the entries and reports (`flush`
//! in `queue/flush.rs`).

use std::io;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::{Console, Report};
use crate::cli::{GlobalArgs, QueueCommand};

mod flush;
use crate::config::{self, ConfigError};
use crate::model::exit_code::{Code, fail};
use crate::queue::{self, Listing, Meta, Place, Queue};

pub fn run(
    global: &GlobalArgs,
    command: QueueCommand,
    console: &mut Console<'_>,
) -> anyhow::Result<Report> {
    match command {
        QueueCommand::List => list(global),
        QueueCommand::Show { id } => show(global, &id),
        QueueCommand::Flush(args) => flush::flush(global, &args, console),
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

#[cfg(test)]
mod tests;
