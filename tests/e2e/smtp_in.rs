//! SMTP in: real SMTP clients speaking to posta — Symfony Mailer's default sendmail
//! transport (`sendmail -bs`) and Python's smtplib over the same pipes — each message
//! delivered through the local Postfix and read back with Python's `email`.

use std::path::Path;
use std::process::Command;

use crate::e2e::*;
use crate::interop::{sendmail_env, sendmail_home};
use crate::support::{parse, sha256_hex};

const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";
const CAROL: &str = "carol@example.test";

fn clients() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/clients")
}

/// A tag no other test's message carries.
fn tag(what: &str) -> String {
    format!(
        "{what}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

#[test]
fn symfony_mailers_default_sendmail_transport_sends_through_posta() {
    let (home, link) = sendmail_home();
    let tag = tag("symfony");
    let attachment = home.path().join("data.bin");
    let bytes: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(&attachment, &bytes).unwrap();
    let unknown = env("POSTA_E2E_UNKNOWN_RCPT");
    let mut cmd = Command::new("php");
    sendmail_env(&mut cmd, home.path());
    let out = cmd
        .arg(clients().join("symfony_sendmail.php"))
        .args([link.to_str().unwrap(), &tag, ALICE, BOB, CAROL, &unknown])
        .arg(&attachment)
        .output()
        .expect("php (php-cli, php-symfony-mailer)");
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    // The refusal reached the application with the provider's own words.
    let refused = stdout
        .lines()
        .find(|l| l.starts_with("refused: "))
        .unwrap_or_else(|| panic!("no refusal: {stdout}"));
    assert!(
        refused.contains("\"550")
            && refused.contains(&format!("<{unknown}>"))
            && refused.contains("Recipient address rejected"),
        "{refused}"
    );
    assert!(stdout.contains("sent after"), "{stdout}");

    let to_bob = wait_for_messages(BOB, &tag, 4);
    let subjects: Vec<String> = to_bob
        .iter()
        .map(|m| parse(m)["subject"].as_str().unwrap().to_string())
        .collect();
    for which in ["one", "two", "three", "after"] {
        assert!(subjects.contains(&format!("{tag} {which}")), "{subjects:?}");
    }
    assert!(!subjects.iter().any(|s| s.ends_with("refused")));
    for m in &to_bob {
        let p = parse(m);
        assert_eq!(p["from"][0]["addr"], ALICE);
        assert_eq!(p["bcc_present"], false, "{p}");
        match p["subject"].as_str().unwrap().rsplit(' ').next().unwrap() {
            "one" => {
                // Dot-stuffed by Symfony, unstuffed by posta, stuffed again to Postfix.
                assert!(
                    p["body"]["text"].as_str().unwrap().contains("\n.a line"),
                    "{p}"
                );
            }
            "three" => {
                let parts = p["body"]["parts"].as_array().unwrap();
                let file = parts.iter().find(|x| x["filename"] == "data.bin").unwrap();
                assert_eq!(file["size"], bytes.len());
                let digest = sha256_hex(&bytes);
                assert_eq!(file["sha256"], digest.as_str());
            }
            _ => {}
        }
    }
    // The Bcc recipient got the message, without a Bcc field naming it.
    let to_carol = wait_for_message(CAROL, &format!("{tag} two"));
    let p = parse(&to_carol);
    assert_eq!(p["bcc_present"], false);
    assert!(!text(&to_carol).contains(&format!("Bcc: {CAROL}")));
    assert_no_message(CAROL, &format!("{tag} one"));
}

#[test]
fn pythons_smtplib_over_the_pipes_of_sendmail_bs() {
    let (home, link) = sendmail_home();
    let tag = tag("smtplib");
    let mut cmd = Command::new("python3");
    sendmail_env(&mut cmd, home.path());
    let out = cmd
        .arg(clients().join("smtplib_pipe.py"))
        .args([link.to_str().unwrap(), &tag, ALICE, BOB, CAROL])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["greeting"], 220);
    assert_eq!(result["quit"], 221);
    assert_eq!(result["status"], 0);
    for reply in result["replies"].as_array().unwrap() {
        assert_eq!(reply[0], 250, "{reply}");
        // The server's own reply, with its queue id, is passed on.
        assert!(reply[1].as_str().unwrap().contains("queued as"), "{reply}");
    }
    for user in [BOB, CAROL] {
        let got = wait_for_messages(user, &tag, 2);
        let eight_bit = got
            .iter()
            .map(|m| parse(m))
            .find(|p| p["subject"] == format!("{tag} 1"))
            .unwrap();
        assert_eq!(eight_bit["body"]["text"], "ünïcödé text\n");
    }
}
