//! The options of every command that connects to a server (`--server`, `--security`,
//! `--auth`, the TLS and proxy options…), and how they become `config::Overrides`.

use std::path::PathBuf;

use clap::Args;

use crate::model::{AuthMechanism, Fingerprint, Protocol, ProxyAddr, Security, ServerAddr};

/// Most connections `posta batch --connections` opens per profile: more than this to one
/// account look like abuse to any provider.
pub const MAX_CONNECTIONS: u8 = 16;

/// Options of every command that connects to a server; they override the profile.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Connection")]
pub struct ConnectionArgs {
    /// Submission server, optionally with a port; or unix:PATH, a Unix socket
    #[arg(long, value_name = "HOST[:PORT]")]
    pub server: Option<ServerAddr>,

    /// Port [default: 465 for tls, 587 for starttls, 25 for plain]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,

    /// Connection security [default: tls on port 465, starttls otherwise]
    #[arg(long, value_enum)]
    pub security: Option<Security>,

    /// User name for AUTH [default: the profile's from address, else the From address]
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,

    /// SASL mechanism
    #[arg(long, value_enum, value_name = "MECHANISM")]
    pub auth: Option<AuthMechanism>,

    /// Command whose first line of output is the password (run by the shell)
    #[arg(long, value_name = "CMD")]
    pub password_command: Option<String>,

    /// Command whose first line of output is a fresh OAuth2 access token, used with
    /// --auth xoauth2 or oauthbearer (auto picks OAUTHBEARER, else XOAUTH2)
    #[arg(long, value_name = "CMD")]
    pub oauth_token_command: Option<String>,

    /// Trust the CA certificates in this PEM file (in place of the system roots)
    #[arg(long, value_name = "PATH")]
    pub ca_file: Option<PathBuf>,

    /// Present this client certificate (PEM, the chain leaf first) when the server asks
    /// for one; with --tls-key
    #[arg(long, value_name = "PATH", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// The client certificate's private key (PEM, not encrypted); with --tls-cert
    #[arg(long, value_name = "PATH", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Accept only a server certificate that matches this pin: sha256:HEX (the
    /// certificate's SHA-256; colons allowed, the sha256: may be left out) or spki:BASE64
    /// (the SHA-256 of its public key, which a renewal with the same key keeps).
    /// Repeatable: any one may match
    #[arg(long, value_name = "PIN")]
    pub tls_fingerprint: Vec<Fingerprint>,

    /// Seconds to wait for the network at each step
    #[arg(long, value_name = "SECONDS", value_parser = timeout_arg)]
    pub timeout: Option<u64>,

    /// Name to announce in EHLO [default: this host's name]
    #[arg(long, value_name = "NAME")]
    pub ehlo: Option<String>,

    /// Allow AUTH over a connection without TLS (loopback is always allowed)
    #[arg(long)]
    pub allow_insecure_auth: bool,

    /// Do not verify the server certificate (dangerous; a warning is printed)
    #[arg(long)]
    pub insecure: bool,

    /// The server's protocol: smtp, or lmtp for a delivery agent (one reply per
    /// recipient after the message) [default: smtp]
    #[arg(long, value_enum)]
    pub protocol: Option<Protocol>,

    /// Reach the server through this SOCKS5 proxy; socks5h: the proxy resolves the
    /// server's name. A user may be given (USER@HOST); its password comes from
    /// POSTA_PROXY_PASSWORD or the profile's proxy_password_* keys, never a flag
    #[arg(long, value_name = "socks5[h]://HOST:PORT", value_parser = ProxyArg)]
    pub proxy: Option<ProxyAddr>,
}

// A bad connection value is refused here (--server and --tls-fingerprint through their
// types' FromStr), so it is a usage error that names the flag (the same value in the
// config file is a config error that names the file and key).

/// `--proxy`, refused in words without the value: clap would quote it back, and a
/// password typed into it by mistake would then be on the screen (or in cron's mail).
#[derive(Clone)]
struct ProxyArg;

impl clap::builder::TypedValueParser for ProxyArg {
    type Value = ProxyAddr;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<ProxyAddr, clap::Error> {
        let refuse = |why: &str| {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("invalid value for --proxy: {why}\n"),
            )
            .with_cmd(cmd)
        };
        let text = value.to_str().ok_or_else(|| refuse("not valid UTF-8"))?;
        text.parse().map_err(|why: String| refuse(&why))
    }
}

fn timeout_arg(s: &str) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(0) => Err("must be at least 1 second".into()),
        Ok(secs) => Ok(secs),
        Err(_) => Err("expected a whole number of seconds".into()),
    }
}

impl From<&ConnectionArgs> for crate::config::Overrides {
    fn from(c: &ConnectionArgs) -> Self {
        crate::config::Overrides {
            server: c.server.clone(),
            port: c.port,
            security: c.security,
            user: c.user.clone(),
            auth: c.auth,
            password_command: c.password_command.clone(),
            oauth_token_command: c.oauth_token_command.clone(),
            ca_file: c.ca_file.clone(),
            tls_cert: c.tls_cert.clone(),
            tls_key: c.tls_key.clone(),
            tls_fingerprint: crate::model::Pins::new(c.tls_fingerprint.clone()),
            timeout: c.timeout,
            ehlo: c.ehlo.clone(),
            allow_insecure_auth: c.allow_insecure_auth,
            insecure: c.insecure,
            protocol: c.protocol,
            proxy: c.proxy.clone(),
            save_sent: None,
        }
    }
}
