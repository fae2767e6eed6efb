//! `posta batch` text that needs no server: the help and errors of `--rate`, and the
//! summary's rate.

#[path = "support/e2e.rs"]
mod e2e;

use e2e::{posta, text};

#[test]
fn rate_help_and_errors_name_every_unit_the_parser_takes() {
    let home = tempfile::tempdir().unwrap();
    let help = posta(home.path())
        .args(["batch", "--help"])
        .output()
        .unwrap();
    assert!(
        text(&help.stdout).contains("N/s|N/m|N/h"),
        "{}",
        text(&help.stdout)
    );
    let bad = posta(home.path())
        .args(["batch", "--rate", "10/x", "."])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(64), "{}", text(&bad.stderr));
    assert!(
        text(&bad.stderr).contains("N/s, N/m or N/h"),
        "{}",
        text(&bad.stderr)
    );
    // What the text promises works.
    let hourly = posta(home.path())
        .args(["batch", "--rate", "10/h", "--server", "127.0.0.1:1"])
        .arg(home.path())
        .output()
        .unwrap();
    assert_eq!(hourly.status.code(), Some(0), "{}", text(&hourly.stderr));
}
