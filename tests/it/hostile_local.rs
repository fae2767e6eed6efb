//! Hostile input from this machine (issue 18, items 2, 7, 9 and 12): a planted
//! `config.toml.tmp`, queue entries and directories that are not the user's or are
//! damaged, recorded connection values weaker than the profile, and core dumps.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use crate::support::{config_path, posta, text, write_config};

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).unwrap().mode() & 0o7777
}

#[test]
fn profile_add_never_writes_through_a_planted_config_tmp() {
    // A symlink named config.toml.tmp: the rewrite must not follow it.
    let home = tempfile::tempdir().unwrap();
    let config = write_config(
        home.path(),
        "[profiles.relay]\nhost = \"smtp.example.com\"\n",
    );
    let victim = home.path().join("victim");
    std::fs::write(&victim, "keep me\n").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    let planted = config.with_extension("toml.tmp");
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    let out = posta(home.path())
        .args(["profile", "add", "y", "--email", "j@yandex.ru"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
    let meta = std::fs::symlink_metadata(&config).unwrap();
    assert!(meta.file_type().is_file(), "config.toml is a regular file");
    assert_eq!(meta.mode() & 0o777, 0o600);
    assert!(
        std::fs::read_to_string(&config)
            .unwrap()
            .contains("[profiles.y]")
    );

    // A world-writable file of that name: its mode must not become the config's.
    let home = tempfile::tempdir().unwrap();
    let config = write_config(
        home.path(),
        "[profiles.relay]\nhost = \"smtp.example.com\"\n",
    );
    let planted = config.with_extension("toml.tmp");
    std::fs::write(&planted, "").unwrap();
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o666)).unwrap();
    let out = posta(home.path())
        .args(["profile", "add", "y", "--email", "j@yandex.ru"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(mode(&config_path(home.path())), 0o600);
    let owner = std::fs::metadata(&config).unwrap().uid();
    assert_eq!(owner, std::fs::metadata(home.path()).unwrap().uid());
}

/// posta as a user other than root (a non-dumpable process's /proc files belong to
/// root, which root cannot tell apart): itself when the tests run as a user, else
/// through `setpriv` as nobody.
fn posta_as_a_user(home: &Path) -> std::process::Command {
    let me = std::fs::metadata("/proc/self").unwrap().uid();
    let mut cmd = if me == 0 {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
        c.arg(env!("CARGO_BIN_EXE_posta"));
        c
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_posta"))
    };
    crate::support::hermetic(&mut cmd, home);
    cmd
}

#[test]
#[cfg(target_os = "linux")]
fn posta_cannot_be_dumped_or_read_by_the_user_while_it_may_hold_a_secret() {
    // The password command runs while posta holds no secret yet but is about to: it
    // reports who owns posta's /proc/PID/status (root once PR_SET_DUMPABLE is 0) and
    // whether posta's memory map can be read by the same user.
    let home = tempfile::tempdir().unwrap();
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = posta_as_a_user(home.path())
        .args([
            "send",
            "--server",
            &format!("127.0.0.1:{}", crate::support::closed_port()),
            "--from",
            "jane@example.org",
            "--to",
            "bob@example.org",
            "-s",
            "x",
            "--body",
            "x",
            "--password-command",
            "echo \"owner=$(stat -c %u /proc/$PPID/status) maps=$(cat /proc/$PPID/maps >/dev/null 2>&1 && echo readable || echo refused)\" >&2; exit 1",
        ])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{err}");
    assert!(err.contains("owner=0 maps=refused"), "{err}");
}

fn queue_dir(home: &Path) -> std::path::PathBuf {
    home.join("data/posta/queue")
}

/// A profile `t` (the default) to a closed port with a literal password, and
/// `extra` lines.
fn profile(home: &Path, extra: &str) -> std::path::PathBuf {
    write_config(
        home,
        &format!(
            "default = \"t\"\n[profiles.t]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"starttls\"\nuser = \"jane\"\ntimeout = 2\nqueue = \"on-temporary-failure\"\n{extra}",
            crate::support::closed_port()
        ),
    )
}

/// Queue one message (the server is down) with `args` before `send`'s own; its id.
fn queue_one(home: &Path, args: &[&str]) -> String {
    let out = posta(home)
        .args(args)
        .args([
            "send",
            "--from",
            "jane@example.org",
            "--to",
            "bob@example.org",
            "-s",
            "queued",
            "--body",
            "x",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", text(&out.stderr));
    let names: Vec<String> = std::fs::read_dir(queue_dir(home))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "failed")
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    names[0].clone()
}

fn run(home: &Path, args: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let out = posta(home).args(args).output().unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or_default();
    (out.status.code(), v, text(&out.stderr))
}

#[test]
fn a_damaged_entry_is_listed_with_its_reason_and_flush_says_so_in_its_exit_code() {
    let home = tempfile::tempdir().unwrap();
    profile(home.path(), "password = \"pw\"\n");
    let id = queue_one(home.path(), &[]);
    let meta = queue_dir(home.path()).join(&id).join("meta.json");
    std::fs::write(&meta, "{\"version\": 1, \"id\": ").unwrap();

    let (code, v, err) = run(home.path(), &["queue", "list", "--json"]);
    assert_eq!(code, Some(74), "{err}");
    assert_eq!(v["unusable"][0]["id"], id.as_str(), "{v}");
    let reason = v["unusable"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("meta.json") && reason.contains("EOF"),
        "{reason}"
    );
    let out = posta(home.path()).args(["queue", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(74));
    assert!(
        text(&out.stdout).contains(&format!("{id}  UNUSABLE")),
        "{}",
        text(&out.stdout)
    );

    let (code, v, err) = run(home.path(), &["queue", "flush", "--all", "--json"]);
    assert_eq!(code, Some(74), "{err}");
    assert_eq!(v["unusable"][0]["id"], id.as_str(), "{v}");
    let out = posta(home.path())
        .args(["queue", "flush", "--all"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(74));
    assert!(
        text(&out.stderr).contains(&format!("unusable {id}: ")),
        "{}",
        text(&out.stderr)
    );
    // Never deleted: the message is still there to look at.
    assert!(queue_dir(home.path()).join(&id).join("message").exists());
}

#[test]
fn a_queue_directory_others_can_write_is_refused_whole() {
    let home = tempfile::tempdir().unwrap();
    profile(home.path(), "password = \"pw\"\n");
    queue_one(home.path(), &[]);
    let dir = queue_dir(home.path());
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    for args in [&["queue", "flush", "--all"][..], &["queue", "list"]] {
        let out = posta(home.path()).args(args).output().unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(77), "{args:?}: {err}");
        assert!(err.contains("writable by others (mode 777)"), "{err}");
        assert!(err.contains("chmod 700"), "{err}");
    }
    // Nor is a message queued into it.
    let out = posta(home.path())
        .args([
            "send",
            "--from",
            "jane@example.org",
            "--to",
            "b@example.org",
            "-s",
            "x",
            "--body",
            "x",
        ])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(
        err.contains("not queued") && err.contains("writable by others"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        2,
        "one entry and failed/"
    );
}

#[test]
fn an_entry_owned_by_someone_else_is_refused_and_left_alone() {
    let home = tempfile::tempdir().unwrap();
    profile(home.path(), "password = \"pw\"\n");
    let id = queue_one(home.path(), &[]);
    let entry = queue_dir(home.path()).join(&id);
    let me = std::fs::metadata(home.path()).unwrap().uid();
    let other = if me == 65534 { 65533 } else { 65534 };
    for p in [
        entry.join("meta.json"),
        entry.join("message"),
        entry.clone(),
    ] {
        std::os::unix::fs::chown(&p, Some(other), None).unwrap();
    }
    let (code, v, err) = run(home.path(), &["queue", "flush", "--all", "--json"]);
    assert_eq!(code, Some(74), "{err}");
    let reason = v["unusable"][0]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains(&format!("owned by uid {other}")), "{v}");
    assert_eq!(v["deferred"].as_array().map(Vec::len), Some(0), "{v}");
    assert!(entry.join("message").exists());
}

#[test]
fn flush_refuses_a_recorded_config_file_someone_else_could_have_written() {
    let home = tempfile::tempdir().unwrap();
    let marker = home.path().join("password-command-ran");
    let other = home.path().join("elsewhere");
    std::fs::create_dir(&other).unwrap();
    let config = other.join("cfg.toml");
    std::fs::write(
        &config,
        format!(
            "default = \"t\"\n[profiles.t]\nhost = \"127.0.0.1\"\nport = {}\nuser = \"jane\"\ntimeout = 2\nqueue = \"on-temporary-failure\"\npassword_command = \"touch '{}'; echo pw\"\n",
            crate::support::closed_port(),
            marker.display()
        ),
    )
    .unwrap();
    let id = queue_one(home.path(), &["-c", config.to_str().unwrap()]);
    assert!(marker.exists(), "the command ran at submission");
    std::fs::remove_file(&marker).unwrap();
    // Someone else's file now (re-created by another user, say).
    std::os::unix::fs::chown(&config, Some(65534), None).unwrap();
    let (code, v, err) = run(home.path(), &["queue", "flush", "--all", "--json"]);
    assert_eq!(code, Some(74), "{err}");
    assert_eq!(v["unusable"][0]["id"], id.as_str(), "{v}");
    let reason = v["unusable"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("owned by uid 65534"), "{reason}");
    assert!(!marker.exists(), "its password command must not run");
    // Writable by others: the same.
    std::os::unix::fs::chown(
        &config,
        Some(std::fs::metadata(home.path()).unwrap().uid()),
        None,
    )
    .unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o666)).unwrap();
    let (code, v, _) = run(home.path(), &["queue", "flush", "--all", "--json"]);
    assert_eq!(code, Some(74));
    let reason = v["unusable"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("writable by others (mode 666)"), "{reason}");
    assert!(!marker.exists(), "its password command must not run");
    // Private again: the flush tries it (and defers it: the server is down).
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, v, err) = run(home.path(), &["queue", "flush", "--all", "--json"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["deferred"][0]["id"], id.as_str(), "{v}");
    assert!(marker.exists());
}

#[test]
fn recorded_connection_values_weaker_than_the_profile_are_refused() {
    let home = tempfile::tempdir().unwrap();
    profile(home.path(), "password = \"S3cretPW\"\n");
    let id = queue_one(home.path(), &[]);
    // A planted (or hand-edited) entry: another server, no TLS, login in clear.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let meta_path = queue_dir(home.path()).join(&id).join("meta.json");
    let mut meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&meta_path).unwrap()).unwrap();
    meta["connection"]["server"] =
        format!("localhost:{}", listener.local_addr().unwrap().port()).into();
    meta["connection"]["security"] = "plain".into();
    meta["connection"]["allow_insecure_auth"] = true.into();
    std::fs::write(&meta_path, serde_json::to_vec(&meta).unwrap()).unwrap();

    let (code, v, err) = run(home.path(), &["queue", "flush", "--all", "--json"]);
    assert_eq!(code, Some(74), "{err}");
    let reason = v["unusable"][0]["reason"].as_str().unwrap_or_default();
    for said in [
        "server localhost in place of the profile's 127.0.0.1",
        "no TLS (security plain) where the profile uses starttls",
        "login without TLS",
        "profile t",
    ] {
        assert!(reason.contains(said), "{said}: {v}");
    }
    listener.set_nonblocking(true).unwrap();
    assert!(
        listener.accept().is_err(),
        "nothing may connect to the planted server"
    );
    assert!(!text(&serde_json::to_vec(&v).unwrap()).contains("S3cretPW"));
    // The profile's own values, recorded as flags: nothing weaker, it is tried.
    meta["connection"] = serde_json::json!({"server": "127.0.0.1", "security": "starttls"});
    std::fs::write(&meta_path, serde_json::to_vec(&meta).unwrap()).unwrap();
    let (code, v, err) = run(home.path(), &["queue", "flush", "--all", "--json"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["deferred"][0]["id"], id.as_str(), "{v}");
}

#[test]
fn the_log_is_not_written_into_a_file_someone_else_made() {
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("posta.log");
    profile(
        home.path(),
        &format!("password = \"pw\"\nlog_file = \"{}\"\n", log.display()),
    );
    std::fs::write(&log, "").unwrap();
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::os::unix::fs::chown(&log, Some(65534), None).unwrap();
    queue_one(home.path(), &[]);
    let out = posta(home.path())
        .args(["queue", "flush", "--all"])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(
        err.contains("cannot write the log file") && err.contains("owned by uid 65534"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "",
        "nothing about the message"
    );
}
