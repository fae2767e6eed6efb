//! Usage errors found by clap (an unknown flag, a missing subcommand): exit 64, clap's
//! own text on stderr, and with --json still one JSON object on stdout.

use crate::support::{posta, text};

#[test]
fn a_usage_error_with_json_is_one_object_with_exit_64() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        &["--json", "send", "--bogus"][..],
        &["send", "--json", "--from"],
        &["--json"],
    ] {
        let out = posta(home.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(64), "{args:?}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}", text(&out.stdout)));
        assert_eq!(json["status"], "failed", "{json}");
        assert_eq!(json["exit_code"], 64, "{json}");
        assert!(!json["error"].as_str().unwrap().is_empty(), "{json}");
        assert!(
            text(&out.stderr).starts_with("error: "),
            "{}",
            text(&out.stderr)
        );
    }
    // Without --json, stdout stays empty.
    let out = posta(home.path())
        .args(["send", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(out.stdout.is_empty());
}
