//! The message a client sends after DATA, as a reader: dot-unstuffed (RFC 5321
//! §4.5.2), ending at the line that is a lone ".", bounded in size. Read in pieces
//! of at most [`PIECE`] octets, so memory does not grow with a line's length or the
//! message's size; the message reader behind it (`message::raw`) streams it into a
//! spool file.

use std::io::{self, BufRead, Read};

/// The most octets held at once.
const PIECE: usize = 8 * 1024;

/// Why reading stopped before the end of the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// The message grew beyond the limit; the rest can still be read and dropped.
    TooBig,
    /// The client went away, or did not send in time: the dialogue cannot go on.
    Broken,
}

/// DATA's message, as a [`BufRead`] that ends where the data ends.
pub struct DotReader<'a> {
    inner: &'a mut dyn BufRead,
    piece: Vec<u8>,
    pos: usize,
    at_line_start: bool,
    done: bool,
    size: u64,
    max: u64,
    stopped: Option<Stopped>,
}

impl<'a> DotReader<'a> {
    pub fn new(inner: &'a mut dyn BufRead, max: u64) -> DotReader<'a> {
        DotReader {
            inner,
            piece: Vec::with_capacity(PIECE),
            pos: 0,
            at_line_start: true,
            done: false,
            size: 0,
            max,
            stopped: None,
        }
    }

    /// Why the message was not read to its end, if it was not.
    pub fn stopped(&self) -> Option<Stopped> {
        self.stopped
    }

    /// Read and drop what is left of the data, up to its final "."; the dialogue goes
    /// on after it. `Err` when the client is gone.
    pub fn drain(&mut self) -> io::Result<()> {
        if self.stopped == Some(Stopped::Broken) {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the client is gone",
            ));
        }
        while !self.done {
            self.pos = self.piece.len();
            self.next_piece(false)?;
        }
        Ok(())
    }

    /// The next line, or the next [`PIECE`] octets of a long one, into `piece`.
    fn next_piece(&mut self, count: bool) -> io::Result<()> {
        self.piece.clear();
        self.pos = 0;
        loop {
            let avail = match self.inner.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.stopped = Some(Stopped::Broken);
                    return Err(e);
                }
            };
            if avail.is_empty() {
                self.stopped = Some(Stopped::Broken);
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the client closed the connection before the end of the data",
                ));
            }
            let room = PIECE - self.piece.len();
            let (take, ended) = match avail.iter().take(room).position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (avail.len().min(room), false),
            };
            self.piece.extend_from_slice(&avail[..take]);
            self.inner.consume(take);
            if ended || self.piece.len() == PIECE {
                break;
            }
        }
        let ended = self.piece.last() == Some(&b'\n');
        if self.at_line_start && self.piece.first() == Some(&b'.') {
            if self.piece == b".\r\n" || self.piece == b".\n" {
                self.done = true;
                self.piece.clear();
                return Ok(());
            }
            // A line starting with a dot was sent with one more (dot-stuffing).
            self.pos = 1;
        }
        self.at_line_start = ended;
        if count {
            self.size += (self.piece.len() - self.pos) as u64;
            if self.size > self.max {
                self.stopped = Some(Stopped::TooBig);
                self.pos = self.piece.len();
                return Err(io::Error::other(format!(
                    "the message is larger than {} bytes",
                    self.max
                )));
            }
        }
        Ok(())
    }
}

impl Read for DotReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for DotReader<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if let Some(stopped) = self.stopped {
            let kind = match stopped {
                Stopped::TooBig => io::ErrorKind::Other,
                Stopped::Broken => io::ErrorKind::BrokenPipe,
            };
            return Err(io::Error::new(kind, "the data was not read to its end"));
        }
        while self.pos >= self.piece.len() && !self.done {
            self.next_piece(true)?;
        }
        Ok(&self.piece[self.pos..])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.piece.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &[u8], max: u64) -> (Result<Vec<u8>, Stopped>, Vec<u8>) {
        let mut inner = io::BufReader::with_capacity(5, input);
        let mut dot = DotReader::new(&mut inner, max);
        let mut out = Vec::new();
        let result = match dot.read_to_end(&mut out) {
            Ok(_) => Ok(out),
            Err(_) => {
                let stopped = dot.stopped().unwrap();
                let _ = dot.drain();
                Err(stopped)
            }
        };
        let mut rest = Vec::new();
        inner.read_to_end(&mut rest).unwrap();
        (result, rest)
    }

    #[test]
    fn dots_are_unstuffed_and_the_lone_dot_ends_the_data() {
        let (got, rest) = read(b"a\r\n..b\r\n..\r\nc.\r\n.\r\nQUIT\r\n", 1000);
        assert_eq!(got.unwrap(), b"a\r\n.b\r\n.\r\nc.\r\n");
        assert_eq!(rest, b"QUIT\r\n", "what follows is the next command");
        let (got, _) = read(b".\r\n", 1000);
        assert_eq!(got.unwrap(), b"");
    }

    #[test]
    fn a_dot_inside_a_long_line_is_no_end() {
        let mut input = vec![b'x'; PIECE + 3];
        input.extend(b".\r\n.\r\n");
        let (got, _) = read(&input, 1 << 20);
        let got = got.unwrap();
        assert_eq!(got.len(), PIECE + 6);
        assert!(got.ends_with(b"x.\r\n"));
    }

    #[test]
    fn a_message_over_the_limit_is_read_to_its_end_and_dropped() {
        let mut input = Vec::new();
        for _ in 0..100 {
            input.extend(b"0123456789\r\n");
        }
        input.extend(b".\r\nNOOP\r\n");
        let (got, rest) = read(&input, 500);
        assert_eq!(got, Err(Stopped::TooBig));
        assert_eq!(rest, b"NOOP\r\n");
    }

    #[test]
    fn a_connection_closed_in_the_data_is_broken() {
        let (got, _) = read(b"Subject: x\r\n\r\nhalf", 1000);
        assert_eq!(got, Err(Stopped::Broken));
    }
}
