//! The TOML model of the config file and reading it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ConfigError;
use crate::model::{AuthMechanism, Protocol, QueuePolicy, Security};

/// The whole config file.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Profile used when none is named.
    pub default: Option<String>,
    /// The spool for messages waiting for a retry [default: $XDG_DATA_HOME/posta/queue].
    pub queue_dir: Option<PathBuf>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// One named account. Every field is optional: a preset or the defaults fill the rest.
/// A key that takes a string or an array of strings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn items(&self) -> &[String] {
        match self {
            OneOrMany::One(one) => std::slice::from_ref(one),
            OneOrMany::Many(many) => many,
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub preset: Option<String>,
    /// A host name or address; or "unix:PATH", a Unix socket.
    pub host: Option<String>,
    pub port: Option<u16>,
    pub security: Option<Security>,
    /// "smtp", or "lmtp" for a delivery agent [default: smtp].
    pub protocol: Option<Protocol>,
    /// A SOCKS5 proxy, "socks5://[USER@]HOST:PORT" or "socks5h://…" (the proxy
    /// resolves the server's name).
    /// Parsed by `resolve` (a text with a password in it must not be quoted back).
    pub proxy: Option<String>,
    /// Shell command whose first output line is the proxy's password.
    pub proxy_password_command: Option<String>,
    /// Name of an environment variable holding the proxy's password.
    pub proxy_password_env: Option<String>,
    /// A file whose first line is the proxy's password (private, as `password_file`).
    pub proxy_password_file: Option<PathBuf>,
    pub user: Option<String>,
    pub auth: Option<AuthMechanism>,
    /// Default From, e.g. "Jane Doe <jane@example.com>"; also what picks this profile.
    pub from: Option<String>,
    /// Shell command whose first output line is the password.
    pub password_command: Option<String>,
    /// Seconds a password or token command may run when posta has no terminal (cron,
    /// a program piping to sendmail); with one, no limit [default: 120].
    pub command_timeout: Option<u64>,
    /// Shell command whose first output line is a fresh OAuth2 access token (for
    /// `auth = "xoauth2" | "oauthbearer" | "auto"`); run before every login.
    pub oauth_token_command: Option<String>,
    /// Name of an environment variable holding the password.
    pub password_env: Option<String>,
    /// A file whose first line is the password: private to its owner (0600), or
    /// readable by its group only (0640) when the members of that group may send
    /// (a system-wide profile shared by the users of a `posta` group).
    pub password_file: Option<PathBuf>,
    /// A literal password: only accepted when the file is private (0600).
    pub password: Option<String>,
    /// Read the password from the OS keyring.
    pub keyring: Option<bool>,
    pub ca_file: Option<PathBuf>,
    /// The client certificate and its key (PEM); relative to the config file's folder.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// The passphrase of an encrypted tls_key: a command, a variable, a file.
    pub tls_key_password_command: Option<String>,
    pub tls_key_password_env: Option<String>,
    pub tls_key_password_file: Option<PathBuf>,
    /// One pin, or an array of them (any one may match); parsed in resolve, which
    /// blames the profile for a bad one.
    pub tls_fingerprint: Option<OneOrMany>,
    /// Seconds.
    pub timeout: Option<u64>,
    pub ehlo: Option<String>,
    pub allow_insecure_auth: Option<bool>,
    pub insecure: Option<bool>,
    /// Send with BDAT when the server offers CHUNKING (RFC 3030); `false`: always
    /// DATA, for a server whose CHUNKING is broken [default: true].
    pub chunking: Option<bool>,
    /// Append one line per submission to this file (`~/` is the home directory).
    pub log_file: Option<PathBuf>,
    /// aliases(5) file for envelope recipients without a domain (`root`, cron's
    /// default) in sendmail mode.
    pub aliases: Option<PathBuf>,
    /// sendmail mode: `profile` makes MAIL FROM the profile's `from` whatever `-f`/`-r`
    /// or the From header say [default: auto].
    pub envelope_from: Option<EnvelopeFrom>,
    /// sendmail mode: `rewrite` also replaces a From whose address is not the
    /// profile's (the provider would refuse it) [default: add, only when missing].
    pub from_header: Option<FromHeader>,
    /// "never" or "on-temporary-failure" [default: never for `send`, on-temporary-failure
    /// in sendmail mode].
    pub queue: Option<QueuePolicy>,
    /// Recipients this account may send to in a rolling 24 hours; `posta queue flush`
    /// keeps under it. 0: no limit, even where the preset has one
    /// [default: the preset's, where the provider publishes one].
    #[serde(default, deserialize_with = "recipients")]
    pub daily_limit: Option<u32>,
    /// Recipients in one message: more is refused before connecting. 0: no limit
    /// [default: the preset's].
    #[serde(default, deserialize_with = "recipients")]
    pub per_message_limit: Option<u32>,
    /// `posta batch` starts at most this many messages through this profile, e.g.
    /// "30/m" or "2/s"; "none": no pace, even where the preset has one
    /// [default: the preset's, where the provider publishes one].
    pub rate: Option<String>,
    /// Save a copy of each sent message in the account's Sent folder over IMAP
    /// [default: on when an IMAP server is known (imap_server, or the preset's),
    /// off for providers that file a copy themselves: Gmail, Outlook, Microsoft 365].
    pub save_sent: Option<bool>,
    /// The IMAP server for the copy in Sent, "HOST[:PORT]" [default: the preset's].
    pub imap_server: Option<String>,
    /// "tls" or "starttls" [default: from the port, 993 → tls, any other → starttls;
    /// no port: tls on 993].
    pub imap_security: Option<Security>,
    /// The IMAP login, when it is not the SMTP one (the secret is the same).
    pub imap_user: Option<String>,
    /// The folder for the copy [default: the one the server marks \Sent (RFC 6154),
    /// else "Sent"].
    pub sent_folder: Option<String>,
    /// OAuth 2.0 built in (`posta auth login`): the client id registered at the provider.
    pub oauth2_client_id: Option<String>,
    /// Only where the provider insists on one (Google's "Desktop app"); never a flag.
    pub oauth2_client_secret: Option<String>,
    /// Where the endpoints are found (RFC 8414 / OpenID discovery); beats the preset's.
    pub oauth2_issuer: Option<String>,
    pub oauth2_auth_url: Option<String>,
    pub oauth2_token_url: Option<String>,
    pub oauth2_device_url: Option<String>,
    pub oauth2_revoke_url: Option<String>,
    /// [default: the preset's]
    pub oauth2_scopes: Option<Vec<String>>,
    /// Where `posta auth login` keeps the tokens [default: keyring].
    pub token_store: Option<TokenStore>,
}

