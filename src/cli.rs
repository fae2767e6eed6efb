//! Every clap definition: the single source for parsing, help, completions and man pages.
//! Nothing here reads files or the network. The flags leave here as plain values:
//! `GlobalArgs::request` and `From<&ConnectionArgs>` make the `config::Request` and
//! `config::Overrides` that `config` resolves (it never sees a clap type).

pub mod argv;
mod attach;
mod auth;
pub use attach::{AttachOptions, from_matches};
pub use auth::{AuthCommand, PasswordCommand};
mod connection;
pub use connection::{ConnectionArgs, MAX_CONNECTIONS};
mod send;
pub use send::SendArgs;
pub mod sendmail;
mod serve;
pub use serve::ServeArgs;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// posta: compose and submit mail from the command line, or stand in for sendmail.
#[derive(Debug, Parser)]
#[command(name = "posta", version = crate::version::LONG, about, long_about = None)]
#[command(propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// The options every command takes (before or after the command's name); long help
/// shows them under their own heading, after the command's own.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]
    #[arg(
        short = 'c',
        long,
        global = true,
        env = "POSTA_CONFIG",
        value_name = "PATH"
    )]
    pub config: Option<PathBuf>,

    /// Account profile to use [default: the one whose from is the message's From, else
    /// the config's `default`]
    #[arg(
        short = 'p',
        long,
        visible_alias = "account",
        global = true,
        env = "POSTA_PROFILE",
        value_name = "PROFILE"
    )]
    pub profile: Option<String>,

    /// Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes
    #[arg(short = 'v', long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Print nothing but errors
    #[arg(short = 'q', long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print one JSON object on stdout describing the outcome
    #[arg(long, global = true)]
    pub json: bool,
}

/// The help of a PROFILE argument naming an existing profile; the zsh completion finds
/// these arguments by it (cmd/completions.rs).
pub const PROFILE_NAME_HELP: &str = "The profile's name in the config file";

/// `-p`'s help under `posta batch`, which alone takes a list.
const BATCH_PROFILE_HELP: &str = "Account profile to use, or a list a,b,c of profiles that \
share the messages [default: the config's `default`]";

/// The command line as clap sees it, with what derive cannot say per subcommand (`-p`
/// takes a list under `batch` only). Parsing, help, completions and man pages all use
/// this, not `Cli::command()`.
pub fn command() -> clap::Command {
    let cmd = <Cli as clap::CommandFactory>::command();
    // A subcommand that has an argument of a global's id keeps its own (clap does not
    // copy the global over it); still global, its value reaches `GlobalArgs` as usual.
    let profile = cmd
        .get_arguments()
        .find(|a| a.get_id() == "profile")
        .cloned()
        .expect("GlobalArgs has --profile");
    cmd.mut_subcommand("batch", |batch| batch.arg(profile.help(BATCH_PROFILE_HELP)))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Send(Box<SendArgs>),
    Sendmail(SendmailArgs),
    Serve(ServeArgs),
    Batch(BatchArgs),
    #[command(subcommand)]
    Profile(ProfileCommand),
    #[command(subcommand)]
    Password(PasswordCommand),
    #[command(subcommand)]
    Auth(AuthCommand),
    Probe(ProbeArgs),
    #[command(subcommand)]
    Queue(QueueCommand),
    Completions(CompletionsArgs),
    Man(ManArgs),
}

pub use crate::model::{AuthMechanism, DsnRet, Protocol, QueuePolicy, Security};

impl GlobalArgs {
    /// Where a message submitted with these options comes from, as the queue records
    /// it: the config file and the connection flags.
    pub fn origin(&self, conn: &ConnectionArgs) -> crate::submit::Origin {
        crate::submit::Origin {
            config: self.config.clone(),
            overrides: conn.into(),
        }
    }

    /// What to ask `config::resolve` for: this config file and profile, the message's
    /// From (`from_hint`, e.g. --from) and the connection flags.
    pub fn request(
        &self,
        conn: &ConnectionArgs,
        from_hint: Option<&str>,
    ) -> crate::config::Request {
        crate::config::Request {
            config_path: self.config.clone(),
            profile: self.profile.clone(),
            from_hint: from_hint.map(str::to_string),
            overrides: conn.into(),
        }
    }
}

