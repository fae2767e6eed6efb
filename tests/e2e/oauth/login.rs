//! Logging in: a token from an outside tool (the rig's own proof), the code flow and the
//! device flow against the real server, the redirect's checks (state, issuer), and what
//! `profile show` and `auth login` say.

use std::io::{Read, Write};

use super::*;

/// The rig itself, before posta's own OAuth: a token from an outside tool (the device
/// grant driven by scripts/oauth/token.mjs) through `oauth_token_command`, by XOAUTH2
/// and by OAUTHBEARER; Dovecot accepts it only after asking the server.
#[test]
fn a_token_from_oauth_token_command_is_accepted_by_xoauth2_and_oauthbearer() {
    for mechanism in ["xoauth2", "oauthbearer"] {
        let home = tempfile::tempdir().unwrap();
        let subject = token(&format!("oauth-cmd-{mechanism}"));
        let command = format!(
            "node {} {} posta {ALICE}",
            oauth_script("token.mjs"),
            issuer()
        );
        write_config(
            home.path(),
            &format!(
                "[profiles.o]\nhost = \"localhost\"\nport = {}\nca_file = \"{}\"\n\
                 user = \"{ALICE}\"\nfrom = \"{ALICE}\"\nauth = \"{mechanism}\"\n\
                 oauth_token_command = \"{command}\"\n",
                port("SUBMISSION"),
                ca()
            ),
        );
        let out = posta(home.path())
            .args([
                "-p", "o", "send", "--to", BOB, "-s", &subject, "--body", "hi",
            ])
            .output()
            .unwrap();
        ok(&out);
        wait_for_message(BOB, &subject);
    }
}

#[test]
fn code_flow_login_then_xoauth2_and_oauthbearer_sends_are_delivered() {
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), &profile("o", "posta", ALICE, ""));
    let out = login_with_browser(home.path(), "o", ALICE);
    ok(&out);
    let access = stored_text(home.path(), "o", "access");
    let refresh = stored_text(home.path(), "o", "refresh");
    let mode = std::fs::metadata(token_file(home.path(), "o"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    let status = posta(home.path())
        .args(["auth", "status", "o"])
        .output()
        .unwrap();
    ok(&status);
    let said = format!("{}{}", text(&status.stdout), text(&status.stderr));
    assert!(said.contains("scopes: openid"), "{said}");
    assert!(said.contains("o.json"), "{said}");

    for (mechanism, extra) in [
        ("xoauth2", vec![]),
        ("oauthbearer", vec!["--auth", "oauthbearer", "-v"]),
    ] {
        let subject = token(&format!("oauth-code-{mechanism}"));
        let out = send_as(home.path(), "o", &subject, &extra);
        ok(&out);
        wait_for_message(BOB, &subject);
        let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(
            !said.contains(&access) && !said.contains(&refresh),
            "{said}"
        );
    }
    // The cached token served both: no refresh was needed.
    assert_eq!(stored_text(home.path(), "o", "access"), access);
}

#[test]
fn device_flow_login_then_send() {
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), &profile("d", "posta", BOB, ""));
    let (child, line) = start_until(
        posta(home.path()).args(["auth", "login", "d", "--device"]),
        "http://",
    );
    let drive = Command::new("node")
        .args([&env("POSTA_E2E_OAUTH_DRIVER"), &url_in(&line), BOB])
        .output()
        .unwrap();
    assert!(drive.status.success(), "{}", text(&drive.stderr));
    let out = child.wait_with_output().unwrap();
    ok(&out);
    let subject = token("oauth-device");
    ok(&send_as(home.path(), "d", &subject, &[]));
    wait_for_message(BOB, &subject);
}

/// A redirect with another `state` is not this login's: refused (77), no token asked for.
#[test]
fn a_redirect_with_a_wrong_state_is_refused() {
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), &profile("w", "posta", ALICE, ""));
    let (child, line) = start_until(
        posta(home.path()).args(["auth", "login", "w", "--no-browser"]),
        "http://",
    );
    let url = url_in(&line);
    let at = url.find("redirect_uri=http%3A%2F%2F127.0.0.1%3A").unwrap();
    let port: String = url[at + "redirect_uri=http%3A%2F%2F127.0.0.1%3A".len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let mut stream = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    stream
        .write_all(b"GET /?code=stolen&state=not-the-one HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(77));
    assert!(!token_file(home.path(), "w").exists());
}

/// The redirect with this login's `state` but another issuer's name (RFC 9207): a
/// mix-up of providers, refused (77).
#[test]
fn a_redirect_naming_another_issuer_is_refused() {
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), &profile("i", "posta", ALICE, ""));
    let (child, line) = start_until(
        posta(home.path()).args(["auth", "login", "i", "--no-browser"]),
        "http://",
    );
    let url = url_in(&line);
    let param = |name: &str| -> String {
        let at = url.find(&format!("{name}=")).unwrap() + name.len() + 1;
        url[at..].split('&').next().unwrap().to_string()
    };
    let redirect = param("redirect_uri");
    let port: String = redirect["http%3A%2F%2F127.0.0.1%3A".len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let mut stream = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    write!(
        stream,
        "GET /?code=x&state={}&iss=http%3A%2F%2Fevil.example HTTP/1.1\r\nHost: x\r\n\r\n",
        param("state")
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    // The state was right: the refusal is the issuer's.
    assert!(
        answer.starts_with("HTTP/1.1 400") && answer.contains("Another provider"),
        "{answer}"
    );
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(77));
}

/// `profile show` names the OAuth login as the source and never shows the client secret.
#[test]
fn profile_show_names_the_oauth_login_and_hides_the_client_secret() {
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &profile(
            "p",
            "posta",
            ALICE,
            "oauth2_client_secret = \"not-for-eyes\"",
        ),
    );
    let out = posta(home.path())
        .args(["profile", "show", "p"])
        .output()
        .unwrap();
    ok(&out);
    let said = text(&out.stdout);
    assert!(said.contains("posta auth login p"), "{said}");
    assert!(!said.contains("not-for-eyes"), "{said}");
}

/// A login the profile will not send with (its auth is a password mechanism) is stored,
/// with a warning that says what to set.
#[test]
fn a_login_the_profile_does_not_use_is_said() {
    let home = tempfile::tempdir().unwrap();
    let toml = profile("u", "posta", ALICE, "").replace("auth = \"xoauth2\"", "auth = \"plain\"");
    write_config(home.path(), &toml);
    let out = login_with_browser(home.path(), "u", ALICE);
    ok(&out);
    let err = text(&out.stderr);
    assert!(err.contains("does not send with it yet"), "{err}");
    assert!(token_file(home.path(), "u").exists());
}
