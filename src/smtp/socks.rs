//! Reaching the server through a SOCKS5 proxy (RFC 1928 CONNECT), with the proxy's
//! own user name and password when it asks for them (RFC 1929).
//!
//! Our own rather than a crate's: the blocking `socks` crate (0.3, last released in
//! 2022) opens the proxy connection with no time limit and reports the proxy's
//! refusals only as text inside an `io::Error`, so neither "the time limits apply to
//! the proxy" nor "a refusal said in words, with its exit code" could be kept; the
//! maintained clients (tokio-socks, fast-socks5) are async and would bring a runtime
//! into a blocking program. The protocol is four short messages.
//!
//! The whole handshake must finish within the connection's time limit (a proxy that
//! trickles its reply a byte at a time cannot stretch it), and every byte the proxy
//! sends is checked before it is believed.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use super::dial::{self, bare_host, host_port};
use super::error::{ProxyFailure, SmtpError, SmtpErrorKind, Stage};
use super::transcript::Log;
use crate::secret::Secret;

/// A SOCKS5 proxy as the transport uses it.
#[derive(Debug, Clone)]
pub struct Proxy {
    pub host: String,
    pub port: u16,
    /// `socks5h`: send the server's name for the proxy to resolve.
    pub remote_dns: bool,
    /// For the username/password method; the password comes from a secret source.
    pub user: Option<String>,
    pub password: Option<Secret>,
}

impl Proxy {
    /// "socks5://host:port" or "socks5h://…", as errors and the transcript name it
    /// (never with the user name: that is the proxy account's business).
    pub fn url(&self) -> String {
        let scheme = if self.remote_dns { "socks5h" } else { "socks5" };
        format!("{scheme}://{}", host_port(&self.host, self.port))
    }
}

/// Where the proxy is asked to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Ip(SocketAddr),
    Name(String, u16),
}

/// A connection to `host`:`port` through `proxy`, bounded by `timeout` from the
/// first byte to the proxy's "succeeded".
pub(crate) fn connect(
    proxy: &Proxy,
    host: &str,
    port: u16,
    timeout: Duration,
    log: &mut Log<'_>,
) -> Result<TcpStream, SmtpError> {
    let server = host_port(host, port);
    let targets = if proxy.remote_dns {
        vec![Target::Name(bare_host(host).to_owned(), port)]
    } else {
        resolve(host, port)?
    };
    let mut last = None;
    for target in targets {
        let tcp = dial::connect_tcp(&proxy.host, proxy.port, timeout, log)?;
        let deadline = Instant::now() + timeout;
        let result = handshake(
            &mut Deadlined {
                tcp: &tcp,
                deadline,
            },
            &target,
            proxy,
        );
        // The connection's own limits again, for the session.
        dial::configure(&tcp, timeout)
            .map_err(|e| SmtpError::new(Stage::Connect, SmtpErrorKind::Io(e)))?;
        match result {
            Ok(()) => {
                log.info(&format!("Connected to {server} through {}", proxy.url()));
                return Ok(tcp);
            }
            // Another address of the server may be reachable from the proxy.
            Err(Refusal::Reply(code)) if matches!(code, 3..=5) => {
                log.info(&format!("{}: {}", proxy.url(), reply_text(code)));
                last = Some(Refusal::Reply(code));
            }
            Err(refusal) => return Err(refusal.into_error(proxy, &server)),
        }
    }
    let refusal = last.expect("at least one address was tried");
    Err(refusal.into_error(proxy, &server))
}

/// The server's addresses, looked up here (`socks5`, not `socks5h`).
fn resolve(host: &str, port: u16) -> Result<Vec<Target>, SmtpError> {
    let fail = |kind| SmtpError::new(Stage::Connect, kind);
    let bare = bare_host(host);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![Target::Ip(SocketAddr::new(ip, port))]);
    }
    let addrs: Vec<Target> = (bare, port)
        .to_socket_addrs()
        .map_err(|e| fail(SmtpErrorKind::HostNotFound(format!("{host} ({e})"))))?
        .map(Target::Ip)
        .collect();
    if addrs.is_empty() {
        return Err(fail(SmtpErrorKind::HostNotFound(host.to_owned())));
    }
    Ok(addrs)
}

