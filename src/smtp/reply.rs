//! Reading server replies: a line reader with hard limits, and the grouping of
//! `250-…`/`250 …` lines into one [`Reply`] with its RFC 3463 enhanced code.
//!
//! The limits exist so that a hostile or broken server cannot make our memory grow:
//! a line longer than [`MAX_LINE`] or a reply of more than [`MAX_LINES`] lines is a
//! protocol error, not something we try to hold.

use std::io::{self, Read};
use std::time::{Duration, Instant};

use super::Reply;
use super::socket::Socket;

/// Longest reply line we accept, CRLF included. RFC 5321 allows 512; real servers
/// send longer EHLO and error lines, so we leave generous room.
pub(crate) const MAX_LINE: usize = 16 * 1024;
/// Most lines in one reply.
pub(crate) const MAX_LINES: usize = 1000;

/// Reads CRLF- (or LF-) terminated lines from a stream through a fixed buffer.
///
/// Our own buffer rather than `BufReader` so that the bytes read ahead can be
/// inspected and thrown away when STARTTLS begins (RFC 3207 injection).
pub(crate) struct LineReader<S> {
    inner: S,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    /// When the reply being read must be complete. A per-read time limit alone lets a
    /// server that trickles a byte at a time keep us for hours (16 KiB a line, 1,000
    /// lines); with the deadline a whole reply takes at most the limit.
    deadline: Option<Instant>,
    /// The socket under `inner`, whose read limit shrinks to the time left.
    socket: Option<ReadLimit>,
}

/// The read time limit of a socket, changed only when it must be: a system call on
/// every read adds up over thousands of messages on one connection.
pub(crate) struct ReadLimit {
    socket: Socket,
    current: Option<Duration>,
}

impl ReadLimit {
    pub(crate) fn new(socket: Socket) -> ReadLimit {
        let current = socket.read_timeout().ok().flatten();
        ReadLimit { socket, current }
    }

    pub(crate) fn socket(&self) -> &Socket {
        &self.socket
    }

    pub(crate) fn current(&self) -> Option<Duration> {
        self.current
    }

    pub(crate) fn set(&mut self, limit: Duration) {
        if self.current != Some(limit) {
            // Fails only for a zero duration, which callers exclude.
            let _ = self.socket.set_read_timeout(Some(limit));
            self.current = Some(limit);
        }
    }

    /// Make a read end by the time `left` has passed, without cutting it short: the
    /// limit is changed when it is shorter than `left`, or longer by more than an
    /// eighth. So a reply read from what came earlier costs no system call, a run of
    /// replies under one limit none after the first, and a trickling server a few,
    /// while no read waits more than 9/8 of the time left.
    fn bound(&mut self, left: Duration) {
        if self.current.is_none_or(|c| c < left || c > left + left / 8) {
            self.set(left);
        }
    }
}

impl<S: Read> LineReader<S> {
    pub(crate) fn new(inner: S) -> Self {
        LineReader {
            inner,
            buf: vec![0; MAX_LINE].into_boxed_slice(),
            start: 0,
            end: 0,
            deadline: None,
            socket: None,
        }
    }

    /// The socket under the stream, whose read limit is shortened to the time left
    /// before a deadline.
    pub(crate) fn with_socket(mut self, socket: ReadLimit) -> Self {
        self.socket = Some(socket);
        self
    }

    /// Bound every read by `deadline` (and none when `None`).
    pub(crate) fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }

    /// The next line without its line ending. Fails with `UnexpectedEof` when the
    /// peer closes, `InvalidData` when the line is too long.
    pub(crate) fn read_line(&mut self) -> io::Result<Vec<u8>> {
        loop {
            let pending = &self.buf[self.start..self.end];
            if let Some(pos) = pending.iter().position(|&b| b == b'\n') {
                let mut line = pending[..pos].to_vec();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                self.start += pos + 1;
                return Ok(line);
            }
            if pending.len() >= MAX_LINE {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("the server sent a line longer than {MAX_LINE} bytes"),
                ));
            }
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if let Some(deadline) = self.deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the server did not finish its reply in time",
                    ));
                }
                if let Some(socket) = &mut self.socket {
                    socket.bound(left);
                }
            }
            // Only before a read that may wait: replies that came together are
            // parsed from the buffer without a system call each (a batch reads about
            // one socket buffer a message, and a hint per reply was 5 of its 20 calls).
            if let Some(socket) = &self.socket {
                socket.socket().quick_ack();
            }
            let n = loop {
                match self.inner.read(&mut self.buf[self.end..]) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other?,
                }
            };
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the server closed the connection",
                ));
            }
            self.end += n;
        }
    }

    /// How many bytes were read ahead and not yet consumed.
    pub(crate) fn buffered(&self) -> usize {
        self.end - self.start
    }

    /// Forget the bytes read ahead.
    pub(crate) fn discard_buffered(&mut self) {
        self.start = 0;
        self.end = 0;
    }

    pub(crate) fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    pub(crate) fn get_ref(&self) -> &S {
        &self.inner
    }
}

