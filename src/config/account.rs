//! The account a command works with ([`Account`]: where to connect, how to log in, the
//! profile's limits and paths) and what it does once resolved: fetch the secret, name
//! the login, check the profile's From. Building one is [`super::resolve`]'s job.

use std::path::PathBuf;
use std::time::Duration;

use super::ConfigError;
use super::presets::{Preset, UserForm};
use super::secret_source::SecretSource;
use crate::model::{AuthMechanism, QueuePolicy};
use crate::secret::Secret;
use crate::smtp::{Credentials, Settings};

/// The account a command works with: where to connect and how to log in.
#[derive(Debug)]
pub struct Account {
    /// The profile's name, when one was used.
    pub profile: Option<String>,
    pub preset: Option<&'static Preset>,
    /// The profile's default From.
    pub from: Option<String>,
    /// The config file the profile was read from.
    pub config_path: Option<PathBuf>,
    /// Server settings; `credentials` is filled by [`Account::load_credentials`].
    pub settings: Settings,
    /// The AUTH user, when the account logs in.
    pub user: Option<String>,
    /// Where to append one line per submission (the profile's `log_file`).
    pub log_file: Option<PathBuf>,
    /// Where local names (`root`) go: the profile's `aliases` file.
    pub aliases: Option<PathBuf>,
    /// sendmail mode's sender policy (the profile's `envelope_from`, `from_header`).
    pub envelope_from: super::file::EnvelopeFrom,
    pub from_header: super::file::FromHeader,
    /// The profile's `queue` policy, when it sets one.
    pub queue: Option<QueuePolicy>,
    /// The config file's `queue_dir`, when it sets one.
    pub queue_dir: Option<std::path::PathBuf>,
    /// Recipients per rolling 24 hours: the profile's `daily_limit`, else the preset's;
    /// `None` is no limit (also what a profile's 0 means).
    pub daily_limit: Option<u32>,
    /// Recipients in one message, resolved the same way.
    pub per_message_limit: Option<u32>,
    /// The pace of messages through this profile in `posta batch`: the profile's
    /// `rate`, else the preset's messages a minute; `None`: no pace.
    pub rate: Option<crate::pace::Rate>,
    /// How long a password or token command may run with no terminal to answer a
    /// prompt: the profile's `command_timeout`, else two minutes.
    pub command_timeout: Duration,
    /// The copy in Sent (`save_sent`), when it is asked for.
    pub save_sent: Option<SaveSent>,
    pub(super) secret: Option<SecretSource>,
    /// Where the proxy's password comes from, when there is a proxy.
    pub(super) proxy_secret: Option<SecretSource>,
    /// Where the client key's passphrase comes from, when there is a client key and a
    /// source for it.
    pub(super) tls_key_secret: Option<SecretSource>,
    /// The profile's built-in OAuth client (`oauth2_client_id`), for `posta auth` and
    /// for refreshing after a refused token.
    pub oauth: Option<crate::oauth::Client>,
    /// Which profile was chosen and why, for `-v` ("profile work, the default: …").
    pub chosen: Option<String>,
}

impl Account {
    /// Fetch the secret (run the command, prompt, …) when the account logs in.
    /// Done after the message is checked so a bad message never costs a prompt.
    /// `from_address` is the message's From (or envelope sender): the login only when
    /// the account names neither a `user` nor a `from` of its own.
    pub fn load_credentials(&mut self, from_address: Option<&str>) -> Result<(), ConfigError> {
        self.load_proxy_password()?;
        self.load_tls_key_password()?;
        if self.settings.mechanism == AuthMechanism::External {
            // The client certificate is the credential: nothing to fetch or ask for;
            // the user name only labels the login (EXTERNAL sends an empty authzid).
            self.settings.credentials = Some(Credentials {
                user: self.login_user(from_address).unwrap_or_default(),
                secret: Secret::new(""),
                token: false,
                renew: None,
            });
            return Ok(());
        }
        let Some(user) = self.login_user(from_address) else {
            return Ok(());
        };
        let label = format!("{user} at {}", self.settings.host);
        let secret = match &self.secret {
            Some(src) => src.fetch(&label, self.command_timeout)?,
            None => SecretSource::Prompt.fetch(&label, self.command_timeout)?,
        };
        self.user = Some(user.clone());
        let token = self.secret.as_ref().is_some_and(SecretSource::is_token);
        let renew = match &self.secret {
            Some(SecretSource::OAuth(client)) => {
                let client = client.clone();
                Some(crate::smtp::Renewal(std::sync::Arc::new(move |refused| {
                    crate::oauth::refresh::access_token(&client, Some(refused))
                        .ok()
                        .map(|access| access.token)
                })))
            }
            _ => None,
        };
        self.settings.credentials = Some(Credentials {
            user,
            secret,
            token,
            renew,
        });
        Ok(())
    }

    /// Fetch the proxy's password, when there is a proxy with a user and the password
    /// is not at hand yet. Asked for by every command that connects, logging in or not.
    pub fn load_proxy_password(&mut self) -> Result<(), ConfigError> {
        let (Some(proxy), Some(source)) = (&mut self.settings.proxy, &self.proxy_secret) else {
            return Ok(());
        };
        let Some(user) = &proxy.user else {
            return Ok(());
        };
        if proxy.password.is_none() {
            let label = format!("{user} at the proxy {}", proxy.url());
            proxy.password = Some(source.fetch(&label, self.command_timeout)?);
        }
        Ok(())
    }

