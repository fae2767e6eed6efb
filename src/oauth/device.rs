//! Logging in with the device authorization grant (RFC 8628), for a machine without a
//! browser: the user opens a URL elsewhere and types a code; posta polls the token
//! endpoint at the interval given, slower after `slow_down` (section 3.5), until the
//! code expires.

use std::time::{Duration, Instant};

use super::http::{Http, host_of};
use super::token::{self, Tokens};
use super::{Client, OAuthError};
use crate::model::text::for_terminal;

/// What the user is told: where to go and what to type.
pub struct Prompt {
    pub verification_uri: String,
    /// The URI with the code in it, when the provider gives one.
    pub verification_uri_complete: Option<String>,
    pub user_code: String,
    pub expires_in: u64,
}

/// The device code's lifetime when the provider does not say, and the most posta waits.
const MAX_WAIT: Duration = Duration::from_secs(30 * 60);

/// Run the device grant; `show` is told what the user must do.
pub fn device_flow(
    client: &Client,
    http: &Http,
    show: &mut dyn FnMut(&Prompt),
) -> Result<Tokens, OAuthError> {
    let endpoints = client.endpoints(http, |e| {
        e.device_authorization.is_some() && e.token.is_some()
    })?;
    let (Some(device_url), Some(token_url)) = (&endpoints.device_authorization, &endpoints.token)
    else {
        return Err(OAuthError::config(format!(
            "profile {}: the provider has no device authorization endpoint (set \
             oauth2_device_url, or log in without --device)",
            client.profile
        )));
    };
    let scope = client.scope();
    let mut fields = vec![("scope", scope.as_str())];
    client.auth_fields(&mut fields);
    let answer = http.post_form(device_url, &fields)?;
    if answer.status != 200 {
        return Err(token::refusal(
            &answer,
            "start a device login",
            device_url,
            client,
        ));
    }
    let json = &answer.json;
    let text = |name: &str| json.get(name).and_then(|v| v.as_str()).map(str::to_string);
    let (Some(device_code), Some(user_code)) = (text("device_code"), text("user_code")) else {
        return Err(OAuthError::protocol(format!(
            "{} answered without a device_code or user_code",
            host_of(device_url)
        )));
    };
    // Google says verification_url, as in the draft; the RFC says verification_uri.
    let Some(verification_uri) = text("verification_uri").or_else(|| text("verification_url"))
    else {
        return Err(OAuthError::protocol(format!(
            "{} answered without a verification_uri",
            host_of(device_url)
        )));
    };
    let number = |name: &str| json.get(name).and_then(serde_json::Value::as_u64);
    let expires_in = number("expires_in").unwrap_or(MAX_WAIT.as_secs());
    // Section 3.2: 5 seconds when the provider does not say.
    let mut interval = Duration::from_secs(number("interval").unwrap_or(5).max(1));
    show(&Prompt {
        verification_uri: for_terminal(&verification_uri).into_owned(),
        verification_uri_complete: text("verification_uri_complete")
            .map(|u| for_terminal(&u).into_owned()),
        user_code: for_terminal(&user_code).into_owned(),
        expires_in,
    });
    let deadline = Instant::now() + Duration::from_secs(expires_in).min(MAX_WAIT);
    let device_code = crate::secret::Secret::new(device_code);
    loop {
        std::thread::sleep(interval);
        if Instant::now() >= deadline {
            return Err(OAuthError::refused(
                "the code expired before the login was completed; run the login again",
            ));
        }
        let result = token::request(
            http,
            client,
            token_url,
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("device_code", device_code.expose()),
            ],
            "finish the device login",
            None,
        );
        match result {
            Ok(mut tokens) => {
                tokens.revocation_url = endpoints.revocation.clone();
                return Ok(tokens);
            }
            Err(e) if e.provider.as_deref() == Some("authorization_pending") => {}
            Err(e) if e.provider.as_deref() == Some("slow_down") => {
                interval += Duration::from_secs(5)
            }
            Err(e) => return Err(e),
        }
    }
}
