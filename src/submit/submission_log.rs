//! The submission log (a profile's `log_file`): one line per message handed to a
//! server, whatever the outcome — time, profile, server, TLS, envelope, size, the
//! server's last word or the error, and the exit code. Never a secret: nothing from
//! the credentials is given to it.
//!
//! Each line is written with one `write` on a file opened with O_APPEND, so lines
//! from several posta processes never interleave.

use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;

use crate::config::Account;
use crate::envelope::Envelope;
use crate::model::exit_code::Code;
use crate::report;
use crate::smtp::SmtpError;

use super::{Delivery, SentCopy};

/// Append the line for one submission to the account's log file, if it has one.
/// A log that cannot be written does not change the outcome: it costs a warning,
/// returned for the caller to print under its own name (`posta:` or `sendmail:`);
/// the message is already sent, or already failed for its own reason.
#[must_use = "a log that cannot be written is a warning to print"]
pub fn submission(
    account: &Account,
    local_user: Option<&str>,
    envelope: &Envelope,
    size: Option<u64>,
    result: Result<&Delivery, &anyhow::Error>,
) -> Option<String> {
    let path = account.log_file.as_ref()?;
    let line = line(
        &chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        account,
        local_user,
        envelope,
        size,
        result,
    );
    append(path, &line).err().map(|e| {
        // ENXIO: a FIFO that nobody is reading (opened non-blocking, see `append`).
        #[cfg(unix)]
        let unread_fifo = e.raw_os_error() == Some(libc::ENXIO);
        #[cfg(not(unix))]
        let unread_fifo = false;
        let why = if unread_fifo {
            "it is a FIFO (named pipe) that nobody is reading".to_string()
        } else {
            crate::model::exit_code::io_text(&e)
        };
        format!("cannot write the log file {}: {why}", path.display())
    })
}

/// The log line (with its newline), as `key=value` pairs.
fn line(
    time: &str,
    account: &Account,
    local_user: Option<&str>,
    envelope: &Envelope,
    size: Option<u64>,
    result: Result<&Delivery, &anyhow::Error>,
) -> String {
    let settings = &account.settings;
    let mut pairs: Vec<(&str, String)> = vec![
        ("time", time.to_owned()),
        (
            "profile",
            account.profile.clone().unwrap_or_else(|| "-".into()),
        ),
    ];
    match result {
        Ok(Delivery::Sent(outcome, _) | Delivery::Partly { outcome, .. }) => {
            pairs.push(("server", outcome.server.clone()));
            pairs.push(("tls", outcome.security.trim().to_owned()));
        }
        Ok(Delivery::Queued(_)) | Err(_) => {
            pairs.push(("server", settings.server()));
            pairs.push(("tls", settings.security.name().to_owned()));
        }
    }
    // Who handed it over, where posta knows (a Unix socket's peer): the envelope
    // sender is what the client claimed, this is who it was.
    if let Some(user) = local_user {
        pairs.push(("user", user.to_owned()));
    }
    pairs.push(("from", envelope.from.clone()));
    pairs.push(("to", envelope.to.join(",")));
    pairs.push((
        "size",
        size.map_or_else(|| "-".to_owned(), |n| n.to_string()),
    ));
    match result {
        Ok(Delivery::Sent(outcome, copy)) => {
            pairs.push(("status", "sent".into()));
            pairs.push(("reply", outcome.final_reply.to_string()));
            pairs.push(("exit", "0".into()));
            copy_pairs(&mut pairs, copy);
        }
        // Who did not get it, with what the server said; the exit code `send` gives.
        Ok(Delivery::Partly {
            outcome,
            queued,
            copy,
        }) => {
            pairs.push(("status", "partly".into()));
            pairs.push(("reply", outcome.final_reply.to_string()));
            let refused: Vec<String> = (outcome.refused.iter())
                .map(|r| format!("{} {}", r.address, r.reply))
                .collect();
            pairs.push(("refused", refused.join("; ")));
            if let Some(q) = queued {
                pairs.push(("queued", q.id.clone()));
            }
            let code = super::partly::exit_code(outcome, queued.as_ref(), false);
            pairs.push(("exit", code.as_i32().to_string()));
            copy_pairs(&mut pairs, copy);
        }
        // Not sent (yet): the line says where it waits, with `send`'s exit code.
        Ok(Delivery::Queued(queued)) => {
            pairs.push(("status", "failed".into()));
            pairs.push(("error", queued.to_string()));
            pairs.push(("exit", Code::TempFail.as_i32().to_string()));
        }
        Err(err) => {
            pairs.push(("status", "failed".into()));
            let smtp = err.chain().find_map(|c| c.downcast_ref::<SmtpError>());
            if let Some(reply) = smtp.and_then(SmtpError::reply) {
                pairs.push(("reply", reply.to_string()));
            }
            pairs.push(("error", report::message_and_hints(err).0));
            pairs.push(("exit", report::code_of(err).as_i32().to_string()));
        }
    }
    let mut out = String::new();
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{key}={}", quote(value));
    }
    out.push('\n');
    out
}

