//! A profile's `aliases` file (aliases(5) syntax, as msmtp reads it): where mail for a
//! local name goes. cron mails a job's output to its owner (`root`, `www-data`) and
//! mailx to a bare user name; no provider takes `RCPT TO:<root>`, so an envelope
//! recipient without a domain is looked up here:
//!
//! ```text
//! # comments and blank lines are skipped; a line starting with white space continues
//! root: ops@example.org, admin@example.org
//! www-data: web@example.org
//! default: ops@example.org
//! ```
//!
//! Names match without regard to case (`root@localhost`'s local part counts as `root`
//! only when written without a domain). No match and no `default`: the message is
//! refused before connecting (65), naming the file.

use std::collections::HashMap;
use std::io::{BufReader, Read};
use std::path::Path;

use super::{Account, ConfigError};
use crate::model::exit_code::{Code, fail};

/// `recipients` with the account's aliases applied, when it has an `aliases` file.
pub fn expand_for(account: &Account, recipients: &[String]) -> anyhow::Result<Vec<String>> {
    let Some(path) = &account.aliases else {
        return Ok(recipients.to_vec());
    };
    Aliases::load(path)?
        .expand(recipients)
        .map_err(|why| fail(Code::DataErr, format!("{}: {why}", path.display())))
}

/// The biggest aliases file read: a hostile or mistaken path cannot eat memory.
const MAX_BYTES: u64 = 1 << 20;

/// The aliases of one file.
#[derive(Debug, Default)]
pub struct Aliases {
    map: HashMap<String, Vec<String>>,
    default: Option<Vec<String>>,
}

impl Aliases {
    /// Read `path`; a line that is not `name: address, …` is an error naming its line.
    pub fn load(path: &Path) -> Result<Aliases, ConfigError> {
        let err = |m: String| ConfigError::new(Some(path.to_path_buf()), m);
        let file = crate::regular_file::open(path).map_err(|e| {
            err(format!(
                "cannot read the aliases file: {}",
                crate::model::exit_code::io_text(&e)
            ))
        })?;
        let mut text = String::new();
        BufReader::new(file)
            .take(MAX_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|e| err(format!("cannot read the aliases file: {e}")))?;
        if text.len() as u64 > MAX_BYTES {
            return Err(err(format!(
                "the aliases file is bigger than {MAX_BYTES} bytes"
            )));
        }
        Aliases::parse(&text).map_err(err)
    }

    /// Parse aliases(5) text.
    pub fn parse(text: &str) -> Result<Aliases, String> {
        let mut aliases = Aliases::default();
        // Logical lines: a line starting with white space continues the one before.
        let mut logical: Vec<(usize, String)> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            match logical.last_mut() {
                Some((_, last)) if line.starts_with([' ', '\t']) => {
                    last.push(' ');
                    last.push_str(trimmed);
                }
                _ => logical.push((i + 1, trimmed.to_string())),
            }
        }
        for (number, line) in logical {
            let Some((name, targets)) = line.split_once(':') else {
                return Err(format!("line {number}: expected \"name: address, …\""));
            };
            let name = name.trim().to_ascii_lowercase();
            let targets: Vec<String> = targets
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect();
            if name.is_empty() || targets.is_empty() {
                return Err(format!("line {number}: expected \"name: address, …\""));
            }
            if let Some(bad) = targets.iter().find(|t| !t.contains('@')) {
                return Err(format!(
                    "line {number}: \"{bad}\" has no domain (an alias must name full addresses)"
                ));
            }
            if name == "default" {
                aliases.default = Some(targets);
            } else {
                aliases.map.insert(name, targets);
            }
        }
        Ok(aliases)
    }

    /// The recipients with every local name (no `@`) replaced by its addresses; a
    /// recipient listed twice goes once.
    pub fn expand(&self, recipients: &[String]) -> Result<Vec<String>, String> {
        let mut out: Vec<String> = Vec::with_capacity(recipients.len());
        for rcpt in recipients {
            let targets = if rcpt.contains('@') {
                std::slice::from_ref(rcpt)
            } else {
                match self
                    .map
                    .get(&rcpt.to_ascii_lowercase())
                    .or(self.default.as_ref())
                {
                    Some(t) => &t[..],
                    None => {
                        return Err(format!(
                            "{rcpt} is a local name and the aliases file has no entry for it \
                             (and no \"default:\")"
                        ));
                    }
                }
            };
            for t in targets {
                if !out.iter().any(|o| o.eq_ignore_ascii_case(t)) {
                    out.push(t.clone());
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# cron's mail\nroot: ops@example.org,\n  admin@example.org\n\nWWW-Data: web@example.org\ndefault: ops@example.org\n";

    #[test]
    fn local_names_become_their_addresses_once() {
        let a = Aliases::parse(FILE).unwrap();
        let got = a
            .expand(&["root".into(), "www-data".into(), "bob@x.org".into()])
            .unwrap();
        assert_eq!(
            got,
            [
                "ops@example.org",
                "admin@example.org",
                "web@example.org",
                "bob@x.org"
            ]
        );
        assert_eq!(a.expand(&["nobody".into()]).unwrap(), ["ops@example.org"]);
    }

    #[test]
    fn no_entry_and_no_default_is_refused_and_bad_lines_are_named() {
        let a = Aliases::parse("root: ops@example.org\n").unwrap();
        let err = a.expand(&["daemon".into()]).unwrap_err();
        assert!(err.contains("daemon is a local name"), "{err}");
        assert!(
            Aliases::parse("root ops@example.org\n")
                .unwrap_err()
                .starts_with("line 1:")
        );
        assert!(
            Aliases::parse("x\nroot: ops\n")
                .unwrap_err()
                .starts_with("line 1:")
        );
        assert!(
            Aliases::parse("root: ops\n")
                .unwrap_err()
                .contains("has no domain")
        );
    }
}
