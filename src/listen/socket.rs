//! A client's socket for the dialogue: every read and write bounded by the deadline the
//! dialogue last armed (a client that sends one byte a minute still runs out of time),
//! and, on a Unix socket, who the peer is (SO_PEERCRED).

use std::cell::Cell;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::unix::net::UnixStream;
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::dialogue::Timer;

/// A TCP or Unix stream.
pub trait Stream: Read + Write + Send + 'static {
    fn set_read_time(&self, within: Duration) -> io::Result<()>;
    fn set_write_time(&self, within: Duration) -> io::Result<()>;
    fn shut(&self, how: Shutdown) -> io::Result<()>;
    fn try_clone_stream(&self) -> io::Result<Box<dyn Stream>>;
}

impl Stream for TcpStream {
    fn set_read_time(&self, within: Duration) -> io::Result<()> {
        self.set_read_timeout(Some(within))
    }
    fn set_write_time(&self, within: Duration) -> io::Result<()> {
        self.set_write_timeout(Some(within))
    }
    fn shut(&self, how: Shutdown) -> io::Result<()> {
        self.shutdown(how)
    }
    fn try_clone_stream(&self) -> io::Result<Box<dyn Stream>> {
        Ok(Box::new(self.try_clone()?))
    }
}

impl Stream for UnixStream {
    fn set_read_time(&self, within: Duration) -> io::Result<()> {
        self.set_read_timeout(Some(within))
    }
    fn set_write_time(&self, within: Duration) -> io::Result<()> {
        self.set_write_timeout(Some(within))
    }
    fn shut(&self, how: Shutdown) -> io::Result<()> {
        self.shutdown(how)
    }
    fn try_clone_stream(&self) -> io::Result<Box<dyn Stream>> {
        Ok(Box::new(self.try_clone()?))
    }
}

/// The deadline the dialogue arms, shared with the stream that keeps it.
#[derive(Clone)]
pub struct Deadline(Rc<Cell<Instant>>);

impl Deadline {
    pub fn new() -> Deadline {
        Deadline(Rc::new(Cell::new(Instant::now())))
    }

    /// What is left, or a timeout error when nothing is.
    fn left(&self) -> io::Result<Duration> {
        let left = self.0.get().saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client took too long",
            ));
        }
        Ok(left)
    }
}

impl Default for Deadline {
    fn default() -> Self {
        Deadline::new()
    }
}

impl Timer for Deadline {
    fn arm(&self, within: Duration) {
        self.0.set(Instant::now() + within);
    }
}

/// A stream whose every read (or write) ends by the deadline: one clone of the socket
/// for reading, one for writing.
pub struct Timed {
    pub stream: Box<dyn Stream>,
    pub deadline: Deadline,
}

impl Read for Timed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.set_read_time(self.deadline.left()?)?;
        self.stream.read(buf)
    }
}

impl Write for Timed {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.set_write_time(self.deadline.left()?)?;
        self.stream.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

/// The name of the local user at the other end of a Unix socket (SO_PEERCRED), or its
/// uid when it has no name.
#[cfg(target_os = "linux")]
pub fn peer_user(stream: &UnixStream) -> Option<String> {
    let cred = rustix::net::sockopt::socket_peercred(stream).ok()?;
    let uid = cred.uid.as_raw();
    Some(user_name(uid).unwrap_or_else(|| format!("uid {uid}")))
}

#[cfg(not(target_os = "linux"))]
pub fn peer_user(_: &UnixStream) -> Option<String> {
    None
}

/// The name `/etc/passwd` gives `uid` (read bounded; a user only a directory service
/// knows is named by its uid).
#[cfg(target_os = "linux")]
fn user_name(uid: u32) -> Option<String> {
    let file = std::fs::File::open("/etc/passwd").ok()?;
    let mut text = String::new();
    file.take(4 << 20).read_to_string(&mut text).ok()?;
    text.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id: u32 = fields.nth(1)?.parse().ok()?;
        (id == uid && !name.is_empty()).then(|| name.to_string())
    })
}
