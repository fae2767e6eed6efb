//! posta: a command-line mail submission client.
//!
//! Data flows one way: `cli` → `cmd::<verb>` → `config` (the account) and `message`
//! (the bytes and envelope) → `smtp::submit` → an outcome that only `main` prints.
//! Under them all, `model` is the shared vocabulary (Security, AuthMechanism, exit
//! codes, …) and imports nothing from the crate; at the top, `report` turns an error
//! chain into an exit code and words.

pub mod cli;
pub mod cmd;
pub mod config;
pub mod dns;
pub mod envelope;
#[doc(hidden)]
pub mod fuzzing;
pub mod message;
pub mod model;
pub mod pace;
pub mod private_fs;
pub mod progress;
pub mod queue;
pub mod regular_file;
pub mod report;
pub mod secret;
pub mod smtp;
pub mod submit;
pub mod version;
