//! `posta send` on a terminal with no body: the draft opened in `$VISUAL`, else
//! `$EDITOR`, else `vi` (run as `sh -c '$EDITOR "$1"' sh PATH`, so the variable may
//! hold arguments: `code --wait`), like `git commit`. The draft's format is
//! [`crate::message::draft_file`].

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::message::{Draft, draft_file};
use crate::model::exit_code::{Code, Hint, fail};

/// The saved draft, in a private temporary directory (0700, the file 0600): removed
/// once the message is sent (or shown), kept when sending fails.
pub struct DraftFile {
    dir: PathBuf,
    path: PathBuf,
}

impl DraftFile {
    /// Remove the draft: the message is sent, queued or shown.
    pub fn remove(self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// Keep the draft and say where it is, so the text is not lost.
    pub fn keep(self, err: anyhow::Error) -> anyhow::Error {
        err.context(Hint(format!(
            "the message you wrote is kept in {}",
            self.path.display()
        )))
    }
}

/// The editor to run: `$VISUAL`, else `$EDITOR`, else `vi` (an empty variable counts
/// as unset, as git does).
fn editor() -> OsString {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(std::env::var_os)
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "vi".into())
}

/// Open `draft` in the editor and read back what was saved into it. An editor that
/// fails, or an empty body, aborts (exit 64; nothing is sent, the draft removed).
pub fn edit(draft: &mut Draft) -> anyhow::Result<DraftFile> {
    let dir = tempfile::Builder::new()
        .prefix("posta-draft-")
        .tempdir()
        .map_err(|e| {
            fail(
                Code::IoErr,
                format!("cannot create a directory for the draft: {e}"),
            )
        })?
        .keep();
    let file = DraftFile {
        path: dir.join("message.txt"),
        dir,
    };
    match edit_in(draft, &file.path) {
        Ok(Ok(())) => Ok(file),
        // The user wrote something posta cannot read: keep it.
        Ok(Err(e)) => Err(file.keep(e)),
        Err(aborted) => {
            file.remove();
            Err(aborted)
        }
    }
}

/// `Err`: aborted (or the editor could not run); `Ok(Err)`: the saved draft is wrong.
fn edit_in(draft: &mut Draft, path: &Path) -> anyhow::Result<anyhow::Result<()>> {
    {
        use std::io::Write;
        let mut out = crate::private_fs::create_new(path).map_err(|e| {
            fail(
                Code::IoErr,
                format!("cannot write the draft {}: {e}", path.display()),
            )
        })?;
        out.write_all(draft_file::render(draft).as_bytes())?;
    }
    let editor = editor();
    let mut script = OsString::from(&editor);
    script.push(" \"$1\"");
    // The editor draws on the terminal, never on posta's stdout (which may be a file:
    // `--dry-run > message.eml`).
    let screen = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/tty")
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::inherit());
    let status = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .arg("sh")
        .arg(path)
        .stdout(screen)
        .status()
        .map_err(|e| {
            fail(
                Code::Unavailable,
                format!("cannot run sh to start the editor: {e}"),
            )
        })?;
    let shown = crate::model::text::for_terminal(&editor.to_string_lossy()).into_owned();
    if !status.success() {
        return Err(fail(
            Code::Usage,
            format!(
                "the editor ({shown}) exited with {status}: nothing sent (set VISUAL or \
                 EDITOR to the editor to use, or give the body with --body or --body-file)"
            ),
        ));
    }
    let saved = std::fs::read(path).map_err(|e| {
        fail(
            Code::NoInput,
            format!("cannot read the draft {}: {e}", path.display()),
        )
    })?;
    let Ok(saved) = String::from_utf8(saved) else {
        return Ok(Err(fail(
            Code::DataErr,
            "the saved draft is not UTF-8 text: nothing sent; save it as UTF-8",
        )));
    };
    let read = match draft_file::parse(&saved, draft) {
        Ok(read) => read,
        Err(e) => return Ok(Err(e.into())),
    };
    if !read {
        return Err(fail(
            Code::Usage,
            "the message body is empty: nothing sent (aborted, as git does with an empty \
             commit message)",
        ));
    }
    Ok(Ok(()))
}
