//! The exit codes posta reports (sysexits(3)) and the error vehicles that carry one:
//! [`Failure`] (via [`fail`]), [`Hint`] for what to do, and [`io_text`] for an I/O
//! error in words. A leaf, so that every layer can say what its errors mean for the
//! exit code (each typed error's `exit_code()`) without knowing who reports them;
//! turning an error chain into a code and a message is `report`'s job.

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

/// An I/O error as a person reads it: "connection refused", not "Connection refused
/// (os error 111)". The errno adds nothing the words do not say; the first letter is
/// lowered because the text always follows "what failed: ".
pub fn io_text(e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => &text[..at],
        _ => &text[..],
    };
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        // "No such file" → "no such file", but "TLS …" stays as it is.
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => first
            .to_lowercase()
            .chain(text[first.len_utf8()..].chars())
            .collect(),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_in_words() {
        assert_eq!(
            io_text(&std::io::Error::from_raw_os_error(111)),
            "connection refused"
        );
        assert_eq!(
            io_text(&std::io::Error::other("TLS went away")),
            "TLS went away"
        );
        assert_eq!(io_text(&std::io::Error::other("")), "");
    }
}