/// Where a profile's OAuth tokens are kept (the profile key `token_store`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenStore {
    /// The OS keyring: service "posta", user "PROFILE (oauth)".
    #[default]
    Keyring,
    /// A private file, $XDG_DATA_HOME/posta/oauth/PROFILE.json (0600).
    File,
}

/// A recipient count; the error says what is expected in words, not "u32".
fn recipients<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    struct Count;
    const EXPECTED: &str = "a number of recipients from 0 (no limit) to 4294967295";
    impl serde::de::Visitor<'_> for Count {
        type Value = u32;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(EXPECTED)
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<u32, E> {
            u32::try_from(v)
                .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(v), &EXPECTED))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<u32, E> {
            u32::try_from(v)
                .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &EXPECTED))
        }
    }
    d.deserialize_u32(Count).map(Some)
}

/// A loaded config file and where it came from.
#[derive(Debug)]
pub struct Loaded {
    pub path: PathBuf,
    pub file: ConfigFile,
}

impl Loaded {
    /// The named profile, or an error naming the valid ones. `what` says where the
    /// name came from ("profile", "default"; empty for a name the user typed as such).
    pub fn profile(&self, name: &str, what: &str) -> Result<&Profile, ConfigError> {
        self.file.profiles.get(name).ok_or_else(|| {
            let valid: Vec<&str> = self.file.profiles.keys().map(String::as_str).collect();
            // `-p a,b,c` is a list only where messages can be shared: say so.
            let list = if name.contains(',') && !self.file.profiles.contains_key(name) {
                "; a list of profiles (-p a,b) is for `posta batch` only"
            } else {
                ""
            };
            let valid = if valid.is_empty() {
                "none".to_string()
            } else {
                valid.join(", ")
            };
            let missing = if what == "default" {
                format!("default = \"{name}\" names no profile")
            } else {
                format!("no profile named \"{name}\"")
            };
            ConfigError::new(
                Some(self.path.clone()),
                format!("{missing} (valid profiles: {valid}){list}"),
            )
        })
    }
}

