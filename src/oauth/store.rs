//! Where a profile's tokens are kept: the OS keyring (service "posta", an entry per
//! profile, through a [`Vault`] that `config` provides) or, with `token_store = "file"`,
//! a private file under `$XDG_DATA_HOME/posta/oauth/`. Either way one JSON document
//! ([`Tokens`]), and a lock file beside the data directory's entry, held while a
//! refresh is under way: a provider that rotates refresh tokens (RFC 9700 section
//! 4.14.2) takes each one once, so two posta processes refreshing with the same token
//! would lose the login; the second waits and finds the first one's new tokens.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{OAuthError, Tokens};
use crate::secret::Secret;

/// A keyring entry holding one secret text.
pub trait Vault: std::fmt::Debug + Send + Sync {
    fn get(&self) -> Result<Option<Secret>, OAuthError>;
    fn set(&self, value: &Secret) -> Result<(), OAuthError>;
    /// Whether there was one to delete.
    fn delete(&self) -> Result<bool, OAuthError>;
    /// Where it is, in words ("the OS keyring, service posta, user …").
    fn describe(&self) -> String;
}

/// Where one profile's tokens are.
#[derive(Debug, Clone)]
pub struct Store {
    kind: Kind,
    /// The lock file, in the private data directory whatever the kind.
    lock: PathBuf,
}

#[derive(Debug, Clone)]
enum Kind {
    File(PathBuf),
    Keyring(Arc<dyn Vault>),
}

/// How long a refresh waits for another process's (whose requests are bounded too).
const LOCK_WAIT: Duration = Duration::from_secs(120);

impl Store {
    /// Tokens in `dir/PROFILE.json` (0600), locked by `dir/PROFILE.lock`.
    pub fn file(dir: &Path, profile: &str) -> Self {
        Store {
            kind: Kind::File(dir.join(format!("{profile}.json"))),
            lock: dir.join(format!("{profile}.lock")),
        }
    }

    /// Tokens in the keyring; the lock file in `dir`.
    pub fn keyring(vault: Arc<dyn Vault>, dir: &Path, profile: &str) -> Self {
        Store {
            kind: Kind::Keyring(vault),
            lock: dir.join(format!("{profile}.lock")),
        }
    }

    /// Where the tokens are, in words, for `auth status`.
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::File(path) => format!("the file {}", path.display()),
            Kind::Keyring(vault) => vault.describe(),
        }
    }

    /// The stored tokens, if any.
    pub fn load(&self) -> Result<Option<Tokens>, OAuthError> {
        let text = match &self.kind {
            Kind::File(path) => match crate::private_fs::open_own_file(path) {
                Ok(file) => {
                    let mut text = zeroize::Zeroizing::new(String::new());
                    std::io::Read::read_to_string(
                        &mut std::io::Read::take(file, 256 * 1024),
                        &mut text,
                    )
                    .map_err(|e| io_error("read", path, &e))?;
                    Secret::new(text.as_str())
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(io_error("read", path, &e)),
            },
            Kind::Keyring(vault) => match vault.get()? {
                Some(text) => text,
                None => return Ok(None),
            },
        };
        serde_json::from_str(text.expose()).map(Some).map_err(|e| {
            OAuthError::io(format!(
                "the stored tokens in {} are damaged ({e}): log in again",
                self.describe()
            ))
        })
    }

    /// Store `tokens`: a new file written then renamed over the old one (a crash leaves
    /// the old or the new, never half), or the keyring entry replaced.
    pub fn save(&self, tokens: &Tokens) -> Result<(), OAuthError> {
        let json = Secret::new(
            serde_json::to_string(tokens)
                .map_err(|e| OAuthError::io(format!("cannot write the tokens: {e}")))?,
        );
        match &self.kind {
            Kind::File(path) => write_private(path, json.expose().as_bytes()),
            Kind::Keyring(vault) => vault.set(&json),
        }
    }

    /// Forget the tokens. Whether there were any.
    pub fn delete(&self) -> Result<bool, OAuthError> {
        match &self.kind {
            Kind::File(path) => match std::fs::remove_file(path) {
                Ok(()) => Ok(true),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
                Err(e) => Err(io_error("delete", path, &e)),
            },
            Kind::Keyring(vault) => vault.delete(),
        }
    }

    /// Hold the profile's lock (an exclusive lock on the lock file) until the guard is
    /// dropped. Waits at most [`LOCK_WAIT`], polling: the other holder's HTTP requests are
    /// bounded, so a longer wait means a process hung for another reason.
    pub fn lock(&self) -> Result<Lock, OAuthError> {
        let dir = self.lock.parent().unwrap_or(Path::new("."));
        crate::private_fs::create_dir_all(dir).map_err(|e| io_error("create", dir, &e))?;
        let file = crate::private_fs::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&self.lock)
            .map_err(|e| io_error("open", &self.lock, &e))?;
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Lock(file)),
                Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(OAuthError::temporary(format!(
                        "another posta has held {} for {} seconds",
                        self.lock.display(),
                        LOCK_WAIT.as_secs()
                    )));
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(io_error("lock", &self.lock, &e));
                }
            }
        }
    }
}

/// The profile's lock, released when dropped (closing the file releases it).
pub struct Lock(#[allow(dead_code)] File);

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), OAuthError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::private_fs::create_dir_all(dir).map_err(|e| io_error("create", dir, &e))?;
    // tempfile creates it 0600.
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| io_error("write", dir, &e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| io_error("write", tmp.path(), &e))?;
    tmp.persist(path)
        .map_err(|e| io_error("write", path, &e.error))?;
    Ok(())
}

fn io_error(doing: &str, path: &Path, e: &std::io::Error) -> OAuthError {
    OAuthError::io(format!(
        "cannot {doing} {}: {}",
        path.display(),
        crate::model::exit_code::io_text(e)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(refresh: &str) -> Tokens {
        Tokens {
            refresh: Some(Secret::new(refresh)),
            access: None,
            expires_at: None,
            scope: "mail".into(),
            client_id: "c".into(),
            token_url: "https://idp.example/token".into(),
            revocation_url: None,
        }
    }

    #[test]
    fn a_file_store_is_private_and_replaced_whole() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::file(&dir.path().join("oauth"), "work");
        assert!(store.load().unwrap().is_none());
        store.save(&tokens("r1")).unwrap();
        store.save(&tokens("r2")).unwrap();
        let back = store.load().unwrap().unwrap();
        assert_eq!(back.refresh.unwrap().expose(), "r2");
        let path = dir.path().join("oauth/work.json");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(store.delete().unwrap());
        assert!(!store.delete().unwrap());
    }

    #[test]
    fn the_lock_is_exclusive() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::file(dir.path(), "work");
        let held = store.lock().unwrap();
        let file = std::fs::File::open(dir.path().join("work.lock")).unwrap();
        assert!(matches!(
            file.try_lock(),
            Err(std::fs::TryLockError::WouldBlock)
        ));
        drop(held);
        assert!(file.try_lock().is_ok());
    }
}
