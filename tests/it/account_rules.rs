//! How flags and the profile decide the account, through the real binary: who logs in,
//! whether an account logs in at all, what a dry run checks, and which exit code and
//! name a bad value gets (a flag: 64 naming the flag; the config file: 78 naming it).

use std::path::Path;
use std::process::Output;

use crate::support::scripted_server::{Config, Server};
use crate::support::{posta, posta_without_terminal, stderr, text, write_config};

const PASSWORD: &str = "s3cret-Pa55";

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

/// `posta send --dry-run` with `args` after the message flags.
fn dry_run(home: &Path, global: &[&str], args: &[&str]) -> Output {
    posta(home)
        .args(global)
        .args(["send", "-s", "hi", "--body", "x", "--dry-run"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_dry_run_fails_where_a_real_send_would_fail_before_connecting() {
    let home = tempfile::tempdir().unwrap();
    let marker = home.path().join("password-asked");
    let config = write_config(
        home.path(),
        &format!(
            "[profiles.w]\nhost = \"127.0.0.1\"\nport = 9\nfrom = \"Jane <jane@example.com>\"\n\
             per_message_limit = 2\npassword_command = \"touch {} && echo pw\"\n\
             [profiles.y]\npreset = \"yandex\"\nfrom = \"me@yandex.ru\"\n",
            marker.display()
        ),
    );
    let to = ["--to", "b@example.org"];
    let cases: &[(&[&str], &[&str], i32, &str)] = &[
        (
            &["-p", "typo"],
            &["--from", "a@example.com", "--to", "b@example.org"],
            78,
            "no profile named \"typo\"",
        ),
        (
            &["-p", "w"],
            &["--to", "b@example.org,c@example.org,d@example.org"],
            65,
            "per_message_limit",
        ),
        (
            &["-p", "y"],
            &["--from", "other@yandex.ru", "--to", "b@example.org"],
            65,
            "other than the login",
        ),
    ];
    for (global, args, code, says) in cases {
        let out = dry_run(home.path(), global, args);
        assert_eq!(
            out.status.code(),
            Some(*code),
            "{global:?} {args:?}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains(says),
            "{global:?} {args:?}: {}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
        // The real send refuses the same way.
        let real = posta(home.path())
            .args(*global)
            .args(["send", "-s", "hi", "--body", "x"])
            .args(*args)
            .output()
            .unwrap();
        assert_eq!(real.status.code(), Some(*code), "{}", stderr(&real));
    }

    let bad = home.path().join("bad.toml");
    std::fs::write(&bad, "x = [\n").unwrap();
    let out = dry_run(home.path(), &["-c", bad.to_str().unwrap()], &to);
    assert_eq!(out.status.code(), Some(78), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("bad.toml: TOML parse error"),
        "{}",
        stderr(&out)
    );

    // Within the rules: the bytes, the profile's From, and no password asked for.
    let out = dry_run(
        home.path(),
        &["-c", config.to_str().unwrap(), "-p", "w"],
        &to,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        text(&out.stdout).contains("From: Jane <jane@example.com>"),
        "{}",
        text(&out.stdout)
    );
    assert!(!marker.exists(), "a dry run ran the password command");
}

#[test]
fn a_dry_run_needs_no_account_on_a_fresh_machine_or_without_a_chosen_profile() {
    let home = tempfile::tempdir().unwrap();
    let args = ["--from", "a@example.com", "--to", "b@example.org"];
    let out = dry_run(home.path(), &[], &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("MAIL FROM:<a@example.com>"),
        "{}",
        stderr(&out)
    );
    // A config with profiles but no default, and no -p: still no account needed.
    write_config(home.path(), "[profiles.w]\nhost = \"127.0.0.1\"\n");
    let out = dry_run(home.path(), &[], &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_bad_flag_value_is_a_usage_error_naming_the_flag_not_the_config_file() {
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), "[profiles.w]\nhost = \"127.0.0.1\"\n");
    for (flag, value) in [
        ("--tls-fingerprint", "zz"),
        ("--timeout", "0"),
        ("--server", "127.0.0.1:99999"),
    ] {
        let out = posta(home.path())
            .args(["-p", "w", "send", flag, value, "--from", "a@example.com"])
            .args(["--to", "b@example.org", "-s", "hi", "--body", "x"])
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(64), "{flag}: {err}");
        assert!(err.contains(flag), "{flag}: {err}");
        assert!(!err.contains("config.toml"), "{flag}: {err}");
        // sendmail mode parses the same flags the same way.
        let out = crate::support::run_with_input(
            {
                let mut cmd = posta(home.path());
                cmd.args(["-p", "w", "sendmail", flag, value, "-t"]);
                cmd
            },
            b"From: a@example.com\nTo: b@example.org\n\nx\n",
        );
        assert_eq!(
            out.status.code(),
            Some(64),
            "sendmail {flag}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains(flag),
            "sendmail {flag}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_bad_value_in_the_config_file_is_78_naming_the_file_the_profile_and_the_key() {
    let home = tempfile::tempdir().unwrap();
    let cases = [
        (
            "tls_fingerprint = \"zz\"",
            "profile w: tls_fingerprint \"zz\"",
        ),
        (
            "timeout = 0",
            "profile w: timeout must be at least 1 second",
        ),
        (
            "from = \"Jane <jane@\"",
            "profile w: from: malformed address",
        ),
    ];
    for (line, says) in cases {
        let config = write_config(
            home.path(),
            &format!("[profiles.w]\nhost = \"127.0.0.1\"\nport = 9\n{line}\n"),
        );
        for dry in [false, true] {
            let mut cmd = posta(home.path());
            cmd.args(["-p", "w", "send", "--to", "b@example.org", "-s", "hi"])
                .args(["--body", "x"]);
            if dry {
                cmd.arg("--dry-run");
            }
            let out = cmd.output().unwrap();
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(78), "{line}: {err}");
            assert!(
                err.contains(&format!("{}: {says}", config.display())),
                "{line}: {err}"
            );
            assert!(!err.contains("--"), "blames no flag: {line}: {err}");
        }
    }
}