/// Send many finished messages over one connection (or a few), each like `sendmail -t`.
///
/// Each SOURCE is a directory of .eml files, a Maildir (its new/ and cur/), an mbox file
/// (split on "From " lines, ">From " un-escaped) or a single message file. Recipients come
/// from To, Cc and Bcc; Bcc is removed. A refused message does not stop the others: a
/// summary goes to stderr, and with --json one object per message and a summary on stdout.
/// Exit code: 0 when every message was sent, otherwise that of the first failure (e.g. 67
/// for a refused recipient, 75 for a message queued or over the daily limits).
///
/// Several profiles (-p a,b,c) share the messages, each with its own connections; a
/// profile with a daily limit (its `daily_limit`, or its provider's) takes no more
/// recipients than that in 24 hours, counted across runs. When every profile is at its
/// limit, the rest is reported as not sent (75), or queued with --queue.
///
/// Mail merge: --template FILE --data CSV sends the template once per CSV row, each
/// {{column}} replaced by that row's value. In a header a value goes in as what its place
/// says: in an address field, escaped inside quotes, one quoted display name before <…>,
/// exactly one user@domain as an address; on one line, without control characters.
/// A row whose value cannot fails with 65, so a cell never adds a header or a recipient.
#[derive(Debug, Args, Clone, Default)]
pub struct BatchArgs {
    /// Directories of .eml files, Maildirs, mbox files or message files
    #[arg(value_name = "SOURCE", required_unless_present = "template")]
    pub sources: Vec<PathBuf>,

    /// Mail merge: a message with {{column}} placeholders, sent once per row of --data
    #[arg(
        long,
        value_name = "FILE",
        requires = "data",
        conflicts_with = "sources"
    )]
    pub template: Option<PathBuf>,

    /// Mail merge: a CSV file whose first row names the columns
    #[arg(long, value_name = "CSV", requires = "template")]
    pub data: Option<PathBuf>,

    /// Envelope sender (MAIL FROM) for every message [default: the profile's from, else each From]
    #[arg(short = 'f', long, value_name = "ADDRESS")]
    pub envelope_from: Option<String>,

    /// At most this many messages a second, a minute or an hour over all connections,
    /// e.g. 10/s, 30/m or 500/h
    #[arg(long, value_name = "N/s|N/m|N/h", value_parser = crate::pace::Rate::parse)]
    pub rate: Option<crate::pace::Rate>,

    /// Connections per profile, each sending one message at a time
    #[arg(
        long,
        value_name = "N",
        default_value_t = 1,
        value_parser = clap::value_parser!(u8).range(1..=MAX_CONNECTIONS as i64)
    )]
    pub connections: u8,

    /// On a temporary failure, or when every profile reached its daily limit, queue the
    /// message for `posta queue flush` [default: the profile's `queue`, else never]
    #[arg(long, value_enum, value_name = "POLICY")]
    pub queue: Option<QueuePolicy>,

    /// Send nothing: read and check every message (or merge row) as a real batch does
    /// and print its envelope as a JSON line; with --dry-run=DIR, write each message to
    /// DIR as NNNNN.eml with its envelope in NNNNN.json. No connection, no password
    #[arg(
        long,
        value_name = "DIR",
        num_args = 0..=1,
        require_equals = true,
        conflicts_with = "queue"
    )]
    pub dry_run: Option<Option<PathBuf>>,

    /// Save a copy of each message sent in its profile's Sent folder over IMAP, one IMAP
    /// connection per profile for the whole batch (off unless given)
    #[arg(long)]
    pub save_sent: bool,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Read a message on stdin and submit it, like sendmail(8).
///
/// The help and the man page's description come from one table of sendmail's flags
/// (`cli/sendmail_help.rs`): sendmail's flags are parsed by hand (src/cmd/sendmail.rs),
/// so clap's generated list would show posta's global options as if they worked after
/// `sendmail`, and none of sendmail's.
#[derive(Debug, Args, Clone, Default)]
#[command(
    override_help = sendmail_help::help(),
    long_about = sendmail_help::man_description()
)]
pub struct SendmailArgs {
    /// sendmail flags and recipients, parsed the way sendmail parses them
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub args: Vec<String>,
}

