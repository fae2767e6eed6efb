//! RFC 6186 discovery of a domain's submission server from DNS SRV records, with a
//! minimal stub resolver (one question over UDP, TCP when the answer is truncated);
//! [`mx`] asks for MX records, to know a domain hosted by Google or Microsoft.
//!
//! Why hand-written: posta asks DNS one kind of question, once, in `profile add`. The
//! resolver crates either bring an async runtime (hickory-resolver, domain's resolver)
//! or a full message model for every record type; a sync SRV query and its parser are
//! about two hundred lines here and have no dependencies.
//!
//! The resolver is the first `nameserver` of /etc/resolv.conf, or `POSTA_DNS_SERVER`
//! (`IP` or `IP:PORT`; a testing and advanced knob, e.g. `127.0.0.1:5353`).

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use crate::model::text::for_terminal;
use crate::smtp::Security;

/// Environment variable naming the DNS server to ask, `IP` or `IP:PORT`.
pub const SERVER_ENV: &str = "POSTA_DNS_SERVER";
const TIMEOUT: Duration = Duration::from_secs(3);
const TRIES: usize = 2;
const TYPE_SRV: u16 = 33;
const CLASS_IN: u16 = 1;

/// One SRV record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Srv {
    pub priority: u16,
    pub weight: u16,
    pub port: u16,
    /// Without the final dot; "." (the root) means "not offered here".
    pub target: String,
}

/// A submission server found in DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// The SRV name that gave it, e.g. "_submissions._tcp.example.net".
    pub record: String,
    /// The mail domain that was asked about, in ASCII (for the caller's check that
    /// `host` is within it).
    pub domain: String,
}

/// What discovery asked and what it got, for the error when nothing was found.
#[derive(Debug, Clone, Default)]
pub struct Tried {
    pub server: Option<SocketAddr>,
    /// (SRV name, outcome in words).
    pub names: Vec<(String, String)>,
}

impl std::fmt::Display for Tried {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<String> = self
            .names
            .iter()
            .map(|(n, outcome)| format!("{}: {}", for_terminal(n), for_terminal(outcome)))
            .collect();
        write!(f, "{}", names.join("; "))?;
        if let Some(s) = self.server {
            write!(f, " (asked {s})")?;
        }
        Ok(())
    }
}

/// Look for `_submissions._tcp.DOMAIN` (implicit TLS, preferred), then
/// `_submission._tcp.DOMAIN` (STARTTLS). `Err` says what was tried.
pub fn discover_submission(domain: &str) -> Result<Found, Tried> {
    let mut tried = Tried::default();
    let domain = match idna::domain_to_ascii(domain.trim_end_matches('.')) {
        Ok(d) if !d.is_empty() => d,
        _ => {
            tried
                .names
                .push((domain.to_string(), "not a valid domain name".into()));
            return Err(tried);
        }
    };
    let server = match resolver() {
        Ok(s) => s,
        Err(why) => {
            tried.names.push(("DNS".into(), why));
            return Err(tried);
        }
    };
    tried.server = Some(server);
    for (service, security) in [
        ("_submissions._tcp", Security::Tls),
        ("_submission._tcp", Security::StartTls),
    ] {
        let name = format!("{service}.{domain}");
        match query_srv(server, &name) {
            Ok(records) => match choose(records) {
                // The answer is whoever answered UDP's: the name is written into the
                // config and shown, so it must be a host name and nothing else.
                Choice::Use(srv) => match check_host_name(&srv.target) {
                    Ok(()) => {
                        return Ok(Found {
                            host: srv.target.to_ascii_lowercase(),
                            port: srv.port,
                            security,
                            record: name,
                            domain,
                        });
                    }
                    Err(why) => tried.names.push((
                        name,
                        format!(
                            "its target \"{}\" is not a host name ({why}), so it is not used",
                            for_terminal(&srv.target)
                        ),
                    )),
                },
                Choice::NotOffered => tried
                    .names
                    .push((name, "not offered (target \".\")".into())),
                Choice::None => tried.names.push((name, "no SRV record".into())),
            },
            Err(why) => {
                // A server that does not answer one question will not answer the next.
                let unreachable = why.contains("did not answer") || why.contains("cannot reach");
                tried.names.push((name, why));
                if unreachable {
                    break;
                }
            }
        }
    }
    Err(tried)
}

