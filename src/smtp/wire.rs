//! What the session needs from a connection, as the [`Wire`] trait, and its one real
//! implementation, [`SocketWire`]: the stream (plain, then perhaps TLS), the reply
//! reader, the transcript, and the translation of I/O failures into [`SmtpError`]s
//! that carry the stage.
//!
//! The seam lets the dialogue in `session.rs` run over a scripted wire in unit tests,
//! without a socket; everything about sockets, timeouts and TLS stays here.

use std::borrow::Cow;
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use super::data::{self, DataError};
use super::dial::{self, io_kind};
use super::error::{SmtpError, SmtpErrorKind, Stage};
use super::outgoing::Outgoing;
use super::redact::Redactor;
use super::reply::{LineReader, ReadError, ReadLimit, read_reply};
use super::socket::Socket;
use super::tls::{self, TlsClient, TlsStream};
use super::transcript::Log;
use super::{Payload, Reply, Security, Settings};

/// The connection as the SMTP dialogue sees it: command lines out, replies in, the
/// message streamed, TLS started on request, and the transcript written on the way.
pub(crate) trait Wire {
    /// Send `line`, writing `shown` to the transcript instead (the redacted form of
    /// AUTH lines; the line itself for every other command).
    fn send_shown(&mut self, stage: Stage, line: &str, shown: &str) -> Result<(), SmtpError>;

    /// Send several commands in one write (PIPELINING).
    fn send_batch(&mut self, stage: Stage, lines: &[String]) -> Result<(), SmtpError>;

    /// Read one complete reply.
    fn read_reply(&mut self, stage: Stage) -> Result<Reply, SmtpError>;

    /// Replace the plain stream with TLS, after the server's 220 to STARTTLS.
    fn start_tls(&mut self, host: &str, stage: Stage) -> Result<(), SmtpError>;

    /// The time limit for each reply from now on.
    fn set_reply_timeout(&mut self, limit: Duration);

    /// Stream the message and the terminating ".", after a 354, through the DATA
    /// writer (never holding the message). The number of message bytes sent.
    fn send_message(&mut self, payload: &mut dyn Payload) -> Result<u64, SmtpError>;

    /// `commands` (pipelined MAIL and RCPT, or none), then `BDAT <size>` (with `LAST`
    /// when `last`) and the chunk's bytes, in one write (RFC 3030 §2). The chunk is
    /// already CRLF-normalised; it is sent as it is.
    fn send_chunk(
        &mut self,
        commands: &[String],
        chunk: &[u8],
        last: bool,
    ) -> Result<(), SmtpError>;

    /// Write what was said and is still held (see `smtp/outgoing.rs`) now, not at the
    /// next read.
    fn push(&mut self) -> Result<(), SmtpError> {
        Ok(())
    }

    /// Protocol and cipher, once TLS is up.
    fn tls_description(&self) -> Option<&str>;

    /// The server's leaf certificate (DER), once TLS is up.
    fn peer_certificate(&self) -> Option<Vec<u8>>;

    /// Whether the server asked for a client certificate, once TLS is up; `None` when
    /// the TLS backend cannot tell.
    fn client_certificate_requested(&self) -> Option<bool> {
        None
    }

    /// A `=== ` information line in the transcript.
    fn info(&mut self, text: &str);

    /// Send one command line, shown as it is.
    fn send(&mut self, stage: Stage, line: &str) -> Result<(), SmtpError> {
        self.send_shown(stage, line, line)
    }

    fn is_tls(&self) -> bool {
        self.tls_description().is_some()
    }
}

pub(crate) enum Stream {
    Plain(Socket),
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

/// The [`Wire`] over a socket (TCP or Unix).
pub(crate) struct SocketWire<'a> {
    /// Holds, besides the stream, a second handle on the same socket: once TLS owns
    /// the stream, this is how the read time limit is still changed.
    reader: LineReader<Stream>,
    log: Log<'a>,
    /// Ready before connecting (for implicit TLS and STARTTLS alike); `None` for
    /// plain.
    client: Option<TlsClient>,
    /// Protocol and cipher, once TLS is up.
    tls: Option<String>,
    /// The time limit for a reply (and for each read outside replies).
    limit: Duration,
    /// Takes the credentials out of everything the server says.
    redact: Redactor,
    /// What we said, held until the next read (see [`Outgoing`]).
    out: Outgoing,
}

