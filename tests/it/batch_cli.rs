//! `posta batch` text that needs no server: the help and errors of `--rate`, and the
//! summary's rate.

use crate::support::{posta, text};

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

#[test]
fn the_summary_rate_counts_messages_sent_not_failures() {
    let home = tempfile::tempdir().unwrap();
    let outbox = home.path().join("outbox");
    std::fs::create_dir(&outbox).unwrap();
    std::fs::write(outbox.join("1.eml"), "To: b@example.org\n\nx\n").unwrap();
    let port = crate::support::closed_port();
    let server = format!("127.0.0.1:{port}");
    let run = |json: bool| {
        let mut cmd = posta(home.path());
        if json {
            cmd.arg("--json");
        }
        cmd.args(["batch", "--security", "plain", "--server", &server])
            .arg(&outbox)
            .output()
            .unwrap()
    };
    let out = run(true);
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(summary["sent"], 0, "{summary}");
    assert_eq!(summary["messages_per_second"], 0.0, "{summary}");
    let out = run(false);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("(0.0 sent/s)"), "{stderr}");
}
