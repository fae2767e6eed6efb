//! The last resort for a message that must wait but cannot be queued (no data
//! directory, a full or foreign queue): it is appended to `~/dead.letter` in mbox
//! format, as mailx does with mail it could not send, rather than lost. The caller
//! then exits 75 and says where it went.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::PathBuf;

/// `$HOME/dead.letter`, when there is a home.
pub fn path() -> Option<PathBuf> {
    dirs::home_dir().map(|h| h.join("dead.letter"))
}

/// Append the message `write` produces to the dead letter file as one mbox message
/// from `sender`; the file's path once it is written and synced.
pub fn save(
    sender: &str,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> io::Result<PathBuf> {
    let path = path().ok_or_else(|| io::Error::other("no home directory"))?;
    let mut options = OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Private (it holds mail), and never through a link someone planted.
        options
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(&path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    let sender = if sender.is_empty() {
        "MAILER-DAEMON"
    } else {
        sender
    };
    let mut out = Mbox {
        inner: io::BufWriter::new(&file),
        line: Vec::new(),
    };
    writeln!(
        out.inner,
        "From {sender} {}",
        chrono::Local::now().format("%a %b %e %H:%M:%S %Y")
    )?;
    write(&mut out)?;
    out.end()?;
    drop(out);
    file.sync_all()?;
    Ok(path)
}

/// mboxrd: lines in LF, a line that starts with `>*From ` gets one more `>`, and the
/// message ends with an empty line. Holds one line at a time.
struct Mbox<W: Write> {
    inner: W,
    line: Vec<u8>,
}

impl<W: Write> Mbox<W> {
    fn line_out(&mut self) -> io::Result<()> {
        let mut line = &self.line[..];
        if line.ends_with(b"\r") {
            line = &line[..line.len() - 1];
        }
        let quoted = line.iter().position(|&b| b != b'>').unwrap_or(line.len());
        if line[quoted..].starts_with(b"From ") {
            self.inner.write_all(b">")?;
        }
        self.inner.write_all(line)?;
        self.inner.write_all(b"\n")?;
        self.line.clear();
        Ok(())
    }

    fn end(&mut self) -> io::Result<()> {
        if !self.line.is_empty() {
            self.line_out()?;
        }
        self.inner.write_all(b"\n")?;
        self.inner.flush()
    }
}

impl<W: Write> Write for Mbox<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for &b in buf {
            if b == b'\n' {
                self.line_out()?;
            } else {
                self.line.push(b);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_lf_and_from_lines_are_quoted() {
        let mut out = Mbox {
            inner: Vec::new(),
            line: Vec::new(),
        };
        out.write_all(b"Subject: x\r\n\r\nFrom here\r\n>From there\r\nend")
            .unwrap();
        out.end().unwrap();
        assert_eq!(
            String::from_utf8(out.inner).unwrap(),
            "Subject: x\n\n>From here\n>>From there\nend\n\n"
        );
    }
}
