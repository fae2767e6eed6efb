//! Attachments that are not regular files: `-a -` (stdin) and `-a /dev/fd/N` (a pipe
//! the shell made, as `<(cmd)` does). A pipe has no size up front and cannot be read
//! twice, so it is spooled once to an unnamed temporary file, in chunks (memory stays
//! bounded), and the message is written from that file. Only these two forms are
//! spooled: a named FIFO given by its path is still refused (src/regular_file.rs), as
//! nobody may ever write to it.

use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::super::{Attachment, ComposeError};

/// Where an attachment's bytes come from.
pub(super) enum Source {
    /// A regular file, opened by the caller.
    File,
    /// Standard input.
    Stdin,
    /// A pipe inherited from the shell, by its /dev/fd path.
    Pipe,
}

pub(super) fn source(path: &Path) -> Source {
    if path == Path::new("-") {
        return Source::Stdin;
    }
    let Some(s) = path.to_str() else {
        return Source::File;
    };
    let fd = s
        .strip_prefix("/dev/fd/")
        .or_else(|| s.strip_prefix("/proc/self/fd/"));
    match fd {
        Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => Source::Pipe,
        _ => Source::File,
    }
}

/// Spool `att` (stdin or a /dev/fd pipe) to a temporary file, rewound; `notes` gets
/// a line saying so (shown at -v).
pub(super) fn spool(
    att: &Attachment,
    notes: &mut Vec<String>,
) -> Result<std::fs::File, ComposeError> {
    let no_input = |source| ComposeError::NoInput {
        path: att.path.clone(),
        source,
    };
    let mut spool = tempfile::tempfile().map_err(|source| ComposeError::NoInput {
        path: std::env::temp_dir(),
        source,
    })?;
    let size = match source(&att.path) {
        Source::Stdin => {
            refuse_device_stdin().map_err(no_input)?;
            io::copy(&mut io::stdin().lock(), &mut spool).map_err(no_input)?
        }
        Source::Pipe => {
            // Opened without waiting (an fd that names a FIFO with no writer must not
            // hang the open); a regular file behind the fd is read as it is.
            let pipe = crate::regular_file::open_any(&att.path).map_err(no_input)?;
            copy_nonblocking(pipe, &mut spool).map_err(no_input)?
        }
        Source::File => unreachable!("regular files are not spooled"),
    };
    spool.flush().map_err(no_input)?;
    spool.rewind().map_err(no_input)?;
    let from = match source(&att.path) {
        Source::Stdin => "stdin".to_string(),
        _ => att.path.display().to_string(),
    };
    notes.push(format!(
        "-a {}: read {size} bytes from {from} into a temporary file (a pipe has no size up front)",
        att.path.display()
    ));
    Ok(spool)
}

/// A terminal would wait for ^D with no prompt, and a device like /dev/zero would fill
/// the disk: stdin as an attachment must be a pipe or a file.
fn refuse_device_stdin() -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if let Ok(meta) = std::fs::metadata("/dev/stdin") {
            let t = meta.file_type();
            if t.is_char_device() || t.is_block_device() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "stdin is a terminal or a device, not a pipe or a file: pipe the \
                     attachment in (cmd | posta send ... -a -) or give its path",
                ));
            }
        }
    }
    Ok(())
}

/// Copy a reader opened with O_NONBLOCK in 64 KiB chunks: "no data yet" waits a
/// little and tries again; end of file (every writer gone, or none ever) ends it.
fn copy_nonblocking(mut from: std::fs::File, to: &mut std::fs::File) -> io::Result<u64> {
    let mut buf = vec![0u8; 64 << 10];
    let mut total = 0u64;
    loop {
        match from.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => {
                to.write_all(&buf[..n])?;
                total += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5))
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// The attachment's file name: `--attach-name`, else the path's last component (for a
/// pipe or stdin, which have none worth showing, "attachment").
pub(super) fn name(att: &Attachment) -> String {
    if let Some(name) = &att.name {
        return name.clone();
    }
    match source(&att.path) {
        Source::File => att
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "attachment".into()),
        _ => "attachment".into(),
    }
}

/// `--attach-type`, else guessed from the name.
pub(super) fn content_type(att: &Attachment, name: &str) -> String {
    match &att.content_type {
        Some(t) => t.clone(),
        None => mime_guess::from_path(PathBuf::from(name))
            .first_or_octet_stream()
            .essence_str()
            .to_string(),
    }
}
