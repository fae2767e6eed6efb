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
}

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
        messages_per_minute: None,
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
        messages_per_minute: None,
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
        messages_per_minute: None,
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
        messages_per_minute: None,
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
        messages_per_minute: Some(30),
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
        messages_per_minute: None,
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
        messages_per_minute: None,
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
        messages_per_minute: None,
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
        messages_per_minute: None,
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
        messages_per_minute: None,
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
        messages_per_minute: None,
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
        messages_per_minute: None,
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
        messages_per_minute: None,
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
        messages_per_minute: None,
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
mod tests {
    use super::*;

    #[test]
    fn every_domain_belongs_to_one_preset() {
        let mut seen = std::collections::HashSet::new();
        for p in PRESETS {
            for d in p.domains {
                assert!(seen.insert(*d), "{d} twice");
            }
        }
    }

    #[test]
    fn domains_pick_their_preset() {
        assert_eq!(for_address("jane@inbox.ru").unwrap().name, "mailru");
        assert_eq!(for_address("jane@YA.RU").unwrap().name, "yandex");
        assert_eq!(for_address("jane@googlemail.com").unwrap().name, "gmail");
        assert!(for_address("jane@example.com").is_none());
    }

    #[test]
    fn ports_agree_with_security() {
        for p in PRESETS {
            match p.security {
                Security::Tls => assert_eq!(p.port, 465, "{}", p.name),
                Security::StartTls => assert_ne!(p.port, 465, "{}", p.name),
                Security::Plain => panic!("{} must not be plain", p.name),
            }
        }
    }

    /// The table of shared/facts/providers.md, written out by hand (that file is not in
    /// the repo): preset, host, port, security, user form, From rule, a word of the
    /// app-password page (None: the table has "—" or no URL), and the domains, where
    /// "outlook.*" stands for any outlook.TLD. Re-check both against the providers
    /// before a release.
    #[allow(clippy::type_complexity)]
    const FACTS: &[(
        &str,
        &str,
        u16,
        Security,
        UserForm,
        FromRule,
        Option<&str>,
        &[&str],
    )] = &[
        (
            "gmail",
            "smtp.gmail.com",
            465,
            Tls,
            Address,
            Any,
            Some("myaccount.google.com/apppasswords"),
            &["gmail.com", "googlemail.com"],
        ),
        (
            "mailru",
            "smtp.mail.ru",
            465,
            Tls,
            Address,
            MustEqualLogin,
            Some("account.mail.ru/user/2-step-auth/passwords"),
            &[
                "mail.ru",
                "inbox.ru",
                "list.ru",
                "bk.ru",
                "internet.ru",
                "vk.com",
            ],
        ),
        (
            "yandex",
            "smtp.yandex.ru",
            465,
            Tls,
            Address,
            MustEqualLogin,
            Some("app-passwords"),
            &[
                "yandex.ru",
                "yandex.com",
                "yandex.by",
                "yandex.kz",
                "yandex.ua",
                "ya.ru",
                "narod.ru",
            ],
        ),
        (
            "outlook",
            "smtp-mail.outlook.com",
            587,
            StartTls,
            Address,
            Any,
            None,
            &["outlook.*", "hotmail.*", "live.*", "msn.com"],
        ),
        (
            "office365",
            "smtp.office365.com",
            587,
            StartTls,
            Address,
            Any,
            None,
            &[],
        ),
        (
            "yahoo",
            "smtp.mail.yahoo.com",
            465,
            Tls,
            Address,
            Any,
            Some("login.yahoo.com/account/security"),
            &["yahoo.*", "ymail.com", "rocketmail.com"],
        ),
        (
            "aol",
            "smtp.aol.com",
            465,
            Tls,
            Address,
            Any,
            Some("login.aol.com/account/security"),
            &["aol.com", "aim.com"],
        ),
        (
            "icloud",
            "smtp.mail.me.com",
            587,
            StartTls,
            Address,
            Any,
            Some("account.apple.com"),
            &["icloud.com", "me.com", "mac.com"],
        ),
        (
            "fastmail",
            "smtp.fastmail.com",
            465,
            Tls,
            Address,
            Any,
            Some("fastmail.com"),
            &["fastmail.com", "fastmail.fm"],
        ),
        (
            "zoho",
            "smtp.zoho.com",
            465,
            Tls,
            Address,
            Any,
            Some("zoho.com"),
            &["zoho.com", "zohomail.com"],
        ),
        (
            "gmx",
            "mail.gmx.net",
            465,
            Tls,
            Address,
            Any,
            None,
            &["gmx.net", "gmx.de", "gmx.at", "gmx.ch", "gmx.com"],
        ),
        (
            "webde",
            "smtp.web.de",
            465,
            Tls,
            LocalPart,
            Any,
            None,
            &["web.de"],
        ),
        (
            "rambler",
            "smtp.rambler.ru",
            465,
            Tls,
            Address,
            Any,
            None,
            &["rambler.ru", "lenta.ru", "ro.ru", "rambler.ua"],
        ),
        (
            "proton-bridge",
            "127.0.0.1",
            1025,
            StartTls,
            Address,
            Any,
            None,
            &["proton.me", "protonmail.com", "pm.me"],
        ),
    ];

