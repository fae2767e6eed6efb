//! The top layer of precedence: connection values given for this one run — flags,
//! sendmail mode's long options, a queued message's recorded flags — that beat the
//! environment, the profile, its preset and the defaults.
//!
//! Plain data, so that `config` never sees clap: `cli` maps its `ConnectionArgs` here.
//! It serializes exactly as a queue entry's `connection` object (same field names, the
//! enums as their flag words), so that the queue can record an `Overrides` as it is;
//! the two commands that may hold a secret on a command line are never written.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::model::{AuthMechanism, Pins, Protocol, ProxyAddr, Security, ServerAddr};
use crate::queue::QueuedConnection;

/// Connection values that override the profile (see [`super::resolve`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Overrides {
    pub server: Option<ServerAddr>,
    pub port: Option<u16>,
    pub security: Option<Security>,
    pub user: Option<String>,
    pub auth: Option<AuthMechanism>,
    /// Never recorded: a command line may hold a secret.
    #[serde(skip)]
    pub password_command: Option<String>,
    /// Never recorded, like `password_command`; a profile's own still applies.
    #[serde(skip)]
    pub oauth_token_command: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub tls_fingerprint: Option<Pins>,
    /// The client certificate and key (paths only: the key stays in its file). Left
    /// out when absent, as the queue's entries written before them are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_cert: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_key: Option<PathBuf>,
    /// Seconds; 0 is refused by `resolve` (a flag cannot give it, a queue entry could).
    pub timeout: Option<u64>,
    pub ehlo: Option<String>,
    pub allow_insecure_auth: bool,
    pub insecure: bool,
    // Written only when given, so that an entry without them reads and writes back
    // as it did before they existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    /// The proxy's URL (a user name at most: never its password).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<ProxyAddr>,
    /// `--save-sent` / `--no-save-sent` (and `batch`'s off unless asked); recorded
    /// only when given, so that entries and their tests read as before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub save_sent: Option<bool>,
}

impl Overrides {
    /// What the queue records of these values: the same fields as words, so that a
    /// hand-edited or damaged entry still reads (and says what is wrong on flush)
    /// instead of becoming unreadable. The two commands are never recorded.
    pub fn recorded(&self) -> QueuedConnection {
        QueuedConnection {
            server: self.server.as_ref().map(ToString::to_string),
            port: self.port,
            security: self.security.map(|s| s.name().to_string()),
            user: self.user.clone(),
            auth: self.auth.and_then(word),
            ca_file: self.ca_file.as_deref().map(absolute),
            tls_fingerprint: self.tls_fingerprint.as_ref().map(ToString::to_string),
            tls_cert: self.tls_cert.as_deref().map(absolute),
            tls_key: self.tls_key.as_deref().map(absolute),
            timeout: self.timeout,
            ehlo: self.ehlo.clone(),
            allow_insecure_auth: self.allow_insecure_auth,
            insecure: self.insecure,
            protocol: self.protocol.map(|p| p.name().to_string()),
            proxy: self.proxy.as_ref().map(ToString::to_string),
            save_sent: self.save_sent,
        }
    }

    /// The values a queue entry recorded, checked as the flags were when given; why
    /// not, in words naming the value (the entry then waits with that reason).
    pub fn from_recorded(c: &QueuedConnection) -> Result<Overrides, String> {
        let bad = |what: &str, v: &str| format!("queue entry: bad {what} \"{v}\"");
        Ok(Overrides {
            server: match &c.server {
                Some(s) => Some(s.parse().map_err(|m| format!("--server {s}: {m}"))?),
                None => None,
            },
            port: c.port,
            security: match &c.security {
                Some(s) => Some(from_word(s).ok_or_else(|| bad("security", s))?),
                None => None,
            },
            user: c.user.clone(),
            auth: match &c.auth {
                Some(s) => Some(from_word(s).ok_or_else(|| bad("auth", s))?),
                None => None,
            },
            password_command: None,
            oauth_token_command: None,
            ca_file: c.ca_file.clone(),
            // Several pins are recorded as one line, separated by commas.
            tls_fingerprint: match &c.tls_fingerprint {
                Some(pins) => Some(
                    pins.parse()
                        .map_err(|why| format!("--tls-fingerprint \"{pins}\": {why}"))?,
                ),
                None => None,
            },
            tls_cert: c.tls_cert.clone(),
            tls_key: c.tls_key.clone(),
            timeout: c.timeout,
            ehlo: c.ehlo.clone(),
            allow_insecure_auth: c.allow_insecure_auth,
            insecure: c.insecure,
            protocol: match &c.protocol {
                Some(s) => Some(from_word(s).ok_or_else(|| bad("protocol", s))?),
                None => None,
            },
            proxy: match &c.proxy {
                Some(s) => Some(s.parse().map_err(|m| format!("--proxy {s}: {m}"))?),
                None => None,
            },
            save_sent: c.save_sent,
        })
    }
}