/// Why the handshake did not end in "succeeded".
#[derive(Debug)]
enum Refusal {
    Io(io::Error),
    /// The proxy's reply code to CONNECT (RFC 1928 §6).
    Reply(u8),
    /// It takes none of the methods offered (0xFF), or refused the credentials.
    Auth(String),
    /// Bytes that are not SOCKS5.
    Garbage(String),
    /// What we were given cannot be said in SOCKS5 (a name over 255 bytes).
    Input(String),
}

impl Refusal {
    fn into_error(self, proxy: &Proxy, server: &str) -> SmtpError {
        let (failure, why) = match self {
            Refusal::Io(e) => return SmtpError::new(Stage::Connect, dial::io_kind(e)),
            Refusal::Reply(code) => {
                let failure = match code {
                    2 | 8 => ProxyFailure::Refused,
                    7 => ProxyFailure::Protocol,
                    1 | 3..=6 => ProxyFailure::Temporary,
                    _ => ProxyFailure::Protocol,
                };
                let mut why = format!("the proxy said {}", reply_text(code));
                if code == 8 && proxy.remote_dns {
                    why.push_str(" (it cannot resolve names: use socks5:// to resolve them here)");
                }
                (failure, why)
            }
            Refusal::Auth(why) => (ProxyFailure::Auth, why),
            Refusal::Garbage(why) => (ProxyFailure::Protocol, why),
            Refusal::Input(why) => (ProxyFailure::Refused, why),
        };
        SmtpError::new(
            Stage::Connect,
            SmtpErrorKind::Proxy {
                proxy: proxy.url(),
                server: server.to_owned(),
                failure,
                why,
            },
        )
    }
}

impl From<io::Error> for Refusal {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            Refusal::Garbage("the proxy closed the connection during the handshake".into())
        } else {
            Refusal::Io(e)
        }
    }
}

/// RFC 1928 §6, in words.
fn reply_text(code: u8) -> String {
    let text = match code {
        1 => "general SOCKS server failure",
        2 => "connection not allowed by its rules",
        3 => "network unreachable",
        4 => "host unreachable",
        5 => "connection refused",
        6 => "TTL expired",
        7 => "command not supported",
        8 => "address type not supported",
        _ => return format!("reply code {code}, which SOCKS5 does not define"),
    };
    format!("{text} ({code})")
}

const VERSION: u8 = 5;
const NO_AUTH: u8 = 0;
const USER_PASSWORD: u8 = 2;
const NO_ACCEPTABLE: u8 = 0xFF;

/// Method selection, the login if asked for, and CONNECT (RFC 1928 §3, §4; RFC 1929).
fn handshake(
    stream: &mut (impl Read + Write),
    target: &Target,
    proxy: &Proxy,
) -> Result<(), Refusal> {
    let credentials = proxy.user.as_deref().zip(proxy.password.as_ref());
    // Offer the login only when we have one to give.
    let greeting: &[u8] = if credentials.is_some() {
        &[VERSION, 2, NO_AUTH, USER_PASSWORD]
    } else {
        &[VERSION, 1, NO_AUTH]
    };
    stream.write_all(greeting)?;
    let mut chosen = [0u8; 2];
    stream.read_exact(&mut chosen)?;
    if chosen[0] != VERSION {
        return Err(not_socks5(&chosen));
    }
    match (chosen[1], credentials) {
        (NO_AUTH, _) => {}
        (USER_PASSWORD, Some((user, password))) => login(stream, user, password)?,
        (NO_ACCEPTABLE, None) => {
            return Err(Refusal::Auth(
                "the proxy wants a login: put the user in the proxy's URL \
                 (socks5://USER@HOST:PORT) and give the password with \
                 proxy_password_command, proxy_password_file, proxy_password_env or \
                 POSTA_PROXY_PASSWORD"
                    .into(),
            ));
        }
        (NO_ACCEPTABLE, Some(_)) => {
            return Err(Refusal::Auth(
                "the proxy accepts neither no login nor a user name and password".into(),
            ));
        }
        (other, _) => {
            return Err(Refusal::Garbage(format!(
                "the proxy chose method {other}, which was not offered"
            )));
        }
    }
    stream.write_all(&connect_request(target)?)?;
    let mut head = [0u8; 4];
    stream.read_exact(&mut head)?;
    if head[0] != VERSION || head[2] != 0 {
        return Err(not_socks5(&head));
    }
    if head[1] != 0 {
        return Err(Refusal::Reply(head[1]));
    }
    // The address the proxy bound: read to stay in step, never used.
    let rest = match head[3] {
        1 => 4 + 2,
        4 => 16 + 2,
        3 => {
            let mut len = [0u8; 1];
            stream.read_exact(&mut len)?;
            usize::from(len[0]) + 2
        }
        other => {
            return Err(Refusal::Garbage(format!(
                "the proxy's reply has address type {other}, which SOCKS5 does not define"
            )));
        }
    };
    let mut bound = [0u8; 255 + 2];
    stream.read_exact(&mut bound[..rest])?;
    Ok(())
}