/// The default path: `$XDG_CONFIG_HOME/posta/config.toml`.
pub fn default_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("posta").join("config.toml"))
}

/// Whose address MAIL FROM is in sendmail mode (the profile key `envelope_from`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EnvelopeFrom {
    /// `-f`/`-r`, else the profile's `from`, else the message's From.
    #[default]
    Auto,
    /// Always the profile's `from` (what a provider that checks the sender wants).
    Profile,
}

/// What sendmail mode does with the message's From (the profile key `from_header`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FromHeader {
    /// Add one (the profile's `from`, with its display name) only when missing.
    #[default]
    Add,
    /// Also replace a From whose address is not the profile's.
    Rewrite,
}

/// The system-wide config, read by a user who has none of their own (a cron job of
/// any user, PHP as `www-data`): `/etc/posta/config.toml`, or `$POSTA_SYSTEM_CONFIG`.
pub fn system_path() -> PathBuf {
    std::env::var_os("POSTA_SYSTEM_CONFIG")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/etc/posta/config.toml"))
}

/// Read the config. An explicitly named file must exist; without one, the user's
/// default file, else the system-wide one, may be absent.
pub fn load(explicit: Option<&Path>) -> Result<Option<Loaded>, ConfigError> {
    let (path, must_exist) = match explicit {
        Some(p) => (p.to_path_buf(), true),
        None => match default_path().filter(|p| p.exists()) {
            Some(p) => (p, false),
            None => {
                let system = system_path();
                if !system.exists() {
                    return Ok(None);
                }
                check_system_file_trusted(&system)?;
                (system, false)
            }
        },
    };
    let text = match read_text(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => return Ok(None),
        Err(e) => {
            return Err(ConfigError::new(
                Some(path),
                format!("cannot read: {}", crate::model::exit_code::io_text(&e)),
            ));
        }
    };
    let file = parse(&text).map_err(|m| ConfigError::new(Some(path.clone()), m))?;
    check_private_if_it_holds_passwords(&path, &file)?;
    Ok(Some(Loaded { path, file }))
}

/// The largest config file posta reads: a config is a few KiB, and `-c /dev/zero` or a
/// runaway file must not be read until memory runs out.
pub const MAX_CONFIG: u64 = 1 << 20;

/// The text of a config file: a regular file (a FIFO would hang, a device never end),
/// at most [`MAX_CONFIG`] octets, UTF-8.
pub fn read_text(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let too_big = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "larger than {} KiB, which no config is (is this the right file?)",
                MAX_CONFIG >> 10
            ),
        )
    };
    let file = crate::regular_file::open(path)?;
    if file.metadata()?.len() > MAX_CONFIG {
        return Err(too_big());
    }
    let mut text = String::new();
    file.take(MAX_CONFIG + 1).read_to_string(&mut text)?;
    if text.len() as u64 > MAX_CONFIG {
        return Err(too_big());
    }
    Ok(text)
}

/// Parse config text; the error names the line and the valid choices (toml + serde say both).
pub fn parse(text: &str) -> Result<ConfigFile, String> {
    toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())
}

/// A literal password in a file others can read is refused, as msmtp does.
fn check_private_if_it_holds_passwords(path: &Path, file: &ConfigFile) -> Result<(), ConfigError> {
    if !file.profiles.values().any(|p| p.password.is_some()) {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| ConfigError::new(Some(path.to_path_buf()), format!("cannot stat: {e}")))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(ConfigError::new(
                Some(path.to_path_buf()),
                format!(
                    "holds a password but is readable by others (mode {:o}); run: chmod 600 {}",
                    mode & 0o777,
                    path.display()
                ),
            ));
        }
    }
    Ok(())
}

