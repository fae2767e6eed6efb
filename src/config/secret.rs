//! Where a password comes from: the OS keyring, a command, an environment variable, the
//! file, a prompt.

use std::io::IsTerminal;
use std::process::{Command, Stdio};

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
    /// Written in the (private) config file.
    Literal(Secret),
    /// The OS keyring entry of this profile, stored with `posta password set`.
    Keyring(String),
    /// Ask on the terminal.
    Prompt,
}

impl SecretSource {
    /// Fetch the secret. `label` names what it is for, e.g. "jane@example.com at smtp.example.com".
    pub fn fetch(&self, label: &str) -> Result<Secret, ConfigError> {
        match self {
            SecretSource::Command(cmd) => run_command(cmd, "password command"),
            SecretSource::TokenCommand(cmd) => run_command(cmd, "oauth_token_command"),
            SecretSource::Env(var) => match std::env::var(var) {
                Ok(v) if !v.is_empty() => Ok(Secret::new(v)),
                _ => Err(ConfigError::new(
                    None,
                    format!("password_env names ${var}, but it is not set"),
                )),
            },
            SecretSource::Literal(s) => Ok(s.clone()),
            SecretSource::Keyring(profile) => super::keyring::get(profile),
            SecretSource::Prompt => prompt(label),
        }
    }

    /// The secret is an OAuth2 access token rather than a password.
    pub fn is_token(&self) -> bool {
        matches!(self, SecretSource::TokenCommand(_))
    }
}

fn run_command(cmd: &str, what: &str) -> Result<Secret, ConfigError> {
    let output = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| ConfigError::new(None, format!("cannot run {what}: {e}")))?;
    if !output.status.success() {
        let why = String::from_utf8_lossy(&output.stderr);
        let why = why.lines().next().unwrap_or("").trim();
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
    let stdout = String::from_utf8(output.stdout)
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

    #[test]
    fn command_gives_its_first_line() {
        let s = SecretSource::Command("printf 'pw1\\nignored\\n'".into())
            .fetch("x")
            .unwrap();
        assert_eq!(s.expose(), "pw1");
    }

    #[test]
    fn token_command_is_a_token_and_names_itself_when_it_fails() {
        let src = SecretSource::TokenCommand("echo ya29.tok".into());
        assert!(src.is_token());
        assert_eq!(src.fetch("x").unwrap().expose(), "ya29.tok");
        let err = SecretSource::TokenCommand("true".into())
            .fetch("x")
            .unwrap_err();
        assert_eq!(err.message, "oauth_token_command printed nothing");
        assert!(!SecretSource::Command("true".into()).is_token());
    }

    #[test]
    fn failing_command_says_why() {
        let err = SecretSource::Command("echo nope >&2; exit 3".into())
            .fetch("x")
            .unwrap_err();
        assert!(err.message.contains("nope"), "{}", err.message);
        assert!(err.message.contains('3'), "{}", err.message);
    }

    #[test]
    fn missing_env_is_named() {
        let err = SecretSource::Env("POSTA_TEST_SURELY_UNSET_VAR".into())
            .fetch("x")
            .unwrap_err();
        assert!(err.message.contains("POSTA_TEST_SURELY_UNSET_VAR"));
    }
}
