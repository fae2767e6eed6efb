//! `posta send`: compose from flags (or, on a terminal with no body, in the editor:
//! `editor`), then show (--dry-run) or submit.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Console, Report};
use crate::cli::{GlobalArgs, SendArgs};
use crate::config::{self, Account};
use crate::envelope::Dsn;
use crate::message::markdown::Markdown;
use crate::message::{self, Attachment, BodySource, Composed, Draft};
use crate::model::exit_code::{Code, Hint};
use crate::model::{DsnRet, QueuePolicy};
use crate::progress;
use crate::smtp::{self, SmtpError, SmtpErrorKind, Transcript};
use crate::submit::payload::ComposedPayload;
use crate::submit::{self, Delivery, Submission};

mod editor;

pub fn run(
    global: &GlobalArgs,
    args: SendArgs,
    console: &mut Console<'_>,
) -> anyhow::Result<Report> {
    let mut draft = draft_from_args(&args, console.stdin_is_terminal);
    // A dry run needs no account; but when there is one (a profile, or --server) it is
    // checked as far as a real send checks it before connecting.
    let mut request = global.request(&args.connection, args.from.as_deref());
    request.overrides.save_sent = args.save_sent();
    let account = if args.dry_run {
        config::resolve_if_any(&request)?
    } else {
        Some(config::resolve(&request)?)
    };
    if draft.from.is_empty()
        && let Some(account) = &account
    {
        draft.from = account.from_for_header()?.unwrap_or_default().to_string();
    }
    if !opens_editor(&draft, console.stdin_is_terminal) {
        return finish(global, &args, draft, account, None, console);
    }
    // The account was checked first, so a mistake there costs no writing.
    let file = editor::edit(&mut draft)?;
    let from = Some(draft.from.clone()).filter(|f| !f.is_empty());
    match finish(global, &args, draft, account, from, console) {
        Ok(report) => {
            file.remove();
            Ok(report)
        }
        Err(e) => Err(file.keep(e)),
    }
}

/// Whether `send` opens the editor: on a terminal, with no text or HTML body given
/// (and so no stdin to read), like `git commit`. Before, such a send went out empty.
pub fn opens_editor(draft: &Draft, stdin_is_terminal: bool) -> bool {
    stdin_is_terminal && draft.text.is_none() && draft.html.is_none() && draft.markdown.is_none()
}

