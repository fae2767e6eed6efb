//! Built-in provider presets, as data (facts from shared/facts/providers.md).

use crate::smtp::Security;

/// How a provider wants the user name written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UserForm {
    /// The full address, jane@example.com.
    Address,
    /// The local part only, jane.
    LocalPart,
}

/// What a provider accepts as the From address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FromRule {
    /// Anything; the provider may rewrite it.
    Any,
    /// Must equal the login (the server refuses other addresses).
    MustEqualLogin,
}

/// One provider's submission settings.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Preset {
    pub name: &'static str,
    pub title: &'static str,
    pub host: &'static str,
    pub port: u16,
    pub security: Security,
    pub user_form: UserForm,
    /// Mechanisms the provider accepts, strongest preference first.
    pub auth: &'static [&'static str],
    pub domains: &'static [&'static str],
    /// Where the user makes an app password, if the provider has such a page.
    pub app_password_page: Option<&'static str>,
    /// The one setting to enable, or the password rule, in a sentence.
    pub note: &'static str,
    pub from_rule: FromRule,
    /// Recipients the provider lets an account send to in a rolling 24 hours, where
    /// it publishes a figure.
    pub daily_limit: Option<u32>,
    /// Recipients the provider takes in one message, where it publishes a figure.
    pub per_message_limit: Option<u32>,
    /// Messages a minute the provider accepts from an account, where it publishes a
    /// figure (`posta batch` paces each profile by it).
    pub messages_per_minute: Option<u32>,
    /// The provider's IMAP server, "HOST[:PORT]", for the copy in Sent (`save_sent`).
    pub imap_server: Option<&'static str>,
    /// The provider files a copy of what is submitted in Sent itself (Gmail,
    /// Microsoft, Proton Bridge): `save_sent` is off unless the profile turns it on,
    /// or every message would be there twice.
    pub files_sent: bool,
    /// The provider's OAuth 2.0 endpoints and scopes, for `posta auth login`.
    pub oauth2: Option<&'static OAuthPreset>,
}

mod oauth;
pub use oauth::OAuthPreset;

use FromRule::*;
use Security::*;
use UserForm::*;

