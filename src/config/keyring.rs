//! The OS keyring: one password per profile, under service "posta" and the profile's
//! name as the user (Linux: the Secret Service over D-Bus, e.g. gnome-keyring or
//! KeePassXC; macOS: the Keychain; Windows: the Credential Manager).
//!
//! Every call runs on a helper thread with a time limit: a Secret Service that never
//! answers (a bus with a dead daemon, an unlock prompt nobody can see) must end in an
//! error, never a hang.

use std::sync::mpsc;
use std::time::Duration;

use super::ConfigError;
use crate::secret::Secret;

/// The service name every posta entry is stored under.
pub const SERVICE: &str = "posta";

/// How long one keyring call may take. Long enough for a person to answer a desktop
/// unlock dialog, short enough that a script under cron does not sit forever.
const LIMIT: Duration = Duration::from_secs(60);

/// The other places a password can come from, for errors that must name them.
pub const OTHER_SOURCES: &str = "password_command, password_env or a literal password \
     (in a 0600 file) in the profile, POSTA_PASSWORD, --password-command, or a prompt on a terminal";

/// The password stored for `profile`.
pub fn get(profile: &str) -> Result<Secret, ConfigError> {
    let p = profile.to_string();
    match with_limit(move || entry(&p)?.get_password()) {
        Ok(pw) => Ok(Secret::new(pw)),
        Err(Failure::Keyring(keyring::Error::NoEntry)) => Err(ConfigError::new(
            None,
            format!(
                "profile {profile} has keyring = true, but the keyring holds no password for it \
                 (service \"{SERVICE}\", user \"{profile}\"); store one with `posta password set {profile}`"
            ),
        )),
        Err(e) => Err(e.into_config_error("read the password from")),
    }
}

/// Whether the keyring answers at all (a stored password or none are both fine), so
/// that nobody types a password only to learn it cannot be kept.
pub fn check(profile: &str) -> Result<(), ConfigError> {
    let p = profile.to_string();
    match with_limit(move || entry(&p)?.get_password().map(drop)) {
        Ok(()) | Err(Failure::Keyring(keyring::Error::NoEntry)) => Ok(()),
        Err(e) => Err(e.into_config_error("use")),
    }
}

/// Store `secret` for `profile`, replacing any earlier one.
pub fn set(profile: &str, secret: &Secret) -> Result<(), ConfigError> {
    let p = profile.to_string();
    let s = secret.clone();
    with_limit(move || entry(&p)?.set_password(s.expose()))
        .map_err(|e| e.into_config_error("store the password in"))
}

/// Delete the password stored for `profile`. `Ok(false)` when there was none.
pub fn delete(profile: &str) -> Result<bool, ConfigError> {
    let p = profile.to_string();
    match with_limit(move || entry(&p)?.delete_credential()) {
        Ok(()) => Ok(true),
        Err(Failure::Keyring(keyring::Error::NoEntry)) => Ok(false),
        Err(e) => Err(e.into_config_error("delete the password from")),
    }
}

fn entry(profile: &str) -> keyring::Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, profile)
}

/// The keyring entry of a profile's OAuth tokens (`posta auth login`): service "posta",
/// user "oauth:PROFILE", apart from the profile's password.
#[derive(Debug)]
pub struct TokenVault {
    user: String,
}

impl TokenVault {
    pub fn new(profile: &str) -> Self {
        TokenVault {
            user: format!("oauth:{profile}"),
        }
    }

    fn error(&self, e: Failure, doing: &str) -> crate::oauth::OAuthError {
        let why = match e {
            Failure::TimedOut => format!("no answer within {} seconds", LIMIT.as_secs()),
            Failure::Keyring(e) => describe(&e),
        };
        crate::oauth::OAuthError::io(format!(
            "cannot {doing} the OAuth login in the OS keyring: {why}; token_store = \"file\" \
             keeps it in a private file instead"
        ))
    }
}

impl crate::oauth::Vault for TokenVault {
    fn get(&self) -> Result<Option<Secret>, crate::oauth::OAuthError> {
        let user = self.user.clone();
        match with_limit(move || entry(&user)?.get_password()) {
            Ok(text) => Ok(Some(Secret::new(text))),
            Err(Failure::Keyring(keyring::Error::NoEntry)) => Ok(None),
            Err(e) => Err(self.error(e, "read")),
        }
    }

    fn set(&self, value: &Secret) -> Result<(), crate::oauth::OAuthError> {
        let (user, value) = (self.user.clone(), value.clone());
        with_limit(move || entry(&user)?.set_password(value.expose()))
            .map_err(|e| self.error(e, "store"))
    }

    fn delete(&self) -> Result<bool, crate::oauth::OAuthError> {
        let user = self.user.clone();
        match with_limit(move || entry(&user)?.delete_credential()) {
            Ok(()) => Ok(true),
            Err(Failure::Keyring(keyring::Error::NoEntry)) => Ok(false),
            Err(e) => Err(self.error(e, "delete")),
        }
    }

    fn describe(&self) -> String {
        format!(
            "the OS keyring (service \"{SERVICE}\", user \"{}\")",
            self.user
        )
    }
}

enum Failure {
    Keyring(keyring::Error),
    TimedOut,
}

impl Failure {
    fn into_config_error(self, doing: &str) -> ConfigError {
        let why = match self {
            Failure::TimedOut => format!(
                "the keyring did not answer within {} seconds (is it locked, waiting for an unlock \
                 dialog?)",
                LIMIT.as_secs()
            ),
            Failure::Keyring(e) => describe(&e),
        };
        ConfigError::new(
            None,
            format!(
                "cannot {doing} the OS keyring: {why}; other password sources: {OTHER_SOURCES}"
            ),
        )
    }
}

/// Say what went wrong in words a user can act on; the library's own words follow.
fn describe(e: &keyring::Error) -> String {
    let detail = match e {
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            inner.to_string()
        }
        other => other.to_string(),
    };
    if cfg!(target_os = "linux") && detail.to_ascii_lowercase().contains("no result found") {
        // What the Secret Service answers when it has no default collection to store in.
        return format!(
            "the Secret Service has no default keyring (collection); create one, e.g. with \
             Seahorse or `gnome-keyring-daemon --unlock` ({detail})"
        );
    }
    if cfg!(target_os = "linux") && no_secret_service(&detail) {
        return format!(
            "no Secret Service is running on this session's D-Bus (start gnome-keyring, KeePassXC \
             or another Secret Service provider, or check DBUS_SESSION_BUS_ADDRESS) ({detail})"
        );
    }
    detail
}

fn no_secret_service(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    [
        "dbus",
        "d-bus",
        "org.freedesktop.secrets",
        "serviceunknown",
        "service unknown",
        "autolaunch",
        "no such file",
        "connection refused",
    ]
    .iter()
    .any(|k| d.contains(k))
}

fn with_limit<T: Send + 'static>(
    f: impl FnOnce() -> keyring::Result<T> + Send + 'static,
) -> Result<T, Failure> {
    let (tx, rx) = mpsc::channel();
    // Detached: if it never returns, the process exits past it.
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(LIMIT) {
        Ok(r) => r.map_err(Failure::Keyring),
        Err(_) => Err(Failure::TimedOut),
    }
}
