//! posta as /usr/sbin/sendmail for real clients (git send-email, s-nail) and for
//! cron-style pipes, delivered through the local Postfix and read back from the Maildir.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::e2e::*;

const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";
const CAROL: &str = "carol@example.test";

/// A home with a config whose default profile submits as alice on 587, and a
/// `sendmail` symlink to posta. Returns (home, path of the symlink).
pub(crate) fn sendmail_home() -> (tempfile::TempDir, PathBuf) {
    let home = tempfile::tempdir().unwrap();
    let config = format!(
        "default = \"test\"\n[profiles.test]\nhost = \"localhost\"\nport = {}\nsecurity = \"starttls\"\n\
         user = \"{ALICE}\"\nfrom = \"{ALICE}\"\nca_file = \"{}\"\npassword_env = \"E2E_ALICE_PASSWORD\"\n",
        port("SUBMISSION"),
        ca()
    );
    write_config(home.path(), &config);
    let bin = home.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let link = bin.join("sendmail");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_posta"), &link).unwrap();
    (home, link)
}

/// Environment for anything that runs our sendmail: HOME/XDG point at the test home.
pub(crate) fn sendmail_env(cmd: &mut Command, home: &Path) {
    for (k, _) in std::env::vars() {
        if k.starts_with("GIT_") {
            cmd.env_remove(k);
        }
    }
    hermetic(cmd, home).env("E2E_ALICE_PASSWORD", env("POSTA_E2E_PASS1"));
}

fn sendmail(home: &Path, link: &Path, args: &[&str], input: &[u8]) -> std::process::Output {
    let mut cmd = Command::new(link);
    sendmail_env(&mut cmd, home);
    cmd.args(args);
    run_with_input(cmd, input)
}

