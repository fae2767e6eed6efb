//! The copy in Sent (issue 20) against the rig's Dovecot IMAP: the appended message,
//! read back from the Maildir, is the submitted bytes (with the Bcc kept) and Python's
//! `email` finds no defects in it; the folder marked \Sent (SPECIAL-USE), an unmarked
//! "Sent", a Cyrillic folder; a flush copies a queued message once. What happens when
//! the copy cannot be saved is in `sent_copy_faults.rs`.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::e2e::*;

const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";
const CAROL: &str = "carol@example.test";
const DAVE: &str = "dave@example.test";
const CYRILLIC_WIRE: &str = "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-";

/// A profile for `user` on the submission port, with the copy saved over IMAP
/// (STARTTLS on the rig's IMAP port unless `extra` says otherwise).
pub(crate) fn profile(home: &Path, user: &str, password: &str, extra: &str) -> PathBuf {
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
pub(crate) fn in_folder(user: &str, folder: &str, needle: &str) -> Vec<(String, Vec<u8>)> {
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

pub(crate) fn warnings(out: &Output) -> Vec<String> {
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
    let (name, copy) = the_copy(ALICE, ".Sent Messages", &subject);
    assert_eq!(text(&copy), format!("Bcc: {CAROL}\r\n{head}{body}"));
    // The internal date is the message's Date (Dovecot keeps it as the file's mtime):
    // 2026-12-06 20:48:06 UTC.
    let file = PathBuf::from(env("POSTA_E2E_MAILDIR_ROOT")).join("alice/.Sent Messages/cur");
    let mtime = std::fs::metadata(file.join(&name))
        .unwrap()
        .modified()
        .unwrap();
    let since_epoch = mtime.duration_since(std::time::UNIX_EPOCH).unwrap();
    assert_eq!(since_epoch.as_secs(), 1_796_590_086);
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
    // `profile test` logs in to IMAP as a copy would and names the folder.
    let out = posta(home.path())
        .args(["profile", "test", "t"])
        .output()
        .unwrap();
    ok(&out);
    let said = format!("sent copy   Отправленные on localhost:{}", port("IMAP"));
    assert!(text(&out.stdout).contains(&said), "{}", text(&out.stdout));

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
            "--bcc",
            CAROL,
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
    let (_, copy) = the_copy(ALICE, ".Sent Messages", &subject);
    // The queue kept the Bcc for it.
    let bcc = format!("Bcc: {CAROL}\r\n");
    assert!(copy.starts_with(bcc.as_bytes()), "{}", text(&copy));
}

/// The OAuth2 access token the SMTP session used logs in to IMAP too: AUTHENTICATE
/// XOAUTH2 or OAUTHBEARER, as the profile's `auth` says, which Dovecot checks with the
/// rig's authorization server (scripts/oauth-server.sh).
#[test]
fn an_oauth_token_logs_in_to_imap_by_xoauth2_and_oauthbearer() {
    let driver = PathBuf::from(env("POSTA_E2E_OAUTH_DRIVER"));
    let command = format!(
        "node {} {} posta {ALICE}",
        driver.with_file_name("token.mjs").display(),
        env("POSTA_E2E_OAUTH_ISSUER")
    );
    for (mechanism, wire) in [("xoauth2", "XOAUTH2"), ("oauthbearer", "OAUTHBEARER")] {
        let home = tempfile::tempdir().unwrap();
        write_config(
            home.path(),
            &format!(
                "default = \"o\"\n[profiles.o]\nhost = \"localhost\"\nport = {}\n\
                 ca_file = \"{}\"\nuser = \"{ALICE}\"\nfrom = \"{ALICE}\"\n\
                 auth = \"{mechanism}\"\noauth_token_command = \"{command}\"\n\
                 imap_server = \"localhost:{}\"\n",
                port("SUBMISSION"),
                ca(),
                port("IMAP")
            ),
        );
        let subject = token(&format!("imap-{mechanism}"));
        let out = posta(home.path())
            .args([
                "-v", "--json", "send", "--to", BOB, "-s", &subject, "--body", "x",
            ])
            .output()
            .unwrap();
        ok(&out);
        assert_eq!(json(&out)["saved"], true, "{}", stderr(&out));
        let shown = format!("AUTHENTICATE {wire} (redacted)");
        assert!(stderr(&out).contains(&shown), "{}", stderr(&out));
        the_copy(ALICE, ".Sent Messages", &subject);
    }
}
