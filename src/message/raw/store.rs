//! Where a spooled message's bytes wait: in memory while the message is small, in an
//! anonymous temporary file once it passes [`IN_MEMORY`]. Memory per message stays
//! bounded whatever its size, and the common small message costs no file.
//!
//! Why not always a file: a batch of small messages spent 4 of its 20 system calls a
//! message on the spool file (truncate, write, two seeks), and `ftruncate` alone was
//! 4.5% of its CPU (`perf record`, 2,000 messages of 1 KB to smtp-sink).

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

/// The most bytes a message keeps in memory. A batch holds a message in memory per
/// message in flight (at most about ten a connection): this bounds that to a few MB.
pub const IN_MEMORY: usize = 64 * 1024;

/// The space a spool is written into, reusable from one message to the next (a batch
/// of thousands needs neither an allocation nor a file each).
#[derive(Debug, Default)]
pub struct Space {
    memory: Vec<u8>,
    file: Option<File>,
}

/// A spool being written: bytes go to memory until they pass [`IN_MEMORY`], then
/// everything moves to the file.
pub(super) struct Store {
    memory: Vec<u8>,
    file: Option<BufWriter<File>>,
    /// A file left from an earlier message, used when this one needs a file.
    spare: Option<File>,
    /// Bytes written.
    pub(super) count: u64,
}

impl Store {
    pub(super) fn new(space: Space) -> Store {
        let mut memory = space.memory;
        memory.clear();
        Store {
            memory,
            file: None,
            spare: space.file,
            count: 0,
        }
    }

    /// The bytes written, to read back.
    pub(super) fn finish(self) -> io::Result<Stored> {
        match self.file {
            None => Ok(Stored {
                memory: self.memory,
                file: self.spare,
                in_file: false,
                size: self.count,
            }),
            Some(file) => {
                let file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
                Ok(Stored {
                    memory: self.memory,
                    file: Some(file),
                    in_file: true,
                    size: self.count,
                })
            }
        }
    }

    fn spill(&mut self) -> io::Result<&mut BufWriter<File>> {
        if self.file.is_none() {
            let mut file = match self.spare.take() {
                Some(mut f) => {
                    f.set_len(0)?;
                    f.rewind()?;
                    f
                }
                None => tempfile::tempfile()?,
            };
            file.write_all(&self.memory)?;
            self.memory.clear();
            self.file = Some(BufWriter::with_capacity(IN_MEMORY, file));
        }
        Ok(self.file.as_mut().expect("set above"))
    }
}

impl Write for Store {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.file.is_none() && self.memory.len() + buf.len() <= IN_MEMORY {
            self.memory.extend_from_slice(buf);
        } else {
            self.spill()?.write_all(buf)?;
        }
        self.count += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

/// A finished spool: its bytes, readable as often as needed.
#[derive(Debug)]
pub(super) struct Stored {
    memory: Vec<u8>,
    file: Option<File>,
    /// The bytes are in `file` (else in `memory`, and `file` is only kept for reuse).
    in_file: bool,
    pub(super) size: u64,
}

impl Stored {
    /// The bytes from `offset` on.
    pub(super) fn read_from(&mut self, offset: u64) -> io::Result<Box<dyn Read + '_>> {
        if !self.in_file {
            let start = usize::try_from(offset).unwrap_or(usize::MAX);
            return Ok(Box::new(self.memory.get(start..).unwrap_or_default()));
        }
        let size = self.size;
        let file = self.file.as_mut().expect("in_file means a file");
        file.seek(SeekFrom::Start(offset))?;
        Ok(Box::new((&*file).take(size.saturating_sub(offset))))
    }

    /// Write the bytes from `offset` on to `out`.
    pub(super) fn write_from(&mut self, offset: u64, out: &mut dyn Write) -> io::Result<()> {
        if !self.in_file {
            // One write, not a copy through an 8 KiB buffer.
            let start = usize::try_from(offset).unwrap_or(usize::MAX);
            return out.write_all(self.memory.get(start..).unwrap_or_default());
        }
        io::copy(&mut self.read_from(offset)?, out)?;
        Ok(())
    }

    /// The space, for the next message.
    pub(super) fn into_space(self) -> Space {
        Space {
            memory: self.memory,
            file: self.file,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(space: Space, parts: &[&[u8]]) -> Stored {
        let mut store = Store::new(space);
        for p in parts {
            store.write_all(p).unwrap();
        }
        store.finish().unwrap()
    }

    fn read_back(stored: &mut Stored, offset: u64) -> Vec<u8> {
        let mut out = Vec::new();
        stored.write_from(offset, &mut out).unwrap();
        out
    }

    #[test]
    fn a_small_message_stays_in_memory_and_reads_back_twice() {
        let mut s = written(Space::default(), &[b"Subject: a\r\n", b"\r\nbody\r\n"]);
        assert!(!s.in_file && s.file.is_none());
        assert_eq!(s.size, 20);
        assert_eq!(read_back(&mut s, 0), b"Subject: a\r\n\r\nbody\r\n");
        assert_eq!(read_back(&mut s, 12), b"\r\nbody\r\n");
        assert_eq!(read_back(&mut s, 0).len(), 20);
    }

    #[test]
    fn past_the_limit_everything_moves_to_a_file_and_memory_is_let_go() {
        let big = vec![b'x'; IN_MEMORY];
        let mut s = written(Space::default(), &[b"head\r\n", &big, b"tail"]);
        assert!(s.in_file);
        assert!(s.memory.is_empty());
        let back = read_back(&mut s, 0);
        assert_eq!(back.len(), IN_MEMORY + 10);
        assert!(back.starts_with(b"head\r\nxx") && back.ends_with(b"xtail"));
        assert_eq!(read_back(&mut s, 6 + IN_MEMORY as u64), b"tail");
    }

    #[test]
    fn a_reused_space_holds_only_the_new_message() {
        let big = vec![b'y'; IN_MEMORY + 1];
        let first = written(Space::default(), &[&big]);
        // The file of a big message serves the next big one, truncated first.
        let mut second = written(first.into_space(), &[b"short"]);
        assert!(!second.in_file && second.file.is_some());
        assert_eq!(read_back(&mut second, 0), b"short");
        let mut third = written(second.into_space(), &[&vec![b'z'; IN_MEMORY + 2]]);
        let back = read_back(&mut third, 0);
        assert_eq!(back.len(), IN_MEMORY + 2);
        assert!(back.iter().all(|&b| b == b'z'));
    }
}
