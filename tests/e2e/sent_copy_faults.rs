//! A copy in Sent that cannot be saved (issue 20) is one warning, with exit 0 and the
//! message sent: IMAP down, a refused IMAP login (the password never in the warning
//! nor in the -v transcript),
//! and a server that stops reading in the middle of the literal (posta gives up by
//! itself, within its time limit).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::e2e::*;
use crate::sent_copy::{in_folder, profile, warnings};

const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";

#[test]
fn imap_down_is_one_warning_exit_0_and_a_log_line() {
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("posta.log");
    let config = profile(
        home.path(),
        ALICE,
        &env("POSTA_E2E_PASS1"),
        &format!("log_file = \"{}\"\n", log.display()),
    );
    let toml = std::fs::read_to_string(&config).unwrap().replace(
        &format!("localhost:{}", port("IMAP")),
        &format!("127.0.0.1:{}", closed_port()),
    );
    write_config(home.path(), &toml);
    let subject = token("imap-down");
    let out = posta(home.path())
        .args(["--json", "send", "--to", BOB, "-s", &subject, "--body", "x"])
        .output()
        .unwrap();
    ok(&out);
    let report = json(&out);
    assert_eq!(report["status"], "sent");
    assert_eq!(report["saved"], false, "{report}");
    assert!(
        report["save_error"]
            .as_str()
            .unwrap()
            .contains("cannot connect"),
        "{report}"
    );
    let warnings = warnings(&out);
    assert_eq!(warnings.len(), 1, "{}", stderr(&out));
    assert!(
        warnings[0].contains("no copy saved in Sent"),
        "{warnings:?}"
    );
    wait_for_message(BOB, &subject);
    let line = std::fs::read_to_string(&log).unwrap();
    assert!(
        line.contains("status=sent") && line.contains("saved=no"),
        "{line}"
    );

    let out = posta(home.path())
        .args(["--json", "profile", "test", "t"])
        .output()
        .unwrap();
    ok(&out);
    assert_eq!(
        json(&out)["sent_copy"]["ok"],
        false,
        "{}",
        text(&out.stdout)
    );

    // sendmail mode (cron): silent on success, so the one line is all it says.
    let subject = token("imap-down-sendmail");
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-t"]);
    let input = format!("To: {BOB}\nSubject: {subject}\n\nx\n");
    let out = run_with_input(cmd, input.as_bytes());
    ok(&out);
    let stderr_text = stderr(&out);
    let said: Vec<&str> = stderr_text.lines().collect();
    assert_eq!(said.len(), 1, "{}", stderr(&out));
    assert!(
        said[0].starts_with("sendmail: warning: sent, but no copy saved in Sent: "),
        "{said:?}"
    );
    wait_for_message(BOB, &subject);
}

#[test]
fn a_refused_imap_login_is_a_warning_without_the_password() {
    let home = tempfile::tempdir().unwrap();
    let password = env("POSTA_E2E_PASS1");
    // The IMAP login is bob's, with alice's password: refused.
    profile(
        home.path(),
        ALICE,
        &password,
        &format!("imap_user = \"{BOB}\"\n"),
    );
    let subject = token("imap-refused");
    let out = posta(home.path())
        .args(["-v", "send", "--to", BOB, "-s", &subject, "--body", "x"])
        .output()
        .unwrap();
    ok(&out);
    let warnings = warnings(&out);
    assert_eq!(warnings.len(), 1, "{}", stderr(&out));
    assert!(warnings[0].contains("refused the login"), "{warnings:?}");
    // -v shows the IMAP dialogue too, the login in it redacted.
    assert!(
        stderr(&out).contains("~> p3 AUTHENTICATE PLAIN (redacted)"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains(&password));
    wait_for_message(BOB, &subject);
    assert!(in_folder(BOB, ".Sent", &subject).is_empty());
}

/// The server side of a scripted IMAP session, inside TLS.
type Tls = rustls::StreamOwned<rustls::ServerConnection, std::net::TcpStream>;

/// An IMAP server for faults Dovecot will not produce on demand: implicit TLS with the
/// rig's certificate, `sessions` connections in turn, each run by `script` (given its
/// number). Returns the port.
fn scripted_imap(sessions: usize, script: fn(&mut Tls, usize)) -> u16 {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let state = PathBuf::from(env("POSTA_E2E_STATE_DIR"));
    let chain = CertificateDer::pem_file_iter(state.join("tls/server-chain.crt"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(state.join("tls/server.key")).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for n in 0..sessions {
            let Ok((tcp, _)) = listener.accept() else {
                return;
            };
            tcp.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            script(&mut tls, n);
        }
    });
    port
}

/// One line from posta (without its CRLF); empty at the end of the connection.
fn line(tls: &mut Tls) -> String {
    let mut got = Vec::new();
    let mut byte = [0u8];
    while tls.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
        got.push(byte[0]);
    }
    String::from_utf8_lossy(&got).trim_end().to_string()
}

