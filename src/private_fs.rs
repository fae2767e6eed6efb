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
