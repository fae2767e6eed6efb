//! How a SOCKS5 proxy is named (`--proxy socks5://HOST:PORT`, key `proxy`): parsed
//! once where the text comes in. `socks5h://` has the proxy resolve the server's name
//! (Tor: the name never reaches this machine's DNS). A user name may be in the URL;
//! a password never is: it would be in `ps`, shell history and the queue.

use std::fmt;
use std::str::FromStr;

use super::ServerAddr;

/// The port a SOCKS proxy listens on unless told otherwise (RFC 1928 §3).
pub const SOCKS_PORT: u16 = 1080;

/// A SOCKS5 proxy as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyAddr {
    text: String,
    host: String,
    port: u16,
    remote_dns: bool,
    user: Option<String>,
}

impl ProxyAddr {
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `socks5h`: the proxy resolves the server's name.
    pub fn remote_dns(&self) -> bool {
        self.remote_dns
    }

    /// The user name for the proxy's username/password method (RFC 1929).
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The text as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl FromStr for ProxyAddr {
    /// What is expected, in words (the caller names the flag or key).
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let expected = "expected socks5://HOST:PORT or socks5h://HOST:PORT (socks5h: the \
                        proxy resolves the server's name), optionally with USER@ before HOST";
        let (remote_dns, rest) = if let Some(rest) = strip_scheme(s, "socks5h://") {
            (true, rest)
        } else if let Some(rest) = strip_scheme(s, "socks5://") {
            (false, rest)
        } else {
            return Err(expected.to_string());
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (user, hostport) = match rest.rsplit_once('@') {
            Some((user, _)) if user.contains(':') => {
                return Err(
                    "a password does not go in the proxy's URL (it would show in \
                            `ps`, shell history and the queue): give it with \
                            proxy_password_command, proxy_password_file, proxy_password_env \
                            or POSTA_PROXY_PASSWORD"
                        .to_string(),
                );
            }
            Some(("", _)) => return Err(expected.to_string()),
            Some((user, hostport)) => (Some(user.to_string()), hostport),
            None => (None, rest),
        };
        if user.as_ref().is_some_and(|u| u.len() > 255) {
            return Err("the proxy's user name is longer than 255 bytes (RFC 1929)".into());
        }
        let server: ServerAddr = hostport.parse().map_err(|_| expected.to_string())?;
        if server.unix_path().is_some() || hostport.contains('/') {
            return Err(expected.to_string());
        }
        Ok(ProxyAddr {
            text: s.to_string(),
            host: server.host().to_string(),
            port: server.port().unwrap_or(SOCKS_PORT),
            remote_dns,
            user,
        })
    }
}

/// The scheme, in any case, and the rest.
fn strip_scheme<'a>(s: &'a str, scheme: &str) -> Option<&'a str> {
    let head = s.get(..scheme.len())?;
    head.eq_ignore_ascii_case(scheme)
        .then(|| &s[scheme.len()..])
}

impl fmt::Display for ProxyAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl serde::Serialize for ProxyAddr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ProxyAddr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The words only: a text with a password in it is not quoted back.
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_forms() {
        let p: ProxyAddr = "socks5://127.0.0.1:9050".parse().unwrap();
        assert_eq!(
            (p.host(), p.port(), p.remote_dns(), p.user()),
            ("127.0.0.1", 9050, false, None)
        );
        let p: ProxyAddr = "SOCKS5H://me@proxy.example/".parse().unwrap();
        assert_eq!(
            (p.host(), p.port(), p.remote_dns(), p.user()),
            ("proxy.example", SOCKS_PORT, true, Some("me"))
        );
        let p: ProxyAddr = "socks5h://[::1]:1081".parse().unwrap();
        assert_eq!((p.host(), p.port()), ("::1", 1081));
        assert_eq!(p.to_string(), "socks5h://[::1]:1081");
        for bad in [
            "http://proxy:3128",
            "proxy:1080",
            "socks5://",
            "socks5://@h:1",
            "socks5://h:0",
            "socks5://unix:/run/socks",
            "socks5://h:1/path",
        ] {
            assert!(
                bad.parse::<ProxyAddr>()
                    .unwrap_err()
                    .starts_with("expected socks5://"),
                "{bad}"
            );
        }
        let err = "socks5://me:secret@h:1080"
            .parse::<ProxyAddr>()
            .unwrap_err();
        assert!(
            err.contains("a password does not go in the proxy's URL"),
            "{err}"
        );
        assert!(!err.contains("secret"));
    }
}
