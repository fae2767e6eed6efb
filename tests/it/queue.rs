//! The queue through the real binary, without Postfix: temporary failures (a closed
//! port, 4xx at RCPT and at end of data from the scripted server) are queued, permanent
//! ones are not; flush sends the exact queued bytes, moves refusals and expired entries
//! to failed/; kill -9 while queueing never leaves a half-written entry.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::scripted_server::{Action, Config, Server};
use crate::support::{closed_port, json, posta, run_with_input, text, usage_file, write_config};
use serde_json::Value;

fn queue_dir(home: &Path) -> PathBuf {
    home.join("data/posta/queue")
}

fn send(home: &Path, port: u16, extra: &[&str]) -> Command {
    let mut cmd = posta(home);
    cmd.args([
        "send",
        "--server",
        &format!("127.0.0.1:{port}"),
        "--security",
        "plain",
        "--timeout",
        "5",
        "--from",
        "jane@example.org",
        "--to",
        "bob@example.org",
        "-s",
        "queued",
        "--body",
        "Hello from the queue.",
    ]);
    cmd.args(extra);
    cmd
}

fn sendmail(home: &Path, port: u16, extra: &[&str]) -> Command {
    let mut cmd = posta(home);
    cmd.args([
        "sendmail",
        "--server",
        &format!("127.0.0.1:{port}"),
        "--security",
        "plain",
        "--timeout",
        "5",
        "-f",
        "jane@example.org",
    ]);
    cmd.args(extra);
    cmd.arg("bob@example.org");
    cmd
}

const RAW: &[u8] =
    b"From: jane@example.org\nTo: bob@example.org\nSubject: raw\n\nline 1\n.dot line\n";

