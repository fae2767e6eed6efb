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
