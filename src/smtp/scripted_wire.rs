//! A [`Wire`] without a socket, for unit tests of the dialogue: a script of the lines
//! the client must send, each with the server's canned reply, and a record of all the
//! client sent (in which write, in clear or inside TLS, and the DATA bytes).
//!
//! Replies go through the real reply reader and the message through the real DATA
//! writer, and the transcript is the real one; only the socket and the TLS handshake
//! are pretend. A line the script does not expect panics, so a test that passes
//! has seen the whole dialogue it wrote down, in order; when the script runs out of
//! replies, the client reads the end of the stream, as from a server that left.

use std::collections::VecDeque;
use std::time::Duration;

use super::data;
use super::error::{SmtpError, Stage};
use super::reply::{LineReader, read_reply};
use super::transcript::Log;
use super::wire::{self, Wire};
use super::{Payload, Reply};

/// Where the script has the TLS handshake, after the server's 220 to STARTTLS.
pub(crate) const HANDSHAKE: &str = "(TLS handshake)";

/// Where the script has the end of the message data (after the 354 to DATA).
pub(crate) const END_OF_DATA: &str = ".";

/// What [`ScriptedWire::start_tls`] reports as protocol and cipher.
pub(crate) const TLS_DESCRIPTION: &str = "TLSv1.3 SCRIPTED";

/// One line the client sent.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    pub(crate) text: String,
    /// What the transcript showed instead (the line itself but for AUTH).
    pub(crate) shown: String,
    /// Sent inside TLS.
    pub(crate) tls: bool,
    /// Which write carried it: lines sent with no read between them share it, as
    /// over a socket, where they are held until the next read (`smtp/outgoing.rs`).
    pub(crate) write: usize,
}

/// All the client did, for the test's assertions.
#[derive(Debug, Default)]
pub(crate) struct Record {
    pub(crate) lines: Vec<Sent>,
    /// Each DATA stream as written: dot-stuffed, CRLF, with the terminator when the
    /// message was ended.
    pub(crate) data: Vec<Vec<u8>>,
    /// Each BDAT chunk as written, and whether it was the LAST.
    pub(crate) chunks: Vec<(Vec<u8>, bool)>,
    /// The stage of every reply read, with the time limit it was read under (`None`
    /// before the session set one).
    pub(crate) reads: Vec<(Stage, Option<Duration>)>,
}

impl Record {
    pub(crate) fn commands(&self) -> Vec<String> {
        self.lines.iter().map(|l| l.text.clone()).collect()
    }

    /// A line starting with `prefix` (case-insensitive) was sent.
    pub(crate) fn sent(&self, prefix: &str) -> bool {
        self.line(prefix).is_some()
    }

    /// The first line starting with `prefix` (case-insensitive).
    pub(crate) fn line(&self, prefix: &str) -> Option<&Sent> {
        let prefix = prefix.to_ascii_uppercase();
        self.lines
            .iter()
            .find(|l| l.text.to_ascii_uppercase().starts_with(&prefix))
    }

    /// The messages whose data was ended, as the server reads them: without the
    /// terminator and with the dot-stuffing removed.
    pub(crate) fn messages(&self) -> Vec<Vec<u8>> {
        self.data
            .iter()
            .filter_map(|raw| raw.strip_suffix(b".\r\n"))
            .filter(|body| body.is_empty() || body.ends_with(b"\r\n"))
            .map(|body| {
                body.split_inclusive(|&b| b == b'\n')
                    .flat_map(|line| line.strip_prefix(b".").unwrap_or(line).to_vec())
                    .collect()
            })
            .collect()
    }
}

impl Record {
    /// The messages sent in BDAT chunks and ended with a LAST one, as the server
    /// reads them (the chunks of each joined).
    pub(crate) fn chunked_messages(&self) -> Vec<Vec<u8>> {
        let mut messages = Vec::new();
        let mut current = Vec::new();
        for (chunk, last) in &self.chunks {
            current.extend_from_slice(chunk);
            if *last {
                messages.push(std::mem::take(&mut current));
            }
        }
        messages
    }
}

