//! `posta batch` over several profiles (`-p a,b`) and several connections against the
//! real Postfix of scripts/mailserver.sh: daily limits split the messages and hold
//! across runs; the rest is reported (75) or queued; a profile whose login fails
//! leaves the others sending; `--connections N` opens N sessions and sends each
//! message once.

use std::path::Path;
use std::process::{Command, Output};

use crate::e2e::*;

const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";
const CAROL: &str = "carol@example.test";

/// A profile on the STARTTLS port logging in as `user` with the password in `$pw_env`.
fn profile(name: &str, user: &str, pw_env: &str, extra: &str) -> String {
    format!(
        "[profiles.{name}]\nhost = \"localhost\"\nport = {}\nsecurity = \"starttls\"\n\
         ca_file = \"{}\"\nuser = \"{user}\"\nfrom = \"{user}\"\npassword_env = \"{pw_env}\"\n\
         timeout = 10\n{extra}\n",
        port("SUBMISSION"),
        ca()
    )
}

fn write_config(home: &Path, profiles: &[String]) {
    crate::support::write_config(home, &profiles.concat());
}

/// `count` messages to `to` without a From header (each profile puts its own), in a
/// fresh directory.
fn messages(tag: &str, count: usize, to: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for i in 1..=count {
        std::fs::write(
            dir.path().join(format!("m{i:03}.eml")),
            format!("To: {to}\nSubject: {tag} n{i}\n\nbody {i}\n"),
        )
        .unwrap();
    }
    dir
}

fn batch(home: &Path, profiles: &str, args: &[&str], dir: &Path) -> Output {
    let mut cmd: Command = posta(home);
    cmd.env("A_PW", env("POSTA_E2E_PASS1"))
        .env("B_PW", env("POSTA_E2E_PASS2"))
        .env("WRONG_PW", "not-the-password")
        .args(["--json", "-p", profiles, "batch"])
        .args(args)
        .arg(dir);
    cmd.output().unwrap()
}

/// The JSON lines of a batch, and its summary (the last line).
fn json_lines(out: &Output) -> (Vec<serde_json::Value>, serde_json::Value) {
    let mut lines = crate::support::json_lines(out);
    let summary = lines.pop().expect("a summary line");
    assert_eq!(summary["type"], "summary", "{summary}");
    (lines, summary)
}

fn count_status(lines: &[serde_json::Value], status: &str) -> usize {
    lines.iter().filter(|l| l["status"] == status).count()
}

