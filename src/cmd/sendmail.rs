//! `posta sendmail` (and the binary invoked as `sendmail`): read a finished message on
//! stdin and submit it through the one path. The flags are read by
//! [`crate::cli::sendmail`]; sendmail's conventions for the outcome are here: silent on
//! success, a queued message is success said in one line.

use std::io::{self, BufRead};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use super::{Console, Report, submission_report};
use crate::cli::sendmail::SendmailFlags;
use crate::config;
use crate::envelope::Dsn;
use crate::listen;
use crate::message::raw::LongLines;
use crate::model::exit_code::Code;
use crate::progress;
use crate::smtp::{self, Transcript};
use crate::submit::finished::{Finished, Note};
use crate::submit::{self, Delivery, Queued};

/// sendmail's convention for a queued message: success (exit 0), said in one line.
fn queued_report(q: Queued) -> Report {
    Report {
        human: format!("queued as {}: {}", q.id, q.reason),
        json: Some(q.json(Code::Ok)),
        data: false,
        exit: None,
    }
}

/// Where `posta serve` listens on a shared server (contrib/systemd/posta.service);
/// `POSTA_SERVE_SOCKET` names another.
const SERVE_SOCKET: &str = "/run/posta/smtp.sock";

/// The service socket a message goes through when the account's secret cannot be had:
/// `POSTA_SERVE_SOCKET`, else [`SERVE_SOCKET`]; none when the variable is set empty
/// (`posta serve`'s own flushes, which must not hand messages to themselves).
pub(crate) fn service_socket() -> Option<PathBuf> {
    match std::env::var_os("POSTA_SERVE_SOCKET") {
        Some(s) if s.is_empty() => None,
        Some(s) => Some(PathBuf::from(s)),
        None => Some(PathBuf::from(SERVE_SOCKET)),
    }
}

/// Run sendmail mode with its raw arguments.
pub fn run(
    flags: SendmailFlags,
    console: &mut Console<'_>,
    stdin: &mut dyn BufRead,
) -> anyhow::Result<Report> {
    if console.stdin_is_terminal {
        // sendmail on a terminal would wait for a message typed by hand; say how to end it.
        let _ = writeln_err(
            console,
            "sendmail: reading the message from the terminal; end it with Ctrl-D",
        );
    }
    let finished = finished(&flags);
    // sendmail's flags have no -q: a terminal is the whole test (cron and scripts never
    // give one), with --json and -v still turning the bar off.
    let progress =
        progress::Switch::decide(console.stderr_is_terminal, false, flags.json, flags.verbose);
    let verbose = flags.verbose;
    let err = &mut *console.err;
    let notes = std::cell::RefCell::new(Vec::new());
    let mut warnings = Vec::new();
    let handed = submit::finished::deliver(
        &finished,
        stdin,
        &mut |note| notes.borrow_mut().push(note),
        &mut |settings, envelope, dsn, payload| {
            if verbose > 0 {
                // What was decided before the session, said before its transcript.
                for note in notes.borrow_mut().drain(..) {
                    let _ = writeln!(err, "sendmail: {}", note_text(&note));
                }
            }
            let mut upload = progress.upload(payload);
            let mut transcript = Transcript {
                out: &mut *err,
                level: verbose,
            };
            smtp::submit(
                settings,
                envelope,
                dsn,
                &mut upload,
                (verbose > 0).then_some(&mut transcript),
            )
        },
        &mut warnings,
    );
    if verbose > 0 {
        for note in notes.into_inner() {
            writeln!(console.err, "sendmail: {}", note_text(&note))?;
        }
    }
    for warning in warnings {
        writeln!(console.err, "sendmail: warning: {warning}")?;
    }
    let handed = handed?;
    let message_id = handed.message_id;
    let (outcome, copy) = match handed.delivery {
        Delivery::Sent(outcome, copy) => (outcome, copy),
        // sendmail's convention: queued is success (exit 0), said in one line.
        Delivery::Queued(queued) => return Ok(queued_report(queued)),
        // Said even in sendmail mode: some recipients did not get it.
        Delivery::Partly {
            outcome,
            queued,
            copy,
        } => {
            for warning in &outcome.warnings {
                writeln!(console.err, "sendmail: warning: {warning}")?;
            }
            for line in copy.transcript() {
                writeln!(console.err, "{line}")?;
            }
            return Ok(super::partly_report(
                &outcome,
                queued.as_ref(),
                &copy,
                &message_id,
                true,
            ));
        }
    };
    // Rare, and about this message (its 8-bit bytes, its DSN request): worth a line
    // even in sendmail mode, which is otherwise silent on success.
    for warning in &outcome.warnings {
        writeln!(console.err, "sendmail: warning: {warning}")?;
    }
    for line in copy.transcript() {
        writeln!(console.err, "{line}")?;
    }
    let mut report = submission_report(&outcome, &message_id);
    if let Some(json) = &mut report.json {
        copy.add_json(json);
    }
    // sendmail is silent on success: cron mails whatever it prints.
    report.human.clear();
    Ok(report)
}

