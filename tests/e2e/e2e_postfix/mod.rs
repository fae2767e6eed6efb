//! End to end against a real Postfix + Dovecot SASL on loopback (scripts/mailserver.sh):
//! every security mode and port, AUTH, refusals, and the delivered bytes read back
//! from the Maildir with Python's `email` parser.

use std::process::Command;

use crate::e2e::*;

const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";
const CAROL: &str = "carol@example.test";

/// `posta send` as alice through `port` with the test CA, plus `extra` arguments.
fn send(home: &std::path::Path, port_name: &str, extra: &[&str]) -> Command {
    let mut cmd = posta(home);
    cmd.env("POSTA_PASSWORD", env("POSTA_E2E_PASS1")).args([
        "send",
        "--server",
        &format!("localhost:{}", port(port_name)),
        "--ca-file",
        &ca(),
        "--user",
        ALICE,
        "--from",
        &format!("Alice Example <{ALICE}>"),
    ]);
    cmd.args(extra);
    cmd
}

#[test]
fn submission_587_starttls_auth_with_attachment_cc_and_bcc() {
    let home = tempfile::tempdir().unwrap();
    let subject = token("587");
    let attachment = home.path().join("отчёт.bin");
    let bytes: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&attachment, &bytes).unwrap();
    let out = send(
        home.path(),
        "SUBMISSION",
        &[
            "--to",
            BOB,
            "--cc",
            CAROL,
            "--bcc",
            "carol@example.test",
            "-s",
            &subject,
            "--body",
            "Привет, Bob",
            "-a",
            attachment.to_str().unwrap(),
        ],
    )
    .output()
    .unwrap();
    ok(&out);

    let delivered = wait_for_message(BOB, &subject);
    let parsed = parse(&delivered);
    assert_eq!(parsed["subject"], subject.as_str());
    assert_eq!(parsed["from"][0]["addr"], ALICE);
    assert_eq!(parsed["from"][0]["name"], "Alice Example");
    assert_eq!(parsed["bcc_present"], false);
    let parts = parsed["body"]["parts"].as_array().expect("multipart");
    assert_eq!(parts[0]["text"].as_str().unwrap().trim_end(), "Привет, Bob");
    assert_eq!(parts[1]["filename"], "отчёт.bin");
    let sha = sha256_hex(&bytes);
    assert_eq!(parts[1]["sha256"], sha.as_str());
    // Carol is both Cc and Bcc: one envelope recipient, one copy, no Bcc header.
    let carol = wait_for_message(CAROL, &subject);
    assert!(!header_block(&carol).to_ascii_lowercase().contains("\nbcc:"));
    // Postfix saw TLS and AUTH.
    let headers = header_block(&delivered);
    assert!(headers.contains("with ESMTPSA"), "{headers}");
}

#[test]
fn smtps_465_implicit_tls_auth() {
    let home = tempfile::tempdir().unwrap();
    let subject = token("465");
    let out = send(
        home.path(),
        "SMTPS",
        &[
            "--security",
            "tls",
            BOB,
            "-s",
            &subject,
            "--body",
            "over implicit TLS",
        ],
    )
    .output()
    .unwrap();
    ok(&out);
    let delivered = wait_for_message(BOB, &subject);
    assert!(header_block(&delivered).contains("with ESMTPSA"));
    assert_eq!(
        parse(&delivered)["body"]["text"]
            .as_str()
            .unwrap()
            .trim_end(),
        "over implicit TLS"
    );
}

#[test]
fn port_2525_behaves_like_587() {
    let home = tempfile::tempdir().unwrap();
    let subject = token("2525");
    let out = send(
        home.path(),
        "ALT",
        &[BOB, "-s", &subject, "--body", "alt", "--json"],
    )
    .output()
    .unwrap();
    ok(&out);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json object");
    assert_eq!(json["status"], "sent");
    assert!(
        json["security"].as_str().unwrap().starts_with("starttls"),
        "{json}"
    );
    assert_eq!(json["accepted"][0]["address"], BOB);
    assert_eq!(json["final_reply"]["code"], 250);
    wait_for_message(BOB, &subject);
}

#[test]
fn plain_port_25_without_auth() {
    let home = tempfile::tempdir().unwrap();
    let subject = token("plain");
    let out = posta(home.path())
        .args([
            "send",
            "--server",
            &format!("127.0.0.1:{}", port("PLAIN")),
            "--security",
            "plain",
            "--from",
            ALICE,
            "--to",
            BOB,
            "-s",
            &subject,
            "--body",
            "in clear",
        ])
        .output()
        .unwrap();
    ok(&out);
    let delivered = wait_for_message(BOB, &subject);
    assert!(
        header_block(&delivered).contains("with ESMTP "),
        "{}",
        header_block(&delivered)
    );
}

#[test]
fn unknown_recipient_among_several_sends_nothing_and_exits_67() {
    let home = tempfile::tempdir().unwrap();
    let subject = token("refused");
    let unknown = env("POSTA_E2E_UNKNOWN_RCPT");
    let out = send(
        home.path(),
        "SUBMISSION",
        &[
            "--to", BOB, "--to", &unknown, "-s", &subject, "--body", "x", "--json",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(67), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains(&unknown) && err.contains("550"), "{err}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json object");
    assert_eq!(json["status"], "failed");
    assert_eq!(json["refused"][0]["address"], unknown.as_str());
    assert_eq!(json["accepted"][0]["address"], BOB);
    // Give Postfix time to deliver anything it had accepted, then check it had not.
    let marker = token("after-refused");
    ok(&send(
        home.path(),
        "SUBMISSION",
        &[BOB, "-s", &marker, "--body", "x"],
    )
    .output()
    .unwrap());
    wait_for_message(BOB, &marker);
    assert_no_message(BOB, &subject);
}

mod credentials;
mod limits;
