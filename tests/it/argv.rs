//! Arguments that are not UTF-8 (a Latin-1 name or subject from a legacy script): read as
//! Latin-1, never a panic that loses the message; a file name that is not UTF-8 still
//! names its file.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::support::scripted_server::{Config, Server};
use crate::support::{parse, posta, run_with_input, text};

/// "José Müller" in ISO-8859-1.
const LATIN1_NAME: &[u8] = b"Jos\xe9 M\xfcller";

#[test]
fn a_latin1_subject_is_read_as_latin1_and_sent_encoded() {
    let home = tempfile::tempdir().unwrap();
    let out = posta(home.path())
        .args(["send", "--dry-run", "--from", "jane@example.org"])
        .args(["--to", "bob@example.org", "--body", "x", "-s"])
        .arg(OsStr::from_bytes(LATIN1_NAME))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let message = parse(&out.stdout);
    assert_eq!(message["subject"], "José Müller", "{message}");
}

#[test]
fn a_file_name_that_is_not_utf8_still_names_its_file() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join(OsStr::from_bytes(b"conf\xe9.toml"));
    std::fs::write(
        &config,
        "default = \"t\"\n[profiles.t]\nhost = \"127.0.0.1\"\nfrom = \"jane@example.org\"\n",
    )
    .unwrap();
    let out = posta(home.path())
        .arg("-c")
        .arg(&config)
        .args([
            "send",
            "--dry-run",
            "--to",
            "bob@example.org",
            "-s",
            "Hi",
            "--body",
            "x",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let message = parse(&out.stdout);
    assert_eq!(message["from"][0]["addr"], "jane@example.org", "{message}");
}

#[test]
fn sendmail_takes_a_latin1_full_name() {
    let home = tempfile::tempdir().unwrap();
    let server = Server::start(Config::default());
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-t", "-f", "jane@example.org", "-F"])
        .arg(OsStr::from_bytes(LATIN1_NAME))
        .args(["--server", &format!("127.0.0.1:{}", server.port())])
        .args(["--security", "plain", "--timeout", "5"]);
    let out = run_with_input(cmd, b"To: bob@example.org\nSubject: s\n\nbody\n");
    let record = server.finish();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let message = parse(&record.messages[0]);
    assert_eq!(message["from"][0]["name"], "José Müller", "{message}");
}