/// A host name posta will connect to and write into a config file: LDH labels
/// (letters, digits, '-', not at either end) of 1 to 63 characters, at most 253 in
/// all (RFC 1123 §2.1, RFC 1035 §2.3.4). A final dot is allowed.
pub fn check_host_name(name: &str) -> Result<(), String> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() {
        return Err("it is empty".into());
    }
    if name.len() > 253 {
        return Err("it is longer than 253 characters".into());
    }
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err("a label is empty or longer than 63 characters".into());
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err("only letters, digits, '-' and '.' may be in a host name".into());
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a label begins or ends with '-'".into());
        }
    }
    Ok(())
}

/// Whether `host` is `domain` or a name under it (ASCII, case-insensitive, final dots
/// ignored): "smtp.example.org" is within "example.org", "smtp.evil.test" and
/// "badexample.org" are not.
pub fn is_within(host: &str, domain: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    !domain.is_empty()
        && (host == domain
            || host
                .strip_suffix(&domain)
                .is_some_and(|head| head.ends_with('.')))
}

enum Choice {
    Use(Srv),
    NotOffered,
    None,
}

/// RFC 2782 order: lowest priority first, and within it the highest weight (the
/// random weighting is for spreading load; one client picking one server wants the
/// most preferred). A lone "." record means the service is deliberately not offered.
fn choose(mut records: Vec<Srv>) -> Choice {
    if records.is_empty() {
        return Choice::None;
    }
    records.sort_by(|a, b| a.priority.cmp(&b.priority).then(b.weight.cmp(&a.weight)));
    match records
        .into_iter()
        .find(|r| r.target != "." && !r.target.is_empty())
    {
        Some(r) => Choice::Use(r),
        None => Choice::NotOffered,
    }
}

/// The DNS server to ask.
fn resolver() -> Result<SocketAddr, String> {
    if let Ok(v) = std::env::var(SERVER_ENV) {
        return parse_server(&v)
            .ok_or_else(|| format!("{SERVER_ENV}={v} is not IP or IP:PORT (e.g. 127.0.0.1:5353)"));
    }
    let conf = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
    Ok(nameserver_from(&conf).unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 53))))
}

fn parse_server(v: &str) -> Option<SocketAddr> {
    let v = v.trim();
    v.parse::<SocketAddr>()
        .ok()
        .or_else(|| v.parse::<IpAddr>().ok().map(|ip| SocketAddr::new(ip, 53)))
}

/// The first usable `nameserver` line of resolv.conf.
fn nameserver_from(conf: &str) -> Option<SocketAddr> {
    conf.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        if words.next() != Some("nameserver") {
            return None;
        }
        // A zone index (fe80::1%eth0) cannot be expressed here; such a server is skipped.
        let ip: IpAddr = words.next()?.parse().ok()?;
        Some(SocketAddr::new(ip, 53))
    })
}

/// Ask `server` for the SRV records of `name`. NXDOMAIN and "no data" are an empty list.
pub fn query_srv(server: SocketAddr, name: &str) -> Result<Vec<Srv>, String> {
    let (reply, id) = query(server, name, TYPE_SRV)?;
    parse_reply(&reply, id)
}

