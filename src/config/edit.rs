//! Editing the config file in place for `posta profile add | remove`: toml_edit keeps
//! the user's comments, order and formatting, and the file is rewritten atomically and
//! readable by its owner only (it may hold a password). What to write is the command's
//! business; how it lands in the document is this module's.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{ConfigError, file};
use crate::model::{AuthMechanism, Protocol, Security};

/// A config file opened for editing.
pub struct Document {
    path: PathBuf,
    doc: toml_edit::DocumentMut,
}

/// The keys a new profile is written with, in this order; `None` is left out.
#[derive(Debug, Default)]
pub struct NewProfile {
    pub preset: Option<String>,
    pub from: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub security: Option<Security>,
    pub user: Option<String>,
    pub password_command: Option<String>,
    pub oauth_token_command: Option<String>,
    pub oauth2_client_id: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub auth: Option<AuthMechanism>,
    /// One is written as a string, several as an array.
    pub tls_fingerprint: Vec<String>,
    pub timeout: Option<u64>,
    pub ehlo: Option<String>,
    /// Written only when true (false is the default).
    pub allow_insecure_auth: bool,
    pub insecure: bool,
    pub protocol: Option<Protocol>,
    /// The proxy's URL (never a password: its parser refuses one).
    pub proxy: Option<String>,
}

/// What removing a profile took with it.
#[derive(Debug)]
pub struct Removed {
    /// It was the `default`, which is gone too.
    pub was_default: bool,
    /// It read its password from the OS keyring (`keyring = true`).
    pub used_keyring: bool,
}

fn cannot_read(path: &Path, e: &std::io::Error) -> ConfigError {
    ConfigError::new(
        Some(path.to_path_buf()),
        format!("cannot read: {}", crate::model::exit_code::io_text(e)),
    )
}

impl Document {
    /// The file to add a profile to: an absent file is an empty one; an existing one
    /// must be a valid config (a profile is not added to a file posta cannot read).
    pub fn for_adding(path: &Path) -> Result<Document, ConfigError> {
        let text = match file::read_text(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(cannot_read(path, &e)),
        };
        file::parse(&text).map_err(|m| ConfigError::new(Some(path.to_path_buf()), m))?;
        Document::parse(path, &text)
    }

    /// The file to remove a profile from, which must exist.
    pub fn existing(path: &Path) -> Result<Document, ConfigError> {
        let text = file::read_text(path).map_err(|e| cannot_read(path, &e))?;
        Document::parse(path, &text)
    }

    fn parse(path: &Path, text: &str) -> Result<Document, ConfigError> {
        let doc = text
            .parse()
            .map_err(|e| ConfigError::new(Some(path.to_path_buf()), format!("{e}")))?;
        Ok(Document {
            path: path.to_path_buf(),
            doc,
        })
    }

    fn error(&self, message: impl Into<String>) -> ConfigError {
        ConfigError::new(Some(self.path.clone()), message)
    }

