//! `posta serve`'s sockets: loopback TCP and Unix listeners, a thread per client up to
//! a cap (one more is answered 421 and closed), each client's dialogue bounded by the
//! deadlines of [`super::socket`], and a stop that lets the messages in hand finish:
//! clients waiting for a command get 421 at once, a client sending its data finishes
//! it and gets its reply first.

use std::collections::HashMap;
use std::io::{self, BufReader, BufWriter, Write};
use std::net::{Shutdown, TcpListener};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::dialogue::{self, Limits, Setup};
use super::reply::Answer;
use super::socket::{self, Deadline, Stream, Timed};
use super::submitter::{Event, Submitter};
use super::warm::Warm;
use crate::model::ListenAddr;
use crate::submit::finished::Finished;

/// How the service runs.
pub struct Options {
    pub max_clients: usize,
    pub limits: Limits,
    pub hostname: String,
}

/// A bound listener.
pub enum Listener {
    Tcp(TcpListener),
    /// The socket and its path; `ours`: bound here, so removed when the service stops
    /// (one systemd passed is systemd's to remove).
    Unix {
        listener: UnixListener,
        path: PathBuf,
        ours: bool,
    },
}

impl Listener {
    /// Bind `addr`. A Unix socket file nobody listens on any more (left by a crash) is
    /// replaced; one a live service listens on, or any other file, is not.
    pub fn bind(addr: &ListenAddr) -> io::Result<Listener> {
        match addr {
            ListenAddr::Tcp(a) => Ok(Listener::Tcp(TcpListener::bind(a)?)),
            ListenAddr::Unix(path) => {
                if let Ok(meta) = std::fs::symlink_metadata(path) {
                    use std::os::unix::fs::FileTypeExt;
                    if !meta.file_type().is_socket() {
                        return Err(io::Error::new(
                            io::ErrorKind::AlreadyExists,
                            format!("{} exists and is not a socket", path.display()),
                        ));
                    }
                    if UnixStream::connect(path).is_ok() {
                        return Err(io::Error::new(
                            io::ErrorKind::AddrInUse,
                            format!("{}: another service listens on it", path.display()),
                        ));
                    }
                    std::fs::remove_file(path)?;
                }
                let listener = UnixListener::bind(path)?;
                // Connecting needs write permission on the socket: every local user
                // may (the umask would leave 0755: the owner only); who can reach it
                // is the directory's mode to say (contrib/systemd/posta.service).
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o666))?;
                Ok(Listener::Unix {
                    listener,
                    path: path.clone(),
                    ours: true,
                })
            }
        }
    }

    /// Where it listens, with the port the system chose for port 0.
    pub fn address(&self) -> String {
        match self {
            Listener::Tcp(l) => l
                .local_addr()
                .map_or_else(|e| e.to_string(), |a| a.to_string()),
            Listener::Unix { path, .. } => format!("unix:{}", path.display()),
        }
    }

    fn fd(&self) -> std::os::fd::BorrowedFd<'_> {
        use std::os::fd::AsFd;
        match self {
            Listener::Tcp(l) => l.as_fd(),
            Listener::Unix { listener, .. } => listener.as_fd(),
        }
    }

    /// The next client, if one is waiting (the listener is non-blocking).
    fn accept(&self) -> io::Result<(Box<dyn Stream>, Client)> {
        match self {
            Listener::Tcp(l) => {
                let (s, peer) = l.accept()?;
                s.set_nonblocking(false)?;
                // Replies are small and waited for: Nagle would hold them ~40 ms.
                s.set_nodelay(true)?;
                let client = Client {
                    name: peer.to_string(),
                    local_user: None,
                };
                Ok((Box::new(s), client))
            }
            Listener::Unix { listener, path, .. } => {
                let (s, _) = listener.accept()?;
                s.set_nonblocking(false)?;
                let local_user = socket::peer_user(&s);
                let client = Client {
                    name: format!(
                        "{} on unix:{}",
                        local_user.as_deref().unwrap_or("?"),
                        path.display()
                    ),
                    local_user,
                };
                Ok((Box::new(s), client))
            }
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Listener::Unix {
            path, ours: true, ..
        } = self
        {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Who is at the other end.
#[derive(Debug, Clone)]
pub struct Client {
    /// For the log: the TCP peer, or the local user and the socket.
    pub name: String,
    /// The local user behind a Unix socket (SO_PEERCRED).
    pub local_user: Option<String>,
}

/// A client being served, as the stop sees it.
struct Serving {
    in_data: Arc<AtomicBool>,
    stream: Box<dyn Stream>,
}

/// Serve on `listeners` until `stop` is set; each message goes the way of `base` (with
/// the client's MAIL FROM and RCPTs). `log` gets one line per event, in this thread.
pub fn run(
    listeners: Vec<Listener>,
    options: &Options,
    base: &Finished,
    stop: &Arc<AtomicBool>,
    log: &mut dyn FnMut(&str),
) -> io::Result<()> {
    for l in &listeners {
        match l {
            Listener::Tcp(t) => t.set_nonblocking(true)?,
            Listener::Unix { listener, .. } => listener.set_nonblocking(true)?,
        }
        log(&format!("listening on {}", l.address()));
    }
    let serving: Arc<Mutex<HashMap<u64, Serving>>> = Arc::default();
    let (events, received) = mpsc::channel::<String>();
    let mut next_id = 0u64;
    let warm = Arc::new(Warm::default());
    while !stop.load(Ordering::SeqCst) {
        drain(&received, log);
        warm.expire();
        let mut fds: Vec<_> = listeners
            .iter()
            .map(|l| rustix::event::PollFd::from_borrowed_fd(l.fd(), rustix::event::PollFlags::IN))
            .collect();
        // Woken at least twice a second to see a stop and pass the clients' log lines on.
        let half = rustix::event::Timespec {
            tv_sec: 0,
            tv_nsec: 500_000_000,
        };
        match rustix::event::poll(&mut fds, Some(&half)) {
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
        drop(fds);
        for l in &listeners {
            let (stream, client) = match l.accept() {
                Ok(accepted) => accepted,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                // Out of file descriptors, a client gone before accept: not the end.
                Err(e) => {
                    log(&format!("accept on {}: {e}", l.address()));
                    continue;
                }
            };
            let busy = serving.lock().map_or(0, |s| s.len());
            if busy >= options.max_clients {
                refuse(stream, &options.hostname, options.max_clients);
                log(&format!("{}: refused, {busy} clients already", client.name));
                continue;
            }
            next_id += 1;
            start(
                next_id, stream, client, options, base, stop, &serving, &events, &warm,
            )?;
        }
    }
    drop(listeners);
    log("stopping: no new clients; messages in hand are finished");
    let grace = options.limits.data_time + options.limits.command_time;
    stop_clients(&serving, grace, &received, log);
    warm.close_all();
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn start(
    id: u64,
    stream: Box<dyn Stream>,
    client: Client,
    options: &Options,
    base: &Finished,
    stop: &Arc<AtomicBool>,
    serving: &Arc<Mutex<HashMap<u64, Serving>>>,
    events: &Sender<String>,
    warm: &Arc<Warm>,
) -> io::Result<()> {
    let in_data = Arc::new(AtomicBool::new(false));
    let entry = Serving {
        in_data: in_data.clone(),
        stream: stream.try_clone_stream()?,
    };
    if let Ok(mut s) = serving.lock() {
        s.insert(id, entry);
    }
    let mut base = base.clone();
    base.local_user = client.local_user.clone();
    let (limits, host) = (options.limits.clone(), options.hostname.clone());
    let (stop, events, warm) = (stop.clone(), events.clone(), warm.clone());
    let (serving, registry) = (serving.clone(), serving);
    let spawned = std::thread::Builder::new()
        .name(format!("client {id}"))
        .spawn(move || {
            let result = converse(
                stream, &client, base, &limits, &host, &stop, &in_data, &events, &warm,
            );
            if let Err(e) = result {
                let _ = events.send(format!("{}: {e}", client.name));
            }
            if let Ok(mut s) = serving.lock() {
                s.remove(&id);
            }
        });
    if let Err(e) = spawned {
        if let Ok(mut s) = registry.lock() {
            s.remove(&id);
        }
        return Err(e);
    }
    Ok(())
}

/// One client's dialogue, in its own thread.
#[allow(clippy::too_many_arguments)]
fn converse(
    stream: Box<dyn Stream>,
    client: &Client,
    base: Finished,
    limits: &Limits,
    host: &str,
    stop: &AtomicBool,
    in_data: &AtomicBool,
    events: &Sender<String>,
    warm: &Warm,
) -> io::Result<()> {
    let deadline = Deadline::new();
    let reader = Timed {
        stream: stream.try_clone_stream()?,
        deadline: deadline.clone(),
    };
    let writer = Timed {
        stream,
        deadline: deadline.clone(),
    };
    let mut input = BufReader::new(reader);
    let mut output = BufWriter::new(writer);
    let name = &client.name;
    let mut log = |e: Event| {
        let line = match e {
            Event::Warning(w) => format!("{name}: warning: {w}"),
            Event::Answered(a) => format!("{name}: {a}"),
        };
        let _ = events.send(line);
    };
    let mut submitter = Submitter {
        base,
        log: &mut log,
        warm: Some(warm),
    };
    let setup = Setup {
        hostname: host,
        limits,
        timer: &deadline,
        stop,
        in_data,
    };
    dialogue::converse(&mut input, &mut output, &mut submitter, &setup)?;
    Ok(())
}

/// One client too many: 421 (RFC 5321 §3.8), without waiting on it.
fn refuse(mut stream: Box<dyn Stream>, host: &str, max: usize) {
    let _ = stream.set_write_time(Duration::from_secs(1));
    let a = Answer::new(
        421,
        "4.7.0",
        format!("{host} serving {max} clients already; try again later"),
    );
    let _ = a.write_to(&mut stream).and_then(|()| stream.flush());
    let _ = stream.shut(Shutdown::Both);
}

/// The stop: clients between commands are woken (their next read ends, and they get
/// 421); those sending a message finish it. Waits for them, at most `grace`.
fn stop_clients(
    serving: &Arc<Mutex<HashMap<u64, Serving>>>,
    grace: Duration,
    received: &Receiver<String>,
    log: &mut dyn FnMut(&str),
) {
    let until = Instant::now() + grace;
    loop {
        let left = match serving.lock() {
            Ok(s) => {
                for c in s.values().filter(|c| !c.in_data.load(Ordering::SeqCst)) {
                    let _ = c.stream.shut(Shutdown::Read);
                }
                s.len()
            }
            Err(_) => 0,
        };
        drain(received, log);
        if left == 0 {
            return;
        }
        if Instant::now() >= until {
            log(&format!(
                "{left} clients still connected; stopping without them"
            ));
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn drain(received: &Receiver<String>, log: &mut dyn FnMut(&str)) {
    while let Ok(line) = received.try_recv() {
        log(&line);
    }
}
