//! `posta sendmail` (and the binary invoked as `sendmail`): read a finished message on
//! stdin and submit it. Flags are parsed the way sendmail(8) parses them, not by clap:
//! `-oi`, `-fADDR`, `-f ADDR` and `-ti` must all work as they do for cron and mailx.

use std::io::{self, BufRead};
use std::path::PathBuf;

use super::{Console, Report, submission_report};
use crate::cli::{ConnectionArgs, GlobalArgs, QueuePolicy};
use crate::config;
use crate::envelope::Dsn;
use crate::message::raw::{self, RawOptions};
use crate::model::exit_code::{Code, fail};
use crate::progress;
use crate::smtp::{self, Transcript};
use crate::submit::payload::SpooledPayload;
use crate::submit::{self, Delivery, Origin, Queued, Submission};
use clap::ValueEnum as _;

/// What the sendmail command line asked for.
#[derive(Debug, Default)]
pub struct SendmailFlags {
    /// `-t`
    pub extract_recipients: bool,
    /// `-f` / `-r`
    pub envelope_from: Option<String>,
    /// `-F`
    pub full_name: Option<String>,
    /// `-N`
    pub dsn_notify: Option<String>,
    /// `-R`
    pub dsn_return: Option<String>,
    /// `-V`
    pub envid: Option<String>,
    /// `-v` (repeatable)
    pub verbose: u8,
    pub recipients: Vec<String>,
    /// `--profile` / `--account` (posta's own)
    pub profile: Option<String>,
    /// `--config` (posta's own)
    pub config: Option<PathBuf>,
    /// `--json` (posta's own)
    pub json: bool,
    /// `--queue never|on-temporary-failure` (posta's own)
    pub queue: Option<QueuePolicy>,
    /// posta's connection options (`--server`, `--port`, …), parsed by clap.
    pub connection: ConnectionArgs,
}

/// posta's connection options, accepted in sendmail mode too.
#[derive(Debug, clap::Parser)]
#[command(no_binary_name = true)]
struct LongOptions {
    #[command(flatten)]
    connection: ConnectionArgs,
}

/// Long options of ConnectionArgs that take a value (the others are switches).
const LONG_WITH_VALUE: &[&str] = &[
    "--server",
    "--port",
    "--security",
    "--user",
    "--auth",
    "--password-command",
    "--oauth-token-command",
    "--ca-file",
    "--tls-fingerprint",
    "--timeout",
    "--ehlo",
];

/// sendmail options that take a value (attached, `-fADDR`, or the next argument).
const WITH_VALUE: &str = "fFNRVrOoBChLXA";
/// Options whose value may only be attached (`-qinterval`, `-em`, `-pproto`, `-bm`).
const ATTACHED_ONLY: &str = "qepb";
/// Flags without a value that are accepted and ignored.
const IGNORED: &str = "imnUGd";

/// `posta [GLOBAL OPTIONS] sendmail ARGS…` (`args` without the program name): the
/// arguments for sendmail mode, posta's global options before `sendmail` put first in
/// their sendmail-mode spellings (`--config`, `--profile`, `-v`, `--quiet`, `--json`).
/// `None` when the command is not `sendmail`, or asks for `--help` (clap shows it).
///
/// Done before clap sees the line: clap would take sendmail's own flags after
/// `sendmail` (`-V ENVID`, `-h HOPS`, `-q`) for posta's global ones.
pub fn args_after_global_options(args: &[String]) -> Option<Vec<String>> {
    let mut globals = Vec::new();
    let mut it = args.iter();
    loop {
        let arg = it.next()?.as_str();
        let (name, attached) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg, None),
        };
        let mut value = |long: &str| -> Option<()> {
            let v = match &attached {
                Some(v) => v.clone(),
                None => it.next()?.clone(),
            };
            globals.extend([long.to_string(), v]);
            Some(())
        };
        match name {
            "sendmail" => break,
            "-c" | "--config" => value("--config")?,
            "-p" | "--profile" | "--account" => value("--profile")?,
            "--verbose" => globals.push("-v".into()),
            "-q" | "--quiet" => globals.push("--quiet".into()),
            "--json" => globals.push("--json".into()),
            // -v, -vv, -cPATH, -pNAME: clap's short forms.
            a if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| c == 'v') => {
                globals.extend(std::iter::repeat_n("-v".to_string(), a.len() - 1))
            }
            a if a.starts_with("-c") && !a.starts_with("--") => {
                globals.extend(["--config".into(), a[2..].to_string()])
            }
            a if a.starts_with("-p") && !a.starts_with("--") => {
                globals.extend(["--profile".into(), a[2..].to_string()])
            }
            _ => return None,
        }
    }
    let rest: Vec<String> = it.cloned().collect();
    // sendmail's -h takes a hop count, but `posta sendmail -h` alone asks for help.
    if rest.iter().any(|a| a == "--help") || rest == ["-h"] {
        return None;
    }
    globals.extend(rest);
    Some(globals)
}