#[test]
fn two_profiles_share_the_messages_up_to_their_daily_limits_across_runs() {
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &[
            profile("a", ALICE, "A_PW", "daily_limit = 3"),
            profile("b", BOB, "B_PW", "daily_limit = 4"),
        ],
    );
    let tag = token("rotation");
    let dir = messages(&tag, 10, CAROL);
    let out = batch(home.path(), "a,b", &[], dir.path());
    let stderr = text(&out.stderr);
    // 3 + 4 sent; the other 3 are over both limits: not sent, "try later" (75).
    assert_eq!(out.status.code(), Some(75), "{stderr}");
    let (lines, summary) = json_lines(&out);
    assert_eq!(count_status(&lines, "sent"), 7, "{lines:?}");
    assert_eq!(count_status(&lines, "not-sent"), 3, "{lines:?}");
    assert_eq!(summary["sent"], 7, "{summary}");
    assert_eq!(summary["not_sent"], 3, "{summary}");
    let sent_by = |p: &str| {
        lines
            .iter()
            .filter(|l| l["status"] == "sent" && l["profile"] == p)
            .count()
    };
    assert_eq!((sent_by("a"), sent_by("b")), (3, 4), "{lines:?}");
    assert!(stderr.contains("daily limit"), "{stderr}");
    assert_eq!(
        stderr
            .matches("every profile reached its daily limit")
            .count(),
        1,
        "said once, not once per message: {stderr}"
    );

    // Each message went once, From the profile that sent it.
    let delivered = wait_for_messages(CAROL, &tag, 7);
    assert_eq!(delivered.len(), 7);
    let froms: Vec<String> = delivered
        .iter()
        .map(|m| {
            parse(m)["headers"]["From"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(
        froms.iter().filter(|f| f.contains(ALICE)).count(),
        3,
        "{froms:?}"
    );
    assert_eq!(
        froms.iter().filter(|f| f.contains(BOB)).count(),
        4,
        "{froms:?}"
    );

    // The ledger remembers: a second run the same day sends nothing.
    assert!(usage_file(home.path(), "a").exists());
    let tag2 = token("rotation-again");
    let dir2 = messages(&tag2, 2, CAROL);
    let out = batch(home.path(), "a,b", &[], dir2.path());
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    let (_, summary) = json_lines(&out);
    assert_eq!(summary["sent"], 0, "{summary}");
    assert_eq!(summary["not_sent"], 2, "{summary}");
    assert_eq!(
        summary["connections"], 0,
        "no login when nothing fits: {summary}"
    );
    assert_no_message(CAROL, &tag2);
}

#[test]
fn with_queue_the_messages_over_the_limit_wait_in_the_queue() {
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &[profile("a", ALICE, "A_PW", "daily_limit = 2")],
    );
    let tag = token("rotation-queue");
    let dir = messages(&tag, 4, CAROL);
    let out = batch(
        home.path(),
        "a",
        &["--queue", "on-temporary-failure"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    let (lines, summary) = json_lines(&out);
    assert_eq!(summary["sent"], 2, "{summary}");
    assert_eq!(summary["queued"], 2, "{summary}");
    let queued: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l["status"] == "queued").collect();
    assert_eq!(queued.len(), 2, "{lines:?}");
    assert!(
        queued[0]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("daily limit"),
        "{:?}",
        queued[0]
    );

    // Listed with the reason; a flush holds them (still over the limit).
    let list = posta(home.path())
        .args(["--json", "queue", "list"])
        .output()
        .unwrap();
    assert!(list.status.success(), "{}", text(&list.stderr));
    let listed = text(&list.stdout);
    assert_eq!(listed.matches("daily limit").count(), 2, "{listed}");
    let flush = posta(home.path())
        .env("A_PW", env("POSTA_E2E_PASS1"))
        .args(["--json", "queue", "flush", "--all"])
        .output()
        .unwrap();
    assert!(flush.status.success(), "{}", text(&flush.stderr));
    wait_for_messages(CAROL, &tag, 2);
    // Give a wrong delivery a moment to show up: the held two must not arrive.
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(wait_for_messages(CAROL, &tag, 2).len(), 2);
    assert_no_message(CAROL, &format!("{tag} n3"));
    assert_no_message(CAROL, &format!("{tag} n4"));
    let list = posta(home.path())
        .args(["--json", "queue", "list"])
        .output()
        .unwrap();
    assert_eq!(text(&list.stdout).matches("daily limit").count(), 2);
}

#[test]
fn a_profile_that_cannot_log_in_leaves_the_others_sending() {
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &[
            profile("good", ALICE, "A_PW", ""),
            profile("bad", BOB, "WRONG_PW", ""),
        ],
    );
    let tag = token("rotation-bad");
    let dir = messages(&tag, 12, CAROL);
    let out = batch(home.path(), "good,bad", &[], dir.path());
    let stderr = text(&out.stderr);
    let (lines, summary) = json_lines(&out);
    // The bad profile fails the message it tried (535 → 77) and at most the one
    // waiting for it; every other message goes through the good profile.
    let failed = count_status(&lines, "failed");
    assert!((1..=2).contains(&failed), "{failed} failed: {lines:?}");
    assert_eq!(count_status(&lines, "sent"), 12 - failed, "{lines:?}");
    assert_eq!(out.status.code(), Some(77), "{stderr}");
    assert!(
        stderr.contains("profile bad") || stderr.contains("535"),
        "{stderr}"
    );
    assert_eq!(summary["stopped"], serde_json::Value::Null, "{summary}");
    assert_eq!(
        wait_for_messages(CAROL, &tag, 12 - failed).len(),
        12 - failed
    );
}

#[test]
fn several_connections_send_each_message_once() {
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), &[profile("a", ALICE, "A_PW", "")]);
    let tag = token("connections");
    let dir = messages(&tag, 30, BOB);
    let mut cmd = posta(home.path());
    cmd.env("A_PW", env("POSTA_E2E_PASS1"))
        .args(["--json", "-v", "-p", "a", "batch", "--connections", "3"])
        .arg(dir.path());
    let out = cmd.output().unwrap();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let (lines, summary) = json_lines(&out);
    assert_eq!(count_status(&lines, "sent"), 30, "{lines:?}");
    assert_eq!(summary["connections"], 3, "{summary}");
    // Transcript lines name their connection, and each says QUIT once.
    for k in 1..=3 {
        assert!(stderr.contains(&format!("[a#{k}] ")), "{stderr}");
    }
    assert_eq!(stderr.matches("QUIT").count(), 3, "{stderr}");
    let mut subjects: Vec<String> = wait_for_messages(BOB, &tag, 30)
        .iter()
        .map(|m| {
            parse(m)["headers"]["Subject"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 30, "each message once: {subjects:?}");
}

#[test]
fn per_message_limit_refuses_only_the_message_over_it() {
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &[profile("a", ALICE, "A_PW", "per_message_limit = 2")],
    );
    let tag = token("per-message");
    let dir = messages(&tag, 3, BOB);
    std::fs::write(
        dir.path().join("m999.eml"),
        format!("To: {BOB}, {CAROL}\nCc: {ALICE}\nSubject: {tag} three\n\nx\n"),
    )
    .unwrap();
    let out = batch(home.path(), "a", &[], dir.path());
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(65), "{stderr}");
    let (lines, _) = json_lines(&out);
    assert_eq!(count_status(&lines, "sent"), 3, "{lines:?}");
    let failed: Vec<_> = lines.iter().filter(|l| l["status"] == "failed").collect();
    assert_eq!(failed.len(), 1, "{lines:?}");
    assert!(failed[0]["source"].as_str().unwrap().ends_with("m999.eml"));
    assert!(stderr.contains("3 recipients"), "{stderr}");
    assert_no_message(CAROL, &format!("{tag} three"));
}