/// An enum value as the word the config file and the flags spell it.
fn word<T: Serialize>(value: T) -> Option<String> {
    serde_json::to_value(value)
        .ok()?
        .as_str()
        .map(str::to_string)
}

/// The enum value a word names (case as the flags accept it: any).
fn from_word<T: serde::de::DeserializeOwned>(word: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(word.to_ascii_lowercase())).ok()
}

/// `path` made absolute against the current directory (as given when that fails): a
/// flush may run from another directory (cron, a timer).
fn absolute(path: &std::path::Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::QueuedConnection;

    /// A queue entry's `connection` as `record_connection` has written it since the
    /// queue's format version 1.
    const RECORDED: &str = r#"{"server":"[::1]:2525","port":null,"security":"starttls","user":"jane","auth":"oauthbearer","ca_file":"/etc/posta/ca.pem","tls_fingerprint":"AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB","timeout":7,"ehlo":null,"allow_insecure_auth":false,"insecure":true}"#;

    #[test]
    fn a_recorded_connection_reads_as_overrides_and_writes_back_the_same() {
        let o: Overrides = serde_json::from_str(RECORDED).unwrap();
        let server = o.server.as_ref().unwrap();
        assert_eq!((server.host(), server.port()), ("::1", Some(2525)));
        assert_eq!(o.security, Some(Security::StartTls));
        assert_eq!(o.auth, Some(AuthMechanism::OauthBearer));
        let pins = o.tls_fingerprint.as_ref().unwrap();
        assert_eq!(pins.iter().next().unwrap().digest(), [0xAB; 32]);
        assert_eq!(
            (o.timeout, o.insecure, o.allow_insecure_auth),
            (Some(7), true, false)
        );
        assert_eq!(serde_json::to_string(&o).unwrap(), RECORDED);
        // And byte for byte what the queue's own type writes.
        let q: QueuedConnection = serde_json::from_str(RECORDED).unwrap();
        assert_eq!(serde_json::to_string(&q).unwrap(), RECORDED);
        // The LMTP socket and the proxy, when given, written and read back the same.
        let reach = RECORDED.replace(
            r#""insecure":true}"#,
            r#""insecure":true,"protocol":"lmtp","proxy":"socks5h://me@127.0.0.1:9050"}"#,
        );
        let o: Overrides = serde_json::from_str(&reach).unwrap();
        assert_eq!(o.protocol, Some(Protocol::Lmtp));
        assert_eq!(o.proxy.as_ref().unwrap().user(), Some("me"));
        assert_eq!(serde_json::to_string(&o).unwrap(), reach);
        let q: QueuedConnection = serde_json::from_str(&reach).unwrap();
        assert_eq!(serde_json::to_string(&q).unwrap(), reach);
        assert_eq!(Overrides::from_recorded(&q).unwrap(), o);
        assert_eq!(o.recorded(), q);
        // An entry from before `connection` had every field reads as no overrides.
        let old: Overrides = serde_json::from_str("{}").unwrap();
        assert_eq!(old, Overrides::default());
    }

    #[test]
    fn a_client_certificate_is_recorded_as_absolute_paths() {
        let o = Overrides {
            tls_cert: Some("c.pem".into()),
            tls_key: Some("k.pem".into()),
            ..Overrides::default()
        };
        let recorded = o.recorded();
        let cert = recorded.tls_cert.clone().unwrap();
        assert!(cert.is_absolute() && cert.ends_with("c.pem"), "{cert:?}");
        let back = Overrides::from_recorded(&recorded).unwrap();
        assert_eq!(
            (back.tls_cert, back.tls_key),
            (recorded.tls_cert, recorded.tls_key)
        );
    }

    #[test]
    fn several_pins_are_recorded_as_one_line_and_read_back() {
        let line = format!("{},spki:{}=", "ab".repeat(32), "A".repeat(43));
        let o = Overrides {
            tls_fingerprint: Some(line.parse().unwrap()),
            ..Overrides::default()
        };
        let recorded = o.recorded();
        assert_eq!(recorded.tls_fingerprint.as_deref(), Some(line.as_str()));
        let back = Overrides::from_recorded(&recorded).unwrap();
        assert_eq!(back, o);
        assert_eq!(back.tls_fingerprint.unwrap().iter().count(), 2);
    }

    #[test]
    fn every_enum_value_is_written_as_the_queue_reads_it() {
        use AuthMechanism::*;
        use Security::*;
        let words = [
            (StartTls, "starttls", Auto, "auto"),
            (Tls, "tls", AuthMechanism::Plain, "plain"),
            (Security::Plain, "plain", Login, "login"),
            (Tls, "tls", Xoauth2, "xoauth2"),
            (Tls, "tls", OauthBearer, "oauthbearer"),
            (Tls, "tls", ScramSha256, "scram-sha-256"),
            (Tls, "tls", ScramSha1, "scram-sha-1"),
            (Tls, "tls", CramMd5, "cram-md5"),
            (Tls, "tls", External, "external"),
        ];
        for (security, security_word, auth, auth_word) in words {
            let o = Overrides {
                security: Some(security),
                auth: Some(auth),
                ..Overrides::default()
            };
            let text = serde_json::to_string(&o).unwrap();
            let q: QueuedConnection = serde_json::from_str(&text).unwrap();
            assert_eq!(q.security.as_deref(), Some(security_word));
            assert_eq!(q.auth.as_deref(), Some(auth_word));
            let back: Overrides = serde_json::from_str(&text).unwrap();
            assert_eq!(back, o);
        }
    }

    #[test]
    fn secrets_on_a_command_line_are_never_written() {
        let o = Overrides {
            password_command: Some("echo hunter2".into()),
            oauth_token_command: Some("echo tok".into()),
            ..Overrides::default()
        };
        let text = serde_json::to_string(&o).unwrap();
        assert!(!text.contains("hunter2") && !text.contains("tok"), "{text}");
        assert!(!text.contains("password_command"), "{text}");
    }

    #[test]
    fn recorded_values_come_back_and_bad_ones_are_named() {
        let given = Overrides {
            server: Some("h:2525".parse().unwrap()),
            security: Some(Security::Plain),
            auth: Some(AuthMechanism::OauthBearer),
            password_command: Some("echo hunter2".into()),
            timeout: Some(7),
            insecure: true,
            ..Overrides::default()
        };
        let recorded = given.recorded();
        let text = serde_json::to_string(&recorded).unwrap();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("\"auth\":\"oauthbearer\""), "{text}");
        let back = Overrides::from_recorded(&recorded).unwrap();
        assert_eq!(
            back,
            Overrides {
                password_command: None,
                ..given
            }
        );
        let bad = QueuedConnection {
            security: Some("smoke-signals".into()),
            ..QueuedConnection::default()
        };
        assert_eq!(
            Overrides::from_recorded(&bad).unwrap_err(),
            "queue entry: bad security \"smoke-signals\""
        );
        let bad = QueuedConnection {
            server: Some("h:99999".into()),
            ..QueuedConnection::default()
        };
        assert!(
            Overrides::from_recorded(&bad)
                .unwrap_err()
                .starts_with("--server h:99999: "),
        );
    }
}
