//! The OAuth 2.0 client of a profile (`oauth2_*` keys over the preset's endpoints and
//! scopes) and where its tokens are stored (`token_store`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::layers::Layers;
use crate::config::ConfigError;
use crate::config::file::TokenStore;
use crate::oauth::{Client, Endpoints, Store};
use crate::secret::Secret;

/// Where the file store and the lock files are: `$XDG_DATA_HOME/posta/oauth`.
pub fn token_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("posta").join("oauth"))
}

impl Layers<'_> {
    /// The profile's OAuth client, when it names a client id.
    pub(super) fn oauth(&self, timeout: Duration) -> Result<Option<Client>, ConfigError> {
        let (profile, name) = (self.profile, self.name);
        let (Some(id), Some(name)) = (&profile.oauth2_client_id, name) else {
            return Ok(None);
        };
        // A profile's issuer stands for all of its endpoints: the preset's are another
        // provider's (or another tenant's) then.
        let preset = match &profile.oauth2_issuer {
            Some(_) => None,
            None => self.preset.and_then(|p| p.oauth2),
        };
        let given = |own: &Option<String>, preset_url: Option<&'static str>| {
            own.clone().or_else(|| preset_url.map(str::to_string))
        };
        let endpoints = Endpoints {
            authorization: given(&profile.oauth2_auth_url, preset.map(|p| p.auth_url)),
            token: given(&profile.oauth2_token_url, preset.map(|p| p.token_url)),
            device_authorization: given(
                &profile.oauth2_device_url,
                preset.and_then(|p| p.device_url),
            ),
            revocation: given(
                &profile.oauth2_revoke_url,
                preset.and_then(|p| p.revoke_url),
            ),
        };
        if profile.oauth2_issuer.is_none() && endpoints.token.is_none() {
            return Err(self.profile_error(
                "oauth2_client_id needs the provider's endpoints: set oauth2_issuer, or \
                 oauth2_auth_url and oauth2_token_url (or use a preset that has them)",
            ));
        }
        let scopes = match (&profile.oauth2_scopes, preset) {
            (Some(own), _) => own.clone(),
            (None, Some(p)) => p.scopes.iter().map(|s| s.to_string()).collect(),
            (None, None) => {
                return Err(self.profile_error(
                    "oauth2_client_id needs oauth2_scopes: the scopes the provider's SMTP \
                     server wants",
                ));
            }
        };
        let Some(dir) = token_dir() else {
            return Err(self.profile_error(
                "no data directory ($XDG_DATA_HOME, $HOME) to keep the OAuth login's lock in",
            ));
        };
        let store = match profile.token_store.unwrap_or_default() {
            TokenStore::File => Store::file(&dir, name),
            TokenStore::Keyring => Store::keyring(
                Arc::new(crate::config::keyring::TokenVault::new(name)),
                &dir,
                name,
            ),
        };
        Ok(Some(Client {
            profile: name.to_string(),
            id: id.clone(),
            secret: profile.oauth2_client_secret.as_deref().map(Secret::new),
            scopes,
            issuer: profile.oauth2_issuer.clone(),
            endpoints,
            auth_params: preset
                .map(|p| {
                    p.auth_params
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect()
                })
                .unwrap_or_default(),
            timeout,
            store,
        }))
    }
}
