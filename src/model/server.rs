//! How a server is named (`--server HOST[:PORT]` or `unix:PATH`): parsed once, where
//! the text comes in, so nothing downstream checks it again.
//!
//! It keeps the text as given: that is what errors quote and what a queue entry
//! records, so a value read back is the value written.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// How a host names a Unix stream socket: `unix:` and an absolute path.
const UNIX: &str = "unix:";

/// The socket's path when `host` names a Unix stream socket ("unix:/run/lmtp").
/// Such a host is carried as it is, prefix and all, wherever a host name goes (the
/// settings, the queue, the outcome), so that nothing mistakes it for a DNS name.
pub fn unix_socket_path(host: &str) -> Option<&Path> {
    host.strip_prefix(UNIX).map(Path::new)
}

/// Whether `host` is a socket on this machine: a Unix socket, or a loopback address
/// or "localhost" (the name, not whatever it resolves to). Credentials may cross such
/// a connection without TLS, and nothing requires STARTTLS on a Unix socket.
pub fn is_local(host: &str) -> bool {
    if unix_socket_path(host).is_some() {
        return true;
    }
    let host = host.trim_end_matches('.');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// A server as given: "host", "host:587", "[::1]:587", "::1" or "unix:/path/to/socket".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerAddr {
    text: String,
    host: String,
    port: Option<u16>,
}

impl ServerAddr {
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The socket's path, for "unix:PATH".
    pub fn unix_path(&self) -> Option<&Path> {
        unix_socket_path(&self.host)
    }

    /// The port, when the text names one.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The text as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl FromStr for ServerAddr {
    /// What is expected, in words (the caller names the flag or key).
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if let Some(path) = unix_socket_path(s) {
            // Absolute: a queued message is flushed from another directory (cron).
            if !path.is_absolute() {
                return Err(
                    "expected unix: and an absolute path, as in unix:/run/dovecot/lmtp".to_string(),
                );
            }
            return Ok(ServerAddr {
                text: s.to_string(),
                host: s.to_string(),
                port: None,
            });
        }
        let bad = || {
            "expected HOST, HOST:PORT (a port from 1 to 65535) or unix:/PATH/TO/SOCKET".to_string()
        };
        let port = |p: &str| match p.parse::<u16>() {
            Ok(0) | Err(_) => Err(bad()),
            Ok(n) => Ok(n),
        };
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let (h, after) = rest.split_once(']').ok_or_else(bad)?;
            let port = match after.strip_prefix(':') {
                Some(p) => Some(port(p)?),
                None if after.is_empty() => None,
                None => return Err(bad()),
            };
            (h, port)
        } else {
            match s.rsplit_once(':') {
                Some((h, p)) if !h.contains(':') => {
                    if h.is_empty() {
                        return Err(bad());
                    }
                    (h, Some(port(p)?))
                }
                _ if s.is_empty() => return Err(bad()),
                _ => (s, None),
            }
        };
        Ok(ServerAddr {
            text: s.to_string(),
            host: host.to_string(),
            port,
        })
    }
}

impl fmt::Display for ServerAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Written as its text and read back through `FromStr`.
macro_rules! serde_as_text {
    ($t:ty) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse()
                    .map_err(|why| serde::de::Error::custom(format!("\"{text}\": {why}")))
            }
        }
    };
}

serde_as_text!(ServerAddr);

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Result<(String, Option<u16>), String> {
        s.parse::<ServerAddr>()
            .map(|a| (a.host().to_string(), a.port()))
    }

    #[test]
    fn server_forms() {
        assert_eq!(split("h").unwrap(), ("h".into(), None));
        assert_eq!(split("h:2525").unwrap(), ("h".into(), Some(2525)));
        assert_eq!(split("[::1]:25").unwrap(), ("::1".into(), Some(25)));
        assert_eq!(split("[::1]").unwrap(), ("::1".into(), None));
        assert_eq!(split("::1").unwrap(), ("::1".into(), None));
        for bad in ["h:x", "h:0", "h:65536", "[::1]:0", "[::1]x", ":25", ""] {
            assert_eq!(
                split(bad).unwrap_err(),
                "expected HOST, HOST:PORT (a port from 1 to 65535) or unix:/PATH/TO/SOCKET",
                "{bad}"
            );
        }
        let unix: ServerAddr = "unix:/run/dovecot/lmtp".parse().unwrap();
        assert_eq!(unix.unix_path(), Some(Path::new("/run/dovecot/lmtp")));
        assert_eq!((unix.host(), unix.port()), ("unix:/run/dovecot/lmtp", None));
        assert!("h:25".parse::<ServerAddr>().unwrap().unix_path().is_none());
        assert!(
            "unix:relative/sock"
                .parse::<ServerAddr>()
                .unwrap_err()
                .contains("absolute path")
        );
    }

    #[test]
    fn local_hosts() {
        for local in [
            "localhost",
            "localhost.",
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "[::1]",
            "unix:/x",
        ] {
            assert!(is_local(local), "{local}");
        }
        for remote in ["mail.example.org", "10.0.0.1", "localhost.example.org"] {
            assert!(!is_local(remote), "{remote}");
        }
        assert_eq!(
            "[::1]:25".parse::<ServerAddr>().unwrap().to_string(),
            "[::1]:25"
        );
    }

    #[test]
    fn text_round_trips_through_serde() {
        let a: ServerAddr = serde_json::from_str("\"h:2525\"").unwrap();
        assert_eq!((a.host(), a.port()), ("h", Some(2525)));
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"h:2525\"");
        let err = serde_json::from_str::<ServerAddr>("\"h:0\"").unwrap_err();
        assert!(err.to_string().contains("\"h:0\": expected HOST"), "{err}");
    }
}
