//! AUTH with SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5 and EXTERNAL: the exchanges, the
//! check of the server's SCRAM signature (a server that cannot prove it knows the
//! password gets no message), and what the transcript shows of them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use super::*;
use crate::smtp::auth::scram::{self, FIXED_NONCE};

const AUTH_OK: &str = "235 2.7.0 Authentication successful";
const ABORTED: &str = "501 5.7.0 Authentication aborted";

/// The RFC's user and password, so that its test vectors are the dialogue.
fn pencil(mut s: Settings, mechanism: AuthMechanism) -> Settings {
    s.credentials = Some(Credentials {
        user: "user".into(),
        secret: Secret::new("pencil"),
        token: false,
        renew: None,
    });
    s.mechanism = mechanism;
    s
}

/// One RFC exchange as script lines: the client's first message, its proof, and the
/// server's messages as 334s.
struct Exchange {
    name: &'static str,
    first: String,
    challenge: String,
    proof: String,
    signature: String,
}

fn exchange(i: usize) -> Exchange {
    let (hash, nonce, server_first, client_final, server_final) = scram::tests::VECTORS[i];
    FIXED_NONCE.with(|n| *n.borrow_mut() = Some(nonce.to_owned()));
    let name = match hash {
        scram::Hash::Sha1 => "SCRAM-SHA-1",
        scram::Hash::Sha256 => "SCRAM-SHA-256",
    };
    Exchange {
        name,
        first: format!("AUTH {name} {}", B64.encode(format!("n,,n=user,r={nonce}"))),
        challenge: format!("334 {}", B64.encode(server_first)),
        proof: B64.encode(client_final),
        signature: format!("334 {}", B64.encode(server_final)),
    }
}

fn offer() -> String {
    ehlo(&[
        "PIPELINING",
        "AUTH PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256",
    ])
}

#[test]
fn scram_proves_the_password_and_checks_the_servers_signature() {
    let offer = offer();
    for (i, wanted) in [(0, AuthMechanism::ScramSha1), (1, AuthMechanism::Auto)] {
        let x = exchange(i);
        let steps = [
            ("EHLO client.test", offer.as_str()),
            (x.first.as_str(), x.challenge.as_str()),
            (x.proof.as_str(), x.signature.as_str()),
            ("", AUTH_OK),
            MAIL,
            RCPT_BOB,
            DATA,
            END,
            QUIT,
        ];
        let s = pencil(settings(Security::Tls), wanted);
        let run = send(&tls_server(&steps), &s);
        expect_ok(&run);
        let shown = format!("~> AUTH {} (redacted)\n", x.name);
        assert!(run.transcript.contains(&shown), "{}", run.transcript);
        assert!(run.transcript.contains("~> (redacted)\n"));
        assert!(!run.transcript.contains(&x.proof));
    }
}

#[test]
fn a_wrong_server_signature_is_refused_and_nothing_is_sent() {
    let offer = offer();
    let x = exchange(1);
    let mut forged = scram::tests::VECTORS[1].4.to_owned();
    forged.replace_range(2..6, "AAAA");
    let forged = format!("334 {}", B64.encode(forged));
    let steps = [
        ("EHLO client.test", offer.as_str()),
        (x.first.as_str(), x.challenge.as_str()),
        (x.proof.as_str(), forged.as_str()),
        ("*", ABORTED),
        QUIT,
    ];
    let s = pencil(settings(Security::Tls), AuthMechanism::ScramSha256);
    let run = send(&tls_server(&steps), &s);
    let err = expect_err(&run);
    assert!(
        matches!(err.kind, SmtpErrorKind::AuthExchange(_)),
        "{err:?}"
    );
    assert_eq!(err.exit_code(), Code::NoPerm);
    assert!(
        err.to_string().contains("does not know the password"),
        "{err}"
    );
    assert!(err.to_string().contains("nothing was sent"), "{err}");
    assert!(!run.record.sent("MAIL"));
    assert!(run.record.messages().is_empty());
}

