//! The precedence rules of `resolve`, each against a small config file.

use std::path::PathBuf;
use std::time::Duration;

use super::*;
use crate::model::{AuthMechanism, Security};

/// `request` with these overrides.
fn with(request: &Request, overrides: Overrides) -> Request {
    Request {
        overrides,
        ..request.clone()
    }
}

fn config(text: &str) -> (tempfile::TempDir, Request) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let request = Request {
        config_path: Some(path),
        ..Request::default()
    };
    (dir, request)
}

#[test]
fn preset_fills_host_port_and_security() {
    let (_d, g) =
        config("default = \"y\"\n[profiles.y]\npreset = \"yandex\"\nfrom = \"me@ya.ru\"\n");
    let a = resolve(&g).unwrap();
    assert_eq!(a.settings.host, "smtp.yandex.ru");
    assert_eq!(a.settings.port, 465);
    assert_eq!(a.settings.security, Security::Tls);
    assert!(a.logs_in());
}

#[test]
fn limits_come_from_the_profile_else_the_preset_and_0_is_none() {
    let (_d, g) = config(
        "[profiles.g]\npreset = \"gmail\"\n\
         [profiles.own]\npreset = \"gmail\"\ndaily_limit = 300\nper_message_limit = 0\n\
         [profiles.bare]\nhost = \"h\"\n",
    );
    let get = |name: &str| {
        let g = Request {
            profile: Some(name.into()),
            ..g.clone()
        };
        let a = resolve(&g).unwrap();
        (a.daily_limit, a.per_message_limit)
    };
    assert_eq!(get("g"), (Some(500), Some(100)));
    assert_eq!(get("own"), (Some(300), None));
    assert_eq!(get("bare"), (None, None));
    assert_eq!(limit(Some(0), Some(5)), None);
    assert_eq!(limit(None, Some(5)), Some((5, LimitSource::Preset)));
    assert_eq!(limit(Some(7), None), Some((7, LimitSource::Profile)));
}

#[test]
fn a_pace_comes_from_the_profile_else_the_preset_and_none_lifts_it() {
    let (_d, g) = config(
        "[profiles.m]\npreset = \"office365\"\n\
         [profiles.fast]\npreset = \"office365\"\nrate = \"2/s\"\n\
         [profiles.free]\npreset = \"office365\"\nrate = \"none\"\n\
         [profiles.bare]\nhost = \"h\"\n\
         [profiles.bad]\nhost = \"h\"\nrate = \"fast\"\n",
    );
    let get = |name: &str| {
        let g = Request {
            profile: Some(name.into()),
            ..g.clone()
        };
        resolve(&g).map(|a| a.rate.map(|r| r.interval))
    };
    // Microsoft 365 takes 30 messages a minute: one every 2 s.
    assert_eq!(get("m").unwrap(), Some(Duration::from_secs(2)));
    assert_eq!(get("fast").unwrap(), Some(Duration::from_millis(500)));
    assert_eq!(get("free").unwrap(), None);
    assert_eq!(get("bare").unwrap(), None);
    let err = get("bad").unwrap_err().to_string();
    assert!(
        err.contains("profile bad: rate") && err.contains("none"),
        "{err}"
    );
}

#[test]
fn flags_beat_the_profile_and_security_follows_the_flag_port() {
    let (_d, g) = config("default = \"y\"\n[profiles.y]\npreset = \"gmail\"\n");
    let conn = Overrides {
        port: Some(587),
        ..Overrides::default()
    };
    let a = resolve(&with(&g, conn.clone())).unwrap();
    assert_eq!(
        (a.settings.port, a.settings.security),
        (587, Security::StartTls)
    );
    let conn = Overrides {
        security: Some(Security::StartTls),
        ..Overrides::default()
    };
    let a = resolve(&with(&g, conn.clone())).unwrap();
    assert_eq!(
        (a.settings.port, a.settings.security),
        (587, Security::StartTls)
    );
}

