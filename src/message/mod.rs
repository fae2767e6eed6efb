//! Building messages: from flags ([`compose`]) and from raw input ([`raw`]).
//! Everything here writes to any `io::Write` and knows nothing of sockets or TLS.
//!
//! - [`address`]: mailboxes and lists as typed, IDN domains to punycode.
//! - [`header`]: RFC 2047 encoded words, RFC 2231 parameters, folding (≤ 998 always).
//! - `body`: 7bit / quoted-printable / base64 transfer encodings, all streaming.
//! - `mime`: the part tree and its wire form; files streamed on every write.
//! - [`compose`]: [`prepare`] checks a [`Draft`]; [`Composed`] writes or sizes it.
//! - [`draft_file`]: the draft `send` opens in $EDITOR, written and read back.
//! - [`markdown`]: a Markdown body rendered to HTML, its local images made `cid:` parts.
//! - [`raw`]: a finished message on stdin (sendmail mode), spooled with CRLF endings.

use std::path::PathBuf;

use crate::model::exit_code::Code;

pub mod address;
mod body;
pub mod cid;
pub mod compose;
pub mod draft_file;
pub mod header;
pub mod markdown;
pub mod mbox;
pub mod merge;
mod mime;
pub mod raw;

pub use compose::{Composed, prepare};

/// Where a text or HTML body comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodySource {
    /// Given on the command line.
    Text(String),
    /// A file, opened and checked by `prepare`, streamed when the message is written.
    File(PathBuf),
    /// Standard input, read into memory by `prepare` (a text body is small).
    Stdin,
}

/// A file to attach: a path (`-` is stdin; `/dev/fd/N`, a shell's pipe), with the
/// file name and content type to give it when not the path's own.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Attachment {
    pub path: PathBuf,
    /// `--attach-name`: the file name in the message.
    pub name: Option<String>,
    /// `--attach-type`: the content type, instead of one guessed from the name.
    pub content_type: Option<String>,
}

impl From<&str> for Attachment {
    fn from(path: &str) -> Self {
        PathBuf::from(path).into()
    }
}

impl From<PathBuf> for Attachment {
    fn from(path: PathBuf) -> Self {
        Attachment {
            path,
            ..Attachment::default()
        }
    }
}

/// Everything the user asked for, as given (addresses still unparsed strings).
/// [`prepare`] checks it and turns it into a [`Composed`] message.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// The From mailbox, e.g. "Jane Doe <jane@example.com>".
    pub from: String,
    /// Each entry may be a comma-separated list.
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub bcc: Vec<String>,
    pub reply_to: Vec<String>,
    pub subject: Option<String>,
    pub text: Option<BodySource>,
    pub html: Option<BodySource>,
    /// A Markdown body: the source as text, its rendering as HTML (instead of
    /// `text` and `html`).
    pub markdown: Option<markdown::Markdown>,
    pub attachments: Vec<Attachment>,
    /// Files referenced from the HTML as `cid:<file name>`.
    pub inline: Vec<PathBuf>,
    /// Raw `Name: value` arguments of `-H`.
    pub headers: Vec<String>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// MAIL FROM; defaults to the From address.
    pub envelope_from: Option<String>,
}

/// What can be wrong with a draft or its input files.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// A malformed address, header or message (exit 65).
    #[error("{0}")]
    BadInput(String),
    /// An input file is missing or unreadable (exit 66).
    #[error("cannot read {}: {}", path.display(), crate::model::exit_code::io_text(source))]
    NoInput {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Flags that do not make a message (exit 64).
    #[error("{0}")]
    Usage(String),
}

impl ComposeError {
    pub fn exit_code(&self) -> Code {
        match self {
            ComposeError::BadInput(_) => Code::DataErr,
            ComposeError::NoInput { .. } => Code::NoInput,
            ComposeError::Usage(_) => Code::Usage,
        }
    }
}
