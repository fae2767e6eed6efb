//! The DATA stream: line-ending normalisation, dot-stuffing and the terminator,
//! written through a bounded buffer so the message is never held in memory. BDAT
//! (RFC 3030, `session/chunking.rs`) takes the same normalisation without the dots.
//!
//! Every bare LF and bare CR becomes CRLF *before* dot-stuffing looks at the line,
//! so no input — "\n.\n", "\r.\r", "\r\n.\n" — can produce a premature
//! `CRLF.CRLF` (SMTP smuggling, 2023): the server sees exactly the lines we see.

use std::io::{self, BufWriter, Write};

use super::Payload;
use super::transcript::Log;

/// Size of the buffer between the payload and the socket.
pub(crate) const CHUNK: usize = 64 * 1024;

/// Normalises line endings to CRLF and dot-stuffs; [`DotStuffer::finish`] ends the data.
pub(crate) struct DotStuffer<W: Write> {
    inner: W,
    /// Dot-stuff and end with ".CRLF" (DATA); false for BDAT, whose chunks are
    /// counted in bytes and carry the message as it is (RFC 3030 §2).
    dots: bool,
    line_start: bool,
    pending_cr: bool,
    written: u64,
    /// The first error from `inner`: a network failure, as opposed to one of the
    /// payload's own (which the payload reports through `write_to`'s result).
    sink_error: Option<io::Error>,
}

impl<W: Write> DotStuffer<W> {
    pub(crate) fn new(inner: W) -> Self {
        DotStuffer {
            inner,
            dots: true,
            line_start: true,
            pending_cr: false,
            written: 0,
            sink_error: None,
        }
    }

    /// Only the line endings (CRLF everywhere, a last line ended): for BDAT.
    pub(crate) fn line_ends_only(inner: W) -> Self {
        DotStuffer {
            dots: false,
            ..DotStuffer::new(inner)
        }
    }

    /// Give up: the writer, without ending the data.
    pub(crate) fn into_inner(self) -> W {
        self.inner
    }

    pub(crate) fn take_sink_error(&mut self) -> Option<io::Error> {
        self.sink_error.take()
    }

    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Some(e) = &self.sink_error {
            return Err(io::Error::new(e.kind(), e.to_string()));
        }
        match self.inner.write_all(bytes) {
            Ok(()) => {
                self.written += bytes.len() as u64;
                Ok(())
            }
            Err(e) => {
                let copy = io::Error::new(e.kind(), e.to_string());
                self.sink_error = Some(e);
                Err(copy)
            }
        }
    }

    fn end_line(&mut self) -> io::Result<()> {
        self.emit(b"\r\n")?;
        self.line_start = true;
        Ok(())
    }

    /// End the message: a CRLF if the last line lacks one, then ".CRLF" (DATA only);
    /// flush. Returns the writer and the number of message bytes (without the ".CRLF").
    pub(crate) fn finish(mut self) -> io::Result<(W, u64)> {
        if self.pending_cr {
            self.pending_cr = false;
            self.end_line()?;
        }
        if !self.line_start {
            self.end_line()?;
        }
        if self.dots {
            self.inner.write_all(b".\r\n")?;
        }
        self.inner.flush()?;
        Ok((self.inner, self.written))
    }
}

