//! The top of the error path: what exit code an error chain means and how it is said
//! (the message, once per cause, and the hints on their own lines). Only `main` and the
//! commands' reports use it; the layers below attach typed errors
//! ([`crate::model::exit_code`]) and never decide how they are printed.

use crate::model::exit_code::{Code, Failure, Hint, io_text};

/// Split an error into its message (the cause chain) and the hint on top, if any.
/// A hint must be the outermost context: anyhow can only recover its type there.
///
/// Many errors say their cause in their own text and also return it as `source()`
/// (thiserror's `{source}` with `#[source]`, a context written as `"…: {e}"`), so a
/// cause the message already ends with is not repeated. I/O errors are in words,
/// without Rust's "(os error N)".
pub fn message_and_hints(err: &anyhow::Error) -> (String, Vec<String>) {
    let hint = err.downcast_ref::<Hint>().map(|h| h.0.clone());
    let skip = usize::from(hint.is_some());
    let mut message = String::new();
    for cause in err.chain().skip(skip) {
        let raw = cause.to_string();
        let text = match cause.downcast_ref::<std::io::Error>() {
            Some(io) => io_text(io),
            None => raw.clone(),
        };
        if text.is_empty() || message.ends_with(&raw) || message.ends_with(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
    }
    (message, hint.into_iter().collect())
}

/// The exit code for an error: the first typed cause in the chain decides.
pub fn code_of(err: &anyhow::Error) -> Code {
    for cause in err.chain() {
        if let Some(f) = cause.downcast_ref::<Failure>() {
            return f.code;
        }
        if let Some(e) = cause.downcast_ref::<crate::smtp::SmtpError>() {
            return e.exit_code();
        }
        if let Some(e) = cause.downcast_ref::<crate::message::ComposeError>() {
            return e.exit_code();
        }
        if let Some(e) = cause.downcast_ref::<crate::config::ConfigError>() {
            return e.exit_code();
        }
        if let Some(e) = cause.downcast_ref::<crate::oauth::OAuthError>() {
            return e.exit_code();
        }
    }
    for cause in err.chain() {
        if cause.downcast_ref::<std::io::Error>().is_some() {
            return Code::IoErr;
        }
    }
    Code::Software
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::exit_code::fail;
    use anyhow::Context;

    #[test]
    fn failure_code_found_under_context() {
        let err = Err::<(), _>(fail(Code::NoInput, "missing"))
            .context("while reading")
            .unwrap_err();
        assert_eq!(code_of(&err), Code::NoInput);
    }

    #[test]
    fn hints_are_split_from_the_message_and_keep_the_code() {
        let err = Err::<(), _>(fail(Code::NoPerm, "AUTH refused"))
            .context(Hint("make an app password".into()))
            .unwrap_err();
        assert_eq!(code_of(&err), Code::NoPerm);
        let (message, hints) = message_and_hints(&err);
        assert_eq!(message, "AUTH refused");
        assert_eq!(hints, ["make an app password"]);
    }

    /// A thiserror `{source}` in the text plus `#[source]`, under a context: each
    /// cause once, and the I/O error in words.
    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        #[derive(Debug, thiserror::Error)]
        #[error("cannot read nope.pdf: {}", io_text(source))]
        struct Read {
            #[source]
            source: std::io::Error,
        }
        let missing = std::io::Error::from_raw_os_error(2);
        let err = Err::<(), _>(Read { source: missing })
            .context("attachments")
            .unwrap_err();
        let (message, _) = message_and_hints(&err);
        assert_eq!(
            message,
            "attachments: cannot read nope.pdf: no such file or directory"
        );

        // The raw text, "(os error 2)" and all, is recognised too.
        let raw = std::io::Error::from_raw_os_error(2);
        let err = anyhow::Error::new(raw).context(format!(
            "cannot read x: {}",
            std::io::Error::from_raw_os_error(2)
        ));
        let (message, _) = message_and_hints(&err);
        assert_eq!(
            message,
            "cannot read x: No such file or directory (os error 2)"
        );
    }

    #[test]
    fn plain_io_error_is_74_and_unknown_is_70() {
        let io = anyhow::Error::new(std::io::Error::other("disk"));
        assert_eq!(code_of(&io), Code::IoErr);
        assert_eq!(code_of(&anyhow::anyhow!("?")), Code::Software);
    }
}
