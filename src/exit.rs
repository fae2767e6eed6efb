//! The error kinds posta reports and their sysexits(3) exit codes.
//!
//! Code below `main` attaches a [`Failure`] (or returns an [`crate::smtp::SmtpError`])
//! so that `main` can pick the exit code by walking the error chain.

use std::fmt;

/// sysexits.h codes, as listed in CLI.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Code {
    Ok = 0,
    Usage = 64,
    DataErr = 65,
    NoInput = 66,
    NoUser = 67,
    NoHost = 68,
    Unavailable = 69,
    Software = 70,
    IoErr = 74,
    TempFail = 75,
    Protocol = 76,
    NoPerm = 77,
    Config = 78,
}

impl Code {
    pub fn as_i32(self) -> i32 {
        self as i32
    }
}

/// An error that already knows its exit code. The message is the whole story for
/// the user: what went wrong and, where possible, what to do.
#[derive(Debug)]
pub struct Failure {
    pub code: Code,
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// Shorthand: an `anyhow::Error` carrying an exit code.
pub fn fail(code: Code, message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Failure {
        code,
        message: message.into(),
    })
}

/// Advice attached with `anyhow::Context` on top of an error: `main` prints the error
/// below it as usual and this on a line of its own ("what to do").
#[derive(Debug)]
pub struct Hint(pub String);

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Split an error into its message (the cause chain) and the hint on top, if any.
/// A hint must be the outermost context: anyhow can only recover its type there.
pub fn message_and_hints(err: &anyhow::Error) -> (String, Vec<String>) {
    let hint = err.downcast_ref::<Hint>().map(|h| h.0.clone());
    let skip = usize::from(hint.is_some());
    let parts: Vec<String> = err.chain().skip(skip).map(|c| c.to_string()).collect();
    (parts.join(": "), hint.into_iter().collect())
}

/// The exit code for an error: the first typed cause in the chain decides.
pub fn code_of(err: &anyhow::Error) -> Code {
    for cause in err.chain() {
        if let Some(f) = cause.downcast_ref::<Failure>() {
            return f.code;
        }
        // `posta send`: queued means not sent yet (sendmail mode reports it as success).
        if cause.is::<crate::cmd::queue::Queued>() {
            return Code::TempFail;
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

    #[test]
    fn plain_io_error_is_74_and_unknown_is_70() {
        let io = anyhow::Error::new(std::io::Error::other("disk"));
        assert_eq!(code_of(&io), Code::IoErr);
        assert_eq!(code_of(&anyhow::anyhow!("?")), Code::Software);
    }
}
