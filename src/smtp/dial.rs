//! Opening the connection: a Unix socket by its path, or TCP: resolve to every
//! address, try each in turn with a time limit; then set the socket options the
//! session relies on.

use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

use super::error::{SmtpError, SmtpErrorKind, Stage};
use super::socket::Socket;
use super::transcript::Log;
use crate::model::unix_socket_path;

/// "[::1]" → "::1": brackets are URL syntax, not part of the address.
pub(crate) fn bare_host(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// "host:port", with brackets around an IPv6 address so the port stays readable;
/// "unix:PATH" as it is (a socket has no port).
pub(crate) fn host_port(host: &str, port: u16) -> String {
    if unix_socket_path(host).is_some() {
        return host.to_owned();
    }
    let host = bare_host(host);
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Connect to `host` ("unix:PATH" or a name or address) and `port`, every read and
/// write then bounded by `timeout`.
pub(crate) fn connect(
    host: &str,
    port: u16,
    timeout: Duration,
    log: &mut Log<'_>,
) -> Result<Socket, SmtpError> {
    if let Some(path) = unix_socket_path(host) {
        return connect_unix(host, path, timeout, log);
    }
    let tcp = connect_tcp(host, port, timeout, log)?;
    Ok(Socket::Tcp(tcp))
}

/// [`connect`], through `proxy` when there is one.
pub(crate) fn open(settings: &super::Settings, log: &mut Log<'_>) -> Result<Socket, SmtpError> {
    let (host, port, timeout) = (&settings.host, settings.port, settings.timeout);
    match &settings.proxy {
        Some(proxy) => super::socks::connect(proxy, host, port, timeout, log).map(Socket::Tcp),
        None => connect(host, port, timeout, log),
    }
}

/// A local socket. Connecting does not wait on a network, but a blocking connect to a
/// listener whose backlog is full waits until it accepts (Linux), and std has no
/// connect with a time limit for Unix sockets: the connect runs on a thread of its own,
/// given up (and left to finish or fail on its own) after `timeout`.
#[cfg(unix)]
fn connect_unix(
    host: &str,
    path: &Path,
    timeout: Duration,
    log: &mut Log<'_>,
) -> Result<Socket, SmtpError> {
    let fail = |error| {
        SmtpError::new(
            Stage::Connect,
            SmtpErrorKind::Unreachable {
                server: host.to_owned(),
                error,
            },
        )
    };
    let (done, result) = std::sync::mpsc::sync_channel(1);
    let owned = path.to_owned();
    std::thread::spawn(move || {
        let _ = done.send(std::os::unix::net::UnixStream::connect(owned));
    });
    let stream = match result.recv_timeout(timeout) {
        Ok(connected) => connected.map_err(fail)?,
        Err(_) => return Err(SmtpError::new(Stage::Connect, SmtpErrorKind::Timeout)),
    };
    let socket = Socket::Unix(stream);
    socket.set_timeouts(timeout).map_err(fail)?;
    log.info(&format!("Connected to {host}"));
    Ok(socket)
}

#[cfg(not(unix))]
fn connect_unix(
    host: &str,
    _path: &Path,
    _timeout: Duration,
    _log: &mut Log<'_>,
) -> Result<Socket, SmtpError> {
    Err(SmtpError::new(
        Stage::Connect,
        SmtpErrorKind::InvalidInput(format!("{host}: Unix sockets exist only on Unix")),
    ))
}

/// A TCP connection to `host`:`port`, trying each address in turn.
pub(crate) fn connect_tcp(
    host: &str,
    port: u16,
    timeout: Duration,
    log: &mut Log<'_>,
) -> Result<TcpStream, SmtpError> {
    let fail = |kind| SmtpError::new(Stage::Connect, kind);
    let addrs: Vec<SocketAddr> = match (bare_host(host), port).to_socket_addrs() {
        Ok(addrs) => addrs.collect(),
        Err(e) if is_temporary_lookup_failure(&e) => {
            return Err(fail(SmtpErrorKind::LookupFailed(format!("{host} ({e})"))));
        }
        Err(e) => return Err(fail(SmtpErrorKind::HostNotFound(format!("{host} ({e})")))),
    };
    if addrs.is_empty() {
        return Err(fail(SmtpErrorKind::HostNotFound(host.to_owned())));
    }
    let mut last_error = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, timeout) {
            Ok(stream) => {
                configure(&stream, timeout).map_err(|e| fail(SmtpErrorKind::Io(e)))?;
                log.info(&format!("Connected to {addr}"));
                return Ok(stream);
            }
            Err(e) => {
                log.info(&format!("Could not connect to {addr}: {e}"));
                last_error = Some(e);
            }
        }
    }
    let error = last_error.expect("at least one address was tried");
    Err(fail(SmtpErrorKind::Unreachable {
        server: host_port(host, port),
        error,
    }))
}

