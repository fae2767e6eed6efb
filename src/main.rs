//! The thin edge: parse, dispatch, print the outcome or the error chain, exit.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use posta::cli::Cli;
use posta::cmd::{self, Console};
use posta::model::exit_code::{Code, fail};
use posta::model::text::for_terminal_lines;
use posta::report;

fn main() -> ExitCode {
    // Before anything can fetch a password: no core dump, no ptrace, may hold it.
    posta::secret::protect_process();
    // Never `std::env::args()`: it panics on an argument that is not UTF-8, and the
    // message on stdin would be lost with the process.
    let args_os: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let args = posta::cli::argv::texts(&args_os);
    let program = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Invoked as sendmail, or as `posta sendmail`: sendmail's own flag syntax, not clap's.
    if program == "sendmail" || program.starts_with("sendmail.") {
        return sendmail_main(&program, &args[1..]);
    }
    // The other names of a sendmail installation: `mailq` is `sendmail -bp`.
    if program == "mailq" {
        let args: Vec<String> = std::iter::once("-bp".to_string())
            .chain(args[1..].iter().cloned())
            .collect();
        return sendmail_main("mailq", &args);
    }
    if program == "newaliases" {
        let _ = writeln!(
            io::stderr(),
            "newaliases: nothing to do: posta reads a profile's aliases file (the `aliases` \
             key) each time it sends"
        );
        return ExitCode::SUCCESS;
    }
    // `posta [GLOBAL OPTIONS] sendmail …`: the global options become their sendmail-mode
    // spellings ahead of the rest, so later ones win as they would after `sendmail`.
    if let Some(sendmail_args) = posta::cli::sendmail::args_after_global_options(&args[1..]) {
        return sendmail_main("sendmail", &sendmail_args);
    }

    // Parsed as given first, so that a file name that is not UTF-8 still names its
    // file; when clap refuses an argument that is not UTF-8 (a name, a subject), again
    // with such arguments read as Latin-1.
    let parsed = match parse(&args_os) {
        Err(e)
            if e.kind() == clap::error::ErrorKind::InvalidUtf8
                && posta::cli::argv::any_not_utf8(&args_os) =>
        {
            parse(&args)
        }
        other => other,
    };
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            if !e.use_stderr() {
                return ExitCode::SUCCESS; // --help, --version
            }
            // A script that asked for --json still gets its one object on stdout.
            if args.iter().skip(1).any(|a| a == "--json") {
                let rendered = e.to_string();
                let first = rendered.lines().next().unwrap_or("");
                let error = first.trim_start_matches("error: ").to_string();
                let _ = writeln!(
                    io::stdout(),
                    "{}",
                    cmd::failure_json(&fail(Code::Usage, error))
                );
            }
            return ExitCode::from(Code::Usage as u8);
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
        stderr_is_terminal: stderr.is_terminal(),
    };
    let result = cmd::run(cli, &mut console);

    match result {
        Ok(report) => {
            let printed = if json {
                match report.json {
                    Some(v) => writeln!(out, "{v}"),
                    None => Ok(()),
                }
            } else if report.data && !report.human.is_empty() {
                writeln!(out, "{}", report.human)
            } else if (!quiet || report.exit.is_some()) && !report.human.is_empty() {
                writeln!(err, "{}", report.human)
            } else {
                Ok(())
            };
            finish(
                printed.and_then(|()| out.flush()),
                report.exit.unwrap_or(Code::Ok),
            )
        }
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let code = report::code_of(&e);
            if json {
                let _ = writeln!(out, "{}", cmd::failure_json(&e));
            }
            let (message, hints) = report::message_and_hints(&e);
            // Outside text is made safe where it enters an error; this is the last
            // guard, so that no escape sequence from anywhere reaches the terminal.
            let _ = writeln!(err, "posta: error: {}", for_terminal_lines(&message));
            for hint in hints {
                let _ = writeln!(err, "posta: hint: {}", for_terminal_lines(&hint));
            }
            ExitCode::from(code as u8)
        }
    }
}

/// sendmail mode: silent on success, one line `sendmail: …` on error, as cron expects.
fn sendmail_main(program: &str, args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "--help") {
        // Invoked as sendmail: the same help as `posta sendmail --help`.
        let mut command = posta::cli::command();
        let help = command
            .find_subcommand_mut("sendmail")
            .map(|c| c.render_long_help().to_string())
            .unwrap_or_default();
        let _ = write!(io::stdout(), "{help}");
        return ExitCode::SUCCESS;
    }
    if args == ["--version"] {
        let _ = writeln!(io::stdout(), "posta {}", posta::version::LONG);
        return ExitCode::SUCCESS;
    }
    let json = args.iter().any(|a| a == "--json");
    let quiet = args.iter().any(|a| a == "--quiet");
    let stdout = io::stdout();
    let stderr = io::stderr();
    let stdin = io::stdin();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let mut console = Console {
        out: &mut out,
        err: &mut err,
        stdin_is_terminal: stdin.is_terminal(),
        stderr_is_terminal: stderr.is_terminal(),
    };
    let mut input = stdin.lock();
    let result = cmd::sendmail_mode(args, &mut console, &mut input);
    match result {
        Ok(report) => {
            if json && let Some(v) = report.json {
                let _ = writeln!(out, "{v}");
            } else if report.data {
                // `mailq`/`-bp`: the queue listing is the output.
                let _ = writeln!(out, "{}", report.human);
            } else if !report.human.is_empty() && (!quiet || report.exit.is_some()) {
                // Silent on success; a queued message is said in one line (exit 0 all the
                // same), unless posta's -q came before `sendmail`; what `-q` flushed too.
                let _ = writeln!(
                    err,
                    "{program}: {}",
                    report.human.replace(['\n', '\r'], " ")
                );
            }
            ExitCode::from(report.exit.unwrap_or(Code::Ok) as u8)
        }
        Err(e) => {
            let code = report::code_of(&e);
            if json {
                let _ = writeln!(out, "{}", cmd::failure_json(&e));
            }
            let (message, hints) = report::message_and_hints(&e);
            let mut line = message;
            for hint in hints {
                line.push_str(" (hint: ");
                line.push_str(&hint);
                line.push(')');
            }
            let one_line = for_terminal_lines(&line).replace('\n', " ");
            let _ = writeln!(err, "{program}: {one_line}");
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

/// The command line as posta's one clap command reads it.
fn parse<T: Into<std::ffi::OsString> + Clone>(argv: &[T]) -> Result<Cli, clap::Error> {
    posta::cli::command()
        .try_get_matches_from(argv.iter().cloned())
        .and_then(|m| posta::cli::from_matches(&m))
}