#[test]
fn from_address_picks_the_single_matching_profile() {
    let (_d, g) = config(
        "default = \"a\"\n[profiles.a]\nhost = \"a.example\"\nfrom = \"A <a@x.org>\"\n\
         [profiles.b]\nhost = \"b.example\"\nfrom = \"b@x.org\"\n",
    );
    let a = resolve(&Request {
        from_hint: Some("Bee <B@x.org>".into()),
        ..g.clone()
    })
    .unwrap();
    assert_eq!(a.profile.as_deref(), Some("b"));
    let a = resolve(&Request {
        from_hint: Some("c@x.org".into()),
        ..g.clone()
    })
    .unwrap();
    assert_eq!(a.profile.as_deref(), Some("a"));
}

#[test]
fn unknown_profile_lists_the_valid_ones() {
    let (_d, mut g) = config("[profiles.work]\nhost = \"x\"\n[profiles.home]\nhost = \"y\"\n");
    g.profile = Some("wrok".into());
    let e = resolve(&g).unwrap_err();
    assert!(e.message.contains("home, work"), "{}", e.message);
}

#[test]
fn port_0_in_the_file_is_refused_naming_the_profile() {
    let (_d, g) = config("default = \"a\"\n[profiles.a]\nhost = \"x\"\nport = 0\n");
    let e = resolve(&g).unwrap_err();
    assert!(e.message.contains("profile a: port"), "{}", e.message);
    assert_eq!(e.exit_code(), crate::model::exit_code::Code::Config);
}

#[test]
fn relative_paths_in_the_file_are_relative_to_its_directory() {
    let (d, g) = config(
        "queue_dir = \"spool\"\ndefault = \"a\"\n[profiles.a]\nhost = \"x\"\n\
         ca_file = \"certs/ca.pem\"\nlog_file = \"logs/posta.log\"\n",
    );
    let dir = g
        .config_path
        .as_deref()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    assert!(dir.starts_with(d.path()));
    let a = resolve(&g).unwrap();
    assert_eq!(a.settings.tls.ca_file, Some(dir.join("certs/ca.pem")));
    assert_eq!(a.log_file, Some(dir.join("logs/posta.log")));
    assert_eq!(a.queue_dir, Some(dir.join("spool")));
    // A flag's relative path stays relative to where posta runs, as any argument.
    let conn = Overrides {
        ca_file: Some("here.pem".into()),
        ..Overrides::default()
    };
    let a = resolve(&with(&g, conn.clone())).unwrap();
    assert_eq!(a.settings.tls.ca_file, Some(PathBuf::from("here.pem")));
}

#[test]
fn unknown_preset_lists_the_presets() {
    let (_d, g) = config("default = \"a\"\n[profiles.a]\npreset = \"gmial\"\n");
    let e = resolve(&g).unwrap_err();
    assert!(e.message.contains("gmail, mailru, yandex"), "{}", e.message);
}

#[test]
fn an_oauth_token_command_is_a_token_source_and_refuses_plain() {
    let (_d, g) = config(
        "default = \"o\"\n[profiles.o]\nhost = \"smtp.x\"\nuser = \"me@x\"\n\
         oauth_token_command = \"echo tok\"\npassword_command = \"echo pw\"\n\
         log_file = \"~/posta.log\"\n",
    );
    let mut a = resolve(&g).unwrap();
    a.load_credentials(None).unwrap();
    let creds = a.settings.credentials.as_ref().unwrap();
    assert!(creds.token);
    assert_eq!(creds.secret.expose(), "tok");
    assert_eq!(a.settings.mechanism, AuthMechanism::Auto);
    assert!(a.log_file.unwrap().ends_with("posta.log"));
    // A flag's password command beats the profile's token command.
    let conn = Overrides {
        password_command: Some("echo flagpw".into()),
        ..Overrides::default()
    };
    let mut a = resolve(&with(&g, conn.clone())).unwrap();
    a.load_credentials(None).unwrap();
    assert!(!a.settings.credentials.as_ref().unwrap().token);
    for auth in [AuthMechanism::Plain, AuthMechanism::ScramSha256] {
        let conn = Overrides {
            auth: Some(auth),
            ..Overrides::default()
        };
        let e = resolve(&with(&g, conn.clone())).unwrap_err();
        assert!(
            e.message
                .contains("cannot log in with a password mechanism"),
            "{}",
            e.message
        );
    }
}

