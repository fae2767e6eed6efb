//! The server side of SMTP, for programs that speak SMTP to posta: `sendmail -bs`
//! (the dialogue on stdin/stdout, what Symfony Mailer and Laravel use) and `posta
//! serve` (on loopback and Unix sockets).
//!
//! - `dialogue.rs`: the state machine over any reader and writer, bounded in line
//!   length, recipients, size and time; each message to a [`Handler`].
//! - `command.rs`: one command line into a [`command::Command`]; `reply.rs`: what is
//!   written back; `data.rs`: the message after DATA, dot-unstuffed, as a reader.
//! - `server.rs`: `posta serve`'s listeners, a thread per client up to a cap, the
//!   graceful stop; `socket.rs`: a socket's deadlines and its peer's user.
//! - `submitter.rs`: the [`Handler`] that takes each message down the one submission
//!   path (`submit::finished`, as sendmail mode does) and answers with its outcome.
//! - `warm.rs`: `posta serve`'s idle upstream sessions, one per login, that the next
//!   message reuses within a few seconds (the submitter's transport).

pub mod command;
pub mod data;
pub mod dialogue;
pub mod inherited;
pub mod reply;
pub mod server;
pub mod socket;
pub mod submitter;
#[cfg(test)]
mod tests;
pub mod warm;

pub use dialogue::{End, Handler, Limits, NoTimer, Setup, Timer, Transaction, converse};
pub use reply::Answer;
pub use submitter::{Event, Submitter};
