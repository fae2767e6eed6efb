//! The durable spool: entries written atomically, a per-entry lock, the retry schedule.
//! It records what it is told and answers what is due; whether to queue, and what a
//! failure means, is decided by the caller (`cmd`).
//!
//! # Layout
//!
//! ```text
//! <queue dir>/                      mode 0700
//!   20261122T024603-3fa9c1d2/       one entry: a directory, renamed into place whole
//!     message                       the exact message bytes (CRLF), never rewritten
//!     meta.json                     [`Meta`]: envelope, profile, server, attempts, …
//!   .tmp-<id>/                      an entry being written (ignored; removed after a grace period)
//!   .trash-<id>/                    an entry being removed (removed on the next flush)
//!   failed/<id>/                    entries moved aside: expired or refused permanently
//! ```
//!
//! Trust: the queue directory, `failed/`, each entry's directory and its files must be
//! the user's own and writable by nobody else (see [`crate::private_fs::check_private`]);
//! an entry directory or file that is a symlink is refused. A queue directory that is not
//! private is refused whole ([`Queue::open`], [`Queue::existing`]); an entry that is not,
//! or whose metadata cannot be read, is listed as [`Unusable`] with the reason and never
//! used, moved or deleted by posta.
//!
//! An entry is built in `.tmp-<id>/` (message first, fsynced; metadata last, fsynced;
//! the directory fsynced) and then renamed to `<id>/`, and the queue directory is
//! fsynced: a crash at any point leaves a whole entry or none. Metadata updates replace
//! `meta.json` the same way (write, fsync, rename, fsync). An entry is removed by
//! renaming it to `.trash-<id>/` first, so it leaves the queue in one step.
//!
//! Locking: `flock(LOCK_EX | LOCK_NB)` (std's `File::try_lock`) on the entry's
//! `message` file, which is never replaced. The kernel releases it when the holder
//! dies, so a lock never outlives a killed process. The metadata is read again after
//! the lock is taken: an entry sent (and removed) by another process meanwhile is gone.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub(crate) mod files;
use files::{not_private, read_meta, sync_dir, to_json, write_new};

/// The first retry waits this long; each later one twice as long as the one before…
pub const FIRST_RETRY: Duration = Duration::from_secs(60);
/// …up to this.
pub const MAX_RETRY: Duration = Duration::from_secs(3600);
/// An entry still not sent this long after it was queued is moved to `failed/`
/// after its next failed attempt.
pub const MAX_AGE: Duration = Duration::from_secs(5 * 24 * 3600);
/// A half-written entry (`.tmp-*`, or a directory without metadata) older than this
/// belongs to a process that died; it is removed by [`Queue::clean`]. (An entry
/// directory without metadata is never removed: it is listed as [`Unusable`].)
pub const INCOMPLETE_GRACE: Duration = Duration::from_secs(3600);

const MESSAGE: &str = "message";
const META: &str = "meta.json";
const FAILED: &str = "failed";
const FORMAT_VERSION: u32 = 1;
/// A `meta.json` longer than this is damaged (a real one is a few hundred bytes).
const MAX_META: u64 = 1024 * 1024;

