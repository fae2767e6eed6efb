//! One function per concern of an account, each with its own precedence: the server
//! (host, port, security), TLS, the secret's source, the login mechanism, timeouts, the
//! pace and the recipient limits. Each reads the same [`Layers`]; `resolve::build` calls
//! them in a fixed order, so that the first error said is always the same one.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{in_config_dir, limit};
use crate::config::file::Profile;
use crate::config::presets::{self, Preset};
use crate::config::secret_source::{DEFAULT_COMMAND_TIMEOUT, SecretSource};
use crate::config::{ConfigError, Overrides, SaveSent};
use crate::model::{AuthMechanism, Fingerprint, ProxyAddr, Security, ServerAddr};
use crate::secret::Secret;
use crate::smtp::{ClientCert, Proxy, TlsSettings};

/// Seconds to wait for connecting and for each ordinary reply.
const DEFAULT_TIMEOUT: u64 = 30;

/// What one account is merged from, highest first: the overrides (flags, a queue
/// entry), the environment (read where it applies), the profile and its preset.
pub(super) struct Layers<'a> {
    pub overrides: &'a Overrides,
    pub profile: &'a Profile,
    /// The profile's name, when one was used.
    pub name: Option<&'a str>,
    pub preset: Option<&'static Preset>,
    /// The config file, which relative paths in it are relative to.
    pub path: Option<&'a Path>,
}

/// Where the account connects: host, port and security.
pub(super) struct Server {
    pub host: String,
    pub port: u16,
    pub security: Security,
}

/// The profile's preset, or an error listing the valid ones.
pub(super) fn preset(
    profile: &Profile,
    name: Option<&str>,
    path: Option<&Path>,
) -> Result<Option<&'static Preset>, ConfigError> {
    let Some(p) = &profile.preset else {
        return Ok(None);
    };
    presets::find(p).map(Some).ok_or_else(|| {
        ConfigError::new(
            path.map(Path::to_path_buf),
            format!(
                "profile {}: unknown preset \"{p}\"; valid presets: {}",
                name.unwrap_or("?"),
                presets::names()
            ),
        )
    })
}