#[test]
fn the_login_is_the_user_else_the_profiles_from_else_the_messages() {
    let (_d, g) = config(
        "[profiles.from]\nhost = \"h\"\nfrom = \"Jane <jane@example.com>\"\n\
         password_command = \"echo pw\"\n\
         [profiles.user]\nhost = \"h\"\nuser = \"jd\"\nfrom = \"jane@example.com\"\n\
         [profiles.bare]\nhost = \"h\"\npassword_command = \"echo pw\"\n\
         [profiles.web]\npreset = \"webde\"\nfrom = \"Jo <jo@web.de>\"\n\
         [profiles.anon]\nhost = \"h\"\nfrom = \"jane@example.com\"\n",
    );
    let login = |name: &str, hint: Option<&str>| {
        let g = Request {
            profile: Some(name.into()),
            ..g.clone()
        };
        resolve(&g).unwrap().login_user(hint)
    };
    let alias = Some("alias@example.net");
    assert_eq!(login("from", alias).as_deref(), Some("jane@example.com"));
    assert_eq!(login("user", alias).as_deref(), Some("jd"));
    assert_eq!(login("bare", alias).as_deref(), Some("alias@example.net"));
    assert_eq!(login("bare", None), None);
    assert_eq!(login("web", alias).as_deref(), Some("jo"));
    // No user, secret, preset or mechanism: no login at all.
    assert_eq!(login("anon", alias), None);
    // An explicit mechanism is a login.
    let conn = Overrides {
        auth: Some(AuthMechanism::Login),
        ..Overrides::default()
    };
    let anon = Request {
        profile: Some("anon".into()),
        ..g.clone()
    };
    let a = resolve(&with(&anon, conn.clone())).unwrap();
    assert_eq!(a.login_user(alias).as_deref(), Some("jane@example.com"));
    let auto = Overrides {
        auth: Some(AuthMechanism::Auto),
        ..Overrides::default()
    };
    assert_eq!(
        resolve(&with(&anon, auto.clone()))
            .unwrap()
            .login_user(alias),
        None
    );

    // load_credentials goes by the same rule.
    let g = Request {
        profile: Some("from".into()),
        ..g.clone()
    };
    let mut a = resolve(&g).unwrap();
    a.load_credentials(alias).unwrap();
    let creds = a.settings.credentials.as_ref().unwrap();
    assert_eq!(creds.user, "jane@example.com");
}

#[test]
fn recorded_values_weaker_than_the_profile_are_named_and_its_own_are_not() {
    let (_d, g) = config(
        "[profiles.w]\nhost = \"smtp.x.org\"\nsecurity = \"tls\"\nca_file = \"ca.pem\"\n\
         [profiles.lax]\nhost = \"smtp.x.org\"\ninsecure = true\nallow_insecure_auth = true\n",
    );
    let path = g.config_path.as_deref();
    let weakened = |profile: &str, o: Overrides| {
        let account = resolve_recorded(path, Some(profile), &o).unwrap();
        weakened_by_recorded(path, Some(profile), &o, &account)
    };
    let said = |profile: &str, o: Overrides, what: &str| {
        let why = weakened(profile, o).unwrap_or_default();
        assert!(why.contains(what), "{what}: {why:?}");
    };
    said(
        "w",
        Overrides {
            insecure: true,
            ..Overrides::default()
        },
        "certificates not checked",
    );
    said(
        "w",
        Overrides {
            ca_file: Some("/tmp/evil.pem".into()),
            ..Overrides::default()
        },
        "its own CA file /tmp/evil.pem",
    );
    said(
        "w",
        Overrides {
            tls_fingerprint: Some(("AB:".repeat(31) + "AB").parse().unwrap()),
            ..Overrides::default()
        },
        "its own certificate pin",
    );
    said(
        "w",
        Overrides {
            server: Some("SMTP.X.ORG:25".parse().unwrap()),
            security: Some(Security::Plain),
            ..Overrides::default()
        },
        "no TLS (security plain) where the profile uses tls",
    );
    // The same host in other case, another port with TLS, the timeout: nothing weaker.
    let same = Overrides {
        server: Some("SMTP.x.org:587".parse().unwrap()),
        security: Some(Security::StartTls),
        timeout: Some(5),
        ..Overrides::default()
    };
    assert_eq!(weakened("w", same), None);
    // What the profile allows itself, a flag may repeat.
    let lax = Overrides {
        insecure: true,
        allow_insecure_auth: true,
        ..Overrides::default()
    };
    assert_eq!(weakened("lax", lax.clone()), None);
    // Without a profile, an entry's flags are all it has.
    let account = resolve_recorded(
        path,
        None,
        &Overrides {
            server: Some("elsewhere.org".parse().unwrap()),
            ..lax.clone()
        },
    )
    .unwrap();
    assert_eq!(weakened_by_recorded(path, None, &lax, &account), None);
}

