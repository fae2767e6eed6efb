//! Several `--tls-fingerprint` pins against the rig's certificate: `posta probe` shows
//! both forms (sha256 of the certificate, spki of its public key), any one matching
//! pin lets a message through (from flags, or a profile's array), none is exit 76.

use std::path::Path;

use crate::e2e::*;

const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";

/// The certificate's two pins as `posta probe --json` shows them (verified by the CA).
fn pins_of_the_rig(home: &Path) -> (String, String) {
    let server = format!("localhost:{}", port("SUBMISSION"));
    let out = posta(home)
        .args(["--json", "probe", "--server", &server, "--ca-file", &ca()])
        .output()
        .unwrap();
    ok(&out);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cert = &json["certificate"];
    let sha = format!("sha256:{}", cert["sha256"].as_str().unwrap());
    let spki = cert["spki"]
        .as_str()
        .expect("spki in probe --json")
        .to_string();
    assert!(spki.starts_with("spki:"), "{spki}");
    (sha, spki)
}

/// The same digest with its first byte changed: a pin of another certificate.
fn other(pin: &str) -> String {
    let (prefix, hex) = pin.split_at("sha256:".len());
    let first = if hex.starts_with("00") { "FF" } else { "00" };
    format!("{prefix}{first}{}", &hex[2..])
}

/// The same digest with its last byte changed: another certificate's pin, which differs
/// from [`other`]'s too (`other(&other(pin))` is `pin` again when its first byte is 00
/// or FF: a certificate in 128 has such a fingerprint).
fn other_last(pin: &str) -> String {
    let cut = pin.len() - 2;
    let last = if pin[cut..].eq_ignore_ascii_case("00") {
        "FF"
    } else {
        "00"
    };
    format!("{}{last}", &pin[..cut])
}

fn send_pinned(home: &Path, pins: &[&str], subject: &str) -> std::process::Output {
    let mut cmd = posta(home);
    cmd.env("POSTA_PASSWORD", env("POSTA_E2E_PASS1"));
    cmd.args([
        "send",
        "--server",
        &format!("localhost:{}", port("SUBMISSION")),
    ]);
    cmd.args(["--user", ALICE, "--from", ALICE, "--to", BOB, "-s", subject]);
    cmd.args(["--body", "pinned"]);
    for pin in pins {
        cmd.args(["--tls-fingerprint", pin]);
    }
    cmd.output().unwrap()
}

#[test]
fn probe_shows_both_pins_and_any_one_of_several_lets_a_message_through() {
    let home = tempfile::tempdir().unwrap();
    let (sha, spki) = pins_of_the_rig(home.path());
    let out = posta(home.path())
        .args([
            "probe",
            "--server",
            &format!("localhost:{}", port("SUBMISSION")),
        ])
        .args(["--ca-file", &ca()])
        .output()
        .unwrap();
    ok(&out);
    let shown = text(&out.stdout);
    assert!(shown.contains(&format!("  spki      {spki}\n")), "{shown}");
    // The same digest as openssl's, as curl's --pinnedpubkey documentation makes it.
    let cert = format!("{}/tls/server.crt", env("POSTA_E2E_STATE_DIR"));
    let openssl = std::process::Command::new("sh")
        .arg("-c")
        .arg(
            "openssl x509 -in \"$1\" -pubkey -noout | openssl pkey -pubin -outform der \
             | openssl dgst -sha256 -binary | base64",
        )
        .args(["sh", &cert])
        .output()
        .unwrap();
    assert_eq!(format!("spki:{}", text(&openssl.stdout).trim()), spki);

    // No CA given: only the pins vouch for the server. A renewed certificate (the
    // old pin no longer matches) with the same key still matches its spki pin.
    let stale = other(&sha);
    for pins in [
        vec![stale.as_str(), spki.as_str()],
        vec![stale.as_str(), sha.as_str()],
    ] {
        let subject = token("pins");
        let out = send_pinned(home.path(), &pins, &subject);
        ok(&out);
        wait_for_message(BOB, &subject);
    }

    let subject = token("pins-none");
    let out = send_pinned(home.path(), &[&stale, &other_last(&sha)], &subject);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(76), "{err}");
    assert!(err.contains("matches none of the pins"), "{err}");
    assert!(err.contains(&spki), "the error names the key's pin: {err}");
}

#[test]
fn a_profile_takes_an_array_of_pins() {
    let home = tempfile::tempdir().unwrap();
    let (sha, _) = pins_of_the_rig(home.path());
    let config = format!(
        "default = \"t\"\n[profiles.t]\nhost = \"localhost\"\nport = {}\n\
         security = \"starttls\"\nuser = \"{ALICE}\"\nfrom = \"{ALICE}\"\n\
         tls_fingerprint = [\"{}\", \"{sha}\"]\npassword_env = \"E2E_PW\"\n",
        port("SUBMISSION"),
        other(&sha)
    );
    write_config(home.path(), &config);
    let subject = token("pins-profile");
    let out = posta(home.path())
        .env("E2E_PW", env("POSTA_E2E_PASS1"))
        .args(["send", "--to", BOB, "-s", &subject, "--body", "pinned"])
        .output()
        .unwrap();
    ok(&out);
    wait_for_message(BOB, &subject);
}