impl<W: Write> Write for DotStuffer<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut i = 0;
        while i < buf.len() {
            if self.pending_cr {
                // A CR is only known to be bare once we see what follows it.
                self.pending_cr = false;
                self.end_line()?;
                if buf[i] == b'\n' {
                    i += 1;
                    continue;
                }
            }
            match buf[i] {
                b'\r' => {
                    self.pending_cr = true;
                    i += 1;
                }
                b'\n' => {
                    self.end_line()?;
                    i += 1;
                }
                first => {
                    if self.dots && self.line_start && first == b'.' {
                        self.emit(b".")?;
                    }
                    let end = buf[i..]
                        .iter()
                        .position(|&b| b == b'\r' || b == b'\n')
                        .map_or(buf.len(), |p| i + p);
                    self.emit(&buf[i..end])?;
                    self.line_start = false;
                    i = end;
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Copies what goes to the socket into the level-2 transcript, one prefixed line per
/// message line.
struct Echo<'l, 'a, W> {
    inner: W,
    log: &'l mut Log<'a>,
    prefix: &'static [u8],
    line_start: bool,
}

impl<W: Write> Write for Echo<'_, '_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        if self.log.level() >= 2 {
            for chunk in buf[..n].split_inclusive(|&b| b == b'\n') {
                if self.line_start {
                    self.log.raw(self.prefix);
                }
                let newline = chunk.ends_with(b"\n");
                let text = chunk.strip_suffix(b"\n").unwrap_or(chunk);
                let text = text.strip_suffix(b"\r").unwrap_or(text);
                // The message may come from anywhere (a pipe into sendmail -t, a queue
                // entry): shown, its control characters are escaped like any outside
                // text. What goes to the server is untouched.
                let shown = String::from_utf8_lossy(text);
                self.log
                    .raw(crate::model::text::for_terminal(&shown).as_bytes());
                if newline {
                    self.log.raw(b"\n");
                }
                self.line_start = newline;
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The level-2 transcript of one BDAT chunk: its lines, prefixed as the DATA stream's
/// are (a line cut by the chunk's end is shown ended).
pub(crate) fn echo_chunk(log: &mut Log<'_>, tls: bool, chunk: &[u8]) {
    if log.level() < 2 {
        return;
    }
    let mut echo = Echo {
        inner: io::sink(),
        log,
        prefix: if tls { b"~> " } else { b"-> " },
        line_start: true,
    };
    let _ = echo.write_all(chunk);
    if !echo.line_start {
        echo.log.raw(b"\n");
    }
}

/// Why streaming the message failed.
#[derive(Debug)]
pub(crate) enum DataError {
    /// The payload could not produce its bytes (file unreadable, …).
    Payload(io::Error),
    /// Writing to the server failed.
    Network(io::Error),
}

/// Stream `payload` to `stream` as DATA content, including the terminating
/// `.CRLF`. Returns the number of message bytes sent (without the terminator).
pub(crate) fn send_message<S: Write>(
    stream: S,
    log: &mut Log<'_>,
    tls: bool,
    payload: &mut dyn Payload,
) -> Result<u64, DataError> {
    let echo = Echo {
        inner: stream,
        log,
        prefix: if tls { b"~> " } else { b"-> " },
        line_start: true,
    };
    let mut stuffer = DotStuffer::new(BufWriter::with_capacity(CHUNK, echo));
    if let Err(e) = payload.write_to(&mut stuffer) {
        let err = match stuffer.take_sink_error() {
            Some(net) => DataError::Network(net),
            None => DataError::Payload(e),
        };
        // Drop the buffered bytes instead of letting BufWriter flush them on drop:
        // the connection is abandoned mid-DATA and the server discards the message.
        let _ = stuffer.into_inner().into_parts();
        return Err(err);
    }
    let (buffered, size) = stuffer.finish().map_err(DataError::Network)?;
    let echo = buffered
        .into_inner()
        .map_err(|e| DataError::Network(e.into_error()))?;
    if echo.log.level() == 1 {
        echo.log.client(tls, &format!("(message: {size} bytes)"));
        echo.log.client(tls, ".");
    }
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stuff_in_pieces(input: &[u8], piece: usize) -> Vec<u8> {
        let mut s = DotStuffer::new(Vec::new());
        for chunk in input.chunks(piece.max(1)) {
            s.write_all(chunk).unwrap();
        }
        s.finish().unwrap().0
    }

    fn stuff(input: &[u8]) -> Vec<u8> {
        stuff_in_pieces(input, input.len())
    }

    /// What a server does: read CRLF lines up to "." alone, removing one leading dot.
    fn unstuff(wire: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut rest = wire;
        loop {
            let pos = rest
                .windows(2)
                .position(|w| w == b"\r\n")
                .expect("data not terminated");
            let line = &rest[..pos];
            rest = &rest[pos + 2..];
            if line == b"." {
                assert!(rest.is_empty(), "bytes after the terminator");
                return out;
            }
            out.extend(line.strip_prefix(b".").unwrap_or(line));
            out.extend(b"\r\n");
        }
    }

    /// The reference normalisation: every CRLF, bare CR and bare LF is one line end,
    /// and the result always ends with CRLF when non-empty.
    fn normalise(input: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < input.len() {
            match input[i] {
                b'\r' if input.get(i + 1) == Some(&b'\n') => {
                    out.extend(b"\r\n");
                    i += 2;
                }
                b'\r' | b'\n' => {
                    out.extend(b"\r\n");
                    i += 1;
                }
                b => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        if !out.is_empty() && !out.ends_with(b"\r\n") {
            out.extend(b"\r\n");
        }
        out
    }

    fn check_wire(wire: &[u8]) {
        assert!(wire.ends_with(b"\r\n.\r\n") || wire == b".\r\n");
        let body = &wire[..wire.len() - 3];
        for (i, &b) in body.iter().enumerate() {
            if b == b'\r' {
                assert_eq!(body.get(i + 1), Some(&b'\n'), "bare CR at {i}");
            }
            if b == b'\n' {
                assert!(i > 0 && body[i - 1] == b'\r', "bare LF at {i}");
            }
        }
        // No line is "." alone before the terminator.
        let mut at_line_start = true;
        for (i, &b) in body.iter().enumerate() {
            if at_line_start && b == b'.' {
                assert_eq!(body.get(i + 1), Some(&b'.'), "unstuffed dot at {i}");
            }
            at_line_start = b == b'\n';
        }
    }

    #[test]
    fn examples() {
        assert_eq!(stuff(b""), b".\r\n");
        assert_eq!(stuff(b"a"), b"a\r\n.\r\n");
        assert_eq!(stuff(b"a\r\n"), b"a\r\n.\r\n");
        assert_eq!(stuff(b"a\nb\rc\r\n"), b"a\r\nb\r\nc\r\n.\r\n");
        assert_eq!(stuff(b".\r\n..x\r\n"), b"..\r\n...x\r\n.\r\n");
        assert_eq!(stuff(b"a.b\r\n"), b"a.b\r\n.\r\n");
        assert_eq!(stuff(b"\r\r\n"), b"\r\n\r\n.\r\n");
        assert_eq!(stuff(b"x\r"), b"x\r\n.\r\n");
    }

    #[test]
    fn smuggling_inputs_cannot_end_data() {
        for evil in [
            &b"a\n.\nMAIL FROM:<evil>\n"[..],
            b"a\r.\rMAIL FROM:<evil>\r",
            b"a\r\n.\nRCPT TO:<x>\r\n",
            b"a\n.\r\nQUIT\r\n",
            b"a\r.\r\nx",
            b"a\r\n.\r\r\nx",
            b".\n",
            b"\n.\n",
        ] {
            let wire = stuff(evil);
            check_wire(&wire);
            assert_eq!(unstuff(&wire), normalise(evil), "{evil:?}");
            let terminators = wire.windows(5).filter(|w| w == b"\r\n.\r\n").count()
                + usize::from(wire.starts_with(b".\r\n"));
            assert_eq!(terminators, 1, "{:?}", String::from_utf8_lossy(&wire));
        }
    }

    /// A small deterministic generator, so failures reproduce.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
    }

    #[test]
    fn property_round_trip_over_generated_inputs() {
        // Bias the alphabet towards the bytes that matter.
        let alphabet = b"\r\n.\r\n.a. \x00\xff";
        let mut rng = Lcg(0x5eed);
        for case in 0..5000 {
            let len = (rng.next() % 40) as usize;
            let input: Vec<u8> = (0..len)
                .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
                .collect();
            let piece = 1 + (rng.next() % 7) as usize;
            let wire = stuff_in_pieces(&input, piece);
            check_wire(&wire);
            assert_eq!(
                unstuff(&wire),
                normalise(&input),
                "case {case}: {input:?} in pieces of {piece}"
            );
            // Splitting the input differently never changes the output.
            assert_eq!(wire, stuff(&input), "case {case}");
        }
    }

    #[test]
    fn large_input_streams_in_bounded_chunks() {
        // A writer that records the largest single write it is given.
        struct Max(usize, u64);
        impl Write for Max {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                self.0 = self.0.max(b.len());
                self.1 += b.len() as u64;
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        struct Big;
        impl Payload for Big {
            fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
                let line = [b'x'; 999];
                for _ in 0..5000 {
                    out.write_all(&line)?;
                    out.write_all(b"\n")?;
                }
                Ok(())
            }
        }
        let mut sink = Max(0, 0);
        let mut log = Log::new(None);
        let n = send_message(&mut sink, &mut log, false, &mut Big).unwrap();
        assert_eq!(n, 5000 * 1001);
        assert_eq!(sink.1, n + 3);
        assert!(sink.0 <= CHUNK, "largest write {}", sink.0);
    }

    #[test]
    fn payload_and_network_errors_are_told_apart() {
        struct Failing;
        impl Payload for Failing {
            fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
                out.write_all(b"hello\n")?;
                Err(io::Error::other("disk on fire"))
            }
        }
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::new(io::ErrorKind::BrokenPipe, "gone"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        struct Chatty;
        impl Payload for Chatty {
            fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
                // Enough to overflow the buffer and reach the socket.
                for _ in 0..CHUNK {
                    out.write_all(b"xx\n")?;
                }
                Ok(())
            }
        }
        let mut log = Log::new(None);
        let mut sent = Vec::new();
        match send_message(&mut sent, &mut log, false, &mut Failing) {
            Err(DataError::Payload(e)) => assert_eq!(e.to_string(), "disk on fire"),
            other => panic!("{other:?}"),
        }
        // Nothing was written: the buffered start of the message is dropped.
        assert!(sent.is_empty());
        match send_message(Broken, &mut log, false, &mut Chatty) {
            Err(DataError::Network(e)) => assert_eq!(e.kind(), io::ErrorKind::BrokenPipe),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn transcript_levels() {
        struct Msg;
        impl Payload for Msg {
            fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
                out.write_all(b"Subject: hi\n\n.dot\nend")
            }
        }
        for (level, expected) in [
            (1, "~> (message: 27 bytes)\n~> .\n"),
            (2, "~> Subject: hi\n~> \n~> ..dot\n~> end\n~> .\n"),
        ] {
            let mut buf = Vec::new();
            let mut t = crate::smtp::Transcript {
                out: &mut buf,
                level,
            };
            send_message(Vec::new(), &mut Log::new(Some(&mut t)), true, &mut Msg).unwrap();
            assert_eq!(String::from_utf8(buf).unwrap(), expected);
        }
    }
}
