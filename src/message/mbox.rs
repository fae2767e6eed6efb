//! Splitting an mbox file into its messages, one at a time and in bounded memory.
//!
//! Messages start at lines beginning with "From " (the separator, not part of the
//! message). Body lines that began with "From " were escaped with '>' when the mbox was
//! written; the mboxrd rule is undone here: one '>' is removed from any line matching
//! `^>+From `. The empty line that precedes a separator belongs to the mbox format and
//! is dropped.

use std::io::{self, BufRead, Write};

pub struct MboxReader<R> {
    input: R,
    line: Vec<u8>,
    done: bool,
}

impl<R: BufRead> MboxReader<R> {
    pub fn new(input: R) -> Self {
        MboxReader {
            input,
            line: Vec::with_capacity(1024),
            done: false,
        }
    }

    /// Write the next message to `out`. False when there are no more messages.
    pub fn next_into(&mut self, out: &mut dyn Write) -> io::Result<bool> {
        let mut wrote = false;
        // A blank line held back: dropped if a separator follows it.
        let mut held: Option<Vec<u8>> = None;
        while !self.done {
            self.line.clear();
            if self.input.read_until(b'\n', &mut self.line)? == 0 {
                self.done = true;
                break;
            }
            let line = &self.line[..];
            if line.starts_with(b"From ") {
                if wrote {
                    // The next message's separator: consumed, so the next call
                    // starts right at its first header.
                    return Ok(true);
                }
                held = None;
                continue;
            }
            if let Some(blank) = held.take() {
                out.write_all(&blank)?;
                wrote = true;
            }
            if line == b"\n" || line == b"\r\n" {
                if !wrote {
                    // Blank lines before a message's first header are padding.
                    continue;
                }
                held = Some(line.to_vec());
                continue;
            }
            let quoted = line.iter().take_while(|&&b| b == b'>').count();
            if quoted > 0 && line[quoted..].starts_with(b"From ") {
                out.write_all(&line[1..])?;
            } else {
                out.write_all(line)?;
            }
            wrote = true;
        }
        // A blank line still held at the end is the mbox's own final one.
        Ok(wrote)
    }
}

/// Whether a file's first bytes look like an mbox.
pub fn looks_like_mbox(start: &[u8]) -> bool {
    start.starts_with(b"From ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(input: &str) -> Vec<String> {
        let mut reader = MboxReader::new(input.as_bytes());
        let mut out = Vec::new();
        loop {
            let mut one = Vec::new();
            if !reader.next_into(&mut one).unwrap() {
                break;
            }
            out.push(String::from_utf8(one).unwrap());
        }
        out
    }

    #[test]
    fn splits_on_from_lines_and_drops_the_separating_blank_line() {
        let mbox = "From a@x Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody 1\n\n\
                    From b@x Mon Jan  1 00:00:01 2024\nSubject: two\n\nbody 2\n\nmore\n\n";
        assert_eq!(
            split(mbox),
            [
                "Subject: one\n\nbody 1\n",
                "Subject: two\n\nbody 2\n\nmore\n"
            ]
        );
    }

    #[test]
    fn unescapes_quoted_from_lines_mboxrd_style() {
        let mbox = "From a@x Mon Jan  1 00:00:00 2024\r\nSubject: q\r\n\r\n\
                    >From here\r\n>>From there\r\n>Fromage\r\n> From\r\n";
        assert_eq!(
            split(mbox),
            ["Subject: q\r\n\r\nFrom here\r\n>From there\r\n>Fromage\r\n> From\r\n"]
        );
    }

    #[test]
    fn empty_and_headerless_inputs() {
        assert!(split("").is_empty());
        assert!(split("From a@x\n\n").is_empty());
        assert_eq!(
            split("Subject: no separator\n\nx\n"),
            ["Subject: no separator\n\nx\n"]
        );
        assert_eq!(split("From a@x\nS: 1\n\nFrom b@x\nS: 2\n").len(), 2);
    }
}