/// Check, then show (--dry-run) or submit the draft. `edited_from`: the From the user
/// saved in the editor, which replaces --from and the profile's for the sender checks.
fn finish(
    global: &GlobalArgs,
    args: &SendArgs,
    draft: Draft,
    account: Option<Account>,
    edited_from: Option<String>,
    console: &mut Console<'_>,
) -> anyhow::Result<Report> {
    let cid_warnings = message::cid::warnings(draft.html.as_ref(), &draft.inline);
    // Everything about the message is checked before a password is asked for.
    let composed = message::prepare(draft)?;
    if global.verbose > 0 {
        for note in &composed.notes {
            writeln!(console.err, "posta: {note}")?;
        }
    }
    for warning in cid_warnings {
        writeln!(console.err, "posta: warning: {warning}")?;
    }
    let Some(mut account) = account else {
        return dry_run(&composed, global.json, console);
    };
    if global.verbose > 0
        && let Some(why) = &account.chosen
    {
        writeln!(console.err, "posta: {why}")?;
    }
    submit::check_per_message_limit(&account, composed.envelope.to.len())?;
    let from_address = config::account::bare_address(
        &edited_from
            .or(args.from.clone())
            .or(account.from.clone())
            .unwrap_or_default(),
    );
    submit::sender::check_provider_rules(&account, &from_address)?;
    if args.dry_run {
        return dry_run(&composed, global.json, console);
    }
    let dsn = Dsn {
        notify: args.dsn_notify.clone(),
        ret: args.dsn_return.map(|r| match r {
            DsnRet::Full => "FULL".to_string(),
            DsnRet::Hdrs => "HDRS".to_string(),
        }),
        envid: None,
    }
    .with_default_envid(&composed.message_id);
    let mut origin = global.origin(&args.connection);
    origin.overrides.save_sent = args.save_sent();
    let submission = Submission {
        origin: &origin,
        envelope: &composed.envelope,
        dsn: &dsn,
        message_id: &composed.message_id,
        login_hint: Some(from_address.clone()),
        bcc: composed.bcc_field.as_bytes(),
        trace_copy: global.verbose > 0,
        policy: submit::queueing::policy(args.queue, &account, QueuePolicy::Never),
        hold_first: false,
        local_user: None,
    };
    let level = global.verbose;
    let progress =
        progress::Switch::decide(console.stderr_is_terminal, global.quiet, global.json, level);
    let mut payload = ComposedPayload {
        composed: &composed,
        size: composed.size().ok(),
    };
    let err = &mut *console.err;
    let mut warnings = Vec::new();
    let delivered = submit::deliver(
        &mut account,
        &submission,
        &mut payload,
        &mut |settings, payload| {
            // Said once the secret is at hand, just before it goes out unprotected.
            if settings.tls.insecure {
                let _ = writeln!(
                    err,
                    "posta: warning: --insecure: the server certificate is not checked; anyone on the path can read this message and the password"
                );
            }
            let mut upload = progress.upload(payload);
            let mut transcript = Transcript {
                out: &mut *err,
                level,
            };
            smtp::submit(
                settings,
                &composed.envelope,
                &dsn,
                &mut upload,
                (level > 0).then_some(&mut transcript),
            )
        },
        &mut warnings,
    );
    for warning in warnings {
        writeln!(console.err, "posta: warning: {warning}")?;
    }
    match delivered.map_err(|e| with_provider_hint(e, &account))? {
        Delivery::Sent(outcome, copy) => {
            for warning in &outcome.warnings {
                writeln!(console.err, "posta: warning: {warning}")?;
            }
            for line in copy.transcript() {
                writeln!(console.err, "{line}")?;
            }
            if let (submit::SentCopy::Saved { folder, .. }, true) = (&copy, level > 0) {
                writeln!(
                    console.err,
                    "posta: a copy saved in {}",
                    crate::model::text::for_terminal(folder)
                )?;
            }
            let mut report = super::submission_report(&outcome, &composed.message_id);
            if let Some(json) = &mut report.json {
                copy.add_json(json);
            }
            Ok(report)
        }
        Delivery::Partly {
            outcome,
            queued,
            copy,
        } => {
            for warning in &outcome.warnings {
                writeln!(console.err, "posta: warning: {warning}")?;
            }
            for line in copy.transcript() {
                writeln!(console.err, "{line}")?;
            }
            Ok(super::partly_report(
                &outcome,
                queued.as_ref(),
                &copy,
                &composed.message_id,
                false,
            ))
        }
        // Not an error (the message is safe), but not sent yet: exit 75.
        Delivery::Queued(queued) => {
            if !global.quiet {
                writeln!(console.err, "posta: {queued}")?;
            }
            Ok(Report {
                human: String::new(),
                json: Some(queued.json(Code::TempFail)),
                data: false,
                exit: Some(Code::TempFail),
            })
        }
    }
}

/// Advice for failures whose cause is usually a setting: an authentication failure at a
/// known provider gets the provider's password rule; a silent greeting on a STARTTLS
/// connection is usually an implicit-TLS port.
fn with_provider_hint(err: anyhow::Error, account: &Account) -> anyhow::Error {
    let Some(smtp_err) = err.downcast_ref::<SmtpError>() else {
        return err;
    };
    let auth_refused = matches!(smtp_err.kind, SmtpErrorKind::AuthFailed(_));
    let silent_greeting = smtp_err.stage == smtp::Stage::Greeting
        && matches!(smtp_err.kind, SmtpErrorKind::Timeout)
        && account.settings.security == smtp::Security::StartTls;
    if silent_greeting {
        return err.context(Hint(format!(
            "port {} may expect TLS from the first byte: try --security tls",
            account.settings.port
        )));
    }
    // Neither EHLO nor HELO is a command an LMTP server knows (RFC 2033 §4.1): a
    // delivery agent's socket, spoken to in SMTP.
    let no_hello = smtp_err.stage == smtp::Stage::Ehlo
        && matches!(&smtp_err.kind, SmtpErrorKind::Rejected(r) if r.code == 500)
        && account.settings.protocol == crate::model::Protocol::Smtp;
    if no_hello {
        return err.context(Hint(
            "if this is an LMTP server (a delivery agent such as Dovecot's), add \
             --protocol lmtp"
                .into(),
        ));
    }
    match account.preset {
        Some(p) if auth_refused => {
            let page = p
                .app_password_page
                .map(|u| format!(" App passwords: {u}"))
                .unwrap_or_default();
            err.context(Hint(format!("{}{page}", p.note)))
        }
        _ => err,
    }
}