/// Why a reply could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    Io(io::Error),
    Malformed(String),
}

/// Read one complete reply, handing every raw line to `on_line` (the transcript).
pub(crate) fn read_reply<S: Read>(
    reader: &mut LineReader<S>,
    on_line: &mut dyn FnMut(&str),
) -> Result<Reply, ReadError> {
    let mut code = 0;
    let mut texts = Vec::new();
    loop {
        let raw = match reader.read_line() {
            Ok(raw) => raw,
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                return Err(ReadError::Malformed(e.to_string()));
            }
            Err(e) => return Err(ReadError::Io(e)),
        };
        let line = printable(&raw);
        on_line(&line);
        let (this_code, last, text) = parse_line(&line).map_err(ReadError::Malformed)?;
        if texts.is_empty() {
            code = this_code;
        } else if this_code != code {
            return Err(ReadError::Malformed(format!(
                "the server mixed reply codes {code} and {this_code} in one reply"
            )));
        }
        texts.push(text.to_owned());
        if last {
            return Ok(build_reply(code, texts));
        }
        if texts.len() >= MAX_LINES {
            return Err(ReadError::Malformed(format!(
                "the server sent a reply of more than {MAX_LINES} lines"
            )));
        }
    }
}

/// The line as text people can be shown safely: invalid UTF-8 is tolerated (the
/// text is for people, the code is ASCII), and control characters other than tab,
/// and bidi overrides, become visible escapes (`model::text`), so a hostile server
/// cannot send terminal escape sequences into a transcript or an error message.
fn printable(raw: &[u8]) -> String {
    crate::model::text::bytes_for_terminal(raw)
}