pub(crate) struct ScriptedWire<'a> {
    /// What the client must send next (exactly, or up to a final `*`), with the reply.
    script: VecDeque<(String, String)>,
    /// The server's replies not yet read, behind the real line reader.
    replies: LineReader<VecDeque<u8>>,
    log: Log<'a>,
    tls: Option<String>,
    limit: Option<Duration>,
    writes: usize,
    /// Something was sent since the last read: the next line is in the same write.
    sent_since_read: bool,
    record: Record,
}

impl<'a> ScriptedWire<'a> {
    /// A connection whose server greets with `greeting`, then answers as `script`
    /// says: (what the client must send, the reply; lines separated by "\r\n").
    /// An expected line ending in `*` takes any line that starts with the rest (AUTH
    /// lines, which carry the secret, are checked from the record afterwards).
    pub(crate) fn new(greeting: &str, script: &[(&str, &str)], log: Log<'a>) -> Self {
        let mut wire = ScriptedWire {
            script: script
                .iter()
                .map(|(expect, reply)| (expect.to_string(), reply.to_string()))
                .collect(),
            replies: LineReader::new(VecDeque::new()),
            log,
            tls: None,
            limit: None,
            writes: 0,
            sent_since_read: false,
            record: Record::default(),
        };
        wire.reply(greeting);
        wire
    }

    /// Inside TLS from the first byte, as with implicit TLS.
    pub(crate) fn in_tls(mut self) -> Self {
        self.tls = Some(TLS_DESCRIPTION.to_owned());
        self
    }

    /// What the client did. Panics when the script expected more.
    pub(crate) fn finish(self) -> Record {
        let left: Vec<_> = self.script.iter().map(|(expect, _)| expect).collect();
        assert!(
            left.is_empty(),
            "the client stopped before the script's {left:?}; it sent {:#?}",
            self.record.commands()
        );
        self.record
    }

    /// Queue the server's reply to what the client just sent.
    fn reply(&mut self, text: &str) {
        if !text.is_empty() {
            let pending = self.replies.get_mut();
            pending.extend(text.as_bytes());
            pending.extend(b"\r\n");
        }
    }

    /// Take the script's next step, which must expect `line`; queue its reply.
    fn expect(&mut self, line: &str) {
        let Some((expect, reply)) = self.script.pop_front() else {
            panic!(
                "the client sent {line:?} after the script ended; before it: {:#?}",
                self.record.commands()
            );
        };
        let matches = match expect.strip_suffix('*') {
            Some(prefix) => line.starts_with(prefix),
            None => line == expect,
        };
        assert!(
            matches,
            "the client sent {line:?} where the script expects {expect:?}; before it: {:#?}",
            self.record.commands()
        );
        self.reply(&reply);
    }

    /// A new write begins with the first thing sent after a read.
    fn sending(&mut self) {
        if !self.sent_since_read {
            self.writes += 1;
            self.sent_since_read = true;
        }
    }

    fn write_line(&mut self, stage: Stage, line: &str, shown: &str) -> Result<(), SmtpError> {
        self.sending();
        let tls = self.is_tls();
        self.log.client(tls, shown);
        wire::checked(stage, line)?;
        self.record.lines.push(Sent {
            text: line.to_owned(),
            shown: shown.to_owned(),
            tls,
            write: self.writes,
        });
        self.expect(line);
        Ok(())
    }
}

