//! The tokens of one profile as stored, and the token endpoint's answer made into them
//! (RFC 6749 section 5.1).

use serde::{Deserialize, Serialize};

use super::http::{Http, host_of};
use super::{Client, OAuthError, ProviderError};
use crate::secret::Secret;

/// What a login leaves behind: the refresh token, the access token cached with its
/// expiry, the granted scopes, and the endpoints it came from (so a refresh and a
/// revocation need no discovery).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tokens {
    #[serde(with = "secret_text", default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<Secret>,
    #[serde(with = "secret_text", default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Secret>,
    /// When the access token expires, seconds since the epoch.
    #[serde(default)]
    pub expires_at: Option<i64>,
    #[serde(default)]
    pub scope: String,
    pub client_id: String,
    pub token_url: String,
    #[serde(default)]
    pub revocation_url: Option<String>,
}

/// How long before its expiry a cached access token is no longer used: a message
/// sent with a token that expires while the session opens would be refused.
pub const EXPIRY_MARGIN: i64 = 60;

impl Tokens {
    /// The cached access token, if it is good for at least [`EXPIRY_MARGIN`] more.
    pub fn fresh_access(&self, now: i64) -> Option<&Secret> {
        let access = self.access.as_ref()?;
        match self.expires_at {
            Some(at) if at - EXPIRY_MARGIN > now => Some(access),
            _ => None,
        }
    }
}

/// POST a grant to the token endpoint; the answer made into [`Tokens`]. `previous`
/// keeps its refresh token when the provider does not rotate it (RFC 6749 section 6).
pub fn request(
    http: &Http,
    client: &Client,
    token_url: &str,
    grant: &[(&str, &str)],
    doing: &str,
    previous: Option<&Tokens>,
) -> Result<Tokens, OAuthError> {
    let mut fields: Vec<(&str, &str)> = grant.to_vec();
    client.auth_fields(&mut fields);
    let answer = http.post_form(token_url, &fields)?;
    if answer.status != 200 {
        return Err(scrub(refusal(&answer, doing, token_url, client), &fields));
    }
    let json = answer.json;
    let text = |name: &str| json.get(name).and_then(|v| v.as_str());
    let Some(access) = text("access_token").filter(|t| !t.is_empty()) else {
        return Err(OAuthError::protocol(format!(
            "{} answered without an access_token",
            host_of(token_url)
        )));
    };
    if let Some(kind) = text("token_type")
        && !kind.eq_ignore_ascii_case("bearer")
    {
        return Err(OAuthError::protocol(format!(
            "{} gave a token of type {:?}; SMTP takes only Bearer tokens",
            host_of(token_url),
            crate::model::text::for_terminal(kind)
        )));
    }
    // Microsoft sends expires_in as a string; RFC 6749 says a number. No expiry: an
    // hour, what every provider of the presets gives.
    let lifetime = match json.get("expires_in") {
        Some(serde_json::Value::Number(n)) => n.as_i64(),
        Some(serde_json::Value::String(s)) => s.parse().ok(),
        _ => None,
    }
    .unwrap_or(3600);
    let refresh = text("refresh_token")
        .filter(|t| !t.is_empty())
        .map(Secret::new)
        .or_else(|| previous.and_then(|p| p.refresh.clone()));
    let scope = text("scope")
        .map(str::to_string)
        .or_else(|| previous.map(|p| p.scope.clone()))
        .unwrap_or_else(|| client.scope());
    Ok(Tokens {
        refresh,
        access: Some(Secret::new(access)),
        expires_at: Some(now() + lifetime.max(0)),
        scope,
        client_id: client.id.clone(),
        token_url: token_url.to_string(),
        revocation_url: previous.and_then(|p| p.revocation_url.clone()),
    })
}

/// Revoke `tokens`' refresh token (RFC 7009), which ends the grant at providers that
/// implement revocation. `Ok(false)` when the provider has no revocation endpoint.
pub fn revoke(http: &Http, client: &Client, tokens: &Tokens) -> Result<bool, OAuthError> {
    let url = client
        .endpoints
        .revocation
        .as_deref()
        .or(tokens.revocation_url.as_deref());
    let (Some(url), Some(refresh)) = (url, &tokens.refresh) else {
        return Ok(false);
    };
    let mut fields = vec![
        ("token", refresh.expose()),
        ("token_type_hint", "refresh_token"),
    ];
    client.auth_fields(&mut fields);
    let answer = http.post_form(url, &fields)?;
    if answer.status == 200 {
        return Ok(true);
    }
    Err(refusal(&answer, "revoke the login", url, client))
}

/// `e` without the secrets of the request, should the provider have echoed one back
/// into its `error_description` (they must reach no terminal or log).
fn scrub(mut e: OAuthError, fields: &[(&str, &str)]) -> OAuthError {
    const SECRET: [&str; 5] = [
        "refresh_token",
        "code",
        "code_verifier",
        "device_code",
        "client_secret",
    ];
    for (name, value) in fields {
        if SECRET.contains(name) && value.len() >= 4 {
            e.message = e.message.replace(value, "(redacted)");
        }
    }
    e
}

/// A non-200 answer of a token or device endpoint as an error of the right code.
pub fn refusal(
    answer: &super::http::Answer,
    doing: &str,
    url: &str,
    client: &Client,
) -> OAuthError {
    match ProviderError::from_json(&answer.json) {
        Some(e) => e.into_error(doing, &host_of(url), &client.login_command()),
        None if answer.status >= 500 => OAuthError::temporary(format!(
            "{} answered HTTP {} when asked to {doing}",
            host_of(url),
            answer.status
        )),
        None => OAuthError::protocol(format!(
            "{} answered HTTP {} without an error code when asked to {doing}",
            host_of(url),
            answer.status
        )),
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A [`Secret`] in the store's JSON as its text (the file is private; the keyring entry is).
mod secret_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::secret::Secret;

    pub fn serialize<S: Serializer>(s: &Option<Secret>, ser: S) -> Result<S::Ok, S::Error> {
        match s {
            Some(s) => ser.serialize_some(s.expose()),
            None => ser.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Secret>, D::Error> {
        let text: Option<zeroize::Zeroizing<String>> =
            Option::<String>::deserialize(de)?.map(zeroize::Zeroizing::new);
        Ok(text.map(|t| Secret::new(t.as_str())))
    }
}
