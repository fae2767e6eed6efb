//! The TOML config model, its path, and turning flags > env > profile > preset >
//! defaults into one [`Account`]: the server settings and where the secret comes from.

use std::path::PathBuf;

use crate::model::exit_code::Code;

pub mod account;
pub mod file;
pub mod keyring;
pub mod presets;
pub mod secret;

pub use account::{Account, resolve};

/// A problem with the configuration (exit 78), or with what it names, e.g. a password
/// command that did not finish in time (temporary: exit 75, and worth queueing).
#[derive(Debug, thiserror::Error)]
#[error("{}{message}", path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
pub struct ConfigError {
    pub path: Option<PathBuf>,
    pub message: String,
    /// It may work later as it is (the same config, tried again).
    pub temporary: bool,
}

impl ConfigError {
    pub fn new(path: Option<PathBuf>, message: impl Into<String>) -> Self {
        ConfigError {
            path,
            message: message.into(),
            temporary: false,
        }
    }

    pub fn temporary(message: impl Into<String>) -> Self {
        ConfigError {
            temporary: true,
            ..ConfigError::new(None, message)
        }
    }

    pub fn exit_code(&self) -> Code {
        if self.temporary {
            Code::TempFail
        } else {
            Code::Config
        }
    }
}
