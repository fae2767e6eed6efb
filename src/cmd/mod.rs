//! One file per subcommand: glue between the parsed command line, the config, the
//! message builder and the transport. Nothing here prints to the terminal directly:
//! output goes to the [`Console`] that `main` hands in, outcomes come back as a [`Report`].

use std::io::Write;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::exit::{Code, fail};

pub mod completions;
pub mod send;

/// The streams a command may write to, owned by `main`.
pub struct Console<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// Whether stdin is a terminal (then it is never read as a body or message).
    pub stdin_is_terminal: bool,
}

/// What a command did, for `main` to print: a line for people, an object for `--json`.
#[derive(Debug, Default)]
pub struct Report {
    pub human: String,
    pub json: Option<serde_json::Value>,
}

/// Run the parsed command line.
pub fn run(cli: Cli, console: &mut Console<'_>) -> anyhow::Result<Report> {
    let global = cli.global;
    match cli.command {
        Command::Send(args) => send::run(&global, *args, console),
        Command::Completions(args) => completions::completions(args, console),
        Command::Man(args) => completions::man(args, console),
        Command::Sendmail(_) => not_yet("sendmail", &global),
        Command::Profile(_) => not_yet("profile", &global),
        Command::Password(_) => not_yet("password", &global),
        Command::Probe(_) => not_yet("probe", &global),
        Command::Queue(_) => not_yet("queue", &global),
    }
}

fn not_yet(what: &str, _global: &GlobalArgs) -> anyhow::Result<Report> {
    Err(fail(
        Code::Software,
        format!("`posta {what}` is not implemented yet"),
    ))
}
