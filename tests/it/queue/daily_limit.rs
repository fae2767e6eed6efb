//! The profile's daily and per-message limits: counted in the ledger, held in the
//! queue until there is room, refused before connecting when they can never fit.

use super::*;

// ------------------------------------------------------------------ daily limits

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The ledger's lines as (time, recipients).
fn ledger(home: &Path, profile: &str) -> Vec<(i64, u64)> {
    std::fs::read_to_string(usage_file(home, profile))
        .unwrap()
        .lines()
        .map(|l| {
            let (t, n) = l.split_once(' ').unwrap();
            (t.parse().unwrap(), n.parse().unwrap())
        })
        .collect()
}

fn write_ledger(home: &Path, profile: &str, text: &str) {
    let path = usage_file(home, profile);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// `posta send` through the default profile to bob, with carol in Cc: two recipients.
fn send_two(home: &Path) -> Command {
    let mut cmd = posta(home);
    cmd.args([
        "send",
        "--from",
        "jane@example.org",
        "--to",
        "bob@example.org",
        "--cc",
        "carol@example.org",
        "-s",
        "limits",
        "--body",
        "x",
    ]);
    cmd
}

#[test]
fn sends_through_a_profile_with_a_daily_limit_are_counted_in_its_ledger() {
    let home = tempfile::tempdir().unwrap();
    let server = Server::start(Config::default());
    config_with(home.path(), server.port(), "daily_limit = 10\n");
    let before = unix_now();
    let out = send_two(home.path()).output().unwrap();
    assert_eq!(server.finish().messages.len(), 1);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines = ledger(home.path(), "t");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].1, 2);
    assert!((before..=unix_now()).contains(&lines[0].0), "{lines:?}");

    // sendmail mode through the same profile adds its one recipient.
    let server = Server::start(Config::default());
    config_with(home.path(), server.port(), "daily_limit = 10\n");
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-f", "jane@example.org", "bob@example.org"]);
    let out = run_with_input(cmd, RAW);
    assert_eq!(server.finish().messages.len(), 1);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let total: u64 = ledger(home.path(), "t").iter().map(|l| l.1).sum();
    assert_eq!(total, 3);

    // A profile without a limit keeps no ledger.
    let home = tempfile::tempdir().unwrap();
    let server = Server::start(Config::default());
    config(home.path(), server.port());
    let out = send_two(home.path()).output().unwrap();
    server.finish();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!home.path().join("state/posta").exists());
}

#[test]
fn a_ledger_that_cannot_be_written_costs_a_warning_not_the_message() {
    let home = tempfile::tempdir().unwrap();
    // A file where the ledger's directory should be.
    std::fs::create_dir_all(home.path().join("state/posta")).unwrap();
    std::fs::write(home.path().join("state/posta/usage"), "not a directory").unwrap();
    let server = Server::start(Config::default());
    config_with(home.path(), server.port(), "daily_limit = 10\n");
    let out = send_two(home.path()).arg("--json").output().unwrap();
    assert_eq!(server.finish().messages.len(), 1);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(json(&out)["status"], "sent");
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(
            "posta: warning: sent, but not counted toward the daily limit of profile t"
        ),
        "{err}"
    );

    // sendmail mode says it under its own name, as its other warnings, and so does a
    // log file that cannot be written (here: a directory).
    let server = Server::start(Config::default());
    config_with(
        home.path(),
        server.port(),
        &format!(
            "daily_limit = 10\nlog_file = \"{}\"\n",
            home.path().join("state").display()
        ),
    );
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-f", "jane@example.org", "bob@example.org"]);
    let out = run_with_input(cmd, RAW);
    assert_eq!(server.finish().messages.len(), 1);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with(
            "sendmail: warning: sent, but not counted toward the daily limit of profile t"
        ),
        "{err}"
    );
    assert!(
        lines[1].starts_with("sendmail: warning: cannot write the log file "),
        "{err}"
    );
}

