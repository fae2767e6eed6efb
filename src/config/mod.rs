//! The TOML config model, its path, and turning flags > env > profile > preset >
//! defaults into one [`Account`]: the server settings and where the secret comes from.
//!
//! It never sees clap: a command hands it a [`Request`] of plain values (the flags
//! arrive as [`Overrides`], mapped in `cli`).

use std::path::PathBuf;

use crate::model::exit_code::Code;

pub mod account;
pub mod aliases;
pub mod edit;
pub mod file;
#[cfg(feature = "keyring")]
pub mod keyring;
/// Without the cargo feature "keyring", the same functions, each a config error.
#[cfg(not(feature = "keyring"))]
#[path = "no_keyring.rs"]
pub mod keyring;
pub mod overrides;
pub mod presets;
mod resolve;
pub mod secret_source;

pub use account::{Account, SaveSent};
pub use overrides::Overrides;
pub use resolve::{
    LimitSource, limit, resolve, resolve_if_any, resolve_recorded, weakened_by_recorded,
};

/// What a command asks [`resolve`] for: which config file and profile, the message's
/// From (which picks a profile whose `from` matches when none is named), and the
/// connection values that beat the profile.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Request {
    /// The config file named (-c, POSTA_CONFIG); `None`: the default path.
    pub config_path: Option<PathBuf>,
    /// The profile named (-p, POSTA_PROFILE); `None`: the one whose `from` matches
    /// `from_hint`, else the config's default.
    pub profile: Option<String>,
    /// The message's author or envelope sender, as given (--from, -f, the From header).
    pub from_hint: Option<String>,
    pub overrides: Overrides,
}

/// A problem with the configuration (exit 78), or with what it names, e.g. a password
/// command that did not finish in time (temporary: exit 75, and worth queueing).
#[derive(Debug, thiserror::Error)]
#[error("{}{message}", path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
pub struct ConfigError {
    pub path: Option<PathBuf>,
    pub message: String,
    /// It may work later as it is (the same config, tried again).
    pub temporary: bool,
    /// An authentication that was refused (an OAuth login no longer valid): exit 77.
    pub refused: bool,
}

impl ConfigError {
    pub fn new(path: Option<PathBuf>, message: impl Into<String>) -> Self {
        ConfigError {
            path,
            message: message.into(),
            temporary: false,
            refused: false,
        }
    }

    pub fn temporary(message: impl Into<String>) -> Self {
        ConfigError {
            temporary: true,
            ..ConfigError::new(None, message)
        }
    }

    /// An OAuth failure as a config error of the same exit code.
    pub fn from_oauth(e: crate::oauth::OAuthError) -> Self {
        ConfigError {
            temporary: e.is_temporary(),
            refused: e.code == Code::NoPerm,
            ..ConfigError::new(None, e.message)
        }
    }

    pub fn exit_code(&self) -> Code {
        if self.refused {
            Code::NoPerm
        } else if self.temporary {
            Code::TempFail
        } else {
            Code::Config
        }
    }
}
