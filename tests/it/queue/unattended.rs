//! Running with nobody to ask (cron): recorded paths absolute, a hanging password
//! command cut off, and the submission log line written by the flush that sends.

use super::*;

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
