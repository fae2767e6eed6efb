//! posta: a command-line mail submission client.
//!
//! The layers, top to bottom; each imports only from those below it (docs/architecture.md
//! has the picture and the rule for new code):
//!
//! - `main` (the binary): argv → `cli` → `cmd::run` → a `Report` it prints, or an error
//!   it turns into an exit code with `report`. The only place that prints and exits.
//! - `cmd`: one module per verb, glue only; no verb imports another.
//! - `cli`: clap's definitions and sendmail's own flag syntax; flags → `config::Overrides`.
//! - `listen`: the server side of SMTP (`sendmail -bs`, `posta serve`): a dialogue over
//!   any reader and writer, each message handed to `submit::finished`.
//! - `submit`: the one path from an account and a message to `Delivery::{Sent, Partly, Queued}`
//!   or an error: credentials, SMTP, the queue policy, the ledger, the submission log.
//! - `report`: an error chain → exit code and words (the domains' error types only).
//! - `config`: the TOML model, precedence, presets, secret sources, file editing.
//! - `oauth`: OAuth 2.0 logins, the token store and refresh (the only HTTP client).
//! - the domains: `smtp` (the client session, over a `Wire`), `message` (composing and
//!   reading messages), `queue` (the durable spool), `dns` (SRV discovery), `imap`
//!   (APPEND of the copy in Sent, over its own `Wire`; smtp's TLS client), and
//!   `progress` (the bars on stderr, around an `smtp::Payload`).
//! - leaves: `model` (Security, AuthMechanism, QueuePolicy, ServerAddr, Fingerprint/Pins,
//!   exit codes), `envelope`, `secret`, `private_fs`, `pace`, `version`.

pub mod cli;
pub mod cmd;
pub mod config;
pub mod dns;
pub mod envelope;
#[doc(hidden)]
pub mod fuzzing;
pub mod imap;
pub mod listen;
pub mod message;
pub mod model;
pub mod oauth;
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
