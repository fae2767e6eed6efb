//! An entry's metadata (`meta.json`): the envelope, the profile and connection it was
//! queued with, and its attempts; the retry schedule, and entry ids.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{FIRST_RETRY, FORMAT_VERSION, MAX_AGE, MAX_RETRY};

/// Everything about an entry except the message bytes. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    pub version: u32,
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// The message's Message-ID, without angle brackets.
    pub message_id: String,
    /// Octets of `message`.
    pub size: u64,
    /// Some byte of the message is not 7-bit ASCII.
    pub eight_bit: bool,
    pub envelope: QueuedEnvelope,
    #[serde(default)]
    pub dsn: QueuedDsn,
    /// The profile the message was submitted with; its settings (and password source)
    /// are resolved again at each attempt.
    pub profile: Option<String>,
    /// The config file named with `-c`/`POSTA_CONFIG` at submission, if any.
    pub config: Option<PathBuf>,
    /// Where it was going, for people (host:port and security as resolved then).
    pub server: QueuedServer,
    /// The connection flags given at submission (they override the profile then and
    /// at every retry). `--password-command` is deliberately not recorded.
    #[serde(default)]
    pub connection: QueuedConnection,
    /// The address the AUTH user is derived from when the account names none.
    pub login_hint: Option<String>,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// Unix seconds; the entry is due from then on.
    pub next_attempt: i64,
    /// Set (unix seconds) just before an attempt, cleared after it: when found set on
    /// an unlocked entry, the attempt was interrupted and the server may have the message.
    #[serde(default)]
    pub attempt_started: Option<i64>,
    /// Why the entry was moved to `failed/`.
    #[serde(default)]
    pub failed: Option<String>,
    /// Queued before any account could be resolved (sendmail mode with no config, or
    /// one that could not be read): its envelope is as the caller gave it, and the
    /// account's aliases and sender policy are applied at its first attempt.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unresolved: bool,
    /// The Bcc fields the message as sent leaves out (CRLF-terminated), for its copy
    /// in Sent when a flush sends it; absent when it has none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub bcc: String,
    /// Queued before there was an account: the account's From, which the header gets
    /// at each attempt as sendmail mode would have given it (a local user's From, or
    /// with `from_header = "rewrite"` any other, replaced). The message file itself is
    /// never rewritten.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_from: Option<HeaderFrom>,
}

/// See [`Meta::header_from`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeaderFrom {
    /// The profile's `from` (with its name, when it has one).
    pub profile: String,
    /// `from_header = "rewrite"`: every From that is not the profile's is replaced.
    pub rewrite: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueuedEnvelope {
    pub from: String,
    pub to: Vec<String>,
    pub smtputf8: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueuedDsn {
    pub notify: Option<String>,
    pub ret: Option<String>,
    pub envid: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueuedServer {
    pub host: String,
    pub port: u16,
    /// "starttls", "tls" or "plain".
    pub security: String,
}

/// The connection flags of CLI.md, as strings and numbers (no secret among them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QueuedConnection {
    pub server: Option<String>,
    pub port: Option<u16>,
    pub security: Option<String>,
    pub user: Option<String>,
    pub auth: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub tls_fingerprint: Option<String>,
    /// Absent from entries written before client certificates (and without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_cert: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_key: Option<PathBuf>,
    pub timeout: Option<u64>,
    pub ehlo: Option<String>,
    pub allow_insecure_auth: bool,
    pub insecure: bool,
    /// "smtp" or "lmtp"; written only when given, as `proxy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// "socks5://[USER@]HOST:PORT" or "socks5h://…".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// `--save-sent` / `--no-save-sent` at submission, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub save_sent: Option<bool>,
}

impl Meta {
    /// A new entry's metadata, due at once (the caller has just failed an attempt:
    /// see [`Meta::record_failure`]).
    pub fn new(now: i64, id: String) -> Meta {
        Meta {
            version: FORMAT_VERSION,
            id,
            created: now,
            message_id: String::new(),
            size: 0,
            eight_bit: false,
            envelope: QueuedEnvelope::default(),
            dsn: QueuedDsn::default(),
            profile: None,
            config: None,
            server: QueuedServer::default(),
            connection: QueuedConnection::default(),
            login_hint: None,
            attempts: 0,
            last_error: None,
            next_attempt: now,
            attempt_started: None,
            failed: None,
            unresolved: false,
            bcc: String::new(),
            header_from: None,
        }
    }

    pub fn is_due(&self, now: i64) -> bool {
        self.next_attempt <= now
    }

    /// Older than [`MAX_AGE`]: the next failure moves it aside.
    pub fn is_expired(&self, now: i64) -> bool {
        now.saturating_sub(self.created) >= MAX_AGE.as_secs() as i64
    }

    /// Count a failed attempt and schedule the next one.
    pub fn record_failure(&mut self, now: i64, error: String) {
        self.attempts = self.attempts.saturating_add(1);
        self.last_error = Some(error);
        self.attempt_started = None;
        self.next_attempt = now + backoff(self.attempts).as_secs() as i64;
    }
}

/// The wait after the `attempts`-th failed attempt: 1 min, 2, 4, … up to 1 h.
pub fn backoff(attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(16);
    (FIRST_RETRY * 2u32.pow(doublings)).min(MAX_RETRY)
}

/// `20261122T024603-3fa9c1d2`: the UTC time of queueing (so ids sort by age) and 32
/// random bits (so two processes in the same second do not collide).
pub fn new_id(now: i64) -> io::Result<String> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).map_err(|e| io::Error::other(e.to_string()))?;
    let time = chrono::DateTime::from_timestamp(now, 0)
        .unwrap_or_default()
        .format("%Y%m%dT%H%M%S");
    Ok(format!(
        "{time}-{:02x}{:02x}{:02x}{:02x}",
        bytes[0], bytes[1], bytes[2], bytes[3]
    ))
}

/// An id as [`new_id`] makes them; anything else (a path, `..`) is refused.
pub fn is_valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 24
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'T'
        && b[9..15].iter().all(u8::is_ascii_digit)
        && b[15] == b'-'
        && b[16..]
            .iter()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
}