pub(crate) fn configure(stream: &TcpStream, timeout: Duration) -> io::Result<()> {
    // SMTP is a dialogue of short lines; Nagle's algorithm would hold each command
    // back waiting for an ACK (about 40 ms a round trip on Linux).
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    Ok(())
}

/// Timeouts (which blocking sockets report as `WouldBlock`) apart from other I/O errors.
pub(crate) fn io_kind(e: io::Error) -> SmtpErrorKind {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => SmtpErrorKind::Timeout,
        _ => SmtpErrorKind::Io(e),
    }
}

/// getaddrinfo's EAI_AGAIN ("Temporary failure in name resolution": no network, a DNS
/// server that did not answer) is worth a retry, unlike "Name or service not known".
/// std reports both as uncategorised errors, so the text is all there is to go on.
fn is_temporary_lookup_failure(e: &io::Error) -> bool {
    let text = e.to_string().to_ascii_lowercase();
    text.contains("temporary failure") || text.contains("try again")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_temporary_lookup_failure_is_told_apart() {
        let again = io::Error::other(
            "failed to lookup address information: Temporary failure in name resolution",
        );
        let unknown =
            io::Error::other("failed to lookup address information: Name or service not known");
        assert!(is_temporary_lookup_failure(&again));
        assert!(!is_temporary_lookup_failure(&unknown));
    }

    #[test]
    fn unknown_host_is_host_not_found() {
        let mut log = Log::new(None);
        let err =
            connect("no-such-host.invalid", 25, Duration::from_secs(5), &mut log).unwrap_err();
        assert!(
            matches!(err.kind, SmtpErrorKind::HostNotFound(_)),
            "{err:?}"
        );
        assert_eq!(err.exit_code(), crate::model::exit_code::Code::NoHost);
    }

    #[test]
    fn refused_connection_is_unreachable_and_names_the_server() {
        // Bind then drop to find a port nobody listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut log = Log::new(None);
        let err = connect("127.0.0.1", port, Duration::from_secs(5), &mut log).unwrap_err();
        assert!(
            matches!(err.kind, SmtpErrorKind::Unreachable { .. }),
            "{err:?}"
        );
        assert_eq!(err.exit_code(), crate::model::exit_code::Code::TempFail);
        assert!(err.is_transient());
        assert_eq!(
            err.to_string(),
            format!("cannot connect to 127.0.0.1:{port}: connection refused")
        );
    }

    #[test]
    fn brackets_are_removed() {
        assert_eq!(bare_host("[::1]"), "::1");
        assert_eq!(bare_host("mail.example.org"), "mail.example.org");
        assert_eq!(host_port("::1", 25), "[::1]:25");
        assert_eq!(host_port("[::1]", 25), "[::1]:25");
        assert_eq!(host_port("mx.example.org", 587), "mx.example.org:587");
        assert_eq!(host_port("unix:/run/lmtp", 25), "unix:/run/lmtp");
    }

    /// A listener that never accepts: once its backlog is full, connecting would wait
    /// for ever; here it ends at the time limit.
    #[test]
    fn a_unix_socket_that_never_accepts_is_a_timeout_once_its_backlog_is_full() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("full");
        let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let host = format!("unix:{}", path.display());
        let mut log = Log::new(None);
        let mut held = Vec::new();
        let timed_out = (0..5000).find_map(|_| {
            match connect(&host, 25, Duration::from_millis(200), &mut log) {
                Ok(socket) => {
                    held.push(socket);
                    None
                }
                Err(e) => Some(e),
            }
        });
        let err = timed_out.expect("the backlog filled up");
        assert!(matches!(err.kind, SmtpErrorKind::Timeout), "{err:?}");
        drop(listener);
    }

    #[test]
    fn a_missing_unix_socket_is_unreachable_and_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let host = format!("unix:{}", dir.path().join("none").display());
        let mut log = Log::new(None);
        let err = connect(&host, 25, Duration::from_secs(5), &mut log).unwrap_err();
        assert!(err.is_transient(), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!("cannot connect to {host}: no such file or directory")
        );
    }
}
