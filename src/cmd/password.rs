//! `posta password set PROFILE | delete PROFILE`: a profile's password in the OS keyring
//! (service "posta", user = the profile's name), read by `keyring = true` with no prompt.

use std::io::BufRead;

use serde_json::json;

use super::{Console, Report};
use crate::cli::{GlobalArgs, PasswordCommand};
use crate::config::file::{self, Loaded};
use crate::config::{ConfigError, keyring};
use crate::model::exit_code::{Code, fail};
use crate::secret::Secret;

pub fn run(
    global: &GlobalArgs,
    command: PasswordCommand,
    console: &mut Console<'_>,
) -> anyhow::Result<Report> {
    match command {
        PasswordCommand::Set { profile } => set(global, &profile, console),
        PasswordCommand::Delete { profile } => delete(&profile),
    }
}

fn set(global: &GlobalArgs, profile: &str, console: &mut Console<'_>) -> anyhow::Result<Report> {
    // A typo must not store a password nobody will ever read.
    let loaded = file::load(global.config.as_deref())?;
    let uses_keyring = known_profile(loaded.as_ref(), profile)?.keyring == Some(true);
    keyring::check(profile)?;
    let secret = if console.stdin_is_terminal {
        prompt(profile)?
    } else {
        read_line(&mut std::io::stdin().lock())?
    };
    keyring::set(profile, &secret)?;
    let mut human = format!(
        "stored the password of profile {profile} in the OS keyring (service \"{}\", user \"{profile}\")",
        keyring::SERVICE
    );
    if !uses_keyring {
        human.push_str(&format!(
            "\n  the profile does not read it yet: add `keyring = true` to [profiles.{profile}]"
        ));
    }
    Ok(Report {
        human,
        json: Some(json!({
            "stored": profile,
            "service": keyring::SERVICE,
            "user": profile,
            "profile_uses_keyring": uses_keyring,
        })),
        data: false,
        exit: None,
    })
}

fn delete(profile: &str) -> anyhow::Result<Report> {
    // No check against the config: the profile may be gone already, its password not.
    if !keyring::delete(profile)? {
        return Err(fail(
            Code::Config,
            format!(
                "the OS keyring holds no password for profile {profile} (service \"{}\", user \"{profile}\")",
                keyring::SERVICE
            ),
        ));
    }
    Ok(Report {
        human: format!("deleted the password of profile {profile} from the OS keyring"),
        json: Some(json!({ "deleted": profile, "service": keyring::SERVICE, "user": profile })),
        data: false,
        exit: None,
    })
}

fn known_profile<'a>(
    loaded: Option<&'a Loaded>,
    name: &str,
) -> Result<&'a file::Profile, ConfigError> {
    let Some(loaded) = loaded else {
        return Err(ConfigError::new(
            file::default_path(),
            format!(
                "profile \"{name}\" not found: there is no config file (add one with `posta profile add {name} --email ADDRESS`)"
            ),
        ));
    };
    loaded.profile(name, "")
}

fn prompt(profile: &str) -> anyhow::Result<Secret> {
    let first = rpassword::prompt_password(format!("Password for profile {profile}: "))
        .map_err(|e| fail(Code::IoErr, format!("cannot read the password: {e}")))?;
    let again = rpassword::prompt_password("Again, to confirm: ")
        .map_err(|e| fail(Code::IoErr, format!("cannot read the password: {e}")))?;
    if first != again {
        return Err(fail(
            Code::DataErr,
            "the two passwords differ; nothing stored",
        ));
    }
    non_empty(Secret::new(first))
}

/// One line from a pipe: `printf %s "$PW" | posta password set work`.
fn read_line(input: &mut dyn BufRead) -> anyhow::Result<Secret> {
    let mut line = String::new();
    input.read_line(&mut line).map_err(|e| {
        fail(
            Code::IoErr,
            format!("cannot read the password from stdin: {e}"),
        )
    })?;
    let trimmed = line.trim_end_matches(['\n', '\r']).to_string();
    line.clear();
    non_empty(Secret::new(trimmed))
}

fn non_empty(s: Secret) -> anyhow::Result<Secret> {
    if s.expose().is_empty() {
        return Err(fail(Code::DataErr, "the password is empty; nothing stored"));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdin_gives_one_line_without_its_end() {
        let mut input: &[u8] = b"pa ss\r\nsecond line\n";
        assert_eq!(read_line(&mut input).unwrap().expose(), "pa ss");
        let mut input: &[u8] = b"no newline";
        assert_eq!(read_line(&mut input).unwrap().expose(), "no newline");
    }

    #[test]
    fn an_empty_line_is_refused() {
        let mut input: &[u8] = b"\n";
        let e = read_line(&mut input).unwrap_err();
        assert_eq!(crate::report::code_of(&e), Code::DataErr);
    }
}