    /// Add `[profiles.NAME]` with `new`'s keys; the first profile of a file becomes its
    /// `default`. Returns whether it did. A profile of that name is never replaced.
    pub fn add_profile(&mut self, name: &str, new: &NewProfile) -> Result<bool, ConfigError> {
        let not_a_table = self.error("`profiles` is not a table");
        let profiles = self
            .doc
            .entry("profiles")
            .or_insert_with(|| {
                let mut t = toml_edit::Table::new();
                t.set_implicit(true);
                toml_edit::Item::Table(t)
            })
            .as_table_mut()
            .ok_or(not_a_table)?;
        if profiles.contains_key(name) {
            return Err(ConfigError::new(
                Some(self.path.clone()),
                format!(
                    "profile \"{name}\" exists already; remove it first with `posta profile remove {name}`"
                ),
            ));
        }
        let mut t = toml_edit::Table::new();
        let text = |t: &mut toml_edit::Table, key: &str, v: &Option<String>| {
            if let Some(v) = v {
                t[key] = toml_edit::value(v.as_str());
            }
        };
        text(&mut t, "preset", &new.preset);
        text(&mut t, "from", &new.from);
        text(&mut t, "host", &new.host);
        if let Some(port) = new.port {
            t["port"] = toml_edit::value(i64::from(port));
        }
        if let Some(security) = new.security {
            t["security"] = toml_edit::value(security.name());
        }
        text(&mut t, "user", &new.user);
        text(&mut t, "password_command", &new.password_command);
        text(&mut t, "oauth_token_command", &new.oauth_token_command);
        text(&mut t, "oauth2_client_id", &new.oauth2_client_id);
        for (key, path) in [
            ("ca_file", &new.ca_file),
            ("tls_cert", &new.tls_cert),
            ("tls_key", &new.tls_key),
        ] {
            if let Some(path) = path {
                t[key] = toml_edit::value(path.display().to_string());
            }
        }
        if let Some(auth) = new.auth
            && let Ok(serde_json::Value::String(name)) = serde_json::to_value(auth)
        {
            t["auth"] = toml_edit::value(name);
        }
        match new.tls_fingerprint.as_slice() {
            [] => {}
            [one] => t["tls_fingerprint"] = toml_edit::value(one.as_str()),
            many => {
                t["tls_fingerprint"] = toml_edit::value(many.iter().collect::<toml_edit::Array>())
            }
        }
        if let Some(secs) = new.timeout {
            t["timeout"] = toml_edit::value(secs as i64);
        }
        text(&mut t, "ehlo", &new.ehlo);
        if let Some(protocol) = new.protocol {
            t["protocol"] = toml_edit::value(protocol.name());
        }
        text(&mut t, "proxy", &new.proxy);
        for (key, on) in [
            ("allow_insecure_auth", new.allow_insecure_auth),
            ("insecure", new.insecure),
        ] {
            if on {
                t[key] = toml_edit::value(true);
            }
        }
        profiles.insert(name, toml_edit::Item::Table(t));
        let first = self.doc.get("default").is_none();
        if first {
            self.doc["default"] = toml_edit::value(name);
        }
        Ok(first)
    }

    /// The profiles whose `from` is the address of `from` (compared as bare addresses,
    /// case-insensitively), in the file's order.
    pub fn profiles_with_from(&self, from: &str) -> Vec<String> {
        let want = file_address(from);
        let Some(profiles) = self.doc.get("profiles").and_then(|p| p.as_table_like()) else {
            return Vec::new();
        };
        profiles
            .iter()
            .filter(|(_, p)| {
                p.get("from")
                    .and_then(|f| f.as_str())
                    .is_some_and(|f| file_address(f) == want)
            })
            .map(|(name, _)| name.to_string())
            .collect()
    }

    /// Remove `[profiles.NAME]`, and `default` with it when it named this profile
    /// (its comments go to what follows). The error lists the valid profiles.
    pub fn remove_profile(&mut self, name: &str) -> Result<Removed, ConfigError> {
        let removed = self
            .doc
            .get_mut("profiles")
            .and_then(|p| p.as_table_mut())
            .and_then(|p| p.remove(name));
        let Some(removed) = removed else {
            let valid: Vec<&str> = self
                .doc
                .get("profiles")
                .and_then(|p| p.as_table_like())
                .map(|p| p.iter().map(|(k, _)| k).collect())
                .unwrap_or_default();
            let valid = if valid.is_empty() {
                "none".to_string()
            } else {
                valid.join(", ")
            };
            return Err(self.error(format!(
                "no profile named \"{name}\" (valid profiles: {valid})"
            )));
        };
        let was_default = self.doc.get("default").and_then(|d| d.as_str()) == Some(name);
        if was_default {
            remove_keeping_comments(&mut self.doc, "default");
        }
        let used_keyring = removed.get("keyring").and_then(|k| k.as_bool()) == Some(true);
        Ok(Removed {
            was_default,
            used_keyring,
        })
    }

    /// Write the document back (creating its directory), private to its owner.
    pub fn save(&self) -> anyhow::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        write_private(&self.path, self.doc.to_string().as_bytes())
    }
}

fn file_address(from: &str) -> String {
    crate::message::address::bare_address(from).to_ascii_lowercase()
}

