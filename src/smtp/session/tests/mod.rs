//! Unit tests of the dialogue, over a [`ScriptedWire`]: what the client sends for
//! each server and each request, and what it makes of the replies. Sockets, TLS,
//! certificates, timeouts and hostile bytes are tested against a real server in
//! `tests/smtp_transport.rs`.
//!
//! Each script is the whole dialogue the client must have, in order: a line the
//! script does not expect fails the test, and so does a step left over.

use std::io::{self, Write};
use std::time::Duration;

use super::*;
use crate::envelope::{Dsn, Envelope};
use crate::model::exit_code::Code;
use crate::secret::Secret;
use crate::smtp::scripted_wire::{self, Record, ScriptedWire};
use crate::smtp::transcript::Log;
use crate::smtp::{
    AuthMechanism, Carried, Credentials, ProbeError, ProbeReport, Transcript, carry, probe_over,
};

mod auth;
mod chunking;
mod early_login;
mod lmtp;
mod parameters;
mod pipelining;
mod sasl;
mod stream;
mod transaction;

const USER: &str = "jane";
const PASSWORD: &str = "s3cret-Pa55";

const MESSAGE: &[u8] =
    b"From: jane@example.org\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nHello.\r\n";

const GREETING: &str = "220 scripted.test ESMTP ready";
/// What the scripted server of the integration tests offers by default.
const EHLO: (&str, &str) = (
    "EHLO client.test",
    "250-scripted.test greets you\r\n250-PIPELINING\r\n250-8BITMIME\r\n\
     250-ENHANCEDSTATUSCODES\r\n250 AUTH PLAIN LOGIN XOAUTH2",
);
const OK: &str = "250 2.0.0 ok";
const MAIL: (&str, &str) = ("MAIL FROM:<jane@example.org>", OK);
const RCPT_BOB: (&str, &str) = ("RCPT TO:<bob@example.org>", OK);
const DATA: (&str, &str) = ("DATA", "354 go ahead");
const END: (&str, &str) = (".", "250 2.0.0 queued as 42");
const QUIT: (&str, &str) = ("QUIT", "221 2.0.0 bye");

/// An EHLO reply offering `keywords`, and nothing when there are none.
fn ehlo(keywords: &[&str]) -> String {
    let mut lines = vec!["scripted.test greets you"];
    lines.extend(keywords);
    let last = lines.len() - 1;
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("250{}{l}", if i == last { ' ' } else { '-' }))
        .collect::<Vec<_>>()
        .join("\r\n")
}

struct Bytes(Vec<u8>);

impl Payload for Bytes {
    fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(&self.0)
    }
}

fn settings(security: Security) -> Settings {
    Settings {
        helo_name: "client.test".into(),
        timeout: Duration::from_secs(5),
        data_timeout: Duration::from_secs(7),
        ..Settings::new("127.0.0.1", 2525, security)
    }
}

fn login(mut s: Settings, mechanism: AuthMechanism, password: &str) -> Settings {
    s.credentials = Some(Credentials::password(USER, password));
    s.mechanism = mechanism;
    s
}

fn envelope(to: &[&str]) -> Envelope {
    Envelope {
        from: "jane@example.org".into(),
        to: to.iter().map(|s| s.to_string()).collect(),
        smtputf8: false,
    }
}

/// A server: its greeting, the dialogue, and whether it is TLS from the start.
struct Script<'s> {
    greeting: &'s str,
    steps: &'s [(&'s str, &'s str)],
    tls: bool,
}

/// A server that greets with 220, in clear.
fn server<'s>(steps: &'s [(&'s str, &'s str)]) -> Script<'s> {
    Script {
        greeting: GREETING,
        steps,
        tls: false,
    }
}

/// A server that greets with 220, inside TLS from the first byte.
fn tls_server<'s>(steps: &'s [(&'s str, &'s str)]) -> Script<'s> {
    Script {
        tls: true,
        ..server(steps)
    }
}

struct Run<T> {
    result: Result<T, SmtpError>,
    record: Record,
    transcript: String,
}

