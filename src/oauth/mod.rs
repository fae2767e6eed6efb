//! OAuth 2.0 for SMTP AUTH (XOAUTH2, OAUTHBEARER): the endpoints of a provider (given,
//! or found by RFC 8414 / OpenID discovery), the two ways to log in (authorization
//! code with PKCE and a loopback redirect, RFC 7636 and RFC 8252; the device grant,
//! RFC 8628), the token store (refresh token in the keyring or a private file, the
//! access token cached until shortly before it expires) and the refresh.
//!
//! HTTP lives here only ([`http`]). Below `config` (which builds a [`Client`] from a
//! profile) and above the leaves (`secret`, `model`, `private_fs`).

pub mod device;
pub mod discovery;
pub mod error;
pub mod http;
pub mod login;
pub mod pkce;
pub mod refresh;
pub mod store;
pub mod token;

use std::time::Duration;

pub use error::{OAuthError, ProviderError};
pub use store::{Store, Vault};
pub use token::Tokens;

use crate::secret::Secret;

/// A provider's endpoints (RFC 8414 names).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Endpoints {
    pub authorization: Option<String>,
    pub token: Option<String>,
    pub device_authorization: Option<String>,
    pub revocation: Option<String>,
}

/// posta as a client of one provider, for one profile.
#[derive(Debug, Clone)]
pub struct Client {
    /// The profile this is for: named in the `posta auth login` a failure asks for.
    pub profile: String,
    pub id: String,
    /// Only where the provider insists on one for a "desktop" client (Google).
    pub secret: Option<Secret>,
    pub scopes: Vec<String>,
    /// Where the endpoints are found when not all are given.
    pub issuer: Option<String>,
    /// The endpoints the profile or its preset give; discovery fills the rest.
    pub endpoints: Endpoints,
    /// Extra parameters of the authorization request (the preset's).
    pub auth_params: Vec<(String, String)>,
    /// The limit of each HTTP request.
    pub timeout: Duration,
    /// Where the tokens are kept.
    pub store: Store,
}

impl Client {
    /// The endpoints: those given, completed by discovery at the issuer when one is
    /// missing that `need` names.
    pub fn endpoints(
        &self,
        http: &http::Http,
        need: fn(&Endpoints) -> bool,
    ) -> Result<Endpoints, OAuthError> {
        if need(&self.endpoints) {
            return Ok(self.endpoints.clone());
        }
        let Some(issuer) = &self.issuer else {
            return Ok(self.endpoints.clone());
        };
        let found = discovery::discover(http, issuer)?;
        let given = &self.endpoints;
        Ok(Endpoints {
            authorization: given.authorization.clone().or(found.authorization),
            token: given.token.clone().or(found.token),
            device_authorization: given
                .device_authorization
                .clone()
                .or(found.device_authorization),
            revocation: given.revocation.clone().or(found.revocation),
        })
    }

    /// The space-separated scope parameter.
    pub fn scope(&self) -> String {
        self.scopes.join(" ")
    }

    /// The client's own fields of a token request: its id, and its secret when it has one
    /// (client_secret_post, RFC 6749 section 2.3.1; every preset provider takes it).
    pub(crate) fn auth_fields<'a>(&'a self, fields: &mut Vec<(&'a str, &'a str)>) {
        fields.push(("client_id", &self.id));
        if let Some(secret) = &self.secret {
            fields.push(("client_secret", secret.expose()));
        }
    }

    /// The command that logs in again, for errors that need it.
    pub fn login_command(&self) -> String {
        format!("posta auth login {}", self.profile)
    }
}

/// How long one HTTP request to a provider may take, unless the profile's `timeout` says.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
