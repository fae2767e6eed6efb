//! AUTH PLAIN in the message's first group (RFC 4954 §4): one round trip less for a
//! single send, the login still judged first, and what happens when a server does not
//! play along.

use super::*;

const AUTH_OK: &str = "235 2.7.0 Authentication successful";

fn jane() -> Settings {
    login(settings(Security::Plain), AuthMechanism::Auto, PASSWORD)
}

#[test]
fn auth_plain_goes_in_one_write_with_mail_rcpt_and_data() {
    let steps = [
        EHLO,
        ("AUTH PLAIN *", AUTH_OK),
        MAIL,
        RCPT_BOB,
        DATA,
        END,
        QUIT,
    ];
    let run = send(&server(&steps), &jane());
    let outcome = expect_ok(&run);
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    let auth = run.record.line("AUTH").unwrap().write;
    for line in ["MAIL", "RCPT", "DATA"] {
        assert_eq!(run.record.line(line).unwrap().write, auth, "{line}");
    }
    assert_eq!(run.record.messages(), [MESSAGE]);
    // The AUTH reply was read as AUTH's, before MAIL's.
    assert_eq!(run.record.reads[2].0, Stage::Auth, "{:?}", run.record.reads);
}

#[test]
fn with_chunking_the_whole_message_and_quit_follow_the_login_in_one_write() {
    let offer = ehlo(&["PIPELINING", "CHUNKING", "AUTH PLAIN LOGIN"]);
    let bdat = format!("BDAT {} LAST", MESSAGE.len());
    let steps = [
        ("EHLO client.test", offer.as_str()),
        ("AUTH PLAIN *", AUTH_OK),
        MAIL,
        RCPT_BOB,
        (bdat.as_str(), "250 2.0.0 queued as 42"),
        QUIT,
    ];
    let run = send(&server(&steps), &jane());
    expect_ok(&run);
    let auth = run.record.line("AUTH").unwrap().write;
    for line in ["MAIL", "RCPT", "BDAT", "QUIT"] {
        assert_eq!(run.record.line(line).unwrap().write, auth, "{line}");
    }
}

#[test]
fn a_refused_login_is_the_error_even_when_the_rest_is_refused_for_it() {
    let steps = [
        EHLO,
        ("AUTH PLAIN *", "535 5.7.8 bad credentials"),
        (
            "MAIL FROM:<jane@example.org>",
            "530 5.7.0 Authentication required",
        ),
        ("RCPT TO:<bob@example.org>", "503 5.5.1 need MAIL"),
        ("DATA", "503 5.5.1 need RCPT"),
        QUIT,
    ];
    let run = send(&server(&steps), &jane());
    let err = expect_err(&run);
    assert_eq!(err.stage, Stage::Auth);
    assert!(matches!(&err.kind, SmtpErrorKind::AuthFailed(r) if r.code == 535));
    assert_eq!(err.exit_code(), Code::NoPerm);
    assert!(run.record.data.is_empty());
}

#[test]
fn a_354_after_a_refused_login_gets_no_message() {
    // A server that opened DATA although the login failed: the message is not sent
    // (the connection is abandoned), and the login is the error.
    let steps = [
        EHLO,
        ("AUTH PLAIN *", "535 5.7.8 bad credentials"),
        MAIL,
        RCPT_BOB,
        DATA,
    ];
    let run = send(&server(&steps), &jane());
    let err = expect_err(&run);
    assert!(matches!(&err.kind, SmtpErrorKind::AuthFailed(r) if r.code == 535));
    assert!(run.record.data.is_empty(), "nothing after the 354");
}

#[test]
fn a_message_taken_without_the_login_is_sent_and_says_so() {
    // A server that relays for this client anyway: the message is delivered, which is
    // what the outcome must say, with the refused login as a warning.
    let offer = ehlo(&["PIPELINING", "CHUNKING", "AUTH PLAIN"]);
    let bdat = format!("BDAT {} LAST", MESSAGE.len());
    let steps = [
        ("EHLO client.test", offer.as_str()),
        ("AUTH PLAIN *", "535 5.7.8 bad credentials"),
        MAIL,
        RCPT_BOB,
        (bdat.as_str(), "250 2.0.0 queued as 42"),
        QUIT,
    ];
    let run = send(&server(&steps), &jane());
    let outcome = expect_ok(&run);
    assert_eq!(outcome.final_reply.code, 250);
    assert_eq!(outcome.warnings.len(), 1, "{:?}", outcome.warnings);
    let warning = &outcome.warnings[0];
    assert!(
        warning.contains("login was not accepted (535 5.7.8"),
        "{warning}"
    );
    assert!(
        warning.contains("accepted the message without it"),
        "{warning}"
    );
}

#[test]
fn a_message_accepted_after_a_334_is_sent_once_not_again() {
    // A server that answered 334 and then took the message all the same: it is sent,
    // and must not be sent a second time on a new connection.
    let offer = ehlo(&["PIPELINING", "CHUNKING", "AUTH PLAIN"]);
    let bdat = format!("BDAT {} LAST", MESSAGE.len());
    let steps = [
        ("EHLO client.test", offer.as_str()),
        ("AUTH PLAIN *", "334 "),
        ("MAIL FROM:<jane@example.org>", "235 2.7.0 fine"),
        RCPT_BOB,
        (bdat.as_str(), "250 2.0.0 queued as 42"),
        QUIT,
    ];
    let run = send(&server(&steps), &jane());
    let outcome = expect_ok(&run);
    assert_eq!(outcome.final_reply.code, 250);
    let warning = &outcome.warnings[0];
    assert!(warning.contains("login was not accepted (334"), "{warning}");
}

#[test]
fn a_server_that_wants_the_response_alone_gets_a_new_session() {
    // The server answered 334 to the initial response and read MAIL as the response:
    // nothing is delivered, and the caller is told to log in again step by step.
    let steps = [
        EHLO,
        ("AUTH PLAIN *", "334 "),
        (
            "MAIL FROM:<jane@example.org>",
            "501 5.5.2 cannot decode response",
        ),
        ("RCPT TO:<bob@example.org>", "503 5.5.1 need MAIL"),
        ("DATA", "503 5.5.1 need RCPT"),
        QUIT,
    ];
    let run = send(&server(&steps), &jane());
    let err = expect_err(&run);
    assert!(err.to_string().contains(LOGIN_AGAIN), "{err}");
    assert!(run.record.data.is_empty());
}

#[test]
fn other_mechanisms_and_servers_without_pipelining_wait_for_the_login() {
    let login_only = login(settings(Security::Plain), AuthMechanism::Login, PASSWORD);
    let user = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, USER);
    let password = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, PASSWORD);
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
    let run = send(&server(&steps), &login_only);
    expect_ok(&run);
    assert_ne!(
        run.record.line("MAIL").unwrap().write,
        run.record.line(&password).unwrap().write
    );

    let offer = ehlo(&["AUTH PLAIN"]);
    let steps = [
        ("EHLO client.test", offer.as_str()),
        ("AUTH PLAIN *", AUTH_OK),
        MAIL,
        RCPT_BOB,
        DATA,
        END,
        QUIT,
    ];
    let run = send(&server(&steps), &jane());
    expect_ok(&run);
    assert_ne!(
        run.record.line("MAIL").unwrap().write,
        run.record.line("AUTH").unwrap().write
    );
}
