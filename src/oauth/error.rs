//! What went wrong talking OAuth, with the exit code it means, and a provider's own
//! error answer (RFC 6749 section 5.2) in words.

use crate::model::exit_code::Code;
use crate::model::text::for_terminal;

/// An OAuth failure. Its text says what happened and what to do; never a token.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct OAuthError {
    pub code: Code,
    pub message: String,
    /// The provider refused the refresh token for good (`invalid_grant`): only a new
    /// login helps.
    pub login_again: bool,
    /// The provider's own error code, when it answered with one.
    pub provider: Option<String>,
}

impl OAuthError {
    fn with(code: Code, message: impl Into<String>) -> Self {
        OAuthError {
            code,
            message: message.into(),
            login_again: false,
            provider: None,
        }
    }

    /// No answer, or a server in trouble: try later (75).
    pub fn temporary(message: impl Into<String>) -> Self {
        Self::with(Code::TempFail, message)
    }

    /// An answer that is not what the RFC says (76).
    pub fn protocol(message: impl Into<String>) -> Self {
        Self::with(Code::Protocol, message)
    }

    /// The profile or the provider's set-up needs fixing (78).
    pub fn config(message: impl Into<String>) -> Self {
        Self::with(Code::Config, message)
    }

    /// Refused: the person said no, the redirect was not ours, the grant is gone (77).
    pub fn refused(message: impl Into<String>) -> Self {
        Self::with(Code::NoPerm, message)
    }

    /// A local file or keyring that could not be used (74).
    pub fn io(message: impl Into<String>) -> Self {
        Self::with(Code::IoErr, message)
    }

    pub fn exit_code(&self) -> Code {
        self.code
    }

    pub fn is_temporary(&self) -> bool {
        self.code == Code::TempFail
    }
}

/// A provider's error answer: `error` and `error_description`, cleaned for a terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    pub error: String,
    pub description: Option<String>,
}

impl ProviderError {
    /// The answer's error, if it has one. Bounded: a hostile server's novel is cut.
    pub fn from_json(json: &serde_json::Value) -> Option<Self> {
        let error = json.get("error")?.as_str()?;
        let description = json
            .get("error_description")
            .and_then(|d| d.as_str())
            .map(|d| clean(d, 300));
        Some(ProviderError {
            error: clean(error, 80),
            description,
        })
    }

    /// From the redirect's `error` and `error_description` parameters, cleaned and cut
    /// as an answer's are.
    pub fn from_params(error: &str, description: Option<&str>) -> Self {
        ProviderError {
            error: clean(error, 80),
            description: description.map(|d| clean(d, 300)),
        }
    }

    /// "invalid_grant (the refresh token has expired)".
    pub fn words(&self) -> String {
        match &self.description {
            Some(d) if !d.is_empty() => format!("{} ({d})", self.error),
            _ => self.error.clone(),
        }
    }

    /// The provider's answer to a request as an [`OAuthError`] of the right code.
    pub fn into_error(self, doing: &str, host: &str, login: &str) -> OAuthError {
        let text = format!("{host} refused to {doing}: {}", self.words());
        let code = Some(self.error.clone());
        let error = match self.error.as_str() {
            "invalid_grant" => OAuthError {
                login_again: true,
                ..OAuthError::refused(format!(
                    "{text}; the stored login no longer works: run `{login}`"
                ))
            },
            "access_denied" | "expired_token" => OAuthError::refused(text),
            "temporarily_unavailable" | "server_error" | "slow_down" => OAuthError::temporary(text),
            "invalid_client" | "unauthorized_client" | "invalid_scope" => OAuthError::config(
                format!("{text}; check oauth2_client_id, oauth2_client_secret and oauth2_scopes"),
            ),
            _ => OAuthError::protocol(text),
        };
        OAuthError {
            provider: code,
            ..error
        }
    }
}

fn clean(s: &str, max: usize) -> String {
    let cut: String = s.chars().take(max).collect();
    for_terminal(&cut).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_errors_in_words_without_escapes() {
        let json =
            serde_json::json!({"error": "invalid_grant", "error_description": "gone\u{1b}[2J"});
        let e = ProviderError::from_json(&json).unwrap();
        assert!(!e.words().contains('\u{1b}'), "{}", e.words());
        let err = e.into_error("refresh the token", "idp.example", "posta auth login w");
        assert_eq!(err.code, Code::NoPerm);
        assert!(err.login_again);
        assert!(
            err.message.contains("run `posta auth login w`"),
            "{}",
            err.message
        );
    }
}
