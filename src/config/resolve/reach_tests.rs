//! How a Unix socket, LMTP and a SOCKS5 proxy are resolved from the profile and flags.

use super::*;
use crate::model::{Protocol, Security};

fn config(text: &str) -> (tempfile::TempDir, Request) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    let request = Request {
        config_path: Some(path),
        profile: Some("p".into()),
        ..Request::default()
    };
    (dir, request)
}

#[test]
fn a_unix_socket_is_plain_unless_told_and_lmtp_comes_from_the_profile() {
    let (_d, r) = config("[profiles.p]\nhost = \"unix:/run/dovecot/lmtp\"\nprotocol = \"lmtp\"\n");
    let a = resolve(&r).unwrap();
    assert_eq!(a.settings.host, "unix:/run/dovecot/lmtp");
    assert_eq!(a.settings.server(), "unix:/run/dovecot/lmtp");
    assert_eq!(a.settings.security, Security::Plain);
    assert_eq!(a.settings.protocol, Protocol::Lmtp);

    // TLS when asked for, by the flag; the flag's protocol wins too.
    let mut flags = r.clone();
    flags.overrides.security = Some(Security::Tls);
    flags.overrides.protocol = Some(Protocol::Smtp);
    let a = resolve(&flags).unwrap();
    assert_eq!(
        (a.settings.security, a.settings.protocol),
        (Security::Tls, Protocol::Smtp)
    );
}

#[test]
fn a_relative_socket_path_in_the_profile_is_refused() {
    let (_d, r) = config("[profiles.p]\nhost = \"unix:run/lmtp\"\n");
    let err = resolve(&r).unwrap_err().to_string();
    assert!(err.contains("needs an absolute path"), "{err}");
}

#[test]
fn the_proxy_comes_with_its_password_source_and_never_for_a_unix_socket() {
    let (_d, r) = config(
        "[profiles.p]\nhost = \"mx.example.org\"\nproxy = \"socks5h://me@127.0.0.1:9050\"\n\
         proxy_password_command = \"echo pw-from-command\"\n",
    );
    let mut a = resolve(&r).unwrap();
    let proxy = a.settings.proxy.clone().unwrap();
    assert_eq!((proxy.host.as_str(), proxy.port), ("127.0.0.1", 9050));
    assert!(proxy.remote_dns);
    assert_eq!(proxy.user.as_deref(), Some("me"));
    assert!(proxy.password.is_none(), "fetched only when connecting");
    a.load_proxy_password().unwrap();
    let password = a
        .settings
        .proxy
        .as_ref()
        .unwrap()
        .password
        .as_ref()
        .unwrap();
    assert_eq!(password.expose(), "pw-from-command");

    let (_d, r) =
        config("[profiles.p]\nhost = \"unix:/run/lmtp\"\nproxy = \"socks5://127.0.0.1\"\n");
    let err = resolve(&r).unwrap_err().to_string();
    assert!(err.contains("not reached through a proxy"), "{err}");

    let (_d, r) = config("[profiles.p]\nhost = \"h\"\nproxy = \"socks5://me:pw@127.0.0.1\"\n");
    let err = resolve(&r).unwrap_err().to_string();
    assert!(
        err.contains("a password does not go in the proxy's URL"),
        "{err}"
    );
    assert!(!err.contains("pw@"), "{err}");
}
