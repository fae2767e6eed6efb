//! The leaf vocabulary every layer shares: one type per concept (how a connection is
//! secured, which SASL mechanism, what to do on a temporary failure, how a server is
//! named and pinned, what exit code an error means). It imports nothing from the crate, so `cli`, `config`, `smtp` and
//! the queue can all speak it without importing each other.
//!
//! The enums derive clap's `ValueEnum` (the flag values) and serde (the config file,
//! JSON output, queue entries) with one spelling for both: "starttls", "xoauth2",
//! "on-temporary-failure". Changing a spelling breaks config files and queued messages.

pub mod exit_code;
pub mod listen;
mod pin;
mod proxy;
mod server;
pub mod text;

pub use listen::ListenAddr;
pub use pin::{Fingerprint, PinOf, Pins};
pub use proxy::{ProxyAddr, SOCKS_PORT};
pub use server::{ServerAddr, is_local, unix_socket_path};

/// Security of the connection to the submission server.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Connect in clear, then upgrade with STARTTLS (required)
    #[value(name = "starttls")]
    StartTls,
    /// TLS from the first byte (implicit TLS, port 465)
    Tls,
    /// No TLS at all (explicit opt-in)
    Plain,
}

impl Security {
    /// The word the config file and `--security` use for it.
    pub fn name(self) -> &'static str {
        match self {
            Security::StartTls => "starttls",
            Security::Tls => "tls",
            Security::Plain => "plain",
        }
    }
}

/// The dialogue the server speaks: SMTP (submission, relay), or LMTP (RFC 2033: a
/// local delivery agent such as Dovecot's, which answers for each recipient after the
/// message).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Deserialize,
    serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// SMTP (RFC 5321): EHLO, one reply to the end of data
    #[default]
    Smtp,
    /// LMTP (RFC 2033): LHLO, one reply per recipient to the end of data
    Lmtp,
}

impl Protocol {
    /// The word the config file and `--protocol` use for it.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Smtp => "smtp",
            Protocol::Lmtp => "lmtp",
        }
    }
}

/// SASL mechanism for AUTH.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum AuthMechanism {
    // Auto: for the kind of secret, with an OAuth2 token OAUTHBEARER, then XOAUTH2;
    // with a password SCRAM-SHA-256, SCRAM-SHA-1, PLAIN over TLS, LOGIN, CRAM-MD5
    // (smtp/auth.rs). EXTERNAL only when asked for.
    /// The strongest mechanism both sides support
    Auto,
    Plain,
    Login,
    Xoauth2,
    #[value(name = "oauthbearer")]
    OauthBearer,
    /// RFC 7677: proves the password without sending it, and checks the server's proof
    #[value(name = "scram-sha-256")]
    #[serde(rename = "scram-sha-256")]
    ScramSha256,
    /// RFC 5802, as scram-sha-256 with SHA-1
    #[value(name = "scram-sha-1")]
    #[serde(rename = "scram-sha-1")]
    ScramSha1,
    /// RFC 2195 (the server keeps the password in clear)
    #[value(name = "cram-md5")]
    #[serde(rename = "cram-md5")]
    CramMd5,
    /// The client certificate (--tls-cert) is the credential; no password
    External,
}

/// What to do with a message when the server fails temporarily.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum QueuePolicy {
    /// Report the failure (exit 75); keep nothing
    Never,
    /// Keep the message in the queue for `posta queue flush` (4xx, timeouts, connection
    /// failures; never a permanent refusal)
    OnTemporaryFailure,
    /// Keep it after any failure that is not the message's own: temporary failures, and
    /// a refused login, a TLS or certificate failure, a password that cannot be had
    /// (sendmail mode's default: its caller cannot fix anything); never a refusal of
    /// the message or its recipients
    OnFailure,
}

/// What a bounce returns (DSN RET, RFC 3461 §4.3): the full message or only its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DsnRet {
    Full,
    Hdrs,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    /// The flag's value and the config file's (and the queue's) are the same word.
    #[test]
    fn flag_and_file_spellings_agree() {
        fn check<T: ValueEnum + serde::Serialize + serde::de::DeserializeOwned + PartialEq>(
            words: &[&str],
        ) {
            let names: Vec<String> = T::value_variants()
                .iter()
                .map(|v| v.to_possible_value().unwrap().get_name().to_string())
                .collect();
            assert_eq!(names, words);
            for (v, word) in T::value_variants().iter().zip(words) {
                assert_eq!(serde_json::to_value(v).unwrap(), *word);
                let back: T = serde_json::from_value(serde_json::json!(word)).unwrap();
                assert!(back == *v, "{word}");
            }
        }
        check::<Security>(&["starttls", "tls", "plain"]);
        check::<AuthMechanism>(&[
            "auto",
            "plain",
            "login",
            "xoauth2",
            "oauthbearer",
            "scram-sha-256",
            "scram-sha-1",
            "cram-md5",
            "external",
        ]);
        check::<QueuePolicy>(&["never", "on-temporary-failure", "on-failure"]);
        check::<Protocol>(&["smtp", "lmtp"]);
        for s in Security::value_variants() {
            assert_eq!(serde_json::to_value(s).unwrap(), s.name());
        }
        let rets: Vec<_> = DsnRet::value_variants()
            .iter()
            .map(|v| v.to_possible_value().unwrap().get_name().to_string())
            .collect();
        assert_eq!(rets, ["full", "hdrs"]);
    }
}
