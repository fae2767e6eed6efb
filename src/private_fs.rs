//! Files and directories only their owner may read (0600 / 0700 on Unix), created so
//! from the start rather than narrowed afterwards: the queue holds messages, the usage
//! ledger who sent how much.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::Path;

/// Options for opening a file that, when created, is the owner's alone.
pub fn options() -> OpenOptions {
    let mut opts = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts
}

/// A new file for writing; an existing one is an error.
pub fn create_new(path: &Path) -> io::Result<File> {
    options().write(true).create_new(true).open(path)
}

/// `path` and any missing parents, each the owner's alone.
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)
}

/// This process's user id (Linux; `None` elsewhere, where only modes are checked).
pub fn current_uid() -> Option<u32> {
    #[cfg(target_os = "linux")]
    {
        Some(rustix::process::getuid().as_raw())
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// `path`, whose metadata (not followed through a symlink) is `meta`, is the user's
/// own and nobody else can change it: owned by this process's user and not writable by
/// group or others. Anything else is an error of kind `PermissionDenied` that names
/// the owner or the mode.
pub fn check_private(path: &Path, meta: &fs::Metadata) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let denied = |why: String| {
            Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("{}: {why}", path.display()),
            ))
        };
        if let Some(me) = current_uid()
            && meta.uid() != me
        {
            return denied(format!(
                "owned by uid {}, not by you (uid {me})",
                meta.uid()
            ));
        }
        if meta.mode() & 0o022 != 0 {
            return denied(format!(
                "writable by others (mode {:o})",
                meta.mode() & 0o7777
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = (path, meta);
    Ok(())
}

/// Open `path`, a regular file that must be the user's own ([`check_private`]):
/// not a symlink, not anything but a regular file, checked again on the open file.
pub fn open_own_file(path: &Path) -> io::Result<File> {
    let before = fs::symlink_metadata(path)?;
    if !before.file_type().is_file() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{}: not a regular file", path.display()),
        ));
    }
    check_private(path, &before)?;
    let file = File::open(path)?;
    let after = file.metadata()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (after.dev(), after.ino()) != (before.dev(), before.ino()) {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("{}: replaced while being opened", path.display()),
            ));
        }
    }
    check_private(path, &after)?;
    Ok(file)
}

/// A directory that must be the user's own ([`check_private`]), followed through
/// symlinks (a queue directory may live elsewhere) when `follow`.
pub fn check_own_dir(path: &Path, follow: bool) -> io::Result<()> {
    let meta = if follow {
        fs::metadata(path)?
    } else {
        fs::symlink_metadata(path)?
    };
    if !meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{}: not a directory", path.display()),
        ));
    }
    check_private(path, &meta)
}

/// Why a file posta is about to act on the word of (a config file named by a queue
/// entry) could have been written by someone else: it, a symlink on the way to it, or
/// its directory is owned by another user (root aside) or writable by others (a
/// directory with the sticky bit, like /tmp, aside). `None` when it could not.
pub fn foreign_writer(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let me = current_uid();
        let owner_ok = |uid: u32| uid == 0 || me.is_none_or(|me| uid == me);
        let check = |p: &Path, m: &fs::Metadata, is_dir: bool| -> Option<String> {
            if !owner_ok(m.uid()) {
                return Some(format!(
                    "{} is owned by uid {}, not by you{}",
                    p.display(),
                    m.uid(),
                    me.map(|me| format!(" (uid {me})")).unwrap_or_default()
                ));
            }
            let sticky = is_dir && m.mode() & 0o1000 != 0;
            if m.mode() & 0o022 != 0 && !sticky {
                return Some(format!(
                    "{} is writable by others (mode {:o})",
                    p.display(),
                    m.mode() & 0o7777
                ));
            }
            None
        };
        let link = match fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) => return Some(format!("{}: {e}", path.display())),
        };
        let mut paths = vec![path.to_path_buf()];
        if link.file_type().is_symlink() {
            if !owner_ok(link.uid()) {
                return Some(format!(
                    "{} is a symlink owned by uid {}, not by you",
                    path.display(),
                    link.uid()
                ));
            }
            match fs::canonicalize(path) {
                Ok(target) => paths.push(target),
                Err(e) => return Some(format!("{}: {e}", path.display())),
            }
        }
        for p in &paths {
            let dir = match p.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => std::path::PathBuf::from("."),
            };
            let file = match fs::metadata(p) {
                Ok(m) => m,
                Err(e) => return Some(format!("{}: {e}", p.display())),
            };
            if let Some(why) = check(p, &file, false) {
                return Some(why);
            }
            match fs::metadata(&dir) {
                Ok(m) => {
                    if let Some(why) = check(&dir, &m, true) {
                        return Some(why);
                    }
                }
                Err(e) => return Some(format!("{}: {e}", dir.display())),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    None
}