/// Split one reply line into code, "is this the last line", and text.
pub(crate) fn parse_line(line: &str) -> Result<(u16, bool, &str), String> {
    let bytes = line.as_bytes();
    let malformed = || format!("malformed reply line {:?}", truncate(line, 80));
    if bytes.len() < 3 || !bytes[..3].iter().all(u8::is_ascii_digit) {
        return Err(malformed());
    }
    let code: u16 = line[..3].parse().map_err(|_| malformed())?;
    if !(200..600).contains(&code) {
        return Err(malformed());
    }
    match bytes.get(3) {
        None => Ok((code, true, "")),
        Some(b' ') => Ok((code, true, &line[4..])),
        Some(b'-') => Ok((code, false, &line[4..])),
        Some(_) => Err(malformed()),
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Group the lines of one reply, taking the enhanced status code from the first
/// line and removing it from every line that repeats it.
///
/// We look for an enhanced code whether or not ENHANCEDSTATUSCODES was offered, but
/// only one whose class matches the reply code ("5.1.1" in a 550), so that ordinary
/// text such as "250 2.0 ready" or a version number is not mistaken for one.
pub(crate) fn build_reply(code: u16, texts: Vec<String>) -> Reply {
    let enhanced = texts
        .first()
        .and_then(|t| split_enhanced(code, t))
        .map(|(e, _)| e.to_owned());
    let lines = texts
        .iter()
        .map(|t| match (&enhanced, split_enhanced(code, t)) {
            (Some(e), Some((this, rest))) if this == e => rest.to_owned(),
            _ => t.clone(),
        })
        .collect();
    Reply {
        code,
        enhanced,
        lines,
    }
}

/// "5.1.1 User unknown" → ("5.1.1", "User unknown") when the class matches `code`.
fn split_enhanced(code: u16, text: &str) -> Option<(&str, &str)> {
    let token_end = text.find(' ').unwrap_or(text.len());
    let token = &text[..token_end];
    let mut parts = token.split('.');
    let class = parts.next()?;
    let subject = parts.next()?;
    let detail = parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    let digits = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
    };
    let class_ok = matches!(class, "2" | "4" | "5") && class == Reply::class_of(code).to_string();
    if class_ok && digits(subject, 3) && digits(detail, 3) {
        Some((token, text[token_end..].trim_start()))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &[u8]) -> Result<Reply, ReadError> {
        let mut r = LineReader::new(input);
        read_reply(&mut r, &mut |_| {})
    }

    #[test]
    fn single_line() {
        let r = read_all(b"220 mail.example.org ESMTP ready\r\n").unwrap();
        assert_eq!(r.code, 220);
        assert_eq!(r.enhanced, None);
        assert_eq!(r.lines, vec!["mail.example.org ESMTP ready"]);
    }

    #[test]
    fn multi_line_and_bare_code() {
        let r = read_all(b"250-first\r\n250-second\r\n250\r\n").unwrap();
        assert_eq!(r.code, 250);
        assert_eq!(r.lines, vec!["first", "second", ""]);
    }

    #[test]
    fn bare_lf_line_endings_are_tolerated() {
        let r = read_all(b"250-a\n250 b\n").unwrap();
        assert_eq!(r.lines, vec!["a", "b"]);
    }

    #[test]
    fn enhanced_codes_are_extracted_from_every_line() {
        let r = read_all(b"550-5.1.1 No such user\r\n550 5.1.1 here\r\n").unwrap();
        assert_eq!(r.enhanced.as_deref(), Some("5.1.1"));
        assert_eq!(r.lines, vec!["No such user", "here"]);
        assert_eq!(r.to_string(), "550 5.1.1 No such user / here");
    }

    #[test]
    fn enhanced_code_class_must_match() {
        let r = read_all(b"250 5.1.1 odd\r\n").unwrap();
        assert_eq!(r.enhanced, None);
        let r = read_all(b"250 2.0 ready\r\n").unwrap();
        assert_eq!(r.enhanced, None);
        let r = read_all(b"451 4.7.1234 greylisted\r\n").unwrap();
        assert_eq!(r.enhanced, None);
        let r = read_all(b"451 4.7.1\r\n").unwrap();
        assert_eq!(r.enhanced.as_deref(), Some("4.7.1"));
        assert_eq!(r.lines, vec![""]);
    }

    #[test]
    fn malformed_lines_are_refused() {
        for bad in [
            &b"hello\r\n"[..],
            b"25\r\n",
            b"2500 x\r\n",
            b"250x\r\n",
            b"099 x\r\n",
            b"600 x\r\n",
            b"250-a\r\n251 b\r\n",
        ] {
            assert!(
                matches!(read_all(bad), Err(ReadError::Malformed(_))),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn eof_in_the_middle_is_an_io_error() {
        for input in [&b""[..], b"250-a\r\n", b"250 no newline"] {
            match read_all(input) {
                Err(ReadError::Io(e)) => assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn invalid_utf8_is_lossy() {
        let r = read_all(b"550 caf\xe9\r\n").unwrap();
        assert_eq!(r.lines, vec!["caf\u{fffd}"]);
    }

    #[test]
    fn control_characters_are_neutralised() {
        let mut seen = String::new();
        let mut r = LineReader::new(&b"550 \x1b[31mred\x07\rx\ty\r\n"[..]);
        let reply = read_reply(&mut r, &mut |l| seen.push_str(l)).unwrap();
        assert_eq!(reply.lines, vec!["\\x1b[31mred\\x07\\rx\ty"]);
        assert!(!seen.contains('\x1b'));
    }

    #[test]
    fn a_long_line_is_refused_without_growing() {
        let mut input = b"250 ".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE * 4));
        input.extend(b"\r\n");
        assert!(matches!(read_all(&input), Err(ReadError::Malformed(_))));
        // Just under the limit is fine.
        let mut input = b"250 ".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE - 10));
        input.extend(b"\r\n");
        assert_eq!(read_all(&input).unwrap().lines[0].len(), MAX_LINE - 10);
    }

    #[test]
    fn too_many_lines_are_refused() {
        let mut input = Vec::new();
        for _ in 0..MAX_LINES + 5 {
            input.extend(b"250-x\r\n");
        }
        input.extend(b"250 end\r\n");
        assert!(matches!(read_all(&input), Err(ReadError::Malformed(_))));
        let mut input = Vec::new();
        for _ in 0..MAX_LINES - 1 {
            input.extend(b"250-x\r\n");
        }
        input.extend(b"250 end\r\n");
        assert_eq!(read_all(&input).unwrap().lines.len(), MAX_LINES);
    }

    #[test]
    fn consecutive_replies_and_buffered_bytes() {
        let mut r = LineReader::new(&b"220 hi\r\n250 ok\r\n554 injected\r\n"[..]);
        assert_eq!(read_reply(&mut r, &mut |_| {}).unwrap().code, 220);
        assert_eq!(read_reply(&mut r, &mut |_| {}).unwrap().code, 250);
        assert_eq!(r.buffered(), b"554 injected\r\n".len());
        r.discard_buffered();
        assert_eq!(r.buffered(), 0);
    }

    #[test]
    fn lines_are_reported_raw() {
        let mut seen = Vec::new();
        let mut r = LineReader::new(&b"250-5.0.0 a\r\n250 5.0.0 b\r\n"[..]);
        read_reply(&mut r, &mut |l| seen.push(l.to_owned())).unwrap();
        assert_eq!(seen, vec!["250-5.0.0 a", "250 5.0.0 b"]);
    }
}