/// Manage account profiles in the config file.
#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// List the profiles
    List(ProfileListArgs),
    /// Show one profile (never its secret)
    Show {
        #[arg(value_name = "PROFILE", help = PROFILE_NAME_HELP)]
        name: String,
    },
    /// Add a profile
    ///
    /// Saved with it: --email (as `from`) or --from, and every connection option given
    /// (--server, --port, --security, --user, --auth, --password-command, --ca-file, …).
    /// Without --server or a preset, the server is looked up in DNS (RFC 6186) from
    /// --email's domain.
    Add(ProfileAddArgs),
    /// Remove a profile
    Remove {
        #[arg(value_name = "PROFILE", help = PROFILE_NAME_HELP)]
        name: String,
    },
    /// Connect and authenticate with a profile, sending nothing
    Test {
        #[arg(value_name = "PROFILE", help = PROFILE_NAME_HELP)]
        name: String,
        #[command(flatten)]
        connection: ConnectionArgs,
    },
    /// List the built-in provider presets
    Presets,
}

#[derive(Debug, Args, Clone, Default)]
pub struct ProfileListArgs {
    /// Print only the profiles' names, one a line (what the shell completions call)
    #[arg(long, hide = true)]
    pub names: bool,
}

#[derive(Debug, Args, Clone)]
pub struct ProfileAddArgs {
    /// The new profile's name (letters, digits, '-', '_', '.')
    #[arg(value_name = "PROFILE")]
    pub name: String,
    /// The account's e-mail address: the profile's from, and the preset (or the DNS
    /// lookup of the server) is chosen from its domain
    #[arg(long, value_name = "ADDRESS")]
    pub email: Option<String>,
    /// The profile's From, e.g. 'Jane Doe <jane@example.com>' [default: --email]
    #[arg(long, value_name = "ADDRESS")]
    pub from: Option<String>,
    /// Provider preset (see `posta profile presets`)
    #[arg(long)]
    pub preset: Option<String>,
    /// Accept a server found in DNS outside the address's domain (and not a known
    /// provider's): without it, such an answer is shown and nothing is written
    #[arg(long)]
    pub yes: bool,
    /// The client id of your app registration at the provider (key oauth2_client_id),
    /// for `posta auth login`
    #[arg(long, value_name = "ID")]
    pub oauth2_client_id: Option<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Show what a server offers: greeting, capabilities, TLS and certificate.
#[derive(Debug, Args, Clone, Default)]
pub struct ProbeArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Inspect and flush the queue of messages waiting for a retry.
#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// List queued messages
    List,
    /// Show one queued message
    Show { id: String },
    /// Try to send what is due (retries back off from 1 minute to 1 hour; after 5 days
    /// a message is moved to failed/ and reported). A message whose recipients do not
    /// fit under its profile's daily_limit waits until they do
    Flush(QueueFlushArgs),
    /// Remove a message from the queue
    Drop { id: String },
}

#[derive(Debug, Args, Clone, Default)]
pub struct QueueFlushArgs {
    /// Also try the messages whose next attempt is not due yet (daily limits still apply)
    #[arg(long)]
    pub all: bool,

    /// Command whose first line of output is the password, for messages queued without a
    /// profile (else POSTA_PASSWORD or a prompt)
    #[arg(long, value_name = "CMD")]
    pub password_command: Option<String>,
}

/// Print a shell completion script to stdout, or install it where the shell looks.
///
/// --install writes it, creating the directories: bash to
/// $BASH_COMPLETION_USER_DIR/completions/posta (else
/// $XDG_DATA_HOME/bash-completion/completions/posta, as bash-completion reads it); fish to
/// $XDG_CONFIG_HOME/fish/completions/posta.fish; zsh to
/// $XDG_DATA_HOME/zsh/site-functions/_posta (that directory must be in $fpath before
/// compinit). Elvish and PowerShell: print the script and load it from your rc file.
#[derive(Debug, Args, Clone)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,

    /// Write the script into the shell's directory for user completions (created if
    /// missing) instead of printing it
    #[arg(long)]
    pub install: bool,
}

/// Print the man page to stdout, or write every page into a directory.
#[derive(Debug, Args, Clone)]
pub struct ManArgs {
    /// Write posta.1 and one page per subcommand into this directory
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub mod sendmail_help;
#[cfg(test)]
mod tests;
