//! Opening a file that must be a regular file: a message part, a body, a config, a
//! batch source, a merge template or its data. A FIFO would hang posta for ever (at
//! the open, waiting for a writer, or at the read), a device like /dev/zero would be
//! read until memory runs out, and a directory or socket cannot be read at all: each
//! is refused. The check is made on the opened file (fstat), so a file swapped in
//! after an earlier look (a batch listed before it is read) cannot slip through.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Open `path` for reading; an error when it is not a regular file (with
/// [`io::ErrorKind::InvalidInput`] and a text naming what it is instead).
pub fn open(path: &Path) -> io::Result<File> {
    let (file, meta) = open_nonblocking(path)?;
    if meta.is_file() {
        return Ok(file);
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{}, not a regular file", kind(&meta)),
    ))
}

/// `path` opened for reading, and what it is (from the opened file: fstat).
fn open_nonblocking(path: &Path) -> io::Result<(File, std::fs::Metadata)> {
    let mut opts = OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        // Without O_NONBLOCK, opening a FIFO waits for a writer that may never come.
        // A regular file ignores the flag, so it is left set.
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let file = opts.open(path)?;
    let meta = file.metadata()?;
    Ok((file, meta))
}

/// Open `path` for reading without waiting (O_NONBLOCK): a regular file or a pipe
/// (FIFO); anything else is refused as [`open`] refuses it. For the /dev/fd pipes a
/// shell passes (`<(cmd)`); the caller reads with "would block" in mind.
pub fn open_any(path: &Path) -> io::Result<File> {
    let (file, meta) = open_nonblocking(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if meta.file_type().is_fifo() {
            return Ok(file);
        }
    }
    if meta.is_file() {
        return Ok(file);
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{}, not a pipe or a regular file", kind(&meta)),
    ))
}

/// What a file that is not a regular file is, in words.
fn kind(meta: &std::fs::Metadata) -> &'static str {
    if meta.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_open_and_special_ones_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        assert!(open(&file).is_ok());
        let err = open(dir.path()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("a directory"), "{err}");
        #[cfg(unix)]
        {
            let err = open(Path::new("/dev/zero")).unwrap_err();
            assert!(err.to_string().contains("character device"), "{err}");
        }
    }
}