/// A system-wide config is read by every user's posta: it is trusted only when no one
/// but root (or the user running posta) could have written it — owned by root or by
/// this user, and writable by neither group nor others — for it names the commands
/// posta runs and the server it hands passwords to.
fn check_system_file_trusted(path: &Path) -> Result<(), ConfigError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).map_err(|e| {
            ConfigError::new(
                Some(path.to_path_buf()),
                format!("cannot read: {}", crate::model::exit_code::io_text(&e)),
            )
        })?;
        let owner_ok = meta.uid() == 0 || Some(meta.uid()) == current_uid();
        let writable_by_others = meta.mode() & 0o022 != 0;
        if !owner_ok || writable_by_others {
            return Err(ConfigError::new(
                Some(path.to_path_buf()),
                format!(
                    "the system-wide config is not trusted (owner uid {uid}, mode {mode:o}): it \
                     must be owned by root and writable by nobody else; run: chown root {p} && \
                     chmod go-w {p}",
                    uid = meta.uid(),
                    mode = meta.mode() & 0o7777,
                    p = path.display()
                ),
            ));
        }
    }
    Ok(())
}

/// The effective user id of this process, where it can be had without `unsafe`.
#[cfg(unix)]
fn current_uid() -> Option<u32> {
    #[cfg(target_os = "linux")]
    {
        Some(rustix::process::geteuid().as_raw())
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_the_line_and_the_choices() {
        let err = parse("[profiles.a]\nhost = \"x\"\nprot = 25\n").unwrap_err();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("unknown field `prot`"), "{err}");
        assert!(err.contains("`port`"), "{err}");
    }

    #[test]
    fn queue_policy_and_dir_parse_and_typos_are_refused() {
        let f = parse(
            "queue_dir = \"/var/spool/posta\"\n[profiles.a]\nqueue = \"on-temporary-failure\"\n",
        )
        .unwrap();
        assert_eq!(f.queue_dir.as_deref(), Some(Path::new("/var/spool/posta")));
        assert_eq!(f.profiles["a"].queue, Some(QueuePolicy::OnTemporaryFailure));
        let err = parse("[profiles.a]\nqueue = \"always\"\n").unwrap_err();
        assert!(
            err.contains("never") && err.contains("on-temporary-failure"),
            "{err}"
        );
        assert!(parse("[profiles.a]\nqueue_policy = \"never\"\n").is_err());
    }

    #[test]
    fn limits_parse_and_bad_ones_name_the_line() {
        let f = parse("[profiles.a]\ndaily_limit = 450\nper_message_limit = 0\n").unwrap();
        assert_eq!(f.profiles["a"].daily_limit, Some(450));
        assert_eq!(f.profiles["a"].per_message_limit, Some(0));
        let err = parse("[profiles.a]\nhost = \"x\"\ndaily_limt = 5\n").unwrap_err();
        assert!(
            err.contains("line 3") && err.contains("`daily_limit`"),
            "{err}"
        );
        for bad in ["-1", "\"500\"", "4294967296", "1.5"] {
            let err = parse(&format!("[profiles.a]\n\ndaily_limit = {bad}\n")).unwrap_err();
            assert!(err.contains("line 3"), "{bad}: {err}");
            assert!(err.contains("a number of recipients"), "{bad}: {err}");
        }
    }

    #[test]
    fn bad_security_lists_the_valid_values() {
        let err = parse("[profiles.a]\nsecurity = \"tsl\"\n").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("starttls") && err.contains("plain"), "{err}");
    }

    #[test]
    fn a_full_profile_parses() {
        let f = parse(
            "default = \"work\"\n[profiles.work]\nhost = \"smtp.example.com\"\nport = 2525\n\
             security = \"starttls\"\nuser = \"jane\"\nauth = \"login\"\n",
        )
        .unwrap();
        let p = &f.profiles["work"];
        assert_eq!(f.default.as_deref(), Some("work"));
        assert_eq!(p.port, Some(2525));
        assert_eq!(p.security, Some(Security::StartTls));
        assert_eq!(p.auth, Some(AuthMechanism::Login));
    }

    #[cfg(unix)]
    #[test]
    fn a_readable_file_with_a_password_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[profiles.a]\npassword = \"x\"\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = load(Some(&path)).unwrap_err();
        assert!(err.message.contains("chmod 600"), "{}", err.message);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(load(Some(&path)).unwrap().is_some());
    }
}

#[cfg(test)]
mod sample_tests {
    #[test]
    fn the_shipped_sample_config_parses() {
        let text = include_str!("../../config.sample.toml");
        let file = super::parse(text).expect("config.sample.toml parses");
        assert_eq!(file.default.as_deref(), Some("personal"));
        assert_eq!(file.profiles.len(), 4);
    }
}
