//! sendmail mode's side of the queue: global options, --help, failures of the account
//! queued rather than lost, mailq/-bp/-q/newaliases, and ~/dead.letter as the last resort.

use super::*;

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
