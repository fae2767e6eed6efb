//! The one typed error of the transport: what failed, at which stage, with the reply.

use super::{RecipientReply, Reply};
use crate::model::exit_code::{Code, io_text};

/// The step of the session at which something failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Connect,
    Greeting,
    Ehlo,
    StartTls,
    Auth,
    Mail,
    Rcpt,
    Data,
    EndOfData,
    Quit,
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stage::Connect => "connect",
            Stage::Greeting => "greeting",
            Stage::Ehlo => "EHLO",
            Stage::StartTls => "STARTTLS",
            Stage::Auth => "AUTH",
            Stage::Mail => "MAIL",
            Stage::Rcpt => "RCPT",
            Stage::Data => "DATA",
            Stage::EndOfData => "end of data",
            Stage::Quit => "QUIT",
        })
    }
}

#[derive(Debug)]
pub enum SmtpErrorKind {
    /// The host name did not resolve.
    HostNotFound(String),
    /// Resolving the host name failed for now (no network, DNS did not answer).
    LookupFailed(String),
    /// The TCP connection could not be opened: refused, unreachable, timed out.
    /// `server` is "host:port" as the user named it.
    Unreachable {
        server: String,
        error: std::io::Error,
    },
    /// The connection was reset, or another network error once connected.
    Io(std::io::Error),
    /// No reply within the time limit.
    Timeout,
    /// The server answered with a 4xx or 5xx.
    Rejected(Reply),
    /// Some recipients were refused at RCPT, so nothing was sent; or (stage end of
    /// data) an LMTP server delivered to none of them.
    RecipientsRefused {
        refused: Vec<RecipientReply>,
        accepted: Vec<RecipientReply>,
    },
    /// The SOCKS5 proxy would not, or could not, connect us to the server.
    Proxy {
        /// "socks5://host:port"
        proxy: String,
        /// "host:port" of the server asked for.
        server: String,
        failure: ProxyFailure,
        why: String,
    },
    /// STARTTLS required but the server does not offer it.
    StartTlsUnavailable,
    /// Certificate or handshake failure.
    Tls(String),
    /// The CA file (`--ca-file`, `ca_file`) cannot be read; found before connecting.
    CaFileUnreadable {
        path: std::path::PathBuf,
        error: std::io::Error,
    },
    /// The CA file holds no certificate that can be trusted as a CA: a setting to fix,
    /// found before connecting.
    CaFileInvalid {
        path: std::path::PathBuf,
        why: String,
    },
    /// The client certificate or key (`--tls-cert`, `--tls-key`) cannot be read;
    /// found before connecting.
    ClientCertUnreadable {
        path: std::path::PathBuf,
        error: std::io::Error,
    },
    /// The client certificate or key cannot be used (no PEM block, an encrypted key):
    /// a setting to fix, found before connecting.
    ClientCertInvalid {
        path: std::path::PathBuf,
        why: String,
    },
    /// A malformed or unexpected reply.
    Protocol(String),
    /// AUTH refused by the server.
    AuthFailed(Reply),
    /// We refuse to send credentials: no TLS, or no mechanism in common.
    AuthNotPossible(String),
    /// The server's side of the SASL exchange was wrong: a SCRAM signature that does
    /// not prove it knows the password, or a malformed challenge. The exchange was
    /// abandoned; no message was sent.
    AuthExchange(String),
    /// The message was bigger than the server accepts (declared SIZE).
    TooBig { size: u64, limit: u64 },
    /// Reading the message itself failed.
    Payload(std::io::Error),
    /// Something we were asked to send cannot be put on the wire: a line break or
    /// control character in an address, an invalid DSN value, no recipients.
    InvalidInput(String),
    /// An address needs SMTPUTF8 (RFC 6531) and the server does not offer it.
    Smtputf8Unavailable,
}

/// How a SOCKS5 proxy failed us, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyFailure {
    /// It could not reach the server for now (unreachable, refused, its own failure).
    Temporary,
    /// Its rules forbid the connection, or it cannot take the address: a setting.
    Refused,
    /// It wants a login we do not have, or refused ours.
    Auth,
    /// What it said is not SOCKS5.
    Protocol,
}

/// A transport failure with its stage.
#[derive(Debug)]
pub struct SmtpError {
    pub stage: Stage,
    pub kind: SmtpErrorKind,
}

impl SmtpError {
    pub fn new(stage: Stage, kind: SmtpErrorKind) -> Self {
        SmtpError { stage, kind }
    }

    /// The server's reply, when there is one.
    pub fn reply(&self) -> Option<&Reply> {
        match &self.kind {
            SmtpErrorKind::Rejected(r) | SmtpErrorKind::AuthFailed(r) => Some(r),
            _ => None,
        }
    }

    /// Worth retrying later: 4xx, timeouts, refused or reset connections.
    pub fn is_transient(&self) -> bool {
        match &self.kind {
            SmtpErrorKind::Proxy { failure, .. } => *failure == ProxyFailure::Temporary,
            SmtpErrorKind::Io(_)
            | SmtpErrorKind::Unreachable { .. }
            | SmtpErrorKind::Timeout
            | SmtpErrorKind::LookupFailed(_) => true,
            SmtpErrorKind::Rejected(r) | SmtpErrorKind::AuthFailed(r) => r.is_transient(),
            SmtpErrorKind::RecipientsRefused { refused, .. } => {
                refused.iter().all(|r| r.reply.is_transient())
            }
            _ => false,
        }
    }