/// Ask `server` the question NAME IN `rtype`; the reply and its id.
fn query(server: SocketAddr, name: &str, rtype: u16) -> Result<(Vec<u8>, u16), String> {
    let mut id = [0u8; 2];
    getrandom::fill(&mut id).map_err(|e| format!("no random query id: {e}"))?;
    let id = u16::from_be_bytes(id);
    let query = build_query_type(id, name, rtype)?;
    let mut last = String::new();
    for _ in 0..TRIES {
        match ask_udp(server, &query, id) {
            Ok(reply) if truncated(&reply) => return Ok((ask_tcp(server, &query)?, id)),
            Ok(reply) => return Ok((reply, id)),
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn ask_udp(server: SocketAddr, query: &[u8], id: u16) -> Result<Vec<u8>, String> {
    let local: SocketAddr = if server.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let sock = UdpSocket::bind(local).map_err(|e| format!("cannot open a UDP socket: {e}"))?;
    sock.connect(server)
        .map_err(|e| format!("cannot reach DNS server {server}: {e}"))?;
    sock.set_read_timeout(Some(TIMEOUT)).ok();
    sock.send(query)
        .map_err(|e| format!("cannot ask DNS server {server}: {e}"))?;
    let mut buf = vec![0u8; 4096];
    // Stray datagrams must not keep us waiting past the limit, however many come.
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!(
                "DNS server {server} did not answer within {}s",
                TIMEOUT.as_secs()
            ));
        }
        sock.set_read_timeout(Some(left)).ok();
        let n = sock.recv(&mut buf).map_err(|e| match e.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
                format!(
                    "DNS server {server} did not answer within {}s",
                    TIMEOUT.as_secs()
                )
            }
            _ => format!("cannot reach DNS server {server}: {e}"),
        })?;
        // A stray datagram (an old answer) is not ours: keep waiting for our id.
        if n >= 2 && u16::from_be_bytes([buf[0], buf[1]]) == id {
            buf.truncate(n);
            return Ok(buf);
        }
    }
}

fn ask_tcp(server: SocketAddr, query: &[u8]) -> Result<Vec<u8>, String> {
    let err = |e: std::io::Error| format!("DNS over TCP to {server}: {e}");
    let mut s = TcpStream::connect_timeout(&server, TIMEOUT).map_err(err)?;
    s.set_read_timeout(Some(TIMEOUT)).ok();
    s.set_write_timeout(Some(TIMEOUT)).ok();
    let mut framed = (query.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(query);
    s.write_all(&framed).map_err(err)?;
    // The whole answer within the limit: a server trickling a byte at a time would
    // otherwise hold `profile add` for up to 64 KiB × 3 s.
    let deadline = Instant::now() + TIMEOUT;
    let mut len = [0u8; 2];
    read_by(&mut s, &mut len, deadline).map_err(err)?;
    let mut reply = vec![0u8; usize::from(u16::from_be_bytes(len))];
    read_by(&mut s, &mut reply, deadline).map_err(err)?;
    Ok(reply)
}

/// Fill `buf` from `s` by `deadline`.
fn read_by(s: &mut TcpStream, buf: &mut [u8], deadline: Instant) -> std::io::Result<()> {
    use std::io::ErrorKind::{Interrupted, TimedOut, UnexpectedEof, WouldBlock};
    let late = || {
        std::io::Error::new(
            TimedOut,
            format!("the answer did not come in time ({} s)", TIMEOUT.as_secs()),
        )
    };
    let mut filled = 0;
    while filled < buf.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(late());
        }
        s.set_read_timeout(Some(left))?;
        match s.read(&mut buf[filled..]) {
            Ok(0) => return Err(UnexpectedEof.into()),
            Ok(n) => filled += n,
            Err(e) if e.kind() == Interrupted => {}
            Err(e) if matches!(e.kind(), WouldBlock | TimedOut) => return Err(late()),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn truncated(reply: &[u8]) -> bool {
    reply.len() >= 3 && reply[2] & 0x02 != 0
}

/// A standard query with recursion desired and one question: NAME IN SRV.
#[cfg(test)]
fn build_query(id: u16, name: &str) -> Result<Vec<u8>, String> {
    build_query_type(id, name, TYPE_SRV)
}

/// A standard query with recursion desired and one question: NAME IN `rtype`.
fn build_query_type(id: u16, name: &str, rtype: u16) -> Result<Vec<u8>, String> {
    let mut q = Vec::with_capacity(18 + name.len());
    q.extend_from_slice(&id.to_be_bytes());
    q.extend_from_slice(&[0x01, 0x00]); // RD
    q.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]); // 1 question
    for label in name.trim_end_matches('.').split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(format!("\"{name}\" is not a valid DNS name"));
        }
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.push(0);
    q.extend_from_slice(&rtype.to_be_bytes());
    q.extend_from_slice(&CLASS_IN.to_be_bytes());
    Ok(q)
}

