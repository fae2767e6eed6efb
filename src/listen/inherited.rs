//! The sockets systemd passes to `posta serve` under socket activation
//! (`contrib/systemd/posta.socket`; the `LISTEN_FDS` protocol of sd_listen_fds(3)):
//! the service starts at the first client, and the socket outlives its restarts. The
//! same rule as `--listen`: loopback or a Unix socket, anything else is refused, so a
//! unit that listens on a public address cannot make posta an open relay.

use std::io;
use std::net::TcpListener;

use super::server::Listener;

/// Every socket passed, as listeners; none when posta was not socket-activated. An
/// error names the socket that is neither loopback TCP nor a Unix stream socket. Call
/// it before any thread starts: it takes `LISTEN_FDS` out of the environment (and the
/// sockets are close-on-exec: the queue flush's child does not hold them).
pub fn take() -> io::Result<Vec<Listener>> {
    let mut fds = listenfd::ListenFd::from_env();
    let mut listeners = Vec::new();
    for i in 0..fds.len() {
        // A descriptor of the wrong kind is an error, and stays to be tried as the other.
        if let Ok(tcp) = fds.take_tcp_listener(i) {
            listeners.extend(tcp.map(loopback_only).transpose()?);
            continue;
        }
        let Ok(unix) = fds.take_unix_listener(i) else {
            return Err(refused(i, "neither a TCP nor a Unix stream socket"));
        };
        let Some(unix) = unix else { continue };
        let path = unix
            .local_addr()?
            .as_pathname()
            .map(|p| p.to_path_buf())
            .ok_or_else(|| refused(i, "a Unix socket without a path"))?;
        listeners.push(Listener::Unix {
            listener: unix,
            path,
            ours: false,
        });
    }
    Ok(listeners)
}

fn loopback_only(tcp: TcpListener) -> io::Result<Listener> {
    let addr = tcp.local_addr()?;
    if !addr.ip().is_loopback() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "systemd passed a socket on {addr}, which is not loopback: posta serve \
                 takes mail from this machine only (ListenStream=127.0.0.1:PORT, \
                 [::1]:PORT or a path)"
            ),
        ));
    }
    Ok(Listener::Tcp(tcp))
}

fn refused(i: usize, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("socket {} passed by systemd is {what}", i + 3),
    )
}
