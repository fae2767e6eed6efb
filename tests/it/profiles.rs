//! Profiles and password sources through the real binary, with HOME and the XDG
//! directories in a temp dir and no POSTA_* variables: `profile add` for every
//! preset domain, a failing password command, the permission check, no password source
//! without a terminal (cron), and the keyring's error where no Secret Service runs.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::support::{config_path, posta};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn posta_in(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    posta_with(posta(home), args, env)
}

/// No controlling terminal, as under cron: nobody can be asked for a password.
fn posta_without_terminal(home: &Path, args: &[&str]) -> Run {
    posta_with(crate::support::posta_without_terminal(home), args, &[])
}

fn posta_with(mut cmd: Command, args: &[&str], env: &[(&str, &str)]) -> Run {
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run posta");
    Run {
        code: out.status.code().expect("exited"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The config file with permissions `mode`.
fn write_config(home: &Path, text: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let path = crate::support::write_config(home, text);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
}

const SEND: &[&str] = &[
    "send",
    "--to",
    "bob@example.com",
    "-s",
    "hi",
    "--body",
    "hi",
];

#[test]
fn profile_add_picks_the_preset_for_every_domain_and_prints_its_page() {
    let home = tempfile::tempdir().unwrap();
    let presets = posta_in(home.path(), &["--json", "profile", "presets"], &[]);
    assert_eq!(presets.code, 0, "{}", presets.stderr);
    let presets: Value = serde_json::from_str(&presets.stdout).unwrap();
    let mut added = 0;
    for preset in presets["presets"].as_array().unwrap() {
        let name = preset["name"].as_str().unwrap();
        for domain in preset["domains"].as_array().unwrap() {
            let domain = domain.as_str().unwrap();
            // A fresh config for each, so each is the first profile and the default.
            let home = tempfile::tempdir().unwrap();
            let email = format!("jane@{domain}");
            let run = posta_in(
                home.path(),
                &["profile", "add", "p", "--email", &email],
                &[],
            );
            assert_eq!(run.code, 0, "{domain}: {}", run.stderr);
            let text = std::fs::read_to_string(config_path(home.path())).unwrap();
            assert!(
                text.contains(&format!("preset = \"{name}\"")),
                "{domain}: {text}"
            );
            assert!(text.contains(&format!("from = \"{email}\"")), "{text}");
            assert!(text.contains("default = \"p\""), "{text}");
            let report = run.stdout + &run.stderr;
            assert!(
                report.contains(preset["note"].as_str().unwrap()),
                "{report}"
            );
            if let Some(page) = preset["app_password_page"].as_str() {
                assert!(
                    report.contains(&format!("app password: {page}")),
                    "{report}"
                );
            }
            added += 1;
        }
    }
    assert!(added >= 50, "only {added} domains");
}

#[test]
fn profile_add_keeps_an_existing_files_comments_and_refuses_a_duplicate() {
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        "# my accounts\ndefault = \"relay\"\n\n[profiles.relay]  # the office\nhost = \"smtp.example.com\"\n",
        0o600,
    );
    let run = posta_in(
        home.path(),
        &["profile", "add", "y", "--email", "j@yandex.ru"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(config_path(home.path())).unwrap();
    assert!(
        text.starts_with("# my accounts\ndefault = \"relay\""),
        "{text}"
    );
    assert!(text.contains("[profiles.relay]  # the office"), "{text}");
    let run = posta_in(
        home.path(),
        &["profile", "add", "y", "--email", "j@yandex.ru"],
        &[],
    );
    assert_eq!(run.code, 78, "{}", run.stderr);
    assert!(run.stderr.contains("exists already"), "{}", run.stderr);
}

#[test]
fn a_failing_password_command_is_a_config_error_with_its_stderr() {
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        "default = \"w\"\n[profiles.w]\nhost = \"127.0.0.1\"\nport = 9\nuser = \"jane\"\n\
         from = \"jane@example.com\"\npassword_command = \"echo 'pass: store locked' >&2; exit 3\"\n",
        0o644,
    );
    let run = posta_in(home.path(), SEND, &[]);
    assert_eq!(run.code, 78, "{}", run.stderr);
    assert!(
        run.stderr.contains("password command failed"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("pass: store locked"), "{}", run.stderr);

    // The flag's command beats the profile's, and fails the same way.
    let run = posta_in(
        home.path(),
        &[SEND, &["--password-command", "echo nope >&2; false"]].concat(),
        &[],
    );
    assert_eq!(run.code, 78, "{}", run.stderr);
    assert!(run.stderr.contains("nope"), "{}", run.stderr);
}

#[test]
fn a_literal_password_in_a_readable_file_is_refused_with_the_fix() {
    let home = tempfile::tempdir().unwrap();
    let text = "default = \"w\"\n[profiles.w]\nhost = \"127.0.0.1\"\nuser = \"jane\"\npassword = \"hunter2\"\n";
    write_config(home.path(), text, 0o640);
    for args in [&["profile", "list"][..], &["profile", "show", "w"], SEND] {
        let run = posta_in(home.path(), args, &[]);
        assert_eq!(run.code, 78, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("chmod 600"), "{}", run.stderr);
        assert!(run.stderr.contains("mode 640"), "{}", run.stderr);
        assert!(!run.stderr.contains("hunter2") && !run.stdout.contains("hunter2"));
    }
    write_config(home.path(), text, 0o600);
    let run = posta_in(home.path(), &["profile", "show", "w"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("in the config file (hidden)"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("hunter2"), "{}", run.stdout);
    // A profile with no OAuth client secret shows none, hidden or not.
    assert!(
        !run.stdout.contains("oauth2_client_secret"),
        "{}",
        run.stdout
    );
}

#[test]
fn no_password_source_without_a_terminal_lists_the_options() {
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        "default = \"w\"\n[profiles.w]\nhost = \"127.0.0.1\"\nport = 9\nuser = \"jane\"\n\
         from = \"jane@example.com\"\n",
        0o600,
    );
    let run = posta_without_terminal(home.path(), SEND);
    assert_eq!(run.code, 78, "{}", run.stderr);
    for option in [
        "POSTA_PASSWORD",
        "--password-command",
        "password_command",
        "password_env",
        "keyring = true",
    ] {
        assert!(run.stderr.contains(option), "{option}: {}", run.stderr);
    }
    assert!(
        !run.stderr.contains("Password for"),
        "no prompt: {}",
        run.stderr
    );
}

#[test]
fn keyring_without_a_secret_service_says_so_and_names_the_other_sources() {
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        "default = \"w\"\n[profiles.w]\nhost = \"127.0.0.1\"\nport = 9\nuser = \"jane\"\n\
         from = \"jane@example.com\"\nkeyring = true\n",
        0o600,
    );
    let nobus = home.path().join("no-bus");
    let bus = format!("unix:path={}", nobus.display());
    let env = [("DBUS_SESSION_BUS_ADDRESS", bus.as_str()), ("DISPLAY", "")];
    // A posta built without the keyring says that instead, with the same exit code.
    let why = if cfg!(feature = "keyring") {
        "no Secret Service is running"
    } else {
        "built without OS keyring support (cargo feature \"keyring\")"
    };
    let started = std::time::Instant::now();
    for args in [
        SEND,
        &["password", "set", "w"][..],
        &["password", "delete", "w"][..],
    ] {
        let run = posta_in(home.path(), args, &env);
        assert_eq!(run.code, 78, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(why), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("password_command"), "{}", run.stderr);
        assert!(run.stderr.contains("POSTA_PASSWORD"), "{}", run.stderr);
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(20));

    // profile show names the source without touching the keyring.
    let run = posta_in(home.path(), &["profile", "show", "w"], &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("OS keyring (service \"posta\", user \"w\")"),
        "{}",
        run.stdout
    );
}

#[test]
fn password_set_refuses_an_unknown_profile_before_reading_anything() {
    let home = tempfile::tempdir().unwrap();
    let run = posta_in(home.path(), &["password", "set", "work"], &[]);
    assert_eq!(run.code, 78, "{}", run.stderr);
    assert!(run.stderr.contains("no config file"), "{}", run.stderr);
}

#[test]
fn profile_show_names_the_limits_in_force_and_where_they_come_from() {
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        "[profiles.g]\npreset = \"gmail\"\n\
         [profiles.own]\npreset = \"gmail\"\ndaily_limit = 0\nper_message_limit = 20\n\
         [profiles.relay]\nhost = \"smtp.example.com\"\n",
        0o600,
    );
    let usage = home.path().join("state/posta/usage");
    std::fs::create_dir_all(&usage).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    std::fs::write(
        usage.join("g"),
        format!("{} 40\n{} 7\n", now - 90_000, now - 60),
    )
    .unwrap();

    let g = posta_in(home.path(), &["profile", "show", "g"], &[]);
    assert_eq!(g.code, 0, "{}", g.stderr);
    assert!(
        g.stdout.contains(
            "daily_limit          500 recipients per 24 hours (from preset gmail); 7 used in the last 24 hours"
        ),
        "{}",
        g.stdout
    );
    assert!(
        g.stdout
            .contains("per_message_limit    100 recipients in one message (from preset gmail)"),
        "{}",
        g.stdout
    );
    let own = posta_in(home.path(), &["profile", "show", "own"], &[]);
    assert!(
        own.stdout
            .contains("daily_limit          none (0 overrides the preset's 500)"),
        "{}",
        own.stdout
    );
    assert!(
        own.stdout
            .contains("per_message_limit    20 recipients in one message\n"),
        "{}",
        own.stdout
    );
    let relay = posta_in(home.path(), &["profile", "show", "relay"], &[]);
    assert!(!relay.stdout.contains("limit"), "{}", relay.stdout);

    let json = posta_in(home.path(), &["--json", "profile", "show", "g"], &[]);
    let v: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["profile"]["daily_limit"], 500);
    assert_eq!(v["profile"]["daily_limit_from"], "preset");
    let json = posta_in(home.path(), &["--json", "profile", "show", "own"], &[]);
    let v: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["profile"]["daily_limit"], 0);
    assert_eq!(v["profile"]["per_message_limit"], 20);
    assert_eq!(v["profile"]["per_message_limit_from"], "profile");

    // A typo in the key is refused with the line and the right spelling.
    write_config(home.path(), "[profiles.g]\ndaily_limt = 5\n", 0o600);
    let bad = posta_in(home.path(), &["profile", "show", "g"], &[]);
    assert_eq!(bad.code, 78);
    assert!(
        bad.stderr.contains("line 2") && bad.stderr.contains("`daily_limit`"),
        "{}",
        bad.stderr
    );
}

#[test]
fn a_list_of_profiles_outside_batch_says_where_lists_work() {
    let home = tempfile::tempdir().unwrap();
    let text = "[profiles.a]\nhost = \"127.0.0.1\"\n[profiles.b]\nhost = \"127.0.0.1\"\n";
    write_config(home.path(), text, 0o600);
    let mut args = vec!["-p", "a,b"];
    args.extend_from_slice(SEND);
    let run = posta_in(home.path(), &args, &[]);
    assert_eq!(run.code, 78, "{}", run.stderr);
    assert!(
        run.stderr.contains("valid profiles: a, b"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("for `posta batch` only"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unknown_profile_is_named_once_with_the_valid_ones() {
    let home = tempfile::tempdir().unwrap();
    let text =
        "default = \"a\"\n[profiles.a]\nhost = \"127.0.0.1\"\n[profiles.b]\nhost = \"127.0.0.1\"\n";
    write_config(home.path(), text, 0o600);
    let outbox = home.path().join("outbox");
    std::fs::create_dir(&outbox).unwrap();
    std::fs::write(outbox.join("1.eml"), "To: b@example.org\n\nx\n").unwrap();
    let outbox = outbox.to_str().unwrap();
    for args in [
        &["profile", "test", "nosuch"][..],
        &["profile", "remove", "nosuch"][..],
        &["-p", "nosuch", "batch", outbox][..],
    ] {
        let run = posta_in(home.path(), args, &[]);
        assert_eq!(run.code, 78, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("no profile named \"nosuch\" (valid profiles: a, b)"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("is not a profile"), "{}", run.stderr);
    }
}

#[test]
fn profile_add_refuses_names_it_cannot_handle() {
    let home = tempfile::tempdir().unwrap();
    for bad in ["", "a b]", "x,y", "..", ".hidden", "a/b"] {
        let run = posta_in(
            home.path(),
            &["profile", "add", bad, "--server", "x.example.com"],
            &[],
        );
        assert_eq!(run.code, 64, "{bad:?}: {}", run.stderr);
        assert!(run.stderr.contains("letters, digits"), "{}", run.stderr);
    }
    assert!(!config_path(home.path()).exists());
    // An unknown --preset is the flag's fault: 64, naming it and the presets.
    let run = posta_in(
        home.path(),
        &["profile", "add", "z", "--preset", "gmial"],
        &[],
    );
    assert_eq!(run.code, 64, "{}", run.stderr);
    assert!(run.stderr.contains("--preset gmial"), "{}", run.stderr);
    assert!(run.stderr.contains("gmail"), "{}", run.stderr);
    for good in ["work", "gmail-2", "a_b", "v1.2"] {
        let run = posta_in(
            home.path(),
            &["profile", "add", good, "--server", "x.example.com"],
            &[],
        );
        assert_eq!(run.code, 0, "{good:?}: {}", run.stderr);
    }
}

#[test]
fn removing_the_default_profile_keeps_the_comments_and_says_there_is_no_default() {
    let home = tempfile::tempdir().unwrap();
    let text = "# my config for posta\ndefault = \"a\"\n\n[profiles.a]\nhost = \"x.example.com\"\n\n# the relay\n[profiles.b]\nhost = \"y.example.com\"\n";
    write_config(home.path(), text, 0o600);
    let run = posta_in(home.path(), &["profile", "remove", "a"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let left = std::fs::read_to_string(config_path(home.path())).unwrap();
    assert!(left.starts_with("# my config for posta\n"), "{left}");
    assert!(left.contains("# the relay\n[profiles.b]"), "{left}");
    assert!(!left.contains("default"), "{left}");
    assert!(
        run.stdout.contains("no default profile now")
            || run.stderr.contains("no default profile now"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}