/// posta's global options as sendmail-mode arguments (the environment's POSTA_CONFIG
/// and POSTA_PROFILE are left to `run`, which reads them itself).
pub fn global_options_as_args(global: &GlobalArgs) -> Vec<String> {
    let mut args = Vec::new();
    if let Some(config) = &global.config {
        args.extend(["--config".to_string(), config.display().to_string()]);
    }
    if let Some(profile) = &global.profile {
        args.extend(["--profile".to_string(), profile.clone()]);
    }
    args.extend(std::iter::repeat_n("-v".to_string(), global.verbose.into()));
    if global.quiet {
        args.push("--quiet".into());
    }
    if global.json {
        args.push("--json".into());
    }
    args
}

/// Parse sendmail's argument list (without the program name).
pub fn parse_flags(args: &[String]) -> anyhow::Result<SendmailFlags> {
    let mut flags = SendmailFlags::default();
    let mut long: Vec<String> = Vec::new();
    let mut it = args.iter();
    let usage = |m: String| fail(Code::Usage, m);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--" => {
                flags.recipients.extend(it.by_ref().cloned());
                break;
            }
            "--profile" | "--account" => {
                flags.profile = Some(
                    it.next()
                        .ok_or_else(|| usage(format!("{arg} needs a NAME")))?
                        .clone(),
                )
            }
            "--config" => {
                flags.config = Some(
                    it.next()
                        .ok_or_else(|| usage("--config needs a PATH".into()))?
                        .into(),
                )
            }
            "--json" => flags.json = true,
            // posta's -q before `sendmail` (main.rs reads it: no line for a queued message).
            "--quiet" => {}
            a if a == "--queue" || a.starts_with("--queue=") => {
                let value = match a.strip_prefix("--queue=") {
                    Some(v) => v.to_string(),
                    None => it
                        .next()
                        .ok_or_else(|| usage("--queue needs a POLICY".into()))?
                        .clone(),
                };
                flags.queue = Some(QueuePolicy::from_str(&value, true).map_err(|_| {
                    usage(format!(
                        "--queue {value}: expected never or on-temporary-failure"
                    ))
                })?);
            }
            "--read-envelope-from" => {} // the envelope sender follows From anyway when -f is absent
            a if a.starts_with("--") => {
                long.push(a.to_string());
                let name = a.split('=').next().unwrap_or(a);
                if LONG_WITH_VALUE.contains(&name) && !a.contains('=') {
                    long.push(
                        it.next()
                            .ok_or_else(|| usage(format!("{a} needs a value")))?
                            .clone(),
                    );
                }
            }
            a if a.starts_with('-') && a.len() > 1 => {
                let chars: Vec<char> = a[1..].chars().collect();
                let mut i = 0;
                while i < chars.len() {
                    let c = chars[i];
                    let rest: String = chars[i + 1..].iter().collect();
                    if c == 'p' && i == 0 && chars.len() == 1 {
                        // `-p NAME` (separate word) picks posta's profile, as in CLI.md;
                        // sendmail's own `-pPROTOCOL` is attached and ignored below.
                        flags.profile = Some(
                            it.next()
                                .ok_or_else(|| usage("-p needs a profile NAME".into()))?
                                .clone(),
                        );
                        break;
                    }
                    if WITH_VALUE.contains(c) || ATTACHED_ONLY.contains(c) {
                        let value = if !rest.is_empty() || ATTACHED_ONLY.contains(c) {
                            rest
                        } else {
                            it.next()
                                .ok_or_else(|| usage(format!("-{c} needs a value")))?
                                .clone()
                        };
                        apply_valued(&mut flags, c, value)?;
                        break;
                    }
                    match c {
                        't' => flags.extract_recipients = true,
                        'v' => flags.verbose = flags.verbose.saturating_add(1),
                        'I' => {
                            return Err(usage(
                                "-I (newaliases) is not supported: posta keeps no aliases".into(),
                            ));
                        }
                        c if IGNORED.contains(c) => {}
                        c => return Err(usage(format!("unknown option -{c}"))),
                    }
                    i += 1;
                }
            }
            _ => flags.recipients.push(arg.clone()),
        }
    }
    use clap::Parser as _;
    flags.connection = LongOptions::try_parse_from(&long)
        .map_err(|e| {
            usage(
                e.to_string()
                    .lines()
                    .next()
                    .unwrap_or("bad option")
                    .to_string(),
            )
        })?
        .connection;
    Ok(flags)
}

