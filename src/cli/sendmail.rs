//! sendmail(8)'s own flag syntax, for `posta sendmail` and the binary invoked as
//! `sendmail`: flags are parsed the way sendmail parses them, not by clap: `-oi`,
//! `-fADDR`, `-f ADDR` and `-ti` must all work as they do for cron and mailx. What the
//! flags ask for is [`SendmailFlags`]; `cmd::sendmail` runs it.

use std::path::PathBuf;

use super::{ConnectionArgs, GlobalArgs, QueuePolicy};
use crate::envelope::Dsn;
use crate::model::exit_code::{Code, fail};
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
    /// What was asked: send a message (the default), or a queue operation.
    pub mode: SendmailMode,
}

impl SendmailFlags {
    /// posta's global options as these flags give them: sendmail's own `--config` and
    /// `--profile`, else the environment clap reads in posta's own syntax.
    pub fn global(&self) -> GlobalArgs {
        GlobalArgs {
            config: self
                .config
                .clone()
                .or_else(|| std::env::var_os("POSTA_CONFIG").map(PathBuf::from)),
            profile: self
                .profile
                .clone()
                .or_else(|| std::env::var("POSTA_PROFILE").ok()),
            verbose: self.verbose,
            quiet: false,
            json: self.json,
        }
    }
}