#[test]
fn a_login_taken_without_the_servers_signature_sends_nothing() {
    let offer = offer();
    let x = exchange(1);
    let steps = [
        ("EHLO client.test", offer.as_str()),
        (x.first.as_str(), x.challenge.as_str()),
        (x.proof.as_str(), AUTH_OK),
        QUIT,
    ];
    let s = pencil(settings(Security::Tls), AuthMechanism::ScramSha256);
    let run = send(&tls_server(&steps), &s);
    let err = expect_err(&run);
    assert!(
        err.to_string().contains("without the SCRAM signature"),
        "{err}"
    );
    assert_eq!(err.exit_code(), Code::NoPerm);
    assert!(!run.record.sent("MAIL"));
}

#[test]
fn a_challenge_that_does_not_continue_our_nonce_gets_no_proof() {
    let offer = offer();
    let x = exchange(1);
    let challenge = format!(
        "334 {}",
        B64.encode("r=someone-elses-nonce,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
    );
    let steps = [
        ("EHLO client.test", offer.as_str()),
        (x.first.as_str(), challenge.as_str()),
        ("*", ABORTED),
        QUIT,
    ];
    let s = pencil(settings(Security::Tls), AuthMechanism::ScramSha256);
    let run = send(&tls_server(&steps), &s);
    let err = expect_err(&run);
    assert!(err.to_string().contains("nonce"), "{err}");
    assert!(
        matches!(err.kind, SmtpErrorKind::AuthExchange(_)),
        "{err:?}"
    );
}

#[test]
fn a_refused_scram_proof_is_auth_failed() {
    let offer = offer();
    let x = exchange(1);
    let steps = [
        ("EHLO client.test", offer.as_str()),
        (x.first.as_str(), x.challenge.as_str()),
        (
            x.proof.as_str(),
            "535 5.7.8 Authentication credentials invalid",
        ),
        QUIT,
    ];
    let s = pencil(settings(Security::Tls), AuthMechanism::ScramSha256);
    let run = send(&tls_server(&steps), &s);
    let err = expect_err(&run);
    assert!(matches!(&err.kind, SmtpErrorKind::AuthFailed(r) if r.code == 535));
}

#[test]
fn cram_md5_answers_the_challenge_and_is_chosen_in_clear_to_loopback() {
    let offer = ehlo(&["AUTH PLAIN LOGIN CRAM-MD5"]);
    let challenge = B64.encode("<1896.697170952@postoffice.reston.mci.net>");
    let response = crate::smtp::auth::cram_md5(USER, PASSWORD, &challenge).unwrap();
    let challenge = format!("334 {challenge}");
    let steps = [
        ("EHLO client.test", offer.as_str()),
        ("AUTH CRAM-MD5", challenge.as_str()),
        (response.as_str(), AUTH_OK),
        MAIL,
        RCPT_BOB,
        DATA,
        END,
        QUIT,
    ];
    // In clear to 127.0.0.1: CRAM-MD5 goes before PLAIN and LOGIN.
    let s = login(settings(Security::Plain), AuthMechanism::Auto, PASSWORD);
    let run = send(&server(&steps), &s);
    expect_ok(&run);
    assert!(run.transcript.contains("-> AUTH CRAM-MD5\n"));
    assert!(run.transcript.contains("-> (redacted)\n"));
    assert!(!run.transcript.contains(&response));

    // Never in clear to another host.
    let mut s = login(settings(Security::Plain), AuthMechanism::CramMd5, PASSWORD);
    s.host = "smtp.example.org".into();
    let steps = [("EHLO client.test", offer.as_str()), QUIT];
    let run = send(&server(&steps), &s);
    let err = expect_err(&run);
    assert!(
        matches!(err.kind, SmtpErrorKind::AuthNotPossible(_)),
        "{err:?}"
    );
    assert!(!run.record.sent("AUTH"));
}

#[test]
fn external_asks_for_the_certificates_identity() {
    let offer = ehlo(&["AUTH PLAIN EXTERNAL"]);
    let steps = [
        ("EHLO client.test", offer.as_str()),
        ("AUTH EXTERNAL =", AUTH_OK),
        MAIL,
        RCPT_BOB,
        DATA,
        END,
        QUIT,
    ];
    let s = login(settings(Security::Tls), AuthMechanism::External, "");
    let run = send(&tls_server(&steps), &s);
    expect_ok(&run);
}
