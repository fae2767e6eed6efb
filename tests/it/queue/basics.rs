//! Temporary failures queued, permanent ones not; flush sends the exact queued bytes
//! through the profile as it is now, and moves refusals and expired entries aside.

use super::*;

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
