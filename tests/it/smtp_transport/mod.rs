//! The SMTP transport against the scripted server: happy paths in every security
//! mode, TLS failures, faults and refusals at every stage, and what went on the wire.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use crate::support::scripted_server::{Action, Config, Record, Server, TestCa, TlsMode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use posta::envelope::{Dsn, Envelope};
use posta::model::exit_code::Code;
use posta::smtp::{
    AuthMechanism, Credentials, Outcome, Payload, Security, Settings, SmtpError, SmtpErrorKind,
    Stage, TlsSettings, Transcript,
};

const USER: &str = "jane";
const PASSWORD: &str = "s3cret-Pa55";

struct Bytes(Vec<u8>);

impl Payload for Bytes {
    fn write_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(&self.0)
    }
}

const MESSAGE: &[u8] =
    b"From: jane@example.org\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nHello.\r\n";

fn settings(server: &Server, security: Security) -> Settings {
    Settings {
        tls: TlsSettings {
            ca_file: Some(server.ca_file.clone()),
            ..Default::default()
        },
        helo_name: "client.test".into(),
        timeout: Duration::from_secs(5),
        data_timeout: Duration::from_secs(5),
        ..Settings::new("127.0.0.1", server.port(), security)
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

struct Run {
    result: Result<Outcome, SmtpError>,
    record: Record,
    transcript: String,
}

fn run_full(
    server: Server,
    settings: &Settings,
    envelope: &Envelope,
    dsn: &Dsn,
    payload: &mut dyn Payload,
    level: u8,
) -> Run {
    let mut out = Vec::new();
    let result = {
        let mut transcript = Transcript {
            out: &mut out,
            level,
        };
        posta::smtp::submit(settings, envelope, dsn, payload, Some(&mut transcript))
    };
    let record = server.finish();
    Run {
        result,
        record,
        transcript: String::from_utf8(out).unwrap(),
    }
}

fn send(server: Server, settings: &Settings) -> Run {
    run_full(
        server,
        settings,
        &envelope(&["bob@example.org"]),
        &Dsn::default(),
        &mut Bytes(MESSAGE.to_vec()),
        1,
    )
}

fn expect_err(run: &Run) -> &SmtpError {
    match &run.result {
        Ok(o) => panic!(
            "expected an error, got {o:?}\ntranscript:\n{}",
            run.transcript
        ),
        Err(e) => e,
    }
}

fn expect_ok(run: &Run) -> &Outcome {
    match &run.result {
        Ok(o) => o,
        Err(e) => panic!(
            "{e}\ntranscript:\n{}\nserver: {:?}",
            run.transcript, run.record
        ),
    }
}

mod faults;
mod happy;
mod tls;
mod wire;
