//! Choosing the profile and merging flags > env > profile > preset > defaults.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::ConfigError;
use super::file::{self, Loaded, Profile};
use super::presets::{self, Preset, UserForm};
use super::secret::SecretSource;
use super::{Overrides, Request};
use crate::model::{AuthMechanism, Fingerprint, QueuePolicy, Security};
use crate::secret::Secret;
use crate::smtp::{Credentials, Settings, TlsSettings};

/// Seconds to wait for connecting and for each ordinary reply.
const DEFAULT_TIMEOUT: u64 = 30;
/// RFC 5321 §4.5.3.2.6 asks clients to wait 10 minutes for the reply to the end of data.
const DATA_TIMEOUT: Duration = Duration::from_secs(600);

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
    secret: Option<SecretSource>,
}

impl Account {
    /// Fetch the secret (run the command, prompt, …) when the account logs in.
    /// Done after the message is checked so a bad message never costs a prompt.
    /// `from_address` is the message's From (or envelope sender): the login only when
    /// the account names neither a `user` nor a `from` of its own.
    pub fn load_credentials(&mut self, from_address: Option<&str>) -> Result<(), ConfigError> {
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
        self.settings.credentials = Some(Credentials {
            user,
            secret,
            token,
        });
        Ok(())
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

    /// Whether this account authenticates at all: it names a user, a secret source or a
    /// provider, or an AUTH mechanism other than `auto`.
    pub fn logs_in(&self) -> bool {
        self.user.is_some()
            || self.secret.is_some()
            || self.preset.is_some()
            || self.settings.mechanism != AuthMechanism::Auto
    }
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

/// Resolve the account for a command: the profile named, else the one whose `from`
/// matches `from_hint`, else the default, with the overrides on top.
pub fn resolve(request: &Request) -> Result<Account, ConfigError> {
    let loaded = file::load(request.config_path.as_deref())?;
    let (name, profile) = choose_profile(
        loaded.as_ref(),
        request.profile.as_deref(),
        request.from_hint.as_deref(),
    )?;
    build(loaded.as_ref(), name, profile, &request.overrides)
}

/// Resolve the account for a command that can do without one (`send --dry-run`):
/// `None` when no profile is named, matches `from` or is the default, and no --server
/// is given; otherwise what [`resolve`] gives, errors included.
pub fn resolve_if_any(request: &Request) -> Result<Option<Account>, ConfigError> {
    let loaded = file::load(request.config_path.as_deref())?;
    let (name, profile) = choose_profile(
        loaded.as_ref(),
        request.profile.as_deref(),
        request.from_hint.as_deref(),
    )?;
    if name.is_none() && request.overrides.server.is_none() {
        return Ok(None);
    }
    build(loaded.as_ref(), name, profile, &request.overrides).map(Some)
}

/// Resolve the account a queued message was submitted with: exactly the profile named
/// (its settings as they are now), or — with none — no profile at all, never the
/// config's default (which may have appeared since).
pub fn resolve_recorded(
    config: Option<&std::path::Path>,
    profile: Option<&str>,
    conn: &Overrides,
) -> Result<Account, ConfigError> {
    let loaded = file::load(config)?;
    let (name, profile) = match profile {
        Some(n) => choose_profile(loaded.as_ref(), Some(n), None)?,
        None => (None, Profile::default()),
    };
    build(loaded.as_ref(), name, profile, conn)
}

fn build(
    loaded: Option<&Loaded>,
    name: Option<String>,
    profile: Profile,
    conn: &Overrides,
) -> Result<Account, ConfigError> {
    let path = loaded.map(|l| l.path.clone());
    let err = |m: String| ConfigError::new(path.clone(), m);

    let preset = match &profile.preset {
        Some(p) => Some(presets::find(p).ok_or_else(|| {
            err(format!(
                "profile {}: unknown preset \"{p}\"; valid presets: {}",
                name.as_deref().unwrap_or("?"),
                presets::names()
            ))
        })?),
        None => None,
    };

    // The flags' values were parsed by their types (model::ServerAddr, Fingerprint).
    let flag_host = conn.server.as_ref().map(|s| s.host().to_string());
    let flag_host_port = conn.server.as_ref().and_then(|s| s.port());
    let host = flag_host
        .or_else(|| profile.host.clone())
        .or_else(|| preset.map(|p| p.host.to_string()))
        .ok_or_else(|| {
            ConfigError::new(
                path.clone(),
                "no server to send to: give --server HOST[:PORT], or add a profile \
                 (posta profile add NAME --email ADDRESS) and pick it with -p NAME",
            )
        })?;

    if profile.port == Some(0) {
        return Err(err(format!(
            "profile {}: port must be from 1 to 65535",
            name.as_deref().unwrap_or("?")
        )));
    }
    let flag_port = conn.port.or(flag_host_port);
    let flag_security = conn.security;
    let security = flag_security
        .or_else(|| flag_port.map(security_for_port))
        .or(profile.security)
        .or_else(|| profile.port.map(security_for_port))
        .or_else(|| preset.map(|p| p.security))
        .unwrap_or(Security::StartTls);
    let port = flag_port
        .or_else(|| flag_security.map(port_for_security))
        .or(profile.port)
        .or_else(|| preset.filter(|p| p.security == security).map(|p| p.port))
        .unwrap_or_else(|| port_for_security(security));

    let fingerprint = match (&conn.tls_fingerprint, &profile.tls_fingerprint) {
        (Some(pinned), _) => Some(pinned.digest()),
        (None, Some(hex)) => Some(hex.parse::<Fingerprint>().map(|f| f.digest()).map_err(
            |why| {
                err(format!(
                    "profile {}: tls_fingerprint \"{hex}\": {why}",
                    name.as_deref().unwrap_or("?")
                ))
            },
        )?),
        (None, None) => None,
    };

    let mechanism = conn.auth.or(profile.auth).unwrap_or(AuthMechanism::Auto);

    let secret = if let Some(cmd) = &conn.oauth_token_command {
        Some(SecretSource::TokenCommand(cmd.clone()))
    } else if let Some(cmd) = &conn.password_command {
        Some(SecretSource::Command(cmd.clone()))
    } else if std::env::var_os("POSTA_PASSWORD").is_some_and(|v| !v.is_empty()) {
        Some(SecretSource::Env("POSTA_PASSWORD".into()))
    } else if let Some(cmd) = &profile.oauth_token_command {
        Some(SecretSource::TokenCommand(cmd.clone()))
    } else if let (Some(true), Some(n)) = (profile.keyring, &name) {
        Some(SecretSource::Keyring(n.clone()))
    } else if let Some(cmd) = &profile.password_command {
        Some(SecretSource::Command(cmd.clone()))
    } else if let Some(var) = &profile.password_env {
        Some(SecretSource::Env(var.clone()))
    } else {
        profile
            .password
            .as_ref()
            .map(|p| SecretSource::Literal(Secret::new(p.clone())))
    };

    if secret.as_ref().is_some_and(SecretSource::is_token)
        && matches!(mechanism, AuthMechanism::Plain | AuthMechanism::Login)
    {
        return Err(err(
            "an OAuth2 token (oauth_token_command) cannot log in with AUTH PLAIN or LOGIN: \
             use auth = \"xoauth2\", \"oauthbearer\" or \"auto\""
                .into(),
        ));
    }

    let timeout = match (conn.timeout, profile.timeout) {
        (Some(0), _) => {
            return Err(ConfigError::new(
                None,
                "--timeout must be at least 1 second",
            ));
        }
        (None, Some(0)) => {
            return Err(err(format!(
                "profile {}: timeout must be at least 1 second",
                name.as_deref().unwrap_or("?")
            )));
        }
        (flag, file) => Duration::from_secs(flag.or(file).unwrap_or(DEFAULT_TIMEOUT)),
    };
    let settings = Settings {
        host,
        port,
        security,
        tls: TlsSettings {
            ca_file: conn
                .ca_file
                .clone()
                .or_else(|| in_config_dir(profile.ca_file.as_deref()?, path.as_deref())),
            fingerprint,
            insecure: conn.insecure || profile.insecure == Some(true),
        },
        helo_name: conn
            .ehlo
            .clone()
            .or_else(|| profile.ehlo.clone())
            .unwrap_or_else(default_helo_name),
        timeout,
        data_timeout: DATA_TIMEOUT.max(timeout),
        credentials: None,
        mechanism,
        allow_insecure_auth: conn.allow_insecure_auth || profile.allow_insecure_auth == Some(true),
    };
    let rate = match profile.rate.as_deref().map(str::trim) {
        Some("none") => None,
        Some(text) => Some(crate::pace::Rate::parse(text).map_err(|why| {
            err(format!(
                "profile {}: rate {why}, or \"none\"",
                name.as_deref().unwrap_or("?")
            ))
        })?),
        None => preset
            .and_then(|p| p.messages_per_minute)
            .map(crate::pace::Rate::per_minute),
    };
    let command_timeout = match profile.command_timeout {
        Some(0) => {
            return Err(err(format!(
                "profile {}: command_timeout must be at least 1 second",
                name.as_deref().unwrap_or("?")
            )));
        }
        Some(seconds) => Duration::from_secs(seconds),
        None => super::secret::DEFAULT_COMMAND_TIMEOUT,
    };
    Ok(Account {
        profile: name,
        preset,
        from: profile.from.clone(),
        config_path: path.clone(),
        settings,
        user: conn.user.clone().or_else(|| profile.user.clone()),
        log_file: profile
            .log_file
            .as_deref()
            .and_then(|p| in_config_dir(p, path.as_deref())),
        queue: profile.queue,
        queue_dir: loaded.and_then(|l| in_config_dir(l.file.queue_dir.as_deref()?, Some(&l.path))),
        daily_limit: limit(profile.daily_limit, preset.and_then(|p| p.daily_limit)).map(|l| l.0),
        per_message_limit: limit(
            profile.per_message_limit,
            preset.and_then(|p| p.per_message_limit),
        )
        .map(|l| l.0),
        rate,
        command_timeout,
        secret,
    })
}

/// Where a limit in force was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitSource {
    Profile,
    Preset,
}

/// A limit in force: the profile's value, else the preset's; a profile's 0 means
/// "no limit" and hides the preset's.
pub fn limit(profile: Option<u32>, preset: Option<u32>) -> Option<(u32, LimitSource)> {
    match profile {
        Some(0) => None,
        Some(n) => Some((n, LimitSource::Profile)),
        None => preset.map(|n| (n, LimitSource::Preset)),
    }
}

/// Pick the profile: named (-p / POSTA_PROFILE), else the one whose From matches,
/// else the file's default, else none (flags only).
fn choose_profile(
    loaded: Option<&Loaded>,
    named: Option<&str>,
    from: Option<&str>,
) -> Result<(Option<String>, Profile), ConfigError> {
    let Some(loaded) = loaded else {
        return match named {
            Some(n) => Err(ConfigError::new(
                file::default_path(),
                format!(
                    "profile \"{n}\" not found: there is no config file (add one with `posta profile add {n} --email ADDRESS`)"
                ),
            )),
            None => Ok((None, Profile::default())),
        };
    };
    let profiles = &loaded.file.profiles;
    if let Some(n) = named {
        let p = loaded.profile(n, "profile")?;
        return Ok((Some(n.to_string()), p.clone()));
    }
    if let Some(from) = from {
        let want = bare_address(from).to_ascii_lowercase();
        let mut matching = profiles.iter().filter(|(_, p)| {
            p.from
                .as_deref()
                .map(|f| bare_address(f).to_ascii_lowercase())
                == Some(want.clone())
        });
        if let (Some((n, p)), None) = (matching.next(), matching.next()) {
            return Ok((Some(n.clone()), p.clone()));
        }
    }
    if let Some(n) = &loaded.file.default {
        let p = loaded.profile(n, "default")?;
        return Ok((Some(n.clone()), p.clone()));
    }
    Ok((None, Profile::default()))
}

/// A path written in the config file: "~/x" is under the home directory, and a relative
/// path is relative to the file's own directory, not to wherever posta happens to run
/// (cron runs it in the home directory, a script anywhere).
fn in_config_dir(path: &Path, config: Option<&Path>) -> Option<PathBuf> {
    let path = expand_home(path);
    Some(match config.and_then(Path::parent) {
        Some(dir) if path.is_relative() => dir.join(path),
        _ => path,
    })
}

/// "~/x" → "$HOME/x": a log path is often written that way, and no shell expands it.
fn expand_home(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), dirs::home_dir()) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_path_buf(),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `request` with these overrides.
    fn with(request: &Request, overrides: Overrides) -> Request {
        Request {
            overrides,
            ..request.clone()
        }
    }

    fn config(text: &str) -> (tempfile::TempDir, Request) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let request = Request {
            config_path: Some(path),
            ..Request::default()
        };
        (dir, request)
    }

    #[test]
    fn preset_fills_host_port_and_security() {
        let (_d, g) =
            config("default = \"y\"\n[profiles.y]\npreset = \"yandex\"\nfrom = \"me@ya.ru\"\n");
        let a = resolve(&g).unwrap();
        assert_eq!(a.settings.host, "smtp.yandex.ru");
        assert_eq!(a.settings.port, 465);
        assert_eq!(a.settings.security, Security::Tls);
        assert!(a.logs_in());
    }

    #[test]
    fn limits_come_from_the_profile_else_the_preset_and_0_is_none() {
        let (_d, g) = config(
            "[profiles.g]\npreset = \"gmail\"\n\
             [profiles.own]\npreset = \"gmail\"\ndaily_limit = 300\nper_message_limit = 0\n\
             [profiles.bare]\nhost = \"h\"\n",
        );
        let get = |name: &str| {
            let g = Request {
                profile: Some(name.into()),
                ..g.clone()
            };
            let a = resolve(&g).unwrap();
            (a.daily_limit, a.per_message_limit)
        };
        assert_eq!(get("g"), (Some(500), Some(100)));
        assert_eq!(get("own"), (Some(300), None));
        assert_eq!(get("bare"), (None, None));
        assert_eq!(limit(Some(0), Some(5)), None);
        assert_eq!(limit(None, Some(5)), Some((5, LimitSource::Preset)));
        assert_eq!(limit(Some(7), None), Some((7, LimitSource::Profile)));
    }

    #[test]
    fn a_pace_comes_from_the_profile_else_the_preset_and_none_lifts_it() {
        let (_d, g) = config(
            "[profiles.m]\npreset = \"office365\"\n\
             [profiles.fast]\npreset = \"office365\"\nrate = \"2/s\"\n\
             [profiles.free]\npreset = \"office365\"\nrate = \"none\"\n\
             [profiles.bare]\nhost = \"h\"\n\
             [profiles.bad]\nhost = \"h\"\nrate = \"fast\"\n",
        );
        let get = |name: &str| {
            let g = Request {
                profile: Some(name.into()),
                ..g.clone()
            };
            resolve(&g).map(|a| a.rate.map(|r| r.interval))
        };
        // Microsoft 365 takes 30 messages a minute: one every 2 s.
        assert_eq!(get("m").unwrap(), Some(Duration::from_secs(2)));
        assert_eq!(get("fast").unwrap(), Some(Duration::from_millis(500)));
        assert_eq!(get("free").unwrap(), None);
        assert_eq!(get("bare").unwrap(), None);
        let err = get("bad").unwrap_err().to_string();
        assert!(
            err.contains("profile bad: rate") && err.contains("none"),
            "{err}"
        );
    }

    #[test]
    fn flags_beat_the_profile_and_security_follows_the_flag_port() {
        let (_d, g) = config("default = \"y\"\n[profiles.y]\npreset = \"gmail\"\n");
        let conn = Overrides {
            port: Some(587),
            ..Overrides::default()
        };
        let a = resolve(&with(&g, conn.clone())).unwrap();
        assert_eq!(
            (a.settings.port, a.settings.security),
            (587, Security::StartTls)
        );
        let conn = Overrides {
            security: Some(Security::StartTls),
            ..Overrides::default()
        };
        let a = resolve(&with(&g, conn.clone())).unwrap();
        assert_eq!(
            (a.settings.port, a.settings.security),
            (587, Security::StartTls)
        );
    }

    #[test]
    fn from_address_picks_the_single_matching_profile() {
        let (_d, g) = config(
            "default = \"a\"\n[profiles.a]\nhost = \"a.example\"\nfrom = \"A <a@x.org>\"\n\
             [profiles.b]\nhost = \"b.example\"\nfrom = \"b@x.org\"\n",
        );
        let a = resolve(&Request {
            from_hint: Some("Bee <B@x.org>".into()),
            ..g.clone()
        })
        .unwrap();
        assert_eq!(a.profile.as_deref(), Some("b"));
        let a = resolve(&Request {
            from_hint: Some("c@x.org".into()),
            ..g.clone()
        })
        .unwrap();
        assert_eq!(a.profile.as_deref(), Some("a"));
    }

    #[test]
    fn unknown_profile_lists_the_valid_ones() {
        let (_d, mut g) = config("[profiles.work]\nhost = \"x\"\n[profiles.home]\nhost = \"y\"\n");
        g.profile = Some("wrok".into());
        let e = resolve(&g).unwrap_err();
        assert!(e.message.contains("home, work"), "{}", e.message);
    }

    #[test]
    fn port_0_in_the_file_is_refused_naming_the_profile() {
        let (_d, g) = config("default = \"a\"\n[profiles.a]\nhost = \"x\"\nport = 0\n");
        let e = resolve(&g).unwrap_err();
        assert!(e.message.contains("profile a: port"), "{}", e.message);
        assert_eq!(e.exit_code(), crate::model::exit_code::Code::Config);
    }

    #[test]
    fn relative_paths_in_the_file_are_relative_to_its_directory() {
        let (d, g) = config(
            "queue_dir = \"spool\"\ndefault = \"a\"\n[profiles.a]\nhost = \"x\"\n\
             ca_file = \"certs/ca.pem\"\nlog_file = \"logs/posta.log\"\n",
        );
        let dir = g
            .config_path
            .as_deref()
            .unwrap()
            .parent()
            .unwrap()
            .to_path_buf();
        assert!(dir.starts_with(d.path()));
        let a = resolve(&g).unwrap();
        assert_eq!(a.settings.tls.ca_file, Some(dir.join("certs/ca.pem")));
        assert_eq!(a.log_file, Some(dir.join("logs/posta.log")));
        assert_eq!(a.queue_dir, Some(dir.join("spool")));
        // A flag's relative path stays relative to where posta runs, as any argument.
        let conn = Overrides {
            ca_file: Some("here.pem".into()),
            ..Overrides::default()
        };
        let a = resolve(&with(&g, conn.clone())).unwrap();
        assert_eq!(a.settings.tls.ca_file, Some(PathBuf::from("here.pem")));
    }

    #[test]
    fn unknown_preset_lists_the_presets() {
        let (_d, g) = config("default = \"a\"\n[profiles.a]\npreset = \"gmial\"\n");
        let e = resolve(&g).unwrap_err();
        assert!(e.message.contains("gmail, mailru, yandex"), "{}", e.message);
    }

    #[test]
    fn an_oauth_token_command_is_a_token_source_and_refuses_plain() {
        let (_d, g) = config(
            "default = \"o\"\n[profiles.o]\nhost = \"smtp.x\"\nuser = \"me@x\"\n\
             oauth_token_command = \"echo tok\"\npassword_command = \"echo pw\"\n\
             log_file = \"~/posta.log\"\n",
        );
        let mut a = resolve(&g).unwrap();
        a.load_credentials(None).unwrap();
        let creds = a.settings.credentials.as_ref().unwrap();
        assert!(creds.token);
        assert_eq!(creds.secret.expose(), "tok");
        assert_eq!(a.settings.mechanism, AuthMechanism::Auto);
        assert!(a.log_file.unwrap().ends_with("posta.log"));
        // A flag's password command beats the profile's token command.
        let conn = Overrides {
            password_command: Some("echo flagpw".into()),
            ..Overrides::default()
        };
        let mut a = resolve(&with(&g, conn.clone())).unwrap();
        a.load_credentials(None).unwrap();
        assert!(!a.settings.credentials.as_ref().unwrap().token);
        let conn = Overrides {
            auth: Some(AuthMechanism::Plain),
            ..Overrides::default()
        };
        let e = resolve(&with(&g, conn.clone())).unwrap_err();
        assert!(
            e.message.contains("cannot log in with AUTH PLAIN"),
            "{}",
            e.message
        );
    }

    #[test]
    fn the_login_is_the_user_else_the_profiles_from_else_the_messages() {
        let (_d, g) = config(
            "[profiles.from]\nhost = \"h\"\nfrom = \"Jane <jane@example.com>\"\n\
             password_command = \"echo pw\"\n\
             [profiles.user]\nhost = \"h\"\nuser = \"jd\"\nfrom = \"jane@example.com\"\n\
             [profiles.bare]\nhost = \"h\"\npassword_command = \"echo pw\"\n\
             [profiles.web]\npreset = \"webde\"\nfrom = \"Jo <jo@web.de>\"\n\
             [profiles.anon]\nhost = \"h\"\nfrom = \"jane@example.com\"\n",
        );
        let login = |name: &str, hint: Option<&str>| {
            let g = Request {
                profile: Some(name.into()),
                ..g.clone()
            };
            resolve(&g).unwrap().login_user(hint)
        };
        let alias = Some("alias@example.net");
        assert_eq!(login("from", alias).as_deref(), Some("jane@example.com"));
        assert_eq!(login("user", alias).as_deref(), Some("jd"));
        assert_eq!(login("bare", alias).as_deref(), Some("alias@example.net"));
        assert_eq!(login("bare", None), None);
        assert_eq!(login("web", alias).as_deref(), Some("jo"));
        // No user, secret, preset or mechanism: no login at all.
        assert_eq!(login("anon", alias), None);
        // An explicit mechanism is a login.
        let conn = Overrides {
            auth: Some(AuthMechanism::Login),
            ..Overrides::default()
        };
        let anon = Request {
            profile: Some("anon".into()),
            ..g.clone()
        };
        let a = resolve(&with(&anon, conn.clone())).unwrap();
        assert_eq!(a.login_user(alias).as_deref(), Some("jane@example.com"));
        let auto = Overrides {
            auth: Some(AuthMechanism::Auto),
            ..Overrides::default()
        };
        assert_eq!(
            resolve(&with(&anon, auto.clone()))
                .unwrap()
                .login_user(alias),
            None
        );

        // load_credentials goes by the same rule.
        let g = Request {
            profile: Some("from".into()),
            ..g.clone()
        };
        let mut a = resolve(&g).unwrap();
        a.load_credentials(alias).unwrap();
        let creds = a.settings.credentials.as_ref().unwrap();
        assert_eq!(creds.user, "jane@example.com");
    }

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