pub const PRESETS: &[Preset] = &[
    Preset {
        name: "gmail",
        title: "Gmail",
        host: "smtp.gmail.com",
        port: 465,
        security: Tls,
        user_form: Address,
        auth: &["plain", "login", "xoauth2"],
        domains: &["gmail.com", "googlemail.com"],
        app_password_page: Some("https://myaccount.google.com/apppasswords"),
        note: "Gmail needs an app password (2-Step Verification must be on) or OAuth2; the normal password is refused.",
        from_rule: Any,
        daily_limit: Some(500),
        per_message_limit: Some(100),
        imap_server: Some("imap.gmail.com"),
        files_sent: true,
        messages_per_minute: None,
        oauth2: Some(&oauth::GOOGLE),
    },
    Preset {
        name: "mailru",
        title: "Mail.ru",
        host: "smtp.mail.ru",
        port: 465,
        security: Tls,
        user_form: Address,
        auth: &["plain", "login"],
        domains: &[
            "mail.ru",
            "inbox.ru",
            "list.ru",
            "bk.ru",
            "internet.ru",
            "vk.com",
        ],
        app_password_page: Some("https://account.mail.ru/user/2-step-auth/passwords/"),
        note: "Mail.ru needs an application password for mail clients; From must equal the login.",
        from_rule: MustEqualLogin,
        daily_limit: None,
        per_message_limit: None,
        imap_server: Some("imap.mail.ru"),
        files_sent: false,
        messages_per_minute: None,
        oauth2: Some(&oauth::MAILRU),
    },
    Preset {
        name: "yandex",
        title: "Yandex",
        host: "smtp.yandex.ru",
        port: 465,
        security: Tls,
        user_form: Address,
        auth: &["plain", "login", "xoauth2"],
        domains: &[
            "yandex.ru",
            "yandex.com",
            "yandex.by",
            "yandex.kz",
            "yandex.ua",
            "ya.ru",
            "narod.ru",
        ],
        app_password_page: Some("https://id.yandex.ru/security/app-passwords"),
        note: "Enable mail clients at https://mail.yandex.ru/#setup/client and use an app password; From must be owned by the login.",
        from_rule: MustEqualLogin,
        daily_limit: Some(500),
        per_message_limit: Some(35),
        imap_server: Some("imap.yandex.ru"),
        files_sent: false,
        messages_per_minute: None,
        oauth2: Some(&oauth::YANDEX),
    },
    Preset {
        name: "outlook",
        title: "Outlook.com",
        host: "smtp-mail.outlook.com",
        port: 587,
        security: StartTls,
        user_form: Address,
        auth: &["xoauth2"],
        domains: &[
            "outlook.com",
            "hotmail.com",
            "live.com",
            "msn.com",
            "outlook.de",
            "hotmail.de",
            "hotmail.co.uk",
            "outlook.fr",
            "hotmail.fr",
        ],
        app_password_page: None,
        note: "Outlook.com accepts only OAuth2 since September 2024 (auth = \"xoauth2\" with oauth_token_command).",
        from_rule: Any,
        daily_limit: Some(5000),
        per_message_limit: None,
        imap_server: Some("outlook.office365.com"),
        files_sent: true,
        messages_per_minute: None,
        oauth2: Some(&oauth::OUTLOOK),
    },
    Preset {
        name: "office365",
        title: "Microsoft 365",
        host: "smtp.office365.com",
        port: 587,
        security: StartTls,
        user_form: Address,
        auth: &["xoauth2", "login"],
        domains: &[],
        app_password_page: None,
        note: "Microsoft 365 wants OAuth2; basic SMTP AUTH is being retired. The mailbox needs Send As rights for other From addresses.",
        from_rule: Any,
        daily_limit: Some(10000),
        per_message_limit: None,
        imap_server: Some("outlook.office365.com"),
        files_sent: true,
        messages_per_minute: Some(30),
        oauth2: Some(&oauth::OFFICE365),
    },
    Preset {
        name: "yahoo",
        title: "Yahoo Mail",
        host: "smtp.mail.yahoo.com",
        port: 465,
        security: Tls,
        user_form: Address,
        auth: &["plain", "login", "xoauth2"],
        domains: &[
            "yahoo.com",
            "yahoo.co.uk",
            "yahoo.fr",
            "yahoo.de",
            "ymail.com",
            "rocketmail.com",
        ],
        app_password_page: Some("https://login.yahoo.com/account/security"),
        note: "Yahoo needs an app password.",
        from_rule: Any,
        daily_limit: None,
        per_message_limit: None,
        imap_server: Some("imap.mail.yahoo.com"),
        files_sent: false,
        messages_per_minute: None,
        oauth2: None,
    },
    Preset {
        name: "aol",
        title: "AOL Mail",
        host: "smtp.aol.com",
        port: 465,
        security: Tls,
        user_form: Address,
        auth: &["plain", "login", "xoauth2"],
        domains: &["aol.com", "aim.com"],
        app_password_page: Some("https://login.aol.com/account/security"),
        note: "AOL needs an app password.",
        from_rule: Any,
        daily_limit: None,
        per_message_limit: None,
        imap_server: Some("imap.aol.com"),
        files_sent: false,
        messages_per_minute: None,
        oauth2: None,
    },
    Preset {
        name: "icloud",
        title: "iCloud Mail",
        host: "smtp.mail.me.com",
        port: 587,
        security: StartTls,
        user_form: Address,
        auth: &["plain", "login"],
        domains: &["icloud.com", "me.com", "mac.com"],
        app_password_page: Some(
            "https://account.apple.com (Sign-In and Security → App-Specific Passwords)",
        ),
        note: "iCloud needs an app-specific password (two-factor authentication must be on).",
        from_rule: Any,
        // Apple counts 1,000 messages a day; the ledger counts recipients, and 1,000
        // recipients never make more than 1,000 messages.
        daily_limit: Some(1000),
        per_message_limit: Some(500),
        imap_server: Some("imap.mail.me.com"),
        files_sent: false,
        messages_per_minute: None,
        oauth2: None,
    },
    Preset {
        name: "fastmail",
        title: "Fastmail",
        host: "smtp.fastmail.com",
        port: 465,
        security: Tls,
        user_form: Address,
        auth: &["plain", "login"],
        domains: &["fastmail.com", "fastmail.fm"],
        app_password_page: Some("https://app.fastmail.com/settings/security/apps"),
        note: "Fastmail needs an app password.",
        from_rule: Any,
        daily_limit: None,
        per_message_limit: None,
        imap_server: Some("imap.fastmail.com"),
        files_sent: false,
        messages_per_minute: None,
        oauth2: None,
    },
    Preset {
        name: "zoho",
        title: "Zoho Mail",
        host: "smtp.zoho.com",
        port: 465,
        security: Tls,
        user_form: Address,
        auth: &["plain", "login"],
        domains: &["zoho.com", "zohomail.com"],
        app_password_page: Some("https://accounts.zoho.com (Security → App Passwords)"),
        note: "Zoho needs an app password when two-factor authentication is on; use smtp.zoho.eu and friends for other regions.",
        from_rule: Any,
        daily_limit: None,
        per_message_limit: None,
        imap_server: Some("imap.zoho.com"),
        files_sent: false,
        messages_per_minute: None,
        oauth2: None,
    },
    Preset {
        name: "gmx",
        title: "GMX",
        host: "mail.gmx.net",
        port: 465,
        security: Tls,
        user_form: Address,
        auth: &["plain", "login"],
        domains: &["gmx.net", "gmx.de", "gmx.at", "gmx.ch", "gmx.com"],
        app_password_page: None,
        note: "Enable POP3/IMAP access once in the GMX settings; with two-factor authentication use an app password.",
        from_rule: Any,
        daily_limit: None,
        per_message_limit: None,
        imap_server: Some("imap.gmx.net"),
        files_sent: false,
        messages_per_minute: None,
        oauth2: None,
    },
    Preset {
        name: "webde",
        title: "WEB.DE",
        host: "smtp.web.de",
        port: 465,
        security: Tls,
        user_form: LocalPart,
        auth: &["plain", "login"],
        domains: &["web.de"],
        app_password_page: None,
        note: "Enable POP3/IMAP at https://hilfe.web.de/pop-imap/einschalten.html first.",
        from_rule: Any,
        daily_limit: None,
        per_message_limit: None,
        imap_server: Some("imap.web.de"),
        files_sent: false,
        messages_per_minute: None,
        oauth2: None,
    },
    Preset {
        name: "rambler",
        title: "Rambler",
        host: "smtp.rambler.ru",
        port: 465,
        security: Tls,
        user_form: Address,
        auth: &["plain", "login"],
        domains: &["rambler.ru", "lenta.ru", "ro.ru", "rambler.ua"],
        app_password_page: None,
        note: "Enable mail-client access in the Rambler mail settings first.",
        from_rule: Any,
        daily_limit: None,
        per_message_limit: None,
        imap_server: Some("imap.rambler.ru"),
        files_sent: false,
        messages_per_minute: None,
        oauth2: None,
    },
    Preset {
        name: "proton-bridge",
        title: "Proton Mail Bridge",
        host: "127.0.0.1",
        port: 1025,
        security: StartTls,
        user_form: Address,
        auth: &["plain", "login"],
        domains: &["proton.me", "protonmail.com", "pm.me"],
        app_password_page: None,
        note: "Use the password Bridge shows; its certificate is self-signed, so pin it with tls_fingerprint.",
        from_rule: Any,
        daily_limit: None,
        per_message_limit: None,
        imap_server: Some("127.0.0.1:1143"),
        files_sent: true,
        messages_per_minute: None,
        oauth2: None,
    },
];

/// A preset by name.
pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

/// The preset that serves an address's domain.
pub fn for_address(address: &str) -> Option<&'static Preset> {
    let domain = address.rsplit_once('@')?.1.trim_end_matches('>');
    PRESETS
        .iter()
        .find(|p| p.domains.iter().any(|d| d.eq_ignore_ascii_case(domain)))
}

/// "gmail, mailru, …" for error messages.
pub fn names() -> String {
    PRESETS
        .iter()
        .map(|p| p.name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
