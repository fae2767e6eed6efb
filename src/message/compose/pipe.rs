//! Attachments that are not regular files: `-a -` (stdin) and `-a /dev/fd/N` (a pipe
//! the shell made, as `<(cmd)` does). A pipe has no size up front and cannot be read
//! twice, so it is spooled once to an unnamed temporary file, in chunks (memory stays
//! bounded), and the message is written from that file. Only these two forms are
//! spooled: a named FIFO given by its path is still refused (src/regular_file.rs), as
//! nobody may ever write to it.

use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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
            copy_nonblocking(pipe, &mut spool, PIPE_IDLE).map_err(no_input)?
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

/// How long a /dev/fd pipe may stay silent while a writer holds it open. A pipe that
/// posta itself holds open for writing (a FIFO inherited read-write, `3<>fifo`) would
/// otherwise never end.
pub(super) const PIPE_IDLE: Duration = Duration::from_secs(120);

/// Copy a reader opened with O_NONBLOCK in 64 KiB chunks: "no data yet" waits a
/// little and tries again, for at most `idle` without a byte; end of file (every
/// writer gone, or none ever) ends it.
fn copy_nonblocking(
    mut from: std::fs::File,
    to: &mut std::fs::File,
    idle: Duration,
) -> io::Result<u64> {
    let mut buf = vec![0u8; 64 << 10];
    let mut total = 0u64;
    let mut last = Instant::now();
    loop {
        match from.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => {
                to.write_all(&buf[..n])?;
                total += n as u64;
                last = Instant::now();
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if last.elapsed() >= idle {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!(
                            "no data for {} s and the pipe is still open (after {total} \
                             bytes); write the attachment to a file first and give its path",
                            idle.as_secs()
                        ),
                    ));
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A pipe whose writer stays open and silent (as a FIFO posta holds read-write)
    /// gives up after the idle time instead of waiting for ever; what came before the
    /// silence is not lost when the writer closes.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_silent_pipe_gives_up_and_a_closed_one_ends() {
        use std::os::fd::AsRawFd;
        let (reader, mut writer) = std::io::pipe().unwrap();
        let path = PathBuf::from(format!("/proc/self/fd/{}", reader.as_raw_fd()));
        writer.write_all(b"abc").unwrap();
        let mut spool = tempfile::tempfile().unwrap();
        let from = crate::regular_file::open_any(&path).unwrap();
        let started = Instant::now();
        let err = copy_nonblocking(from, &mut spool, Duration::from_millis(300)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{err}");
        assert!(err.to_string().contains("after 3 bytes"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
        drop(writer);
        let from = crate::regular_file::open_any(&path).unwrap();
        assert_eq!(copy_nonblocking(from, &mut spool, PIPE_IDLE).unwrap(), 0);
    }
}
