//! The thin edge: parse, dispatch, print the outcome or the error chain, exit.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use posta::cli::Cli;
use posta::cmd::{self, Console};
use posta::exit::{self, Code};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Code::Usage as u8 } else { 0 });
        }
    };
    let json = cli.global.json;
    let quiet = cli.global.quiet;

    let stdout = io::stdout();
    let stderr = io::stderr();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let mut console = Console {
        out: &mut out,
        err: &mut err,
        stdin_is_terminal: io::stdin().is_terminal(),
    };
    let result = cmd::run(cli, &mut console);

    match result {
        Ok(report) => {
            let printed = if json {
                match report.json {
                    Some(v) => writeln!(out, "{v}"),
                    None => Ok(()),
                }
            } else if !quiet && !report.human.is_empty() {
                writeln!(err, "{}", report.human)
            } else {
                Ok(())
            };
            finish(printed.and_then(|()| out.flush()), Code::Ok)
        }
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let code = exit::code_of(&e);
            if json {
                let obj = serde_json::json!({
                    "status": "failed",
                    "exit_code": code.as_i32(),
                    "error": format!("{e:#}"),
                });
                let _ = writeln!(out, "{obj}");
            }
            let _ = writeln!(err, "posta: error: {e:#}");
            ExitCode::from(code as u8)
        }
    }
}

/// A closed stdout (`posta … | head`) is not an error worth a message.
fn finish(printed: io::Result<()>, code: Code) -> ExitCode {
    match printed {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            let _ = writeln!(io::stderr(), "posta: error: writing output: {e}");
            ExitCode::from(Code::IoErr as u8)
        }
        _ => ExitCode::from(code as u8),
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