/// sendmail's convention for a queued message: success (exit 0), said in one line.
fn queued_report(q: Queued) -> Report {
    Report {
        human: format!("queued as {}: {}", q.id, q.reason),
        json: Some(q.json(Code::Ok)),
        data: false,
        exit: None,
    }
}

fn apply_valued(flags: &mut SendmailFlags, c: char, value: String) -> anyhow::Result<()> {
    let unsupported = |what: &str| {
        fail(
            Code::Usage,
            format!("{what} is not supported: posta only submits mail"),
        )
    };
    let about_the_queue = |what: &str| {
        fail(
            Code::Usage,
            format!(
                "{what} is not supported: posta only submits mail (`posta queue list` and `posta queue flush` manage its queue)"
            ),
        )
    };
    match c {
        // `-f '<>'` is the null sender of bounces and autoreplies (MAIL FROM:<>), and
        // `-f '<a@x>'` is `-f a@x`, as sendmail reads them.
        'f' | 'r' => {
            let value = value.trim();
            let bare = value
                .strip_prefix('<')
                .and_then(|v| v.strip_suffix('>'))
                .unwrap_or(value);
            flags.envelope_from = Some(bare.to_string());
        }
        'F' => flags.full_name = Some(value),
        'N' => {
            flags.dsn_notify = Some(
                Dsn::parse_notify(&value).map_err(|why| fail(Code::Usage, format!("-N: {why}")))?,
            )
        }
        'R' => {
            // RFC 3461 spells the values FULL and HDRS, as `posta send` sends them.
            let v = value.to_ascii_uppercase();
            if v != "FULL" && v != "HDRS" {
                return Err(fail(
                    Code::Usage,
                    format!("-R {value}: expected full or hdrs"),
                ));
            }
            flags.dsn_return = Some(v);
        }
        'V' => flags.envid = Some(value),
        'o' if value == "i" => {}
        'b' => match value.as_str() {
            "m" => {}
            "s" => return Err(unsupported("-bs (SMTP on stdin)")),
            "p" => return Err(about_the_queue("-bp (list the queue)")),
            "d" | "D" => return Err(unsupported("-bd (run as a daemon)")),
            other => return Err(unsupported(&format!("-b{other}"))),
        },
        'q' => return Err(about_the_queue("-q (process the queue)")),
        // -o…, -O, -B, -C, -h, -L, -X, -A, -e, -p: legacy options, accepted and ignored.
        _ => {}
    }
    Ok(())
}

