//! The OS keyring's stand-in in a posta built without the cargo feature "keyring" (a
//! build for sendmail duty on a server, without the D-Bus stack): the same functions
//! as `keyring.rs`, each failing with a config error (exit 78) that names the feature
//! and the other places a password can come from. The CLI keeps its commands and
//! flags, so a script written for one build reads the same on the other.

use super::ConfigError;
use crate::secret::Secret;

/// The service name every posta entry is stored under (in builds with the keyring).
pub const SERVICE: &str = "posta";

/// The other places a password can come from, for errors that must name them.
pub const OTHER_SOURCES: &str = "password_command, password_env or a literal password \
     (in a 0600 file) in the profile, POSTA_PASSWORD, --password-command, or a prompt on a terminal";

/// Why any use of the keyring fails in this build.
pub fn unavailable() -> ConfigError {
    ConfigError::new(
        None,
        format!(
            "this posta was built without OS keyring support (cargo feature \"keyring\"); \
             other password sources: {OTHER_SOURCES}"
        ),
    )
}

/// Always an error: there is no keyring to read.
pub fn get(profile: &str) -> Result<Secret, ConfigError> {
    let e = unavailable();
    Err(ConfigError::new(
        e.path,
        format!("profile {profile} has keyring = true, but {}", e.message),
    ))
}

/// Always an error: there is no keyring to use.
pub fn check(_profile: &str) -> Result<(), ConfigError> {
    Err(unavailable())
}

/// Always an error: there is no keyring to store in.
pub fn set(_profile: &str, _secret: &Secret) -> Result<(), ConfigError> {
    Err(unavailable())
}

/// Always an error: there is no keyring to delete from.
pub fn delete(_profile: &str) -> Result<bool, ConfigError> {
    Err(unavailable())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::exit_code::Code;

    #[test]
    fn every_use_is_a_config_error_that_names_the_feature() {
        let secret = Secret::new("x");
        let errors = [
            get("work").map(drop).unwrap_err(),
            check("work").unwrap_err(),
            set("work", &secret).unwrap_err(),
            delete("work").map(drop).unwrap_err(),
        ];
        for e in errors {
            assert_eq!(e.exit_code(), Code::Config, "{e}");
            assert!(e.to_string().contains("cargo feature \"keyring\""), "{e}");
            assert!(e.to_string().contains("password_command"), "{e}");
        }
        assert!(
            get("work")
                .unwrap_err()
                .to_string()
                .contains("profile work has keyring = true")
        );
    }
}

/// The keyring entry of a profile's OAuth tokens: in this build, an error to use.
#[derive(Debug)]
pub struct TokenVault {
    user: String,
}

impl TokenVault {
    pub fn new(profile: &str) -> Self {
        TokenVault {
            user: format!("oauth:{profile}"),
        }
    }
}

fn no_vault() -> crate::oauth::OAuthError {
    crate::oauth::OAuthError::config(
        "this posta was built without OS keyring support (cargo feature \"keyring\"): set \
         token_store = \"file\" in the profile",
    )
}

impl crate::oauth::Vault for TokenVault {
    fn get(&self) -> Result<Option<Secret>, crate::oauth::OAuthError> {
        Err(no_vault())
    }
    fn set(&self, _value: &Secret) -> Result<(), crate::oauth::OAuthError> {
        Err(no_vault())
    }
    fn delete(&self) -> Result<bool, crate::oauth::OAuthError> {
        Err(no_vault())
    }
    fn describe(&self) -> String {
        format!(
            "the OS keyring (service \"{SERVICE}\", user \"{}\"), not in this build",
            self.user
        )
    }
}
