//! OAuth 2.0 end to end: the real authorization server of scripts/oauth-server.sh (npm
//! oidc-provider) and Dovecot's oauth2 passdb, which checks every token posta presents
//! at that server's introspection endpoint, behind Postfix's submission port. The
//! person at the browser is scripts/oauth/drive.mjs, which posts the server's login and
//! consent forms.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::e2e::*;

mod login;
mod refresh;

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
