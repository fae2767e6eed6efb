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

use serde::Serialize;

pub(crate) mod files;
mod meta;
use files::{not_private, read_meta, sync_dir, to_json, write_new};
pub use meta::{
    HeaderFrom, Meta, QueuedConnection, QueuedDsn, QueuedEnvelope, QueuedServer, backoff,
    is_valid_id, new_id,
};

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

    /// The message bytes from the start, to read through (can be called again).
    pub fn message_reader(&mut self) -> io::Result<BufReader<io::Take<&File>>> {
        self.file.rewind()?;
        Ok(BufReader::new((&self.file).take(self.meta.size)))
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
