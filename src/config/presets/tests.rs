//! The presets' own rules (one preset per domain, ports that fit the security) and
//! their agreement with the facts file.

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