#[test]
fn flush_holds_an_entry_over_the_daily_limit_until_the_ledger_has_room() {
    let home = tempfile::tempdir().unwrap();
    config_with(home.path(), closed_port(), "daily_limit = 3\n");
    let out = send_two(home.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    let id = queued_ids(home.path()).remove(0);

    // Two recipients 100 s ago: two more do not fit under 3 until that entry is 24 h old.
    let sent_at = unix_now() - 100;
    write_ledger(home.path(), "t", &format!("{sent_at} 2\n"));
    let room = sent_at + 24 * 3600;
    // --all forces the schedule, not the limit; the closed port is never tried.
    let out = posta(home.path())
        .args(["queue", "flush", "--all", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v = json(&out);
    let d = &v["deferred"][0];
    assert_eq!(d["id"], id.as_str(), "{v}");
    assert_eq!(d["over_daily_limit"], true, "{v}");
    assert_eq!(d["attempts"], 1, "not counted as an attempt: {v}");
    assert_eq!(d["next_attempt"], room, "{v}");
    let reason = d["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("daily limit of 3 recipients reached for profile t; next room at "),
        "{reason}"
    );
    assert!(v["failed"].as_array().unwrap().is_empty(), "{v}");

    // list and show give the reason; a plain flush finds it not due.
    let l = list(home.path());
    assert_eq!(l["queued"][0]["last_error"], reason);
    assert_eq!(l["queued"][0]["next_attempt"], room);
    let out = posta(home.path()).args(["queue", "list"]).output().unwrap();
    assert!(text(&out.stdout).contains(reason), "{}", text(&out.stdout));
    let out = posta(home.path())
        .args(["queue", "flush", "--json"])
        .output()
        .unwrap();
    assert_eq!(json(&out)["not_due"], 1);

    // A day later (the ledger's entry is older than 24 h), it goes.
    write_ledger(
        home.path(),
        "t",
        &format!("{} 2\n", unix_now() - 24 * 3600 - 5),
    );
    let server = Server::start(Config::default());
    config_with(home.path(), server.port(), "daily_limit = 3\n");
    let out = posta(home.path())
        .args(["queue", "flush", "--all", "--json"])
        .output()
        .unwrap();
    assert_eq!(server.finish().messages.len(), 1);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(json(&out)["sent"][0]["id"], id.as_str());
    assert!(queued_ids(home.path()).is_empty());
    // The old entry is pruned, the flushed message counted.
    let lines = ledger(home.path(), "t");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].1, 2);
}

#[test]
fn an_entry_held_by_the_daily_limit_still_expires_after_five_days() {
    let home = tempfile::tempdir().unwrap();
    config_with(home.path(), closed_port(), "daily_limit = 2\n");
    let out = send_two(home.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    let id = queued_ids(home.path()).remove(0);
    let meta_path = queue_dir(home.path()).join(&id).join("meta.json");
    let mut meta: Value = serde_json::from_slice(&std::fs::read(&meta_path).unwrap()).unwrap();
    meta["created"] = (meta["created"].as_i64().unwrap() - 5 * 86400 - 10).into();
    std::fs::write(&meta_path, serde_json::to_vec(&meta).unwrap()).unwrap();
    write_ledger(home.path(), "t", &format!("{} 1\n", unix_now()));
    let out = posta(home.path())
        .args(["queue", "flush", "--all"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(69), "{}", text(&out.stderr));
    let failed = &list(home.path())["failed"][0];
    assert_eq!(failed["id"], id.as_str());
    let why = failed["failed"].as_str().unwrap();
    assert!(
        why.starts_with("expired") && why.contains("daily limit of 2 recipients reached"),
        "{why}"
    );
}

#[test]
fn more_recipients_than_the_per_message_limit_are_refused_before_connecting() {
    let home = tempfile::tempdir().unwrap();
    // A closed port: had posta tried to connect, it would be 75 (and queued).
    config_with(home.path(), closed_port(), "per_message_limit = 1\n");
    let out = send_two(home.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("2 recipients, but profile t allows at most 1 recipients in one message")
            && err.contains("posta batch"),
        "{err}"
    );
    // sendmail mode, recipients from the headers.
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-t"]);
    let out = run_with_input(
        cmd,
        b"From: jane@example.org\nTo: bob@example.org, carol@example.org\nSubject: x\n\nx\n",
    );
    assert_eq!(out.status.code(), Some(65), "{}", text(&out.stderr));
    assert!(queued_ids(home.path()).is_empty());

    // The preset's limit (Gmail: 100), and 0 lifting it.
    let to: Vec<String> = (0..101).map(|i| format!("r{i}@example.org")).collect();
    let to = to.join(",");
    let gmail = "preset = \"gmail\"\nuser = \"jane\"\npassword = \"x\"\n";
    let path = config_with(home.path(), closed_port(), gmail);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let args = [
        "send",
        "--from",
        "jane@example.org",
        "--to",
        &to,
        "--body",
        "x",
        "--json",
    ];
    let out = posta(home.path()).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", text(&out.stderr));
    let v = json(&out);
    let e = v["error"].as_str().unwrap();
    assert!(
        e.contains("101 recipients, but Gmail takes at most 100"),
        "{e}"
    );
    let path = config_with(
        home.path(),
        closed_port(),
        &format!("{gmail}per_message_limit = 0\n"),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let out = posta(home.path()).args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(75),
        "it got as far as connecting: {}",
        text(&out.stderr)
    );
}
