//! The spool's file handling: reading an entry's metadata (checked to be the user's
//! own, of a sane size, naming this entry), writing files durably.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use super::{MAX_META, META, Meta};

/// An entry's metadata; `None` when the entry or its metadata is not there. The entry
/// directory and `meta.json` must be the user's own, and the file of a sane size.
pub(super) fn read_meta(entry: &Path) -> io::Result<Option<Meta>> {
    match crate::private_fs::check_own_dir(entry, false) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
        Ok(()) => {}
    }
    let file = match crate::private_fs::open_own_file(&entry.join(META)) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut text = Vec::new();
    file.take(MAX_META + 1).read_to_end(&mut text)?;
    if text.len() as u64 > MAX_META {
        return Err(io::Error::other(format!(
            "{}: longer than {MAX_META} bytes: damaged",
            entry.join(META).display()
        )));
    }
    parse_meta(entry, &text).map(Some)
}

/// The metadata of the entry at `entry` from the bytes of its `meta.json`: valid JSON
/// of [`Meta`], whose id (which names the paths it is moved to) is this entry's own.
pub(crate) fn parse_meta(entry: &Path, text: &[u8]) -> io::Result<Meta> {
    let meta: Meta = serde_json::from_slice(text)
        .map_err(|e| io::Error::other(format!("{}: {e}", entry.join(META).display())))?;
    if entry.file_name() != Some(std::ffi::OsStr::new(&meta.id)) {
        return Err(io::Error::other(format!(
            "{}: names another entry ({:?})",
            entry.join(META).display(),
            meta.id
        )));
    }
    Ok(meta)
}

/// A queue directory that is not the user's own: refused whole, with what to do.
pub(super) fn not_private(e: io::Error) -> io::Error {
    if e.kind() != io::ErrorKind::PermissionDenied {
        return e;
    }
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!(
            "{e}; posta uses only a queue directory that is yours and writable by nobody \
             else (another user could plant entries in it or read what is queued): \
             check what is in it, then chown it to yourself and chmod 700 it, or set \
             another queue_dir"
        ),
    )
}

pub(super) fn to_json(meta: &Meta) -> io::Result<Vec<u8>> {
    let mut v = serde_json::to_vec_pretty(meta).map_err(io::Error::other)?;
    v.push(b'\n');
    Ok(v)
}

/// Create `path` (which must not exist), write `bytes`, fsync.
pub(super) fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = crate::private_fs::create_new(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Make a rename or a new name in `dir` durable.
pub(super) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}
