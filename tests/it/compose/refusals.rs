//! Bad input refused before anything is written: the exit code and one line naming
//! the culprit.

use super::*;

/// A refused command: the exit code, one stderr line naming the culprit, nothing on stdout.
fn refused(args: &[&str], stdin: Option<&[u8]>, code: i32, culprit: &str) {
    let run = posta(args, stdin);
    assert_eq!(run.code, code, "{args:?}: {}", run.stderr);
    assert!(run.stdout.is_empty(), "{args:?} wrote to stdout");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{:?}", run.stderr);
    assert!(
        lines[0].contains(culprit),
        "{:?} does not name {culprit:?}",
        lines[0]
    );
}

#[test]
fn bad_input_is_refused_before_any_output() {
    refused(
        &[
            "send",
            "--dry-run",
            "--from",
            FROM,
            "--to",
            "bob@",
            "--body",
            "x",
        ],
        None,
        65,
        "bob@",
    );
    refused(
        &[
            "send",
            "--dry-run",
            "--from",
            "jane at example",
            "--to",
            "b@x.org",
            "--body",
            "x",
        ],
        None,
        65,
        "--from",
    );
    refused(
        &[
            "send",
            "--dry-run",
            "--from",
            FROM,
            "--to",
            "b@x.org",
            "-H",
            "X-A: b\r\nBcc: evil@x",
            "--body",
            "x",
        ],
        None,
        65,
        "X-A",
    );
    refused(
        &[
            "send",
            "--dry-run",
            "--from",
            FROM,
            "--to",
            "b@x.org",
            "-H",
            "Bcc: evil@x",
            "--body",
            "x",
        ],
        None,
        64,
        "--bcc",
    );
    refused(
        &[
            "send",
            "--dry-run",
            "--from",
            FROM,
            "--to",
            "b@x.org",
            "-a",
            "/nonexistent/posta/file.pdf",
            "--body",
            "x",
        ],
        None,
        66,
        "/nonexistent/posta/file.pdf",
    );
    for (to, culprit) in [
        ("b@x.org\r\nBcc: evil@x.org", "control character"),
        ("\"a\tb\"@x.org", "tab or control character"),
        ("\"a b@x.org", "unbalanced quote"),
        ("Bob (work <b@x.org>", "unbalanced '('"),
        ("<b@x.org", "'<' without '>'"),
        ("\"\"@x.org", "empty local part"),
        ("\"a b\"@", "empty domain"),
    ] {
        refused(
            &[
                "send",
                "--dry-run",
                "--from",
                FROM,
                "--to",
                to,
                "--body",
                "x",
            ],
            None,
            65,
            culprit,
        );
    }
    refused(
        &["send", "--dry-run", "--from", FROM, "--body", "x"],
        None,
        64,
        "no recipients",
    );
    refused(
        &["send", "--dry-run", "--to", "b@x.org", "--body", "x"],
        None,
        64,
        "no From address",
    );
    refused(
        &[
            "send",
            "--dry-run",
            "--from",
            FROM,
            "--to",
            "b@x.org",
            "--body-file",
            "-",
            "--html-file",
            "-",
        ],
        Some(b"x"),
        64,
        "stdin",
    );
}