#[test]
fn one_profile_that_cannot_log_in_stops_the_batch_and_says_why() {
    let home = tempfile::tempdir().unwrap();
    write_config(home.path(), &[profile("bad", BOB, "WRONG_PW", "")]);
    let tag = token("stop");
    let dir = messages(&tag, 5, CAROL);
    let out = batch(home.path(), "bad", &[], dir.path());
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(77), "{stderr}");
    let (lines, summary) = json_lines(&out);
    // The first message is the one that met the refusal; the rest were never tried,
    // and each is reported as not sent, with the reason.
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert_eq!(lines[0]["status"], "failed");
    for line in &lines[1..] {
        assert_eq!(line["status"], "not-sent", "{line}");
        assert!(
            line["error"].as_str().unwrap_or("").contains("535"),
            "{line}"
        );
    }
    assert_eq!(summary["sent"], 0, "{summary}");
    assert_eq!(summary["not_sent"], 4, "{summary}");
    assert!(
        summary["stopped"].as_str().unwrap_or("").contains("535"),
        "{summary}"
    );
    assert_eq!(
        stderr.lines().count(),
        1,
        "one line, for the message tried: {stderr}"
    );
    assert_no_message(CAROL, &tag);
}

#[test]
fn each_profile_keeps_its_own_rate_and_both_share_the_work() {
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &[
            profile("a", ALICE, "A_PW", "rate = \"4/s\""),
            profile("b", BOB, "B_PW", "rate = \"4/s\""),
        ],
    );
    let tag = token("paced");
    let dir = messages(&tag, 8, CAROL);
    let started = std::time::Instant::now();
    let out = batch(home.path(), "a,b", &[], dir.path());
    let elapsed = started.elapsed();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (lines, _) = json_lines(&out);
    let by = |p: &str| lines.iter().filter(|l| l["profile"] == p).count();
    // A paced profile waits 250 ms between its messages: the other one takes the next.
    assert!(by("a") >= 2 && by("b") >= 2, "{lines:?}");
    assert_eq!(by("a") + by("b"), 8);
    // The busier profile started its messages 250 ms apart.
    let most = by("a").max(by("b")) as u32;
    assert!(
        elapsed >= std::time::Duration::from_millis(250) * (most - 1),
        "{elapsed:?} for {most} messages through one profile"
    );
    assert_eq!(wait_for_messages(CAROL, &tag, 8).len(), 8);
}