fn git(dir: &Path, home: &Path, args: &[&str]) -> String {
    // Debian's git, which git-email's send-email belongs to.
    let mut cmd = Command::new("/usr/bin/git");
    sendmail_env(&mut cmd, home);
    let out = cmd
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Alice Example")
        .env("GIT_AUTHOR_EMAIL", ALICE)
        .env("GIT_COMMITTER_NAME", "Alice Example")
        .env("GIT_COMMITTER_EMAIL", ALICE)
        .args(args)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

#[test]
fn git_send_email_patches_arrive_and_apply_with_git_am() {
    let (home, link) = sendmail_home();
    let repo = home.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, home.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("a.txt"), "one\n").unwrap();
    git(&repo, home.path(), &["add", "a.txt"]);
    git(&repo, home.path(), &["commit", "-q", "-m", "base"]);
    let base = git(&repo, home.path(), &["rev-parse", "HEAD"])
        .trim()
        .to_string();
    let tag = token("series");
    std::fs::write(repo.join("a.txt"), "one\ntwo\n.\nthree: Grüße\n").unwrap();
    git(
        &repo,
        home.path(),
        &["commit", "-q", "-am", &format!("{tag} first")],
    );
    std::fs::write(repo.join("b.txt"), "\u{1F600} emoji file\n").unwrap();
    git(&repo, home.path(), &["add", "b.txt"]);
    git(
        &repo,
        home.path(),
        &["commit", "-q", "-m", &format!("{tag} second")],
    );
    let want_tree = git(&repo, home.path(), &["rev-parse", "HEAD^{tree}"]);
    git(
        &repo,
        home.path(),
        &["format-patch", "-q", "-o", "patches", &base],
    );

    let mut patches: Vec<String> = std::fs::read_dir(repo.join("patches"))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    patches.sort();
    assert_eq!(patches.len(), 2);
    let mut args = vec![
        "send-email".to_string(),
        format!("--smtp-server={}", link.display()),
        format!("--to={BOB}"),
        format!("--from=Alice Example <{ALICE}>"),
        "--confirm=never".into(),
        "--suppress-cc=all".into(),
        "--no-chain-reply-to".into(),
        "--quiet".into(),
    ];
    args.extend(patches);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    git(&repo, home.path(), &argv);

    let delivered = wait_for_messages(BOB, &tag, 2);
    let clone = home.path().join("clone");
    git(
        home.path(),
        home.path(),
        &[
            "clone",
            "-q",
            repo.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    git(&clone, home.path(), &["checkout", "-q", &base]);
    let mut mbox = Vec::new();
    for (i, m) in order_by_subject(delivered).into_iter().enumerate() {
        let path = clone.join(format!("{i}.eml"));
        std::fs::write(&path, &m).unwrap();
        mbox.push(path.display().to_string());
    }
    let mut am = vec!["am", "-q"];
    am.extend(mbox.iter().map(String::as_str));
    git(&clone, home.path(), &am);
    assert_eq!(
        git(&clone, home.path(), &["rev-parse", "HEAD^{tree}"]),
        want_tree
    );
}

fn order_by_subject(mut messages: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    messages.sort_by_key(|m| {
        let h = header_block(m);
        if h.contains("[PATCH 1/2]") { 1 } else { 2 }
    });
    messages
}

#[test]
fn s_nail_sends_an_attachment_through_posta() {
    let (home, link) = sendmail_home();
    let subject = token("snail");
    let file = home.path().join("data.bin");
    let bytes: Vec<u8> = (0..50_000u32).map(|i| (i % 256) as u8).collect();
    std::fs::write(&file, &bytes).unwrap();
    let mut cmd = Command::new("s-nail");
    sendmail_env(&mut cmd, home.path());
    cmd.env("MAILRC", "/dev/null").args([
        "-n",
        "-S",
        &format!("mta={}", link.display()),
        "-S",
        "sendwait",
        "-r",
        ALICE,
        "-s",
        &subject,
        "-a",
        file.to_str().unwrap(),
        BOB,
    ]);
    let out = run_with_input(cmd, b"Hello from s-nail\n");
    assert!(
        out.status.success(),
        "s-nail: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let parsed = parse(&wait_for_message(BOB, &subject));
    assert_eq!(parsed["subject"], subject.as_str());
    let parts = parsed["body"]["parts"].as_array().expect("multipart");
    let attachment = parts
        .iter()
        .find(|p| p["filename"] == "data.bin")
        .expect("attachment");
    let sha = sha256_hex(&bytes);
    assert_eq!(attachment["sha256"], sha.as_str());
}

#[test]
fn cron_style_pipe_with_bcc_reaches_everyone_and_shows_no_bcc() {
    let (home, link) = sendmail_home();
    let subject = token("cron");
    let input = format!(
        "From: Cron Daemon <{ALICE}>\nTo: {BOB}\nBcc: {CAROL}\nSubject: {subject}\n\nfour lines\nof output\n"
    );
    let out = sendmail(home.path(), &link, &["-t", "-oi"], input.as_bytes());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "sendmail must be silent on success"
    );
    for user in [BOB, CAROL] {
        let m = wait_for_message(user, &subject);
        assert!(
            !header_block(&m).to_ascii_lowercase().contains("\nbcc:"),
            "{user} sees Bcc"
        );
        assert!(
            !contains(&m, CAROL.as_bytes()) || user == CAROL && !header_block(&m).contains("Bcc")
        );
    }
}

/// Each input goes through `sendmail -t` and its body must arrive as the same lines.
#[test]
fn awkward_inputs_arrive_intact() {
    let (home, link) = sendmail_home();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "lf",
            b"line one\nline two\n".to_vec(),
            "line one\nline two\n",
        ),
        (
            "crlf",
            b"line one\r\nline two\r\n".to_vec(),
            "line one\nline two\n",
        ),
        ("mixed", b"a\r\nb\nc\rd\n".to_vec(), "a\nb\nc\nd\n"),
        (
            "lone-dot",
            b"before\n.\nafter\n".to_vec(),
            "before\n.\nafter\n",
        ),
        ("dots", b"..two\n.x\n".to_vec(), "..two\n.x\n"),
        (
            "smuggle",
            b"x\n.\nMAIL FROM:<evil@x>\r\n.\r\n\r.\r\nend\n".to_vec(),
            "x\n.\nMAIL FROM:<evil@x>\n.\n\n.\nend\n",
        ),
        ("no-final-newline", b"last line".to_vec(), "last line\n"),
        (
            "utf8",
            "Grüße, мир, 世界\n".as_bytes().to_vec(),
            "Grüße, мир, 世界\n",
        ),
    ];
    for (name, body, want) in cases {
        let subject = token(name);
        let mut input = format!("From: {ALICE}\nTo: {BOB}\nSubject: {subject}\n\n").into_bytes();
        input.extend_from_slice(&body);
        let out = sendmail(home.path(), &link, &["-t"], &input);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        let m = wait_for_message(BOB, &subject);
        let t = text(&m).replace("\r\n", "\n");
        let got = t.split_once("\n\n").unwrap().1;
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn no_headers_and_empty_message_get_headers_added() {
    let (home, link) = sendmail_home();
    let tag = token("noheaders");
    let out = sendmail(
        home.path(),
        &link,
        &[BOB],
        format!("{tag}\nbody only\n").as_bytes(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let m = wait_for_message(BOB, &tag);
    let parsed = parse(&m);
    assert_eq!(parsed["from"][0]["addr"], ALICE);
    assert!(
        parsed["message_id"]
            .as_str()
            .unwrap()
            .contains("@example.test")
    );
    assert_eq!(parsed["date_parsed"], true);

    // An empty message is still a message: posta adds the headers, the server takes it.
    let out = sendmail(home.path(), &link, &["-f", ALICE, CAROL], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn raw_utf8_and_8bit_headers_arrive_as_written() {
    let (home, link) = sendmail_home();
    let tag = token("utf8hdr");
    let input = format!(
        "From: Jürgen Größe <{ALICE}>\nTo: Борис <{BOB}>\nSubject: {tag} Привет 世界 😀\n\nx\n"
    );
    let out = sendmail(home.path(), &link, &["-t"], input.as_bytes());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let parsed = parse(&wait_for_message(BOB, &tag));
    assert_eq!(parsed["subject"], format!("{tag} Привет 世界 😀").as_str());
    assert_eq!(parsed["from"][0]["name"], "Jürgen Größe");
    assert_eq!(parsed["to"][0]["name"], "Борис");
}

#[test]
fn an_empty_message_is_delivered_with_the_headers_posta_adds() {
    let (home, link) = sendmail_home();
    let out = sendmail(home.path(), &link, &["-f", ALICE, CAROL], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Nothing in the input to search for: find the copy by the Message-ID posta
    // reports with --json.
    let out = sendmail(home.path(), &link, &["--json", "-f", ALICE, CAROL], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json object");
    assert_eq!(json["status"], "sent");
    let id = json["message_id"].as_str().unwrap().to_string();
    let parsed = parse(&wait_for_message(CAROL, &id));
    assert_eq!(parsed["from"][0]["addr"], ALICE);
    assert_eq!(parsed["date_parsed"], true);
}

#[test]
fn sendmail_errors_are_one_line_with_sysexits_codes() {
    let (home, link) = sendmail_home();
    let out = sendmail(home.path(), &link, &["-t"], b"Subject: nobody\n\nx\n");
    assert_eq!(out.status.code(), Some(64));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("sendmail: ") && err.trim_end().lines().count() == 1,
        "{err}"
    );

    // A header line over 998 octets (a long body line is re-encoded, not refused).
    let mut long = format!("To: {BOB}\nSubject: ").into_bytes();
    long.extend(std::iter::repeat_n(b'y', 1200));
    long.extend(b"\n\nbody\n");
    let out = sendmail(home.path(), &link, &["-t"], &long);
    assert_eq!(out.status.code(), Some(65), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("998"));

    let out = sendmail(home.path(), &link, &["-bd"], b"");
    assert_eq!(out.status.code(), Some(64));

    let unknown = env("POSTA_E2E_UNKNOWN_RCPT");
    let out = sendmail(home.path(), &link, &[&unknown], b"Subject: x\n\nx\n");
    assert_eq!(out.status.code(), Some(67), "{}", text(&out.stderr));
}
