//! What a new user meets first (issue 21): a `profile add` line that gives a profile
//! that sends, completions installed where the shell looks and completing profile
//! names, and which profile was chosen when two share a From. No network: the sends
//! are dry runs.

use std::path::Path;
use std::process::Output;

use crate::support::{config_path, posta, stderr, text, write_config};

fn run(home: &Path, args: &[&str]) -> Output {
    posta(home).args(args).output().expect("run posta")
}

#[test]
fn one_profile_add_line_with_from_gives_a_profile_that_sends() {
    let home = tempfile::tempdir().unwrap();
    let out = run(
        home.path(),
        &[
            "profile",
            "add",
            "relay",
            "--server",
            "smtp.example.com:2525",
            "--user",
            "jane",
            "--from",
            "Jane <jane@example.com>",
            "--password-command",
            "echo secret",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let config = std::fs::read_to_string(config_path(home.path())).unwrap();
    assert!(
        config.contains("from = \"Jane <jane@example.com>\""),
        "{config}"
    );
    assert!(
        config.contains("password_command = \"echo secret\""),
        "{config}"
    );

    // The profile (the default: the first one added) gives the From and the server.
    let out = run(
        home.path(),
        &[
            "send",
            "--to",
            "bob@example.org",
            "-s",
            "hi",
            "--body",
            "hi",
            "--dry-run",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        text(&out.stdout).contains("From: Jane <jane@example.com>"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_profile_without_from_is_added_with_a_warning_saying_how_to_give_one() {
    let home = tempfile::tempdir().unwrap();
    let out = run(
        home.path(),
        &[
            "profile",
            "add",
            "relay",
            "--server",
            "smtp.example.com:2525",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("warning: no from address"), "{err}");
    assert!(err.contains("--from ADDRESS"), "{err}");
}

#[test]
fn two_profiles_with_one_from_warn_at_add_and_v_says_which_was_chosen() {
    let home = tempfile::tempdir().unwrap();
    for name in ["a", "b"] {
        let out = run(
            home.path(),
            &[
                "profile",
                "add",
                name,
                "--server",
                "smtp.example.com",
                "--from",
                "jane@example.com",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let err = stderr(&out);
        if name == "a" {
            assert!(!err.contains("the same from"), "{err}");
        } else {
            assert!(
                err.contains("warning: profile a has the same from"),
                "{err}"
            );
        }
    }
    let send = |verbose: bool| {
        let mut args = vec![
            "send",
            "--from",
            "Jane@Example.com",
            "--to",
            "bob@example.org",
        ];
        args.extend(["-s", "hi", "--body", "hi", "--dry-run"]);
        if verbose {
            args.insert(0, "-v");
        }
        run(home.path(), &args)
    };
    let out = send(true);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "posta: profile a, the default: profiles a, b all have the from jane@example.com"
        ),
        "{err}"
    );
    assert!(err.contains("-p NAME"), "{err}");
    // Without -v, nothing is said.
    let out = send(false);
    assert!(!stderr(&out).contains("the default"), "{}", stderr(&out));
}

#[test]
fn completions_install_creates_the_directory_the_shell_reads() {
    let home = tempfile::tempdir().unwrap();
    for (shell, path) in [
        ("bash", "data/bash-completion/completions/posta"),
        ("fish", "config/fish/completions/posta.fish"),
        ("zsh", "data/zsh/site-functions/_posta"),
    ] {
        let out = posta(home.path())
            .env_remove("BASH_COMPLETION_USER_DIR")
            .args(["completions", shell, "--install"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let target = home.path().join(path);
        let script = std::fs::read_to_string(&target)
            .unwrap_or_else(|e| panic!("{shell}: {}: {e}", target.display()));
        assert!(script.contains("posta profile list --names"), "{shell}");
        if shell == "zsh" {
            // profile show|remove|test, password set|delete and auth login|status|logout
            // complete profile names.
            let positional = "in the config file:_posta_profiles'";
            assert_eq!(script.matches(positional).count(), 8, "{script}");
        }
        assert!(
            stderr(&out).contains(&target.display().to_string()),
            "{}",
            stderr(&out)
        );
        // The same bytes as the printed script.
        assert_eq!(
            script.as_bytes(),
            run(home.path(), &["completions", shell]).stdout
        );
    }
    let out = run(home.path(), &["completions", "elvish", "--install"]);
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("posta completions elvish"),
        "{}",
        stderr(&out)
    );
}

const TWO_PROFILES: &str = "default = \"work\"\n\n[profiles.work]\nhost = \"h\"\n\n\
                            [profiles.personal]\nhost = \"h\"\n";

#[test]
fn profile_list_names_prints_one_name_a_line_and_nothing_without_a_config() {
    let home = tempfile::tempdir().unwrap();
    let out = run(home.path(), &["profile", "list", "--names"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(text(&out.stdout), "");
    write_config(home.path(), TWO_PROFILES);
    let out = run(home.path(), &["profile", "list", "--names"]);
    assert_eq!(text(&out.stdout), "personal\nwork\n");
}

/// The generated bash script, sourced in a real bash, offers the config's profiles
/// after -p and for `profile show`, not file names.
#[test]
fn bash_completion_offers_the_profile_names() {
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), TWO_PROFILES);
    let script = home.path().join("posta.bash");
    std::fs::write(&script, run(home.path(), &["completions", "bash"]).stdout).unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_posta")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (words, cword) in [
        ("posta -p w", 2),
        ("posta send --profile ''", 3),
        ("posta profile show ''", 3),
        ("posta password set p", 3),
    ] {
        let line = format!(
            "source '{}'; COMP_WORDS=({words}); COMP_CWORD={cword}; \
             _posta_with_profiles posta \"${{COMP_WORDS[COMP_CWORD]}}\" \
             \"${{COMP_WORDS[COMP_CWORD-1]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        );
        let mut cmd = std::process::Command::new("bash");
        crate::support::hermetic(&mut cmd, home.path());
        let out = cmd
            .current_dir(home.path())
            .env("PATH", &path)
            .args(["--norc", "-c", &line])
            .output()
            .unwrap();
        let offered = text(&out.stdout);
        let want = match words.rsplit(' ').next().unwrap() {
            "w" => "work\n",
            "p" => "personal\n",
            _ => "personal\nwork\n",
        };
        assert_eq!(offered, want, "{words}: {}", stderr(&out));
    }
}

/// A mail merge checked before sending: every row as it would go out, to a directory,
/// with its envelope; the account is resolved (its From is used) but nothing connects
/// and no password is asked for (the command here would fail if it ran).
#[test]
fn batch_dry_run_writes_every_merged_message_and_its_envelope_without_connecting() {
    let home = tempfile::tempdir().unwrap();
    let port = crate::support::closed_port();
    write_config(
        home.path(),
        &format!(
            "default = \"work\"\n\n[profiles.work]\nhost = \"127.0.0.1\"\nport = {port}\n\
             security = \"plain\"\nfrom = \"Jane <jane@example.com>\"\n\
             password_command = \"echo ran > {}/ran; exit 1\"\n",
            home.path().display()
        ),
    );
    let template = home.path().join("t.eml");
    std::fs::write(
        &template,
        "To: \"{{name}}\" <{{email}}>\nBcc: audit@example.org\nSubject: Seat {{seat}}\n\n\
         Dear {{name}}, your seat is {{seat}}.\n",
    )
    .unwrap();
    let data = home.path().join("guests.csv");
    std::fs::write(
        &data,
        "name,email,seat\nBob,bob@example.org,A1\n\"Eve\nBcc: x@example.org\",eve@example.org,B2\n\
         Carol,carol@example.org,C3\n",
    )
    .unwrap();
    let dir = home.path().join("preview");
    let dry_run = format!("--dry-run={}", dir.display());
    let args = [
        "batch",
        dry_run.as_str(),
        "--template",
        template.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ];
    let out = run(home.path(), &args);
    // Eve's row cannot go (a line break into the header block): 65, as in a real batch.
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("batch --dry-run: 2 messages"),
        "{}",
        stderr(&out)
    );
    assert!(
        !home.path().join("ran").exists(),
        "the password command ran"
    );
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    // Message N of the merge (row N) is NNNNN.eml: Eve's, the second, is missing.
    assert_eq!(
        names,
        ["00001.eml", "00001.json", "00003.eml", "00003.json"]
    );
    let carol = std::fs::read_to_string(dir.join("00003.eml")).unwrap();
    // An added From carries the profile's display name.
    assert!(
        carol.contains("From: Jane <jane@example.com>\r\n"),
        "{carol}"
    );
    assert!(
        carol.contains("To: \"Carol\" <carol@example.org>\r\n"),
        "{carol}"
    );
    assert!(carol.contains("Dear Carol, your seat is C3."), "{carol}");
    assert!(carol.contains("Message-ID: <"), "{carol}");
    assert!(!carol.contains("Bcc"), "{carol}");
    let envelope: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("00003.json")).unwrap()).unwrap();
    assert_eq!(envelope["mail_from"], "jane@example.com");
    assert_eq!(
        envelope["rcpt_to"],
        serde_json::json!(["carol@example.org", "audit@example.org"])
    );
    assert_eq!(envelope["profile"], "work");
    assert_eq!(envelope["size"], carol.len());

    // Without a directory: the envelopes as JSON lines on stdout.
    let mut args = args;
    args[1] = "--dry-run";
    let out = run(home.path(), &args);
    let lines = crate::support::json_lines(&out);
    let sent: Vec<&serde_json::Value> = lines.iter().filter(|l| l["status"] == "dry-run").collect();
    assert_eq!(sent.len(), 2, "{lines:?}");
    assert_eq!(sent[0]["rcpt_to"][0], "bob@example.org");
}

/// Every connection option given to `profile add` is saved, as the key of its name,
/// and the file reads back.
#[test]
fn profile_add_saves_every_connection_option_given() {
    let home = tempfile::tempdir().unwrap();
    let fingerprint = "ab".repeat(32);
    let out = run(
        home.path(),
        &[
            "profile",
            "add",
            "relay",
            "--server",
            "smtp.example.com",
            "--from",
            "jane@example.com",
            "--auth",
            "oauthbearer",
            "--tls-fingerprint",
            &fingerprint,
            "--timeout",
            "30",
            "--ehlo",
            "me.example.com",
            "--allow-insecure-auth",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let config = std::fs::read_to_string(config_path(home.path())).unwrap();
    for line in [
        "auth = \"oauthbearer\"".to_string(),
        format!("tls_fingerprint = \"{fingerprint}\""),
        "timeout = 30".to_string(),
        "ehlo = \"me.example.com\"".to_string(),
        "allow_insecure_auth = true".to_string(),
    ] {
        assert!(config.contains(&line), "{line} missing:\n{config}");
    }
    assert!(!config.contains("insecure = "), "{config}");
    let out = run(home.path(), &["profile", "show", "relay"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        text(&out.stdout).contains("oauthbearer"),
        "{}",
        text(&out.stdout)
    );
}

/// sendmail mode at -v says which profile the From chose, and that two profiles share it.
#[test]
fn sendmail_v_names_the_profile_chosen_when_two_share_the_from() {
    let home = tempfile::tempdir().unwrap();
    let port = crate::support::closed_port();
    let profile = |name: &str| {
        format!(
            "[profiles.{name}]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"plain\"\n\
             from = \"jane@example.com\"\n"
        )
    };
    write_config(
        home.path(),
        &format!("default = \"b\"\n{}{}", profile("a"), profile("b")),
    );
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-v", "-t", "--queue", "never"]);
    let out = crate::support::run_with_input(
        cmd,
        b"From: jane@example.com\nTo: bob@example.org\nSubject: x\n\nhi\n",
    );
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("sendmail: profile b, the default: profiles a, b all have the from"),
        "{err}"
    );
}