    fn matches(pattern: &str, domain: &str) -> bool {
        match pattern.strip_suffix(".*") {
            Some(base) => domain
                .strip_prefix(base)
                .is_some_and(|rest| rest.starts_with('.') && rest.len() > 1),
            None => pattern == domain,
        }
    }

    #[test]
    fn every_preset_agrees_with_the_facts_file() {
        assert_eq!(
            PRESETS.len(),
            FACTS.len(),
            "one preset per row of the facts"
        );
        for &(name, host, port, security, user_form, from_rule, page, domains) in FACTS {
            let p = find(name).unwrap_or_else(|| panic!("no preset {name}"));
            assert_eq!(
                (p.host, p.port, p.security),
                (host, port, security),
                "{name}"
            );
            assert_eq!(p.user_form, user_form, "{name}");
            assert_eq!(p.from_rule, from_rule, "{name}");
            match page {
                Some(word) => assert!(
                    p.app_password_page.is_some_and(|u| u.contains(word)),
                    "{name}: {:?} should mention {word}",
                    p.app_password_page
                ),
                None => assert!(
                    p.app_password_page.is_none(),
                    "{name}: {:?}",
                    p.app_password_page
                ),
            }
            // Every listed domain is served by this preset, and it serves no other.
            for d in domains.iter().filter(|d| !d.ends_with(".*")) {
                assert_eq!(
                    for_address(&format!("x@{d}")).map(|p| p.name),
                    Some(name),
                    "{d}"
                );
            }
            for d in p.domains {
                assert!(
                    domains.iter().any(|pat| matches(pat, d)),
                    "{name} serves {d}, which the facts do not list"
                );
            }
            for pat in domains.iter().filter(|d| d.ends_with(".*")) {
                assert!(
                    p.domains.iter().any(|d| matches(pat, d)),
                    "{name}: no domain for {pat}"
                );
            }
        }
    }

    /// The "limits" column of the facts: recipients per 24 h and per message (None:
    /// "not published" or "—"). iCloud's 1,000 is messages a day, kept as recipients
    /// (at least as strict); outlook's and office365's per-message figures are not in
    /// the facts.
    const LIMITS: &[(&str, Option<u32>, Option<u32>)] = &[
        ("gmail", Some(500), Some(100)),
        ("mailru", None, None),
        ("yandex", Some(500), Some(35)),
        ("outlook", Some(5000), None),
        ("office365", Some(10_000), None),
        ("yahoo", None, None),
        ("aol", None, None),
        ("icloud", Some(1000), Some(500)),
        ("fastmail", None, None),
        ("zoho", None, None),
        ("gmx", None, None),
        ("webde", None, None),
        ("rambler", None, None),
        ("proton-bridge", None, None),
    ];

    #[test]
    fn limits_follow_the_facts() {
        assert_eq!(PRESETS.len(), LIMITS.len(), "one row per preset");
        for &(name, daily, per_message) in LIMITS {
            let p = find(name).unwrap_or_else(|| panic!("no preset {name}"));
            assert_eq!(
                (p.daily_limit, p.per_message_limit),
                (daily, per_message),
                "{name}"
            );
            if let (Some(d), Some(m)) = (daily, per_message) {
                assert!(m <= d, "{name}: more per message than per day");
            }
        }
    }

    #[test]
    fn auth_follows_the_facts() {
        // OAuth2 only: no password mechanism may be tried first.
        assert_eq!(find("outlook").unwrap().auth, &["xoauth2"]);
        assert_eq!(find("office365").unwrap().auth[0], "xoauth2");
        for name in ["gmail", "yandex", "yahoo", "aol"] {
            assert!(find(name).unwrap().auth.contains(&"xoauth2"), "{name}");
        }
        // Mail.ru's and Yandex's notes carry their From rule, Yandex's the setting.
        assert!(
            find("mailru")
                .unwrap()
                .note
                .contains("From must equal the login")
        );
        assert!(
            find("yandex")
                .unwrap()
                .note
                .contains("mail.yandex.ru/#setup/client")
        );
        assert!(
            find("webde")
                .unwrap()
                .note
                .contains("hilfe.web.de/pop-imap/einschalten.html")
        );
    }
}
