//! The SMTP transport: connect (TCP, a Unix socket or a SOCKS5 proxy, timeouts, TLS
//! modes), the session (replies, EHLO or LMTP's LHLO, STARTTLS, AUTH, MAIL/RCPT/DATA)
//! and the redacting transcript.
//!
//! The files, from the top: `session.rs` the dialogue (AUTH in `session/login.rs`,
//! LMTP's replies in `session/lmtp.rs`, BDAT in `session/chunking.rs`, messages
//! streamed without waiting in `session/streamed.rs` and `session/flight.rs`), over
//! the `Wire` trait of `wire.rs` (whose
//! `SocketWire` is the connection in use: stream, TLS switch, reply reader); `reuse.rs`
//! many messages over one session (`batch`); `dial.rs` resolving and opening the
//! connection, `socket.rs` the socket under it (TCP or Unix), `socks.rs` a SOCKS5
//! proxy's handshake; `reply.rs`, `capabilities.rs`, `auth.rs` (with `auth/scram.rs`)
//! and `data.rs` what goes over the wire, without I/O of their own; `error.rs`,
//! `transcript.rs`, `certificate.rs` and `tls/` the rest.
//!
//! Our own rather than lettre's: lettre's transport has no PIPELINING, no per-recipient
//! results, no HELO fallback, never sets TCP_NODELAY (~44 ms a message on loopback) and
//! buffers the whole message (see shared/facts/smtp-peers.md).

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use crate::envelope::{Dsn, Envelope};
use crate::secret::Secret;

mod auth;
mod capabilities;
mod certificate;
pub(crate) mod data;
pub(crate) mod dial;
mod error;
mod outgoing;
mod probe;
pub(crate) mod redact;
pub(crate) mod reply;
mod reuse;
#[cfg(test)]
mod scripted_wire;
mod session;
pub(crate) mod socket;
mod socks;
pub(crate) mod tls;
mod transcript;
mod wire;

pub use capabilities::Capabilities;
pub use certificate::CertificateInfo;
pub use error::{ProxyFailure, SmtpError, SmtpErrorKind, Stage};
#[cfg(test)]
use probe::probe_over;
pub use probe::{ProbeError, ProbeReport, check_login, probe};
pub use reuse::ReusedSession;
pub use session::Finished;
pub use socks::Proxy;
pub use tls::{BACKEND as TLS_BACKEND, format_fingerprint};

pub use session::MAX_RECIPIENTS;
use session::Session;
use transcript::Log;
use wire::{SocketWire, Wire};

// The connection's security and the SASL choice are shared vocabulary (the flags and
// the config file name them too).
pub use crate::model::{AuthMechanism, Protocol, Security};

/// A user name and its secret (password or OAuth2 access token).
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: String,
    pub secret: Secret,
    /// The secret is an OAuth2 access token (from `oauth_token_command`), so `Auto`
    /// chooses among the OAuth mechanisms.
    pub token: bool,
    /// A new access token when the server refused this one (the built-in OAuth login):
    /// a session that lives longer than its token (`posta batch`) logs in again with it.
    pub renew: Option<Renewal>,
}

impl Credentials {
    /// A user and password (not a token, no renewal).
    pub fn password(user: impl Into<String>, password: &str) -> Credentials {
        Credentials {
            user: user.into(),
            secret: Secret::new(password),
            token: false,
            renew: None,
        }
    }
}

/// Gives a new secret for the one the server refused, or `None` (then the refusal stands).
#[derive(Clone)]
pub struct Renewal(pub std::sync::Arc<RenewFn>);

/// What a [`Renewal`] calls: the refused secret in, a new one (or none) out.
pub type RenewFn = dyn Fn(&Secret) -> Option<Secret> + Send + Sync;

impl std::fmt::Debug for Renewal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Renewal")
    }
}

/// A client certificate and its key, PEM files (`--tls-cert`, `--tls-key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCert {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// The passphrase of an encrypted key (PKCS#8), fetched from its secret source.
    pub passphrase: Option<Secret>,
}