/// The largest message `--json send --dry-run` carries inside its object (as base64);
/// a larger one is described (size, Message-ID, envelope) but not included.
pub const MAX_DRY_RUN_JSON: u64 = 1 << 20;

/// Everything was checked (and every file opened) before the first byte goes out, so
/// an error leaves stdout empty. Without `--json` the message bytes go to stdout; with
/// it stdout holds one JSON object only, the bytes inside as `message_base64` when the
/// message is at most [`MAX_DRY_RUN_JSON`] octets (else `null`, and `message_omitted`
/// says why and what to run instead).
fn dry_run(composed: &Composed, json: bool, console: &mut Console<'_>) -> anyhow::Result<Report> {
    let mut object = serde_json::json!({
        "status": "dry-run",
        "message_id": composed.message_id,
        "envelope": {
            "from": composed.envelope.from,
            "to": composed.envelope.to,
            "smtputf8": composed.envelope.smtputf8,
        },
    });
    if json {
        use base64::Engine;
        let size = composed.size()?;
        object["size"] = serde_json::json!(size);
        if size <= MAX_DRY_RUN_JSON {
            let mut bytes = Vec::with_capacity(size as usize);
            composed.write_to(&mut bytes)?;
            object["message_base64"] =
                serde_json::json!(base64::engine::general_purpose::STANDARD.encode(&bytes));
        } else {
            object["message_base64"] = serde_json::Value::Null;
            object["message_omitted"] = serde_json::json!(format!(
                "the message is {size} octets, over the {MAX_DRY_RUN_JSON} that --json \
                 carries inline; run the same command without --json to get its bytes \
                 on stdout"
            ));
        }
    } else {
        composed.write_to(console.out)?;
        console.out.flush()?;
    }
    write_envelope(composed, console.err)?;
    Ok(Report {
        human: String::new(),
        json: Some(object),
        data: false,
        exit: None,
    })
}

/// The draft the flags describe. Positional recipients are To. The text body is
/// --body, --body-file (`-` is stdin), or — with neither, no HTML body, and a stdin
/// that is not a terminal — stdin. (With HTML given we do not read stdin: a script
/// run with stdin at /dev/null would otherwise get an empty text alternative.)
pub fn draft_from_args(args: &SendArgs, stdin_is_terminal: bool) -> Draft {
    let source = |path: &Path| {
        if path == Path::new("-") {
            BodySource::Stdin
        } else {
            BodySource::File(path.to_path_buf())
        }
    };
    let html = match (&args.html, &args.html_file) {
        (Some(text), _) => Some(BodySource::Text(text.clone())),
        (None, Some(path)) => Some(source(path)),
        (None, None) => None,
    };
    let markdown = match (&args.markdown, &args.markdown_file) {
        (Some(text), _) => Some((BodySource::Text(text.clone()), PathBuf::from("."))),
        (None, Some(path)) => {
            let base = match path.parent() {
                Some(dir) if path != Path::new("-") && !dir.as_os_str().is_empty() => {
                    dir.to_path_buf()
                }
                _ => PathBuf::from("."),
            };
            Some((source(path), base))
        }
        (None, None) => None,
    }
    .map(|(source, base)| Markdown {
        source,
        base,
        allow_html: args.markdown_allow_html,
    });
    let text = match (&args.body, &args.body_file) {
        (Some(text), _) => Some(BodySource::Text(text.clone())),
        (None, Some(path)) => Some(source(path)),
        (None, None)
            if html.is_none()
                && markdown.is_none()
                && !args.attach.iter().any(|a| a == Path::new("-"))
                && !stdin_is_terminal =>
        {
            Some(BodySource::Stdin)
        }
        (None, None) => None,
    };
    let mut to = args.recipients.clone();
    to.extend(args.to.iter().cloned());
    Draft {
        from: args.from.clone().unwrap_or_default(),
        to,
        cc: args.cc.clone(),
        bcc: args.bcc.clone(),
        reply_to: args.reply_to.clone(),
        subject: args.subject.clone(),
        text,
        html,
        markdown,
        attachments: args
            .attach
            .iter()
            .enumerate()
            .map(|(i, path)| {
                let (name, content_type) = args.attach_options.get(i).cloned().unwrap_or_default();
                Attachment {
                    path: path.clone(),
                    name,
                    content_type,
                }
            })
            .collect(),
        inline: args.inline.clone(),
        headers: args.headers.clone(),
        in_reply_to: args.in_reply_to.clone(),
        references: args.references.clone(),
        envelope_from: args.envelope_from.clone(),
    }
}

