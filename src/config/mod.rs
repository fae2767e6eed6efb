//! The TOML config model, its path, and turning flags > env > profile > preset >
//! defaults into one [`Account`]: the server settings and where the secret comes from.

use std::path::PathBuf;

use crate::exit::Code;

pub mod account;
pub mod file;
pub mod keyring;
pub mod presets;
pub mod secret;

pub use account::{Account, resolve};

/// A problem with the configuration (exit 78).
#[derive(Debug, thiserror::Error)]
#[error("{}{message}", path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
pub struct ConfigError {
    pub path: Option<PathBuf>,
    pub message: String,
}

impl ConfigError {
    pub fn new(path: Option<PathBuf>, message: impl Into<String>) -> Self {
        ConfigError {
            path,
            message: message.into(),
        }
    }

    pub fn exit_code(&self) -> Code {
        Code::Config
    }
}