impl Wire for ScriptedWire<'_> {
    fn send_shown(&mut self, stage: Stage, line: &str, shown: &str) -> Result<(), SmtpError> {
        self.write_line(stage, line, shown)
    }

    fn send_batch(&mut self, stage: Stage, lines: &[String]) -> Result<(), SmtpError> {
        for line in lines {
            self.write_line(stage, line, line)?;
        }
        Ok(())
    }

    fn read_reply(&mut self, stage: Stage) -> Result<Reply, SmtpError> {
        self.sent_since_read = false;
        self.record.reads.push((stage, self.limit));
        let tls = self.is_tls();
        let log = &mut self.log;
        let result = read_reply(&mut self.replies, &mut |line| log.server(tls, line));
        result.map_err(|e| wire::reply_error(stage, e))
    }

    fn start_tls(&mut self, _host: &str, _stage: Stage) -> Result<(), SmtpError> {
        // As over a socket: what came after the 220 was sent in clear, and is dropped.
        let injected = self.replies.buffered() + self.replies.get_mut().len();
        if injected > 0 {
            self.log.info(&format!(
                "Discarded {injected} bytes the server sent before TLS began"
            ));
        }
        self.replies.discard_buffered();
        self.replies.get_mut().clear();
        self.expect(HANDSHAKE);
        self.log.info(&format!("TLS started: {TLS_DESCRIPTION}"));
        self.tls = Some(TLS_DESCRIPTION.to_owned());
        Ok(())
    }

    fn set_reply_timeout(&mut self, limit: Duration) {
        self.limit = Some(limit);
    }

    fn send_message(&mut self, payload: &mut dyn Payload) -> Result<u64, SmtpError> {
        self.sending();
        let tls = self.is_tls();
        let mut written = Vec::new();
        let result = data::send_message(&mut written, &mut self.log, tls, payload);
        self.record.data.push(written);
        let size = result.map_err(wire::data_error)?;
        self.expect(END_OF_DATA);
        Ok(size)
    }

    fn send_chunk(
        &mut self,
        commands: &[String],
        chunk: &[u8],
        last: bool,
    ) -> Result<(), SmtpError> {
        for line in commands {
            self.write_line(Stage::Mail, line, line)?;
        }
        let bdat = wire::bdat_command(chunk.len(), last);
        self.write_line(Stage::Data, &bdat, &bdat)?;
        let tls = self.is_tls();
        data::echo_chunk(&mut self.log, tls, chunk);
        self.record.chunks.push((chunk.to_vec(), last));
        Ok(())
    }

    fn tls_description(&self) -> Option<&str> {
        self.tls.as_deref()
    }

    fn peer_certificate(&self) -> Option<Vec<u8>> {
        None
    }

    fn info(&mut self, text: &str) {
        self.log.info(text);
    }
}

/// Lend a wire to a session and keep it, to look at after the session ended.
impl<W: Wire + ?Sized> Wire for &mut W {
    fn send_shown(&mut self, stage: Stage, line: &str, shown: &str) -> Result<(), SmtpError> {
        (**self).send_shown(stage, line, shown)
    }
    fn send_batch(&mut self, stage: Stage, lines: &[String]) -> Result<(), SmtpError> {
        (**self).send_batch(stage, lines)
    }
    fn read_reply(&mut self, stage: Stage) -> Result<Reply, SmtpError> {
        (**self).read_reply(stage)
    }
    fn start_tls(&mut self, host: &str, stage: Stage) -> Result<(), SmtpError> {
        (**self).start_tls(host, stage)
    }
    fn set_reply_timeout(&mut self, limit: Duration) {
        (**self).set_reply_timeout(limit)
    }
    fn send_message(&mut self, payload: &mut dyn Payload) -> Result<u64, SmtpError> {
        (**self).send_message(payload)
    }
    fn send_chunk(
        &mut self,
        commands: &[String],
        chunk: &[u8],
        last: bool,
    ) -> Result<(), SmtpError> {
        (**self).send_chunk(commands, chunk, last)
    }
    fn tls_description(&self) -> Option<&str> {
        (**self).tls_description()
    }
    fn peer_certificate(&self) -> Option<Vec<u8>> {
        (**self).peer_certificate()
    }
    fn client_certificate_requested(&self) -> Option<bool> {
        (**self).client_certificate_requested()
    }
    fn info(&mut self, text: &str) {
        (**self).info(text)
    }
}
