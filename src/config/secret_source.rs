//! Where a password comes from: the OS keyring, a command, an environment variable, the
//! file, a prompt.

use std::io::{IsTerminal, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use super::ConfigError;
use crate::secret::Secret;

/// One source of a password, in the order `Account` chose it.
#[derive(Debug, Clone)]
pub enum SecretSource {
    /// Run by `sh -c`; the first line of its output is the secret.
    Command(String),
    /// Run by `sh -c`; the first line of its output is an OAuth2 access token, which
    /// only the OAuth mechanisms may carry.
    TokenCommand(String),
    /// An environment variable's value.
    Env(String),
    /// The first line of a file that others cannot read (`password_file`).
    File(std::path::PathBuf),
    /// Written in the (private) config file.
    Literal(Secret),
    /// The OS keyring entry of this profile, stored with `posta password set`.
    Keyring(String),
    /// Ask on the terminal.
    Prompt,
    /// An access token of the built-in OAuth login (`posta auth login`): the cached one
    /// or a refreshed one.
    OAuth(Box<crate::oauth::Client>),
}

impl SecretSource {
    /// Fetch the secret. `label` names what it is for, e.g. "jane@example.com at smtp.example.com".
    /// `command_timeout` bounds a password or token command when nobody is there to
    /// answer a prompt (see [`unattended`]).
    pub fn fetch(&self, label: &str, command_timeout: Duration) -> Result<Secret, ConfigError> {
        let limit = unattended().then_some(command_timeout);
        match self {
            SecretSource::Command(cmd) => run_command(cmd, "password command", limit),
            SecretSource::TokenCommand(cmd) => run_command(cmd, "oauth_token_command", limit),
            SecretSource::Env(var) => match std::env::var(var) {
                Ok(v) if !v.is_empty() => Ok(Secret::new(v)),
                _ => Err(ConfigError::new(
                    None,
                    format!("password_env names ${var}, but it is not set"),
                )),
            },
            SecretSource::File(path) => read_password_file(path),
            SecretSource::Literal(s) => Ok(s.clone()),
            SecretSource::Keyring(profile) => super::keyring::get(profile),
            SecretSource::Prompt => prompt(label),
            SecretSource::OAuth(client) => crate::oauth::refresh::access_token(client, None)
                .map(|access| access.token)
                .map_err(ConfigError::from_oauth),
        }
    }

    /// The secret is an OAuth2 access token rather than a password.
    pub fn is_token(&self) -> bool {
        matches!(self, SecretSource::TokenCommand(_) | SecretSource::OAuth(_))
    }
}

/// The first line of a `password_file`. Readable by others means every user of the
/// machine has the account: refused (78). Group-readable is allowed, for a profile
/// shared by the members of a group (a system-wide config).
fn read_password_file(path: &std::path::Path) -> Result<Secret, ConfigError> {
    use std::io::Read;
    let err = |m: String| ConfigError::new(Some(path.to_path_buf()), m);
    let file = crate::regular_file::open(path).map_err(|e| {
        err(format!(
            "cannot read the password file: {}",
            crate::model::exit_code::io_text(&e)
        ))
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let mode = file
            .metadata()
            .map_err(|e| err(format!("cannot read the password file: {e}")))?
            .mode();
        if mode & 0o007 != 0 {
            return Err(err(format!(
                "the password file is readable or writable by others (mode {:o}); run: chmod o= {}",
                mode & 0o777,
                path.display()
            )));
        }
    }
    // Wiped when dropped: the buffer holds the password.
    let mut text = zeroize::Zeroizing::new(String::new());
    file.take(MAX_OUTPUT)
        .read_to_string(&mut text)
        .map_err(|e| err(format!("cannot read the password file: {e}")))?;
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        return Err(err("the password file's first line is empty".into()));
    }
    Ok(Secret::new(line.to_string()))
}

/// How long a password or token command may run when posta is unattended, unless the
/// profile's `command_timeout` says otherwise. Long enough to type a passphrase into a
/// graphical pinentry; short enough that a cron job does not hang for good.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// Output kept from a command: the secret is its first line; the rest is drained.
const MAX_OUTPUT: u64 = 64 * 1024;

/// No terminal to prompt on (cron, systemd, a program piping to sendmail): nobody can
/// answer gpg's pinentry or a vault's unlock prompt, so a command that waits for one
/// would wait for ever, and the message with it. With a terminal a person is there to
/// answer, or to press Ctrl-C: no limit then.
fn unattended() -> bool {
    std::fs::File::open("/dev/tty").is_err()
}

/// Run `cmd` by `sh -c`; its first output line is the secret. With a `limit`, the
/// command runs in a process group of its own, killed whole when the limit passes
/// (`sh -c 'gpg …'` leaves gpg running if only sh is killed). Not with a terminal: a
/// background process group that reads the terminal would be stopped (SIGTTIN).
fn run_command(cmd: &str, what: &str, limit: Option<Duration>) -> Result<Secret, ConfigError> {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if limit.is_some() {
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
    }
    let mut child = command
        .spawn()
        .map_err(|e| ConfigError::new(None, format!("cannot run {what}: {e}")))?;
    // Both pipes are read while the command runs, so it never blocks on a full one.
    let stdout = child
        .stdout
        .take()
        .map(|p| std::thread::spawn(|| read_bounded(p)));
    let stderr = child
        .stderr
        .take()
        .map(|p| std::thread::spawn(|| read_bounded(p)));
    let started = Instant::now();
    let status = match limit {
        Some(limit) => wait_at_most(&mut child, limit),
        None => child.wait().map(Some),
    }
    .map_err(|e| ConfigError::new(None, format!("{what}: cannot wait for it: {e}")))?;
    // The shell is gone, but something it started in the background may still hold
    // the pipes open (`(sleep 30) & echo pw`): the output is whole only when they
    // close. Within the limit that is waited for; past it, the group is killed, which
    // closes them, and what was printed counts.
    if let (Some(limit), Some(_)) = (limit, status) {
        let deadline = started + limit;
        let open = |h: &Option<std::thread::JoinHandle<Zeroizing<Vec<u8>>>>| {
            h.as_ref().is_some_and(|h| !h.is_finished())
        };
        while (open(&stdout) || open(&stderr)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if open(&stdout) || open(&stderr) {
            kill_group(&mut child);
        }
    }
    let Some(status) = status else {
        kill_group(&mut child);
        return Err(ConfigError::temporary(format!(
            "{what} did not finish within {} s, and there is no terminal to answer a prompt \
             it may be waiting for (gpg's pinentry, a locked keyring); raise the profile's \
             command_timeout, or make the command work unattended",
            limit.unwrap_or_default().as_secs()
        )));
    };
    let joined = |h: Option<std::thread::JoinHandle<Zeroizing<Vec<u8>>>>| {
        h.and_then(|h| h.join().ok()).unwrap_or_default()
    };
    let output = Output {
        status,
        stdout: joined(stdout),
        stderr: joined(stderr),
    };
    finish(output, what)
}

/// Both streams are wiped when dropped: either may hold the secret.
struct Output {
    status: ExitStatus,
    stdout: Zeroizing<Vec<u8>>,
    stderr: Zeroizing<Vec<u8>>,
}

/// The first [`MAX_OUTPUT`] bytes of a pipe; the rest is read and dropped. The buffer
/// is allocated whole first, so no outgrown copy of a secret is left unwiped.
fn read_bounded(pipe: impl Read) -> Zeroizing<Vec<u8>> {
    let mut kept = Zeroizing::new(Vec::with_capacity(MAX_OUTPUT as usize));
    let mut pipe = pipe;
    let _ = (&mut pipe).take(MAX_OUTPUT).read_to_end(&mut kept);
    let _ = std::io::copy(&mut pipe, &mut std::io::sink());
    kept
}

/// The child's exit status, or `None` when `limit` passed first.
fn wait_at_most(child: &mut Child, limit: Duration) -> std::io::Result<Option<ExitStatus>> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(None);
        }
        std::thread::sleep(left.min(Duration::from_millis(20)));
    }
}

