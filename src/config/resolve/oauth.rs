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
        // tenant's (or provider's) then; its scopes and parameters still hold.
        let provider = self.preset.and_then(|p| p.oauth2);
        let preset = provider.filter(|_| profile.oauth2_issuer.is_none());
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
        let scopes = match (&profile.oauth2_scopes, provider) {
            (Some(own), _) => own.clone(),
            (None, Some(p)) => p.scopes.iter().map(|s| s.to_string()).collect(),
            (None, None) => {
                return Err(self.profile_error(
                    "oauth2_client_id needs oauth2_scopes: the scopes the provider's SMTP \
                     server wants",
                ));
            }
        };
        // The name becomes a file name (the token file, the lock): one path component.
        if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\', '\0']) {
            return Err(self.profile_error(
                "this profile name cannot name a token file: rename the profile (letters, \
                 digits, '-', '_' and '.') to log in with OAuth",
            ));
        }
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
            auth_params: provider
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

#[cfg(test)]
mod tests {
    use crate::config::{Request, resolve};
    use crate::model::AuthMechanism;

    fn account(profile: &str) -> Result<crate::config::Account, crate::config::ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, format!("default = \"w\"\n{profile}")).unwrap();
        resolve(&Request {
            config_path: Some(path),
            ..Request::default()
        })
    }

    #[test]
    fn a_preset_gives_endpoints_scopes_and_its_mechanism() {
        let a = account(
            "[profiles.w]\npreset = \"office365\"\nfrom = \"jo@corp.example\"\n\
             oauth2_client_id = \"app\"\n",
        )
        .unwrap();
        let client = a.oauth.as_ref().unwrap();
        assert!(
            client
                .endpoints
                .token
                .as_deref()
                .unwrap()
                .contains("/common/")
        );
        assert_eq!(
            client.scopes,
            ["https://outlook.office.com/SMTP.Send", "offline_access"]
        );
        assert_eq!(a.settings.mechanism, AuthMechanism::Xoauth2);
        assert!(
            format!("{:?}", a).contains("OAuth("),
            "the login is the secret's source"
        );
    }

    #[test]
    fn an_issuer_replaces_the_preset_endpoints() {
        let a = account(
            "[profiles.w]\npreset = \"office365\"\noauth2_client_id = \"app\"\n\
             oauth2_issuer = \"https://login.microsoftonline.com/tenant-1/v2.0\"\n",
        )
        .unwrap();
        let client = a.oauth.unwrap();
        assert_eq!(client.endpoints.token, None);
        assert_eq!(
            client.issuer.as_deref(),
            Some("https://login.microsoftonline.com/tenant-1/v2.0")
        );
    }

    #[test]
    fn a_password_source_wins_under_auto() {
        let a = account(
            "[profiles.w]\npreset = \"office365\"\noauth2_client_id = \"app\"\n\
             password_command = \"echo pw\"\n",
        )
        .unwrap();
        assert!(!format!("{a:?}").contains("OAuth("));
        assert_eq!(a.settings.mechanism, AuthMechanism::Auto);
    }

    #[test]
    fn a_profile_name_must_make_one_file_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "[profiles.\"../w\"]\nhost = \"h\"\noauth2_client_id = \"app\"\n\
             oauth2_token_url = \"https://h/t\"\noauth2_scopes = [\"s\"]\n",
        )
        .unwrap();
        let e = resolve(&Request {
            config_path: Some(path),
            profile: Some("../w".into()),
            ..Request::default()
        })
        .unwrap_err();
        assert!(
            e.message.contains("cannot name a token file"),
            "{}",
            e.message
        );
    }
}
