//! BDAT (RFC 3030) against the real Postfix of scripts/mailserver.sh, which offers
//! CHUNKING: a message of several chunks, with dots at line starts, bare LFs and 8-bit
//! text, arrives byte for byte as the same message sent with DATA (`chunking = false`),
//! both read back by tests/support/parse_message.py; a refused recipient delivers
//! nothing.

use std::path::Path;

use crate::e2e::*;
use crate::support::{parse, posta, run_with_input, text, write_config};

const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";

/// About 200 KB, so four chunks of 64 KiB at most: lines that start with a dot (which DATA
/// stuffs and BDAT must not), a line that is a dot alone, bare LF and CRLF endings,
/// 8-bit text, and no final line end.
fn message(token: &str) -> Vec<u8> {
    let mut m = format!(
        "From: Alice <{ALICE}>\nTo: {BOB}\nSubject: {token}\nMIME-Version: 1.0\n\
         Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
    );
    for i in 0..2000 {
        m.push_str(&format!(
            ".{i} Grüße, line {i} of the chunked test message\r\n"
        ));
        m.push_str("..two dots\n.\n");
        m.push_str(&"x".repeat(30));
        m.push('\n');
    }
    m.push_str("the end, without a line end");
    m.into_bytes()
}

/// Send `message` through sendmail mode to the plain listener (port 25's
/// equivalent, no AUTH), with `chunking = false` in the profile when `chunking` is
/// false; the transcript.
fn send(home: &Path, message: &[u8], to: &str, chunking: bool) -> (bool, i32, String) {
    let config = format!(
        "default = \"p\"\n[profiles.p]\nhost = \"localhost\"\nport = {}\nsecurity = \"plain\"\n\
         chunking = {chunking}\n",
        port("PLAIN")
    );
    write_config(home, &config);
    let mut cmd = posta(home);
    cmd.args(["sendmail", "-v", "-f", ALICE, to]);
    let out = run_with_input(cmd, message);
    let err = text(&out.stderr);
    (out.status.success(), out.status.code().unwrap_or(-1), err)
}

/// The delivered message without the lines Postfix and Dovecot put on top.
fn as_sent(delivered: &[u8]) -> &[u8] {
    let from = delivered
        .windows(6)
        .position(|w| w == b"From: ")
        .expect("our From");
    &delivered[from..]
}

#[test]
fn a_chunked_message_arrives_as_the_same_message_sent_with_data() {
    let home = tempfile::tempdir().unwrap();
    let (bdat_token, data_token) = (token("bdat"), token("bdat-off"));

    let (ok, _, err) = send(home.path(), &message(&bdat_token), BOB, true);
    assert!(ok, "{err}");
    let sent: Vec<&str> = err.lines().filter(|l| l.starts_with("-> ")).collect();
    let chunks: Vec<&&str> = sent.iter().filter(|l| l.starts_with("-> BDAT ")).collect();
    let (last, full) = chunks.split_last().unwrap();
    assert!(full.len() >= 2, "{err}");
    assert!(full.iter().all(|l| **l == "-> BDAT 65536"), "{err}");
    assert!(last.ends_with(" LAST"), "{err}");
    assert!(!sent.contains(&"-> DATA"), "{err}");
    // One recipient: MAIL and RCPT went with the first chunk, before any reply.
    let first_reply = err.lines().position(|l| l.starts_with("<- 250 2.1.0"));
    let first_chunk = err.lines().position(|l| l.starts_with("-> BDAT"));
    assert!(first_chunk < first_reply, "{err}");

    let (ok, _, err) = send(home.path(), &message(&data_token), BOB, false);
    assert!(ok, "{err}");
    assert!(err.lines().any(|l| l == "-> DATA"), "{err}");
    assert!(!err.contains("-> BDAT"), "{err}");

    let chunked = wait_for_message(BOB, &bdat_token);
    let with_data = wait_for_message(BOB, &data_token);
    let (chunked, with_data) = (as_sent(&chunked), as_sent(&with_data));
    // Byte for byte the same but for the subject's token.
    let swapped = text(with_data).replace(&data_token, &bdat_token);
    assert_eq!(text(chunked), swapped);
    // And what a mail client reads: the dots as written, every line there.
    let parsed = parse(chunked);
    let body = parsed["body"]["text"].as_str().unwrap();
    assert!(body.starts_with(".0 Grüße, line 0 of"), "{body:.200}");
    assert!(body.contains("\n..two dots\n.\nxxx"), "{body:.200}");
    assert_eq!(body.matches("..two dots").count(), 2000);
    assert!(
        body.ends_with("the end, without a line end\n"),
        "{body:.200}"
    );
    assert_eq!(parsed["body"]["defects"], serde_json::json!([]));
}

#[test]
fn a_refused_recipient_with_bdat_delivers_nothing() {
    let home = tempfile::tempdir().unwrap();
    let token = token("bdat-refused");
    let nobody = env("POSTA_E2E_UNKNOWN_RCPT");
    let (ok, code, err) = send(home.path(), &message(&token), &nobody, true);
    assert!(!ok, "{err}");
    assert_eq!(code, 67, "{err}");
    // The chunks went with the envelope and were refused with it.
    assert!(err.contains("-> BDAT 65536"), "{err}");
    assert!(
        err.contains("<- 554 5.5.1 Error: no valid recipients"),
        "{err}"
    );
    // A delivered control message, then nothing of the refused one anywhere.
    let control = crate::e2e::token("bdat-control");
    let (ok, _, err) = send(home.path(), &message(&control), BOB, true);
    assert!(ok, "{err}");
    wait_for_message(BOB, &control);
    assert_no_message(BOB, &token);
}
