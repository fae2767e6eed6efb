//! The MIME tree of a message (leaves and multiparts) and how it goes on the wire.
//! Leaves hold either small in-memory text or an open file that is streamed on
//! every write.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};

use super::body::{self, Encoding, TextEncoder};
use super::header::{self, Token};

/// Where a leaf's octets come from.
#[derive(Debug)]
pub(crate) enum Content {
    /// Text read from the command line or stdin.
    Memory(Vec<u8>),
    /// A regular file, opened once by `prepare`, rewound and streamed on each write.
    File(File),
}

impl Content {
    fn reader(&self) -> io::Result<Box<dyn Read + '_>> {
        Ok(match self {
            Content::Memory(bytes) => Box::new(&bytes[..]),
            Content::File(file) => {
                let mut f = file;
                f.seek(SeekFrom::Start(0))?;
                Box::new(f)
            }
        })
    }
}

#[derive(Debug)]
pub(crate) struct Leaf {
    /// Folded header lines (Content-Type, …), each ending in CRLF; without the
    /// Content-Transfer-Encoding, which is added from `encoding`.
    pub headers: String,
    pub encoding: Encoding,
    pub content: Content,
}

#[derive(Debug)]
pub(crate) enum Part {
    Leaf(Leaf),
    Multi {
        /// "mixed", "alternative" or "related".
        subtype: &'static str,
        boundary: String,
        parts: Vec<Part>,
    },
}

/// Where the bytes go: a real writer, or only a count (for the SIZE of a message
/// without encoding its attachments).
pub(crate) enum Sink<'a> {
    Write(&'a mut dyn Write),
    Count(u64),
}

impl Sink<'_> {
    pub fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Sink::Write(w) => w.write_all(bytes),
            Sink::Count(n) => {
                *n += bytes.len() as u64;
                Ok(())
            }
        }
    }
}

impl Part {
    /// This part's own header lines (Content-Type, Content-Transfer-Encoding, …).
    pub fn headers(&self) -> String {
        match self {
            Part::Leaf(leaf) => format!(
                "{}{}",
                leaf.headers,
                header::fold(
                    "Content-Transfer-Encoding",
                    &[Token::Word(leaf.encoding.as_str().into())]
                )
            ),
            Part::Multi {
                subtype, boundary, ..
            } => header::fold(
                "Content-Type",
                &header::with_params(
                    &format!("multipart/{subtype}"),
                    vec![format!("boundary=\"{boundary}\"")],
                ),
            ),
        }
    }

    /// The body after the blank line. Leaves always end in CRLF (or are empty).
    pub fn write_body(&self, sink: &mut Sink<'_>) -> io::Result<()> {
        match self {
            Part::Leaf(leaf) => leaf.write_body(sink),
            Part::Multi {
                boundary, parts, ..
            } => {
                for (i, part) in parts.iter().enumerate() {
                    // The CRLF before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
                    let lead = if i == 0 { "" } else { "\r\n" };
                    sink.put(format!("{lead}--{boundary}\r\n").as_bytes())?;
                    sink.put(part.headers().as_bytes())?;
                    sink.put(b"\r\n")?;
                    part.write_body(sink)?;
                }
                sink.put(format!("\r\n--{boundary}--\r\n").as_bytes())
            }
        }
    }
}

impl Leaf {
    fn write_body(&self, sink: &mut Sink<'_>) -> io::Result<()> {
        match (self.encoding, sink) {
            // Counting a file attachment needs only its length.
            (Encoding::Base64, Sink::Count(n)) => {
                let len = match &self.content {
                    Content::Memory(b) => b.len() as u64,
                    Content::File(f) => f.metadata()?.len(),
                };
                *n += body::base64_len(len);
                Ok(())
            }
            (Encoding::Base64, Sink::Write(w)) => body::write_base64(self.content.reader()?, *w),
            (text, Sink::Write(w)) => {
                let mut enc = TextEncoder::new(*w, text);
                enc.feed_reader(self.content.reader()?)?;
                enc.finish()
            }
            (text, Sink::Count(n)) => {
                let mut counter = body::Counter::default();
                let mut enc = TextEncoder::new(&mut counter, text);
                enc.feed_reader(self.content.reader()?)?;
                enc.finish()?;
                *n += counter.0;
                Ok(())
            }
        }
    }
}

/// A boundary that cannot occur in base64 or quoted-printable content ("=_" never
/// does) and, being 128 random bits, will not occur in 7bit text either.
pub(crate) fn new_boundary() -> io::Result<String> {
    Ok(format!("=_posta_{}", random_hex(16)?))
}

pub(crate) fn random_hex(n: usize) -> io::Result<String> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