/// `sendmail -bs`: the SMTP dialogue on stdin and stdout ([`crate::listen`]); each
/// message goes the way of one on stdin, with MAIL FROM for `-f` and the RCPTs for the
/// recipients. The outcome of each is said in the dialogue, so the report is empty.
pub fn smtp_on_stdin(
    flags: SendmailFlags,
    console: &mut Console<'_>,
    stdin: &mut dyn BufRead,
) -> anyhow::Result<Report> {
    let err = &mut *console.err;
    let verbose = flags.verbose > 0;
    // stdout is the dialogue's: what else there is to say goes to stderr.
    let mut log = |e: listen::Event| match e {
        listen::Event::Warning(w) => {
            let _ = writeln!(err, "sendmail: warning: {w}");
        }
        listen::Event::Answered(a) if verbose => {
            let _ = writeln!(err, "sendmail: {a}");
        }
        listen::Event::Answered(_) => {}
    };
    let mut submitter = listen::Submitter {
        base: finished(&flags),
        log: &mut log,
        warm: None,
    };
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    let never = AtomicBool::new(false);
    let in_data = AtomicBool::new(false);
    let setup = listen::Setup {
        hostname: &host,
        limits: &listen::Limits::default(),
        // The parent holds the pipe; it decides how long to wait.
        timer: &listen::NoTimer,
        stop: &never,
        in_data: &in_data,
    };
    let mut input = io::BufReader::new(stdin);
    listen::converse(&mut input, &mut *console.out, &mut submitter, &setup)?;
    Ok(Report::default())
}

/// What sendmail's flags say about the message on stdin.
fn finished(flags: &SendmailFlags) -> Finished {
    // sendmail's own --config and --profile, else the environment.
    let global = flags.global();
    Finished {
        request: config::Request {
            config_path: global.config,
            profile: global.profile,
            from_hint: None,
            overrides: (&flags.connection).into(),
        },
        extract_recipients: flags.extract_recipients,
        envelope_from: flags.envelope_from.clone(),
        full_name: flags.full_name.clone(),
        recipients: flags.recipients.clone(),
        dsn: Dsn {
            notify: flags.dsn_notify.clone(),
            ret: flags.dsn_return.clone(),
            envid: flags.envid.clone(),
        },
        queue: flags.queue,
        local_user: None,
        hand_off: service_socket(),
        trace_copy: flags.verbose > 0,
    }
}

/// A note for `-v`.
fn note_text(note: &Note) -> String {
    match note {
        Note::Chosen(why) => why.clone(),
        Note::EnvelopeFromProfile(from) => {
            format!("MAIL FROM:<{from}> (envelope_from = \"profile\")")
        }
        Note::HandedOff(socket, why) => format!(
            "{why}: handed to posta serve at {} (it holds the secret)",
            socket.display()
        ),
        Note::EnvelopeFromLocalSender(from) => {
            format!("MAIL FROM:<{from}> (the local sender's is no provider's)")
        }
        Note::LongLines(long) => {
            let what = match long {
                LongLines::ReEncoded => "the text was re-encoded as quoted-printable",
                LongLines::Folded => {
                    "they were folded (CRLF and a space inserted), as Postfix does"
                }
            };
            format!("lines over 998 octets: {what}")
        }
    }
}

fn writeln_err(console: &mut Console<'_>, line: &str) -> io::Result<()> {
    writeln!(console.err, "{line}")
}
