//! The OAuth 2.0 side of the presets: each provider's endpoints, the scopes SMTP needs
//! and the SASL mechanism (shared/facts/providers.md, "OAuth 2.0 endpoints"). The user
//! registers their own client id (README, "OAuth 2.0"); posta ships none.

/// One provider's OAuth 2.0 endpoints and scopes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OAuthPreset {
    pub auth_url: &'static str,
    pub token_url: &'static str,
    /// The device authorization endpoint, where the provider allows SMTP scopes there.
    pub device_url: Option<&'static str>,
    /// RFC 7009 revocation, where the provider has it.
    pub revoke_url: Option<&'static str>,
    pub scopes: &'static [&'static str],
    /// The SASL mechanism the provider's SMTP server takes the token by.
    pub mechanism: &'static str,
    /// Extra parameters of the authorization request the provider needs.
    pub auth_params: &'static [(&'static str, &'static str)],
    /// Where a client id is registered.
    pub register: &'static str,
}

/// Google: the "Desktop app" client type (its secret is not secret, but required). The
/// device flow does not allow the mail scope, so none is named. `access_type=offline`
/// and `prompt=consent` make Google give a refresh token.
pub const GOOGLE: OAuthPreset = OAuthPreset {
    auth_url: "https://accounts.google.com/o/oauth2/v2/auth",
    token_url: "https://oauth2.googleapis.com/token",
    device_url: None,
    revoke_url: Some("https://oauth2.googleapis.com/revoke"),
    scopes: &["https://mail.google.com/"],
    mechanism: "xoauth2",
    auth_params: &[("access_type", "offline"), ("prompt", "consent")],
    register: "https://console.cloud.google.com/apis/credentials",
};

const MICROSOFT_SCOPES: &[&str] = &["https://outlook.office.com/SMTP.Send", "offline_access"];
const MICROSOFT_REGISTER: &str =
    "https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade";

/// Outlook.com, Hotmail, Live: personal Microsoft accounts (tenant `consumers`).
/// Microsoft offers no revocation endpoint: logging out is local.
pub const OUTLOOK: OAuthPreset = OAuthPreset {
    auth_url: "https://login.microsoftonline.com/consumers/oauth2/v2.0/authorize",
    token_url: "https://login.microsoftonline.com/consumers/oauth2/v2.0/token",
    device_url: Some("https://login.microsoftonline.com/consumers/oauth2/v2.0/devicecode"),
    revoke_url: None,
    scopes: MICROSOFT_SCOPES,
    mechanism: "xoauth2",
    auth_params: &[],
    register: MICROSOFT_REGISTER,
};

/// Microsoft 365 (tenant `common`; a profile's `oauth2_issuer =
/// "https://login.microsoftonline.com/TENANT-ID/v2.0"` names its own, by the tenant's
/// GUID: the metadata names the issuer by it, and discovery checks that it matches).
pub const OFFICE365: OAuthPreset = OAuthPreset {
    auth_url: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
    token_url: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
    device_url: Some("https://login.microsoftonline.com/common/oauth2/v2.0/devicecode"),
    revoke_url: None,
    scopes: MICROSOFT_SCOPES,
    mechanism: "xoauth2",
    auth_params: &[],
    register: MICROSOFT_REGISTER,
};

pub const YANDEX: OAuthPreset = OAuthPreset {
    auth_url: "https://oauth.yandex.ru/authorize",
    token_url: "https://oauth.yandex.ru/token",
    device_url: Some("https://oauth.yandex.ru/device/code"),
    revoke_url: Some("https://oauth.yandex.ru/revoke_token"),
    scopes: &["mail:smtp"],
    mechanism: "xoauth2",
    auth_params: &[],
    register: "https://oauth.yandex.ru/client/new",
};

/// Mail.ru: `mail.imap` covers SMTP XOAUTH2 too, by Mail.ru's client documentation.
pub const MAILRU: OAuthPreset = OAuthPreset {
    auth_url: "https://oauth.mail.ru/login",
    token_url: "https://oauth.mail.ru/token",
    device_url: None,
    revoke_url: None,
    scopes: &["mail.imap"],
    mechanism: "xoauth2",
    auth_params: &[],
    register: "https://o2.mail.ru/app/",
};
