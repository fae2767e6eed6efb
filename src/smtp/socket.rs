//! The byte stream under a session: a TCP connection (direct or through a SOCKS5
//! proxy) or a Unix stream socket (`--server unix:PATH`, a local MTA or an LMTP
//! server). Everything above (the reply reader, TLS, the DATA writer) reads and writes
//! a [`Socket`] and sets its time limits without caring which it is.

use std::io::{self, Read, Write};
use std::net::TcpStream;
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::time::Duration;

#[derive(Debug)]
pub(crate) enum Socket {
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(UnixStream),
}

/// The same call on whichever socket it is.
macro_rules! either {
    ($socket:expr, $s:ident => $call:expr) => {
        match $socket {
            Socket::Tcp($s) => $call,
            #[cfg(unix)]
            Socket::Unix($s) => $call,
        }
    };
}

impl Socket {
    /// A second handle on the same socket (for its time limits once TLS owns it).
    pub(crate) fn try_clone(&self) -> io::Result<Socket> {
        match self {
            Socket::Tcp(s) => s.try_clone().map(Socket::Tcp),
            #[cfg(unix)]
            Socket::Unix(s) => s.try_clone().map(Socket::Unix),
        }
    }

    pub(crate) fn read_timeout(&self) -> io::Result<Option<Duration>> {
        either!(self, s => s.read_timeout())
    }

    pub(crate) fn write_timeout(&self) -> io::Result<Option<Duration>> {
        either!(self, s => s.write_timeout())
    }

    pub(crate) fn set_read_timeout(&self, limit: Option<Duration>) -> io::Result<()> {
        either!(self, s => s.set_read_timeout(limit))
    }

    pub(crate) fn set_write_timeout(&self, limit: Option<Duration>) -> io::Result<()> {
        either!(self, s => s.set_write_timeout(limit))
    }

    /// Both time limits at once: every read and write on the connection is bounded.
    pub(crate) fn set_timeouts(&self, limit: Duration) -> io::Result<()> {
        self.set_read_timeout(Some(limit))?;
        self.set_write_timeout(Some(limit))
    }

    /// Ask the kernel to acknowledge at once while we wait for a reply. A server that
    /// writes two small records back to back without TCP_NODELAY (Postfix after
    /// STARTTLS: a session ticket, then the EHLO reply) holds the second until our
    /// ACK, and Linux delays that ACK: 40 ms on about half of all submissions,
    /// measured with strace. A Unix socket has no ACKs.
    pub(crate) fn quick_ack(&self) {
        #[cfg(target_os = "linux")]
        if let Socket::Tcp(s) = self {
            // Only a hint: a failure changes timing, never correctness.
            let _ = rustix::net::sockopt::set_tcp_quickack(s, true);
        }
    }
}

impl Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        either!(self, s => s.read(buf))
    }
}

impl Write for Socket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        either!(self, s => s.write(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        either!(self, s => s.flush())
    }
}