impl<'a> SocketWire<'a> {
    /// Set up TLS (reading the CA file), connect, and start implicit TLS if asked.
    pub(crate) fn open(settings: &Settings, log: Log<'a>) -> Result<Self, SmtpError> {
        SocketWire::open_with(settings, log, prepare_tls(settings)?)
    }

    /// Like [`SocketWire::open`], with TLS already set up (and its session store
    /// shared with earlier connections: see [`TlsClient`]).
    pub(crate) fn open_with(
        settings: &Settings,
        mut log: Log<'a>,
        client: Option<TlsClient>,
    ) -> Result<Self, SmtpError> {
        let socket = dial::open(settings, &mut log)?;
        let mut wire = SocketWire::new(socket, log, client)?;
        wire.redact = Redactor::new(settings);
        if settings.security == Security::Tls {
            wire.start_tls(&settings.host, Stage::Connect)?;
        }
        Ok(wire)
    }

    fn new(stream: Socket, log: Log<'a>, client: Option<TlsClient>) -> Result<Self, SmtpError> {
        let socket = stream
            .try_clone()
            .map_err(|e| SmtpError::new(Stage::Connect, SmtpErrorKind::Io(e)))?;
        let socket = ReadLimit::new(socket);
        let limit = socket.current().unwrap_or(Duration::from_secs(60));
        Ok(SocketWire {
            reader: LineReader::new(Stream::Plain(stream)).with_socket(socket),
            log,
            client,
            tls: None,
            limit,
            redact: Redactor::default(),
            out: Outgoing::new(),
        })
    }

    /// The transcript, given back when the connection is closed.
    pub(crate) fn into_log(self) -> Log<'a> {
        self.log
    }

    /// Say `wire`: it goes out with whatever else is said before the next read.
    fn say(&mut self, stage: Stage, wire: &[u8]) -> Result<(), SmtpError> {
        self.out.hold(self.reader.get_mut(), stage, wire)
    }
}

impl Wire for SocketWire<'_> {
    fn send_shown(&mut self, stage: Stage, line: &str, shown: &str) -> Result<(), SmtpError> {
        let tls = self.is_tls();
        self.log.client(tls, shown);
        let mut wire = checked(stage, line)?;
        wire.extend_from_slice(b"\r\n");
        self.say(stage, &wire)
    }

    fn send_batch(&mut self, stage: Stage, lines: &[String]) -> Result<(), SmtpError> {
        let tls = self.is_tls();
        let mut wire = Vec::new();
        for line in lines {
            self.log.client(tls, line);
            wire.extend(checked(stage, line)?);
            wire.extend_from_slice(b"\r\n");
        }
        self.say(stage, &wire)
    }

    fn read_reply(&mut self, stage: Stage) -> Result<Reply, SmtpError> {
        self.out.push(self.reader.get_mut())?;
        let tls = self.is_tls();
        let log = &mut self.log;
        let redact = &self.redact;
        // The whole reply, not just each read, must come within the limit.
        self.reader.set_deadline(Some(Instant::now() + self.limit));
        let result = read_reply(&mut self.reader, &mut |line| {
            log.server(tls, &redact.apply(line));
        });
        self.reader.set_deadline(None);
        self.log.flush();
        // What the server said goes on into errors, --json and the log file: never
        // with the secret in it, should the server echo it.
        match result {
            Ok(mut reply) => {
                for line in &mut reply.lines {
                    if let Cow::Owned(clean) = self.redact.apply(line) {
                        *line = clean;
                    }
                }
                Ok(reply)
            }
            Err(ReadError::Malformed(why)) => Err(reply_error(
                stage,
                ReadError::Malformed(self.redact.apply(&why).into_owned()),
            )),
            Err(e) => Err(reply_error(stage, e)),
        }
    }

    fn start_tls(&mut self, host: &str, stage: Stage) -> Result<(), SmtpError> {
        let Some(client) = &self.client else {
            unreachable!("TLS is set up for every security but plain");
        };
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
        self.out.push(self.reader.get_mut())?;
        let Stream::Plain(socket) = std::mem::replace(self.reader.get_mut(), Stream::Closed) else {
            return Err(SmtpError::new(
                stage,
                SmtpErrorKind::Protocol("TLS is already active".into()),
            ));
        };
        // The whole handshake, not only each read, must fit in the time limit.
        let deadline = Instant::now() + self.limit;
        let stream = client
            .handshake(tls_name(host), socket, deadline)
            .map_err(|kind| SmtpError::new(stage, kind))?;
        let description = stream.describe();
        let resumed = if stream.resumed() {
            " (session resumed)"
        } else {
            ""
        };
        self.log
            .info(&format!("TLS started: {description}{resumed}"));
        *self.reader.get_mut() = Stream::Tls(stream);
        self.tls = Some(description);
        Ok(())
    }

    fn set_reply_timeout(&mut self, limit: Duration) {
        // Only remembered: the next read that must wait sets the socket's limit
        // (reply.rs), so switching between the two limits costs nothing per message.
        self.limit = limit;
    }

    fn send_message(&mut self, payload: &mut dyn Payload) -> Result<u64, SmtpError> {
        let tls = self.is_tls();
        let through = self.out.through(self.reader.get_mut());
        let result = data::send_message(through, &mut self.log, tls, payload);
        self.log.flush();
        result.map_err(data_error)
    }

    fn send_chunk(
        &mut self,
        commands: &[String],
        chunk: &[u8],
        last: bool,
    ) -> Result<(), SmtpError> {
        let tls = self.is_tls();
        let bdat = bdat_command(chunk.len(), last);
        let mut wire = Vec::with_capacity(chunk.len() + 64 * (commands.len() + 1));
        for line in commands {
            self.log.client(tls, line);
            wire.extend(checked(Stage::Mail, line)?);
            wire.extend_from_slice(b"\r\n");
        }
        self.log.client(tls, &bdat);
        data::echo_chunk(&mut self.log, tls, chunk);
        wire.extend_from_slice(bdat.as_bytes());
        wire.extend_from_slice(b"\r\n");
        wire.extend_from_slice(chunk);
        self.say(Stage::Data, &wire)
    }

    fn push(&mut self) -> Result<(), SmtpError> {
        self.out.push(self.reader.get_mut())
    }

    fn tls_description(&self) -> Option<&str> {
        self.tls.as_deref()
    }

    fn peer_certificate(&self) -> Option<Vec<u8>> {
        match self.reader.get_ref() {
            Stream::Tls(s) => s.peer_certificate(),
            _ => None,
        }
    }

    fn client_certificate_requested(&self) -> Option<bool> {
        self.tls.as_ref()?;
        self.client.as_ref()?.certificate_requested()
    }

    fn info(&mut self, text: &str) {
        self.log.info(text);
    }
}

