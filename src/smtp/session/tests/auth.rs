//! AUTH: each mechanism's lines, its 334 continuations, refusals, and what the
//! transcript shows of it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use super::*;

/// The JSON error a provider sends as the 334 challenge to a bad token.
const OAUTH_ERROR: &str =
    r#"{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}"#;
const AUTH_OK: &str = "235 2.7.0 Authentication successful";
const AUTH_BAD: &str = "535 5.7.8 Username and Password not accepted";

fn decoded(line: &str, prefix: &str) -> Vec<u8> {
    B64.decode(line.strip_prefix(prefix).expect(prefix))
        .unwrap()
}

#[test]
fn auth_plain_sends_the_credentials_redacted_from_the_transcript() {
    let steps = [
        EHLO,
        ("AUTH PLAIN *", AUTH_OK),
        MAIL,
        RCPT_BOB,
        DATA,
        END,
        QUIT,
    ];
    let s = login(settings(Security::Plain), AuthMechanism::Auto, PASSWORD);
    let run = send(&server(&steps), &s);
    let outcome = expect_ok(&run);
    assert_eq!(outcome.security, "plain");
    let auth = run.record.line("AUTH").unwrap();
    assert_eq!(auth.shown, "AUTH PLAIN (redacted)");
    let auth = &auth.text;
    assert_eq!(decoded(auth, "AUTH PLAIN "), b"\0jane\0s3cret-Pa55");
    assert!(run.transcript.contains("-> AUTH PLAIN (redacted)\n"));
    assert!(!run.transcript.contains(auth.as_str()));
}

#[test]
fn auth_plain_answers_a_334_with_the_response_again() {
    // A server that does not take the initial response asks for it. (Without
    // PIPELINING: with it, see early_login.rs.)
    let response = B64.encode(format!("\0{USER}\0{PASSWORD}"));
    let offer = ehlo(&["8BITMIME", "AUTH PLAIN LOGIN"]);
    let steps = [
        ("EHLO client.test", offer.as_str()),
        ("AUTH PLAIN *", "334 "),
        (response.as_str(), AUTH_OK),
        MAIL,
        RCPT_BOB,
        DATA,
        END,
        QUIT,
    ];
    let s = login(settings(Security::Plain), AuthMechanism::Plain, PASSWORD);
    let run = send(&server(&steps), &s);
    expect_ok(&run);
    assert!(
        run.transcript.contains("-> (redacted)\n"),
        "{}",
        run.transcript
    );
    assert!(!run.transcript.contains(&response));
}

#[test]
fn auth_login_answers_each_334_and_stops_at_a_refusal() {
    let user = B64.encode(USER);
    let password = B64.encode(PASSWORD);
    let steps = [
        EHLO,
        ("AUTH LOGIN", "334 VXNlcm5hbWU6"),
        (user.as_str(), "334 UGFzc3dvcmQ6"),
        (password.as_str(), AUTH_OK),
        MAIL,
        RCPT_BOB,
        DATA,
        END,
        QUIT,
    ];
    let s = login(settings(Security::Tls), AuthMechanism::Login, PASSWORD);
    let run = send(&tls_server(&steps), &s);
    expect_ok(&run);
    assert!(
        run.transcript.contains(
            "~> AUTH LOGIN\n<~ 334 VXNlcm5hbWU6\n~> (redacted)\n\
             <~ 334 UGFzc3dvcmQ6\n~> (redacted)\n<~ 235 "
        ),
        "{}",
        run.transcript
    );
    assert!(!run.transcript.contains(&password));

    // Refused after the user name: the password is not sent.
    let steps = [
        EHLO,
        ("AUTH LOGIN", "334 VXNlcm5hbWU6"),
        (user.as_str(), "535 5.7.8 no such user"),
        QUIT,
    ];
    let run = send(&tls_server(&steps), &s);
    let err = expect_err(&run);
    assert!(matches!(&err.kind, SmtpErrorKind::AuthFailed(r) if r.code == 535));
    assert!(!run.record.sent(&password));
}

