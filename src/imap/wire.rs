//! The connection an IMAP session talks over, as the [`Wire`] trait (so that the
//! dialogue in `session.rs` runs over a scripted peer in unit tests), and its one real
//! implementation: a TCP socket, implicit TLS or STARTTLS through the same TLS client
//! as SMTP (`smtp::tls`: the CA file, the system roots, `--insecure`), and a deadline
//! for each response so that a server sending a byte at a time cannot hold posta.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use super::error::{ImapError, ImapErrorKind};
use crate::smtp::socket::Socket;
use crate::smtp::tls::{self, TlsClient, TlsStream};
use crate::smtp::{SmtpError, SmtpErrorKind, Stage, TlsSettings, dial};

/// The TLS client's words for what went wrong (it is the SMTP side's), without the
/// SMTP stage they would start with.
fn smtp_text(kind: SmtpErrorKind) -> String {
    match kind {
        SmtpErrorKind::Tls(why) => why,
        kind => SmtpError::new(Stage::Connect, kind).to_string(),
    }
}

/// What the session needs from a connection.
pub(crate) trait Wire: BufRead + Write {
    /// Replace the plain stream with TLS (after the server's OK to STARTTLS).
    fn start_tls(&mut self, host: &str) -> Result<(), ImapError>;
    /// Every read until the next call must be done by `deadline`.
    fn set_deadline(&mut self, deadline: Option<Instant>);
    fn is_tls(&self) -> bool;
}

enum Inner {
    Plain(TcpStream),
    Tls(Box<dyn TlsStream>),
    /// Only while the plain socket is handed to the TLS handshake.
    Closed,
}

/// The stream under the buffered reader: each read cut to the time left before the
/// deadline, through a second handle on the socket (TLS owns the first).
struct Stream {
    inner: Inner,
    socket: TcpStream,
    deadline: Option<Instant>,
    limit: Duration,
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = match self.deadline {
            Some(d) => d.saturating_duration_since(Instant::now()),
            None => self.limit,
        };
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        self.socket.set_read_timeout(Some(left))?;
        match &mut self.inner {
            Inner::Plain(s) => s.read(buf),
            Inner::Tls(s) => s.read(buf),
            Inner::Closed => Err(io::ErrorKind::NotConnected.into()),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.inner {
            Inner::Plain(s) => s.write(buf),
            Inner::Tls(s) => s.write(buf),
            Inner::Closed => Err(io::ErrorKind::NotConnected.into()),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Inner::Plain(s) => s.flush(),
            Inner::Tls(s) => s.flush(),
            Inner::Closed => Err(io::ErrorKind::NotConnected.into()),
        }
    }
}

/// The [`Wire`] over a TCP socket.
pub(crate) struct SocketWire {
    reader: BufReader<Stream>,
    client: TlsClient,
    limit: Duration,
}

impl SocketWire {
    /// Read the CA file, connect (every address in turn), start implicit TLS if asked.
    pub(crate) fn open(
        host: &str,
        port: u16,
        implicit_tls: bool,
        tls_settings: &TlsSettings,
        limit: Duration,
    ) -> Result<SocketWire, ImapError> {
        let client = tls::prepare(tls_settings)
            .map_err(|e| ImapError::new(ImapErrorKind::Connect, smtp_text(e)))?;
        let tcp = connect(host, port, limit)?;
        let socket = tcp.try_clone().map_err(ImapError::io)?;
        let mut wire = SocketWire {
            reader: BufReader::with_capacity(
                16 * 1024,
                Stream {
                    inner: Inner::Plain(tcp),
                    socket,
                    deadline: None,
                    limit,
                },
            ),
            client,
            limit,
        };
        if implicit_tls {
            wire.start_tls(host)?;
        }
        Ok(wire)
    }
}

fn connect(host: &str, port: u16, limit: Duration) -> Result<TcpStream, ImapError> {
    let server = dial::host_port(host, port);
    let addrs: Vec<SocketAddr> = (dial::bare_host(host), port)
        .to_socket_addrs()
        .map_err(|e| {
            ImapError::new(
                ImapErrorKind::Connect,
                format!("cannot find the IMAP server {server}: {e}"),
            )
        })?
        .collect();
    let mut last = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, limit) {
            Ok(tcp) => {
                // Short command lines: no waiting for an ACK before each is sent.
                let _ = tcp.set_nodelay(true);
                tcp.set_write_timeout(Some(limit)).map_err(ImapError::io)?;
                tcp.set_read_timeout(Some(limit)).map_err(ImapError::io)?;
                return Ok(tcp);
            }
            Err(e) => last = Some(e),
        }
    }
    let why = last.map_or_else(
        || "no address".to_string(),
        |e| crate::model::exit_code::io_text(&e),
    );
    Err(ImapError::new(
        ImapErrorKind::Connect,
        format!("cannot connect to the IMAP server {server}: {why}"),
    ))
}

impl Read for SocketWire {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read(buf)
    }
}

impl BufRead for SocketWire {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.reader.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.reader.consume(amt)
    }
}

impl Write for SocketWire {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.reader.get_mut().write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.reader.get_mut().flush()
    }
}

impl Wire for SocketWire {
    fn start_tls(&mut self, host: &str) -> Result<(), ImapError> {
        // What came before TLS is not protected and must not be read as if it were
        // (the STARTTLS injection of CVE-2011-0411, in IMAP as in SMTP).
        if !self.reader.buffer().is_empty() {
            return Err(ImapError::protocol(
                "the IMAP server sent more after its answer to STARTTLS (an injection?)",
            ));
        }
        let stream = self.reader.get_mut();
        let Inner::Plain(tcp) = std::mem::replace(&mut stream.inner, Inner::Closed) else {
            return Err(ImapError::protocol("TLS is already active"));
        };
        let deadline = Instant::now() + self.limit;
        let tls = self
            .client
            .handshake(dial::bare_host(host), Socket::Tcp(tcp), deadline)
            .map_err(|e| {
                ImapError::new(
                    ImapErrorKind::Connect,
                    format!("TLS with the IMAP server failed: {}", smtp_text(e)),
                )
            })?;
        stream.inner = Inner::Tls(tls);
        Ok(())
    }

    fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.reader.get_mut().deadline = deadline;
    }

    fn is_tls(&self) -> bool {
        matches!(self.reader.get_ref().inner, Inner::Tls(_))
    }
}