/// Remove the top-level key `key`, giving the comments above it (often the file's own
/// leading comment) to whatever comes next rather than dropping them.
fn remove_keeping_comments(doc: &mut toml_edit::DocumentMut, key: &str) {
    let root = doc.as_table_mut();
    let Some(index) = root.iter().position(|(k, _)| k == key) else {
        return;
    };
    let Some((removed, _)) = root.remove_entry(key) else {
        return;
    };
    let comment = removed
        .leaf_decor()
        .prefix()
        .and_then(|p| p.as_str())
        .filter(|p| p.contains('#'))
        .map(str::to_string);
    let Some(comment) = comment else {
        return;
    };
    let prepend = |decor: &mut toml_edit::Decor| {
        let old = decor.prefix().and_then(|p| p.as_str()).unwrap_or("");
        decor.set_prefix(format!("{comment}{old}"));
    };
    // Top-level keys come before every table: the next one, if any, takes the comment.
    let next_key = root
        .iter()
        .nth(index)
        .filter(|(_, item)| item.is_value())
        .map(|(k, _)| k.to_string());
    if let Some(next) = next_key
        && let Some(mut k) = root.key_mut(&next)
    {
        prepend(k.leaf_decor_mut());
        return;
    }
    // Else the first table written.
    fn first_table(
        t: &toml_edit::Table,
        path: &mut Vec<String>,
        best: &mut Option<(usize, Vec<String>)>,
    ) {
        for (k, item) in t.iter() {
            let Some(sub) = item.as_table() else { continue };
            path.push(k.to_string());
            if let Some(pos) = sub.position().filter(|_| !sub.is_implicit())
                && best.as_ref().is_none_or(|(b, _)| pos < *b)
            {
                *best = Some((pos, path.clone()));
            }
            first_table(sub, path, best);
            path.pop();
        }
    }
    let mut best = None;
    first_table(root, &mut Vec::new(), &mut best);
    let Some((_, path)) = best else {
        return;
    };
    let mut table = root;
    for k in &path {
        match table.get_mut(k).and_then(|i| i.as_table_mut()) {
            Some(t) => table = t,
            None => return,
        }
    }
    prepend(table.decor_mut());
}

/// Write the config readable by its owner only: it may hold a password. The new text
/// goes to a temporary file created exclusively (`O_EXCL`, never through a symlink or
/// into a file someone else made) with mode 0600 in the config's own directory, and is
/// renamed over the config: a `config.toml.tmp` left or planted there is never used.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".config.toml.")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("writing {}", tmp.path().display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(text: &str) -> Document {
        Document::parse(Path::new("/x/config.toml"), text).unwrap()
    }

    #[test]
    fn a_new_profile_is_written_in_order_and_the_first_becomes_the_default() {
        let mut d = document("");
        let new = NewProfile {
            preset: Some("gmail".into()),
            from: Some("Jo <jo@gmail.com>".into()),
            port: Some(587),
            security: Some(Security::StartTls),
            ..NewProfile::default()
        };
        assert!(d.add_profile("g", &new).unwrap());
        assert_eq!(
            d.doc.to_string(),
            "default = \"g\"\n\n[profiles.g]\npreset = \"gmail\"\n\
             from = \"Jo <jo@gmail.com>\"\nport = 587\nsecurity = \"starttls\"\n"
        );
        assert!(!d.add_profile("h", &NewProfile::default()).unwrap());
        let again = d.add_profile("g", &NewProfile::default()).unwrap_err();
        assert!(
            again.message.contains("exists already"),
            "{}",
            again.message
        );
        assert!(file::parse(&d.doc.to_string()).is_ok());
    }

    #[test]
    fn a_socket_protocol_and_proxy_are_written_as_keys_that_read_back() {
        let mut d = document("");
        let new = NewProfile {
            host: Some("unix:/run/dovecot/lmtp".into()),
            protocol: Some(Protocol::Lmtp),
            proxy: Some("socks5h://me@127.0.0.1:9050".into()),
            ..NewProfile::default()
        };
        d.add_profile("l", &new).unwrap();
        let text = d.doc.to_string();
        assert!(
            text.ends_with(
                "host = \"unix:/run/dovecot/lmtp\"\nprotocol = \"lmtp\"\n\
                 proxy = \"socks5h://me@127.0.0.1:9050\"\n"
            ),
            "{text}"
        );
        let profile = &file::parse(&text).unwrap().profiles["l"];
        assert_eq!(profile.protocol, Some(Protocol::Lmtp));
    }

    #[test]
    fn removing_the_default_keeps_the_comment_above_it() {
        let mut d = document(
            "# my accounts\ndefault = \"a\"\n\n[profiles.a]\nkeyring = true\n\n[profiles.b]\nhost = \"h\"\n",
        );
        let removed = d.remove_profile("a").unwrap();
        assert!(removed.was_default && removed.used_keyring);
        assert_eq!(
            d.doc.to_string(),
            "# my accounts\n\n[profiles.b]\nhost = \"h\"\n"
        );
        let e = d.remove_profile("a").unwrap_err();
        assert!(e.message.contains("(valid profiles: b)"), "{}", e.message);
    }
}
