//! A password or token that never shows itself in `Debug` or `Display`, and whose
//! bytes are wiped when it is dropped.
//!
//! The wiping is `zeroize`'s: a plain overwrite just before the buffer is freed is a
//! dead store the optimiser may remove. Copies made from [`Secret::expose`] (the base64
//! of AUTH PLAIN, a command line) are ordinary strings and are not wiped.

use std::fmt;

use zeroize::Zeroizing;

/// A secret string. Its `Debug` and `Display` print `(redacted)`; the only way to
/// the bytes is [`Secret::expose`], which makes every use easy to find.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}

/// Keep this process's memory out of core dumps and away from other processes of the
/// same user (`ptrace`, `/proc/PID/mem`): `PR_SET_DUMPABLE` 0 on Linux. Called by
/// `main` before any command can fetch a secret (a password is fetched before
/// connecting, so a crash or a `kill -ABRT` while connecting would dump it). Children
/// (a password command, an editor) are dumpable again after `exec`. Elsewhere a no-op.
/// Returns whether the process is protected.
pub fn protect_process() -> bool {
    #[cfg(target_os = "linux")]
    {
        rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)
            .is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "(redacted) (redacted)");
        assert_eq!(s.expose(), "hunter2");
    }
}
