//! An established connection: the stream (plain, then perhaps TLS), the reply
//! reader, the transcript, and the translation of I/O failures into [`SmtpError`]s
//! that carry the stage.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::Payload;
use super::Reply;
use super::data::{self, DataError};
use super::dial::io_kind;
use super::error::{SmtpError, SmtpErrorKind, Stage};
use super::reply::{LineReader, ReadError, ReadLimit, read_reply};
use super::tls::{TlsClient, TlsStream};
use super::transcript::Log;

pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<dyn TlsStream>),
    /// Only between taking the plain socket for the handshake and getting TLS back.
    Closed,
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
            Stream::Closed => Err(io::ErrorKind::NotConnected.into()),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
            Stream::Closed => Err(io::ErrorKind::NotConnected.into()),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
            Stream::Closed => Err(io::ErrorKind::NotConnected.into()),
        }
    }
}

pub(crate) struct SocketWire<'a> {
    /// Holds, besides the stream, a second handle on the same socket: once TLS owns
    /// the stream, this is how the read time limit is still changed.
    reader: LineReader<Stream>,
    pub(crate) log: Log<'a>,
    /// Protocol and cipher, once TLS is up.
    tls: Option<String>,
    /// The time limit for a reply (and for each read outside replies).
    limit: Duration,
}

impl<'a> SocketWire<'a> {
    pub(crate) fn new(tcp: TcpStream, log: Log<'a>) -> Result<Self, SmtpError> {
        let socket = tcp
            .try_clone()
            .map_err(|e| SmtpError::new(Stage::Connect, SmtpErrorKind::Io(e)))?;
        let socket = ReadLimit::new(socket);
        let limit = socket.current().unwrap_or(Duration::from_secs(60));
        Ok(SocketWire {
            reader: LineReader::new(Stream::Plain(tcp)).with_socket(socket),
            log,
            tls: None,
            limit,
        })
    }

    pub(crate) fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    pub(crate) fn tls_description(&self) -> Option<&str> {
        self.tls.as_deref()
    }

    pub(crate) fn peer_certificate(&self) -> Option<Vec<u8>> {
        match self.reader.get_ref() {
            Stream::Tls(s) => s.peer_certificate(),
            _ => None,
        }
    }

    /// Replace the plain stream with TLS.
    pub(crate) fn start_tls(
        &mut self,
        client: &TlsClient,
        host: &str,
        stage: Stage,
    ) -> Result<(), SmtpError> {
        // Anything the server sent after its "220 ready" arrived unprotected and may
        // have been injected by an attacker; it must never be read as a reply from
        // inside TLS (RFC 3207 §5, CVE-2011-0411 and kin).
        let injected = self.reader.buffered();
        if injected > 0 {
            self.log.info(&format!(
                "Discarded {injected} bytes the server sent before TLS began"
            ));
        }
        self.reader.discard_buffered();
        let Stream::Plain(tcp) = std::mem::replace(self.reader.get_mut(), Stream::Closed) else {
            return Err(SmtpError::new(
                stage,
                SmtpErrorKind::Protocol("TLS is already active".into()),
            ));
        };
        let stream = client
            .handshake(super::dial::bare_host(host), tcp)
            .map_err(|kind| SmtpError::new(stage, kind))?;
        let description = stream.describe();
        self.log.info(&format!("TLS started: {description}"));
        *self.reader.get_mut() = Stream::Tls(stream);
        self.tls = Some(description);
        Ok(())
    }

    pub(crate) fn set_read_timeout(&mut self, limit: Duration) {
        // Settings never hold a zero duration.
        if let Some(socket) = self.reader.socket() {
            socket.set(limit);
        }
        self.limit = limit;
    }

    /// Send one command line.
    pub(crate) fn send(&mut self, stage: Stage, line: &str) -> Result<(), SmtpError> {
        self.send_shown(stage, line, line)
    }

    /// Send `line`, writing `shown` to the transcript instead (for AUTH).
    pub(crate) fn send_shown(
        &mut self,
        stage: Stage,
        line: &str,
        shown: &str,
    ) -> Result<(), SmtpError> {
        let tls = self.is_tls();
        self.log.client(tls, shown);
        let mut wire = checked(stage, line)?;
        wire.extend_from_slice(b"\r\n");
        self.write_flush(stage, &wire)
    }

    /// Send several commands in one write (PIPELINING).
    pub(crate) fn send_batch(&mut self, stage: Stage, lines: &[String]) -> Result<(), SmtpError> {
        let tls = self.is_tls();
        let mut wire = Vec::new();
        for line in lines {
            self.log.client(tls, line);
            wire.extend(checked(stage, line)?);
            wire.extend_from_slice(b"\r\n");
        }
        self.write_flush(stage, &wire)
    }

    fn write_flush(&mut self, stage: Stage, wire: &[u8]) -> Result<(), SmtpError> {
        let stream = self.reader.get_mut();
        stream
            .write_all(wire)
            .and_then(|()| stream.flush())
            .map_err(|e| SmtpError::new(stage, io_kind(e)))
    }

    pub(crate) fn read_reply(&mut self, stage: Stage) -> Result<Reply, SmtpError> {
        if let Some(socket) = self.reader.socket() {
            quick_ack(socket.socket());
        }
        let tls = self.is_tls();
        let log = &mut self.log;
        // The whole reply, not just each read, must come within the limit.
        self.reader.set_deadline(Some(Instant::now() + self.limit));
        let result = read_reply(&mut self.reader, &mut |line| log.server(tls, line));
        self.reader.set_deadline(None);
        let limit = self.limit;
        if let Some(socket) = self.reader.socket() {
            socket.set(limit);
        }
        self.log.flush();
        result.map_err(|e| {
            SmtpError::new(
                stage,
                match e {
                    ReadError::Io(e) => io_kind(e),
                    ReadError::Malformed(why) => SmtpErrorKind::Protocol(why),
                },
            )
        })
    }

    /// Stream the message and the terminating ".", after a 354.
    pub(crate) fn send_message(&mut self, payload: &mut dyn Payload) -> Result<u64, SmtpError> {
        let tls = self.is_tls();
        let result = data::send_message(self.reader.get_mut(), &mut self.log, tls, payload);
        self.log.flush();
        result.map_err(|e| match e {
            DataError::Payload(e) => SmtpError::new(Stage::Data, SmtpErrorKind::Payload(e)),
            DataError::Network(e) => SmtpError::new(Stage::Data, io_kind(e)),
        })
    }
}

/// Ask the kernel to acknowledge at once while we wait for a reply. A server that
/// writes two small records back to back without TCP_NODELAY (Postfix after STARTTLS:
/// a session ticket, then the EHLO reply) holds the second until our ACK, and Linux
/// delays that ACK: 40 ms on about half of all submissions, measured with strace.
#[cfg(target_os = "linux")]
fn quick_ack(socket: &TcpStream) {
    // Only a hint: a failure changes timing, never correctness.
    let _ = rustix::net::sockopt::set_tcp_quickack(socket, true);
}

#[cfg(not(target_os = "linux"))]
fn quick_ack(_socket: &TcpStream) {}

/// A line break inside a command would start a second command; whatever put it
/// there (an address, a name), it must not reach the wire.
fn checked(stage: Stage, line: &str) -> Result<Vec<u8>, SmtpError> {
    if line.bytes().any(|b| b == b'\r' || b == b'\n') {
        return Err(SmtpError::new(
            stage,
            SmtpErrorKind::InvalidInput(format!(
                "refusing to send a command with a line break in it: {:?}",
                line
            )),
        ));
    }
    Ok(line.as_bytes().to_vec())
}