/// Kill the command's whole process group (it leads one: see [`run_command`]).
fn kill_group(child: &mut Child) {
    #[cfg(target_os = "linux")]
    if let Some(pid) = i32::try_from(child.id())
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn finish(output: Output, what: &str) -> Result<Secret, ConfigError> {
    if !output.status.success() {
        let why = String::from_utf8_lossy(&output.stderr);
        let why = why.lines().next().unwrap_or("").trim();
        // A command that failed may still have printed the secret, and echoed it on
        // stderr too (`sh -x`, a vault's debug line): that never reaches the error.
        let printed = String::from_utf8_lossy(&output.stdout);
        let printed =
            zeroize::Zeroizing::new(printed.lines().next().unwrap_or("").trim().to_owned());
        let why = if printed.len() >= 4 {
            why.replace(printed.as_str(), "(redacted)")
        } else {
            why.to_owned()
        };
        let why = crate::model::text::for_terminal(&why);
        return Err(ConfigError::new(
            None,
            format!(
                "{what} failed ({}){}",
                output.status,
                if why.is_empty() {
                    String::new()
                } else {
                    format!(": {why}")
                }
            ),
        ));
    }
    let stdout = std::str::from_utf8(&output.stdout)
        .map_err(|_| ConfigError::new(None, format!("{what} printed invalid UTF-8")))?;
    let first = stdout.lines().next().unwrap_or("").to_string();
    if first.is_empty() {
        return Err(ConfigError::new(None, format!("{what} printed nothing")));
    }
    Ok(Secret::new(first))
}

fn prompt(label: &str) -> Result<Secret, ConfigError> {
    // rpassword reads /dev/tty, so a piped stdin (the message) does not stop a prompt;
    // but without any terminal there is nobody to ask.
    if std::fs::File::open("/dev/tty").is_err() && !std::io::stdin().is_terminal() {
        return Err(no_source(label));
    }
    rpassword::prompt_password(format!("Password for {label}: "))
        .map(Secret::new)
        .map_err(|_| no_source(label))
}

/// The error when a password is needed and nothing can give one.
pub fn no_source(label: &str) -> ConfigError {
    ConfigError::new(
        None,
        format!(
            "a password is needed for {label} but there is no source (no terminal to ask on): \
             set POSTA_PASSWORD, use --password-command, or in the profile set \
             password_command, password_env or keyring = true (with `posta password set PROFILE`)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::exit_code::Code;

    #[test]
    fn command_gives_its_first_line() {
        let s = SecretSource::Command("printf 'pw1\\nignored\\n'".into())
            .fetch("x", DEFAULT_COMMAND_TIMEOUT)
            .unwrap();
        assert_eq!(s.expose(), "pw1");
    }

    #[test]
    fn token_command_is_a_token_and_names_itself_when_it_fails() {
        let src = SecretSource::TokenCommand("echo ya29.tok".into());
        assert!(src.is_token());
        assert_eq!(
            src.fetch("x", DEFAULT_COMMAND_TIMEOUT).unwrap().expose(),
            "ya29.tok"
        );
        let err = SecretSource::TokenCommand("true".into())
            .fetch("x", DEFAULT_COMMAND_TIMEOUT)
            .unwrap_err();
        assert_eq!(err.message, "oauth_token_command printed nothing");
        assert!(!SecretSource::Command("true".into()).is_token());
    }

    #[test]
    fn failing_command_says_why() {
        let err = SecretSource::Command("echo nope >&2; exit 3".into())
            .fetch("x", DEFAULT_COMMAND_TIMEOUT)
            .unwrap_err();
        assert!(err.message.contains("nope"), "{}", err.message);
        assert!(err.message.contains('3'), "{}", err.message);
    }

    #[test]
    fn a_failing_command_that_echoes_its_secret_on_stderr_is_redacted() {
        let err = SecretSource::Command(
            "echo S3cretPW; printf 'vault: S3cretPW \\033[2Jrejected\\n' >&2; exit 1".into(),
        )
        .fetch("x", DEFAULT_COMMAND_TIMEOUT)
        .unwrap_err();
        assert!(!err.message.contains("S3cretPW"), "{}", err.message);
        assert!(!err.message.contains('\x1b'), "{}", err.message);
        assert!(
            err.message.contains("vault: (redacted) \\x1b[2Jrejected"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_command_past_its_limit_is_killed_with_its_children_and_is_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("survived");
        // A child of the shell that would outlive a kill of sh alone.
        let cmd = format!("(sleep 2; touch {}) & wait", marker.display());
        let started = Instant::now();
        let err =
            run_command(&cmd, "password_command", Some(Duration::from_millis(300))).unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert!(err.temporary, "{err}");
        assert_eq!(err.exit_code(), Code::TempFail);
        assert!(err.message.contains("did not finish within"), "{err}");
        std::thread::sleep(Duration::from_millis(2500));
        assert!(!marker.exists(), "the command's child was left running");
        // Within its limit, the same path gives the first line.
        let s = run_command(
            "echo pw; echo more",
            "password_command",
            Some(Duration::from_secs(10)),
        )
        .unwrap();
        assert_eq!(s.expose(), "pw");
    }

    #[test]
    fn a_background_child_holding_the_pipes_is_cut_off_at_the_limit() {
        let started = Instant::now();
        let s = run_command(
            "(sleep 20) & echo pw",
            "password command",
            Some(Duration::from_millis(500)),
        )
        .unwrap();
        assert_eq!(s.expose(), "pw");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn output_past_the_bound_is_drained_not_kept() {
        // 1 MiB on stdout: the command must not block on a full pipe, and the first line
        // is still the secret.
        let s = run_command(
            "echo pw; head -c 1048576 /dev/zero",
            "password_command",
            Some(Duration::from_secs(10)),
        )
        .unwrap();
        assert_eq!(s.expose(), "pw");
    }

    #[test]
    fn missing_env_is_named() {
        let err = SecretSource::Env("POSTA_TEST_SURELY_UNSET_VAR".into())
            .fetch("x", DEFAULT_COMMAND_TIMEOUT)
            .unwrap_err();
        assert!(err.message.contains("POSTA_TEST_SURELY_UNSET_VAR"));
    }
}
