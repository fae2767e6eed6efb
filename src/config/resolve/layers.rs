//! One function per concern of an account, each with its own precedence: the server
//! (host, port, security), TLS and the proxy (`transport.rs`), the secret's source, the
//! login mechanism, timeouts, the pace and the recipient limits. Each reads the same [`Layers`]; `resolve::build` calls
//! them in a fixed order, so that the first error said is always the same one.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{in_config_dir, limit};
use crate::config::file::Profile;
use crate::config::presets::{self, Preset};
use crate::config::secret_source::{DEFAULT_COMMAND_TIMEOUT, SecretSource};
use crate::config::{ConfigError, Overrides, SaveSent};
use crate::model::{AuthMechanism, Security, ServerAddr};
use crate::secret::Secret;

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