/// What a sendmail command line asks for.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum SendmailMode {
    /// Read a message on stdin and send it.
    #[default]
    Send,
    /// `-bp` (and the binary invoked as `mailq`): `posta queue list`.
    ListQueue,
    /// `-q`: `posta queue flush` (what is due), once.
    FlushQueue,
    /// `-bs`: an SMTP dialogue on stdin and stdout, each message sent as `-t` would
    /// send it (what Symfony Mailer and Laravel run by default).
    Smtp,
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
    "--tls-cert",
    "--tls-key",
    "--tls-fingerprint",
    "--timeout",
    "--ehlo",
    "--protocol",
    "--proxy",
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
                "{what} is not supported: posta does not stay running; run `posta queue flush` (or `sendmail -q`) from cron or a systemd timer"
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
            "s" => flags.mode = SendmailMode::Smtp,
            "p" => flags.mode = SendmailMode::ListQueue,
            "d" | "D" => return Err(unsupported("-bd (run as a daemon)")),
            other => return Err(unsupported(&format!("-b{other}"))),
        },
        'q' if value.is_empty() => flags.mode = SendmailMode::FlushQueue,
        // `-q30m`: a queue runner that stays; posta runs once, from cron or a timer.
        'q' => {
            return Err(about_the_queue(&format!(
                "-q{value} (a queue runner every {value})"
            )));
        }
        // -o…, -O, -B, -C, -h, -L, -X, -A, -e, -p: legacy options, accepted and ignored.
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f_takes_the_null_sender_and_angle_brackets() {
        assert_eq!(
            p(&["-f", "<>", "a@x.org"])
                .unwrap()
                .envelope_from
                .as_deref(),
            Some("")
        );
        assert_eq!(
            p(&["-f<>", "a@x.org"]).unwrap().envelope_from.as_deref(),
            Some("")
        );
        assert_eq!(
            p(&["-r", "<b@x.org>", "a@x.org"])
                .unwrap()
                .envelope_from
                .as_deref(),
            Some("b@x.org")
        );
    }

    fn after_globals(args: &[&str]) -> Option<Vec<String>> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        args_after_global_options(&args)
    }

    #[test]
    fn global_options_before_sendmail_become_its_own_spellings() {
        assert_eq!(
            after_globals(&["-c", "a.toml", "-pwork", "-vv", "--json", "sendmail", "-t"]).unwrap(),
            [
                "--config",
                "a.toml",
                "--profile",
                "work",
                "-v",
                "-v",
                "--json",
                "-t"
            ]
        );
        assert_eq!(
            after_globals(&["--account=x", "--config=b", "-q", "sendmail", "-V", "id"]).unwrap(),
            ["--profile", "x", "--config", "b", "--quiet", "-V", "id"]
        );
        // Later ones win: the profile after `sendmail` is parsed last.
        let args = after_globals(&["-p", "a", "sendmail", "-p", "b"]).unwrap();
        assert_eq!(
            p(&args.iter().map(String::as_str).collect::<Vec<_>>())
                .unwrap()
                .profile
                .as_deref(),
            Some("b")
        );
        assert_eq!(after_globals(&["sendmail", "bob"]).unwrap(), ["bob"]);
        // Not sendmail, or asking for help: clap's business.
        assert_eq!(after_globals(&["send", "sendmail"]), None);
        assert_eq!(after_globals(&["-p", "a", "sendmail", "--help"]), None);
        assert_eq!(after_globals(&["sendmail", "-h"]), None);
        assert_eq!(after_globals(&["-p"]), None);
        assert_eq!(after_globals(&[]), None);
    }

    fn p(args: &[&str]) -> anyhow::Result<SendmailFlags> {
        parse_flags(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn common_invocations() {
        let f = p(&["-t", "-oi", "-f", "cron@x.org", "-FCron Daemon"]).unwrap();
        assert!(f.extract_recipients);
        assert_eq!(f.envelope_from.as_deref(), Some("cron@x.org"));
        assert_eq!(f.full_name.as_deref(), Some("Cron Daemon"));
        let f = p(&["-ti", "-fme@x.org", "--", "-odd@x.org", "b@x.org"]).unwrap();
        assert!(f.extract_recipients);
        assert_eq!(f.envelope_from.as_deref(), Some("me@x.org"));
        assert_eq!(f.recipients, ["-odd@x.org", "b@x.org"]);
    }

    #[test]
    fn legacy_flags_are_ignored() {
        let f = p(&[
            "-oem",
            "-odi",
            "-bm",
            "-i",
            "-O",
            "DeliveryMode=b",
            "-em",
            "a@x.org",
        ])
        .unwrap();
        assert_eq!(f.recipients, ["a@x.org"]);
    }

    #[test]
    fn queue_policy_flag() {
        let f = p(&["--queue", "never", "a@x.org"]).unwrap();
        assert_eq!(f.queue, Some(QueuePolicy::Never));
        assert_eq!(f.recipients, ["a@x.org"]);
        let f = p(&["--queue=on-temporary-failure", "-t"]).unwrap();
        assert_eq!(f.queue, Some(QueuePolicy::OnTemporaryFailure));
        assert!(p(&["--queue", "always"]).is_err());
        assert!(p(&["--queue"]).is_err());
        assert_eq!(p(&["a@x.org"]).unwrap().queue, None);
    }

    #[test]
    fn dsn_flags() {
        let f = p(&[
            "-N",
            "success,failure",
            "-R",
            "HDRS",
            "-V",
            "env1",
            "a@x.org",
        ])
        .unwrap();
        assert_eq!(f.dsn_notify.as_deref(), Some("SUCCESS,FAILURE"));
        assert_eq!(f.dsn_return.as_deref(), Some("HDRS"));
        assert_eq!(f.envid.as_deref(), Some("env1"));
        assert!(p(&["-R", "all"]).is_err());
        let err = p(&["-N", "never,success"]).unwrap_err();
        assert_eq!(crate::report::code_of(&err), Code::Usage);
    }

    #[test]
    fn queue_modes_smtp_on_stdin_and_a_daemon_refused_with_64() {
        assert_eq!(p(&["-bp"]).unwrap().mode, SendmailMode::ListQueue);
        assert_eq!(p(&["-q"]).unwrap().mode, SendmailMode::FlushQueue);
        assert_eq!(p(&["-t"]).unwrap().mode, SendmailMode::Send);
        assert_eq!(p(&["-bs", "-i"]).unwrap().mode, SendmailMode::Smtp);
        for args in [&["-q30m"][..], &["-bd"]] {
            let err = p(args).unwrap_err();
            assert_eq!(crate::report::code_of(&err), Code::Usage, "{args:?}");
            assert!(err.to_string().contains("not supported"), "{err}");
        }
    }

    #[test]
    fn posta_options_and_verbosity() {
        let f = p(&["-p", "home", "-pESMTP", "a@x.org"]).unwrap();
        assert_eq!(f.profile.as_deref(), Some("home"));
        assert_eq!(f.recipients, ["a@x.org"]);
        let f = p(&["-v", "-v", "--profile", "work", "--json", "a@x.org"]).unwrap();
        assert_eq!((f.verbose, f.json), (2, true));
        assert_eq!(f.profile.as_deref(), Some("work"));
        assert!(p(&["-f"]).is_err());
        assert!(p(&["--bogus"]).is_err());
        let f = p(&[
            "--server",
            "127.0.0.1:2525",
            "--insecure",
            "--timeout=5",
            "a@x.org",
        ])
        .unwrap();
        assert_eq!(
            f.connection.server.as_ref().map(|s| s.as_str()),
            Some("127.0.0.1:2525")
        );
        assert!(f.connection.insecure);
        assert_eq!(f.connection.timeout, Some(5));
    }
}