/// Run `dialogue` over the script's wire at transcript `level`.
fn over<T>(
    script: &Script<'_>,
    level: u8,
    dialogue: impl FnOnce(&mut ScriptedWire<'_>) -> Result<T, SmtpError>,
) -> Run<T> {
    let mut out = Vec::new();
    let (result, record) = {
        let mut transcript = Transcript {
            out: &mut out,
            level,
        };
        let log = Log::new(Some(&mut transcript));
        let mut wire = ScriptedWire::new(script.greeting, script.steps, log);
        if script.tls {
            wire = wire.in_tls();
        }
        let result = dialogue(&mut wire);
        (result, wire.finish())
    };
    Run {
        result,
        record,
        transcript: String::from_utf8(out).unwrap(),
    }
}

/// What [`run_full`] gives for a session that ended to log in again on a new one.
const LOGIN_AGAIN: &str = "(a new connection, to log in one step at a time)";

/// [`crate::smtp::submit`] over the script (its first connection).
fn run_full(
    script: &Script<'_>,
    settings: &Settings,
    envelope: &Envelope,
    dsn: &Dsn,
    payload: &mut dyn Payload,
) -> Run<Outcome> {
    over(script, 1, |wire| {
        match carry(wire, settings, envelope, dsn, payload, true) {
            Carried::Done(result) => result,
            Carried::LoginAgain(_) => Err(SmtpError::new(
                Stage::Auth,
                SmtpErrorKind::Protocol(LOGIN_AGAIN.into()),
            )),
        }
    })
}

/// One message to bob.
fn send(script: &Script<'_>, settings: &Settings) -> Run<Outcome> {
    run_full(
        script,
        settings,
        &envelope(&["bob@example.org"]),
        &Dsn::default(),
        &mut Bytes(MESSAGE.to_vec()),
    )
}

fn expect_err<T: std::fmt::Debug>(run: &Run<T>) -> &SmtpError {
    match &run.result {
        Ok(o) => panic!(
            "expected an error, got {o:?}\ntranscript:\n{}",
            run.transcript
        ),
        Err(e) => e,
    }
}

fn expect_ok<T>(run: &Run<T>) -> &T {
    match &run.result {
        Ok(o) => o,
        Err(e) => panic!(
            "{e}\ntranscript:\n{}\nsent: {:?}",
            run.transcript,
            run.record.commands()
        ),
    }
}

// ------------------------------------------------------- the script itself

#[test]
#[should_panic(
    expected = "the client sent \"MAIL FROM:<jane@example.org>\" where the script expects \"RSET\""
)]
fn the_script_fails_a_test_whose_client_says_something_else() {
    send(&server(&[EHLO, ("RSET", OK)]), &settings(Security::Plain));
}

#[test]
#[should_panic(expected = "the client stopped before the script's")]
fn the_script_fails_a_test_whose_client_stops_early() {
    send(
        &server(&[EHLO, MAIL, RCPT_BOB, DATA, END, QUIT, QUIT]),
        &settings(Security::Plain),
    );
}

// ------------------------------------------------------------- the checks

#[test]
fn xtext_encoding() {
    assert_eq!(xtext("abc-123@x"), "abc-123@x");
    assert_eq!(xtext("a+b=c d"), "a+2Bb+3Dc+20d");
    assert_eq!(xtext("é\r\n"), "+C3+A9+0D+0A");
}

#[test]
fn address_and_word_checks() {
    assert!(check_address(Stage::Mail, "jane@example.org").is_ok());
    assert!(check_address(Stage::Mail, "").is_ok());
    assert!(check_address(Stage::Mail, "\"j d\"@example.org").is_ok());
    for bad in ["a@b\r\nRCPT TO:<x@y>", "a>b", "a\0b", "a\nb"] {
        let e = check_address(Stage::Rcpt, bad).unwrap_err();
        assert_eq!(e.exit_code(), Code::DataErr);
    }
    assert!(check_word(Stage::Ehlo, "EHLO name", "host.example").is_ok());
    assert!(check_word(Stage::Ehlo, "EHLO name", "a b").is_err());
    assert!(check_word(Stage::Ehlo, "EHLO name", "").is_err());
    assert!(check_dsn_value(Stage::Rcpt, "NOTIFY", "SUCCESS,FAILURE").is_ok());
    assert!(check_dsn_value(Stage::Rcpt, "NOTIFY", "NEVER ORCPT=x").is_err());
}

// ------------------------------------------------------- greeting and EHLO

