//! One file per subcommand: glue between the parsed command line, the config, the
//! message builder and the transport. Nothing here prints to the terminal directly:
//! output goes to the [`Console`] that `main` hands in, outcomes come back as a [`Report`].

use std::io::{self, Write};

use serde_json::json;

use crate::cli::{Cli, Command};
use crate::model::exit_code::Code;
use crate::report;
use crate::smtp::{Outcome, SmtpError, SmtpErrorKind};
use crate::submit::{Queued, partly};

pub mod auth;
pub mod batch;
pub mod completions;
pub mod password;
pub mod probe;
pub mod profile;
pub mod queue;
pub mod send;
pub mod sendmail;
pub mod serve;

/// The streams a command may write to, owned by `main`.
pub struct Console<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// Whether stdin is a terminal (then it is never read as a body or message).
    pub stdin_is_terminal: bool,
    /// Whether stderr is a terminal (then progress bars may be drawn on it; see
    /// [`crate::progress::Switch::decide`]).
    pub stderr_is_terminal: bool,
}

/// What a command did, for `main` to print: a line for people, an object for `--json`.
#[derive(Debug, Default)]
pub struct Report {
    pub human: String,
    pub json: Option<serde_json::Value>,
    /// `human` is the command's output (stdout), not a status line (stderr).
    pub data: bool,
    /// Exit with this code although the command ran to its end and its report is
    /// printed in full (`batch` with some messages not sent, a `queue flush` that moved
    /// messages to failed/); `None` is success.
    pub exit: Option<Code>,
}

/// Run the parsed command line.
pub fn run(cli: Cli, console: &mut Console<'_>) -> anyhow::Result<Report> {
    let global = cli.global;
    match cli.command {
        Command::Send(args) => send::run(&global, *args, console),
        Command::Batch(args) => batch::run(&global, args, console),
        Command::Completions(args) => completions::completions(args, console),
        Command::Man(args) => completions::man(args, console),
        Command::Sendmail(args) => {
            // main.rs runs `posta … sendmail` itself (sendmail's output conventions);
            // this is the fallback for a line clap alone could read. The global options
            // still count: their sendmail-mode spellings go first.
            let args = crate::cli::sendmail::global_options_as_args(&global)
                .into_iter()
                .chain(args.args)
                .collect::<Vec<_>>();
            let stdin = io::stdin();
            let mut lock = stdin.lock();
            sendmail_mode(&args, console, &mut lock)
        }
        Command::Serve(args) => serve::run(&global, args, console),
        Command::Profile(command) => profile::run(&global, command, console),
        Command::Password(command) => password::run(&global, command, console),
        Command::Auth(command) => auth::run(&global, command, console),
        Command::Probe(args) => probe::probe(&global, &args.connection, console),
        Command::Queue(command) => queue::run(&global, command, console),
    }
}

/// sendmail mode with its raw arguments: a message on stdin to send, or what `-bp`
/// (`mailq`) and `-q` ask of the queue, as `posta queue list` and `posta queue flush`.
pub fn sendmail_mode(
    args: &[String],
    console: &mut Console<'_>,
    stdin: &mut dyn io::BufRead,
) -> anyhow::Result<Report> {
    use crate::cli::sendmail::SendmailMode;
    use crate::cli::{QueueCommand, QueueFlushArgs};
    let flags = crate::cli::sendmail::parse_flags(args)?;
    match flags.mode {
        SendmailMode::Send => sendmail::run(flags, console, stdin),
        SendmailMode::Smtp => sendmail::smtp_on_stdin(flags, console, stdin),
        SendmailMode::ListQueue => queue::run(&flags.global(), QueueCommand::List, console),
        SendmailMode::FlushQueue => {
            let mut report = queue::run(
                &flags.global(),
                QueueCommand::Flush(QueueFlushArgs::default()),
                console,
            )?;
            // From cron every few minutes: a word only when something failed (or -v).
            if report.exit.is_none() && flags.verbose == 0 {
                report.human.clear();
            }
            Ok(report)
        }
    }
}

/// The report of a message the server accepted.
pub fn submission_report(outcome: &Outcome, message_id: &str) -> Report {
    let n = outcome.accepted.len();
    Report {
        human: format!(
            "sent <{message_id}> to {n} recipient{} via {} ({}): {}",
            if n == 1 { "" } else { "s" },
            outcome.server,
            outcome.security,
            outcome.final_reply
        ),
        json: Some(json!({
            "status": "sent",
            "message_id": message_id,
            "server": outcome.server,
            "security": outcome.security,
            "accepted": outcome.accepted,
            "refused": outcome.refused,
            "final_reply": outcome.final_reply,
            "warnings": outcome.warnings,
        })),
        data: false,
        exit: None,
    }
}

/// Who got a partly delivered message, and who did not with the server's words.
pub(crate) fn recipients_in_words(outcome: &Outcome) -> (Vec<&str>, Vec<String>) {
    let delivered = (outcome.accepted.iter())
        .map(|r| r.address.as_str())
        .collect();
    let refused = (outcome.refused.iter())
        .map(|r| format!("{} ({})", r.address, r.reply))
        .collect();
    (delivered, refused)
}

/// The report of a message delivered to some recipients only (LMTP): who got it, who
/// did not and why, and where the rest waits; the exit code of [`partly::exit_code`]
/// (`queued_is_success` in sendmail mode).
pub fn partly_report(
    outcome: &Outcome,
    queued: Option<&Queued>,
    copy: &crate::submit::SentCopy,
    message_id: &str,
    queued_is_success: bool,
) -> Report {
    let code = partly::exit_code(outcome, queued, queued_is_success);
    let (delivered, refused) = recipients_in_words(outcome);
    let mut human = format!(
        "sent <{message_id}> via {} ({}) to {} of {} recipients: {}; not delivered to {}",
        outcome.server,
        outcome.security,
        delivered.len(),
        delivered.len() + refused.len(),
        delivered.join(", "),
        refused.join("; "),
    );
    if let Some(q) = queued {
        human.push_str(&format!(
            "\nqueued as {} for those the server could not deliver to for now",
            q.id
        ));
    }
    let mut report = Report {
        human,
        json: Some(json!({
            "status": "partly",
            "message_id": message_id,
            "server": outcome.server,
            "security": outcome.security,
            "accepted": outcome.accepted,
            "refused": outcome.refused,
            "final_reply": outcome.final_reply,
            "queued": queued.map(|q| q.json(code)),
            "warnings": outcome.warnings,
            "exit_code": code.as_i32(),
        })),
        data: false,
        exit: (code != Code::Ok).then_some(code),
    };
    if let Some(json) = &mut report.json {
        copy.add_json(json);
    }
    report
}

/// The `--json` object for a failure: status, exit code, error, and what the server said.
pub fn failure_json(err: &anyhow::Error) -> serde_json::Value {
    let code = report::code_of(err);
    let (message, hints) = report::message_and_hints(err);
    let mut obj = json!({
        "status": "failed",
        "exit_code": code.as_i32(),
        "error": message,
    });
    if !hints.is_empty() {
        obj["hints"] = json!(hints);
    }
    if let Some(e) = err.chain().find_map(|c| c.downcast_ref::<SmtpError>()) {
        obj["stage"] = json!(e.stage);
        obj["transient"] = json!(e.is_transient());
        if let Some(reply) = e.reply() {
            obj["reply"] = json!(reply);
        }
        if let SmtpErrorKind::RecipientsRefused { refused, accepted } = &e.kind {
            obj["refused"] = json!(refused);
            obj["accepted"] = json!(accepted);
        }
    }
    obj
}
