//! SASL mechanisms against Postfix with Dovecot's SASL (scripts/mailserver.sh, the
//! SASL port offers PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256): each one
//! delivers a message, `auto` picks SCRAM-SHA-256, a wrong password is 77, and the
//! transcript never holds what AUTH sent.

use std::path::Path;
use std::process::Command;

use crate::e2e::*;

const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";

fn home() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let config = format!(
        "default = \"t\"\n[profiles.t]\nhost = \"localhost\"\nport = {}\nsecurity = \"starttls\"\n\
         user = \"{ALICE}\"\nfrom = \"Alice <{ALICE}>\"\nca_file = \"{}\"\n\
         password_env = \"E2E_ALICE_PASSWORD\"\n",
        port("SASL"),
        ca()
    );
    write_config(home.path(), &config);
    home
}

fn send(home: &Path, auth: &str, password: &str, subject: &str) -> Command {
    let mut cmd = posta(home);
    cmd.env("E2E_ALICE_PASSWORD", password);
    cmd.args(["-v", "send", "--auth", auth, "--to", BOB, "-s", subject]);
    cmd.args(["--body", "sasl"]);
    cmd
}

#[test]
fn each_mechanism_delivers_a_message_and_auto_picks_scram_sha_256() {
    let home = home();
    let password = env("POSTA_E2E_PASS1");
    for (auth, expected) in [
        ("scram-sha-256", "SCRAM-SHA-256"),
        ("scram-sha-1", "SCRAM-SHA-1"),
        ("cram-md5", "CRAM-MD5"),
        ("auto", "SCRAM-SHA-256"),
    ] {
        let subject = token(auth);
        let out = send(home.path(), auth, &password, &subject)
            .output()
            .unwrap();
        ok(&out);
        let transcript = text(&out.stderr);
        let shown = match expected {
            "CRAM-MD5" => "~> AUTH CRAM-MD5\n".to_string(),
            scram => format!("~> AUTH {scram} (redacted)\n"),
        };
        assert!(transcript.contains(&shown), "{auth}: {transcript}");
        assert!(transcript.contains("<~ 235 "), "{auth}: {transcript}");
        assert!(!transcript.contains(&password), "{transcript}");
        wait_for_message(BOB, &subject);
    }
}

#[test]
fn a_wrong_password_by_scram_is_77_and_nothing_is_delivered() {
    let home = home();
    for auth in ["scram-sha-256", "cram-md5"] {
        let subject = token(&format!("{auth}-wrong"));
        let out = send(home.path(), auth, "not-alices-password", &subject)
            .output()
            .unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(77), "{auth}: {err}");
        assert!(err.contains("535"), "{auth}: {err}");
        assert!(!err.contains("not-alices-password"), "{err}");
        assert!(!err.contains("MAIL FROM"), "{err}");
    }
}
