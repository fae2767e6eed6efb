//! The copy in Sent (issue 20) against the rig's Dovecot IMAP: the appended message,
//! read back from the Maildir, is the submitted bytes (with the Bcc kept) and Python's
//! `email` finds no defects in it; the folder marked \Sent (SPECIAL-USE), an unmarked
//! "Sent", a Cyrillic folder; a flush copies a queued message once; and a copy that
//! cannot be saved (IMAP down, a refused login, a server that stalls in the literal)
//! is one warning with exit 0.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::e2e::*;

const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";
const CAROL: &str = "carol@example.test";
const DAVE: &str = "dave@example.test";
const CYRILLIC_WIRE: &str = "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-";

/// A profile for `user` on the submission port, with the copy saved over IMAP
/// (STARTTLS on the rig's IMAP port unless `extra` says otherwise).
fn profile(home: &Path, user: &str, password: &str, extra: &str) -> PathBuf {
    write_config(
        home,
        &format!(
            "default = \"t\"\n[profiles.t]\nhost = \"localhost\"\nport = {}\n\
             security = \"starttls\"\nuser = \"{user}\"\nfrom = \"{user}\"\n\
             password = \"{password}\"\nca_file = \"{}\"\ntimeout = 10\n\
             imap_server = \"localhost:{}\"\n{extra}",
            port("SUBMISSION"),
            ca(),
            port("IMAP")
        ),
    )
}

/// The messages in `user`'s folder (its Maildir++ name on disk) holding `needle`,
/// with their file names.
fn in_folder(user: &str, folder: &str, needle: &str) -> Vec<(String, Vec<u8>)> {
    let local = user.split('@').next().unwrap();
    let dir = PathBuf::from(env("POSTA_E2E_MAILDIR_ROOT"))
        .join(local)
        .join(folder);
    let mut found = Vec::new();
    for sub in ["cur", "new"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let bytes = std::fs::read(e.path()).unwrap_or_default();
            if contains(&bytes, needle.as_bytes()) {
                found.push((e.file_name().to_string_lossy().into_owned(), bytes));
            }
        }
    }
    found
}

fn the_copy(user: &str, folder: &str, needle: &str) -> (String, Vec<u8>) {
    let mut copies = in_folder(user, folder, needle);
    assert_eq!(copies.len(), 1, "copies of {needle} in {user}'s {folder}");
    copies.pop().unwrap()
}

fn warnings(out: &Output) -> Vec<String> {
    stderr(out)
        .lines()
        .filter(|l| l.contains("warning"))
        .map(str::to_string)
        .collect()
}

/// CRLF → LF: Postfix's virtual delivery stores lines with LF.
fn lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        if !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

#[test]
fn send_saves_the_sent_bytes_with_bcc_in_the_special_use_folder() {
    let home = tempfile::tempdir().unwrap();
    profile(home.path(), ALICE, &env("POSTA_E2E_PASS1"), "");
    let subject = token("sent-copy");
    let out = posta(home.path())
        .args([
            "--json", "send", "--to", BOB, "--bcc", CAROL, "-s", &subject,
        ])
        .args(["--body", "Привет, the copy in Sent.\n"])
        .output()
        .unwrap();
    ok(&out);
    let report = json(&out);
    assert_eq!(report["saved"], true, "{report}");
    assert_eq!(report["saved_to"], "Sent Messages", "{report}");
    assert!(warnings(&out).is_empty(), "{}", stderr(&out));

    let (name, copy) = the_copy(ALICE, ".Sent Messages", &subject);
    // \Seen: Maildir's "S" flag.
    assert!(name.ends_with(",S"), "{name}");
    assert!(
        in_folder(ALICE, ".Sent", &subject).is_empty(),
        "the unmarked Sent got it"
    );
    let bcc = format!("Bcc: {CAROL}\r\n");
    assert!(copy.starts_with(bcc.as_bytes()), "{}", text(&copy));
    // What bob got is what was sent: the copy without its Bcc, after Postfix's lines.
    let delivered = wait_for_message(BOB, &subject);
    let sent = lf(&copy[bcc.len()..]);
    assert!(
        delivered.ends_with(&sent),
        "{}\n----\n{}",
        text(&delivered),
        text(&sent)
    );
    assert!(
        !contains(&delivered, CAROL.as_bytes()),
        "Bcc reached a recipient"
    );
    let parsed = parse(&copy);
    assert_eq!(parsed["bcc_present"], true);
    assert_eq!(parsed["body"]["defects"], serde_json::json!([]), "{parsed}");
    assert_eq!(parsed["all_crlf"], true);
}