/// A value as is when it is one plain word, else in double quotes with `"` and `\`
/// escaped; control characters and bidi overrides (a server's reply could hold some)
/// become visible escapes (`model::text`, the one sanitiser) so that a line stays a
/// line and a terminal reading the log is not steered.
fn quote(value: &str) -> String {
    let clean = crate::model::text::for_terminal(value);
    let plain = !clean.is_empty()
        && !clean
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '\\' || c == '=');
    if plain {
        return clean.into_owned();
    }
    let mut out = String::with_capacity(clean.len() + 2);
    out.push('"');
    for c in clean.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// One write of the whole line at the end of the file; the file is made private
/// (it names correspondents) and its directory is created when missing. Opened
/// non-blocking: a FIFO nobody reads would otherwise hold posta at the open for ever
/// (now: an error, which the caller reports as a warning).
fn append(path: &Path, line: &str) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NONBLOCK);
    }
    let mut file = options.open(path)?;
    // A file someone else made (planted in a shared directory before posta created
    // it) keeps its owner and mode: posta does not tell them who you mail.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let owner = file.metadata()?.uid();
        if owner != 0 && crate::private_fs::current_uid().is_some_and(|me| me != owner) {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "it is owned by uid {owner}, not by you; posta writes its log only to a \
                     file of yours (remove it, or set another log_file)"
                ),
            ));
        }
    }
    // O_APPEND makes each write land at the end; a regular file takes a line this
    // short in one write, so concurrent writers cannot split it.
    file.write_all(line.as_bytes())
}

/// What became of the copy in Sent, as the line's `saved` pairs.
fn copy_pairs(pairs: &mut Vec<(&'static str, String)>, copy: &SentCopy) {
    match copy {
        SentCopy::Off => {}
        SentCopy::Saved { folder, .. } => {
            pairs.push(("saved", "yes".into()));
            pairs.push(("saved_to", folder.clone()));
        }
        SentCopy::NotSaved { reason, .. } => {
            pairs.push(("saved", "no".into()));
            pairs.push(("save_error", reason.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_with_spaces_or_quotes_are_quoted_and_stay_on_one_line() {
        assert_eq!(quote("a@x.org"), "a@x.org");
        assert_eq!(quote(""), "\"\"");
        assert_eq!(quote("250 2.0.0 Ok"), "\"250 2.0.0 Ok\"");
        assert_eq!(
            quote("say \"hi\"\r\nNEXT\x1b"),
            "\"say \\\"hi\\\"\\\\r\\\\nNEXT\\\\x1b\""
        );
        assert_eq!(quote("k=v"), "\"k=v\"");
    }

    #[test]
    fn lines_are_appended_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/dir/posta.log");
        append(&path, "one\n").unwrap();
        append(&path, "two\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one\ntwo\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