impl Layers<'_> {
    /// An error in the config file (its path), about this profile's `what`.
    pub(super) fn profile_error(&self, what: impl std::fmt::Display) -> ConfigError {
        ConfigError::new(
            self.path.map(Path::to_path_buf),
            format!("profile {}: {what}", self.name.unwrap_or("?")),
        )
    }

    /// A path from the config file, relative to its directory.
    pub(super) fn in_config_dir(&self, path: Option<&Path>) -> Option<PathBuf> {
        in_config_dir(path?, self.path)
    }

    /// Host, port and security. A flag's port decides the security when no security
    /// is given, and a flag's security the port; the profile's pair likewise, then the
    /// preset's (its port only with its own security). A Unix socket ("unix:PATH")
    /// has no port, and no TLS unless asked.
    pub(super) fn server(&self) -> Result<Server, ConfigError> {
        let (o, profile, preset) = (self.overrides, self.profile, self.preset);
        let host = o
            .server
            .as_ref()
            .map(|s| s.host().to_string())
            .or_else(|| profile.host.clone())
            .or_else(|| preset.map(|p| p.host.to_string()))
            .ok_or_else(|| {
                ConfigError::new(
                    self.path.map(Path::to_path_buf),
                    "no server to send to: give --server HOST[:PORT], or add a profile \
                     (posta profile add NAME --email ADDRESS) and pick it with -p NAME",
                )
            })?;
        if profile.port == Some(0) {
            return Err(self.profile_error("port must be from 1 to 65535"));
        }
        let flag_port = o.port.or(o.server.as_ref().and_then(|s| s.port()));
        if let Some(path) = crate::model::unix_socket_path(&host) {
            if !path.is_absolute() {
                // Only the profile can get here: the flag's parser refuses it.
                return Err(self.profile_error(format!(
                    "host \"{host}\": a Unix socket needs an absolute path, as in \
                     \"unix:/run/dovecot/lmtp\""
                )));
            }
            // A socket on this machine: nobody is on the path, so TLS only when asked
            // (a preset's security is for its own host, never for a socket).
            let security = o.security.or(profile.security).unwrap_or(Security::Plain);
            return Ok(Server {
                host,
                port: port_for_security(security),
                security,
            });
        }
        let security = o
            .security
            .or_else(|| flag_port.map(security_for_port))
            .or(profile.security)
            .or_else(|| profile.port.map(security_for_port))
            .or_else(|| preset.map(|p| p.security))
            .unwrap_or(Security::StartTls);
        let port = flag_port
            .or_else(|| o.security.map(port_for_security))
            .or(profile.port)
            .or_else(|| preset.filter(|p| p.security == security).map(|p| p.port))
            .unwrap_or_else(|| port_for_security(security));
        Ok(Server {
            host,
            port,
            security,
        })
    }

    /// How the server's certificate is checked: the CA file, the pinned fingerprint
    /// (a flag's is parsed already; the profile's is parsed here and blamed on it).
    pub(super) fn tls(&self) -> Result<TlsSettings, ConfigError> {
        let (o, profile) = (self.overrides, self.profile);
        let pins = match (&o.tls_fingerprint, &profile.tls_fingerprint) {
            (Some(pins), _) => pins.iter().cloned().collect(),
            (None, Some(texts)) => texts
                .items()
                .iter()
                .map(|text| {
                    text.parse::<Fingerprint>().map_err(|why| {
                        self.profile_error(format!("tls_fingerprint \"{text}\": {why}"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            (None, None) => Vec::new(),
        };
        Ok(TlsSettings {
            // A flag's relative path stays relative to where posta runs, as any argument.
            ca_file: o
                .ca_file
                .clone()
                .or_else(|| self.in_config_dir(profile.ca_file.as_deref())),
            pins,
            client_cert: self.client_cert()?,
            insecure: o.insecure || profile.insecure == Some(true),
        })
    }

    /// The client certificate: a flag's pair, else the profile's (whose paths are
    /// relative to the config file's folder); both files or neither.
    fn client_cert(&self) -> Result<Option<ClientCert>, ConfigError> {
        let (o, profile) = (self.overrides, self.profile);
        if let (Some(cert), Some(key)) = (&o.tls_cert, &o.tls_key) {
            return Ok(Some(ClientCert {
                cert: cert.clone(),
                key: key.clone(),
                passphrase: None,
            }));
        }
        let cert = self.in_config_dir(profile.tls_cert.as_deref());
        let key = self.in_config_dir(profile.tls_key.as_deref());
        match (cert, key) {
            (Some(cert), Some(key)) => Ok(Some(ClientCert {
                cert,
                key,
                passphrase: None,
            })),
            (None, None) => Ok(None),
            (Some(_), None) => Err(self.profile_error(
                "tls_cert needs tls_key, the file with the certificate's private key",
            )),
            (None, Some(_)) => {
                Err(self
                    .profile_error("tls_key needs tls_cert, the file with the client certificate"))
            }
        }
    }

    /// The SOCKS5 proxy (a flag's, else the profile's), without its password, and
    /// where that password comes from: POSTA_PROXY_PASSWORD, then the profile's
    /// command, variable and file; a prompt when there is a user and none of them.
    pub(super) fn proxy(&self, host: &str) -> Result<Option<(Proxy, SecretSource)>, ConfigError> {
        let (o, profile) = (self.overrides, self.profile);
        let addr = match (&o.proxy, &profile.proxy) {
            (Some(addr), _) => addr.clone(),
            // Its words only, never the text: it may hold a password by mistake.
            (None, Some(text)) => (text.parse::<ProxyAddr>())
                .map_err(|why| self.profile_error(format!("proxy: {why}")))?,
            (None, None) => return Ok(None),
        };
        if crate::model::unix_socket_path(host).is_some() {
            return Err(ConfigError::new(
                self.path.map(Path::to_path_buf),
                format!(
                    "{host} is a Unix socket on this machine: it is not reached through a proxy ({addr})"
                ),
            ));
        }
        let source = if std::env::var_os("POSTA_PROXY_PASSWORD").is_some_and(|v| !v.is_empty()) {
            SecretSource::Env("POSTA_PROXY_PASSWORD".into())
        } else if let Some(cmd) = &profile.proxy_password_command {
            SecretSource::Command(cmd.clone())
        } else if let Some(var) = &profile.proxy_password_env {
            SecretSource::Env(var.clone())
        } else if let Some(path) = self.in_config_dir(profile.proxy_password_file.as_deref()) {
            SecretSource::File(path)
        } else {
            SecretSource::Prompt
        };
        let proxy = Proxy {
            host: addr.host().to_string(),
            port: addr.port(),
            remote_dns: addr.remote_dns(),
            user: addr.user().map(str::to_string),
            password: None,
        };
        Ok(Some((proxy, source)))
    }

    /// Where an encrypted client key's passphrase comes from: POSTA_TLS_KEY_PASSWORD,
    /// then the profile's command, variable and file; `None` without any (an
    /// encrypted key is then refused, saying so).
    pub(super) fn tls_key_secret(&self) -> Option<SecretSource> {
        let profile = self.profile;
        if std::env::var_os("POSTA_TLS_KEY_PASSWORD").is_some_and(|v| !v.is_empty()) {
            Some(SecretSource::Env("POSTA_TLS_KEY_PASSWORD".into()))
        } else if let Some(cmd) = &profile.tls_key_password_command {
            Some(SecretSource::Command(cmd.clone()))
        } else if let Some(var) = &profile.tls_key_password_env {
            Some(SecretSource::Env(var.clone()))
        } else {
            self.in_config_dir(profile.tls_key_password_file.as_deref())
                .map(SecretSource::File)
        }
    }

    /// Where the secret comes from: a flag's command, then POSTA_PASSWORD, then the
    /// profile's token command, keyring, password command, variable, file, literal.
    /// The built-in OAuth login (`oauth`) comes after the token command: with an OAuth
    /// mechanism, or with `auto` when the profile names no password source.
    pub(super) fn secret_source(
        &self,
        oauth: Option<&crate::oauth::Client>,
    ) -> Option<SecretSource> {
        let (o, profile) = (self.overrides, self.profile);
        let mechanism = o.auth.or(profile.auth).unwrap_or(AuthMechanism::Auto);
        let password_named = profile.keyring == Some(true)
            || profile.password_command.is_some()
            || profile.password_env.is_some()
            || profile.password_file.is_some()
            || profile.password.is_some();
        let oauth = oauth.filter(|_| match mechanism {
            AuthMechanism::Xoauth2 | AuthMechanism::OauthBearer => true,
            AuthMechanism::Auto => !password_named,
            // Password mechanisms (and a client certificate's EXTERNAL): no token.
            AuthMechanism::Plain
            | AuthMechanism::Login
            | AuthMechanism::ScramSha256
            | AuthMechanism::ScramSha1
            | AuthMechanism::CramMd5
            | AuthMechanism::External => false,
        });
        if let Some(cmd) = &o.oauth_token_command {
            Some(SecretSource::TokenCommand(cmd.clone()))
        } else if let Some(cmd) = &o.password_command {
            Some(SecretSource::Command(cmd.clone()))
        } else if std::env::var_os("POSTA_PASSWORD").is_some_and(|v| !v.is_empty()) {
            Some(SecretSource::Env("POSTA_PASSWORD".into()))
        } else if let Some(cmd) = &profile.oauth_token_command {
            Some(SecretSource::TokenCommand(cmd.clone()))
        } else if let Some(client) = oauth {
            Some(SecretSource::OAuth(Box::new(client.clone())))
        } else if let (Some(true), Some(n)) = (profile.keyring, self.name) {
            Some(SecretSource::Keyring(n.to_string()))
        } else if let Some(cmd) = &profile.password_command {
            Some(SecretSource::Command(cmd.clone()))
        } else if let Some(var) = &profile.password_env {
            Some(SecretSource::Env(var.clone()))
        } else if let Some(path) = self.in_config_dir(profile.password_file.as_deref()) {
            Some(SecretSource::File(path))
        } else {
            profile
                .password
                .as_ref()
                .map(|p| SecretSource::Literal(Secret::new(p.clone())))
        }
    }

    /// The SASL mechanism, which must be able to carry the secret (EXTERNAL: the
    /// client certificate must be there).
    pub(super) fn auth(&self, secret: Option<&SecretSource>) -> Result<AuthMechanism, ConfigError> {
        let mechanism = (self.overrides.auth)
            .or(self.profile.auth)
            .unwrap_or(AuthMechanism::Auto);
        if mechanism == AuthMechanism::External
            && self.overrides.tls_cert.is_none()
            && self.profile.tls_cert.is_none()
        {
            return Err(ConfigError::new(
                self.path.map(Path::to_path_buf),
                "auth external logs in with the client certificate, and there is none: \
                 give --tls-cert and --tls-key (or tls_cert and tls_key in the profile)",
            ));
        }
        // The built-in login with `auto`: the mechanism the provider's preset names.
        if mechanism == AuthMechanism::Auto
            && matches!(secret, Some(SecretSource::OAuth(_)))
            && let Some(oauth) = self.preset.and_then(|p| p.oauth2)
        {
            return Ok(match oauth.mechanism {
                "oauthbearer" => AuthMechanism::OauthBearer,
                _ => AuthMechanism::Xoauth2,
            });
        }
        if secret.is_some_and(SecretSource::is_token)
            && matches!(
                mechanism,
                AuthMechanism::Plain
                    | AuthMechanism::Login
                    | AuthMechanism::ScramSha256
                    | AuthMechanism::ScramSha1
                    | AuthMechanism::CramMd5
            )
        {
            return Err(ConfigError::new(
                self.path.map(Path::to_path_buf),
                "an OAuth2 token (oauth_token_command) cannot log in with a password \
                 mechanism (PLAIN, LOGIN, SCRAM, CRAM-MD5): use auth = \"xoauth2\", \
                 \"oauthbearer\" or \"auto\"",
            ));
        }
        Ok(mechanism)
    }

    /// The network timeout. A flag cannot be 0 (cli refuses it) but a queue entry can.
    pub(super) fn timeout(&self) -> Result<Duration, ConfigError> {
        match (self.overrides.timeout, self.profile.timeout) {
            (Some(0), _) => Err(ConfigError::new(
                None,
                "--timeout must be at least 1 second",
            )),
            (None, Some(0)) => Err(self.profile_error("timeout must be at least 1 second")),
            (flag, file) => Ok(Duration::from_secs(
                flag.or(file).unwrap_or(DEFAULT_TIMEOUT),
            )),
        }
    }

    pub(super) fn helo_name(&self) -> String {
        (self.overrides.ehlo.clone())
            .or_else(|| self.profile.ehlo.clone())
            .unwrap_or_else(default_helo_name)
    }

    /// The pace of `posta batch`: the profile's `rate` ("none" lifts the preset's),
    /// else the preset's messages a minute.
    pub(super) fn rate(&self) -> Result<Option<crate::pace::Rate>, ConfigError> {
        match self.profile.rate.as_deref().map(str::trim) {
            Some("none") => Ok(None),
            Some(text) => crate::pace::Rate::parse(text)
                .map(Some)
                .map_err(|why| self.profile_error(format!("rate {why}, or \"none\""))),
            None => Ok(self
                .preset
                .and_then(|p| p.messages_per_minute)
                .map(crate::pace::Rate::per_minute)),
        }
    }

    /// How long a password or token command may run unattended.
    pub(super) fn command_timeout(&self) -> Result<Duration, ConfigError> {
        match self.profile.command_timeout {
            Some(0) => Err(self.profile_error("command_timeout must be at least 1 second")),
            Some(seconds) => Ok(Duration::from_secs(seconds)),
            None => Ok(DEFAULT_COMMAND_TIMEOUT),
        }
    }

    /// Recipients a day and in one message.
    pub(super) fn limits(&self) -> (Option<u32>, Option<u32>) {
        let (profile, preset) = (self.profile, self.preset);
        (
            limit(profile.daily_limit, preset.and_then(|p| p.daily_limit)).map(|l| l.0),
            limit(
                profile.per_message_limit,
                preset.and_then(|p| p.per_message_limit),
            )
            .map(|l| l.0),
        )
    }
}

impl Layers<'_> {
    /// The copy in Sent: `--save-sent`/`--no-save-sent`, else the profile's
    /// `save_sent`, else on when an IMAP server is known and the provider does not
    /// file a copy itself. The server: `imap_server`, else the preset's; its security
    /// from `imap_security`, else from the port (993 → tls, any other → starttls).
    pub(super) fn save_sent(&self) -> Result<Option<SaveSent>, ConfigError> {
        let (profile, preset) = (self.profile, self.preset);
        let server = match (&profile.imap_server, preset.and_then(|p| p.imap_server)) {
            (Some(text), _) => Some(
                text.parse::<ServerAddr>()
                    .map_err(|why| self.profile_error(format!("imap_server \"{text}\": {why}")))?,
            ),
            (None, Some(text)) => Some(text.parse::<ServerAddr>().expect("presets are valid")),
            (None, None) => None,
        };
        let on = self
            .overrides
            .save_sent
            .or(profile.save_sent)
            .unwrap_or_else(|| server.is_some() && !preset.is_some_and(|p| p.files_sent));
        if !on {
            return Ok(None);
        }
        let implicit_tls = match (
            profile.imap_security,
            server.as_ref().and_then(ServerAddr::port),
        ) {
            (Some(Security::Plain), _) => {
                return Err(self.profile_error(
                    "imap_security must be \"tls\" or \"starttls\": posta does not log in to \
                     IMAP without TLS",
                ));
            }
            (Some(security), _) => security == Security::Tls,
            (None, Some(port)) => port == 993,
            (None, None) => true,
        };
        Ok(Some(SaveSent {
            server: server.map(|s| crate::imap::Server {
                host: s.host().to_string(),
                port: s.port().unwrap_or(if implicit_tls { 993 } else { 143 }),
                implicit_tls,
            }),
            user: profile.imap_user.clone(),
            folder: profile.sent_folder.clone().filter(|f| !f.trim().is_empty()),
        }))
    }
}

/// CLI.md: 465 means implicit TLS; anything else STARTTLS.
fn security_for_port(port: u16) -> Security {
    if port == 465 {
        Security::Tls
    } else {
        Security::StartTls
    }
}

fn port_for_security(s: Security) -> u16 {
    match s {
        Security::Tls => 465,
        Security::StartTls => 587,
        Security::Plain => 25,
    }
}

/// This host's name for EHLO; "localhost" when it has none usable.
fn default_helo_name() -> String {
    let name = gethostname::gethostname().to_string_lossy().into_owned();
    let usable = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if usable { name } else { "localhost".into() }
}