    /// The client key's passphrase, from its source (none: the key is used as it is,
    /// and an encrypted one is refused when read).
    pub fn load_tls_key_password(&mut self) -> Result<(), ConfigError> {
        let (Some(files), Some(source)) =
            (&mut self.settings.tls.client_cert, &self.tls_key_secret)
        else {
            return Ok(());
        };
        if files.passphrase.is_none() {
            let label = format!("the key {}", files.key.display());
            files.passphrase = Some(source.fetch(&label, self.command_timeout)?);
        }
        Ok(())
    }

    /// Whether sending logs in with the built-in OAuth login (rather than a password or
    /// a token command the profile also names).
    pub fn uses_oauth_login(&self) -> bool {
        matches!(self.secret, Some(SecretSource::OAuth(_)))
    }

    /// After the server refused the access token of the built-in OAuth login: a new one
    /// (unless another posta stored one meanwhile) in the credentials. `Ok(false)` when
    /// the account does not log in that way.
    pub fn renew_oauth_token(&mut self) -> Result<bool, ConfigError> {
        let (Some(SecretSource::OAuth(client)), Some(credentials)) =
            (&self.secret, self.settings.credentials.as_mut())
        else {
            return Ok(false);
        };
        let access = crate::oauth::refresh::access_token(client, Some(&credentials.secret))
            .map_err(ConfigError::from_oauth)?;
        credentials.secret = access.token;
        Ok(true)
    }

    /// The profile's `from` for a message's From header: one well-formed mailbox, or a
    /// config error naming the profile and the key (no --from was given to blame).
    pub fn from_for_header(&self) -> Result<Option<&str>, ConfigError> {
        let Some(from) = self.from.as_deref() else {
            return Ok(None);
        };
        let why = match crate::message::address::parse_list(from) {
            Ok(list) if list.len() == 1 => return Ok(Some(from)),
            Ok(_) => format!("give exactly one address, not {from:?}"),
            Err(e) => e,
        };
        Err(ConfigError::new(
            self.config_path.clone(),
            format!(
                "profile {}: from: {why}",
                self.profile.as_deref().unwrap_or("?")
            ),
        ))
    }

    /// The AUTH user, without fetching anything: `--user` or the profile's `user`, else
    /// the profile's `from` address, else `from_address` (the message's). A --from that
    /// differs from the profile's `from` is an alias of the same mailbox, so it never
    /// changes who logs in. `None` when the account does not log in.
    pub fn login_user(&self, from_address: Option<&str>) -> Option<String> {
        if let Some(user) = &self.user {
            return Some(user.clone());
        }
        if !self.logs_in() {
            return None;
        }
        self.from
            .as_deref()
            .or(from_address)
            .map(|address| user_from_address(address, self.preset))
    }

    /// Reach `posta serve`'s Unix socket at `socket` instead of the account's server
    /// (sendmail mode of a user who cannot read the secret, see
    /// `submit::finished`): no login (the service has its own), no proxy, no TLS, SMTP;
    /// no copy in Sent here (that needs the login too: the service files its own).
    pub fn through_service(&mut self, socket: &std::path::Path) {
        self.settings.host = format!("unix:{}", socket.display());
        self.settings.port = 0;
        self.settings.security = crate::model::Security::Plain;
        self.settings.protocol = crate::model::Protocol::Smtp;
        self.settings.proxy = None;
        self.settings.credentials = None;
        self.settings.mechanism = AuthMechanism::Auto;
        self.user = None;
        self.secret = None;
        self.proxy_secret = None;
        self.preset = None;
        self.oauth = None;
        self.save_sent = None;
    }

    /// Whether this account authenticates at all: it names a user, a secret source or a
    /// provider, or an AUTH mechanism other than `auto`.
    pub fn logs_in(&self) -> bool {
        self.user.is_some()
            || self.secret.is_some()
            || self.preset.is_some()
            || self.settings.mechanism != AuthMechanism::Auto
    }
}

/// Where the copy of a sent message goes.
#[derive(Debug, Clone)]
pub struct SaveSent {
    /// `None`: asked for, but no IMAP server is known; each message then says so.
    pub server: Option<crate::imap::Server>,
    /// `imap_user`, when the IMAP login is not the SMTP one.
    pub user: Option<String>,
    /// `sent_folder`, as people write it.
    pub folder: Option<String>,
}

/// The AUTH user a provider expects for an address.
fn user_from_address(address: &str, preset: Option<&Preset>) -> String {
    let addr = bare_address(address);
    match preset.map(|p| p.user_form) {
        Some(UserForm::LocalPart) => addr.split('@').next().unwrap_or(&addr).to_string(),
        _ => addr,
    }
}

pub use crate::message::address::bare_address;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::presets;

    #[test]
    fn user_form_follows_the_preset() {
        let web = presets::find("webde");
        assert_eq!(user_from_address("Jo <jo@web.de>", web), "jo");
        assert_eq!(
            user_from_address("jo@gmail.com", presets::find("gmail")),
            "jo@gmail.com"
        );
    }
}