/// RFC 1929: version 1, the user name and the password, each with its length.
fn login(stream: &mut (impl Read + Write), user: &str, password: &Secret) -> Result<(), Refusal> {
    let password = password.expose().as_bytes();
    if user.is_empty() || user.len() > 255 || password.is_empty() || password.len() > 255 {
        return Err(Refusal::Input(
            "the proxy's user name and password must each be 1 to 255 bytes (RFC 1929)".into(),
        ));
    }
    let mut message = Zeroizing::new(Vec::with_capacity(3 + user.len() + password.len()));
    message.push(1);
    message.push(user.len() as u8);
    message.extend_from_slice(user.as_bytes());
    message.push(password.len() as u8);
    message.extend_from_slice(password);
    stream.write_all(&message)?;
    let mut status = [0u8; 2];
    stream.read_exact(&mut status)?;
    match status {
        [1, 0] => Ok(()),
        [1, _] => Err(Refusal::Auth(format!(
            "the proxy refused the user name and password of {user}"
        ))),
        other => Err(not_socks5(&other)),
    }
}

fn connect_request(target: &Target) -> Result<Vec<u8>, Refusal> {
    let mut request = vec![VERSION, 1, 0];
    let port = match target {
        Target::Ip(SocketAddr::V4(a)) => {
            request.push(1);
            request.extend_from_slice(&a.ip().octets());
            a.port()
        }
        Target::Ip(SocketAddr::V6(a)) => {
            request.push(4);
            request.extend_from_slice(&a.ip().octets());
            a.port()
        }
        Target::Name(name, port) => {
            let len = u8::try_from(name.len()).map_err(|_| {
                Refusal::Input(format!(
                    "{name:?} is too long for SOCKS5 (255 bytes at most)"
                ))
            })?;
            request.push(3);
            request.push(len);
            request.extend_from_slice(name.as_bytes());
            *port
        }
    };
    request.extend_from_slice(&port.to_be_bytes());
    Ok(request)
}

fn not_socks5(bytes: &[u8]) -> Refusal {
    Refusal::Garbage(format!(
        "the proxy's answer is not SOCKS5 (it began with {})",
        bytes
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(" ")
    ))
}

/// The proxy's socket with every read and write cut to the time left before the
/// handshake's deadline.
struct Deadlined<'a> {
    tcp: &'a TcpStream,
    deadline: Instant,
}

impl Deadlined<'_> {
    fn left(&self) -> io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the proxy did not finish its handshake in time",
            ));
        }
        Ok(left)
    }
}

impl Read for Deadlined<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.tcp.set_read_timeout(Some(self.left()?))?;
        (&mut &*self.tcp).read(buf)
    }
}

impl Write for Deadlined<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tcp.set_write_timeout(Some(self.left()?))?;
        (&mut &*self.tcp).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