pub(crate) fn parse_reply(msg: &[u8], id: u16) -> Result<Vec<Srv>, String> {
    let bad = || "malformed DNS answer".to_string();
    let mut out = Vec::new();
    for (rdata, rdlen) in answers(msg, id, TYPE_SRV)? {
        if rdlen >= 7 {
            let r = &msg[rdata..rdata + 6];
            let (target, _) = read_name(msg, rdata + 6).ok_or_else(bad)?;
            out.push(Srv {
                priority: u16::from_be_bytes([r[0], r[1]]),
                weight: u16::from_be_bytes([r[2], r[3]]),
                port: u16::from_be_bytes([r[4], r[5]]),
                target,
            });
        }
    }
    Ok(out)
}

/// Where the RDATA of each IN `rtype` answer is (offset, length), checked to lie
/// within `msg`. NXDOMAIN is no answers.
fn answers(msg: &[u8], id: u16, rtype: u16) -> Result<Vec<(usize, usize)>, String> {
    let bad = || "malformed DNS answer".to_string();
    if msg.len() < 12 || u16::from_be_bytes([msg[0], msg[1]]) != id || msg[2] & 0x80 == 0 {
        return Err(bad());
    }
    match msg[3] & 0x0f {
        0 => {}
        3 => return Ok(Vec::new()), // NXDOMAIN
        2 => return Err("the DNS server failed (SERVFAIL)".into()),
        5 => return Err("the DNS server refused the query (REFUSED)".into()),
        rcode => return Err(format!("the DNS server answered with error code {rcode}")),
    }
    let qdcount = u16::from_be_bytes([msg[4], msg[5]]);
    let ancount = u16::from_be_bytes([msg[6], msg[7]]);
    let mut pos = 12;
    for _ in 0..qdcount {
        pos = read_name(msg, pos).ok_or_else(bad)?.1 + 4;
    }
    let mut out = Vec::new();
    for _ in 0..ancount {
        let (_, after) = read_name(msg, pos).ok_or_else(bad)?;
        let head = msg.get(after..after + 10).ok_or_else(bad)?;
        let kind = u16::from_be_bytes([head[0], head[1]]);
        let class = u16::from_be_bytes([head[2], head[3]]);
        let rdlen = usize::from(u16::from_be_bytes([head[8], head[9]]));
        let rdata = after + 10;
        if rdata + rdlen > msg.len() {
            return Err(bad());
        }
        // CNAMEs and the like are skipped: the resolver has followed them for us.
        if kind == rtype && class == CLASS_IN {
            out.push((rdata, rdlen));
        }
        pos = rdata + rdlen;
    }
    Ok(out)
}

/// A (possibly compressed) name at `pos`: its text (the root is ".") and where the
/// bytes after it start.
fn read_name(msg: &[u8], mut pos: usize) -> Option<(String, usize)> {
    let mut labels: Vec<String> = Vec::new();
    let mut end = None;
    let mut jumps = 0;
    loop {
        let len = *msg.get(pos)?;
        match len {
            0 => {
                let name = if labels.is_empty() {
                    ".".to_string()
                } else {
                    labels.join(".")
                };
                return Some((name, end.unwrap_or(pos + 1)));
            }
            l if l & 0xc0 == 0xc0 => {
                let target = usize::from(u16::from_be_bytes([l & 0x3f, *msg.get(pos + 1)?]));
                end.get_or_insert(pos + 2);
                jumps += 1;
                if jumps > 32 {
                    return None; // a pointer loop
                }
                pos = target;
            }
            l if l & 0xc0 == 0 => {
                let label = msg.get(pos + 1..pos + 1 + usize::from(l))?;
                labels.push(String::from_utf8_lossy(label).into_owned());
                pos += 1 + usize::from(l);
            }
            _ => return None,
        }
    }
}

pub mod mx;
#[cfg(test)]
mod tests;
