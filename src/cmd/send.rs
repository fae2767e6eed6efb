//! `posta send`: compose from flags, then show (--dry-run) or submit.

use std::io::Write;
use std::path::Path;

use super::{Console, Report};
use crate::cli::{GlobalArgs, SendArgs};
use crate::exit::{Code, fail};
use crate::message::{self, BodySource, Composed, Draft};

pub fn run(
    _global: &GlobalArgs,
    args: SendArgs,
    console: &mut Console<'_>,
) -> anyhow::Result<Report> {
    if !args.dry_run {
        return Err(fail(Code::Software, "`posta send` is not implemented yet"));
    }
    let draft = draft_from_args(&args, console.stdin_is_terminal);
    // Everything is checked (and every file opened) before the first byte goes out,
    // so an error leaves stdout empty.
    let composed = message::prepare(draft)?;
    composed.write_to(console.out)?;
    console.out.flush()?;
    write_envelope(&composed, console.err)?;
    Ok(Report {
        human: String::new(),
        json: Some(serde_json::json!({
            "status": "dry-run",
            "message_id": composed.message_id,
            "envelope": {
                "from": composed.envelope.from,
                "to": composed.envelope.to,
                "smtputf8": composed.envelope.smtputf8,
            },
        })),
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
    let text = match (&args.body, &args.body_file) {
        (Some(text), _) => Some(BodySource::Text(text.clone())),
        (None, Some(path)) => Some(source(path)),
        (None, None) if html.is_none() && !stdin_is_terminal => Some(BodySource::Stdin),
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
        attachments: args.attach.clone(),
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
    use std::path::PathBuf;

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
    fn positional_recipients_are_to() {
        let args = SendArgs {
            recipients: vec!["a@x.org".into()],
            to: vec!["b@x.org".into()],
            ..SendArgs::default()
        };
        assert_eq!(draft_from_args(&args, true).to, ["a@x.org", "b@x.org"]);
    }
}