fn list(home: &Path) -> Value {
    let out = posta(home)
        .args(["queue", "list", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    json(&out)
}

fn queued_ids(home: &Path) -> Vec<String> {
    list(home)["queued"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

fn config(home: &Path, port: u16) -> PathBuf {
    config_with(home, port, "")
}

/// The profile `t` (the default) to 127.0.0.1:`port`, plus `extra` lines.
fn config_with(home: &Path, port: u16, extra: &str) -> PathBuf {
    write_config(
        home,
        &format!(
            "default = \"t\"\n[profiles.t]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"plain\"\ntimeout = 5\nqueue = \"on-temporary-failure\"\n{extra}"
        ),
    )
}

#[test]
fn send_to_a_closed_port_is_queued_with_75_and_the_json_says_so() {
    let home = tempfile::tempdir().unwrap();
    let out = send(
        home.path(),
        closed_port(),
        &["--queue", "on-temporary-failure", "--json"],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["status"], "queued");
    assert_eq!(v["exit_code"], 75);
    let id = v["id"].as_str().unwrap();
    assert!(v["reason"].as_str().unwrap().contains("connect"), "{v}");
    assert_eq!(queued_ids(home.path()), [id]);

    // Without --json: one line on stderr, still 75.
    let out = send(
        home.path(),
        closed_port(),
        &["--queue", "on-temporary-failure"],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(75));
    let err = text(&out.stderr);
    assert!(err.starts_with("posta: queued as "), "{err}");
    assert_eq!(queued_ids(home.path()).len(), 2);

    // The default for send is never: 75, nothing queued.
    let out = send(home.path(), closed_port(), &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(75));
    assert!(text(&out.stderr).contains("error"), "{}", text(&out.stderr));
    assert_eq!(queued_ids(home.path()).len(), 2);

    // The metadata holds no secret even when one was used.
    let mut cmd = send(
        home.path(),
        closed_port(),
        &[
            "--queue",
            "on-temporary-failure",
            "--user",
            "jane",
            "--allow-insecure-auth",
            "--password-command",
            "echo pw-from-command-1234",
        ],
    );
    cmd.env("POSTA_PASSWORD", "pw-from-env-5678");
    assert_eq!(cmd.output().unwrap().status.code(), Some(75));
    for id in queued_ids(home.path()) {
        let meta =
            std::fs::read_to_string(queue_dir(home.path()).join(id).join("meta.json")).unwrap();
        assert!(!meta.contains("1234") && !meta.contains("5678"), "{meta}");
    }
}

#[test]
fn sendmail_mode_queues_by_default_exits_0_and_says_so_in_one_line() {
    let home = tempfile::tempdir().unwrap();
    let out = run_with_input(sendmail(home.path(), closed_port(), &[]), RAW);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("sendmail: queued as "), "{err}");
    let ids = queued_ids(home.path());
    assert_eq!(ids.len(), 1);
    assert!(err.contains(&ids[0]), "{err}");
    // The exact bytes, line endings made CRLF.
    let bytes = std::fs::read(queue_dir(home.path()).join(&ids[0]).join("message")).unwrap();
    let t = text(&bytes);
    assert!(
        t.contains("Subject: raw\r\n\r\nline 1\r\n.dot line\r\n"),
        "{t}"
    );

    // --json: status queued, exit 0.
    let out = run_with_input(sendmail(home.path(), closed_port(), &["--json"]), RAW);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(
        (v["status"].as_str(), v["exit_code"].as_i64()),
        (Some("queued"), Some(0))
    );

    // --queue never: the failure is reported (75) and nothing is kept.
    let out = run_with_input(
        sendmail(home.path(), closed_port(), &["--queue", "never"]),
        RAW,
    );
    assert_eq!(out.status.code(), Some(75));
    assert_eq!(queued_ids(home.path()).len(), 2);
}

#[test]
fn four_xx_at_rcpt_is_queued_and_5xx_is_not() {
    let home = tempfile::tempdir().unwrap();
    let server = Server::start(Config::default().reply("RCPT", "451 4.3.0 try again later"));
    let out = send(
        home.path(),
        server.port(),
        &["--queue", "on-temporary-failure"],
    )
    .output()
    .unwrap();
    server.finish();
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    let v = list(home.path());
    assert_eq!(v["queued"].as_array().unwrap().len(), 1);
    let last = v["queued"][0]["last_error"].as_str().unwrap();
    assert!(last.contains("451"), "{last}");

    let server = Server::start(Config::default().reply("RCPT", "550 5.1.1 no such user"));
    let out = send(
        home.path(),
        server.port(),
        &["--queue", "on-temporary-failure"],
    )
    .output()
    .unwrap();
    let record = server.finish();
    assert_eq!(out.status.code(), Some(67), "{}", text(&out.stderr));
    assert!(record.messages.is_empty());
    assert_eq!(queued_ids(home.path()).len(), 1, "a 550 is never queued");
}

#[test]
fn four_xx_at_end_of_data_is_queued_in_sendmail_mode() {
    let home = tempfile::tempdir().unwrap();
    let server = Server::start(Config::default().reply(".", "452 4.3.1 insufficient storage"));
    let out = run_with_input(sendmail(home.path(), server.port(), &[]), RAW);
    let record = server.finish();
    assert_eq!(record.messages.len(), 1, "the server saw the data");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("452"), "{}", text(&out.stderr));
    let ids = queued_ids(home.path());
    assert_eq!(ids.len(), 1);
    // What was queued is what the server was given.
    let bytes = std::fs::read(queue_dir(home.path()).join(&ids[0]).join("message")).unwrap();
    assert_eq!(bytes, record.messages[0]);
}

#[test]
fn flush_sends_the_exact_bytes_through_the_profile_as_it_is_now() {
    let home = tempfile::tempdir().unwrap();
    config(home.path(), closed_port());
    // The profile says queue = on-temporary-failure: send queues without the flag.
    let out = posta(home.path())
        .args([
            "send",
            "--from",
            "jane@example.org",
            "--to",
            "bob@example.org",
            "-s",
            "via profile",
            "--body",
            "x",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    let ids = queued_ids(home.path());
    assert_eq!(ids.len(), 1);
    let queued = std::fs::read(queue_dir(home.path()).join(&ids[0]).join("message")).unwrap();

    // Not due yet (1 minute back-off): a plain flush leaves it.
    let out = posta(home.path())
        .args(["queue", "flush", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(json(&out)["not_due"], 1);

    // The server is back (at a new address: the profile is read again).
    let server = Server::start(Config::default());
    config(home.path(), server.port());
    let out = posta(home.path())
        .args(["queue", "flush", "--all", "--json"])
        .output()
        .unwrap();
    let record = server.finish();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["sent"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(record.messages, [queued]);
    assert!(queued_ids(home.path()).is_empty());
    // Nothing left behind on disk but failed/.
    let names: Vec<_> = std::fs::read_dir(queue_dir(home.path()))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["failed"]);
}

#[test]
fn a_permanent_refusal_on_flush_moves_the_entry_to_failed_with_the_reason() {
    let home = tempfile::tempdir().unwrap();
    config(home.path(), closed_port());
    let out = run_with_input(
        {
            let mut c = posta(home.path());
            c.args(["sendmail", "-f", "jane@example.org", "bob@example.org"]);
            c
        },
        RAW,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let id = queued_ids(home.path()).remove(0);

    let server = Server::start(Config::default().reply("RCPT", "550 5.1.1 no such user"));
    config(home.path(), server.port());
    let out = posta(home.path())
        .args(["queue", "flush", "--all", "--json"])
        .output()
        .unwrap();
    server.finish();
    assert_eq!(out.status.code(), Some(69), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["failed"][0]["id"], id.as_str());
    assert!(
        v["failed"][0]["reason"].as_str().unwrap().contains("550"),
        "{v}"
    );
    let l = list(home.path());
    assert!(l["queued"].as_array().unwrap().is_empty());
    assert_eq!(l["failed"][0]["id"], id.as_str());
    assert!(
        queue_dir(home.path())
            .join("failed")
            .join(&id)
            .join("message")
            .exists()
    );

    // show finds it there; drop removes it for good.
    let out = posta(home.path())
        .args(["queue", "show", &id])
        .output()
        .unwrap();
    assert!(out.status.success());
    let shown = text(&out.stdout);
    assert!(
        shown.contains("failed: RCPT") && shown.contains("Subject: raw"),
        "{shown}"
    );
    let out = posta(home.path())
        .args(["queue", "drop", &id])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(list(home.path())["failed"].as_array().unwrap().is_empty());
    let out = posta(home.path())
        .args(["queue", "drop", &id])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(66));
    let out = posta(home.path())
        .args(["queue", "show", "../../etc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(66));
}

#[test]
fn an_entry_older_than_five_days_is_moved_aside_after_its_next_failure() {
    let home = tempfile::tempdir().unwrap();
    let out = run_with_input(sendmail(home.path(), closed_port(), &[]), RAW);
    assert_eq!(out.status.code(), Some(0));
    let id = queued_ids(home.path()).remove(0);
    let meta_path = queue_dir(home.path()).join(&id).join("meta.json");
    let mut meta: Value = serde_json::from_slice(&std::fs::read(&meta_path).unwrap()).unwrap();
    meta["created"] = (meta["created"].as_i64().unwrap() - 5 * 86400 - 10).into();
    meta["next_attempt"] = 0.into();
    std::fs::write(&meta_path, serde_json::to_vec(&meta).unwrap()).unwrap();

    let out = posta(home.path())
        .args(["queue", "flush"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(69), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("expired") && err.contains(&id), "{err}");
    let l = list(home.path());
    assert!(l["queued"].as_array().unwrap().is_empty());
    assert!(
        l["failed"][0]["failed"]
            .as_str()
            .unwrap()
            .starts_with("expired")
    );
}

/// xorshift: reproducible "random" delays; the seed is printed on failure.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1
}

#[test]
fn kill_9_while_queueing_never_leaves_a_half_written_entry() {
    let home = tempfile::tempdir().unwrap();
    // Big enough that spooling and queueing take a few milliseconds.
    let mut input = b"From: jane@example.org\nTo: bob@example.org\nSubject: big\n\n".to_vec();
    for i in 0..40_000 {
        input.extend(format!("line {i} of the message body, some text to fill it\n").bytes());
    }
    let s = seed();
    let mut rng = Rng(s);
    let port = closed_port();
    // Kill anywhere in the life of a run: from before it reads to after it is done.
    let started = std::time::Instant::now();
    let out = run_with_input(sendmail(home.path(), port, &[]), &input);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let span = (started.elapsed().as_micros() as u64 * 5 / 4).max(1000);
    let (mut completed, mut killed) = (1, 0);
    for _ in 0..30 {
        let mut cmd = sendmail(home.path(), port, &[]);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let data = input.clone();
        let writer = std::thread::spawn(move || {
            use std::io::Write;
            let _ = stdin.write_all(&data);
        });
        std::thread::sleep(Duration::from_micros(rng.below(span)));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        writer.join().unwrap();
        if status.success() {
            completed += 1;
        } else {
            killed += 1;
        }
    }
    let entries = list(home.path())["queued"].as_array().unwrap().clone();
    let mut expected = Vec::new();
    for line in text(&input).lines() {
        expected.extend(line.as_bytes());
        expected.extend(b"\r\n");
    }
    // Every entry the list shows is whole: its bytes are the message (plus the
    // Date and Message-ID headers sendmail mode adds), its size matches.
    for e in &entries {
        let id = e["id"].as_str().unwrap();
        let bytes = std::fs::read(queue_dir(home.path()).join(id).join("message")).unwrap();
        assert_eq!(bytes.len() as u64, e["size"].as_u64().unwrap(), "seed {s}");
        assert!(
            bytes.ends_with(&expected[expected.len() - 2000..]),
            "seed {s}: {id} is cut short"
        );
    }
    assert!(
        entries.len() >= completed,
        "seed {s}: {completed} said queued, {} in the queue",
        entries.len()
    );
    // Whatever a killed process left is not an entry: only .tmp-* directories.
    for e in std::fs::read_dir(queue_dir(home.path())).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        let dir = queue_dir(home.path()).join(&name);
        assert!(
            name == "failed" || name.starts_with(".tmp-") || dir.join("meta.json").exists(),
            "seed {s}: {name} is neither an entry nor a temp dir"
        );
    }
    eprintln!(
        "seed {s}: {completed} completed, {killed} killed, {} entries, runs of {span} µs",
        entries.len()
    );
    assert!(
        killed > 0 && completed > 0,
        "seed {s}: the delays missed: {completed} completed, {killed} killed"
    );
}

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

/// `posta batch --queue`: a message refused for now (451 at RCPT) goes to the queue,
/// one refused for good (550) does not, the others are sent; `queue flush` later sends
/// the queued one through the same profile.
#[test]
fn batch_queues_only_the_temporarily_refused_message() {
    let home = tempfile::tempdir().unwrap();
    let outbox = home.path().join("outbox");
    std::fs::create_dir_all(&outbox).unwrap();
    for (i, to) in ["bob", "later", "nobody", "carol"].iter().enumerate() {
        std::fs::write(
            outbox.join(format!("m{i}.eml")),
            format!("From: jane@example.org\nTo: {to}@example.org\nSubject: n{i}\n\nbody\n"),
        )
        .unwrap();
    }
    let server = Server::start(
        Config::default()
            .reply("RCPT TO:<later@", "451 4.3.0 try again later")
            .reply("RCPT TO:<nobody@", "550 5.1.1 no such user"),
    );
    config_with(home.path(), server.port(), "");
    let out = posta(home.path())
        .args(["--json", "batch", "--queue", "on-temporary-failure"])
        .arg(&outbox)
        .output()
        .unwrap();
    let record = server.finish();
    let stdout = text(&out.stdout);
    // The first failure decides the exit code: the 451, queued (75).
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let status = |source: &str| {
        lines
            .iter()
            .find(|l| l["source"].as_str().is_some_and(|s| s.ends_with(source)))
            .map(|l| l["status"].as_str().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    assert_eq!(status("m0.eml"), "sent", "{stdout}");
    assert_eq!(status("m1.eml"), "queued", "{stdout}");
    assert_eq!(status("m2.eml"), "failed", "{stdout}");
    assert_eq!(status("m3.eml"), "sent", "{stdout}");
    let summary = lines.last().unwrap();
    assert_eq!(
        (summary["sent"].as_u64(), summary["queued"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(record.messages.len(), 2);

    let queued = list(home.path());
    let entries = queued["queued"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "only the 451: {queued}");
    assert_eq!(entries[0]["profile"], "t");
    assert!(entries[0]["last_error"].as_str().unwrap().contains("451"));

    // Now the server takes it: flush sends it through profile t.
    let server = Server::start(Config::default());
    config_with(home.path(), server.port(), "");
    let out = posta(home.path())
        .args(["queue", "flush", "--all"])
        .output()
        .unwrap();
    let record = server.finish();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(record.messages.len(), 1);
    assert!(queued_ids(home.path()).is_empty());
}

/// A profile's `rate` paces `posta batch` through it: 5 messages at 10 a second take
/// at least the 4 gaps between their starts.
#[test]
fn batch_keeps_to_the_profile_rate() {
    let home = tempfile::tempdir().unwrap();
    let outbox = home.path().join("outbox");
    std::fs::create_dir_all(&outbox).unwrap();
    for i in 0..5 {
        std::fs::write(
            outbox.join(format!("m{i}.eml")),
            format!("From: jane@example.org\nTo: bob@example.org\nSubject: n{i}\n\nbody\n"),
        )
        .unwrap();
    }
    let server = Server::start(Config::default());
    config_with(home.path(), server.port(), "rate = \"10/s\"\n");
    let started = std::time::Instant::now();
    let out = posta(home.path())
        .arg("batch")
        .arg(&outbox)
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let record = server.finish();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(record.messages.len(), 5);
    assert!(elapsed >= Duration::from_millis(400), "{elapsed:?}");
}

/// `posta GLOBAL… sendmail …`: the global options before `sendmail` count, as they
/// do after it (they were dropped: the message went through the default profile).
#[test]
fn global_options_before_sendmail_count_as_after_it() {
    let home = tempfile::tempdir().unwrap();
    let server = Server::start(Config::default());
    config(home.path(), server.port());

    // -p of a profile that does not exist: a config error, nothing sent (the message
    // waits in the queue for the config to be fixed, as sendmail mode keeps whatever is
    // not its own fault).
    let mut cmd = posta(home.path());
    cmd.args([
        "-p",
        "nosuch",
        "sendmail",
        "-f",
        "jane@example.org",
        "bob@example.org",
    ]);
    let out = run_with_input(cmd, RAW);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.starts_with("sendmail: queued as "), "{err}");
    assert!(err.contains("no profile named \"nosuch\""), "{err}");

    // -c of another file: its profile's server is the one used.
    let other = Server::start(Config::default());
    let other_config = home.path().join("other.toml");
    std::fs::write(
        &other_config,
        format!(
            "default = \"o\"\n[profiles.o]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"plain\"\ntimeout = 5\n",
            other.port()
        ),
    )
    .unwrap();
    // -v before `sendmail`: the transcript.
    let mut cmd = posta(home.path());
    cmd.arg("-c").arg(&other_config).args([
        "-v",
        "sendmail",
        "-f",
        "jane@example.org",
        "bob@example.org",
    ]);
    let out = run_with_input(cmd, RAW);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("-> MAIL FROM:<jane@example.org>"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(other.finish().messages.len(), 1);
    assert_eq!(server.finish().messages.len(), 0);

    // -q before `sendmail`: a queued message without its line; --json still one object.
    let home = tempfile::tempdir().unwrap();
    config(home.path(), closed_port());
    let mut cmd = posta(home.path());
    cmd.args([
        "-q",
        "sendmail",
        "-f",
        "jane@example.org",
        "bob@example.org",
    ]);
    let out = run_with_input(cmd, RAW);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "");
    assert_eq!(queued_ids(home.path()).len(), 1);
    let mut cmd = posta(home.path());
    cmd.args([
        "--json",
        "sendmail",
        "-f",
        "jane@example.org",
        "bob@example.org",
    ]);
    let out = run_with_input(cmd, RAW);
    assert_eq!(json(&out)["status"], "queued");
}

/// `posta sendmail --help` lists sendmail's flags and says where posta's global options
/// go; invoked as `sendmail --help`, the same text and exit 0.
#[test]
fn sendmail_help_shows_the_flags_that_work_there() {
    let home = tempfile::tempdir().unwrap();
    let out = posta(home.path())
        .args(["sendmail", "--help"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for flag in [
        "-t ",
        "-f ADDR",
        "-F NAME",
        "-N LIST",
        "-R full|hdrs",
        "--queue",
        "--server",
    ] {
        assert!(help.contains(flag), "{flag} missing:\n{help}");
    }
    assert!(!help.contains("--version"), "{help}");
    assert!(help.contains("before `sendmail`"), "{help}");

    let link_dir = tempfile::tempdir().unwrap();
    let link = link_dir.path().join("sendmail");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_posta"), &link).unwrap();
    let out = Command::new(&link)
        .arg("--help")
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), help);
    let out = Command::new(&link)
        .arg("--version")
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("posta "),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_relative_config_path_is_recorded_absolute_so_flush_works_from_anywhere() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("work");
    std::fs::create_dir_all(&dir).unwrap();
    let write_config = |port: u16| {
        std::fs::write(
            dir.join("my.toml"),
            format!("default = \"t\"\n[profiles.t]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"plain\"\ntimeout = 5\n"),
        )
        .unwrap();
    };
    write_config(closed_port());
    let out = posta(home.path())
        .current_dir(&dir)
        .args(["-c", "my.toml", "send", "--queue", "on-temporary-failure"])
        .args(["--from", "jane@example.org", "--to", "bob@example.org"])
        .args(["-s", "relative", "--body", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    let ids = queued_ids(home.path());
    assert_eq!(ids.len(), 1);
    let meta: Value = serde_json::from_slice(
        &std::fs::read(queue_dir(home.path()).join(&ids[0]).join("meta.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        meta["config"],
        dir.join("my.toml").to_str().unwrap(),
        "{meta}"
    );

    // cron runs the flush from elsewhere, without -c.
    let server = Server::start(Config::default());
    write_config(server.port());
    let out = posta(home.path())
        .current_dir(home.path())
        .args(["queue", "flush", "--all", "--json"])
        .output()
        .unwrap();
    let record = server.finish();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(json(&out)["sent"].as_array().unwrap().len(), 1);
    assert_eq!(record.messages.len(), 1);
}

/// Run without a controlling terminal, as cron does: through setsid(1), which waits
/// for posta and exits with its status.
fn unattended(cmd: Command) -> Command {
    let mut detached = Command::new("setsid");
    detached
        .arg("--wait")
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .stdin(Stdio::null());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => detached.env(key, v),
            None => detached.env_remove(key),
        };
    }
    detached
}

/// A password command that never ends, with no terminal to answer it: killed after the
/// profile's command_timeout; sendmail mode queues the message (flush tries again),
/// `send` says 75, and neither hangs.
#[test]
fn a_password_command_that_hangs_unattended_is_cut_off_and_the_message_queued() {
    let home = tempfile::tempdir().unwrap();
    config_with(
        home.path(),
        closed_port(),
        "user = \"jane\"\npassword_command = \"sleep 60\"\ncommand_timeout = 1\n",
    );
    let started = std::time::Instant::now();
    let mut cmd = unattended(posta(home.path()));
    cmd.args(["sendmail", "-f", "jane@example.org", "bob@example.org"]);
    let out = run_with_input(cmd, RAW);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.starts_with("sendmail: queued as "), "{err}");
    assert!(err.contains("did not finish within 1 s"), "{err}");
    assert_eq!(queued_ids(home.path()).len(), 1);
    // The queue holds the message, never the command's output or a secret.
    let meta = std::fs::read_to_string(
        queue_dir(home.path())
            .join(&queued_ids(home.path())[0])
            .join("meta.json"),
    )
    .unwrap();
    assert!(meta.contains("did not finish"), "{meta}");

    // Without the queue: 75, said as a temporary failure.
    let mut cmd = unattended(posta(home.path()));
    cmd.args([
        "sendmail",
        "--queue",
        "never",
        "-f",
        "jane@example.org",
        "bob@example.org",
    ]);
    let out = run_with_input(cmd, RAW);
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));

    let out = unattended(send(
        home.path(),
        closed_port(),
        &["-p", "t", "--queue", "never"],
    ))
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("command_timeout"),
        "{}",
        text(&out.stderr)
    );
    // `send` queues it too when asked (75: queued, not sent yet).
    let out = unattended(send(
        home.path(),
        closed_port(),
        &["-p", "t", "--queue", "on-temporary-failure", "--json"],
    ))
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    assert_eq!(json(&out)["status"], "queued", "{}", text(&out.stdout));
    assert_eq!(queued_ids(home.path()).len(), 2);
}

/// `posta -p bad,t batch`: a profile whose password command fails drops out with a
/// warning and the other sends everything (the whole batch used to stop).
#[test]
fn batch_leaves_out_a_profile_whose_password_cannot_be_had() {
    let home = tempfile::tempdir().unwrap();
    let server = Server::start(Config::default());
    let path = config_with(home.path(), server.port(), "");
    let mut text_config = std::fs::read_to_string(&path).unwrap();
    text_config.push_str(
        "[profiles.bad]\nhost = \"127.0.0.1\"\nport = 1\nsecurity = \"plain\"\n\
         user = \"jane\"\npassword_command = \"echo locked >&2; exit 1\"\n",
    );
    std::fs::write(&path, text_config).unwrap();
    let outbox = home.path().join("outbox");
    std::fs::create_dir(&outbox).unwrap();
    for i in 1..=2 {
        std::fs::write(
            outbox.join(format!("{i}.eml")),
            format!("From: jane@example.org\nTo: bob@example.org\nSubject: {i}\n\nx\n"),
        )
        .unwrap();
    }
    let out = posta(home.path())
        .args(["-p", "bad,t", "batch"])
        .arg(&outbox)
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("profile bad left out"), "{err}");
    assert!(err.contains("locked"), "{err}");
    assert_eq!(server.finish().messages.len(), 2);

    // Alone, the same profile's failure is the batch's: 78, nothing sent.
    let out = posta(home.path())
        .args(["-p", "bad", "batch"])
        .arg(&outbox)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(78), "{}", text(&out.stderr));
}

/// The submission log promises a line for every message handed to a server: a message
/// queued while the server was down gets its "queued" line from `send`, and its "sent"
/// line when `queue flush` finally sends it (flush used to write none).
#[test]
fn flush_writes_the_submission_log_line_of_the_message_it_sends() {
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("posta.log");
    let log_line = format!("log_file = \"{}\"\n", log.display());
    config_with(home.path(), closed_port(), &log_line);
    let out = posta(home.path())
        .args([
            "send",
            "--from",
            "jane@example.org",
            "--to",
            "bob@example.org",
        ])
        .args(["-s", "logged", "--body", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    let lines = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("status=failed"), "{}", lines[0]);
    assert!(lines[0].contains("queued as "), "{}", lines[0]);
    assert!(lines[0].ends_with("exit=75"), "{}", lines[0]);

    let server = Server::start(Config::default());
    let port = server.port();
    config_with(home.path(), port, &log_line);
    let out = posta(home.path())
        .args(["queue", "flush", "--all"])
        .output()
        .unwrap();
    server.finish();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let sent = lines[1];
    assert!(sent.contains("status=sent"), "{sent}");
    assert!(sent.contains("to=bob@example.org"), "{sent}");
    assert!(sent.contains(&format!("server=127.0.0.1:{port}")), "{sent}");
    assert!(sent.ends_with("exit=0"), "{sent}");
}

/// sendmail mode's caller (cron, a daemon) cannot fix a password or a certificate: such a
/// failure leaves the message in the queue (exit 0, one line) for `queue flush` once it
/// is fixed, where `send` exits 77 or 76. A refusal of the message itself still fails.
#[test]
fn sendmail_mode_queues_a_refused_login_and_a_tls_failure_but_not_a_refused_recipient() {
    let home = tempfile::tempdir().unwrap();
    let wrong_password = ["--user", "jane", "--password-command", "echo wrong"];

    let server = Server::start(Config::default());
    let out = run_with_input(sendmail(home.path(), server.port(), &wrong_password), RAW);
    server.finish();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("sendmail: queued as "), "{stderr}");
    let queued = list(home.path())["queued"].clone();
    assert_eq!(queued.as_array().unwrap().len(), 1, "{queued}");
    let reason = queued[0]["last_error"].as_str().unwrap();
    assert!(reason.contains("535"), "{reason}");

    // TLS asked for, and the server speaks none.
    let server = Server::start(Config::default());
    let mut cmd = posta(home.path());
    cmd.args([
        "sendmail",
        "--server",
        &format!("127.0.0.1:{}", server.port()),
    ])
    .args([
        "--security",
        "tls",
        "--timeout",
        "5",
        "-f",
        "jane@example.org",
    ])
    .arg("bob@example.org");
    let out = run_with_input(cmd, RAW);
    drop(server);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(queued_ids(home.path()).len(), 2);

    // The recipient refused for good: the message's own fault, not queued.
    let server = Server::start(Config::default().reply("RCPT", "550 5.1.1 no such user"));
    let out = run_with_input(sendmail(home.path(), server.port(), &[]), RAW);
    server.finish();
    assert_eq!(out.status.code(), Some(67), "{}", text(&out.stderr));
    assert_eq!(queued_ids(home.path()).len(), 2);

    // `send` keeps its own default: a refused login is 77, nothing queued.
    let server = Server::start(Config::default());
    let out = send(home.path(), server.port(), &wrong_password)
        .output()
        .unwrap();
    server.finish();
    assert_eq!(out.status.code(), Some(77), "{}", text(&out.stderr));
    assert_eq!(queued_ids(home.path()).len(), 2);
}

/// sendmail mode puts the message in the queue before its session: a SIGTERM in the
/// middle of it (a systemd stop, a cron timeout) leaves it there, marked as an
/// interrupted attempt, and `queue flush` delivers it.
#[test]
fn sendmail_killed_in_the_middle_of_its_session_leaves_the_message_in_the_queue() {
    use std::io::Write as _;
    let home = tempfile::tempdir().unwrap();
    let stalls = Server::start(Config::default().on("DATA", Action::Hang));
    config(home.path(), stalls.port());
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-f", "jane@example.org", "bob@example.org"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all(RAW).unwrap();
    // Held before the session starts; then wait until the session is under way.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while queued_ids(home.path()).is_empty() {
        assert!(std::time::Instant::now() < deadline, "nothing queued");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "killed by the signal");
    drop(stalls);

    let entries = list(home.path())["queued"].clone();
    assert_eq!(entries.as_array().unwrap().len(), 1, "{entries}");
    assert!(entries[0]["attempt_started"].is_i64(), "{entries}");

    let server = Server::start(Config::default());
    config(home.path(), server.port());
    let out = posta(home.path())
        .args(["queue", "flush", "--all", "--json"])
        .output()
        .unwrap();
    let record = server.finish();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["sent"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["sent"][0]["after_interrupted_attempt"], true, "{v}");
    assert_eq!(record.messages.len(), 1);
    assert!(queued_ids(home.path()).is_empty());
}

/// A message sent by sendmail mode leaves nothing behind in the queue, and one refused
/// for good is not kept either.
#[test]
fn sendmail_leaves_no_copy_once_sent_or_refused_for_good() {
    let home = tempfile::tempdir().unwrap();
    let server = Server::start(Config::default());
    let out = run_with_input(sendmail(home.path(), server.port(), &[]), RAW);
    server.finish();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(queued_ids(home.path()).is_empty());
    let server = Server::start(Config::default().reply("RCPT", "550 5.1.1 no such user"));
    let out = run_with_input(sendmail(home.path(), server.port(), &[]), RAW);
    server.finish();
    assert_eq!(out.status.code(), Some(67), "{}", text(&out.stderr));
    assert!(queued_ids(home.path()).is_empty());
    assert!(list(home.path())["failed"].as_array().unwrap().is_empty());
}

/// The other faces of a sendmail installation: `sendmail -bp` and `mailq` list the
/// queue, `sendmail -q` flushes it once (silently when all went well), `newaliases`
/// has nothing to do and says so.
#[test]
fn mailq_bp_and_q_are_the_queue_commands_and_newaliases_a_no_op() {
    let home = tempfile::tempdir().unwrap();
    config(home.path(), closed_port());
    let mut cmd = posta(home.path());
    cmd.args(["sendmail", "-f", "jane@example.org", "bob@example.org"]);
    let out = run_with_input(cmd, RAW);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let id = queued_ids(home.path()).pop().expect("queued");

    let out = posta(home.path())
        .args(["sendmail", "-bp"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(&id), "{}", text(&out.stdout));

    let bin = home.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for name in ["mailq", "newaliases"] {
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_posta"), bin.join(name)).unwrap();
    }
    let mut mailq = Command::new(bin.join("mailq"));
    crate::support::hermetic(&mut mailq, home.path());
    let out = mailq.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(&id), "{}", text(&out.stdout));

    let mut newaliases = Command::new(bin.join("newaliases"));
    crate::support::hermetic(&mut newaliases, home.path());
    let out = newaliases.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("nothing to do"),
        "{}",
        text(&out.stderr)
    );

    // Due only after its back-off: make it due, then `sendmail -q` sends it.
    let server = Server::start(Config::default());
    config(home.path(), server.port());
    let meta = queue_dir(home.path()).join(&id).join("meta.json");
    let mut m: Value = serde_json::from_slice(&std::fs::read(&meta).unwrap()).unwrap();
    m["next_attempt"] = serde_json::json!(0);
    std::fs::write(&meta, serde_json::to_vec(&m).unwrap()).unwrap();
    let out = posta(home.path())
        .args(["sendmail", "-q"])
        .output()
        .unwrap();
    let record = server.finish();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "", "silent when all went well");
    assert_eq!(record.messages.len(), 1);
    assert!(queued_ids(home.path()).is_empty());
}

/// When the message must wait and no queue can take it, it goes to `~/dead.letter` (mbox,
/// as mailx does) rather than being lost: exit 75, saying where.
#[test]
fn a_message_no_queue_can_take_is_saved_in_dead_letter() {
    let home = tempfile::tempdir().unwrap();
    let not_a_dir = home.path().join("not-a-dir");
    std::fs::write(&not_a_dir, "").unwrap();
    let mut cmd = sendmail(home.path(), closed_port(), &[]);
    cmd.env("XDG_DATA_HOME", &not_a_dir);
    let out = run_with_input(cmd, RAW);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(75), "{stderr}");
    let dead = home.path().join("dead.letter");
    assert!(
        stderr.contains(&format!("saved in {}", dead.display())),
        "{stderr}"
    );
    let mbox = std::fs::read_to_string(&dead).unwrap();
    assert!(mbox.starts_with("From jane@example.org "), "{mbox}");
    assert!(mbox.contains("\nSubject: raw\n"), "{mbox}");
    assert!(mbox.contains("\nline 1\n"), "{mbox}");
    assert!(!mbox.contains('\r'), "{mbox:?}");
}
