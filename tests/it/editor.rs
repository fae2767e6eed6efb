//! `posta send` on a terminal with no body opens $VISUAL/$EDITOR on a draft, like
//! `git commit` (issue 21 item 10). stdin is a pseudo-terminal made by
//! tests/support/pty_stdin.py; the "editor" is a shell script that edits the file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::support::{closed_port, parse, posta, stderr, text};

/// Run `cmd` with stdin on a terminal; stdout and stderr captured.
fn on_terminal(cmd: &Command) -> Output {
    let helper = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/pty_stdin.py");
    let mut python = Command::new("python3");
    python
        .arg(helper)
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .env_clear()
        .envs(
            cmd.get_envs()
                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))),
        )
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(Stdio::null());
    python.output().unwrap()
}

/// An editor script in `home` that runs `body` with the draft as "$1" and records
/// the draft's path and mode in `home/draft-path` and `home/draft-mode`.
fn editor(home: &Path, body: &str) -> PathBuf {
    let script = home.join("editor.sh");
    std::fs::write(
        &script,
        format!(
            "f=\"$1\"\nprintf '%s' \"$f\" > \"$HOME/draft-path\"\nstat -c %a \"$f\" > \"$HOME/draft-mode\"\n{body}\n"
        ),
    )
    .unwrap();
    script
}

fn draft_path(home: &Path) -> PathBuf {
    PathBuf::from(std::fs::read_to_string(home.join("draft-path")).unwrap())
}

fn send(home: &Path, editor: &str, extra: &[&str]) -> Command {
    let mut cmd = posta(home);
    cmd.args([
        "send",
        "--from",
        "jane@example.org",
        "--to",
        "bob@example.org",
    ])
    .args(["-s", "from the flags"])
    .args(extra)
    .env_remove("VISUAL")
    .env("EDITOR", editor);
    cmd
}

const EDIT: &str = "sed -i -e 's/^Subject:.*/Subject: edited subject/' \
    -e 's/^To:.*/To: Carol <carol@example.org>/' \"$f\"\n\
    printf 'Hello from the editor\\n# a heading, not a comment\\nbye\\n' >> \"$f\"";

#[test]
fn what_is_saved_in_the_editor_is_what_is_sent() {
    let home = tempfile::tempdir().unwrap();
    let script = editor(home.path(), EDIT);
    // EDITOR may hold arguments: run as `sh -c '$EDITOR "$1"'`.
    let out = on_terminal(&send(
        home.path(),
        &format!("sh {}", script.display()),
        &["--dry-run"],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let message = parse(&out.stdout);
    assert_eq!(message["subject"], "edited subject");
    assert_eq!(message["to"][0]["addr"], "carol@example.org");
    assert_eq!(message["to"].as_array().unwrap().len(), 1);
    assert_eq!(message["from"][0]["addr"], "jane@example.org");
    assert_eq!(
        message["body"]["text"],
        "Hello from the editor\n# a heading, not a comment\nbye\n"
    );
    assert!(
        stderr(&out).contains("RCPT TO:<carol@example.org>"),
        "{}",
        stderr(&out)
    );
    assert!(
        !stderr(&out).contains("RCPT TO:<bob@example.org>"),
        "{}",
        stderr(&out)
    );
    // Private while it lived, gone once the message is shown.
    let mode = std::fs::read_to_string(home.path().join("draft-mode")).unwrap();
    assert_eq!(mode.trim(), "600");
    let draft = draft_path(home.path());
    assert!(
        !draft.exists() && !draft.parent().unwrap().exists(),
        "{draft:?}"
    );
}

#[test]
fn visual_comes_before_editor() {
    let home = tempfile::tempdir().unwrap();
    let script = editor(home.path(), EDIT);
    let mut cmd = send(home.path(), "false", &["--dry-run"]);
    cmd.env("VISUAL", format!("sh {}", script.display()));
    let out = on_terminal(&cmd);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(parse(&out.stdout)["subject"], "edited subject");
}

#[test]
fn an_empty_body_aborts_with_64_and_nothing_sent() {
    let home = tempfile::tempdir().unwrap();
    let script = editor(home.path(), ":");
    let port = closed_port().to_string();
    for extra in [
        &["--dry-run"][..],
        &["--server", &port, "--security", "plain"][..],
    ] {
        let out = on_terminal(&send(
            home.path(),
            &format!("sh {}", script.display()),
            extra,
        ));
        assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
        assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
        assert!(stderr(&out).contains("body is empty"), "{}", stderr(&out));
        assert!(!stderr(&out).contains("connect"), "{}", stderr(&out));
        assert!(!draft_path(home.path()).exists());
    }
}

#[test]
fn an_editor_that_fails_aborts_with_64() {
    let home = tempfile::tempdir().unwrap();
    let script = editor(home.path(), &format!("{EDIT}\nexit 1"));
    let out = on_terminal(&send(
        home.path(),
        &format!("sh {}", script.display()),
        &["--dry-run"],
    ));
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    assert!(stderr(&out).contains("the editor (sh "), "{}", stderr(&out));
    assert!(stderr(&out).contains("nothing sent"), "{}", stderr(&out));
}

#[test]
fn a_failed_send_keeps_the_draft_and_says_where() {
    let home = tempfile::tempdir().unwrap();
    let script = editor(home.path(), EDIT);
    let server = format!("127.0.0.1:{}", closed_port());
    let out = on_terminal(&send(
        home.path(),
        &format!("sh {}", script.display()),
        &["--server", &server, "--security", "plain"],
    ));
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    let draft = draft_path(home.path());
    let kept = std::fs::read_to_string(&draft).unwrap();
    assert!(kept.contains("Hello from the editor"), "{kept}");
    assert!(
        stderr(&out).contains(&format!("kept in {}", draft.display())),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_body_given_or_no_terminal_opens_no_editor() {
    let home = tempfile::tempdir().unwrap();
    let script = editor(home.path(), "exit 1");
    let editor = format!("sh {}", script.display());
    let out = on_terminal(&send(home.path(), &editor, &["--dry-run", "--body", "hi"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // stdin not a terminal: it is the body, as before.
    let out = send(home.path(), &editor, &["--dry-run"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!home.path().join("draft-path").exists());
}

#[test]
fn a_draft_posta_cannot_read_is_kept_and_named() {
    let home = tempfile::tempdir().unwrap();
    let script = editor(
        home.path(),
        "sed -i -e 's/^To:.*/To: not an address/' \"$f\"\nprintf 'my long text\\n' >> \"$f\"",
    );
    let out = on_terminal(&send(
        home.path(),
        &format!("sh {}", script.display()),
        &["--dry-run"],
    ));
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    assert!(
        stderr(&out).contains("draft line 2: To"),
        "{}",
        stderr(&out)
    );
    let draft = draft_path(home.path());
    assert!(
        std::fs::read_to_string(&draft)
            .unwrap()
            .contains("my long text")
    );
    assert!(
        stderr(&out).contains(&format!("kept in {}", draft.display())),
        "{}",
        stderr(&out)
    );
}
