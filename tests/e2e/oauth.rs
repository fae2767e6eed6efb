//! OAuth 2.0 end to end: the real authorization server of scripts/oauth-server.sh (npm
//! oidc-provider) and Dovecot's oauth2 passdb, which checks every token posta presents
//! at that server's introspection endpoint, behind Postfix's submission port. The
//! person at the browser is scripts/oauth/drive.mjs, which posts the server's login and
//! consent forms.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::e2e::*;

const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";

fn issuer() -> String {
    env("POSTA_E2E_OAUTH_ISSUER")
}

/// scripts/oauth/NAME, found beside the driver the rig names.
fn oauth_script(name: &str) -> String {
    let driver = std::path::PathBuf::from(env("POSTA_E2E_OAUTH_DRIVER"));
    driver.with_file_name(name).to_str().unwrap().to_string()
}

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

/// A profile `name` logging in as `user` to the test server with `client`, tokens in
/// a file, through the submission port; `extra` lines are added.
fn profile(name: &str, client: &str, user: &str, extra: &str) -> String {
    format!(
        "[profiles.{name}]\nhost = \"localhost\"\nport = {}\nca_file = \"{}\"\n\
         user = \"{user}\"\nfrom = \"{user}\"\nauth = \"xoauth2\"\n\
         oauth2_client_id = \"{client}\"\noauth2_issuer = \"{}\"\n\
         oauth2_scopes = [\"openid\", \"offline_access\"]\ntoken_store = \"file\"\n{extra}\n",
        port("SUBMISSION"),
        ca(),
        issuer()
    )
}

/// Where a profile's tokens are with `token_store = "file"`.
fn token_file(home: &Path, name: &str) -> PathBuf {
    home.join("data/posta/oauth").join(format!("{name}.json"))
}

fn stored(home: &Path, name: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(token_file(home, name)).unwrap()).unwrap()
}

fn stored_text(home: &Path, name: &str, field: &str) -> String {
    stored(home, name)[field].as_str().unwrap().to_string()
}

/// `posta auth login NAME` by the code flow, the browser being drive.mjs as `user`
/// (posta starts $BROWSER when there is a display).
fn login_with_browser(home: &Path, name: &str, user: &str) -> Output {
    let browser = home.join("browser.sh");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\nexec node {} \"$1\" {user} >>{} 2>&1\n",
            env("POSTA_E2E_OAUTH_DRIVER"),
            home.join("browser.log").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    run_bounded(
        posta(home)
            .args(["auth", "login", name])
            .env("DISPLAY", ":99")
            .env("BROWSER", &browser),
        Duration::from_secs(60),
    )
}

/// Run `cmd` to its end, killed after `limit` (a test must not hang).
fn run_bounded(cmd: &mut Command, limit: Duration) -> Output {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        if rx.recv_timeout(limit).is_err() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    });
    let out = child.wait_with_output().unwrap();
    let _ = tx.send(());
    out
}

/// Start `cmd` with stderr piped; return it and the first stderr line holding `marker`
/// (read on a thread, at most 30 s), the rest of stderr kept for the end.
fn start_until(cmd: &mut Command, marker: &str) -> (std::process::Child, String) {
    let mut child = cmd
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let wanted = marker.to_string();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains(&wanted) {
                let _ = tx.send(line);
            }
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("posta did not print {marker:?} within 30 s"));
    (child, line)
}

/// The first http:// URL in `line`.
fn url_in(line: &str) -> String {
    let start = line.find("http://").expect("a URL");
    line[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches(')')
        .to_string()
}

fn send_as(home: &Path, name: &str, subject: &str, extra: &[&str]) -> Output {
    run_bounded(
        posta(home)
            .args([
                "-p", name, "send", "--to", BOB, "-s", subject, "--body", "hi",
            ])
            .args(extra),
        Duration::from_secs(60),
    )
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

#[test]
fn an_expired_access_token_is_refreshed_silently_and_the_refresh_token_rotated() {
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), &profile("s", "posta-short", ALICE, ""));
    ok(&login_with_browser(home.path(), "s", ALICE));
    let (access, refresh) = (
        stored_text(home.path(), "s", "access"),
        stored_text(home.path(), "s", "refresh"),
    );
    // posta-short's access tokens live 2 s: this one has expired.
    std::thread::sleep(Duration::from_secs(3));
    let subject = token("oauth-refresh");
    ok(&send_as(home.path(), "s", &subject, &[]));
    wait_for_message(BOB, &subject);
    assert_ne!(stored_text(home.path(), "s", "access"), access);
    assert_ne!(
        stored_text(home.path(), "s", "refresh"),
        refresh,
        "the server rotates refresh tokens: the new one must be stored"
    );
}

/// The grant revoked at the server behind posta's back: the cached access token is
/// refused, the refresh that follows fails for good: 77 with the login to run; in
/// sendmail mode the message is queued instead.
#[test]
fn a_revoked_grant_is_77_with_the_login_to_run_and_queued_in_sendmail_mode() {
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), &profile("r", "posta", ALICE, ""));
    ok(&login_with_browser(home.path(), "r", ALICE));
    let refresh = stored_text(home.path(), "r", "refresh");
    let revoke = Command::new("node")
        .args([
            "-e",
            "fetch(process.argv[1], {method: 'POST', body: new URLSearchParams({client_id: 'posta', token: process.argv[2]})}).then(r => process.exit(r.status === 200 ? 0 : 1))",
            &format!("{}/token/revocation", issuer()),
            &refresh,
        ])
        .status()
        .unwrap();
    assert!(revoke.success());

    let subject = token("oauth-revoked");
    let out = send_as(home.path(), "r", &subject, &[]);
    assert_eq!(out.status.code(), Some(77), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("posta auth login r"),
        "{}",
        text(&out.stderr)
    );
    assert!(!text(&out.stderr).contains(&refresh));

    let message = format!("From: {ALICE}\nTo: {BOB}\nSubject: {subject}-sendmail\n\nhi\n");
    let mut cmd = posta(home.path());
    cmd.args(["-p", "r", "sendmail", "-t"]);
    let out = run_with_input(cmd, message.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let list = posta(home.path()).args(["queue", "list"]).output().unwrap();
    assert!(
        text(&list.stdout).contains(&format!("{subject}-sendmail"))
            || text(&list.stdout).contains(BOB),
        "{}",
        text(&list.stdout)
    );
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

/// Two posta processes whose cached token has expired refresh at once: the server
/// takes a rotated refresh token once (a reuse revokes the grant), so without the
/// lock one of them would fail and the login would be lost. Both send; a third still can.
#[test]
fn two_concurrent_refreshes_keep_the_login() {
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), &profile("c", "posta-short", ALICE, ""));
    ok(&login_with_browser(home.path(), "c", ALICE));
    std::thread::sleep(Duration::from_secs(3));
    let subjects = [token("oauth-concurrent-a"), token("oauth-concurrent-b")];
    let children: Vec<_> = subjects
        .iter()
        .map(|s| {
            posta(home.path())
                .args(["-p", "c", "send", "--to", BOB, "-s", s, "--body", "hi"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        ok(&child.wait_with_output().unwrap());
    }
    for s in &subjects {
        wait_for_message(BOB, s);
    }
    std::thread::sleep(Duration::from_secs(3));
    let third = token("oauth-concurrent-c");
    ok(&send_as(home.path(), "c", &third, &[]));
    wait_for_message(BOB, &third);
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
