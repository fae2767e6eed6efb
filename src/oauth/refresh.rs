//! An access token for sending: the cached one while it is fresh, else a new one from
//! the refresh token (RFC 6749 section 6), stored with the rotated refresh token under
//! the profile's lock.

use super::http::Http;
use super::token::{self, Tokens, now};
use super::{Client, OAuthError};
use crate::secret::Secret;

/// An access token, and whether it was just issued (a refused fresh token is not worth
/// another refresh; a refused cached one is).
#[derive(Debug)]
pub struct Access {
    pub token: Secret,
    pub fresh: bool,
}

/// The access token to send with. `refused` is one the mail server just refused: a
/// new one is fetched unless another process already stored a different one.
pub fn access_token(client: &Client, refused: Option<&Secret>) -> Result<Access, OAuthError> {
    let _lock = client.store.lock()?;
    let Some(stored) = client.store.load()? else {
        return Err(OAuthError {
            login_again: true,
            ..OAuthError::refused(format!(
                "profile {} has no OAuth login stored ({}): run `{}`",
                client.profile,
                client.store.describe(),
                client.login_command()
            ))
        });
    };
    if let Some(access) = stored.fresh_access(now())
        && refused != Some(access)
    {
        return Ok(Access {
            token: access.clone(),
            fresh: false,
        });
    }
    let tokens = refresh(client, &stored)?;
    client.store.save(&tokens)?;
    let token = tokens
        .access
        .clone()
        .expect("a token answer has an access token");
    Ok(Access { token, fresh: true })
}

/// New tokens from the stored refresh token.
fn refresh(client: &Client, stored: &Tokens) -> Result<Tokens, OAuthError> {
    let Some(refresh) = &stored.refresh else {
        return Err(OAuthError {
            login_again: true,
            ..OAuthError::refused(format!(
                "the provider gave profile {} no refresh token: run `{}`",
                client.profile,
                client.login_command()
            ))
        });
    };
    let http = Http::new(client.timeout);
    // The profile's token endpoint if it names one now, else the one the login used.
    let token_url = client
        .endpoints
        .token
        .as_deref()
        .unwrap_or(&stored.token_url);
    token::request(
        &http,
        client,
        token_url,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.expose()),
        ],
        "refresh the access token",
        Some(stored),
    )
}
