//! The usage ledger: how many recipients each profile sent to in the last 24 hours, so
//! that a provider's daily cap (Gmail counts a rolling 24 h) is not run into.
//!
//! # Layout
//!
//! ```text
//! $XDG_STATE_HOME/posta/usage/      mode 0700 (default ~/.local/state/posta/usage)
//!   personal                        one file per profile, mode 0600: lines `UNIX_SECONDS RECIPIENTS`
//!   .personal.lock                  taken with flock(LOCK_EX) around every update
//!   .personal.XXXXXX.tmp            the next version of the file, while it is written
//! ```
//!
//! A profile name is the file name when it is made of ASCII letters, digits, `_` and
//! `-`; any other byte is written `%XX`, so every name maps to one plain file name in
//! this directory (never `..`, a `/` or a name starting with `.`).
//!
//! An update takes the lock (a separate file: the ledger itself is replaced), reads the
//! ledger, drops what is older than 24 h, adds the new entry, writes the whole thing to
//! the temporary file, fsyncs it and renames it over the ledger: a crash leaves the old
//! ledger or the new one, never half of one. Readers take no lock (a rename is atomic).
//! A line that does not parse is skipped (and dropped at the next update).
//!
//! Entries less than [`COALESCE`] apart are merged into one stamped with the later time,
//! so a day of batch sending keeps at most a few thousand lines. That moves a count
//! later by under a minute: the ledger may say "full" a little longer than the
//! provider does, never shorter.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The window a provider counts over: a rolling 24 hours.
pub const WINDOW: i64 = 24 * 3600;
/// Entries closer together than this (seconds) are merged.
pub const COALESCE: i64 = 60;

/// The per-profile usage files in one directory.
#[derive(Debug, Clone)]
pub struct Ledger {
    dir: PathBuf,
}

impl Ledger {
    /// `$XDG_STATE_HOME/posta/usage` (or `~/.local/state/posta/usage`); `None` when
    /// neither `XDG_STATE_HOME` nor `HOME` is set.
    pub fn default_location() -> Option<Ledger> {
        let state = std::env::var_os("XDG_STATE_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|h| !h.is_empty())
                    .map(|h| PathBuf::from(h).join(".local").join("state"))
            })?;
        Some(Ledger::at(state.join("posta").join("usage")))
    }

    /// The ledger in `dir` (created on the first [`Ledger::record`]).
    pub fn at(dir: impl Into<PathBuf>) -> Ledger {
        Ledger { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Recipients sent through `profile` in the 24 hours before `now` (unix seconds).
    pub fn used(&self, profile: &str, now: i64) -> io::Result<u64> {
        let entries = self.read(profile)?;
        Ok(in_window(&entries, now)
            .map(|e| e.1)
            .fold(0, u64::saturating_add))
    }

    /// Record `recipients` sent through `profile` at `now`.
    pub fn record(&self, profile: &str, now: i64, recipients: u64) -> io::Result<()> {
        let name = file_name(profile)?;
        crate::private_fs::create_dir_all(&self.dir)?;
        let lock = open_private(&self.dir.join(format!(".{name}.lock")), false)?;
        lock.lock()?;
        let mut entries: Vec<(i64, u64)> = in_window(&self.read(profile)?, now).collect();
        match entries.last_mut() {
            Some(last) if (0..COALESCE).contains(&(now - last.0)) => {
                *last = (now, last.1.saturating_add(recipients));
            }
            _ => entries.push((now, recipients)),
        }
        let mut text = String::with_capacity(entries.len() * 16);
        for (time, count) in &entries {
            text.push_str(&format!("{time} {count}\n"));
        }
        // A new file of our own (O_EXCL, 0600), never one found under a fixed name.
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(&self.dir)?;
        tmp.write_all(text.as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.persist(self.dir.join(&name)).map_err(|e| e.error)?;
        File::open(&self.dir)?.sync_all()
        // The lock goes with `lock`.
    }

    /// The earliest time at which `need` more recipients fit under `limit`, given what
    /// was sent: `now` when they fit already; `None` when `need > limit` (never).
    pub fn next_room(
        &self,
        profile: &str,
        now: i64,
        limit: u64,
        need: u64,
    ) -> io::Result<Option<i64>> {
        if need > limit {
            return Ok(None);
        }
        let mut entries: Vec<(i64, u64)> = in_window(&self.read(profile)?, now).collect();
        entries.sort_unstable();
        let mut used = entries.iter().map(|e| e.1).fold(0, u64::saturating_add);
        if used.saturating_add(need) <= limit {
            return Ok(Some(now));
        }
        // Entries leave the window oldest first; the one whose leaving makes room says when.
        for (time, count) in entries {
            used = used.saturating_sub(count);
            if used.saturating_add(need) <= limit {
                return Ok(Some(time.saturating_add(WINDOW)));
            }
        }
        // Unreachable: with every entry gone, `need <= limit` fits.
        Ok(Some(now))
    }

    /// Every entry of the profile's file that parses, in file order.
    fn read(&self, profile: &str) -> io::Result<Vec<(i64, u64)>> {
        let path = self.dir.join(file_name(profile)?);
        let text = match fs::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        Ok(String::from_utf8_lossy(&text)
            .lines()
            .filter_map(parse_line)
            .collect())
    }
}

/// `UNIX_SECONDS RECIPIENTS`; anything else is `None`.
fn parse_line(line: &str) -> Option<(i64, u64)> {
    let mut words = line.split_ascii_whitespace();
    let time = words.next()?.parse().ok()?;
    let count = words.next()?.parse().ok()?;
    words.next().is_none().then_some((time, count))
}

/// The entries that count at `now`: sent less than 24 h before it. Entries stamped
/// after `now` (the clock went back) count too: they were sent recently.
fn in_window(entries: &[(i64, u64)], now: i64) -> impl Iterator<Item = (i64, u64)> + '_ {
    let start = now.saturating_sub(WINDOW);
    entries.iter().copied().filter(move |e| e.0 > start)
}

/// The profile's file name: the name itself when it is plain, else `%XX`-escaped.
fn file_name(profile: &str) -> io::Result<String> {
    if profile.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "an empty profile name has no usage ledger",
        ));
    }
    let mut out = String::with_capacity(profile.len());
    for b in profile.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    // Room for the ".lock" and ".tmp" companions within NAME_MAX (255).
    if out.len() > 240 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("profile name \"{profile}\" is too long for a usage ledger file"),
        ));
    }
    Ok(out)
}

