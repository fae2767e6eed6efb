//! `posta serve`'s flags.

use clap::Args;

use super::{ConnectionArgs, QueuePolicy};
use crate::model::ListenAddr;

/// Most clients served at once by default; one more is answered 421 and closed.
pub const DEFAULT_MAX_CLIENTS: u32 = 64;

/// Take mail over SMTP from local programs, and submit it through a profile
///
/// For programs that can only be given an SMTP server (Grafana, Gitea, Nextcloud, a
/// container): each message goes the way `sendmail` sends one (the profile chosen by
/// the sender, its sender policy, aliases, limits, the queue), and the reply to the end
/// of data is the outcome. Listens on loopback and Unix sockets only; any other address
/// is refused (64): posta never becomes an open relay. On SIGTERM or SIGINT it stops
/// taking connections, finishes the messages in hand, answers 421 to the rest and exits.
/// The queue is flushed in the background on its retry schedule.
#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Where to listen: 127.0.0.1:PORT, [::1]:PORT or unix:PATH (repeatable); started by
    /// a systemd socket unit, the sockets it passes are used too
    #[arg(long = "listen", value_name = "ADDR")]
    pub listen: Vec<ListenAddr>,

    /// Clients served at once; one more is answered 421 and closed
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CLIENTS,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max_clients: u32,

    /// Seconds a client may take for one command, and for one message's data
    #[arg(long, value_name = "SECONDS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub client_timeout: u64,

    /// Seconds between two runs of the queue (what is due is sent; 0: never)
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub flush_interval: u64,

    /// Which failures keep a message in the queue [default: any that is not the
    /// message's own]
    #[arg(long, value_enum, value_name = "POLICY")]
    pub queue: Option<QueuePolicy>,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}
