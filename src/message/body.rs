//! Content transfer encodings, all streaming: 7bit (line endings normalised to CRLF),
//! quoted-printable, and base64 in 76-character lines. Nothing here holds more than
//! one chunk of its input.

use std::io::{self, Read, Write};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// RFC 5322 §2.1.1: no line may exceed 998 octets (CRLF excluded).
const MAX_7BIT_LINE: usize = 998;
/// RFC 2045 §6.7: encoded lines are at most 76 characters; 75 leaves room for the `=`
/// of a soft line break.
const QP_LINE: usize = 75;
/// 57 input octets make exactly one 76-character base64 line.
const B64_LINE_IN: usize = 57;
const B64_CHUNK: usize = B64_LINE_IN * 1024;
const OUT_BUF: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    SevenBit,
    QuotedPrintable,
    Base64,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::SevenBit => "7bit",
            Encoding::QuotedPrintable => "quoted-printable",
            Encoding::Base64 => "base64",
        }
    }
}

/// What a scan of a text body found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextScan {
    /// 7bit when the text is ASCII without NUL and every line fits in 998 octets;
    /// quoted-printable otherwise.
    pub encoding: Encoding,
    /// Whether the text is valid UTF-8 (we declare charset=utf-8).
    pub utf8: bool,
}

/// Read a text body once, in chunks, to choose its transfer encoding and check
/// that it is UTF-8.
pub fn scan_text(mut input: impl Read) -> io::Result<TextScan> {
    let mut buf = vec![0u8; OUT_BUF];
    // Bytes of a UTF-8 sequence cut by the end of the previous chunk.
    let mut carry = 0usize;
    let mut line = 0usize;
    let mut scan = TextScan {
        encoding: Encoding::SevenBit,
        utf8: true,
    };
    loop {
        let n = match input.read(&mut buf[carry..]) {
            Ok(0) => {
                scan.utf8 &= carry == 0;
                return Ok(scan);
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = &buf[..carry + n];
        for &b in &chunk[carry..] {
            match b {
                b'\r' | b'\n' => line = 0,
                0 | 0x80.. => scan.encoding = Encoding::QuotedPrintable,
                _ => {
                    line += 1;
                    if line > MAX_7BIT_LINE {
                        scan.encoding = Encoding::QuotedPrintable;
                    }
                }
            }
        }
        carry = match std::str::from_utf8(chunk) {
            Ok(_) => 0,
            // An incomplete sequence at the end: keep it for the next chunk.
            Err(e) if e.error_len().is_none() => chunk.len() - e.valid_up_to(),
            Err(_) => {
                scan.utf8 = false;
                0
            }
        };
        let len = chunk.len();
        buf.copy_within(len - carry..len, 0);
    }
}

/// Encodes text as 7bit or quoted-printable, turning every line ending (CRLF, LF or a
/// lone CR) into CRLF and ending the text with CRLF. Call [`TextEncoder::finish`].
pub struct TextEncoder<'w> {
    out: &'w mut dyn Write,
    qp: bool,
    buf: Vec<u8>,
    saw_cr: bool,
    col: usize,
    at_line_start: bool,
    pending_ws: Option<u8>,
}

impl<'w> TextEncoder<'w> {
    pub fn new(out: &'w mut dyn Write, encoding: Encoding) -> Self {
        debug_assert!(encoding != Encoding::Base64);
        TextEncoder {
            out,
            qp: encoding == Encoding::QuotedPrintable,
            buf: Vec::with_capacity(OUT_BUF + 16),
            saw_cr: false,
            col: 0,
            at_line_start: true,
            pending_ws: None,
        }
    }

    pub fn feed(&mut self, input: &[u8]) -> io::Result<()> {
        for &b in input {
            if std::mem::take(&mut self.saw_cr) && b == b'\n' {
                continue; // the CR already ended the line
            }
            match b {
                b'\r' => {
                    self.end_line();
                    self.saw_cr = true;
                }
                b'\n' => self.end_line(),
                _ if self.qp => self.qp_byte(b),
                _ => {
                    self.buf.push(b);
                    self.at_line_start = false;
                }
            }
            if self.buf.len() >= OUT_BUF {
                self.out.write_all(&self.buf)?;
                self.buf.clear();
            }
        }
        Ok(())
    }

    /// Stream a whole reader through the encoder.
    pub fn feed_reader(&mut self, mut input: impl Read) -> io::Result<()> {
        let mut chunk = vec![0u8; OUT_BUF];
        loop {
            match input.read(&mut chunk) {
                Ok(0) => return Ok(()),
                Ok(n) => self.feed(&chunk[..n])?,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    pub fn finish(mut self) -> io::Result<()> {
        if let Some(ws) = self.pending_ws.take() {
            self.qp_escaped(ws);
        }
        if !self.at_line_start {
            self.buf.extend_from_slice(b"\r\n");
        }
        self.out.write_all(&self.buf)
    }

    fn end_line(&mut self) {
        if let Some(ws) = self.pending_ws.take() {
            // Trailing whitespace would be stripped in transit (RFC 2045 §6.7 rule 3).
            self.qp_escaped(ws);
        }
        self.buf.extend_from_slice(b"\r\n");
        self.col = 0;
        self.at_line_start = true;
    }

    fn qp_byte(&mut self, b: u8) {
        self.at_line_start = false;
        if let Some(ws) = self.pending_ws.take() {
            self.qp_token(&[ws]);
        }
        match b {
            b' ' | b'\t' => self.pending_ws = Some(b),
            33..=126 if b != b'=' => self.qp_token(&[b]),
            _ => self.qp_escaped(b),
        }
    }

    fn qp_escaped(&mut self, b: u8) {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        self.qp_token(&[b'=', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
    }

    fn qp_token(&mut self, token: &[u8]) {
        if self.col + token.len() > QP_LINE {
            self.buf.extend_from_slice(b"=\r\n");
            self.col = 0;
        }
        self.buf.extend_from_slice(token);
        self.col += token.len();
    }
}

/// Write `input` as base64 in 76-character CRLF lines, reading 57 KiB at a time.
pub fn write_base64(mut input: impl Read, out: &mut dyn Write) -> io::Result<()> {
    let mut chunk = vec![0u8; B64_CHUNK];
    let mut encoded = vec![0u8; B64_CHUNK / 3 * 4];
    let mut lines = Vec::with_capacity(B64_CHUNK / 3 * 4 + B64_CHUNK / B64_LINE_IN * 2);
    loop {
        let n = read_full(&mut input, &mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        let len = STANDARD
            .encode_slice(&chunk[..n], &mut encoded)
            .map_err(io::Error::other)?;
        lines.clear();
        for line in encoded[..len].chunks(76) {
            lines.extend_from_slice(line);
            lines.extend_from_slice(b"\r\n");
        }
        out.write_all(&lines)?;
        if n < chunk.len() {
            return Ok(());
        }
    }
}

/// Octets [`write_base64`] produces for `n` input octets.
pub fn base64_len(n: u64) -> u64 {
    let chars = n.div_ceil(3) * 4;
    chars + chars.div_ceil(76) * 2
}

/// Fill `buf` unless the input ends first; a chunk that is a multiple of 57 octets
/// keeps every base64 line but the last exactly 76 characters long.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// A sink that only counts, for [`crate::message::Composed::size`].
#[derive(Debug, Default)]
pub struct Counter(pub u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(text: &[u8], enc: Encoding) -> Vec<u8> {
        let mut out = Vec::new();
        let mut e = TextEncoder::new(&mut out, enc);
        // Feed in odd pieces so that CR/LF pairs straddle calls.
        for piece in text.chunks(7) {
            e.feed(piece).unwrap();
        }
        e.finish().unwrap();
        out
    }

    /// Quoted-printable decoder (RFC 2045 §6.7), enough for round trips.
    fn qp_decode(s: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < s.len() {
            if s[i] == b'=' {
                if s[i + 1..].starts_with(b"\r\n") {
                    i += 3;
                } else {
                    let hex = std::str::from_utf8(&s[i + 1..i + 3]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 3;
                }
            } else {
                out.push(s[i]);
                i += 1;
            }
        }
        out
    }

    fn assert_wire_lines(out: &[u8], max: usize) {
        assert!(out.ends_with(b"\r\n"));
        for line in out[..out.len() - 2].split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            assert!(line.len() <= max, "line of {}", line.len());
            assert!(!line.contains(&b'\r'), "bare CR");
            assert!(line.iter().all(|&b| b < 128), "8-bit octet");
        }
    }

    #[test]
    fn line_endings_become_crlf() {
        assert_eq!(
            encode(b"a\nb\r\nc\rd", Encoding::SevenBit),
            b"a\r\nb\r\nc\r\nd\r\n"
        );
        assert_eq!(encode(b"a\r\n", Encoding::SevenBit), b"a\r\n");
        assert_eq!(encode(b"", Encoding::SevenBit), b"");
    }

    fn encoding_of(text: &[u8]) -> Encoding {
        scan_text(text).unwrap().encoding
    }

    #[test]
    fn choice_of_encoding() {
        assert_eq!(encoding_of(b"plain\nascii"), Encoding::SevenBit);
        assert_eq!(encoding_of("héllo".as_bytes()), Encoding::QuotedPrintable);
        assert_eq!(encoding_of(b"nul\0"), Encoding::QuotedPrintable);
        let long = "a".repeat(999);
        assert_eq!(encoding_of(long.as_bytes()), Encoding::QuotedPrintable);
        let ok = format!("{}\n{}", "a".repeat(998), "b".repeat(998));
        assert_eq!(encoding_of(ok.as_bytes()), Encoding::SevenBit);
    }

    /// Hands out its input a few bytes at a time, to cut UTF-8 sequences.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(self.0.len()).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn utf8_check_survives_chunk_boundaries() {
        let text = "Привет 🎉 日本".repeat(50);
        for step in 1..8 {
            assert!(
                scan_text(Trickle(text.as_bytes(), step)).unwrap().utf8,
                "step {step}"
            );
        }
        assert!(!scan_text(&b"caf\xe9 au lait"[..]).unwrap().utf8);
        assert!(!scan_text(&b"cut \xe6\x97"[..]).unwrap().utf8);
    }

    #[test]
    fn quoted_printable_round_trips_with_short_lines() {
        let text = format!(
            "{}\nПривет 🎉 = equals\ntrailing space \nend\ttab\t",
            "x".repeat(5000)
        );
        let out = encode(text.as_bytes(), Encoding::QuotedPrintable);
        assert_wire_lines(&out, 76);
        let expected = text.replace('\n', "\r\n") + "\r\n";
        assert_eq!(String::from_utf8(qp_decode(&out)).unwrap(), expected);
    }

    #[test]
    fn base64_lines_and_length() {
        for n in [0usize, 1, 56, 57, 58, 100_000, B64_CHUNK, B64_CHUNK + 1] {
            let data: Vec<u8> = (0..n).map(|i| (i * 31 % 251) as u8).collect();
            let mut out = Vec::new();
            write_base64(&data[..], &mut out).unwrap();
            assert_eq!(out.len() as u64, base64_len(n as u64), "n={n}");
            if n > 0 {
                assert_wire_lines(&out, 76);
            }
            let joined: Vec<u8> = out
                .iter()
                .copied()
                .filter(|&b| b != b'\r' && b != b'\n')
                .collect();
            assert_eq!(STANDARD.decode(joined).unwrap(), data);
        }
    }
}