#[test]
fn sendmail_t_saves_exactly_what_was_submitted_plus_its_bcc() {
    let home = tempfile::tempdir().unwrap();
    profile(home.path(), ALICE, &env("POSTA_E2E_PASS1"), "");
    let subject = token("sendmail-copy");
    let head = format!(
        "From: {ALICE}\r\nTo: {BOB}\r\nDate: Sun, 06 Dec 2026 23:48:06 +0300\r\n\
         Message-ID: <{subject}@example.test>\r\nSubject: {subject}\r\n"
    );
    let body = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nline one\r\nline two\r\n";
    let input = format!("{head}Bcc: {CAROL}\r\n{body}");
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-t", "-i"]);
    let out = run_with_input(cmd, input.as_bytes());
    ok(&out);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    let (_, copy) = the_copy(ALICE, ".Sent Messages", &subject);
    assert_eq!(text(&copy), format!("Bcc: {CAROL}\r\n{head}{body}"));
    let parsed = parse(&copy);
    assert_eq!(parsed["body"]["defects"], serde_json::json!([]), "{parsed}");
    wait_for_message(BOB, &subject);
}

#[test]
fn an_unmarked_sent_folder_over_implicit_tls() {
    let home = tempfile::tempdir().unwrap();
    let config = profile(home.path(), BOB, &env("POSTA_E2E_PASS2"), "");
    // The same profile, its IMAP server on the implicit-TLS port.
    let toml = std::fs::read_to_string(&config).unwrap().replace(
        &format!("localhost:{}", port("IMAP")),
        &format!("localhost:{}", port("IMAPS")),
    ) + "imap_security = \"tls\"\n";
    write_config(home.path(), &toml);
    let subject = token("unmarked");
    let out = posta(home.path())
        .args([
            "--json", "send", "--to", ALICE, "-s", &subject, "--body", "x",
        ])
        .output()
        .unwrap();
    ok(&out);
    assert_eq!(json(&out)["saved_to"], "Sent", "{}", text(&out.stdout));
    the_copy(BOB, ".Sent", &subject);
}

#[test]
fn a_cyrillic_folder_found_and_named_and_one_connection_for_a_batch() {
    let home = tempfile::tempdir().unwrap();
    profile(home.path(), DAVE, &env("POSTA_E2E_PASS4"), "");
    let subject = token("cyrillic");
    let out = posta(home.path())
        .args([
            "--json", "send", "--to", ALICE, "-s", &subject, "--body", "x",
        ])
        .output()
        .unwrap();
    ok(&out);
    assert_eq!(
        json(&out)["saved_to"],
        "Отправленные",
        "{}",
        text(&out.stdout)
    );
    the_copy(DAVE, &format!(".{CYRILLIC_WIRE}"), &subject);

    // A batch saves only when asked, over one IMAP login for all its messages.
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3 {
        std::fs::write(
            dir.path().join(format!("{i}.eml")),
            format!("From: {DAVE}\r\nTo: {ALICE}\r\nSubject: {subject}-batch-{i}\r\n\r\nx\r\n"),
        )
        .unwrap();
    }
    let logins = || {
        let log = std::fs::read_to_string(env("POSTA_E2E_DOVECOT_LOG")).unwrap();
        log.lines()
            .filter(|l| l.contains("imap-login") && l.contains(&format!("user=<{DAVE}>")))
            .count()
    };
    let out = posta(home.path())
        .args(["batch", &dir.path().to_string_lossy()])
        .output()
        .unwrap();
    ok(&out);
    assert!(
        in_folder(
            DAVE,
            &format!(".{CYRILLIC_WIRE}"),
            &format!("{subject}-batch")
        )
        .is_empty()
    );
    let before = logins();
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
    for line in json_lines(&out).iter().filter(|l| l["type"] == "message") {
        assert_eq!(line["saved"], true, "{line}");
    }
    assert_eq!(
        in_folder(
            DAVE,
            &format!(".{CYRILLIC_WIRE}"),
            &format!("{subject}-batch")
        )
        .len(),
        3
    );
    assert_eq!(logins() - before, 1, "IMAP logins for one batch");

    // sent_folder names a folder that does not exist yet: created (TRYCREATE), with
    // its name in modified UTF-7 on the wire and on disk.
    let home = tempfile::tempdir().unwrap();
    profile(
        home.path(),
        BOB,
        &env("POSTA_E2E_PASS2"),
        "sent_folder = \"Исходящие\"\n",
    );
    let subject = token("created");
    let out = posta(home.path())
        .args([
            "--json", "send", "--to", ALICE, "-s", &subject, "--body", "x",
        ])
        .output()
        .unwrap();
    ok(&out);
    assert_eq!(json(&out)["saved_to"], "Исходящие", "{}", text(&out.stdout));
    the_copy(BOB, ".&BBgEQQRFBD4ENARPBEkEOAQ1-", &subject);
}

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
        .args(["send", "--to", BOB, "-s", &subject, "--body", "x"])
        .output()
        .unwrap();
    ok(&out);
    let warnings = warnings(&out);
    assert_eq!(warnings.len(), 1, "{}", stderr(&out));
    assert!(warnings[0].contains("refused the login"), "{warnings:?}");
    assert!(!stderr(&out).contains(&password));
    wait_for_message(BOB, &subject);
    assert!(in_folder(BOB, ".Sent", &subject).is_empty());
}