/// How to verify the server's certificate, and the client's own.
#[derive(Debug, Clone, Default)]
pub struct TlsSettings {
    /// Trust these CAs (PEM) in place of the system roots.
    pub ca_file: Option<PathBuf>,
    /// Accept only a leaf certificate that one of these matches (none: verify as usual).
    pub pins: Vec<crate::model::Fingerprint>,
    /// Skip verification entirely (the caller warns the user).
    pub insecure: bool,
    /// Present this certificate when the server asks for one.
    pub client_cert: Option<ClientCert>,
}

/// Everything needed to reach and log in to one server.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// SMTP, or LMTP to a delivery agent.
    pub protocol: Protocol,
    /// Reach the server through this SOCKS5 proxy.
    pub proxy: Option<Proxy>,
    pub tls: TlsSettings,
    /// Name announced in EHLO/HELO.
    pub helo_name: String,
    /// Limit for connecting and for every ordinary reply.
    pub timeout: Duration,
    /// Limit for the reply after the end of data (servers scan the message then).
    pub data_timeout: Duration,
    pub credentials: Option<Credentials>,
    pub mechanism: AuthMechanism,
    /// Allow AUTH without TLS on a non-loopback host.
    pub allow_insecure_auth: bool,
    /// Send the message with BDAT when the server offers CHUNKING (RFC 3030); false:
    /// always DATA (profile key `chunking = false`).
    pub chunking: bool,
}

impl Settings {
    /// A connection to `host:port` with `security` and everything else as a profile
    /// that says nothing more gets it: SMTP, no proxy, the system's CAs, no login,
    /// 30 s a reply and 600 s for the end of data, CHUNKING used when offered.
    pub fn new(host: impl Into<String>, port: u16, security: Security) -> Settings {
        Settings {
            host: host.into(),
            port,
            security,
            protocol: Protocol::default(),
            proxy: None,
            tls: TlsSettings::default(),
            helo_name: "localhost".into(),
            timeout: Duration::from_secs(30),
            data_timeout: Duration::from_secs(600),
            credentials: None,
            mechanism: AuthMechanism::Auto,
            allow_insecure_auth: false,
            chunking: true,
        }
    }

    /// "host:port", as outcomes and logs name the server.
    pub fn server(&self) -> String {
        dial::host_port(&self.host, self.port)
    }
}

/// One SMTP reply: code, enhanced status code when present, and text lines.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reply {
    pub code: u16,
    /// RFC 3463 enhanced status code such as "5.1.1", when the server sent one.
    pub enhanced: Option<String>,
    /// The text of every line, without code and separator.
    pub lines: Vec<String>,
}

impl Reply {
    /// The first digit of the code (RFC 5321 §4.2.1): 2 done, 3 go on, 4 not now,
    /// 5 never.
    pub fn class(&self) -> u16 {
        Reply::class_of(self.code)
    }

    /// [`Reply::class`] of a code that is not yet a reply.
    pub(crate) fn class_of(code: u16) -> u16 {
        code / 100
    }

    /// 2xx: the command was done.
    pub fn is_positive(&self) -> bool {
        self.class() == 2
    }

    /// 4xx: refused for now; the same command may succeed later.
    pub fn is_transient(&self) -> bool {
        self.class() == 4
    }

    /// 5xx: refused, and asking again will not help.
    pub fn is_permanent(&self) -> bool {
        self.class() == 5
    }
}

impl std::fmt::Display for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(e) = &self.enhanced {
            write!(f, " {e}")?;
        }
        let text = self.lines.join(" / ");
        if !text.is_empty() {
            write!(f, " {text}")?;
        }
        Ok(())
    }
}

/// What the server said about one recipient.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecipientReply {
    pub address: String,
    pub reply: Reply,
}

/// A message that can write itself into the DATA stream. The transport takes care of
/// CRLF normalisation and dot-stuffing; the payload only writes the message bytes.
pub trait Payload {
    fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()>;