/// The envelope as the SMTP commands that would carry it.
fn write_envelope(composed: &Composed, err: &mut dyn Write) -> std::io::Result<()> {
    writeln!(err, "MAIL FROM:<{}>", composed.envelope.from)?;
    for rcpt in &composed.envelope.to {
        writeln!(err, "RCPT TO:<{rcpt}>")?;
    }
    err.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdin_is_the_body_only_when_nothing_else_is() {
        let args = SendArgs::default();
        assert_eq!(draft_from_args(&args, false).text, Some(BodySource::Stdin));
        assert_eq!(draft_from_args(&args, true).text, None);
        let args = SendArgs {
            html: Some("<p>x</p>".into()),
            ..SendArgs::default()
        };
        assert_eq!(draft_from_args(&args, false).text, None);
        let args = SendArgs {
            body_file: Some(PathBuf::from("-")),
            ..SendArgs::default()
        };
        assert_eq!(draft_from_args(&args, true).text, Some(BodySource::Stdin));
    }

    #[test]
    fn the_editor_opens_only_on_a_terminal_with_no_body() {
        let none = SendArgs::default();
        assert!(opens_editor(&draft_from_args(&none, true), true));
        assert!(!opens_editor(&draft_from_args(&none, false), false));
        for args in [
            SendArgs {
                body: Some("hi".into()),
                ..SendArgs::default()
            },
            SendArgs {
                html_file: Some(PathBuf::from("x.html")),
                ..SendArgs::default()
            },
            SendArgs {
                body_file: Some(PathBuf::from("-")),
                ..SendArgs::default()
            },
            SendArgs {
                markdown: Some("# hi".into()),
                ..SendArgs::default()
            },
        ] {
            assert!(
                !opens_editor(&draft_from_args(&args, true), true),
                "{args:?}"
            );
        }
    }

    #[test]
    fn stdin_is_not_the_body_when_it_is_an_attachment_or_the_markdown() {
        let args = SendArgs {
            attach: vec![PathBuf::from("-")],
            ..SendArgs::default()
        };
        assert_eq!(draft_from_args(&args, false).text, None);
        let args = SendArgs {
            markdown_file: Some(PathBuf::from("notes/a.md")),
            ..SendArgs::default()
        };
        let draft = draft_from_args(&args, false);
        assert_eq!(draft.text, None);
        let md = draft.markdown.unwrap();
        assert_eq!(md.base, PathBuf::from("notes"));
        assert_eq!(md.source, BodySource::File(PathBuf::from("notes/a.md")));
    }

    #[test]
    fn positional_recipients_are_to() {
        let args = SendArgs {
            recipients: vec!["a@x.org".into()],
            to: vec!["b@x.org".into()],
            ..SendArgs::default()
        };
        assert_eq!(draft_from_args(&args, true).to, ["a@x.org", "b@x.org"]);
    }
}
