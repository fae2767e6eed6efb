//! `posta send`'s flags: the message composed from them, its recipients, body,
//! attachments and DSN, and the connection options.

use std::path::PathBuf;

use clap::Args;

use super::{AttachOptions, ConnectionArgs};
use crate::model::{DsnRet, QueuePolicy};

/// What a Markdown body replaces (and --markdown-file, for --markdown).
const MARKDOWN_CONFLICTS: [&str; 5] = ["markdown_file", "body", "body_file", "html", "html_file"];

/// Compose a message from flags and submit it.
///
/// Recipients given as arguments are To. With neither --body nor --body-file and a
/// stdin that is not a terminal, stdin is the body. With no body, no HTML and stdin a
/// terminal, $VISUAL (else $EDITOR, else vi) opens a draft, like git commit: its From,
/// To, Cc, Bcc, Reply-To and Subject lines may be edited, and what is saved is sent; an
/// empty body or an editor that fails aborts (exit 64, nothing sent).
#[derive(Debug, Args, Clone, Default)]
pub struct SendArgs {
    /// Recipients (To)
    #[arg(value_name = "RECIPIENT")]
    pub recipients: Vec<String>,

    /// Author, e.g. 'Jane Doe <jane@example.com>' [default: the profile's from]
    #[arg(long, value_name = "ADDRESS")]
    pub from: Option<String>,

    /// To recipients (repeatable; comma-separated lists accepted)
    #[arg(long, value_name = "ADDRESSES")]
    pub to: Vec<String>,

    /// Cc recipients (repeatable; comma-separated lists accepted)
    #[arg(long, value_name = "ADDRESSES")]
    pub cc: Vec<String>,

    /// Bcc recipients: in the envelope, never in the message (repeatable)
    #[arg(long, value_name = "ADDRESSES")]
    pub bcc: Vec<String>,

    /// Reply-To addresses (repeatable)
    #[arg(long, value_name = "ADDRESSES")]
    pub reply_to: Vec<String>,

    /// Subject
    #[arg(short = 's', long)]
    pub subject: Option<String>,

    /// Text body
    #[arg(long, value_name = "TEXT", conflicts_with = "body_file")]
    pub body: Option<String>,

    /// Text body from a file ('-' is stdin)
    #[arg(long, value_name = "PATH")]
    pub body_file: Option<PathBuf>,

    /// HTML body (with a text body: multipart/alternative)
    #[arg(long, value_name = "HTML", conflicts_with = "html_file")]
    pub html: Option<String>,

    /// HTML body from a file ('-' is stdin)
    #[arg(long, value_name = "PATH")]
    pub html_file: Option<PathBuf>,

    /// Markdown body: sent as text/plain and rendered as text/html (tables, code,
    /// footnotes); local images become inline parts
    #[arg(long, value_name = "TEXT", conflicts_with_all = MARKDOWN_CONFLICTS)]
    pub markdown: Option<String>,

    /// Markdown body from a file ('-' is stdin); images are found relative to its directory
    #[arg(long, value_name = "PATH", conflicts_with_all = &MARKDOWN_CONFLICTS[1..])]
    pub markdown_file: Option<PathBuf>,

    /// Pass raw HTML in the Markdown through (by default it is escaped)
    #[arg(long)]
    pub markdown_allow_html: bool,

    /// Attach a file, its type guessed from its name (repeatable); '-' is stdin, and a
    /// shell's pipe (<(cmd)) works: either is spooled to a temporary file
    #[arg(short = 'a', long = "attach", value_name = "PATH")]
    pub attach: Vec<PathBuf>,

    /// File name for the -a before it (default: the file's own; 'attachment' for a pipe)
    #[arg(long, value_name = "NAME")]
    pub attach_name: Vec<String>,

    /// Content type for the -a before it, e.g. text/csv (default: guessed from the name)
    #[arg(long, value_name = "TYPE")]
    pub attach_type: Vec<String>,

    /// (name, type) for each of `attach`, from the order of the flags ([`from_matches`]).
    #[arg(skip)]
    pub attach_options: Vec<AttachOptions>,

    /// Inline a file for the HTML to reference as cid:<file name> (repeatable)
    #[arg(long, value_name = "PATH")]
    pub inline: Vec<PathBuf>,

    /// Extra header 'Name: value' (repeatable)
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,

    /// Message-ID this message replies to
    #[arg(long, value_name = "ID")]
    pub in_reply_to: Option<String>,

    /// Message-IDs of the thread (repeatable)
    #[arg(long, value_name = "ID")]
    pub references: Vec<String>,

    /// Envelope sender (MAIL FROM) [default: the From address]
    #[arg(long, value_name = "ADDRESS")]
    pub envelope_from: Option<String>,

    /// Request delivery status notifications: NEVER or a list of SUCCESS,FAILURE,DELAY
    #[arg(long, value_name = "LIST", value_parser = crate::envelope::Dsn::parse_notify)]
    pub dsn_notify: Option<String>,

    /// What a bounce returns: the full message or only its headers
    #[arg(long, value_enum, value_name = "WHAT")]
    pub dsn_return: Option<DsnRet>,

    /// Print the exact message bytes to stdout and the envelope to stderr; contact no
    /// server. With --json, stdout is one object instead: the bytes as base64 in
    /// `message_base64` up to 1 MiB (larger: null, and `message_omitted` says why)
    #[arg(long)]
    pub dry_run: bool,

    /// On a temporary failure, queue the message (exit 75, "queued as ID") [default: the
    /// profile's `queue`, else never]
    #[arg(long, value_enum, value_name = "POLICY")]
    pub queue: Option<QueuePolicy>,

    /// Once sent, save a copy (Bcc kept) in the account's Sent folder over IMAP
    /// [default: the profile's save_sent]
    #[arg(long, overrides_with = "no_save_sent")]
    pub save_sent: bool,

    /// Save no copy in Sent, whatever the profile says
    #[arg(long, overrides_with = "save_sent")]
    pub no_save_sent: bool,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

impl SendArgs {
    /// --save-sent or --no-save-sent, the last given; `None`: the profile decides.
    pub fn save_sent(&self) -> Option<bool> {
        match (self.save_sent, self.no_save_sent) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        }
    }
}