/// Run sendmail mode with its raw arguments.
pub fn run(
    args: &[String],
    console: &mut Console<'_>,
    stdin: &mut dyn BufRead,
) -> anyhow::Result<Report> {
    let flags = parse_flags(args)?;
    // sendmail's own --config and --profile, else the environment clap reads in posta's
    // own syntax.
    let mut request = config::Request {
        config_path: flags
            .config
            .clone()
            .or_else(|| std::env::var_os("POSTA_CONFIG").map(PathBuf::from)),
        profile: flags
            .profile
            .clone()
            .or_else(|| std::env::var("POSTA_PROFILE").ok()),
        from_hint: None,
        overrides: (&flags.connection).into(),
    };
    if console.stdin_is_terminal {
        // sendmail on a terminal would wait for a message typed by hand; say how to end it.
        let _ = writeln_err(
            console,
            "sendmail: reading the message from the terminal; end it with Ctrl-D",
        );
    }

    let block = raw::read_header_block(stdin)?;
    request.from_hint = flags.envelope_from.clone().or_else(|| block.from_address());
    let mut account = config::resolve(&request)?;
    if flags.verbose > 0
        && let Some(why) = &account.chosen
    {
        let _ = writeln_err(console, &format!("sendmail: {why}"));
    }
    let opts = RawOptions {
        extract_recipients: flags.extract_recipients,
        envelope_from: flags.envelope_from.clone(),
        full_name: flags.full_name.clone(),
        default_from: account.from.clone(),
        recipients: flags.recipients.clone(),
    };
    let mut spooled = block.spool(stdin, &opts)?;
    submit::check_per_message_limit(&account, spooled.envelope.to.len())?;
    let login_address = account
        .from
        .clone()
        .unwrap_or_else(|| spooled.envelope.from.clone());
    let dsn = Dsn {
        notify: flags.dsn_notify.clone(),
        ret: flags.dsn_return.clone(),
        envid: flags.envid.clone(),
    }
    .with_default_envid(&spooled.message_id);
    let envelope = spooled.envelope.clone();
    let message_id = spooled.message_id.clone();
    // What the queue records with the message.
    let origin = Origin {
        config: request.config_path.clone(),
        overrides: request.overrides.clone(),
    };
    let submission = Submission {
        origin: &origin,
        envelope: &envelope,
        dsn: &dsn,
        message_id: &message_id,
        login_hint: Some(login_address),
        policy: submit::queueing::policy(flags.queue, &account, QueuePolicy::OnTemporaryFailure),
    };
    // sendmail's flags have no -q: a terminal is the whole test (cron and scripts never
    // give one), with --json and -v still turning the bar off.
    let progress =
        progress::Switch::decide(console.stderr_is_terminal, false, flags.json, flags.verbose);
    let err = &mut *console.err;
    let mut warnings = Vec::new();
    let delivered = submit::deliver(
        &mut account,
        &submission,
        &mut SpooledPayload(&mut spooled),
        &mut |settings, payload| {
            let mut upload = progress.upload(payload);
            let mut transcript = Transcript {
                out: &mut *err,
                level: flags.verbose,
            };
            smtp::submit(
                settings,
                &envelope,
                &dsn,
                &mut upload,
                (flags.verbose > 0).then_some(&mut transcript),
            )
        },
        &mut warnings,
    );
    for warning in warnings {
        writeln!(console.err, "sendmail: warning: {warning}")?;
    }
    let outcome = match delivered? {
        Delivery::Sent(outcome) => outcome,
        // sendmail's convention: queued is success (exit 0), said in one line.
        Delivery::Queued(queued) => return Ok(queued_report(queued)),
    };
    // Rare, and about this message (its 8-bit bytes, its DSN request): worth a line
    // even in sendmail mode, which is otherwise silent on success.
    for warning in &outcome.warnings {
        writeln!(console.err, "sendmail: warning: {warning}")?;
    }
    let mut report = submission_report(&outcome, &message_id);
    // sendmail is silent on success: cron mails whatever it prints.
    report.human.clear();
    Ok(report)
}

fn writeln_err(console: &mut Console<'_>, line: &str) -> io::Result<()> {
    writeln!(console.err, "{line}")
}

#[cfg(test)]
mod tests;