fn open_private(path: &Path, truncate: bool) -> io::Result<File> {
    crate::private_fs::options()
        .write(true)
        .create(true)
        .truncate(truncate)
        .open(path)
}

/// The reason given for holding back a message: "daily limit of 500 recipients reached
/// for profile work; next room at 2026-05-01 14:03:00 +0200" (local time).
pub fn limit_reached(profile: &str, limit: u32, next_room: i64) -> String {
    let at = chrono::DateTime::from_timestamp(next_room, 0)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S %z")
                .to_string()
        })
        .unwrap_or_else(|| format!("unix time {next_room}"));
    format!("daily limit of {limit} recipients reached for profile {profile}; next room at {at}")
}

/// Record a submission through `account` when its profile has a daily limit. The
/// message is already sent: a ledger that cannot be written costs a warning, returned
/// for the caller to print under its own name (`posta:` or `sendmail:`), not the outcome.
#[must_use = "a ledger that cannot be written is a warning to print"]
pub fn record_submission(
    account: &crate::config::Account,
    now: i64,
    recipients: usize,
) -> Option<String> {
    let (Some(_), Some(profile)) = (account.daily_limit, account.profile.as_deref()) else {
        return None;
    };
    let result = match Ledger::default_location() {
        Some(ledger) => ledger
            .record(profile, now, recipients as u64)
            .map_err(|e| format!("{}: {e}", ledger.dir().display())),
        None => Err("no state directory (set XDG_STATE_HOME or HOME)".to_string()),
    };
    result
        .err()
        .map(|e| format!("sent, but not counted toward the daily limit of profile {profile}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_700_000_000;

    fn ledger() -> (tempfile::TempDir, Ledger) {
        let dir = tempfile::tempdir().unwrap();
        let l = Ledger::at(dir.path().join("usage"));
        (dir, l)
    }

    #[test]
    fn nothing_recorded_is_zero_and_records_add_up() {
        let (_d, l) = ledger();
        assert_eq!(l.used("p", T).unwrap(), 0);
        l.record("p", T, 3).unwrap();
        l.record("p", T + 100, 4).unwrap();
        assert_eq!(l.used("p", T + 100).unwrap(), 7);
        assert_eq!(l.used("other", T + 100).unwrap(), 0);
    }

    #[test]
    fn the_window_is_the_24_hours_before_now() {
        let (_d, l) = ledger();
        l.record("p", T, 3).unwrap();
        l.record("p", T + 3600, 4).unwrap();
        assert_eq!(l.used("p", T + WINDOW - 1).unwrap(), 7);
        assert_eq!(
            l.used("p", T + WINDOW).unwrap(),
            4,
            "exactly 24 h old is out"
        );
        assert_eq!(l.used("p", T + 3600 + WINDOW - 1).unwrap(), 4);
        assert_eq!(l.used("p", T + 3600 + WINDOW).unwrap(), 0);
        // A clock that went back: what was stamped later still counts.
        assert_eq!(l.used("p", T - 10).unwrap(), 7);
    }

    #[test]
    fn old_entries_are_pruned_on_write_and_close_ones_merged() {
        let (_d, l) = ledger();
        l.record("p", T, 3).unwrap();
        l.record("p", T + 10, 2).unwrap();
        l.record("p", T + 1000, 4).unwrap();
        let text = fs::read_to_string(l.dir().join("p")).unwrap();
        assert_eq!(text, format!("{} 5\n{} 4\n", T + 10, T + 1000));
        l.record("p", T + 10 + WINDOW, 1).unwrap();
        let text = fs::read_to_string(l.dir().join("p")).unwrap();
        assert_eq!(
            text,
            format!("{} 4\n{} 1\n", T + 1000, T + 10 + WINDOW),
            "the merged entry is 24 h old and gone"
        );
        // Only the ledger and its lock are left: no temporary file.
        let mut names: Vec<String> = fs::read_dir(l.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, [".p.lock", "p"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(l.dir()), 0o700);
            assert_eq!(mode(&l.dir().join("p")), 0o600);
        }
    }

    #[test]
    fn corrupt_lines_are_skipped_not_fatal() {
        let (_d, l) = ledger();
        fs::create_dir_all(l.dir()).unwrap();
        let text = format!(
            "{T} 5\ngarbage\n{} x\n\n-3\n{} 2 extra\n\u{fffd}\u{0}\n{} 7\n",
            T + 1,
            T + 2,
            T + 3
        );
        let mut bytes = text.into_bytes();
        // Invalid UTF-8, and a last line cut short by a crash of an older writer.
        bytes.extend([0xff, 0xfe, b'\n']);
        bytes.extend(format!("{} 9", T + 4).bytes().take(9));
        fs::write(l.dir().join("p"), bytes).unwrap();
        assert_eq!(l.used("p", T + 100).unwrap(), 12);
        l.record("p", T + 200, 1).unwrap();
        let text = fs::read_to_string(l.dir().join("p")).unwrap();
        assert_eq!(text, format!("{T} 5\n{} 7\n{} 1\n", T + 3, T + 200));
    }

    #[test]
    fn next_room_is_when_enough_old_entries_have_left() {
        let (_d, l) = ledger();
        assert_eq!(l.next_room("p", T, 10, 10).unwrap(), Some(T));
        assert_eq!(l.next_room("p", T, 10, 11).unwrap(), None);
        l.record("p", T, 4).unwrap();
        l.record("p", T + 100, 3).unwrap();
        l.record("p", T + 200, 2).unwrap();
        let now = T + 300;
        assert_eq!(l.next_room("p", now, 10, 1).unwrap(), Some(now));
        assert_eq!(l.next_room("p", now, 10, 2).unwrap(), Some(T + WINDOW));
        assert_eq!(l.next_room("p", now, 10, 5).unwrap(), Some(T + WINDOW));
        assert_eq!(
            l.next_room("p", now, 10, 6).unwrap(),
            Some(T + 100 + WINDOW)
        );
        assert_eq!(
            l.next_room("p", now, 10, 10).unwrap(),
            Some(T + 200 + WINDOW)
        );
        assert_eq!(l.next_room("p", now, 10, 11).unwrap(), None);
        // At the time it names, the recipients do fit.
        let at = l.next_room("p", now, 10, 6).unwrap().unwrap();
        assert_eq!(l.next_room("p", at, 10, 6).unwrap(), Some(at));
        assert_eq!(l.next_room("p", at - 1, 10, 6).unwrap(), Some(at));
    }

    #[test]
    fn any_profile_name_is_one_plain_file_in_the_directory() {
        assert_eq!(file_name("work-2_x").unwrap(), "work-2_x");
        assert_eq!(file_name("..").unwrap(), "%2E%2E");
        assert_eq!(file_name("a/b").unwrap(), "a%2Fb");
        assert_eq!(file_name("a%2Fb").unwrap(), "a%252Fb");
        assert_eq!(file_name("é").unwrap(), "%C3%A9");
        assert!(file_name("").is_err());
        assert!(file_name(&"x".repeat(300)).is_err());
        let (_d, l) = ledger();
        l.record("../escape", T, 2).unwrap();
        assert_eq!(l.used("../escape", T).unwrap(), 2);
        assert!(l.dir().join("%2E%2E%2Fescape").exists());
        assert!(!l.dir().parent().unwrap().join("escape").exists());
    }

    #[test]
    fn concurrent_records_from_threads_add_up_exactly() {
        let (_d, l) = ledger();
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let l = l.clone();
                std::thread::spawn(move || {
                    for j in 0..25 {
                        // Spread over time so that not everything merges into one line.
                        l.record("p", T + (i * 25 + j) * 30, 1 + (j as u64 % 3))
                            .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let expected: u64 = 8 * (0..25).map(|j| 1 + (j % 3)).sum::<u64>();
        assert_eq!(l.used("p", T + 8 * 25 * 30).unwrap(), expected);
    }
}