#[test]
fn xoauth2_success_and_failure() {
    let steps = [
        EHLO,
        ("AUTH XOAUTH2 *", AUTH_OK),
        MAIL,
        RCPT_BOB,
        DATA,
        END,
        QUIT,
    ];
    let s = login(settings(Security::Tls), AuthMechanism::Xoauth2, PASSWORD);
    let run1 = send(&tls_server(&steps), &s);
    expect_ok(&run1);
    assert!(run1.record.sent("AUTH XOAUTH2 "));
    let auth = &run1.record.line("AUTH").unwrap().text;
    assert_eq!(
        decoded(auth, "AUTH XOAUTH2 "),
        b"user=jane\x01auth=Bearer s3cret-Pa55\x01\x01"
    );
    assert!(run1.transcript.contains("AUTH XOAUTH2 (redacted)"));

    let challenge = format!("334 {}", B64.encode(OAUTH_ERROR));
    let steps = [
        EHLO,
        ("AUTH XOAUTH2 *", challenge.as_str()),
        ("", AUTH_BAD),
        QUIT,
    ];
    let s = login(
        settings(Security::Tls),
        AuthMechanism::Xoauth2,
        "expired-token",
    );
    let run2 = send(&tls_server(&steps), &s);
    let err = expect_err(&run2);
    assert!(matches!(err.kind, SmtpErrorKind::AuthFailed(_)), "{err:?}");
    assert_eq!(err.exit_code(), Code::NoPerm);
    let text = err.to_string();
    assert!(text.contains("535"), "{text}");
    // The base64 JSON challenge is decoded for the user.
    assert!(text.contains(r#""status":"401""#), "{text}");
    // The client answered the challenge with an empty line and sent no MAIL.
    let commands = run2.record.commands();
    let auth = commands.iter().position(|c| c.starts_with("AUTH")).unwrap();
    assert_eq!(commands[auth + 1], "");
    assert!(!run2.record.sent("MAIL"));
    assert!(!run2.transcript.contains("expired-token"));
}

#[test]
fn oauthbearer_success_and_failure() {
    let offer = ehlo(&["AUTH PLAIN OAUTHBEARER"]);
    let challenge = format!("334 {}", B64.encode(OAUTH_ERROR));
    for (token, ok) in [(PASSWORD, true), ("expired-token", false)] {
        let success = [
            ("EHLO client.test", offer.as_str()),
            ("AUTH OAUTHBEARER *", AUTH_OK),
            MAIL,
            RCPT_BOB,
            DATA,
            END,
            QUIT,
        ];
        let failure = [
            ("EHLO client.test", offer.as_str()),
            ("AUTH OAUTHBEARER *", challenge.as_str()),
            ("AQ==", AUTH_BAD),
            QUIT,
        ];
        let s = login(settings(Security::Tls), AuthMechanism::OauthBearer, token);
        let steps: &[_] = if ok { &success } else { &failure };
        let run = send(&tls_server(steps), &s);
        let auth = run.record.line("AUTH OAUTHBEARER ").expect("AUTH sent");
        let decoded = decoded(&auth.text, "AUTH OAUTHBEARER ");
        assert!(decoded.starts_with(b"n,a=jane,\x01host=127.0.0.1\x01port="));
        let bearer = format!("\x01auth=Bearer {token}\x01\x01");
        assert!(decoded.ends_with(bearer.as_bytes()));
        assert!(run.transcript.contains("AUTH OAUTHBEARER (redacted)"));
        if ok {
            expect_ok(&run);
        } else {
            let err = expect_err(&run);
            assert!(matches!(err.kind, SmtpErrorKind::AuthFailed(_)), "{err:?}");
            assert!(err.to_string().contains(r#""status":"401""#), "{err}");
            // RFC 7628: the client ends a failed exchange with a lone ^A.
            let commands = run.record.commands();
            let i = commands.iter().position(|c| c.starts_with("AUTH")).unwrap();
            assert_eq!(commands[i + 1], "AQ==");
        }
    }
}

/// What a submission server says to a transaction after a refused login.
const NEED_LOGIN: [(&str, &str); 3] = [
    (
        "MAIL FROM:<jane@example.org>",
        "530 5.7.0 Authentication required",
    ),
    (
        "RCPT TO:<bob@example.org>",
        "503 5.5.1 Error: need MAIL command",
    ),
    ("DATA", "503 5.5.1 Error: need RCPT command"),
];

#[test]
fn wrong_password_is_auth_failed() {
    let steps = [
        EHLO,
        (
            "AUTH PLAIN *",
            "535 5.7.8 Authentication credentials invalid",
        ),
        NEED_LOGIN[0],
        NEED_LOGIN[1],
        NEED_LOGIN[2],
        QUIT,
    ];
    let s = login(settings(Security::Plain), AuthMechanism::Auto, "wrong");
    let run = send(&server(&steps), &s);
    let err = expect_err(&run);
    assert_eq!(err.stage, Stage::Auth);
    assert!(matches!(&err.kind, SmtpErrorKind::AuthFailed(r) if r.code == 535));
    assert_eq!(err.exit_code(), Code::NoPerm);
    assert!(err.to_string().contains("5.7.8"), "{err}");
    assert!(run.record.data.is_empty(), "no message sent");
    assert!(run.record.sent("QUIT"));
}

#[test]
fn temporary_auth_failure_is_75() {
    let steps = [
        EHLO,
        ("AUTH PLAIN *", "454 4.7.0 try later"),
        NEED_LOGIN[0],
        NEED_LOGIN[1],
        NEED_LOGIN[2],
        QUIT,
    ];
    let s = login(settings(Security::Plain), AuthMechanism::Auto, PASSWORD);
    let run = send(&server(&steps), &s);
    let err = expect_err(&run);
    assert!(matches!(err.kind, SmtpErrorKind::AuthFailed(_)));
    assert_eq!(err.exit_code(), Code::TempFail);
}

#[test]
fn a_refused_login_without_pipelining_sends_nothing_more() {
    let offer = ehlo(&["AUTH PLAIN LOGIN"]);
    let steps = [
        ("EHLO client.test", offer.as_str()),
        (
            "AUTH PLAIN *",
            "535 5.7.8 Authentication credentials invalid",
        ),
        QUIT,
    ];
    let s = login(settings(Security::Plain), AuthMechanism::Auto, "wrong");
    let run = send(&server(&steps), &s);
    let err = expect_err(&run);
    assert!(matches!(&err.kind, SmtpErrorKind::AuthFailed(r) if r.code == 535));
    assert!(!run.record.sent("MAIL"));
}

#[test]
fn no_common_mechanism_sends_nothing() {
    let offer = ehlo(&["PIPELINING", "AUTH XOAUTH2 OAUTHBEARER"]);
    let steps = [("EHLO client.test", offer.as_str()), QUIT];
    let s = login(settings(Security::Plain), AuthMechanism::Auto, PASSWORD);
    let run = send(&server(&steps), &s);
    let err = expect_err(&run);
    assert!(matches!(err.kind, SmtpErrorKind::AuthNotPossible(_)));
    assert_eq!(err.exit_code(), Code::NoPerm);
    assert!(err.to_string().contains("XOAUTH2 OAUTHBEARER"), "{err}");
    assert!(!run.record.sent("AUTH"));
    assert!(!run.record.sent("MAIL"));

    let offer = ehlo(&[]);
    let steps = [("EHLO client.test", offer.as_str()), QUIT];
    let run = send(&server(&steps), &s);
    let err = expect_err(&run);
    assert!(err.to_string().contains("does not offer AUTH"), "{err}");
}