/// Everything about an entry except the message bytes. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    pub version: u32,
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// The message's Message-ID, without angle brackets.
    pub message_id: String,
    /// Octets of `message`.
    pub size: u64,
    /// Some byte of the message is not 7-bit ASCII.
    pub eight_bit: bool,
    pub envelope: QueuedEnvelope,
    #[serde(default)]
    pub dsn: QueuedDsn,
    /// The profile the message was submitted with; its settings (and password source)
    /// are resolved again at each attempt.
    pub profile: Option<String>,
    /// The config file named with `-c`/`POSTA_CONFIG` at submission, if any.
    pub config: Option<PathBuf>,
    /// Where it was going, for people (host:port and security as resolved then).
    pub server: QueuedServer,
    /// The connection flags given at submission (they override the profile then and
    /// at every retry). `--password-command` is deliberately not recorded.
    #[serde(default)]
    pub connection: QueuedConnection,
    /// The address the AUTH user is derived from when the account names none.
    pub login_hint: Option<String>,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// Unix seconds; the entry is due from then on.
    pub next_attempt: i64,
    /// Set (unix seconds) just before an attempt, cleared after it: when found set on
    /// an unlocked entry, the attempt was interrupted and the server may have the message.
    #[serde(default)]
    pub attempt_started: Option<i64>,
    /// Why the entry was moved to `failed/`.
    #[serde(default)]
    pub failed: Option<String>,
    /// Queued before any account could be resolved (sendmail mode with no config, or
    /// one that could not be read): its envelope is as the caller gave it, and the
    /// account's aliases and sender policy are applied at its first attempt.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unresolved: bool,
    /// The Bcc fields the message as sent leaves out (CRLF-terminated), for its copy
    /// in Sent when a flush sends it; absent when it has none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub bcc: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueuedEnvelope {
    pub from: String,
    pub to: Vec<String>,
    pub smtputf8: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueuedDsn {
    pub notify: Option<String>,
    pub ret: Option<String>,
    pub envid: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueuedServer {
    pub host: String,
    pub port: u16,
    /// "starttls", "tls" or "plain".
    pub security: String,
}

/// The connection flags of CLI.md, as strings and numbers (no secret among them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QueuedConnection {
    pub server: Option<String>,
    pub port: Option<u16>,
    pub security: Option<String>,
    pub user: Option<String>,
    pub auth: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub tls_fingerprint: Option<String>,
    /// Absent from entries written before client certificates (and without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_cert: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_key: Option<PathBuf>,
    pub timeout: Option<u64>,
    pub ehlo: Option<String>,
    pub allow_insecure_auth: bool,
    pub insecure: bool,
    /// "smtp" or "lmtp"; written only when given, as `proxy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// "socks5://[USER@]HOST:PORT" or "socks5h://…".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// `--save-sent` / `--no-save-sent` at submission, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub save_sent: Option<bool>,
}

impl Meta {
    /// A new entry's metadata, due at once (the caller has just failed an attempt:
    /// see [`Meta::record_failure`]).
    pub fn new(now: i64, id: String) -> Meta {
        Meta {
            version: FORMAT_VERSION,
            id,
            created: now,
            message_id: String::new(),
            size: 0,
            eight_bit: false,
            envelope: QueuedEnvelope::default(),
            dsn: QueuedDsn::default(),
            profile: None,
            config: None,
            server: QueuedServer::default(),
            connection: QueuedConnection::default(),
            login_hint: None,
            attempts: 0,
            last_error: None,
            next_attempt: now,
            attempt_started: None,
            failed: None,
            unresolved: false,
            bcc: String::new(),
        }
    }

    pub fn is_due(&self, now: i64) -> bool {
        self.next_attempt <= now
    }

    /// Older than [`MAX_AGE`]: the next failure moves it aside.
    pub fn is_expired(&self, now: i64) -> bool {
        now.saturating_sub(self.created) >= MAX_AGE.as_secs() as i64
    }

    /// Count a failed attempt and schedule the next one.
    pub fn record_failure(&mut self, now: i64, error: String) {
        self.attempts = self.attempts.saturating_add(1);
        self.last_error = Some(error);
        self.attempt_started = None;
        self.next_attempt = now + backoff(self.attempts).as_secs() as i64;
    }
}

/// The wait after the `attempts`-th failed attempt: 1 min, 2, 4, … up to 1 h.
pub fn backoff(attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(16);
    (FIRST_RETRY * 2u32.pow(doublings)).min(MAX_RETRY)
}

/// `20261122T024603-3fa9c1d2`: the UTC time of queueing (so ids sort by age) and 32
/// random bits (so two processes in the same second do not collide).
pub fn new_id(now: i64) -> io::Result<String> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).map_err(|e| io::Error::other(e.to_string()))?;
    let time = chrono::DateTime::from_timestamp(now, 0)
        .unwrap_or_default()
        .format("%Y%m%dT%H%M%S");
    Ok(format!(
        "{time}-{:02x}{:02x}{:02x}{:02x}",
        bytes[0], bytes[1], bytes[2], bytes[3]
    ))
}

/// An id as [`new_id`] makes them; anything else (a path, `..`) is refused.
pub fn is_valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 24
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'T'
        && b[9..15].iter().all(u8::is_ascii_digit)
        && b[15] == b'-'
        && b[16..]
            .iter()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
}

/// Now, in unix seconds.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The default spool: `$XDG_DATA_HOME/posta/queue`.
pub fn default_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("posta").join("queue"))
}

/// Where an entry lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Place {
    Queued,
    Failed,
}

/// An entry that is there but cannot be used: its metadata cannot be read or parsed,
/// or it is not the user's own. It is reported, never used or removed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unusable {
    pub id: String,
    pub reason: String,
}