#[test]
fn a_client_certificate_needs_its_key_and_external_needs_the_certificate() {
    let (d, g) = config(
        "default = \"c\"\n[profiles.c]\nhost = \"h\"\ntls_cert = \"me.crt\"\n\
         tls_key = \"me.key\"\nauth = \"external\"\n\
         [profiles.half]\nhost = \"h\"\ntls_cert = \"me.crt\"\n\
         [profiles.none]\nhost = \"h\"\nauth = \"external\"\n",
    );
    let mut a = resolve(&g).unwrap();
    let files = a.settings.tls.client_cert.clone().unwrap();
    assert_eq!(files.cert, d.path().join("me.crt"));
    assert_eq!(files.key, d.path().join("me.key"));
    // EXTERNAL: the certificate is the credential, nothing is fetched or asked for.
    a.load_credentials(None).unwrap();
    assert_eq!(a.settings.credentials.unwrap().secret.expose(), "");
    let named = |name: &str| Request {
        profile: Some(name.into()),
        ..g.clone()
    };
    let e = resolve(&named("half")).unwrap_err();
    assert!(
        e.message.contains("tls_cert needs tls_key"),
        "{}",
        e.message
    );
    let e = resolve(&named("none")).unwrap_err();
    assert!(e.message.contains("--tls-cert"), "{}", e.message);
}

#[test]
fn save_sent_is_on_where_an_imap_server_is_known_and_the_provider_files_none() {
    let (_d, g) = config(
        "[profiles.ya]\npreset = \"yandex\"\n[profiles.gm]\npreset = \"gmail\"\n\
         [profiles.gm_on]\npreset = \"gmail\"\nsave_sent = true\n\
         [profiles.bare]\nhost = \"h\"\n\
         [profiles.own]\nhost = \"h\"\nimap_server = \"imap.h:143\"\nsent_folder = \"Исходящие\"\n\
         [profiles.plain]\nhost = \"h\"\nimap_server = \"imap.h\"\nimap_security = \"plain\"\n",
    );
    let get = |name: &str, flag: Option<bool>| {
        let mut g = Request {
            profile: Some(name.into()),
            ..g.clone()
        };
        g.overrides.save_sent = flag;
        resolve(&g).map(|a| a.save_sent)
    };
    let ya = get("ya", None).unwrap().unwrap();
    let server = ya.server.unwrap();
    assert_eq!(
        (server.host.as_str(), server.port, server.implicit_tls),
        ("imap.yandex.ru", 993, true)
    );
    assert!(
        get("gm", None).unwrap().is_none(),
        "Gmail files a copy itself"
    );
    let gm = get("gm_on", None).unwrap().unwrap();
    assert_eq!(gm.server.unwrap().host, "imap.gmail.com");
    assert!(get("bare", None).unwrap().is_none(), "no IMAP server known");
    // Asked for with no server known: on, and each send says what is missing.
    assert!(get("bare", Some(true)).unwrap().unwrap().server.is_none());
    assert!(get("ya", Some(false)).unwrap().is_none(), "--no-save-sent");
    let own = get("own", None).unwrap().unwrap();
    let server = own.server.unwrap();
    assert_eq!((server.port, server.implicit_tls), (143, false));
    assert_eq!(own.folder.as_deref(), Some("Исходящие"));
    let e = get("plain", None).unwrap_err().to_string();
    assert!(e.contains("imap_security"), "{e}");
}

#[test]
fn every_presets_imap_server_parses() {
    for p in crate::config::presets::PRESETS {
        if let Some(s) = p.imap_server {
            s.parse::<crate::model::ServerAddr>()
                .unwrap_or_else(|e| panic!("{}: {s}: {e}", p.name));
        }
    }
}