#[test]
fn ehlo_refused_falls_back_to_helo() {
    let steps = [
        ("EHLO client.test", "502 5.5.2 what?"),
        ("HELO client.test", "250 scripted.test"),
        MAIL,
        RCPT_BOB,
        DATA,
        END,
        QUIT,
    ];
    let run = send(&server(&steps), &settings(Security::Plain));
    expect_ok(&run);
    let commands = run.record.commands();
    assert_eq!(commands[0], "EHLO client.test");
    assert_eq!(commands[1], "HELO client.test");
    // HELO means no extensions, so no pipelining either.
    let mail = run.record.line("MAIL").unwrap().write;
    let rcpt = run.record.line("RCPT").unwrap().write;
    assert_ne!(mail, rcpt);
    assert!(
        run.transcript.contains("=== EHLO refused; trying HELO\n"),
        "{}",
        run.transcript
    );
}

#[test]
fn starttls_not_offered_sends_nothing_else() {
    let s = login(settings(Security::StartTls), AuthMechanism::Auto, PASSWORD);
    let run = send(&server(&[EHLO, QUIT]), &s);
    let err = expect_err(&run);
    assert!(matches!(err.kind, SmtpErrorKind::StartTlsUnavailable));
    assert_eq!(err.stage, Stage::StartTls);
    assert_eq!(err.exit_code(), Code::Protocol);
    assert!(err.to_string().contains("does not offer STARTTLS"));
    // Nothing but EHLO and a polite QUIT: no AUTH, no MAIL, no credentials.
    assert_eq!(run.record.commands(), ["EHLO client.test", "QUIT"]);
}

#[test]
fn starttls_forgets_what_was_offered_in_clear_and_asks_again() {
    let in_clear = ehlo(&["PIPELINING", "AUTH PLAIN LOGIN", "STARTTLS"]);
    let in_tls = ehlo(&["SIZE 1000", "AUTH PLAIN"]);
    let steps = [
        ("EHLO client.test", in_clear.as_str()),
        // Whatever follows the 220 in clear may be an attacker's; it is not read.
        ("STARTTLS", "220 2.0.0 ready for TLS\r\n554 5.7.0 injected"),
        (scripted_wire::HANDSHAKE, ""),
        ("EHLO client.test", in_tls.as_str()),
        QUIT,
    ];
    let run = over(&server(&steps), 1, |wire| {
        probe_over(wire, &settings(Security::StartTls)).map_err(|e| e.error)
    });
    let report = expect_ok(&run);
    assert_eq!(report.capabilities.size, Some(1000));
    assert_eq!(report.capabilities.auth, ["PLAIN"]);
    assert!(!report.capabilities.pipelining && !report.capabilities.starttls);
    assert_eq!(
        report.security,
        format!("starttls {}", scripted_wire::TLS_DESCRIPTION)
    );
    let clear: Vec<_> = run.record.lines.iter().filter(|l| !l.tls).collect();
    assert_eq!(clear.len(), 2);
    assert!(run.transcript.contains("=== Discarded 20 bytes"));
    assert!(run.transcript.contains("~> EHLO client.test\n"));
}

#[test]
fn probe_without_starttls_still_reports_what_the_server_offers_in_clear() {
    let offer = ehlo(&[
        "PIPELINING",
        "8BITMIME",
        "ENHANCEDSTATUSCODES",
        "SIZE 1000",
        "AUTH PLAIN LOGIN",
    ]);
    let steps = [("EHLO client.test", offer.as_str()), QUIT];
    let s = settings(Security::StartTls);
    let run: Run<Result<ProbeReport, ProbeError>> =
        over(&server(&steps), 1, |wire| Ok(probe_over(wire, &s)));
    let failure = expect_ok(&run).as_ref().unwrap_err();
    assert!(matches!(
        failure.error.kind,
        SmtpErrorKind::StartTlsUnavailable
    ));
    assert_eq!(failure.error.exit_code(), Code::Protocol);
    let offered = failure.offered.as_ref().expect("what the server offered");
    assert_eq!(offered.greeting.code, 220);
    assert_eq!(offered.capabilities.size, Some(1000));
    assert_eq!(offered.capabilities.auth, ["PLAIN", "LOGIN"]);
    assert!(!offered.capabilities.starttls);
    assert_eq!(offered.security, "plain");
    assert!(offered.certificate.is_none());
    // A probe still sends nothing but EHLO, and ends politely.
    assert_eq!(run.record.commands(), ["EHLO client.test", "QUIT"]);
}