/// The entries of one place: those that can be used, oldest first, and those that
/// cannot, with the reason.
#[derive(Debug, Default)]
pub struct Listing {
    pub entries: Vec<Meta>,
    pub unusable: Vec<Unusable>,
}

/// The spool directory.
#[derive(Debug, Clone)]
pub struct Queue {
    dir: PathBuf,
}

impl Queue {
    /// Open (and create, private to the user) the spool at `dir`. An existing one
    /// that is not the user's own, or is writable by others, is refused.
    pub fn open(dir: impl Into<PathBuf>) -> io::Result<Queue> {
        let dir = dir.into();
        crate::private_fs::create_dir_all(&dir)?;
        crate::private_fs::check_own_dir(&dir, true).map_err(not_private)?;
        crate::private_fs::create_dir_all(&dir.join(FAILED))?;
        crate::private_fs::check_own_dir(&dir.join(FAILED), false).map_err(not_private)?;
        Ok(Queue { dir })
    }

    /// The spool at `dir` if it exists; `None` when nothing was ever queued there.
    pub fn existing(dir: impl Into<PathBuf>) -> io::Result<Option<Queue>> {
        let dir = dir.into();
        match fs::metadata(&dir) {
            Ok(m) if m.is_dir() => {
                crate::private_fs::check_own_dir(&dir, true).map_err(not_private)?;
                match crate::private_fs::check_own_dir(&dir.join(FAILED), false) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => Err(not_private(e)),
                    _ => Ok(Some(Queue { dir })),
                }
            }
            Ok(_) => Err(io::Error::other(format!(
                "{} is not a directory",
                dir.display()
            ))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn failed_dir(&self) -> PathBuf {
        self.dir.join(FAILED)
    }

    fn entry_dir(&self, place: Place, id: &str) -> PathBuf {
        match place {
            Place::Queued => self.dir.join(id),
            Place::Failed => self.failed_dir().join(id),
        }
    }

    /// Add an entry: `write` produces the message bytes (streamed to disk), `meta`
    /// describes it (its `id` and `size` are filled in here). Returns the id once the
    /// entry is durable.
    pub fn add(
        &self,
        mut meta: Meta,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<String> {
        let id = new_id(meta.created)?;
        let tmp = self.dir.join(format!(".tmp-{id}"));
        crate::private_fs::create_dir_all(&tmp)?;
        let result = (|| {
            let file = crate::private_fs::create_new(&tmp.join(MESSAGE))?;
            let mut out = io::BufWriter::with_capacity(64 * 1024, file);
            write(&mut out)?;
            let file = out.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            meta.size = file.metadata()?.len();
            meta.id = id.clone();
            write_new(&tmp.join(META), &to_json(&meta)?)?;
            sync_dir(&tmp)?;
            fs::rename(&tmp, self.dir.join(&id))?;
            sync_dir(&self.dir)
        })();
        if result.is_err() {
            let _ = fs::remove_dir_all(&tmp);
        }
        result.map(|()| id)
    }

    /// The entries in `place`: the complete ones oldest first, and those that cannot
    /// be used (unreadable, damaged, without metadata, not the user's) with the reason.
    /// Entries being written (`.tmp-*`) are left out.
    pub fn list(&self, place: Place) -> io::Result<Listing> {
        let dir = match place {
            Place::Queued => self.dir.clone(),
            Place::Failed => self.failed_dir(),
        };
        let mut out = Listing::default();
        let rd = match fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e),
        };
        for entry in rd {
            let entry = entry?;
            let name = entry.file_name();
            let Some(id) = name.to_str().filter(|n| is_valid_id(n)) else {
                continue;
            };
            let reason = match read_meta(&dir.join(id)) {
                Ok(Some(meta)) => {
                    out.entries.push(meta);
                    continue;
                }
                Ok(None) if !dir.join(id).exists() => continue, // sent or dropped meanwhile
                Ok(None) => format!(
                    "{}: missing: an incomplete or damaged entry",
                    dir.join(id).join(META).display()
                ),
                Err(e) => e.to_string(),
            };
            out.unusable.push(Unusable {
                id: id.to_string(),
                reason,
            });
        }
        out.entries
            .sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
        out.unusable.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// One entry's metadata, looked up in the queue and then in `failed/`.
    pub fn get(&self, id: &str) -> io::Result<Option<(Place, Meta)>> {
        if !is_valid_id(id) {
            return Ok(None);
        }
        for place in [Place::Queued, Place::Failed] {
            if let Some(meta) = read_meta(&self.entry_dir(place, id))? {
                return Ok(Some((place, meta)));
            }
        }
        Ok(None)
    }

    /// The header block of an entry's message (up to its first empty line, at most
    /// 64 KiB), for `show`.
    pub fn headers(&self, place: Place, id: &str) -> io::Result<String> {
        let file = crate::private_fs::open_own_file(&self.entry_dir(place, id).join(MESSAGE))?;
        let mut reader = BufReader::new(file.take(64 * 1024));
        let mut out = Vec::new();
        let mut line = Vec::new();
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 || line == b"\r\n" || line == b"\n" {
                break;
            }
            out.extend_from_slice(&line);
        }
        Ok(String::from_utf8_lossy(&out).replace("\r\n", "\n"))
    }

    /// Take an entry for an attempt or a removal. `Ok(None)`: another process holds
    /// it, or it is gone (sent or dropped meanwhile).
    pub fn lock(&self, place: Place, id: &str) -> io::Result<Option<Locked>> {
        if !is_valid_id(id) {
            return Ok(None);
        }
        let dir = self.entry_dir(place, id);
        match crate::private_fs::check_own_dir(&dir, false) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
            Ok(()) => {}
        }
        let file = match crate::private_fs::open_own_file(&dir.join(MESSAGE)) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => return Ok(None),
            Err(fs::TryLockError::Error(e)) => return Err(e),
        }
        // Read after locking: whoever held the lock before may have sent it.
        match read_meta(&dir)? {
            Some(meta) => Ok(Some(Locked {
                queue: self.clone(),
                place,
                dir,
                file,
                meta,
            })),
            None => Ok(None),
        }
    }

    /// Remove what dead processes left: `.trash-*` at once, `.tmp-*` and entries
    /// without metadata after [`INCOMPLETE_GRACE`]. Returns how many were removed.
    pub fn clean(&self) -> io::Result<usize> {
        let mut removed = 0;
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let path = entry.path();
            let old = || {
                entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age >= INCOMPLETE_GRACE)
            };
            let remove = if name.starts_with(".trash-") {
                true
            } else if name.starts_with(".tmp-") {
                old()
            } else {
                false
            };
            if remove && fs::remove_dir_all(&path).is_ok() {
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// An entry this process holds the lock of; the lock goes when this is dropped.
#[derive(Debug)]
pub struct Locked {
    queue: Queue,
    place: Place,
    dir: PathBuf,
    file: File,
    pub meta: Meta,
}

impl Locked {
    /// Write the message bytes to `out` from the start (can be called again).
    pub fn write_message(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.file.rewind()?;
        io::copy(&mut (&self.file).take(self.meta.size), out)?;
        Ok(())
    }

    /// Replace the metadata with `self.meta`, atomically and durably.
    pub fn save(&self) -> io::Result<()> {
        let tmp = self.dir.join(".meta.json.tmp");
        let _ = fs::remove_file(&tmp);
        write_new(&tmp, &to_json(&self.meta)?)?;
        fs::rename(&tmp, self.dir.join(META))?;
        sync_dir(&self.dir)
    }

    /// Remove the entry (sent, or dropped): out of the queue in one rename, then deleted.
    pub fn remove(self) -> io::Result<()> {
        let parent = self.dir.parent().unwrap_or(&self.queue.dir).to_path_buf();
        let trash = self.queue.dir.join(format!(".trash-{}", self.meta.id));
        fs::rename(&self.dir, &trash)?;
        sync_dir(&parent)?;
        if parent != self.queue.dir {
            sync_dir(&self.queue.dir)?;
        }
        let _ = fs::remove_dir_all(&trash);
        Ok(())
    }

    /// Move the entry to `failed/` with the reason; it is kept there until dropped.
    pub fn move_aside(mut self, reason: String) -> io::Result<()> {
        self.meta.failed = Some(reason);
        self.meta.attempt_started = None;
        self.save()?;
        if self.place == Place::Failed {
            return Ok(());
        }
        let target = self.queue.entry_dir(Place::Failed, &self.meta.id);
        fs::rename(&self.dir, &target)?;
        sync_dir(&self.queue.failed_dir())?;
        sync_dir(&self.queue.dir)
    }
}

#[cfg(test)]
mod tests;
