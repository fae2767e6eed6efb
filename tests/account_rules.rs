//! How flags and the profile decide the account, through the real binary: who logs in,
//! whether an account logs in at all, what a dry run checks, and which exit code and
//! name a bad value gets (a flag: 64 naming the flag; the config file: 78 naming it).

mod support {
    pub mod scripted_server;
}
#[path = "support/e2e.rs"]
mod e2e;

use std::path::Path;
use std::process::{Command, Output};

use e2e::{posta, text};
use support::scripted_server::{Config, Server};

const PASSWORD: &str = "s3cret-Pa55";

/// Write `home/config/posta/config.toml` (0600) and return its path.
fn write_config(home: &Path, toml: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = home.join("config/posta");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, toml).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

/// `posta` with no controlling terminal (as under cron): nobody can be asked for a
/// password. Same hermetic environment as [`e2e::posta`].
fn posta_without_terminal(home: &Path) -> Command {
    let plain = posta(home);
    let mut cmd = Command::new("setsid");
    cmd.arg(plain.get_program());
    for (k, v) in plain.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd.stdin(std::process::Stdio::null());
    cmd
}

fn stderr(out: &Output) -> String {
    text(&out.stderr)
}

#[test]
fn a_profiles_login_is_its_from_address_whatever_the_from_flag_says() {
    let server = Server::start(Config {
        user: "jane@example.com".into(),
        password: PASSWORD.into(),
        ..Default::default()
    });
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!(
            "default = \"w\"\n[profiles.w]\nhost = \"127.0.0.1\"\nport = {}\n\
             security = \"plain\"\nfrom = \"Jane <jane@example.com>\"\n\
             password_command = \"echo {PASSWORD}\"\n",
            server.port()
        ),
    );
    let out = posta(home.path())
        .args(["send", "--from", "Alias <alias@example.net>"])
        .args(["--to", "bob@example.org", "-s", "hi", "--body", "x"])
        .output()
        .unwrap();
    let record = server.finish();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(record.authenticated.as_deref(), Some("jane@example.com"));
    // The alias is still the author and the envelope sender.
    assert!(
        record.sent("MAIL FROM:<alias@example.net>"),
        "{:?}",
        record.commands()
    );
}

#[test]
fn an_explicit_auth_mechanism_logs_in_and_without_a_password_source_fails_78() {
    for mechanism in ["plain", "login", "xoauth2", "oauthbearer"] {
        let home = tempfile::tempdir().unwrap();
        // Nothing listens on the discard port: a client that skipped AUTH would fail 75.
        let out = posta_without_terminal(home.path())
            .args(["send", "--server", "127.0.0.1:9", "--security", "plain"])
            .args(["--auth", mechanism, "--from", "jane@example.org"])
            .args(["--to", "bob@example.org", "-s", "hi", "--body", "x"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(78), "{mechanism}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("but there is no source"),
            "{mechanism}: {}",
            stderr(&out)
        );
        // The user defaults to the From address.
        assert!(
            stderr(&out).contains("jane@example.org"),
            "{mechanism}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn an_explicit_auth_mechanism_logs_in_as_the_from_address() {
    let server = Server::start(Config {
        user: "jane@example.org".into(),
        password: PASSWORD.into(),
        ..Default::default()
    });
    let home = tempfile::tempdir().unwrap();
    let out = posta(home.path())
        .env("POSTA_PASSWORD", PASSWORD)
        .args(["send", "--server", &format!("127.0.0.1:{}", server.port())])
        .args(["--security", "plain", "--auth", "login"])
        .args([
            "--from",
            "Jane <jane@example.org>",
            "--to",
            "bob@example.org",
        ])
        .args(["-s", "hi", "--body", "x"])
        .output()
        .unwrap();
    let record = server.finish();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(record.sent("AUTH LOGIN"), "{:?}", record.commands());
    assert_eq!(record.authenticated.as_deref(), Some("jane@example.org"));
}