    /// The message size in bytes when known beforehand. Sent as `SIZE=` (RFC 1870)
    /// and checked against the server's limit before anything is sent.
    fn size_hint(&self) -> Option<u64> {
        None
    }

    /// The message has 8-bit content; `BODY=8BITMIME` is declared when offered.
    fn is_8bit(&self) -> bool {
        false
    }
}

/// The result of a successful submission.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Outcome {
    /// "host:port"
    pub server: String,
    /// e.g. "starttls TLSv1.3 TLS13_AES_256_GCM_SHA384", "tls …" or "plain".
    pub security: String,
    /// The recipients the message went to; over LMTP, each with its delivery reply.
    pub accepted: Vec<RecipientReply>,
    /// The recipients it did not reach although the message was sent: an LMTP
    /// server's refusals after the end of data (RFC 2033 §4.2), each with its reply.
    /// Always empty over SMTP, where a refused recipient stops the message.
    pub refused: Vec<RecipientReply>,
    /// The reply to the end of data (over LMTP, the last delivered recipient's).
    pub final_reply: Reply,
    /// What did not go as asked but did not stop the message, e.g. a DSN request
    /// the server could not take.
    pub warnings: Vec<String>,
}

/// Where the transcript goes, and how much of it.
pub struct Transcript<'a> {
    pub out: &'a mut dyn Write,
    /// 1: commands and replies (AUTH hidden); 2: also the message bytes.
    pub level: u8,
}

/// Connect, authenticate and submit one message.
///
/// Either every recipient is accepted and the message is sent, or an error says
/// what happened and nothing was delivered (a refused recipient resets the
/// transaction before DATA). Over LMTP the message may be delivered to some
/// recipients only: [`Outcome::refused`] lists the others.
pub fn submit(
    settings: &Settings,
    envelope: &Envelope,
    dsn: &Dsn,
    payload: &mut dyn Payload,
    transcript: Option<&mut Transcript<'_>>,
) -> Result<Outcome, SmtpError> {
    session::validate_settings(settings)?;
    session::validate_envelope(envelope, dsn)?;
    let wire = SocketWire::open(settings, Log::new(transcript))?;
    match carry(wire, settings, envelope, dsn, payload, true) {
        Carried::Done(result) => result,
        Carried::LoginAgain(wire) => {
            let mut log = wire.into_log();
            log.info("logging in again, one step at a time, on a new connection");
            let wire = SocketWire::open(settings, log)?;
            match carry(wire, settings, envelope, dsn, payload, false) {
                Carried::Done(result) => result,
                Carried::LoginAgain(_) => unreachable!("AUTH waits for each reply now"),
            }
        }
    }
}

/// What became of a session that carried one message.
enum Carried<W> {
    Done(Result<Outcome, SmtpError>),
    /// The server wanted the early AUTH PLAIN's response on a line of its own:
    /// nothing was delivered, and the session has ended. Its wire, for the transcript.
    LoginAgain(W),
}

/// [`submit`] once connected: the dialogue, over any wire. With `early_login`, AUTH
/// PLAIN goes with the message's first group (see `session/login.rs`).
fn carry<W: Wire>(
    wire: W,
    settings: &Settings,
    envelope: &Envelope,
    dsn: &Dsn,
    payload: &mut dyn Payload,
    early_login: bool,
) -> Carried<W> {
    let mut session = match Session::greet(wire, settings) {
        Ok(session) => session,
        Err(e) => return Carried::Done(Err(e)),
    };
    session.quit_after_message();
    if early_login {
        session.allow_early_login();
    }
    let result = session.hello(settings).and_then(|()| {
        if let Some(creds) = &settings.credentials {
            session.authenticate(settings, creds)?;
        }
        let result = session.transaction(settings, envelope, dsn, payload);
        session.login_verdict(result)
    });
    if session.login_again() {
        return Carried::LoginAgain(session.end(result).1);
    }
    Carried::Done(session.close(result))
}