/// The TLS client the settings ask for (reading the CA file): `None` for plain.
pub(crate) fn prepare_tls(settings: &Settings) -> Result<Option<TlsClient>, SmtpError> {
    match settings.security {
        Security::Plain => Ok(None),
        Security::Tls | Security::StartTls => tls::prepare(&settings.tls)
            .map(Some)
            .map_err(|kind| SmtpError::new(Stage::Connect, kind)),
    }
}

/// A reply that could not be read, as the error of the stage that waited for it.
pub(crate) fn reply_error(stage: Stage, e: ReadError) -> SmtpError {
    SmtpError::new(
        stage,
        match e {
            ReadError::Io(e) => io_kind(e),
            ReadError::Malformed(why) => SmtpErrorKind::Protocol(why),
        },
    )
}

/// A message that could not be streamed: the payload's own failure, or the network's.
pub(crate) fn data_error(e: DataError) -> SmtpError {
    match e {
        DataError::Payload(e) => SmtpError::new(Stage::Data, SmtpErrorKind::Payload(e)),
        DataError::Network(e) => SmtpError::new(Stage::Data, io_kind(e)),
    }
}

/// The name the server's certificate must carry: the host as named, without
/// brackets; for a Unix socket, which has no name, "localhost" (a local server's
/// certificate is usually for it; else pin it with --tls-fingerprint).
fn tls_name(host: &str) -> &str {
    if crate::model::unix_socket_path(host).is_some() {
        "localhost"
    } else {
        dial::bare_host(host)
    }
}

/// RFC 3030 §2: `BDAT <chunk-size> [LAST]`.
pub(crate) fn bdat_command(size: usize, last: bool) -> String {
    if last {
        format!("BDAT {size} LAST")
    } else {
        format!("BDAT {size}")
    }
}

/// A line break inside a command would start a second command; whatever put it
/// there (an address, a name), it must not reach the wire.
pub(crate) fn checked(stage: Stage, line: &str) -> Result<Vec<u8>, SmtpError> {
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
