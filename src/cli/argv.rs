//! Command-line arguments that are not UTF-8. Unix hands a program bytes; a legacy
//! script may pass a Latin-1 name (`-F 'José'` from an ISO-8859-1 crontab) or subject.
//! Such an argument must never stop posta (a message piped to sendmail would be lost
//! with it): where posta needs text, an argument that is not UTF-8 is read as Latin-1,
//! the one 8-bit charset in which every byte is a character (so nothing is dropped and
//! the common case, Western European text, comes out right).

use std::ffi::{OsStr, OsString};

/// An argument as text: as it is when it is UTF-8, else each byte as its Latin-1
/// character.
pub fn text(arg: &OsStr) -> String {
    if let Some(s) = arg.to_str() {
        return s.to_string();
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        arg.as_bytes().iter().map(|&b| char::from(b)).collect()
    }
    #[cfg(not(unix))]
    {
        arg.to_string_lossy().into_owned()
    }
}

/// Every argument as text (see [`text`]).
pub fn texts(args: &[OsString]) -> Vec<String> {
    args.iter().map(|a| text(a)).collect()
}

/// Whether some argument is not UTF-8.
pub fn any_not_utf8(args: &[OsString]) -> bool {
    args.iter().any(|a| a.to_str().is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn latin1_bytes_become_their_characters_and_utf8_stays() {
        use std::os::unix::ffi::OsStrExt;
        let latin1 = OsStr::from_bytes(b"Jos\xe9 M\xfcller");
        assert_eq!(text(latin1), "José Müller");
        assert_eq!(text(OsStr::new("José")), "José");
        let args = vec![OsString::from("a"), latin1.to_os_string()];
        assert!(any_not_utf8(&args));
        assert_eq!(texts(&args), ["a", "José Müller"]);
    }
}