    /// After a refusal the server still listens, so the session can be ended with
    /// QUIT; after a network, TLS or protocol failure, or in the middle of DATA,
    /// nobody is in step to talk to.
    pub(crate) fn leaves_dialogue_in_step(&self) -> bool {
        use SmtpErrorKind::*;
        !matches!(
            self.kind,
            Io(_) | Unreachable { .. } | Timeout | Tls(_) | Protocol(_) | Payload(_) | Proxy { .. }
        )
    }

    pub fn is_permanent(&self) -> bool {
        !self.is_transient()
    }

    /// The sysexits code for this failure (CLI.md).
    pub fn exit_code(&self) -> Code {
        use SmtpErrorKind::*;
        match &self.kind {
            HostNotFound(_) => Code::NoHost,
            Io(_) | Unreachable { .. } | Timeout | LookupFailed(_) => Code::TempFail,
            Rejected(r) if r.is_transient() => Code::TempFail,
            Rejected(_) => match self.stage {
                Stage::Rcpt => Code::NoUser,
                Stage::Auth => Code::NoPerm,
                _ => Code::Unavailable,
            },
            RecipientsRefused { .. } if self.is_transient() => Code::TempFail,
            RecipientsRefused { .. } => Code::NoUser,
            StartTlsUnavailable | Tls(_) | Protocol(_) => Code::Protocol,
            Proxy { failure, .. } => match failure {
                ProxyFailure::Temporary => Code::TempFail,
                ProxyFailure::Refused => Code::Unavailable,
                ProxyFailure::Auth => Code::NoPerm,
                ProxyFailure::Protocol => Code::Protocol,
            },
            CaFileUnreadable { .. } | ClientCertUnreadable { .. } => Code::NoInput,
            CaFileInvalid { .. } | ClientCertInvalid { .. } => Code::Config,
            AuthFailed(r) if r.is_transient() => Code::TempFail,
            AuthFailed(_) | AuthNotPossible(_) | AuthExchange(_) => Code::NoPerm,
            TooBig { .. } => Code::Unavailable,
            Payload(_) => Code::IoErr,
            // Both are about what the user gave us, not about the server's health.
            InvalidInput(_) | Smtputf8Unavailable => Code::DataErr,
        }
    }
}

impl std::fmt::Display for SmtpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use SmtpErrorKind::*;
        let stage = self.stage;
        match &self.kind {
            HostNotFound(host) => write!(f, "host not found: {host}"),
            LookupFailed(host) => write!(f, "cannot resolve {host} for now; try again later"),
            Unreachable { server, error } => {
                write!(f, "cannot connect to {server}: {}", io_text(error))
            }
            Io(e) => write!(f, "{stage}: {}", io_text(e)),
            Timeout => write!(f, "{stage}: the server did not answer in time"),
            Rejected(r) => write!(f, "{stage}: the server said {r}"),
            RecipientsRefused { refused, .. } if stage == Stage::EndOfData => {
                write!(f, "end of data: the LMTP server delivered to nobody: ")?;
                write_recipients(f, refused)
            }
            RecipientsRefused { refused, .. } => {
                write!(f, "RCPT: the server refused ")?;
                write_recipients(f, refused)?;
                f.write_str("; nothing was sent")
            }
            Proxy {
                proxy, server, why, ..
            } => write!(f, "cannot connect to {server} through {proxy}: {why}"),
            StartTlsUnavailable => write!(
                f,
                "STARTTLS: the server does not offer STARTTLS, so nothing was sent \
                 (use --security tls for port 465, or --security plain to send in clear)"
            ),
            Tls(e) => write!(f, "{stage}: TLS failed: {e}"),
            CaFileUnreadable { path, error } => write!(
                f,
                "cannot read the CA file {}: {}",
                path.display(),
                io_text(error)
            ),
            CaFileInvalid { path, why } => write!(f, "the CA file {}: {why}", path.display()),
            ClientCertUnreadable { path, error } => write!(
                f,
                "cannot read the client certificate or key {}: {}",
                path.display(),
                io_text(error)
            ),
            ClientCertInvalid { path, why } => {
                write!(f, "the client certificate or key {}: {why}", path.display())
            }
            Protocol(e) => write!(f, "{stage}: {e}"),
            AuthFailed(r) => write!(f, "AUTH: the server refused the credentials: {r}"),
            AuthNotPossible(why) => write!(f, "AUTH: {why}"),
            AuthExchange(why) => write!(
                f,
                "AUTH: {why}; the login was abandoned and nothing was sent (a server \
                 that cannot prove it knows the password may not be the one it is for: \
                 check --server and the account's password)"
            ),
            TooBig { size, limit } => write!(
                f,
                "the message is {size} bytes but the server accepts at most {limit}; nothing was sent"
            ),
            Payload(e) => write!(f, "reading the message: {}", io_text(e)),
            InvalidInput(why) => write!(f, "{stage}: {why}"),
            Smtputf8Unavailable => write!(
                f,
                "MAIL: an address has a non-ASCII local part, but the server does not offer \
                 SMTPUTF8; nothing was sent"
            ),
        }
    }
}

/// "a@x (550 …); b@y (452 …)".
pub(crate) fn write_recipients(
    f: &mut std::fmt::Formatter<'_>,
    recipients: &[RecipientReply],
) -> std::fmt::Result {
    for (i, r) in recipients.iter().enumerate() {
        if i > 0 {
            f.write_str("; ")?;
        }
        write!(f, "{} ({})", r.address, r.reply)?;
    }
    Ok(())
}

/// No `source()`: the text above already says the cause (in words, without the
/// errno), and a chain printer would say it twice. It also keeps a server's broken
/// pipe from looking like a closed stdout to `main`.
impl std::error::Error for SmtpError {}
