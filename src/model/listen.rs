//! Where `posta serve` listens: a loopback TCP address or a Unix socket, and nothing
//! else — posta holds an account's credentials, so a port others can reach would make
//! it an open relay for that account.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

/// `127.0.0.1:PORT`, `[::1]:PORT` or `unix:PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenAddr {
    /// A loopback address and port (port 0: any free one).
    Tcp(SocketAddr),
    /// A Unix socket's path.
    Unix(PathBuf),
}

impl FromStr for ListenAddr {
    /// What is expected, in words.
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if let Some(path) = s.strip_prefix("unix:") {
            if path.is_empty() {
                return Err("unix: needs a PATH (unix:/run/posta/smtp.sock)".into());
            }
            return Ok(ListenAddr::Unix(PathBuf::from(path)));
        }
        let addr: SocketAddr = s
            .parse()
            .map_err(|_| format!("{s}: expected 127.0.0.1:PORT, [::1]:PORT or unix:PATH"))?;
        if !addr.ip().is_loopback() {
            return Err(format!(
                "{s} is not a loopback address: posta serve listens on 127.0.0.1, [::1] or a \
                 Unix socket only, so that it never becomes an open relay for the account"
            ));
        }
        Ok(ListenAddr::Tcp(addr))
    }
}

impl fmt::Display for ListenAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListenAddr::Tcp(a) => write!(f, "{a}"),
            ListenAddr::Unix(p) => write!(f, "unix:{}", p.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_and_unix_sockets_are_taken() {
        assert_eq!(
            "127.0.0.1:2525".parse::<ListenAddr>().unwrap().to_string(),
            "127.0.0.1:2525"
        );
        assert_eq!(
            "[::1]:0".parse::<ListenAddr>().unwrap().to_string(),
            "[::1]:0"
        );
        assert_eq!(
            "unix:/run/posta.sock".parse::<ListenAddr>(),
            Ok(ListenAddr::Unix("/run/posta.sock".into()))
        );
        for bad in [
            "0.0.0.0:25",
            "[::]:25",
            "192.168.1.2:25",
            "localhost:25",
            "unix:",
            "25",
        ] {
            assert!(bad.parse::<ListenAddr>().is_err(), "{bad}");
        }
        assert!(
            "0.0.0.0:25"
                .parse::<ListenAddr>()
                .unwrap_err()
                .contains("open relay")
        );
    }
}