/// Greeting, login, LIST with a \Sent folder; the next line read is the APPEND.
fn up_to_append(tls: &mut Tls) {
    let _ = tls.write_all(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR LITERAL+] hi\r\n");
    let _ = line(tls);
    let _ = tls.write_all(b"p1 OK [CAPABILITY IMAP4rev1 LITERAL+] in\r\n");
    let _ = line(tls);
    let _ = tls.write_all(b"* LIST (\\Sent) \".\" Sent\r\np2 OK listed\r\n");
}

/// Reads a little of the literal and then nothing, for longer than the test waits.
fn stalls_in_the_literal(tls: &mut Tls, _: usize) {
    up_to_append(tls);
    let _ = line(tls);
    let mut some = [0u8; 1024];
    let _ = tls.read(&mut some);
    std::thread::sleep(Duration::from_secs(180));
}

#[test]
fn a_server_that_stalls_in_the_literal_costs_a_warning_in_bounded_time() {
    let home = tempfile::tempdir().unwrap();
    let config = profile(home.path(), ALICE, &env("POSTA_E2E_PASS1"), "");
    let toml = std::fs::read_to_string(&config)
        .unwrap()
        .replace(
            &format!("localhost:{}", port("IMAP")),
            &format!("localhost:{}", scripted_imap(1, stalls_in_the_literal)),
        )
        .replace("timeout = 10", "timeout = 3");
    write_config(home.path(), &(toml + "imap_security = \"tls\"\n"));
    // 4 MiB: more than the socket buffers hold, so the stall is met while writing.
    let big = home.path().join("big.bin");
    let noise: Vec<u8> = (0..4u32 << 20)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(&big, noise).unwrap();
    let subject = token("stall");
    let mut child = posta(home.path())
        .args(["send", "--to", BOB, "-s", &subject, "--body", "x", "-a"])
        .arg(&big)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A bound for the test, not a measurement: posta must give up on its own.
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("posta still waiting on a stalled IMAP server after 60 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    ok(&out);
    let warnings = warnings(&out);
    assert_eq!(warnings.len(), 1, "{}", stderr(&out));
    assert!(
        warnings[0].contains("did not answer in time") || warnings[0].contains("failed"),
        "{warnings:?}"
    );
    wait_for_message(BOB, &subject);
}

/// Takes one APPEND (its literal size from the command) and closes the session, as a
/// server does after its idle time; the second session takes the rest.
fn closes_after_one_append(tls: &mut Tls, _: usize) {
    up_to_append(tls);
    loop {
        let command = line(tls);
        let Some(size) = command
            .strip_suffix("+}")
            .and_then(|c| c.rsplit_once('{'))
            .and_then(|(_, n)| n.parse::<usize>().ok())
        else {
            return;
        };
        let mut literal = vec![0u8; size];
        if tls.read_exact(&mut literal).is_err() {
            return;
        }
        let _ = line(tls); // the CRLF after the literal
        let tag = command.split(' ').next().unwrap_or("*").to_string();
        let _ = tls.write_all(format!("{tag} OK appended\r\n").as_bytes());
        if command.contains("APPEND") {
            // Gone, without a word: the next command meets a closed connection.
            let _ = tls.sock.shutdown(std::net::Shutdown::Both);
            return;
        }
    }
}

#[test]
fn a_batch_whose_imap_session_was_closed_saves_on_a_new_one() {
    let home = tempfile::tempdir().unwrap();
    let config = profile(home.path(), ALICE, &env("POSTA_E2E_PASS1"), "");
    let toml = std::fs::read_to_string(&config).unwrap().replace(
        &format!("localhost:{}", port("IMAP")),
        &format!("localhost:{}", scripted_imap(2, closes_after_one_append)),
    );
    write_config(home.path(), &(toml + "imap_security = \"tls\"\n"));
    let subject = token("reconnect");
    let dir = tempfile::tempdir().unwrap();
    for i in 0..2 {
        std::fs::write(
            dir.path().join(format!("{i}.eml")),
            format!("From: {ALICE}\r\nTo: {BOB}\r\nSubject: {subject}-{i}\r\n\r\nx\r\n"),
        )
        .unwrap();
    }
    let out = posta(home.path())
        .args([
            "--json",
            "batch",
            "--save-sent",
            &dir.path().to_string_lossy(),
        ])
        .output()
        .unwrap();
    ok(&out);
    let saved: Vec<_> = json_lines(&out)
        .into_iter()
        .filter(|l| l["type"] == "message")
        .map(|l| l["saved"].clone())
        .collect();
    assert_eq!(saved, [true, true], "{}", stderr(&out));
    assert!(warnings(&out).is_empty(), "{}", stderr(&out));
}
