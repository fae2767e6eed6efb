//! Client certificates against Postfix (scripts/mailserver.sh, the CCERT port asks for
//! a certificate and takes mail only from the rig's client certificate, issued by its
//! throw-away CA): `probe` says whether the server asked, a message goes through with
//! `--tls-cert`/`--tls-key` (or the profile's keys) and not without, and an encrypted
//! key is decrypted with its passphrase from a secret source, else refused before
//! connecting.

use crate::e2e::*;

const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";

fn server(name: &str) -> String {
    format!("localhost:{}", port(name))
}

#[test]
fn probe_says_whether_the_server_asks_for_a_client_certificate() {
    let home = tempfile::tempdir().unwrap();
    for (name, asked) in [("CCERT", true), ("SUBMISSION", false)] {
        let out = posta(home.path())
            .args([
                "--json",
                "probe",
                "--server",
                &server(name),
                "--ca-file",
                &ca(),
            ])
            .output()
            .unwrap();
        ok(&out);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        // rustls can tell; the native-tls build says it cannot (null).
        let requested = &json["client_certificate_requested"];
        if cfg!(feature = "rustls") {
            assert_eq!(requested, &serde_json::json!(asked), "{name}: {json}");
        } else {
            assert!(requested.is_null(), "{json}");
        }
    }
}

#[test]
fn the_certificate_is_presented_and_accepted_and_without_it_nothing_goes() {
    let home = tempfile::tempdir().unwrap();
    let send = |subject: &str, cert: Option<(&str, &str)>| {
        let mut cmd = posta(home.path());
        cmd.args(["send", "--server", &server("CCERT"), "--ca-file", &ca()]);
        cmd.args([
            "--from", ALICE, "--to", BOB, "-s", subject, "--body", "cert",
        ]);
        if let Some((cert, key)) = cert {
            cmd.args(["--tls-cert", cert, "--tls-key", key]);
        }
        cmd.output().unwrap()
    };
    let (cert, key) = (env("POSTA_E2E_CLIENT_CERT"), env("POSTA_E2E_CLIENT_KEY"));
    let subject = token("ccert");
    ok(&send(&subject, Some((&cert, &key))));
    wait_for_message(BOB, &subject);

    // Postfix relays only for the certificate: without it the recipient is refused.
    let subject = token("ccert-none");
    let out = send(&subject, None);
    assert!(!out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("554"), "{}", text(&out.stderr));
    assert_no_message(BOB, &subject);

    // An encrypted key without its passphrase: refused before connecting, with what
    // to do.
    let encrypted = env("POSTA_E2E_CLIENT_KEY_ENCRYPTED");
    let out = send(&token("ccert-enc"), Some((&cert, &encrypted)));
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{err}");
    assert!(err.contains("the key is encrypted"), "{err}");
    assert!(err.contains("tls_key_password_command"), "{err}");
    assert!(err.contains("openssl pkey"), "{err}");

    // With its passphrase (POSTA_TLS_KEY_PASSWORD): decrypted and presented.
    let subject = token("ccert-enc-ok");
    let out = posta(home.path())
        .env("POSTA_TLS_KEY_PASSWORD", "posta-e2e")
        .args(["send", "--server", &server("CCERT"), "--ca-file", &ca()])
        .args([
            "--from", ALICE, "--to", BOB, "-s", &subject, "--body", "cert",
        ])
        .args(["--tls-cert", &cert, "--tls-key", &encrypted])
        .output()
        .unwrap();
    ok(&out);
    wait_for_message(BOB, &subject);
    // A wrong one: 78, and the passphrase is not in the error.
    let out = posta(home.path())
        .env("POSTA_TLS_KEY_PASSWORD", "not-the-passphrase")
        .args(["send", "--server", &server("CCERT"), "--ca-file", &ca()])
        .args(["--from", ALICE, "--to", BOB, "-s", "x", "--body", "cert"])
        .args(["--tls-cert", &cert, "--tls-key", &encrypted])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{err}");
    assert!(err.contains("passphrase does not decrypt"), "{err}");
    assert!(!err.contains("not-the-passphrase"), "{err}");
}

#[test]
fn a_profiles_tls_cert_and_tls_key_relative_to_the_config_file() {
    let home = tempfile::tempdir().unwrap();
    let config_dir = config_path(home.path()).parent().unwrap().to_path_buf();
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::copy(env("POSTA_E2E_CLIENT_CERT"), config_dir.join("me.crt")).unwrap();
    // The encrypted key, its passphrase from the variable the profile names.
    std::fs::copy(
        env("POSTA_E2E_CLIENT_KEY_ENCRYPTED"),
        config_dir.join("me.key"),
    )
    .unwrap();
    let config = format!(
        "default = \"t\"\n[profiles.t]\nhost = \"localhost\"\nport = {}\n\
         security = \"starttls\"\nfrom = \"{ALICE}\"\nca_file = \"{}\"\n\
         tls_cert = \"me.crt\"\ntls_key = \"me.key\"\n\
         tls_key_password_env = \"E2E_KEY_PASSPHRASE\"\n",
        port("CCERT"),
        ca()
    );
    write_config(home.path(), &config);
    let subject = token("ccert-profile");
    let out = posta(home.path())
        .env("E2E_KEY_PASSPHRASE", "posta-e2e")
        .args(["send", "--to", BOB, "-s", &subject, "--body", "cert"])
        .output()
        .unwrap();
    ok(&out);
    wait_for_message(BOB, &subject);
}