#[test]
fn a_queued_message_is_copied_once_when_a_flush_sends_it() {
    let home = tempfile::tempdir().unwrap();
    let config = profile(home.path(), ALICE, &env("POSTA_E2E_PASS1"), "");
    let good = std::fs::read_to_string(&config).unwrap();
    let down = good.replace(
        &format!("port = {}", port("SUBMISSION")),
        &format!("port = {}", closed_port()),
    );
    write_config(home.path(), &down);
    let subject = token("flush-copy");
    let out = posta(home.path())
        .args([
            "send",
            "--queue",
            "on-temporary-failure",
            "--to",
            BOB,
            "-s",
            &subject,
        ])
        .args(["--body", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));
    assert!(in_folder(ALICE, ".Sent Messages", &subject).is_empty());
    // A flush that fails again copies nothing.
    let flush = |home: &Path| {
        posta(home)
            .args(["--json", "queue", "flush", "--all"])
            .output()
            .unwrap()
    };
    flush(home.path());
    assert!(in_folder(ALICE, ".Sent Messages", &subject).is_empty());
    write_config(home.path(), &good);
    let out = flush(home.path());
    ok(&out);
    assert_eq!(
        json(&out)["sent"][0]["saved"],
        true,
        "{}",
        text(&out.stdout)
    );
    let out = flush(home.path());
    ok(&out);
    wait_for_message(BOB, &subject);
    the_copy(ALICE, ".Sent Messages", &subject);
}

/// An IMAP server (implicit TLS, the rig's certificate) that logs posta in, lists a
/// \Sent folder, and then stops reading in the middle of the APPEND literal.
fn stalling_imap() -> u16 {
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
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let conn = rustls::ServerConnection::new(config).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        let line = |tls: &mut rustls::StreamOwned<_, _>| {
            let mut got = Vec::new();
            let mut byte = [0u8];
            while tls.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
                got.push(byte[0]);
            }
            String::from_utf8_lossy(&got).into_owned()
        };
        let _ = tls.write_all(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR LITERAL+] hi\r\n");
        let _ = line(&mut tls);
        let _ = tls.write_all(b"p1 OK [CAPABILITY IMAP4rev1 LITERAL+] in\r\n");
        let _ = line(&mut tls);
        let _ = tls.write_all(b"* LIST (\\Sent) \".\" Sent\r\np2 OK listed\r\n");
        let _ = line(&mut tls); // the APPEND, then a little of the literal
        let mut some = [0u8; 1024];
        let _ = tls.read(&mut some);
        // Then nothing: neither read nor answer, for longer than the test waits.
        std::thread::sleep(Duration::from_secs(180));
    });
    port
}

#[test]
fn a_server_that_stalls_in_the_literal_costs_a_warning_in_bounded_time() {
    let home = tempfile::tempdir().unwrap();
    let config = profile(home.path(), ALICE, &env("POSTA_E2E_PASS1"), "");
    let toml = std::fs::read_to_string(&config)
        .unwrap()
        .replace(
            &format!("localhost:{}", port("IMAP")),
            &format!("localhost:{}", stalling_imap()),
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
